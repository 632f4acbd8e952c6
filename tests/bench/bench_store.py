"""Benchmark: the SQLite run store's write rate, ``series`` latency by run length, and its size
on disk.

Everything runs in this process, in a temporary directory. (a) ``RunStore.append_episodes``
into a fresh store (episode rows, rollups, run progress and heartbeat in one transaction per
batch) against stdlib ``sqlite3`` ``executemany`` of the same rows into a plain table with the
same columns and primary key (one row per episode, as gridlab stored them up to schema 3);
both in batches of 1000 rows, one commit per batch, WAL and ``synchronous=NORMAL``, each
side's best of N repetitions. Target: store rows/s >= 0.5 x executemany. (b) ``series``
latency (median of 20 calls, ``points=1000``) over the whole run and over random zoom
windows, for runs of 1k, 10k, 20k, 50k, 100k, 500k and 1M episodes (tiny: 1k, 5k, 20k, 50k;
10M more with ``--ten-million``): every bucket width from 1 to 1000, each run in its own
store filled with ``append_episodes`` in batches of 10000, the calls taken round-robin
over the runs so that a change of load hits them all alike. Target: the slowest run
length's whole-run latency <= 2 x the fastest's (and the largest run's <= 2 x the
smallest's). (c) Bytes on disk per million episodes: the store file plus its ``-wal``
after a ``wal_checkpoint(TRUNCATE)``, scaled, and what the episode blocks and the rollups
take of it (SQLite's ``dbstat``); the same for the plain one-row-per-episode table of (a).
Target: <= 60 MB per million episodes for the largest run. (d) Export rate: ``iter_csv``
and ``iter_json`` of the run appended in (a), text consumed and counted, best of N (no
target: printed to compare one version with another).

    .venv/bin/python tests/bench/bench_store.py --size full [--ten-million]

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from store_files import (  # the same directory
    FILL_BATCH,
    batches,
    disk_bytes,
    fill,
    plain_append,
    row_pool,
    store_append,
    table_bytes,
)

from runstore import RunStore

SIZES = {
    "tiny": (5_000, 1, (1_000, 5_000, 20_000, 50_000)),
    "full": (200_000, 3, (1_000, 10_000, 20_000, 50_000, 100_000, 500_000, 1_000_000)),
}
"""--size: (rows for the append comparison, repetitions, run lengths for ``series``)."""
TEN_MILLION = 10_000_000
APPEND_BATCH = 1_000
SERIES_CALLS = 20
POINTS = 1_000
APPEND_TARGET = 0.5
"""Store rows/s must be at least this fraction of plain executemany's."""
SERIES_TARGET = 2.0
"""The slowest run length's series latency may be at most this multiple of the fastest's."""
BYTES_TARGET = 60_000_000
"""Bytes on disk per million episodes, at most (for the largest run)."""


def zoom_windows(episodes: int) -> list[tuple[int, int]]:
    """Return ``SERIES_CALLS + 1`` zoom windows of a run: log-uniform widths between 100
    episodes and the whole run, uniform positions, seeded by the run's length."""
    rng = random.Random(episodes)
    windows = []
    for _ in range(SERIES_CALLS + 1):
        width = round(math.exp(rng.uniform(math.log(min(100, episodes)), math.log(episodes))))
        start = rng.randint(1, episodes - width + 1)
        windows.append((start, start + width - 1))
    return windows


def timed_series(store: RunStore, run_id: int, first: int | None, last: int | None) -> float:
    """Return the seconds of one ``series`` call (points=POINTS), checking its counts.

    Raises:
        RuntimeError: the buckets do not count every episode of the window.
    """
    begin = time.perf_counter()
    series = store.series(run_id, "return", first, last, points=POINTS)
    elapsed = time.perf_counter() - begin
    if sum(series.count) != series.end - series.start + 1:
        raise RuntimeError(f"series {series.start}..{series.end} counts {sum(series.count)}")
    return elapsed


