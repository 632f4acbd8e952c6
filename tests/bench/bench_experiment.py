"""Benchmark: one live refresh of the experiment page for short and very long runs.

An experiment of 5 settings × 10 seeds, every run filled with synthetic episodes through
``store.append_episodes`` (and a checkpoint with an evaluation every tenth of the run), once
at 1,000 and once at 100,000 episodes per run, in one SQLite store in a temporary directory.
A live refresh is the server callbacks a moved experiment key fires on the page (group
curves; results table, comparisons and hyperparameter charts), posted to Dash's real
``/_dash-update-component`` endpoint through Flask's test client as the browser sends them.
Before each timed refresh every run gets one more episode (the worst case: every run is read
again), or only one run does (a live sweep: the others' readings are kept). Targets: the long
runs' refresh <= 2 x the short runs' (every run is read over the same 150-bucket window: the
cost does not grow with the runs' length), and <= 40 KB of JSON per chart as Dash sends it,
seed lines on or off. For scale, the run page's refresh of one of the long runs is timed too.

    .venv/bin/python tests/bench/bench_experiment.py --size full

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.*

from app.factory import create_app
from app.views.experiment_page import experiment_key
from runstore import RunStore
from tests.bench.bench_dashboard import measure as measure_refresh
from tests.bench.bench_dashboard import refresh_requests, run_page_values
from tests.dashboard_support import episode_rows
from tests.experiment_support import fill_synthetic, make_experiment

SIZES = {"tiny": (2, 3, 200, 2_000, 2), "full": (5, 10, 1_000, 100_000, 10)}
"""--size: (settings, seeds, short runs' episodes, long runs' episodes, refreshes timed)."""
CHART_TARGET_BYTES = 40_000
TIME_RATIO_TARGET = 2.0
HEADROOM = 10
"""Each run is filled to 1/HEADROOM short of its target: the timed refreshes add episodes."""


def page_values(experiment_id: int, key: Any, seeds: bool) -> dict[str, Any]:
    """Return the property values a live experiment page holds (``id.property`` → value)."""
    return {
        "exp-key.data": key,
        "exp-id.data": experiment_id,
        "exp-centre.value": "iqm",
        "exp-band.value": "ci95",
        "exp-seeds.value": seeds,
        "exp-group-by.value": "settings",
        "exp-metric.value": "final_return",
        "exp-threshold.value": 0.5,
        "exp-pair-x.value": 1,
        "exp-pair-y.value": 2,
    }


def add_experiment(store: RunStore, settings: int, seeds: int, episodes: int) -> int:
    """Record an experiment of ``settings`` step sizes × ``seeds`` and fill every run to 90%
    of its target (``HEADROOM``)."""
    alphas = [{"alpha": round(0.1 * (index + 1), 2)} for index in range(settings)]
    experiment_id, run_ids = make_experiment(
        store, alphas, seeds=range(seeds), base={"episodes": episodes}, name=f"{episodes}"
    )
    start = time.perf_counter()
    for index, run_id in enumerate(run_ids):
        fill_synthetic(store, run_id, episodes - episodes // HEADROOM, shift=0.1 * (index // seeds))
        store.set_status(run_id, "running")
    took = time.perf_counter() - start
    print(f"filled {len(run_ids)} runs of {episodes:,} episodes in {took:.1f} s")
    return experiment_id


def advance(store: RunStore, run_ids: list[int]) -> None:
    """Give each run one more episode (so its revision moves, as a training run's does)."""
    for run_id in run_ids:
        run = store.get_run(run_id)
        store.append_episodes(run_id, episode_rows(run.episodes_done + 1, 1, run.env_steps))


def measure(
    client: Any, bodies: list[dict[str, Any]], repeats: int, move: Callable[[], None]
) -> dict[str, float]:
    """Time ``repeats`` refreshes (``bench_dashboard.measure``), calling ``move`` (untimed)
    before each; then read the charts once more, the store unmoved.

    Returns:
        Median server milliseconds of one whole refresh, its response bytes, and the largest
        chart's JSON bytes as Dash sends it (no whitespace).
    """
    times = []
    for _ in range(repeats):
        move()
        times.append(measure_refresh(client, bodies, 1)["ms"])
    responses = [client.post("/_dash-update-component", json=body) for body in bodies]
    charts = [
        len(json.dumps(output["figure"], separators=(",", ":")))
        for response in responses
        for output in response.get_json()["response"].values()
        if "figure" in output
    ]
    return {
        "ms": statistics.median(times),
        "bytes": float(sum(len(response.get_data()) for response in responses)),
        "max_chart_bytes": float(max(charts)),
        "charts": float(len(charts)),
    }


SCENARIOS = {
    "every run moved": (False, None),
    "every run moved, seed lines": (True, None),
    "one run moved": (False, 1),
}
"""What moved before each timed refresh: (seed lines drawn, runs moved; None: all of them)."""


def time_page(
    client: Any, store: RunStore, experiment_id: int, scenario: str, repeats: int
) -> dict[str, float]:
    """Time the experiment page's refresh after the runs moved (two warm-up refreshes)."""
    seeds, moved = SCENARIOS[scenario]
    run_ids = [run.id for run in store.experiments.runs(experiment_id)][:moved]
    key = experiment_key(store, experiment_id)
    bodies = refresh_requests(client, "exp-key.data", page_values(experiment_id, key, seeds))
    measure(client, bodies, 2, lambda: advance(store, run_ids))
    return measure(client, bodies, repeats, lambda: advance(store, run_ids))


def main() -> None:
    """Fill a short and a long experiment, time the experiment page's live refresh of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    args = parser.parse_args()
    settings, seeds, short, long, repeats = SIZES[args.size]
    figures: dict[str, Any] = {"size": args.size, "groups": settings, "seeds": seeds}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        store = RunStore(url)
        experiments = {
            episodes: add_experiment(store, settings, seeds, episodes) for episodes in (short, long)
        }
        app = create_app(url)
        client = app.server.test_client()
        for episodes, experiment_id in experiments.items():
            for scenario in SCENARIOS:
                result = time_page(client, store, experiment_id, scenario, repeats)
                largest = result["max_chart_bytes"] / 1000
                print(
                    f"{settings} groups x {seeds} seeds of {episodes:,} episodes, {scenario}:"
                    f" refresh {result['ms']:.0f} ms, {result['bytes'] / 1000:.0f} KB in"
                    f" {result['charts']:.0f} charts, largest {largest:.1f} KB"
                )
                suffix = f"{episodes}_" + scenario.replace(",", "").replace(" ", "_")
                figures[f"refresh_ms_{suffix}"] = round(result["ms"], 1)
                figures[f"max_chart_bytes_{suffix}"] = int(result["max_chart_bytes"])
                results[(episodes, scenario)] = result
        run_id = store.experiments.runs(experiments[long])[0].id
        bodies = refresh_requests(client, "run-revision.data", run_page_values(run_id))
        measure_refresh(client, bodies, 2)
        run_ms = measure_refresh(client, bodies, repeats)["ms"]
        print(f"for scale: the run page's refresh of one {long:,}-episode run: {run_ms:.0f} ms")
        figures["run_page_refresh_ms"] = round(run_ms, 1)
        app.server.extensions["gridlab.store"].close()
        store.close()
    ratio = results[(long, "every run moved")]["ms"] / results[(short, "every run moved")]["ms"]
    print(f"experiment refresh, long / short runs: {ratio:.2f} (target <= {TIME_RATIO_TARGET})")
    largest = max(result["max_chart_bytes"] for result in results.values())
    print(f"largest chart: {largest / 1000:.1f} KB (target <= {CHART_TARGET_BYTES / 1000:.0f} KB)")
    figures["refresh_time_long_vs_short_ratio"] = round(ratio, 3)
    figures["max_chart_bytes"] = int(largest)
    figures["max_chart_bytes_target"] = CHART_TARGET_BYTES
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
