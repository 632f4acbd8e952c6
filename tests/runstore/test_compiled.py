"""The write path's compiled helpers against their definitions: exactly rounded sums equal
``math.fsum``'s (Python's own, correctly rounded summation), byte planes are the bytes of the
values in plane order with their Shannon entropies (and tell when every value is the same),
and integer ranges are the least and the greatest value."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runstore import compiled, levels

FINITE = st.floats(allow_nan=False, allow_infinity=False)
SPREAD = st.one_of(
    FINITE,
    st.floats(-1e3, 1e3, allow_nan=False),
    st.sampled_from([0.0, -0.0, 5e-324, 1e308, -1e308, 1e16, 1.0, 1e-16]),
)
"""Floats of every magnitude, with the values that make naive and compensated sums differ."""


def exact_sum(values: list[float]) -> float:
    """Return ``compiled``'s exactly rounded sum of ``values`` (one block, one metric)."""
    array = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    sums, _, _ = compiled.block_aggregates(array, np.array([0]), True)
    return float(sums[0, 0])


@settings(max_examples=300, deadline=None)
@given(values=st.lists(SPREAD, min_size=1, max_size=60))
def test_exact_sums_are_those_of_math_fsum(values):
    try:
        expected = math.fsum(values)
    except OverflowError:  # an intermediate sum overflows: the caller asks math.fsum again
        assert not math.isfinite(exact_sum(values))
        return
    assert exact_sum(values) == expected


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.integers(0, 2**64 - 1), max_size=8).flatmap(
        lambda few: st.lists(st.sampled_from(few or [0]), max_size=400)
    ),
    most=st.integers(1, 128),
)
def test_a_palette_is_the_distinct_values_in_order_of_first_appearance(words, most):
    distinct, indexes = compiled.palette(np.array(words, dtype=np.uint64), most)
    expected = list(dict.fromkeys(words))
    if len(expected) > most:
        assert len(distinct) == len(indexes) == 0
        return
    assert distinct.tolist() == expected
    assert distinct[indexes].tolist() == words and indexes.dtype == np.uint8


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1e-16, 1.0, 1e16], 1.0000000000000002e16),  # rounds half-even across partials
        ([0.1] * 10, 1.0),
        ([1e308, -1e308, 1e-300], 1e-300),
        ([-0.0, -0.0], 0.0),
    ],
)
def test_worked_examples_of_the_exact_sum(values, expected):
    assert exact_sum(values) == expected == math.fsum(values)


def test_an_exact_sum_that_overflows_on_the_way_raises_as_math_fsum_does():
    values = np.array([1e308, 1e308, -1e308]).reshape(-1, 1)
    with pytest.raises(OverflowError):
        levels.episode_level(values, 1, 100, exact=True)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.lists(SPREAD, min_size=3, max_size=3), min_size=1, max_size=80),
    cut=st.integers(1, 79),
)
def test_block_aggregates_are_sums_in_order_and_extremes(values, cut):
    array = np.asarray(values, dtype=np.float64)
    starts = np.array([0] + ([cut] if cut < len(values) else []))
    sums, lows, highs = compiled.block_aggregates(array, starts, False)
    bounds = [*starts.tolist(), len(values)]
    for block, (begin, end) in enumerate(itertools.pairwise(bounds)):
        for metric in range(3):
            column = [row[metric] for row in values[begin:end]]
            total = 0.0
            for value in column:
                total += value
            assert sums[block, metric] == total
            assert (lows[block, metric], highs[block, metric]) == (min(column), max(column))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=8, max_size=2400), itemsize=st.sampled_from([1, 2, 4, 8]))
def test_planes_hold_each_byte_position_and_its_entropy(data, itemsize):
    data = data[: len(data) // itemsize * itemsize]
    planes, bits, same = compiled.split_planes(np.frombuffer(data, np.uint8), itemsize)
    count = len(data) // itemsize
    values = {data[i : i + itemsize] for i in range(0, len(data), itemsize)}
    assert same == (len(values) == 1)
    for plane in range(itemsize):
        column = data[plane::itemsize]
        assert planes[plane].tobytes() == column
        shares = [n / count for n in Counter(column).values()]
        shannon = -sum(share * math.log2(share) for share in shares)
        assert bits[plane] == pytest.approx(shannon, abs=1e-12)


@given(values=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=200))
def test_integer_ranges_are_least_and_greatest(values):
    assert compiled.int_range(np.asarray(values, dtype=np.int64)) == (min(values), max(values))


def test_reading_a_store_loads_no_numba(tmp_path):
    """The dashboard and the CLI's listings only read: numba (0.3 s to import) stays out."""
    script = (
        "import sys; from runstore import RunStore; "
        f"RunStore('sqlite:///{tmp_path / 'x.sqlite'}').list_runs(); "
        "print('numba' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


def test_warm_compiles_every_helper_a_write_calls(tmp_path):
    """A process's first write compiles nothing more inside its transaction than ``warm``
    compiled before it: writes of every kind of column and a truncation add no signature."""
    script = f"""
from runstore import RunStore, compiled
from tests.runstore.support import make_rows, new_run
store = RunStore('sqlite:///{tmp_path / "x.sqlite"}')
run_id = new_run(store)
compiled.warm()
helpers = (compiled.palette, compiled.split_planes, compiled.int_range,
           compiled.block_aggregates)
before = [list(helper.signatures) for helper in helpers]
rows = make_rows(1, 3000)  # constant, palette, packed and integer columns
store.append_episodes(run_id, rows[:1000])
store.append_episodes(run_id, rows[1000:])
store.truncate_episodes(run_id, 1500)
print(before == [list(helper.signatures) for helper in helpers], before[0] != [])
"""
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.split() == ["True", "True"]
