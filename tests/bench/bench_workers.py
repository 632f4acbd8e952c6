"""Benchmark: workers draining a queue of short runs, their claim latency, and an idle poll.

On SQLite (a file in a temporary directory) and on PostgreSQL (a throwaway server, as the
tests start one):

- throughput: a queue of short GridWorld runs drained by a ``WorkerPool`` of 1, 2 and 4
  slots (1 and 2 at the tiny size), started and warmed up first: total episodes/s and
  runs/minute, from the first enqueue to the last run finished;
- claim latency: with one idle slot, runs enqueued one at a time: the time from
  ``create_run`` to the run's first stored episode (median and p95);
- idle page poll: one ``store.revision()`` with 10 and with 1,000 runs in the store (100 at
  the tiny size); the ratio of the two (goal <= 1.5: the cost does not grow with the number
  of runs).

    .venv/bin/python tests/bench/bench_workers.py --size full

Prints one line per measurement and ends with one JSON line of figures.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.postgres

from app.actions import stop_run
from app.training import WorkerPool, create_run
from app.training.slots import IDLE_SECONDS
from gridworld.spec import RunSpec, validate_run_spec
from runstore import RunStore
from tests.postgres import PostgresServer

SIZES = {
    "tiny": {
        "runs": 4,
        "episodes": 300,
        "samples": 3,
        "polls": 200,
        "slots": (1, 2),
        "poll_runs": (10, 100),
    },
    "full": {
        "runs": 32,
        "episodes": 5_000,
        "samples": 40,
        "polls": 5_000,
        "slots": (1, 2, 4),
        "poll_runs": (10, 1_000),
    },
}
"""--size: runs in the queue, episodes per run, latency samples, idle polls timed, the
pool sizes that drain the queue, and the store sizes an idle poll is timed at."""
RATIO_GOAL = 1.5
FOREVER = 5_000_000
POLL_SECONDS = 0.002
"""How often the benchmark looks at the store while it waits."""


def short_run(episodes: int, seed: int) -> RunSpec:
    """Return the spec of one short run of the queue."""
    return validate_run_spec({"preset": "easy", "episodes": episodes, "seed": seed})


def wait_until(store: RunStore, run_ids: list[int], done: tuple[str, ...]) -> None:
    """Poll until every run's status is in ``done``.

    Raises:
        RuntimeError: a run failed.
    """
    while True:
        statuses = {store.get_run(run_id).status for run_id in run_ids}
        if statuses <= set(done):
            return
        if statuses & {"error", "crashed"}:
            raise RuntimeError(f"a run of the benchmark failed: {statuses}")
        time.sleep(POLL_SECONDS)


def warm_up(store: RunStore, slots: int) -> None:
    """Return once every slot of a new pool is up: each holds one endless run, then stops."""
    ids = [create_run(store, short_run(FOREVER, seed)) for seed in range(slots)]
    wait_until(store, ids, ("running",))
    for run_id in ids:
        stop_run(store, run_id)
    wait_until(store, ids, ("stopped",))


def throughput(store: RunStore, slots: int, runs: int, episodes: int) -> tuple[float, float]:
    """Drain a queue of ``runs`` short runs with a pool of ``slots``.

    Returns:
        (episodes per second, runs per minute).
    """
    with WorkerPool(store.url, slots):
        warm_up(store, slots)
        start = time.perf_counter()
        ids = [create_run(store, short_run(episodes, seed)) for seed in range(runs)]
        wait_until(store, ids, ("finished",))
        seconds = time.perf_counter() - start
    return runs * episodes / seconds, runs / seconds * 60


def claim_latency(store: RunStore, samples: int) -> list[float]:
    """Enqueue ``samples`` runs one at a time for one idle slot.

    Returns:
        Seconds from each ``create_run`` to the run's first stored episode.
    """
    latencies = []
    with WorkerPool(store.url, 1):
        warm_up(store, 1)
        for seed in range(samples):
            time.sleep(random.uniform(0, IDLE_SECONDS))  # enqueue at any point of an idle poll
            start = time.perf_counter()
            run_id = create_run(store, short_run(50, seed))
            while store.get_run(run_id).episodes_done == 0:
                time.sleep(POLL_SECONDS)
            latencies.append(time.perf_counter() - start)
            wait_until(store, [run_id], ("finished",))
    return latencies


def idle_poll(url: str, runs: int, repeats: int) -> float:
    """Return the median seconds of one ``store.revision()`` with ``runs`` runs stored."""
    store = RunStore(url)
    try:
        for seed in range(runs):
            create_run(store, short_run(10, seed))
        store.revision()  # connect before timing
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            store.revision()
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        store.close()


def measure(backend: str, new_url, size: dict) -> dict[str, float]:
    """Measure one backend; ``new_url()`` returns the URL of a fresh, empty store."""
    runs, episodes, samples = size["runs"], size["episodes"], size["samples"]
    figures: dict[str, float] = {}
    for slots in size["slots"]:
        store = RunStore(new_url())
        try:
            eps, per_minute = throughput(store, slots, runs, episodes)
        finally:
            store.close()
        print(f"{backend}, {slots} slots: {eps:,.0f} episodes/s, {per_minute:,.1f} runs/minute")
        figures[f"{backend}_{slots}_slots_episodes_per_s"] = round(eps, 1)
        figures[f"{backend}_{slots}_slots_runs_per_minute"] = round(per_minute, 1)
    store = RunStore(new_url())
    try:
        latencies = claim_latency(store, samples)
    finally:
        store.close()
    median = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
    print(f"{backend}: claim latency median {median * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms")
    figures[f"{backend}_claim_latency_median_ms"] = round(median * 1e3, 1)
    figures[f"{backend}_claim_latency_p95_ms"] = round(p95 * 1e3, 1)
    poll_runs = size["poll_runs"]
    few, many = (idle_poll(new_url(), count, size["polls"]) for count in poll_runs)
    ratio = many / few
    print(
        f"{backend}: idle poll {few * 1e6:.0f} us with {poll_runs[0]} runs,"
        f" {many * 1e6:.0f} us with {poll_runs[1]}; ratio {ratio:.2f} (goal <= {RATIO_GOAL})"
    )
    figures[f"{backend}_idle_poll_{poll_runs[0]}_runs_us"] = round(few * 1e6, 1)
    figures[f"{backend}_idle_poll_{poll_runs[1]}_runs_us"] = round(many * 1e6, 1)
    figures[f"{backend}_idle_poll_ratio"] = round(ratio, 3)
    return figures


def main() -> None:
    """Measure both backends at the chosen size; print figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    args = parser.parse_args()
    size = SIZES[args.size]
    figures: dict[str, float | str] = {
        "size": args.size,
        "runs": size["runs"],
        "episodes": size["episodes"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        files = iter(range(1_000))
        figures.update(
            measure("sqlite", lambda: f"sqlite:///{Path(tmp) / f'{next(files)}.sqlite'}", size)
        )
    server = PostgresServer()
    server.start()
    try:
        figures.update(measure("postgresql", server.new_database, size))
    finally:
        server.stop()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
