"""Benchmark: one live refresh of the run page (and of the compare page) for short and very
long runs.

A live refresh is the two server callbacks a moved revision fires on the run page (curves
and status), posted to Dash's real ``/_dash-update-component`` endpoint through Flask's test
client, exactly as the browser sends them. Both runs live in one SQLite store in a temporary
directory. Targets: server time for the long run <= 2 x the short run's, and <= 40 KB of
JSON per curve, whatever the run's length. The compare page's refresh is timed for two short
runs and for eight long ones; its cost per run should not grow with the runs' length.

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
from gridworld.hyperparams import HYPERPARAM_NAMES
from runstore import RunStore
from tests.dashboard_support import fill, seeded_run

SIZES = {"tiny": (1_000, 20_000, 5), "full": (10_000, 1_000_000, 30)}
"""--size: (short run, long run, refreshes timed per run)."""
CURVE_TARGET_BYTES = 40_000
TIME_RATIO_TARGET = 2.0
COMPARED = 8
"""Runs on the long comparison (two short runs on the other)."""


def run_page_values(run_id: int) -> dict[str, Any]:
    """Return the property values a live run page holds (``id.property`` → value)."""
    return {
        "run-revision.data": 7,
        "run-changed.data": None,
        "run-id.data": run_id,
        "run-x.value": "episode",
        "run-smooth.value": 0.6,
        "run-logy.value": False,
        "run-bands.value": True,
        "run-zoom.data": None,
    }


def compare_page_values(run_ids: list[int]) -> dict[str, Any]:
    """Return the property values a compare page of ``run_ids`` holds."""
    return {
        "compare-key.data": [],
        "compare-runs.value": run_ids,
        "compare-metric.value": "return",
        "compare-x.value": "episode",
        "compare-smooth.value": 0.6,
        "compare-bands.value": True,
        "compare-threshold.value": 0.5,
    }


def refresh_requests(client: Any, trigger: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the bodies the browser posts for the server callbacks ``trigger`` fires.

    Read from ``/_dash-dependencies``, so they track the pages' callbacks as they change.

    Args:
        client: the Flask test client of the app.
        trigger: the property the refresh fires on, e.g. ``run-revision.data``.
        values: ``id.property`` → value for every input and state of those callbacks.

    Returns:
        One request body per server callback that ``trigger`` fires.
    """
    bodies = []
    for spec in client.get("/_dash-dependencies").get_json():
        inputs = [f"{item['id']}.{item['property']}" for item in spec["inputs"]]
        if trigger not in inputs or spec.get("clientside_function"):
            continue
        outputs = spec["output"].strip(".").split("...")
        bodies.append(
            {
                "output": spec["output"],
                "outputs": (
                    [_dependency(text) for text in outputs]
                    if spec["output"].startswith("..")
                    else _dependency(spec["output"])  # a one-output callback sends one
                ),
                "inputs": [_value(item, values) for item in spec["inputs"]],
                "state": [_value(item, values) for item in spec["state"]],
                "changedPropIds": [trigger],
            }
        )
    return bodies


def _dependency(text: str) -> dict[str, Any] | list[dict[str, Any]]:
    """Return the ``{"id", "property"}`` of one output named ``id.property``; an ``ALL``
    pattern expands, as the browser does, to one entry per component it matches (the run
    page's parameter inputs, one per hyperparameter)."""
    identifier, prop = text.rsplit(".", 1)
    if identifier.startswith("{"):
        pattern = json.loads(identifier)
        (key,) = (key for key, value in pattern.items() if value == ["ALL"])
        return [{"id": {**pattern, key: name}, "property": prop} for name in HYPERPARAM_NAMES]
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


def add_run(store: RunStore, episodes: int) -> int:
    """Create a live run of ``episodes`` episodes; return its id."""
    run_id = seeded_run(store, status="queued", episodes=0, name=f"{episodes}", target=episodes)
    start = time.perf_counter()
    fill(store, run_id, episodes, batch=10_000)
    store.set_status(run_id, "running")
    print(f"filled {episodes:,} episodes in {time.perf_counter() - start:.1f} s")
    return run_id


def report(label: str, result: dict[str, float], callbacks: int) -> None:
    """Print one measurement."""
    print(
        f"{label}: refresh {result['ms']:.1f} ms, {result['bytes'] / 1000:.1f} KB in"
        f" {callbacks} callbacks, largest figure {result['max_curve_bytes'] / 1000:.1f} KB"
    )


def main() -> None:
    """Fill short and long runs, time the run page's and the compare page's live refresh."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    args = parser.parse_args()
    short, long, repeats = SIZES[args.size]
    figures: dict[str, Any] = {"size": args.size}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        store = RunStore(url)
        app = create_app(url)
        client = app.server.test_client()
        runs = {short: [add_run(store, short) for _ in range(2)], long: [add_run(store, long)]}
        results = {}
        for episodes in (short, long):
            values = run_page_values(runs[episodes][0])
            bodies = refresh_requests(client, "run-revision.data", values)
            measure(client, bodies, 2)  # warm caches and Dash's first-request setup
            results[episodes] = result = measure(client, bodies, repeats)
            report(f"run page, {episodes:>9,} episodes", result, len(bodies))
            figures[f"refresh_ms_{episodes}"] = round(result["ms"], 2)
            figures[f"refresh_bytes_{episodes}"] = int(result["bytes"])
            figures[f"max_curve_bytes_{episodes}"] = int(result["max_curve_bytes"])
        runs[long] += [add_run(store, long) for _ in range(COMPARED - 1)]
        compared = {}
        for episodes, ids in ((short, runs[short]), (long, runs[long])):
            values = compare_page_values(ids)
            bodies = refresh_requests(client, "compare-key.data", values)
            measure(client, bodies, 1)
            compared[episodes] = result = measure(client, bodies, max(3, repeats // 3))
            report(f"compare, {len(ids)} runs of {episodes:,} episodes", result, len(bodies))
            figures[f"compare_ms_{len(ids)}x{episodes}"] = round(result["ms"], 2)
        app.server.extensions["gridlab.store"].close()
        store.close()
    ratio = results[long]["ms"] / results[short]["ms"]
    print(f"run page refresh, long / short run: {ratio:.2f} (target <= {TIME_RATIO_TARGET})")
    print(f"largest curve: target <= {CURVE_TARGET_BYTES / 1000:.0f} KB")
    figures["refresh_time_long_vs_short_ratio"] = round(ratio, 3)
    figures["refresh_bytes_long_vs_short_ratio"] = round(
        results[long]["bytes"] / results[short]["bytes"], 3
    )
    figures["max_curve_bytes_target"] = CURVE_TARGET_BYTES
    per_run = (compared[long]["ms"] / COMPARED) / (compared[short]["ms"] / 2)
    print(f"compare refresh per run, {COMPARED} long / 2 short runs: {per_run:.2f}")
    figures["compare_per_run_long_vs_short_ratio"] = round(per_run, 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
