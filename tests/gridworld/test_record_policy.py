"""Which episodes a run records: the policy against a per-episode reading of its rules, for
any chunking of the run, forks included, and within its bound."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridworld.trajectory import DEFAULT_POLICY, RecordPolicy

SMALL = RecordPolicy(first=3, every=10, max_every=4, last=2, window=5, max_steps=7)


def reference_stride(policy: RecordPolicy, origin: int, target: int) -> int:
    """The smallest multiple of ``every`` with at most ``max_every`` of its multiples among
    episodes origin+1..target (searched, not computed)."""
    stride = policy.every
    while sum(1 for e in range(origin + 1, target + 1) if e % stride == 0) > policy.max_every:
        stride += policy.every
    return stride


def reference_kinds(policy: RecordPolicy, origin: int, target: int) -> dict[int, str]:
    """Each recorded episode's kind, read episode by episode from the rules as written."""
    stride = reference_stride(policy, origin, target)
    kinds = {}
    for episode in range(origin + 1, target + 1):
        place = (episode - 1) % policy.window + 1  # 1 .. window within its window
        if episode - origin <= policy.first:
            kinds[episode] = "first"
        elif episode % stride == 0:
            kinds[episode] = "every"
        elif place > policy.window - policy.last or episode > target - policy.last:
            kinds[episode] = "last"
    return kinds


def chunked(policy: RecordPolicy, origin: int, target: int, sizes: list[int]) -> dict[int, str]:
    """Return what ``chosen`` picks over the run played in chunks of ``sizes`` (cycled)."""
    found: dict[int, str] = {}
    start, i = origin + 1, 0
    while start <= target:
        count = min(sizes[i % len(sizes)], target - start + 1)
        picked = policy.chosen(origin, target, start, count)
        assert list(picked) == sorted(picked) and all(0 <= k < count for k in picked)
        found.update({start + index: kind for index, kind in picked.items()})
        start, i = start + count, i + 1
    return found


def test_the_defaults_of_a_3000_episode_run():
    kinds = DEFAULT_POLICY.chosen(0, 3000, 1, 3000)
    assert [e + 1 for e, k in kinds.items() if k == "first"] == list(range(1, 11))
    assert [e + 1 for e, k in kinds.items() if k == "every"] == [1000, 2000, 3000]
    tails = [*range(981, 1000), *range(1981, 2000), *range(2981, 3000)]
    assert [e + 1 for e, k in kinds.items() if k == "last"] == tails
    assert DEFAULT_POLICY.bound == 130 and DEFAULT_POLICY.max_steps == 1000


def test_a_long_run_widens_the_stride_to_stay_within_the_bound():
    assert DEFAULT_POLICY.stride(0, 100_000) == 1000
    assert DEFAULT_POLICY.stride(0, 100_999) == 1000
    assert DEFAULT_POLICY.stride(0, 101_000) == 2000
    assert DEFAULT_POLICY.stride(0, 10_000_000) == 100_000
    kinds = DEFAULT_POLICY.chosen(0, 1_000_000, 1, 1_000_000)
    assert sum(kind == "every" for kind in kinds.values()) == 100
    assert len(kinds) <= 10 + 100 + 20 * 1000  # the ring keeps 20 of the "last" ones


def test_a_fork_records_its_own_first_episodes_only():
    kinds = SMALL.chosen(23, 60, 1, 60)
    assert {e + 1 for e, k in kinds.items() if k == "first"} == {24, 25, 26}
    assert min(kinds) + 1 > 23
    assert kinds == {e - 1: k for e, k in reference_kinds(SMALL, 23, 60).items()}


def test_a_short_run_records_every_episode():
    kinds = DEFAULT_POLICY.chosen(0, 15, 1, 15)
    assert kinds == {i: "first" if i < 10 else "last" for i in range(15)}


@settings(max_examples=150, deadline=None)
@given(
    origin=st.integers(0, 120),
    span=st.integers(1, 300),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    first=st.integers(1, 6),
    every=st.integers(1, 12),
    max_every=st.integers(1, 9),
    window=st.integers(1, 15),
    data=st.data(),
)
def test_any_chunking_records_what_the_rules_say(
    origin, span, sizes, first, every, max_every, window, data
):
    last = data.draw(st.integers(1, window))
    policy = RecordPolicy(first, every, max_every, last, window, max_steps=5)
    target = origin + span
    expected = reference_kinds(policy, origin, target)
    assert chunked(policy, origin, target, sizes) == expected
    assert policy.stride(origin, target) == reference_stride(policy, origin, target)
    kept = [k for k in expected.values() if k != "last"]
    assert len(kept) <= policy.first + policy.max_every


def test_a_chunk_past_the_target_or_before_the_origin_records_nothing():
    assert SMALL.chosen(10, 20, 25, 5) == {}
    assert SMALL.chosen(10, 20, 1, 10) == {}


@pytest.mark.parametrize(
    "settings_",
    [{"first": 0}, {"every": -1}, {"max_steps": 1.5}, {"last": True}, {"last": 6, "window": 5}],
)
def test_settings_that_make_no_sense_are_refused(settings_):
    with pytest.raises(ValueError, match=next(iter(settings_))):
        RecordPolicy(**settings_)


def test_describe_shows_the_run_s_own_stride_and_bound():
    shown = DEFAULT_POLICY.describe(0, 250_000)
    assert shown == {
        "first": 10,
        "every": 3000,
        "last": 20,
        "window": 1000,
        "max_steps": 1000,
        "max_trajectories": 130,
    }
