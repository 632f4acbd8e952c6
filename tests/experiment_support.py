"""Experiments in real stores for the experiment page's tests and benchmark: settings ×
seeds recorded through ``store.experiments.create``, trained by the real trainer or filled
with synthetic episodes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.training import Trainer
from gridworld.spec import env_config, validate_run_spec
from runstore import Owner, RunStore
from tests.dashboard_support import episode_rows
from tests.trainer.support import FAST


def run_fields(spec_fields: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Return the ``create_run`` fields of one seed of a setting (validated as any run is)."""
    spec = validate_run_spec({**spec_fields, "seed": seed})
    return {
        "name": spec.name,
        "env_id": spec.env_id,
        "env_config": env_config(spec),
        "hyperparams": spec.hyperparams.to_dict(),
        "seed": spec.seed,
        "target_episodes": spec.episodes,
        "spec": spec.to_dict(),
    }


def make_experiment(
    store: RunStore,
    settings: Sequence[Mapping[str, Any]],
    seeds: Sequence[int] = (0, 1, 2),
    *,
    base: Mapping[str, Any] | None = None,
    objective: str = "final_return",
    threshold: float | None = 0.5,
    name: str = "sweep",
) -> tuple[int, list[int]]:
    """Record a grid experiment of ``settings`` (hyperparameters) × ``seeds`` over ``base``.

    Returns:
        The experiment's id and its runs' ids, trial by trial, seed by seed.
    """
    base = {"env_id": "GridWorld-v0", "preset": "easy", "episodes": 300, **(base or {})}
    trials = [
        [
            run_fields({**base, "hyperparams": dict(setting), "name": f"{name} {i} s{seed}"}, seed)
            for seed in seeds
        ]
        for i, setting in enumerate(settings)
    ]
    return store.experiments.create(
        name=name,
        method="grid",
        base_spec=base,
        space={key: [s[key] for s in settings] for key in settings[0]},
        seeds=list(seeds),
        budget=len(settings),
        objective=objective,
        options={"threshold": threshold},
        trials=trials,
    )


def train(store: RunStore, run_ids: Sequence[int]) -> None:
    """Train each run here, to its end, with the real trainer (checkpoints evaluated)."""
    for run_id in run_ids:
        claim = store.claim_run(run_id, Owner.here())
        assert Trainer(store, claim, settings=FAST).run() == "finished"


def fill_synthetic(store: RunStore, run_id: int, episodes: int, shift: float = 0.0) -> None:
    """Append ``episodes`` plausible episodes (returns moved by ``shift``) and a checkpoint
    every tenth of them with an evaluation whose normalised score climbs to 1."""
    done = store.get_run(run_id).episodes_done
    first, steps = done + 1, store.get_run(run_id).env_steps
    every = max(1, episodes // 10)
    q = np.zeros((25, 4))
    for start in range(first, first + episodes, 20_000):
        rows = episode_rows(start, min(20_000, first + episodes - start), steps)
        for row in rows:
            row["return"] += shift
        store.append_episodes(run_id, rows)
        steps = rows[-1]["env_steps"]
        for episode in range(math.ceil(start / every) * every, start + len(rows), every):
            share = min(1.0, episode / (first + episodes))
            evaluation = {"v_opt": 0.9, "v_greedy": 0.9 * share, "gap": 0.9 * (1 - share)}
            store.save_checkpoint(run_id, episode, q, {}, evaluation)
