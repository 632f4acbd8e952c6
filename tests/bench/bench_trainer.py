"""Benchmark: a fully recorded training run against a bare Q-learning loop that records nothing.

Both run in this process on the same environment, seed and hyperparameters. The recorded run
is the real worker loop (``app.training.Trainer``) over a real SQLite store in a temporary
directory: episode batches, rollups, heartbeats, control polls and checkpoints (with their
evaluation where the env has a model). The bare loop is ``bench_env``'s textbook
epsilon-greedy Q-learning on a list-of-lists table with random tie-breaks and the same decays:
the strictest baseline (a numpy-table loop is about 3x slower per step). Target: recorded
episodes/s >= 0.9 x bare. The recorded run is measured twice: with the writer thread
committing batches and checkpoints behind the loop (``LoopSettings.write_queue``, the
default), and with the loop committing each write itself (``write_queue=0``, as gridlab did
before the writer thread): both steps/s are printed, and their ratio. Also printed: what
the recorded episodes and their rollups take on disk per million episodes (``dbstat``),
and, on GridWorld medium, both recorded loops on a PostgreSQL server started for the run
(every commit a round trip, which the writer thread waits out off the training thread).

    .venv/bin/python tests/bench/bench_trainer.py --size full

Kernels (``kernel_comparison``): on the same cases, environment steps/s of the textbook loop
(``gym.make`` plus a numpy Q-table, written plainly below), of recorded training with the
Python kernel and with the compiled one, and of the compiled kernel with recording off.
Targets: compiled recorded >= 20 x textbook; recorded >= 0.8 x compiled unrecorded. Also the
compiled kernel's first compile (a fresh numba cache, in a new process) and its warm start
(the cache filled), and what the warm start adds to ``run.py train``.

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from bench_env import bare_q_learning  # the same directory: the strict list-based baseline

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.postgres

from app.training import LoopSettings, Trainer, claim_new_run
from gridworld.agents import make_agent
from gridworld.kernel import make_runner
from gridworld.spec import RunSpec, make_env, table_shape, validate_run_spec
from runstore import RunStore
from tests.postgres import PostgresServer

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


def recorded_run(spec: RunSpec, url: str, write_queue: int) -> tuple[int, float]:
    """Train ``spec`` through the real worker loop into the fresh store at ``url``.

    Args:
        spec: the run spec.
        url: an empty store.
        write_queue: ``LoopSettings.write_queue`` (0: no writer thread).

    Returns:
        (environment steps, seconds of ``Trainer.run``).
    """
    store = RunStore(url)
    try:
        claim = claim_new_run(store, spec)
        start = time.perf_counter()
        status = Trainer(store, claim, settings=LoopSettings(write_queue=write_queue)).run()
        seconds = time.perf_counter() - start
        run = store.get_run(claim.run_id)
        if status != "finished" or run.episodes_done != spec.episodes:
            raise RuntimeError(f"recorded run ended {status} after {run.episodes_done} episodes")
        return run.env_steps, seconds
    finally:
        store.close()


def episode_bytes(url: str, episodes: int) -> float:
    """Return what a SQLite store's episode blocks and rollups take per million episodes."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        used = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('episode_blocks', 'rollups',"
            " 'sqlite_autoindex_episode_blocks_1')"
        ).fetchone()[0]
    conn.close()
    return used / episodes * 1e6


def measure(
    spec: RunSpec, new_store: Callable[[], str], repeats: int, *, bare: bool = True
) -> dict[str, float]:
    """Run the bare loop (unless not ``bare``) and both recorded loops ``repeats`` times,
    interleaved so that a change of load hits every side alike.

    Returns:
        Each side's best ``<side>_steps_per_s`` and ``<side>_episodes_per_s`` (sides
        ``bare``, ``inline``: write_queue 0, ``writer``: the default), and ``url``, the
        store of the last run with the writer.
    """
    sides: dict[str, list[tuple[int, float]]] = {"inline": [], "writer": []}
    if bare:
        sides["bare"] = []
    url = ""
    for _ in range(repeats):
        if bare:
            sides["bare"].append(bare_run(spec))
        for side, depth in (("inline", 0), ("writer", LoopSettings().write_queue)):
            url = new_store()
            sides[side].append(recorded_run(spec, url, depth))
    best = {side: min(runs, key=lambda run: run[1]) for side, runs in sides.items()}
    found: dict[str, Any] = {"url": url}
    for side, (steps, seconds) in best.items():
        found[f"{side}_steps_per_s"] = steps / seconds
        found[f"{side}_episodes_per_s"] = spec.episodes / seconds
    return found