def series_latencies(paths: dict[int, tuple[Path, int]]) -> dict[int, dict[str, float]]:
    """Time ``series`` on freshly opened stores, round-robin over the runs: the whole run
    ``SERIES_CALLS`` times, then as many zoom windows (one untimed call of each kind first).

    Args:
        paths: each run length to its store's file and run id.

    Returns:
        Per run length, milliseconds: ``whole_ms`` and ``zoom_ms`` (medians) and
        ``zoom_max_ms``.
    """
    stores = {episodes: RunStore(f"sqlite:///{path}") for episodes, (path, _) in paths.items()}
    windows = {episodes: zoom_windows(episodes) for episodes in paths}
    whole: dict[int, list[float]] = {episodes: [] for episodes in paths}
    zoom: dict[int, list[float]] = {episodes: [] for episodes in paths}
    try:
        for call in range(SERIES_CALLS + 1):
            for episodes, store in stores.items():
                run_id = paths[episodes][1]
                whole[episodes].append(timed_series(store, run_id, None, None))
                zoom[episodes].append(timed_series(store, run_id, *windows[episodes][call]))
    finally:
        for store in stores.values():
            store.close()
    return {
        episodes: {
            "whole_ms": statistics.median(whole[episodes][1:]) * 1000,
            "zoom_ms": statistics.median(zoom[episodes][1:]) * 1000,
            "zoom_max_ms": max(zoom[episodes][1:]) * 1000,
        }
        for episodes in paths
    }


def export_seconds(path: Path) -> dict[str, float]:
    """Export the one run of the store at ``path`` as CSV, then as JSON, consuming the text.

    Returns:
        Seconds for each format: ``csv`` and ``json``.
    """
    store = RunStore(f"sqlite:///{path}")
    try:
        (run,) = store.list_runs()
        seconds = {}
        for name, export in (("csv", store.iter_csv), ("json", store.iter_json)):
            start = time.perf_counter()
            size = sum(len(chunk) for chunk in export(run.id))
            seconds[name] = time.perf_counter() - start
            if size < run.episodes_done:
                raise RuntimeError(f"{name} export of {run.episodes_done} episodes: {size} chars")
        return seconds
    finally:
        store.close()


def remove_store(path: Path) -> None:
    """Delete a store file with its ``-wal`` and ``-shm`` (to keep the temp directory small)."""
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        if os.path.exists(name):
            os.remove(name)


def measure_append(directory: Path, pool: list[dict[str, Any]], n_rows: int, repeats: int) -> dict:
    """Measure (a) and (d): append rates, then export rates of the appended stores.

    Returns:
        The figures for the JSON line.
    """
    rows = list(batches(pool, n_rows, APPEND_BATCH))
    store_s, plain_s, csv_s, json_s = [], [], [], []
    for rep in range(repeats):  # interleaved, so load changes hit both sides alike
        store_s.append(store_append(directory / f"append-store-{rep}.sqlite", rows))
        plain_s.append(plain_append(directory / f"append-plain-{rep}.sqlite", rows))
    for rep in range(repeats):
        seconds = export_seconds(directory / f"append-store-{rep}.sqlite")
        csv_s.append(seconds["csv"])
        json_s.append(seconds["json"])
    store_rate, plain_rate = n_rows / min(store_s), n_rows / min(plain_s)
    ratio = store_rate / plain_rate
    verdict = "met" if ratio >= APPEND_TARGET else "MISSED"
    print(
        f"append {n_rows:,} rows in batches of {APPEND_BATCH}: append_episodes"
        f" {store_rate:,.0f} rows/s, sqlite3 executemany {plain_rate:,.0f} rows/s;"
        f" ratio {ratio:.3f} (target >= {APPEND_TARGET}: {verdict})"
    )
    csv_rate, json_rate = n_rows / min(csv_s), n_rows / min(json_s)
    print(
        f"export {n_rows:,} episodes: iter_csv {csv_rate:,.0f} rows/s,"
        f" iter_json {json_rate:,.0f} rows/s (best of {repeats}; no target)"
    )
    plain_bytes = disk_bytes(directory / "append-plain-0.sqlite") / n_rows * 1e6
    print(
        f"the plain one-row-per-episode table of the comparison (no rollups):"
        f" {plain_bytes / 1e6:,.1f} MB per million episodes"
    )
    return {
        "plain_table_bytes_per_million": round(plain_bytes),
        "append_episodes_rows_per_s": round(store_rate, 1),
        "executemany_rows_per_s": round(plain_rate, 1),
        "append_vs_executemany_ratio": round(ratio, 3),
        "append_vs_executemany_target": APPEND_TARGET,
        "export_csv_rows_per_s": round(csv_rate, 1),
        "export_json_rows_per_s": round(json_rate, 1),
    }


