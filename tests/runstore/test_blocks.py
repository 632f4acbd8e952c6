"""Episode blocks: the codec keeps every value bit for bit, the store hands back exactly what
it was given (through blocks cut and rewritten), and a million episodes take under 60 MB."""

from __future__ import annotations

import json
import math
import sqlite3
import struct
import zlib
from itertools import accumulate

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runstore import BatchError, RunStore, blocks
from runstore.blocks import BLOCK
from tests.runstore.support import append_in_batches, make_rows, new_run, stored_rows

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)


def bits(values: list[float]) -> list[bytes]:
    """Return each float's eight bytes (so that -0.0 and 0.0 differ)."""
    return [struct.pack("<d", value) for value in values]


@settings(max_examples=200, deadline=None)
@given(
    values=st.one_of(
        st.lists(FLOATS, max_size=1200),
        st.lists(st.sampled_from([0.0, -0.0, 5e-324, -1.5, 1e308]), max_size=50),
        st.lists(FLOATS, min_size=1, max_size=blocks.PALETTE_MOST + 1).flatmap(
            lambda few: st.lists(st.sampled_from(few), max_size=1200)
        ),  # a palette, or one value too many for it
        st.integers(1, 1200).flatmap(
            lambda n: st.lists(FLOATS, min_size=1, max_size=1).map(lambda v: v * n)
        ),
    )
)
def test_floats_read_back_bit_for_bit(values):
    for codec in ("float", "rising"):
        back = blocks.decode(codec, blocks.encode(codec, values), len(values))
        assert all(type(value) is float for value in back)
        assert bits(back) == bits(values)


@settings(max_examples=200, deadline=None)
@given(
    values=st.one_of(
        st.lists(FLOATS, max_size=1200).map(sorted),  # a negative one's bits fall
        st.lists(st.floats(0, 1e300), max_size=1200).map(sorted),  # bits that rise
        st.lists(st.sampled_from([0.0, -0.0, 5e-324, 1e308]), max_size=50).map(sorted),
        st.tuples(st.floats(0, 1e6), st.floats(1e-9, 1.0), st.integers(2, 1200)).map(
            lambda clock: [clock[0] + clock[1] * step for step in range(clock[2])]
        ),
    )
)
def test_rising_floats_read_back_bit_for_bit(values):
    back = blocks.decode("rising", blocks.encode("rising", values), len(values))
    assert all(type(value) is float for value in back)
    assert bits(back) == bits(values)


@settings(max_examples=200, deadline=None)
@given(
    values=st.one_of(
        st.lists(INT64, max_size=1200),
        st.lists(st.integers(0, 300), max_size=1200),
        st.lists(st.integers(0, 60), max_size=1200).map(
            lambda steps: [sum(steps[: i + 1]) for i in range(len(steps))]
        ),
        st.lists(st.sampled_from([-(2**63), 2**63 - 1, 0]), max_size=20).map(sorted),
    )
)
def test_integers_read_back_exactly(values):
    back = blocks.decode("int", blocks.encode("int", values), len(values))
    assert all(type(value) is int for value in back)
    assert back == values


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.lists(st.integers(0, 2**40), max_size=9), max_size=300))
def test_lists_of_integers_read_back_exactly(values):
    assert blocks.decode("lists", blocks.encode("lists", values), len(values)) == values


def test_a_constant_column_takes_a_few_bytes_and_a_counter_its_steps():
    assert len(blocks.encode("float", [0.99] * BLOCK)) == 10
    steps = list(accumulate(episode % 7 + 1 for episode in range(BLOCK)))  # like env_steps
    assert len(blocks.encode("int", steps)) < BLOCK // 2  # under a byte a step


def test_a_clock_takes_its_steps_and_a_column_that_falls_its_planes():
    # the trainer's wall times: a chunk's seconds spread evenly over its episodes
    began, ended = 12.345678, 12.347901
    clock = (began + (ended - began) / BLOCK * np.arange(1, BLOCK + 1)).tolist()
    blob = blocks.encode("rising", clock)
    assert blob[:1] == blocks.RISING and len(blob) * 10 < len(blocks.encode("float", clock))
    assert bits(blocks.decode("rising", blob, BLOCK)) == bits(clock)
    falling = clock[::-1]
    assert blocks.encode("rising", falling) == blocks.encode("float", falling)
    assert blocks.encode("rising", [0.5] * BLOCK) == blocks.encode("float", [0.5] * BLOCK)