def sqlite_case(case: str, spec: RunSpec, directory: Path, repeats: int) -> dict[str, float]:
    """Measure one case on SQLite files; print its line; return its figures."""
    files = iter(range(10_000))
    found = measure(
        spec, lambda: f"sqlite:///{directory / f'{case}-{next(files)}.sqlite'}", repeats
    )
    ratio = found["writer_episodes_per_s"] / found["bare_episodes_per_s"]
    steps_ratio = found["writer_steps_per_s"] / found["bare_steps_per_s"]
    inline_ratio = found["inline_steps_per_s"] / found["bare_steps_per_s"]
    gain = found["writer_steps_per_s"] / found["inline_steps_per_s"]
    size = episode_bytes(found["url"], spec.episodes)
    print(
        f"{case}: bare {found['bare_episodes_per_s']:,.0f} episodes/s"
        f" ({found['bare_steps_per_s']:,.0f} steps/s); recorded with the writer thread"
        f" {found['writer_episodes_per_s']:,.0f} episodes/s ({found['writer_steps_per_s']:,.0f}"
        f" steps/s), ratio {ratio:.3f} (steps/s ratio {steps_ratio:.3f}); committing on the"
        f" training thread {found['inline_steps_per_s']:,.0f} steps/s (ratio {inline_ratio:.3f});"
        f" writer thread vs training thread {gain:.3f}; episodes and rollups"
        f" {size / 1e6:,.1f} MB per million episodes"
    )
    return {
        f"{case}_bare_episodes_per_s": round(found["bare_episodes_per_s"], 1),
        f"{case}_recorded_episodes_per_s": round(found["writer_episodes_per_s"], 1),
        f"{case}_recorded_steps_per_s": round(found["writer_steps_per_s"], 1),
        f"{case}_recorded_inline_steps_per_s": round(found["inline_steps_per_s"], 1),
        f"{case}_ratio": round(ratio, 3),
        f"{case}_steps_ratio": round(steps_ratio, 3),
        f"{case}_inline_steps_ratio": round(inline_ratio, 3),
        f"{case}_writer_vs_inline_ratio": round(gain, 3),
        f"{case}_bytes_per_million_episodes": round(size),
    }


def postgres_case(case: str, spec: RunSpec, repeats: int) -> dict[str, float]:
    """Measure the recorded loop with and without the writer thread on a PostgreSQL server
    started for it (each commit a round trip); print its line; return its figures."""
    server = PostgresServer()
    server.start()
    try:
        found = measure(spec, server.new_database, repeats, bare=False)
    finally:
        server.stop()
    gain = found["writer_steps_per_s"] / found["inline_steps_per_s"]
    print(
        f"{case} on PostgreSQL: recorded with the writer thread"
        f" {found['writer_steps_per_s']:,.0f} steps/s, committing on the training thread"
        f" {found['inline_steps_per_s']:,.0f} steps/s; writer thread vs training thread {gain:.3f}"
    )
    return {
        f"{case}_postgresql_recorded_steps_per_s": round(found["writer_steps_per_s"], 1),
        f"{case}_postgresql_recorded_inline_steps_per_s": round(found["inline_steps_per_s"], 1),
        f"{case}_postgresql_writer_vs_inline_ratio": round(gain, 3),
    }


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
            figures.update(sqlite_case(case, spec, Path(tmp), repeats))
        figures.update(kernel_comparison(args.size, Path(tmp)))
    case = next(iter(CASES))
    spec = validate_run_spec({**CASES[case], "episodes": episodes, "seed": 0})
    figures.update(postgres_case(case, spec, repeats))
    print(json.dumps(figures))