def measure_series(directory: Path, pool: list[dict[str, Any]], lengths: tuple[int, ...]) -> dict:
    """Measure (b) and (c): fill a store per run length and weigh it, then time ``series``.

    Returns:
        The figures for the JSON line.
    """
    figures: dict[str, float | int] = {}
    paths = {}
    for episodes in lengths:
        path = directory / f"series-{episodes}.sqlite"
        paths[episodes] = (path, (filled := fill(path, pool, episodes))[0])
        size, parts = disk_bytes(path), table_bytes(path)
        per_million = size / episodes * 1_000_000
        print(
            f"run of {episodes:,} episodes: filled at {episodes / filled[1]:,.0f} rows/s"
            f" (batches of {FILL_BATCH:,}); {size / 1e6:,.1f} MB on disk"
            f" = {per_million / 1e6:,.1f} MB per million episodes (episode blocks"
            f" {parts['episodes'] / episodes:,.1f} MB,"
            f" rollups {parts['rollups'] / episodes:,.1f} MB)"
        )
        figures[f"fill_{episodes}_rows_per_s"] = round(episodes / filled[1], 1)
        figures[f"bytes_per_million_{episodes}"] = round(per_million)
        for kind, used in parts.items():
            figures[f"{kind}_bytes_per_million_{episodes}"] = round(used / episodes * 1e6)
    latencies = series_latencies(paths)
    for episodes, found in latencies.items():
        remove_store(paths[episodes][0])
        print(
            f"series(points={POINTS}) on {episodes:,} episodes: whole run {found['whole_ms']:.2f}"
            f" ms, zoom {found['zoom_ms']:.2f} ms (median of {SERIES_CALLS}; slowest zoom"
            f" {found['zoom_max_ms']:.2f} ms)"
        )
        for kind in ("whole", "zoom", "zoom_max"):
            figures[f"series_{kind}_{episodes}_ms"] = round(found[f"{kind}_ms"], 3)
    figures.update(_series_ratios(latencies, lengths))
    figures["bytes_per_million_episodes"] = figures[f"bytes_per_million_{lengths[-1]}"]
    verdict = "met" if figures["bytes_per_million_episodes"] <= BYTES_TARGET else "MISSED"
    print(
        f"bytes on disk per million episodes (run of {lengths[-1]:,}):"
        f" {figures['bytes_per_million_episodes']:,} (target <= {BYTES_TARGET:,}: {verdict})"
    )
    figures["bytes_per_million_target"] = BYTES_TARGET
    return figures


def _series_ratios(latencies: dict[int, dict[str, float]], lengths: tuple[int, ...]) -> dict:
    """Print and return the series ratios: largest run vs smallest, slowest length vs
    fastest (whole runs), and the same for zoom windows."""
    figures: dict[str, float] = {}
    for kind in ("whole", "zoom"):
        times = {episodes: latencies[episodes][f"{kind}_ms"] for episodes in lengths}
        largest = times[lengths[-1]] / times[lengths[0]]
        spread = max(times.values()) / min(times.values())
        slowest = max(times, key=times.__getitem__)
        for what, value in (
            (f"{lengths[-1]:,} vs {lengths[0]:,} episodes", largest),
            (f"slowest ({slowest:,} episodes) vs fastest of every length", spread),
        ):
            verdict = "met" if value <= SERIES_TARGET else "MISSED"
            print(
                f"series {'whole run' if kind == 'whole' else 'zoom'}, {what}: ratio {value:.3f}"
                f" (target <= {SERIES_TARGET}: {verdict})"
            )
        prefix = "series" if kind == "whole" else "series_zoom"
        figures[f"{prefix}_largest_vs_smallest_ratio"] = round(largest, 3)
        figures[f"{prefix}_slowest_vs_fastest_ratio"] = round(spread, 3)
    figures["series_largest_vs_smallest_target"] = SERIES_TARGET
    return figures


def main() -> None:
    """Measure (a) to (d) at the chosen size; print figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument(
        "--ten-million", action="store_true", help="also time series on a 10M-episode run"
    )
    args = parser.parse_args()
    n_rows, repeats, lengths = SIZES[args.size]
    if args.ten_million:
        lengths = (*lengths, TEN_MILLION)
    figures: dict[str, float | int | str] = {"size": args.size, "append_rows": n_rows}
    pool = row_pool()
    with tempfile.TemporaryDirectory() as tmp:
        figures.update(measure_append(Path(tmp), pool, n_rows, repeats))
        figures.update(measure_series(Path(tmp), pool, lengths))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
