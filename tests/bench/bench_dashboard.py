"""Benchmark: one live refresh of the run page for a short run and a very long one.

A live refresh is the two server callbacks the run page's 1 s interval fires (curves and
status), posted to Dash's real ``/_dash-update-component`` endpoint through Flask's test
client, exactly as the browser sends them. Both runs live in one SQLite store in a temporary
directory. Targets: server time for the long run <= 2 x the short run's, and <= 40 KB of
JSON per curve, whatever the run's length.

    .venv/bin/python tests/bench/bench_dashboard.py --size full

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.dashboard_support

from app.factory import create_app
from runstore import RunStore
from tests.dashboard_support import fill, seeded_run

SIZES = {"tiny": (1_000, 20_000, 5), "full": (10_000, 1_000_000, 30)}
"""--size: (short run, long run, refreshes timed per run)."""
CURVE_TARGET_BYTES = 40_000
TIME_RATIO_TARGET = 2.0


def refresh_requests(client: Any, run_id: int) -> list[dict[str, Any]]:
    """Return the bodies the browser posts for the run page's interval-driven callbacks.

    Read from ``/_dash-dependencies``, so they track the page's callbacks as they change.

    Returns:
        One request body per server callback that the refresh interval triggers.
    """
    values = {
        "run-refresh.n_intervals": 7,
        "run-changed.data": None,
        "run-id.data": run_id,
        "run-x.value": "episode",
        "run-smooth.value": 0.6,
        "run-logy.value": False,
        "run-bands.value": True,
        "run-zoom.data": None,
    }
    bodies = []
    for spec in client.get("/_dash-dependencies").get_json():
        inputs = [f"{item['id']}.{item['property']}" for item in spec["inputs"]]
        if "run-refresh.n_intervals" not in inputs or spec.get("clientside_function"):
            continue
        outputs = spec["output"].strip(".").split("...")
        bodies.append(
            {
                "output": spec["output"],
                "outputs": [_dependency(text) for text in outputs],
                "inputs": [_value(item, values) for item in spec["inputs"]],
                "state": [_value(item, values) for item in spec["state"]],
                "changedPropIds": ["run-refresh.n_intervals"],
            }
        )
    return bodies


def _dependency(text: str) -> dict[str, Any]:
    """Return the ``{"id", "property"}`` of one output named ``id.property``."""
    identifier, prop = text.rsplit(".", 1)
    if identifier.startswith("{"):
        pattern = json.loads(identifier)
        return {"id": pattern, "property": prop}
    return {"id": identifier, "property": prop}


def _value(item: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Return an input or state entry with the value a live page holds."""
    return {**item, "value": values.get(f"{item['id']}.{item['property']}")}


def measure(client: Any, bodies: list[dict[str, Any]], repeats: int) -> dict[str, float]:
    """Post every refresh callback ``repeats`` times.

    Returns:
        Median server milliseconds of one whole refresh, its response bytes, and the largest
        figure's JSON bytes.
    """
    times, sizes, curve_bytes = [], 0, 0
    for _ in range(repeats):
        start = time.perf_counter()
        responses = [client.post("/_dash-update-component", json=body) for body in bodies]
        times.append(time.perf_counter() - start)
        for response in responses:
            if response.status_code != 200:
                raise RuntimeError(response.get_data(as_text=True)[:500])
        sizes = sum(len(response.get_data()) for response in responses)
        for response in responses:
            for output in response.get_json()["response"].values():
                figure = output.get("figure")
                if figure is not None:
                    curve_bytes = max(curve_bytes, len(json.dumps(figure)))
    return {
        "ms": 1000 * statistics.median(times),
        "bytes": float(sizes),
        "max_curve_bytes": float(curve_bytes),
    }


def main() -> None:
    """Fill a short and a long run, time their live refresh and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    args = parser.parse_args()
    short, long, repeats = SIZES[args.size]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        store = RunStore(url)
        figures: dict[str, Any] = {"size": args.size}
        results = {}
        app = create_app(url)
        client = app.server.test_client()
        for episodes in (short, long):
            run_id = seeded_run(
                store, status="queued", episodes=0, name=f"{episodes}", target=episodes
            )
            start = time.perf_counter()
            fill(store, run_id, episodes, batch=10_000)
            store.set_status(run_id, "running")
            print(f"filled {episodes:,} episodes in {time.perf_counter() - start:.1f} s")
            bodies = refresh_requests(client, run_id)
            measure(client, bodies, 2)  # warm caches and Dash's first-request setup
            results[episodes] = result = measure(client, bodies, repeats)
            print(
                f"run of {episodes:>9,} episodes: refresh {result['ms']:.1f} ms,"
                f" {result['bytes'] / 1000:.1f} KB in {len(bodies)} callbacks,"
                f" largest curve {result['max_curve_bytes'] / 1000:.1f} KB"
                f" (target <= {CURVE_TARGET_BYTES / 1000:.0f} KB)"
            )
            figures[f"refresh_ms_{episodes}"] = round(result["ms"], 2)
            figures[f"refresh_bytes_{episodes}"] = int(result["bytes"])
            figures[f"max_curve_bytes_{episodes}"] = int(result["max_curve_bytes"])
        app.server.extensions["gridlab.store"].close()
        store.close()
    ratio = results[long]["ms"] / results[short]["ms"]
    print(f"refresh time, long / short run: {ratio:.2f} (target <= {TIME_RATIO_TARGET})")
    figures["refresh_time_long_vs_short_ratio"] = round(ratio, 3)
    figures["refresh_bytes_long_vs_short_ratio"] = round(
        results[long]["bytes"] / results[short]["bytes"], 3
    )
    figures["max_curve_bytes_target"] = CURVE_TARGET_BYTES
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
