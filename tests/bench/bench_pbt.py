"""Benchmark: population-based training against random search, same space, same budget.

On GridWorld hard and FrozenLake 8x8: PBT with a population of 8 (interval: a twentieth of
the episodes) against random search over the same space with 8 runs of the same length
(the same total episodes), each trained by a ``WorkerPool`` of 8 slots on a SQLite store
in a temporary directory (at the tiny size: 3 members on GridWorld only). A method's score
is the final normalised score (V^pi(start) / V*(start) of the last checkpoint) of its best
run and the mean over its runs; the figures are medians over the repeats (seeds 0, 100,
200, ...). It prints the figures and asserts nothing about which method wins.

    .venv/bin/python tests/bench/bench_pbt.py --size full

Prints one line per environment and method and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from app.experiments.foreground import is_done
from app.experiments.launch import launch_experiment
from app.experiments.scoring import checkpoint_score
from app.training import WorkerPool
from runstore import RunStore

SIZES = {
    "tiny": {
        "repeats": 1,
        "population": 3,
        "episodes": {"GridWorld-v0": 100},
    },
    "full": {
        "repeats": 5,
        "population": 8,
        "episodes": {"GridWorld-v0": 4_000, "FrozenLake8x8-v1": 20_000},
    },
}
"""--size: repeats, members (and random-search runs), and episodes per run on each env."""
ENVS = {"GridWorld-v0": {"preset": "hard"}, "FrozenLake8x8-v1": {}}
SPACE = {
    "alpha": {"low": 0.01, "high": 1, "scale": "log"},
    "epsilon_decay": {"low": 0.99, "high": 0.9999},
}
INTERVALS = 20
TIMEOUT = 1_800
"""Seconds one experiment may take before the benchmark gives up on it."""


def request(method: str, env: str, episodes: int, seed: int, population: int) -> dict:
    """Return the launch request of one method on one env with ``population`` runs."""
    base = {"env_id": env, "episodes": episodes, "seed": seed, **ENVS[env]}
    common = {"base": base, "space": SPACE, "objective": "normalised_score"}
    if method == "pbt":
        return {
            **common,
            "method": "pbt",
            "population": population,
            "interval": max(1, episodes // INTERVALS),
        }
    return {
        **common,
        "method": "random",
        "budget": population,
        "slots": population,
        "base": {**base, "checkpoint_every": max(1, episodes // INTERVALS)},
    }


def train(folder: Path, name: str, launch: dict, slots: int) -> tuple[float, float, float]:
    """Launch and train one experiment on a fresh store, with a pool of ``slots``.

    Returns:
        Its best run's final normalised score, the mean over its runs, and the seconds.

    Raises:
        RuntimeError: it did not end within ``TIMEOUT``.
    """
    url = f"sqlite:///{folder / name}.sqlite"
    store = RunStore(url)
    experiment = launch_experiment(store, launch)
    started = time.perf_counter()
    with WorkerPool(url, slots):
        while not is_done(
            store.experiments.get(experiment.id), store.experiments.runs(experiment.id)
        ):
            if time.perf_counter() - started > TIMEOUT:
                raise RuntimeError(f"{name} did not end within {TIMEOUT} s")
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    scores = [
        checkpoint_score(store, run.id, None) for run in store.experiments.runs(experiment.id)
    ]
    store.close()
    return max(scores), statistics.fmean(scores), seconds


def main() -> None:
    """Run the benchmark at the size given on the command line; print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    size = SIZES[parser.parse_args().size]
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for env, episodes in size["episodes"].items():
            results = {}
            for method in ("pbt", "random"):
                runs = [
                    train(
                        Path(folder),
                        f"{env}-{method}-{repeat}",
                        request(method, env, episodes, 100 * repeat, size["population"]),
                        size["population"],
                    )
                    for repeat in range(size["repeats"])
                ]
                best, mean, seconds = (
                    statistics.median(column) for column in zip(*runs, strict=True)
                )
                results[method] = (best, mean, seconds)
                print(
                    f"{env:18} {method:6} {size['population']} runs x {episodes} episodes:"
                    f" best {best:.3f}, mean {mean:.3f} (median of {size['repeats']}),"
                    f" {seconds:.1f} s"
                )
                key = env.split("-")[0].lower()
                figures[f"{key}_{method}_best"] = round(best, 4)
                figures[f"{key}_{method}_mean"] = round(mean, 4)
            figures[f"{key}_pbt_time_ratio"] = round(results["pbt"][2] / results["random"][2], 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
