"""An experiment's Optuna study: where it is stored, who may talk to it, and its trials.

Each (setting, seed) run is one Optuna trial, with a user attribute naming the run. The
pruner compares runs at the same checkpoint episode, which it can only do per run (the
seeds of a setting, reporting into one trial, would report every step several times); and
TPE still models settings: a setting's seeds are trials with the same parameters, so the
sampler's densities see every seed's score, noise included. A TPE setting's first seed is
the trial ``ask`` created; its other seeds are trials added with the same parameters.

Storage follows the run store. On PostgreSQL the study lives in Optuna's RDB storage in the
same database, and workers on any number of machines talk to it directly (the store's
``add_trials(expected=...)`` is what launches a setting once). On SQLite, Optuna's FAQ
advises against parallel writers (optuna#4002), so the study lives in Optuna's journal file
beside the store (``<store>.optuna-journal``) and one process at a time talks to it, under
an ``fcntl.flock`` on ``<store>.optuna-lock``: Optuna's tables in the store's own file
would compete for SQLite's one write lock with every worker's episode batches, and the
store file stays gridlab's alone (a SQLite store is one application's database).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from gridworld.errors import ValidationError
from runstore.engine import create_private_file, store_file

from .space import Choice, Space

JOURNAL_SUFFIX = ".optuna-journal"
LOCK_SUFFIX = ".optuna-lock"
RUN_ATTR = "run_id"
"""The user attribute of a trial naming the gridlab run it is."""

optuna.logging.set_verbosity(optuna.logging.WARNING)  # no per-trial lines under the progress bar


def check_store(url: str) -> None:
    """Refuse a store a study cannot live beside: an in-memory SQLite database.

    Raises:
        ValidationError: field ``method``.
    """
    if url.startswith("sqlite") and store_file(url) is None:
        raise ValidationError(
            "method",
            "tpe",
            "needs a study beside the store, and an in-memory store has no folder",
            "a store in a SQLite file or on PostgreSQL, or grid/random without a pruner",
        )


def _files(url: str) -> tuple[Path, Path] | None:
    """Return the journal and lock files of a SQLite file store; None on PostgreSQL."""
    path = store_file(url)
    if path is None:
        return None
    path = path.resolve()
    return path.with_name(path.name + JOURNAL_SUFFIX), path.with_name(path.name + LOCK_SUFFIX)


@functools.cache
def storage_for(url: str) -> optuna.storages.BaseStorage:
    """Return this process's Optuna storage for the store at ``url`` (one per process)."""
    files = _files(url)
    if files is None:
        return optuna.storages.RDBStorage(url)
    journal = files[0]
    create_private_file(journal)
    return optuna.storages.JournalStorage(JournalFileBackend(str(journal)))


@contextlib.contextmanager
def study_lock(url: str) -> Iterator[None]:
    """Hold the study lock of a SQLite store for the block (on PostgreSQL: no lock).

    Take it before any store write of the block (the store's write lock comes second).
    """
    files = _files(url)
    if files is None:
        yield
        return
    lock = files[1]
    create_private_file(lock)
    with lock.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def create(url: str, name: str, direction: Literal["minimize", "maximize"]) -> None:
    """Create the study ``name`` beside the store (``direction``: minimize or maximize)."""
    optuna.create_study(study_name=name, storage=storage_for(url), direction=direction)


def delete(url: str, name: str) -> None:
    """Delete the study ``name`` (a launch that failed after creating it)."""
    optuna.delete_study(study_name=name, storage=storage_for(url))


def load(
    url: str,
    name: str,
    pruner: optuna.pruners.BasePruner | None = None,
    sampler_seed: int | None = None,
) -> optuna.Study:
    """Return the study ``name`` with a TPE sampler seeded with ``sampler_seed`` and ``pruner``."""
    return optuna.load_study(
        study_name=name,
        storage=storage_for(url),
        sampler=optuna.samplers.TPESampler(seed=sampler_seed),
        pruner=pruner,
    )


def sampler_seed(seed: int, number: int) -> int:
    """Return the TPE sampler's seed for asking setting ``number`` of a sweep seeded ``seed``.

    Each ask loads the study afresh (often in another process), so a sampler seeded with
    the experiment's seed alone would draw the same startup settings every time.
    """
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def make_pruner(name: str, seeds: int, episodes: int, every: int) -> optuna.pruners.BasePruner:
    """Return the pruner ``name`` for runs of ``episodes`` checkpointing every ``every``.

    Returns:
        ``median``: MedianPruner, pruning once a setting's worth (``seeds``) of runs have
        finished, from a quarter of the episodes on (early returns are mostly noise);
        ``halving``: SuccessiveHalvingPruner with its first rung at the first checkpoint;
        ``none``: NopPruner.
    """
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=seeds, n_warmup_steps=episodes // 4)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=every)
    return optuna.pruners.NopPruner()


def distributions(space: Space) -> dict[str, BaseDistribution]:
    """Return Optuna's distribution of each parameter of ``space``.

    Returns:
        A list (and a grid's range: its grid values) as a categorical distribution; a
        random or TPE range as a float one, log-scaled with ``log``.
    """
    found: dict[str, BaseDistribution] = {}
    for parameter in space.parameters:
        if isinstance(parameter, Choice) or parameter.steps is not None:
            found[parameter.name] = CategoricalDistribution(parameter.grid())
        else:
            found[parameter.name] = FloatDistribution(
                parameter.low, parameter.high, log=parameter.log
            )
    return found


def ask(study: optuna.Study, space: Space) -> optuna.Trial:
    """Return a new trial of ``study`` with a setting drawn by its sampler (``trial.params``)."""
    return study.ask(distributions(space))


def attach(
    opened: optuna.Study,
    space: Space,
    settings: Sequence[Mapping[str, Any]],
    run_ids: Sequence[int],
    seeds: int,
    asked: Sequence[optuna.Trial] = (),
) -> None:
    """Give each run of newly launched trials its Optuna trial.

    Args:
        opened: the study.
        space: the experiment's space (the trials' distributions).
        settings: the trials' settings, in launch order.
        run_ids: their runs' ids, trial by trial, ``seeds`` runs each (as the store's
            ``create`` and ``add_trials`` return them).
        seeds: runs per trial.
        asked: the trials TPE asked for the first settings: each becomes its setting's
            first seed; the other runs get running trials with the same parameters.
    """
    found = distributions(space)
    for index, setting in enumerate(settings):
        ids = list(run_ids[index * seeds : (index + 1) * seeds])
        if index < len(asked):
            asked[index].set_user_attr(RUN_ATTR, ids.pop(0))
        for run_id in ids:
            trial = optuna.trial.create_trial(
                state=TrialState.RUNNING,
                params=dict(setting),
                distributions={name: found[name] for name in setting},
                user_attrs={RUN_ATTR: run_id},
            )
            opened.add_trial(trial)


def trials_by_run(study: optuna.Study) -> dict[int, FrozenTrial]:
    """Return the study's trials by the id of the run each one is."""
    return {
        trial.user_attrs[RUN_ATTR]: trial
        for trial in study.get_trials(deepcopy=False)
        if RUN_ATTR in trial.user_attrs
    }


def live_trial(study: optuna.Study, frozen: FrozenTrial) -> optuna.Trial:
    """Return the trial to report to (``FrozenTrial`` keeps its storage id private, and
    ``Trial(study, id)`` is the public way to a running trial)."""
    return optuna.Trial(study, frozen._trial_id)
