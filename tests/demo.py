"""Demo runs for browser tests and the README screenshots.

Synthetic runs are episode rows shaped like a learning curve, written straight into the
store in large batches (hundreds of thousands of episodes in seconds). Trained runs come from
the real trainer, so their checkpoints carry Q-tables and evaluation figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.training import Trainer, claim_new_run
from gridworld import GridWorldConfig
from gridworld.spec import validate_run_spec
from runstore import RunStore

BATCH = 10_000


def synthetic_rows(
    first: int, count: int, *, seed: int = 0, steps_before: int = 0, scale: float = 50_000
) -> list[dict[str, Any]]:
    """Return ``count`` episode rows numbered from ``first`` whose return rises over time.

    Args:
        first: the first episode number.
        count: how many rows.
        seed: noise seed (mixed with ``first`` so batches differ).
        steps_before: env steps done before ``first`` (env_steps is cumulative).
        scale: episodes it takes the mean return to climb most of the way.

    Returns:
        Rows with every episode field of the store.
    """
    rng = np.random.default_rng([seed, first])
    episode = np.arange(first, first + count)
    progress = 1.0 - np.exp(-episode / scale)
    ret = -1.0 + 1.9 * progress + rng.normal(0.0, 0.35, count)
    length = np.maximum(1, (40 - 30 * progress + rng.normal(0, 4, count)).astype(int))
    steps = steps_before + np.cumsum(length)
    epsilon = np.maximum(0.05, 0.999**episode)
    counts = rng.multinomial(length, [0.25, 0.25, 0.25, 0.25])
    return [
        {
            "episode": int(episode[i]),
            "return": float(ret[i]),
            "length": int(length[i]),
            "success": bool(ret[i] > 0.2),
            "epsilon": float(epsilon[i]),
            "alpha": 0.1,
            "gamma": 0.99,
            "mean_q": float(0.5 * progress[i]),
            "max_q": float(progress[i]),
            "mean_abs_td": float(0.2 * (1 - progress[i]) + 0.01),
            "env_steps": int(steps[i]),
            "wall_time": float(episode[i]) / 5000.0,
            "action_counts": [int(c) for c in counts[i]],
        }
        for i in range(count)
    ]


def add_synthetic_run(
    store: RunStore,
    episodes: int,
    *,
    name: str = "synthetic",
    hyperparams: dict[str, float] | None = None,
    seed: int = 0,
    status: str = "finished",
    target: int | None = None,
) -> int:
    """Create a GridWorld-easy run and fill it with ``episodes`` synthetic episodes.

    Args:
        store: the run store.
        episodes: how many episodes to append.
        name: the run's name.
        hyperparams: the run's starting hyperparameters (defaults for the rest).
        seed: the run's seed (also seeds the noise).
        status: the status to leave the run in.
        target: the run's target episodes (default ``episodes``).

    Returns:
        The run id.
    """
    params = {
        "alpha": 0.1,
        "gamma": 0.99,
        "epsilon": 1.0,
        "epsilon_decay": 0.999,
        "epsilon_min": 0.05,
        "alpha_decay": 1.0,
        "alpha_min": 0.01,
    }
    params.update(hyperparams or {})
    grid = GridWorldConfig.from_preset("easy").to_dict()
    run_id = store.create_run(
        name=name,
        env_id="GridWorld-v0",
        env_config={"n_states": 25, "n_actions": 4, "grid": grid},
        hyperparams=params,
        seed=seed,
        target_episodes=target or max(1, episodes),
        spec={"env_id": "GridWorld-v0", "preset": "easy", "episodes": target or episodes},
    )
    store.set_status(run_id, "running")
    append_synthetic(store, run_id, 1, episodes, seed=seed)
    if status != "running":
        store.set_status(run_id, status)
    return run_id


def append_synthetic(
    store: RunStore, run_id: int, first: int, count: int, *, seed: int = 0, steps_before: int = 0
) -> int:
    """Append ``count`` synthetic episodes from ``first`` in batches.

    Returns:
        The env steps after the last appended episode.
    """
    steps = steps_before
    for start in range(first, first + count, BATCH):
        rows = synthetic_rows(
            start, min(BATCH, first + count - start), seed=seed, steps_before=steps
        )
        store.append_episodes(run_id, rows)
        steps = rows[-1]["env_steps"]
    return steps


def add_trained_run(
    store: RunStore,
    *,
    preset: str = "easy",
    env_id: str = "GridWorld-v0",
    episodes: int = 400,
    checkpoint_every: int = 50,
    name: str | None = None,
    **hyperparams: float,
) -> int:
    """Train a real run in this process (checkpoints with Q-tables and evaluations).

    Args:
        store: the run store.
        preset: the GridWorld preset (ignored for other envs).
        env_id: the gymnasium env id.
        episodes: episodes to train.
        checkpoint_every: episodes between checkpoints.
        name: the run name (default: automatic).
        **hyperparams: hyperparameters over the defaults.

    Returns:
        The run id (finished).
    """
    mapping: dict[str, Any] = {
        "env_id": env_id,
        "episodes": episodes,
        "checkpoint_every": checkpoint_every,
        "hyperparams": hyperparams,
    }
    if env_id == "GridWorld-v0":
        mapping["preset"] = preset
    if name is not None:
        mapping["name"] = name
    spec = validate_run_spec(mapping)
    claim = claim_new_run(store, spec)
    Trainer(store, claim).run()
    return claim.run_id
