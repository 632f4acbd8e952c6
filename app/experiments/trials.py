"""The runs of a sweep's trials: one setting trained once per seed, and the settings that a
grid or a random sweep launches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.training.jobs import run_fields
from gridworld.spec import MAX_NAME, RunSpec, env_config
from runstore import Experiment

from .space import Space, apply_setting


@dataclass(frozen=True)
class TrialRuns:
    """Builds the ``create_run`` fields of a trial's runs, one per seed."""

    name: str
    """The experiment's name (its runs are named after it)."""
    base: RunSpec
    seeds: tuple[int, ...]
    config: dict[str, Any]
    """The env's ``env_config``, the same for every run of the sweep (built once)."""

    @classmethod
    def build(cls, name: str, base: RunSpec, seeds: Sequence[int]) -> TrialRuns:
        """Return the builder for a sweep over ``base`` with ``seeds``."""
        return cls(name, base, tuple(seeds), env_config(base))

    @classmethod
    def of(cls, experiment: Experiment) -> TrialRuns:
        """Return the builder for a stored experiment's further trials."""
        return cls.build(experiment.name, RunSpec.from_dict(experiment.base_spec), experiment.seeds)

    def runs(self, number: int, setting: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Return the runs of trial ``number`` trying ``setting``: queued jobs that any
        worker resumes by itself once their worker died (``auto_resume``)."""
        spec = apply_setting(self.base, setting)
        return [
            run_fields(
                replace(spec, seed=seed, name=self.run_name(number, seed)),
                config=self.config,
                auto_resume=True,
            )
            for seed in self.seeds
        ]

    def run_name(self, number: int, seed: int) -> str:
        """Return the name of a run: the experiment's, shortened to leave room for the
        trial and seed."""
        suffix = f" trial {number} seed {seed}"
        return self.name[: MAX_NAME - len(suffix)].rstrip() + suffix


def first_settings(space: Space, budget: int, seed: int) -> list[dict[str, Any]]:
    """Return the settings a grid or random sweep launches, all at once.

    Args:
        space: the validated space (its method says which).
        budget: how many settings.
        seed: the experiment's seed (the base spec's): the same request draws the same.

    Returns:
        ``grid``: every combination, or ``budget`` of them drawn without replacement (kept
        in grid order) when the budget is smaller than the grid; ``random``: ``budget``
        draws from a numpy generator seeded with ``seed``.
    """
    rng = np.random.default_rng(seed)
    if space.method == "grid":
        size = space.grid_size()
        indices = range(size) if budget >= size else sorted(rng.choice(size, budget, replace=False))
        return [space.combination(int(index)) for index in indices]
    return [space.draw(rng) for _ in range(budget)]
