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
(``gym.make`` plus a numpy Q-table, written plainly in ``kernel_loops``), of recorded training
with the Python kernel and with the compiled one, and of the compiled kernel with recording
off.
Targets: compiled recorded >= 20 x textbook; recorded >= 0.8 x compiled unrecorded (and, since
a shared machine's load moves wall-clock ratios, the CPU time each side takes). Also the
compiled kernel's first compile (a fresh numba cache, in a new process) and its warm start
(the cache filled), and what the warm start adds to ``run.py train``.

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
from bench_env import bare_q_learning  # the same directory: the strict list-based baseline
from kernel_loops import start_costs, textbook_run, unrecorded_run

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.postgres

from app.training import LoopSettings, Trainer, claim_new_run
from gridworld.spec import RunSpec, make_env, validate_run_spec
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
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('episode_blocks', 'rollup_packs',"
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
    return named(
        case,
        {
            "bare_episodes_per_s": found["bare_episodes_per_s"],
            "recorded_episodes_per_s": found["writer_episodes_per_s"],
            "recorded_steps_per_s": found["writer_steps_per_s"],
            "recorded_inline_steps_per_s": found["inline_steps_per_s"],
            "ratio": ratio,
            "steps_ratio": steps_ratio,
            "inline_steps_ratio": inline_ratio,
            "writer_vs_inline_ratio": gain,
            "bytes_per_million_episodes": size,
        },
    )


def named(case: str, values: dict[str, float]) -> dict[str, float]:
    """Return the figures of ``case`` for the JSON line: each name prefixed with the case,
    ratios to three decimals, the rest to one."""
    return {f"{case}_{name}": round(v, 3 if "ratio" in name else 1) for name, v in values.items()}


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
    return named(
        f"{case}_postgresql",
        {
            "recorded_steps_per_s": found["writer_steps_per_s"],
            "recorded_inline_steps_per_s": found["inline_steps_per_s"],
            "writer_vs_inline_ratio": gain,
        },
    )


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
KERNEL_SIZES = {"tiny": (300, 1, 1000), "full": (20_000, 3, 200_000)}
"""--size: (episodes per run, repetitions (the best of each counts), episodes of the long
run that measures recorded vs unrecorded once a run's fixed costs are spread thin)."""


def kernel_comparison(size: str, directory: Path) -> dict[str, float | int | str]:
    """Measure every case's four loops, then the start costs; print each figure.

    Returns:
        The figures for the JSON line.
    """
    episodes, repeats, long_episodes = KERNEL_SIZES[size]
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
        rates = best_rates(loops, repeats)
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
        figures.update(long_run(case, {**spec, "episodes": long_episodes}, recorded))
        compiled = validate_run_spec({**spec, "kernel": "compiled"})
        figures.update(cpu_split(case, compiled, directory))
    figures.update(start_costs(size, directory))
    return figures


def best_rates(loops: dict[str, Callable[[], tuple[int, float]]], repeats: int) -> dict[str, float]:
    """Run every loop ``repeats`` times, interleaved so that load changes hit every loop
    alike.

    Returns:
        Each loop's best steps per second.
    """
    times: dict[str, list[tuple[int, float]]] = {name: [] for name in loops}
    for _ in range(repeats):
        for name, loop in loops.items():
            times[name].append(loop())
    return {name: max(s / t for s, t in runs) for name, runs in times.items()}


def long_run(
    case: str, spec: dict[str, Any], recorded: Callable[[dict[str, Any], str], tuple[int, float]]
) -> dict[str, float]:
    """Measure compiled recorded against unrecorded over one long run (twice each, the best
    counts), where a run's fixed costs (its store reads at the start, the last batch, the
    final checkpoint and release) weigh little; print the ratio.

    Returns:
        The figure for the JSON line.
    """
    rates = best_rates(
        {
            "compiled": lambda: recorded(spec, "compiled"),
            "unrecorded": lambda: unrecorded_run(validate_run_spec(spec)),
        },
        2,
    )
    ratio = rates["compiled"] / rates["unrecorded"]
    target = KERNEL_TARGETS["vs_unrecorded"]
    verdict = "met" if ratio >= target else "MISSED"
    print(
        f"{case} vs_unrecorded over {spec['episodes']:,} episodes: ratio {ratio:.2f}"
        f" (target >= {target:g}: {verdict})"
    )
    return {f"{case}_kernel_vs_unrecorded_long_ratio": round(ratio, 3)}


def cpu_split(case: str, spec: RunSpec, directory: Path) -> dict[str, float]:
    """Measure the CPU time of one recorded compiled run (the training thread's, and the
    other threads': the writer's and the heartbeat's) and of one unrecorded run; print it.

    Wall-clock ratios on a shared machine move with its load; CPU times barely do. On two
    free cores the threads overlap, so recorded/unrecorded would be about the unrecorded
    CPU over the larger of the two recorded shares.

    Returns:
        The figures for the JSON line.
    """
    before = time.process_time()
    unrecorded_run(spec)
    unrecorded = time.process_time() - before
    store = RunStore(f"sqlite:///{directory / f'{case}-cpu.sqlite'}")
    try:
        claim = claim_new_run(store, spec)
        main, total = time.thread_time(), time.process_time()
        Trainer(store, claim).run()
        main, total = time.thread_time() - main, time.process_time() - total
    finally:
        store.close()
    estimate = unrecorded / max(main, total - main)
    print(
        f"{case} CPU: unrecorded {unrecorded * 1000:.0f} ms; recorded: training thread"
        f" {main * 1000:.0f} ms, writer and heartbeat {(total - main) * 1000:.0f} ms"
        f" (on two free cores vs_unrecorded would be about {estimate:.2f})"
    )
    return named(
        f"{case}_cpu",
        {
            "unrecorded_ms": unrecorded * 1000,
            "training_thread_ms": main * 1000,
            "other_threads_ms": (total - main) * 1000,
            "two_core_vs_unrecorded_ratio": estimate,
        },
    )


if __name__ == "__main__":
    main()
