"""The kernel comparison's other loops for ``bench_trainer``: the textbook Q-learning loop,
the compiled kernel with recording off, and the compiled kernel's start costs (first
compile, warm start, and what the warm start adds to ``run.py train``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from gridworld.agents import make_agent
from gridworld.kernel import make_runner
from gridworld.spec import RunSpec, make_env, table_shape

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


def timed_process(code: str, cache: Path | None) -> float:
    """Run ``code`` in a new Python process with numba's cache in ``cache`` (None: numba's
    default, beside the kernel's modules).

    Returns:
        The seconds the code itself reports (its last line of output).
    """
    environment = dict(os.environ)
    if cache is not None:
        environment["NUMBA_CACHE_DIR"] = str(cache)
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
    warm start adds to ``run.py train`` (whose cache is numba's default, filled first).

    At the tiny size (which only shows that this runs) the warm start uses numba's default
    cache too, which earlier runs have usually filled, and each start is timed once: the
    first compile into a cache of its own costs about 12 s, more than the rest together.
    """
    figures: dict[str, float] = {}
    full = size == "full"
    cache = directory / "numba-cache" if full else None
    repeats = 2 if full else 1
    if full:
        first = timed_process(FIRST_CHUNK, cache)
        print(f"first compile: {first:.2f} s to a first compiled chunk in a new process")
        figures["kernel_first_compile_s"] = round(first, 3)
    timed_process(FIRST_CHUNK, cache)  # the cache is filled from here on
    warm = min(timed_process(FIRST_CHUNK, cache) for _ in range(repeats))
    baseline = min(timed_process(BASELINE, cache) for _ in range(repeats))
    print(f"warm start: {warm:.2f} s to a first compiled chunk (Python kernel: {baseline:.2f} s)")
    train: dict[str, list[float]] = {"compiled": [], "python": []}
    for _ in range(repeats + 1):  # interleaved; the first compiled one may fill numba's cache
        for kernel, seconds in train.items():
            seconds.append(train_seconds(kernel, directory / "warm.sqlite"))
    added = min(train["compiled"]) - min(train["python"])
    print(f"run.py train: the compiled kernel's warm start adds {added:+.2f} s (target <= 1)")
    figures["kernel_warm_start_s"] = round(warm, 3)
    figures["kernel_warm_start_vs_python_ratio"] = round(warm / baseline, 3)
    figures["kernel_train_warm_start_added_s"] = round(added, 3)
    return figures
