"""The vectorised rollups equal a plain reference worked block by block: counts, extremes and
sums (blocks of 100 exactly rounded, of 50 added first to last, larger blocks the sums of
their parts in order), for batches starting anywhere."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from runstore import METRICS, packs, rollups
from runstore.schema import PACK, ROLLUP_SIZES

FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


def reference(first: int, columns: dict[str, list[float]]) -> list[dict]:
    """Return the increments of the episodes from ``first`` on, worked out one block at a
    time in plain Python."""
    n = len(columns[METRICS[0]])
    found: dict[int, dict[int, dict]] = {}
    for size in ROLLUP_SIZES:
        found[size] = {}
        parent = rollups.PARENT.get(size)
        if parent is None:
            for offset in range(n):
                found[size].setdefault((first - 1 + offset) // size, []).append(offset)
            found[size] = {
                block: _from_episodes(columns, at, size) for block, at in found[size].items()
            }
            continue
        for block, agg in sorted(found[parent].items()):
            into = found[size].setdefault(block * parent // size, {"count": 0})
            into["count"] += agg["count"]
            for metric in METRICS:
                for stat, pick in (("sum", None), ("min", min), ("max", max)):
                    key = f"{metric}_{stat}"
                    if key not in into:
                        into[key] = agg[key]
                    elif pick is None:
                        into[key] = into[key] + agg[key]
                    else:
                        into[key] = pick(into[key], agg[key])
    return [
        {"run_id": 1, "size": size, "block": block, **agg}
        for size in ROLLUP_SIZES
        for block, agg in sorted(found[size].items())
    ]


def _from_episodes(columns: dict[str, list[float]], at: list[int], size: int) -> dict:
    """Return the aggregate of the episodes at positions ``at`` of one block of ``size``."""
    agg: dict = {"count": len(at)}
    for metric in METRICS:
        values = [columns[metric][i] for i in at]
        total = 0.0
        for value in values:
            total += value
        agg[f"{metric}_sum"] = math.fsum(values) if size in rollups.EXACT_SUMS else total
        agg[f"{metric}_min"], agg[f"{metric}_max"] = min(values), max(values)
    return agg


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(1, 3000),
    kinds=st.lists(
        st.sampled_from(["float", "integer", "constant"]),
        min_size=len(METRICS),
        max_size=len(METRICS),
    ),
    data=st.data(),
)
def test_rollups_equal_the_block_by_block_reference(first, kinds, data):
    n = data.draw(st.integers(1, 1200), label="episodes")
    columns = {}
    for metric, kind in zip(METRICS, kinds, strict=True):
        if kind == "float":
            values = data.draw(st.lists(FINITE, min_size=n, max_size=n))
        elif kind == "integer":
            values = [
                float(v)
                for v in data.draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n))
            ]
        else:
            values = [data.draw(FINITE)] * n
        columns[metric] = values
    assert rollups.rollup_rows(1, first, columns) == reference(first, columns)
    stored = [
        {"run_id": run_id, "size": size, **agg}
        for size, level in rollups.rollup_levels(first, columns).items()
        for run_id, _, pack, first_block, figures in packs.rows(
            1, size, int(level.blocks[0]), packs.table(level)
        )
        for agg in packs.decode(first_block, figures).aggregates()
        if first_block // PACK == pack
    ]
    assert stored == reference(first, columns)
