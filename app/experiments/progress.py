"""Moving an experiment on once runs have ended: tell the study what they scored, and let
TPE launch the settings now due.

``advance`` is called by the worker that ended a run of the experiment (and by ``sweep``
while it waits). It is safe to call any number of times, from any process: a trial already
told is skipped, and each new setting is launched through ``add_trials(expected=n)``, which
writes it only if exactly ``n`` settings were launched before, so that it happens once.
TPE keeps ``initial`` settings (``Plan.initial``) plus one more per setting whose runs have
all ended launched, up to the budget.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import TrialState

from runstore import Experiment, Run, RunStore

from . import study
from .scoring import score
from .space import parse_space
from .trials import TrialRuns

log = logging.getLogger(__name__)

ENDED = ("finished", "pruned", "error", "stopped")
"""Statuses a run of an experiment has ended in (a crashed run is resumed by a worker)."""


def advance(store: RunStore, experiment_id: int) -> None:
    """Tell the study about the experiment's ended runs and launch the TPE settings due.

    Does nothing for an experiment without a study (grid and random without a pruner).
    """
    if store.experiments.get(experiment_id).study_name is None:
        return
    with study.study_lock(store.url):
        experiment = store.experiments.get(experiment_id)  # read under the lock: up to date
        runs = store.experiments.runs(experiment_id)
        opened = study.load(store.url, str(experiment.study_name))
        _tell_ended(store, experiment, opened, runs)
        if experiment.method == "tpe" and experiment.status == "running":
            _launch_due(store, experiment, runs)


def _tell_ended(
    store: RunStore, experiment: Experiment, opened: optuna.Study, runs: Sequence[Run]
) -> None:
    """Finish the running trial of every ended run: COMPLETE with its score (FAIL when it
    has none), PRUNED, or FAIL for a run that failed or was stopped."""
    trials = study.trials_by_run(opened)
    threshold = experiment.options.get("threshold")
    for run in runs:
        trial = trials.get(run.id)
        if run.status not in ENDED or trial is None or trial.state != TrialState.RUNNING:
            continue
        value = None
        state = {"pruned": TrialState.PRUNED}.get(run.status, TrialState.FAIL)
        if run.status == "finished":
            value = score(store, run.id, experiment.objective, threshold)
            if not math.isnan(value):
                state = TrialState.COMPLETE
        try:
            opened.tell(
                trial.number,
                value if state == TrialState.COMPLETE else None,
                state=state,
                skip_if_finished=True,
            )
        except UpdateFinishedTrialError:  # another process told it in between (PostgreSQL)
            continue


def _launch_due(store: RunStore, experiment: Experiment, runs: Sequence[Run]) -> None:
    """Ask TPE for the settings now due and launch each once (see the module docstring)."""
    by_trial: dict[int, list[str]] = {}
    for run in runs:
        if run.trial is not None:
            by_trial.setdefault(run.trial, []).append(run.status)
    ended = sum(all(status in ENDED for status in statuses) for statuses in by_trial.values())
    due = min(experiment.budget or 0, experiment.options["initial"] + ended)
    if experiment.trials_launched >= due:
        return
    base = TrialRuns.of(experiment)
    space = parse_space(experiment.space, experiment.method, base.base)
    for number in range(experiment.trials_launched, due):
        seed = study.sampler_seed(base.base.seed, number)
        opened = study.load(store.url, str(experiment.study_name), None, seed)
        asked = study.ask(opened, space)
        run_ids = store.experiments.add_trials(
            experiment.id, [base.runs(number, asked.params)], expected=number
        )
        if run_ids is None:  # launched first by a worker elsewhere (PostgreSQL), or stopped
            opened.tell(asked.number, state=TrialState.FAIL)
            log.info("experiment %s: setting %s was launched elsewhere", experiment.id, number)
            return
        study.attach(opened, space, [asked.params], run_ids, len(base.seeds), [asked])