# -- kernels: textbook loop, Python and compiled kernels, compile and warm-start costs ----

KERNEL_TARGETS = {"vs_textbook": 20.0, "vs_unrecorded": 0.8}
"""Compiled recorded steps/s against the textbook loop's, and against unrecorded compiled."""
KERNEL_SIZES = {"tiny": (300, 1), "full": (20_000, 3)}
"""--size: (episodes per run, repetitions; the best of each counts)."""
UNRECORDED_CHUNK = 1000
"""Episodes per compiled call when nothing is recorded."""
ROOT = Path(__file__).resolve().parents[2]


def textbook_run(spec: RunSpec) -> tuple[int, float]:
    """Train with the textbook loop: ``gym.make``, a numpy Q-table, epsilon-greedy with random
    tie-breaks (``rng.choice`` among the maxima), the spec's hyperparameters and decays.

    Returns:
        (environment steps, seconds).
    """
    env = make_env(spec)
    hp = spec.hyperparams
    n_states, n_actions = table_shape(env)
    q = np.zeros((n_states, n_actions))
    rng = np.random.default_rng(spec.seed)
    epsilon, alpha = hp.epsilon, hp.alpha
    steps = 0
    start = time.perf_counter()
    for episode in range(spec.episodes):
        state, _ = env.reset(seed=spec.seed + episode)
        done = False
        while not done:
            if rng.random() < epsilon:
                action = int(rng.integers(n_actions))
            else:
                action = int(rng.choice(np.flatnonzero(q[state] == q[state].max())))
            next_state, reward, terminated, truncated, _ = env.step(action)
            target = reward + (0.0 if terminated else hp.gamma * q[next_state].max())
            q[state, action] += alpha * (target - q[state, action])
            state, done = next_state, terminated or truncated
            steps += 1
        epsilon = max(hp.epsilon_min, epsilon * hp.epsilon_decay)
        alpha = max(hp.alpha_min, alpha * hp.alpha_decay)
    seconds = time.perf_counter() - start
    env.close()
    return steps, seconds


def unrecorded_run(spec: RunSpec) -> tuple[int, float]:
    """Train with the compiled kernel alone, in chunks, recording nothing.

    Returns:
        (environment steps, seconds).
    """
    env = make_env(spec)
    agent = make_agent(spec.algorithm, *table_shape(env), spec.hyperparams, spec.seed)
    runner = make_runner(env, agent, "compiled")
    steps, done, seed = 0, 0, spec.seed
    start = time.perf_counter()
    while done < spec.episodes:
        batch = runner.run(min(UNRECORDED_CHUNK, spec.episodes - done), seed)
        steps += sum(batch.columns["length"])
        done, seed = done + len(batch), None
    seconds = time.perf_counter() - start
    env.close()
    return steps, seconds


def timed_process(code: str, cache: Path) -> float:
    """Run ``code`` in a new Python process with numba's cache in ``cache``.

    Returns:
        The seconds the code itself reports (its last line of output).
    """
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.split()[-1])


FIRST_CHUNK = (
    "import time; start = time.perf_counter()\n"
    "import gymnasium as gym, gridworld\n"
    "from gridworld.agents import make_agent\n"
    "from gridworld.kernel import make_runner\n"
    "env = gym.make('GridWorld-v0')\n"
    "make_runner(env, make_agent('q_learning', 25, 4), 'compiled').run(1)\n"
    "print(time.perf_counter() - start)"
)
"""Loads numba and the kernel (compiling it unless cached) and plays one episode."""
BASELINE = FIRST_CHUNK.replace("'compiled'", "'python'")
"""The same with the Python kernel: what a compiled first chunk costs beyond it."""


def train_seconds(kernel: str, store: Path) -> float:
    """Return the wall time of ``run.py train`` of 20 GridWorld episodes with ``kernel``."""
    command = [sys.executable, "run.py", "train", "--episodes", "20", "--kernel", kernel]
    start = time.perf_counter()
    subprocess.run(
        [*command, "--db", f"sqlite:///{store}"], cwd=ROOT, capture_output=True, check=True
    )
    return time.perf_counter() - start


