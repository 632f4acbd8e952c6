"""Benchmark: the runs page's first paint and one refresh with 10 and with 10,000 runs.

First paint is what the server does for a browser opening ``/``: the page's layout (Dash
Pages' content callback) and the grid's first block of rows (its ``getRowsRequest``). A
refresh is what a moved store revision costs: the poll, the callback that redraws the count
line and filters, and the grid's request for its block again. Both are posted to Dash's
real ``/_dash-update-component`` endpoint through Flask's test client, as the browser sends
them (``bench_dashboard.refresh_requests``). Each store is a SQLite file in a temporary
directory: one run trained for real rows (episodes, rollups, summary), copied in bulk into
the others (their runs and summary rows inserted in one transaction each). Target: the
large store's first paint and refresh within 2 x the small store's.

    .venv/bin/python tests/bench/bench_runs_page.py --size full

Prints one line per measurement and ends with one JSON line of figures (no time is
asserted).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(
    0, str(Path(__file__).resolve().parents[2])
)  # for tests.bench, tests.dashboard_support

from sqlalchemy import insert, select

from app.factory import create_app
from app.views.runs_table import BLOCK_ROWS
from runstore import RunStore
from runstore.schema import RunRow, run_summaries
from tests.bench.bench_dashboard import refresh_requests
from tests.dashboard_support import seeded_run

SIZES = {"tiny": (10, 300, 3), "full": (10, 10_000, 15)}
"""--size: (small store's runs, large store's runs, times each measurement is repeated)."""
TIME_RATIO_TARGET = 2.0
FIRST_BLOCK = {"startRow": 0, "endRow": BLOCK_ROWS, "sortModel": [], "filterModel": {}}
"""The grid's first request, as AG Grid sends it for an unsorted, unfiltered grid."""


def fill_store(store: RunStore, count: int) -> None:
    """Give the store ``count`` runs: one trained for real rows, the rest copies of it."""
    base = seeded_run(store, status="finished", episodes=500, name="base", target=500)
    rng = random.Random(count)
    with store._write() as conn:
        row = dict(conn.execute(select(RunRow.__table__).where(RunRow.id == base)).mappings().one())
        summary = dict(
            conn.execute(select(run_summaries).where(run_summaries.c.run_id == base))
            .mappings()
            .one()
        )
        del row["id"]
        statuses = ("finished", "stopped", "paused", "queued")
        copies = [
            {**row, "name": f"sweep trial {i}", "status": statuses[i % 4]} for i in range(count - 1)
        ]
        if copies:
            conn.execute(insert(RunRow), copies)
        new_ids = conn.scalars(select(RunRow.id).where(RunRow.id != base)).all()
        summaries = [
            {**summary, "run_id": run_id, "recent_return": rng.uniform(-1, 1)} for run_id in new_ids
        ]
        if summaries:
            conn.execute(insert(run_summaries), summaries)


def page_values(revision: int) -> dict[str, Any]:
    """Return the property values the runs page holds (``id.property`` → value)."""
    return {
        "_pages_location.pathname": "/",
        "_pages_location.search": "",
        "runs-revision.data": revision,
        "runs-refresh.n_intervals": 3,
        "runs-version.data": 0,
        "runs-grid.getRowsRequest": FIRST_BLOCK,
    }


def timed(client: Any, bodies: list[dict[str, Any]], repeats: int) -> float:
    """Post ``bodies`` in turn ``repeats`` times; return the median milliseconds of a turn.

    Raises:
        RuntimeError: a callback did not answer 200 or 204.
    """
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for body in bodies:
            response = client.post("/_dash-update-component", json=body)
            if response.status_code not in (200, 204):
                raise RuntimeError(response.get_data(as_text=True)[:500])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(count: int, repeats: int) -> dict[str, float]:
    """Build a store of ``count`` runs and time the page's first paint and one refresh."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        store = RunStore(url)
        start = time.perf_counter()
        fill_store(store, count)
        print(f"stored {count:,} runs in {time.perf_counter() - start:.1f} s")
        app = create_app(url)
        client = app.server.test_client()
        values = page_values(store.revision() - 1)  # the page holds an older revision
        paint = refresh_requests(client, "_pages_location.pathname", values)
        paint += refresh_requests(client, "runs-grid.getRowsRequest", values)
        refresh = refresh_requests(client, "runs-refresh.n_intervals", values)
        refresh += refresh_requests(client, "runs-revision.data", values)
        refresh += refresh_requests(client, "runs-grid.getRowsRequest", values)
        timed(client, paint + refresh, 1)  # warm caches and Dash's first-request setup
        result = {
            "paint_ms": timed(client, paint, repeats),
            "refresh_ms": timed(client, refresh, repeats),
        }
        app.server.extensions["gridlab.store"].close()
        store.close()
    print(
        f"{count:>6,} runs: first paint {result['paint_ms']:.1f} ms,"
        f" refresh {result['refresh_ms']:.1f} ms"
    )
    return result


def main() -> None:
    """Time first paint and refresh for a small and a large store; print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    args = parser.parse_args()
    small, large, repeats = SIZES[args.size]
    results = {count: measure(count, repeats) for count in (small, large)}
    figures: dict[str, Any] = {"size": args.size}
    for name in ("paint_ms", "refresh_ms"):
        for count in (small, large):
            figures[f"{name}_{count}"] = round(results[count][name], 2)
        ratio = results[large][name] / results[small][name]
        label = name.removesuffix("_ms")
        print(f"{label}, {large:,} / {small} runs: {ratio:.2f} (goal <= {TIME_RATIO_TARGET})")
        figures[f"{label}_large_vs_small_ratio"] = round(ratio, 3)
    figures["ratio_goal"] = TIME_RATIO_TARGET
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