def test_a_column_of_a_few_distinct_floats_takes_a_palette_of_them():
    returns = [[-1.0, 0.9, 0.93, -0.0][episode * 7 % 11 % 4] for episode in range(BLOCK)]
    blob = blocks.encode("float", returns)
    assert blob[:1] == blocks.PALETTE and len(blob) < BLOCK  # a byte a value, deflated
    assert bits(blocks.decode("float", blob, BLOCK)) == bits(returns)
    many = [i / 7 for i in range(blocks.PALETTE_MOST + 1)] * 15
    assert blocks.encode("float", many)[:1] == blocks.PACKED


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_store_hands_back_its_episodes_exactly_through_cuts(store, data):
    seed = data.draw(st.integers(0, 9), label="seed")
    rows = make_rows(1, data.draw(st.integers(1, 2600), label="episodes"), seed=seed)
    total, run_id = len(rows), new_run(store)
    special = data.draw(st.lists(st.sampled_from([-0.0, 5e-324, 1e300, -1e-300]), max_size=3))
    for i, value in enumerate(special):
        rows[i % total]["mean_q"] = value
    rows[-1]["action_counts"] = [1, 2**40, 3]  # a list of another length
    append_in_batches(store, run_id, rows, data.draw(st.sampled_from([7, 37, 999, 1000])))
    keep = data.draw(
        st.sampled_from([0, 1, 49, 50, 999, 1000, 1001, total - 1]).filter(
            lambda k: 0 <= k < total
        ),
        label="keep",
    )
    store.truncate_episodes(run_id, keep)
    more = make_rows(
        keep + 1, total - keep, seed=7, steps_before=rows[keep - 1]["env_steps"] if keep else 0
    )
    append_in_batches(store, run_id, more, 250)
    expected = rows[:keep] + more
    got = [
        row for start in range(1, total + 1, 10_000) for row in stored_rows(store, run_id, start)
    ]
    assert got == expected
    assert bits([row["mean_q"] for row in got]) == bits([row["mean_q"] for row in expected])
    assert store.get_run(run_id).env_steps == expected[-1]["env_steps"]


def test_exports_read_every_value_as_it_was_written(store):
    run_id = new_run(store)
    rows = make_rows(1, 1234)
    rows[500]["return"] = -0.0
    rows[600]["wall_time"] = 5e-324
    rows[700]["action_counts"] = []
    append_in_batches(store, run_id, rows, 300)
    lines = "".join(store.iter_csv(run_id)).splitlines()
    assert lines[501].split(",")[1] == "-0.0" and lines[601].split(",")[11] == "5e-324"
    document = json.loads("".join(store.iter_json(run_id)))
    assert document["episodes"] == [{**row, "success": bool(row["success"])} for row in rows]


@pytest.mark.parametrize(
    ("field", "value"), [("length", 2**63), ("env_steps", -(2**63) - 1), ("action_counts", [2**64])]
)
def test_integers_past_64_bits_are_refused(store, field, value):
    run_id = new_run(store)
    row = {**make_rows(1, 1)[0], field: value}
    with pytest.raises(BatchError, match=f"episode 1: {field}=.* does not fit in 64 bits"):
        store.append_episodes(run_id, [row])
    assert store.get_run(run_id).episodes_done == 0


def test_a_million_episodes_take_under_60_mb(tmp_path):
    """Measured on the store's tables (their pages), the bytes per episode of 20,000
    episodes of the benchmark's kind of rows."""
    path = tmp_path / "size.sqlite"
    store = RunStore(f"sqlite:///{path}")
    run_id = new_run(store)
    append_in_batches(store, run_id, make_rows(1, 20_000), 1000)
    store.close()
    with sqlite3.connect(path) as conn:
        used = dict(
            conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name IN ('episode_blocks',"
                " 'rollup_packs', 'sqlite_autoindex_episode_blocks_1') GROUP BY name"
            ).fetchall()
        )
    conn.close()
    per_million = sum(used.values()) / 20_000 * 1e6
    assert math.isfinite(per_million) and per_million <= 60e6, used


def _deflated_planes(array: np.ndarray, raw: tuple[int, ...]) -> bytes:
    """Return the mask byte and planes of a packed blob as stores wrote them before zstd:
    the ``raw`` planes in order, then one zlib stream of the others."""
    planes = array.view(np.uint8).reshape(len(array), array.itemsize).T
    kept = b"".join(planes[i].tobytes() for i in raw)
    rest = b"".join(planes[i].tobytes() for i in range(array.itemsize) if i not in raw)
    return bytes([sum(1 << i for i in raw)]) + kept + zlib.compress(rest, 1)


def test_blocks_written_before_zstd_read_as_ever():
    floats = np.array([0.25 * i - 3.0 for i in range(BLOCK)])
    for raw in ((), (0, 1), (0, 5, 7)):
        blob = b"zd" + _deflated_planes(floats, raw)
        assert bits(blocks.decode("float", blob, BLOCK)) == bits(floats.tolist())
    small = np.array([i % 300 for i in range(BLOCK)], dtype="<u2")
    blob = b"zH" + _deflated_planes(small, (1,))
    assert blocks.decode("int", blob, BLOCK) == small.tolist()
    returns = [(-1.0, 0.9, -0.0)[i % 3] for i in range(BLOCK)]
    indexes = bytes(i % 3 for i in range(BLOCK))
    blob = b"pd" + bytes([2]) + struct.pack("<3d", -1.0, 0.9, -0.0) + zlib.compress(indexes)
    assert bits(blocks.decode("float", blob, BLOCK)) == bits(returns)
    written_now = blocks.encode("float", returns)
    assert written_now[:1] == blocks.PALETTE != b"p"
    assert bits(blocks.decode("float", written_now, BLOCK)) == bits(returns)
