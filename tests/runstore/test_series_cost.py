"""Decimation at every run length: whatever the window and the number of points, a series
reads about one rollup row per bucket, or at most 20 episodes per bucket, plus a bounded
number at the window's edges; never more as the run grows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runstore.rollups import NICE_BUCKETS, PARENT, choose_bucket, cover, serving_size
from runstore.schema import ROLLUP_SIZES

EDGE_ROWS = 2 * 9 * 5
"""Rollup rows a window's two edges may add: up to 9 blocks of each finer decade a side."""
EDGE_EPISODES = 2 * 99
"""Episodes a window's two edges may add, inside a block of 100."""


def test_every_bucket_width_from_50_on_has_rollup_blocks_of_its_own_size():
    for bucket in NICE_BUCKETS:
        if 50 <= bucket <= max(ROLLUP_SIZES):
            assert serving_size(bucket) == bucket
        elif bucket < 50:
            assert bucket <= 20 and serving_size(bucket) is None
    assert all(PARENT[size] * 10 >= size for size in PARENT)  # edges: at most 9 blocks a level


@settings(max_examples=3000, deadline=None)
@given(
    done=st.integers(1, 10**10),
    data=st.data(),
    points=st.integers(1, 10_000),
)
def test_a_window_reads_about_one_row_per_bucket_at_any_run_length(done, data, points):
    start = data.draw(st.integers(1, done), label="start")
    end = data.draw(st.integers(start, done), label="end")
    bucket = choose_bucket(start, end, points)
    buckets = (end - 1) // bucket - (start - 1) // bucket + 1
    assert buckets <= points or bucket == NICE_BUCKETS[-1]
    pieces = cover(start, end, serving_size(bucket), done)
    covered = sum(
        p.last - p.first + 1
        if p.size is None
        else min((p.last + 1) * p.size, done) - p.first * p.size
        for p in pieces
    )
    assert covered == end - start + 1  # the pieces are disjoint: they cover it exactly
    rows = sum(p.last - p.first + 1 for p in pieces if p.size is not None)
    episodes = sum(p.last - p.first + 1 for p in pieces if p.size is None)
    per_bucket = bucket // (serving_size(bucket) or bucket)
    assert rows <= buckets * per_bucket + EDGE_ROWS
    if bucket < 50:
        assert episodes == end - start + 1 <= 20 * buckets
    else:
        assert episodes <= EDGE_EPISODES
    assert per_bucket == 1 or bucket > max(ROLLUP_SIZES)