def start_costs(size: str, directory: Path) -> dict[str, float]:
    """Measure the compiled kernel's first compile (full size only), warm start and what the
    warm start adds to ``run.py train`` (whose cache is numba's default, filled first)."""
    figures: dict[str, float] = {}
    cache = directory / "numba-cache"
    if size == "full":
        first = timed_process(FIRST_CHUNK, cache)
        print(f"first compile: {first:.2f} s to a first compiled chunk in a new process")
        figures["kernel_first_compile_s"] = round(first, 3)
    timed_process(FIRST_CHUNK, cache)  # the cache is filled from here on
    warm = min(timed_process(FIRST_CHUNK, cache) for _ in range(2))
    baseline = min(timed_process(BASELINE, cache) for _ in range(2))
    print(f"warm start: {warm:.2f} s to a first compiled chunk (Python kernel: {baseline:.2f} s)")
    train: dict[str, list[float]] = {"compiled": [], "python": []}
    for _ in range(3):  # interleaved; the first compiled one also fills numba's default cache
        for kernel, seconds in train.items():
            seconds.append(train_seconds(kernel, directory / "warm.sqlite"))
    added = min(train["compiled"]) - min(train["python"])
    print(f"run.py train: the compiled kernel's warm start adds {added:+.2f} s (target <= 1)")
    figures["kernel_warm_start_s"] = round(warm, 3)
    figures["kernel_warm_start_vs_python_ratio"] = round(warm / baseline, 3)
    figures["kernel_train_warm_start_added_s"] = round(added, 3)
    return figures


def kernel_comparison(size: str, directory: Path) -> dict[str, float | int | str]:
    """Measure every case's four loops, then the start costs; print each figure.

    Returns:
        The figures for the JSON line.
    """
    episodes, repeats = KERNEL_SIZES[size]
    figures: dict[str, float | int | str] = {}
    files = iter(range(10_000))

    def recorded(spec: dict[str, Any], kernel: str) -> tuple[int, float]:
        url = f"sqlite:///{directory / f'kernel-{next(files)}.sqlite'}"
        run_spec = validate_run_spec({**spec, "kernel": kernel})
        return recorded_run(run_spec, url, LoopSettings().write_queue)

    for case, env in CASES.items():
        spec = {**env, "episodes": episodes, "seed": 0}
        loops = {
            "textbook": lambda spec=spec: textbook_run(validate_run_spec(spec)),
            "python": lambda spec=spec: recorded(spec, "python"),
            "compiled": lambda spec=spec: recorded(spec, "compiled"),
            "unrecorded": lambda spec=spec: unrecorded_run(validate_run_spec(spec)),
        }
        times: dict[str, list[tuple[int, float]]] = {name: [] for name in loops}
        for _ in range(repeats):  # interleaved, so load changes hit every loop alike
            for name, loop in loops.items():
                times[name].append(loop())
        rates = {name: max(s / t for s, t in runs) for name, runs in times.items()}
        print(
            f"{case}: steps/s textbook {rates['textbook']:,.0f}, python recorded"
            f" {rates['python']:,.0f}, compiled recorded {rates['compiled']:,.0f}, compiled"
            f" unrecorded {rates['unrecorded']:,.0f}"
        )
        for name, value in rates.items():
            figures[f"{case}_{name}_steps_per_s"] = round(value, 1)
        ratios = {
            "vs_textbook": rates["compiled"] / rates["textbook"],
            "vs_unrecorded": rates["compiled"] / rates["unrecorded"],
            "python_vs_textbook": rates["python"] / rates["textbook"],
        }
        for name, ratio in ratios.items():
            target = KERNEL_TARGETS.get(name)
            verdict = ""
            if target is not None:
                verdict = f" (target >= {target:g}: {'met' if ratio >= target else 'MISSED'})"
            print(f"{case} {name}: ratio {ratio:.2f}{verdict}")
            figures[f"{case}_kernel_{name}_ratio"] = round(ratio, 3)
    figures.update(start_costs(size, directory))
    return figures


if __name__ == "__main__":
    main()
