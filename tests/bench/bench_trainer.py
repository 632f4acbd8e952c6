"""Benchmark: a fully recorded training run against a bare Q-learning loop that records nothing.

Both run in this process on the same environment, seed and hyperparameters. The recorded run
is the real worker loop (``app.training.Trainer``) over a real SQLite store in a temporary
directory: episode batches, rollups, heartbeats, control polls and checkpoints (with their
evaluation where the env has a model). The bare loop is ``bench_env``'s textbook
epsilon-greedy Q-learning on a list-of-lists table with random tie-breaks and the same decays:
the strictest baseline (a numpy-table loop is about 3x slower per step). Target: recorded
episodes/s >= 0.9 x bare.

    .venv/bin/python tests/bench/bench_trainer.py --size full

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import gymnasium as gym
from bench_env import bare_q_learning  # the same directory: the strict list-based baseline

from app.training import Trainer, claim_new_run
from gridworld.spec import RunSpec, make_env, validate_run_spec
from runstore import RunStore

SIZES = {"tiny": (300, 1), "full": (20_000, 3)}
"""--size: (episodes per run, repetitions; the best of each side counts)."""
CASES = {
    "gridworld_medium": {"env_id": "GridWorld-v0", "preset": "medium"},
    "frozenlake_8x8": {"env_id": "FrozenLake8x8-v1"},
}


def bare_run(spec: RunSpec) -> tuple[int, float]:
    """Run ``bench_env``'s bare textbook Q-learning loop for the spec's env and episodes.

    Returns:
        (environment steps, seconds).
    """
    env = make_env(spec)
    try:
        return bare_q_learning(env, spec.hyperparams, spec.episodes, spec.seed)
    finally:
        env.close()


def recorded_run(spec: RunSpec, directory: Path) -> tuple[int, float]:
    """Train ``spec`` through the real worker loop into a fresh SQLite store.

    Args:
        spec: the run spec.
        directory: where the store's file goes.

    Returns:
        (environment steps, seconds of ``Trainer.run``).
    """
    store = RunStore(f"sqlite:///{directory / f'bench-{time.monotonic_ns()}.sqlite'}")
    try:
        claim = claim_new_run(store, spec)
        start = time.perf_counter()
        status = Trainer(store, claim).run()
        seconds = time.perf_counter() - start
        run = store.get_run(claim.run_id)
        if status != "finished" or run.episodes_done != spec.episodes:
            raise RuntimeError(f"recorded run ended {status} after {run.episodes_done} episodes")
        return run.env_steps, seconds
    finally:
        store.close()


def main() -> None:
    """Measure every case at the chosen size; print figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    args = parser.parse_args()
    episodes, repeats = SIZES[args.size]
    figures: dict[str, float | int | str] = {"size": args.size, "episodes": episodes}
    gym.logger.min_level = 40
    with tempfile.TemporaryDirectory() as tmp:
        for case, env in CASES.items():
            spec = validate_run_spec({**env, "episodes": episodes, "seed": 0})
            bare, recorded = [], []
            for _ in range(repeats):  # interleaved, so load changes hit both sides alike
                bare.append(bare_run(spec))
                recorded.append(recorded_run(spec, Path(tmp)))
            bare_steps, bare_s = min(bare, key=lambda r: r[1])
            rec_steps, rec_s = min(recorded, key=lambda r: r[1])
            bare_eps, rec_eps = episodes / bare_s, episodes / rec_s
            ratio = rec_eps / bare_eps
            steps_ratio = (rec_steps / rec_s) / (bare_steps / bare_s)
            print(
                f"{case}: bare {bare_eps:,.0f} episodes/s ({bare_steps / bare_s:,.0f} steps/s),"
                f" recorded {rec_eps:,.0f} episodes/s ({rec_steps / rec_s:,.0f} steps/s);"
                f" ratio {ratio:.3f} (steps/s ratio {steps_ratio:.3f})"
            )
            figures[f"{case}_bare_episodes_per_s"] = round(bare_eps, 1)
            figures[f"{case}_recorded_episodes_per_s"] = round(rec_eps, 1)
            figures[f"{case}_ratio"] = round(ratio, 3)
            figures[f"{case}_steps_ratio"] = round(steps_ratio, 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
