"""Launching an experiment: the one entry the CLI, the HTTP API and the dashboard's form use."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from runstore import Experiment, RunStore

from . import study
from .request import Plan, parse_request
from .trials import TrialRuns, first_settings


def launch_experiment(store: RunStore, request: Mapping[str, Any]) -> Experiment:
    """Validate a sweep request, then record the experiment with its first trials' runs,
    queued for any worker.

    Args:
        store: the run store.
        request: the sweep, keyed by
            ``name`` (text, as a run name; default "<method> sweep on <env>"),
            ``method`` (``grid`` (default), ``random``, ``tpe`` or ``pbt``),
            ``base`` (run-spec fields as ``gridworld.spec.validate_run_spec`` reads them:
            ``env_id``, ``preset``, ``desc``, ``episodes``, ``hyperparams``, ``seed`` (the
            first seed), ``checkpoint_every``...; no ``name``),
            ``space`` (parameter to a list of values or a range object, see
            ``app.experiments.space``),
            ``seeds`` (how many seeds each setting is trained with, 1 to 100; default 1),
            ``budget`` (how many settings: a grid's size or fewer; required for random and
            tpe),
            ``objective`` (``final_return`` (default), ``auc``, ``episodes_to_threshold``,
            ``normalised_score``),
            ``threshold`` (the mean return ``episodes_to_threshold`` waits for; required by
            it),
            ``pruner`` (``none`` (default), ``median`` or ``halving``),
            for ``pbt`` ``population`` (or ``budget``), ``interval`` and ``sync_seconds``
            (see ``app.experiments.pbt_request``), and
            ``slots`` (the worker slots to keep busy, default this machine's cores: TPE
            starts with ``ceil(slots / seeds) + 1`` settings and launches one more each
            time a setting's runs have all ended).

    Returns:
        The experiment as stored (``running``; ``finished`` once every trial is launched,
        at once for grid and random).

    Raises:
        ValidationError: a bad key or value, naming it; nothing is written.
        StoreError: the store could not record it.
    """
    return launch_plan(store, parse_request(request))


def launch_plan(store: RunStore, plan: Plan) -> Experiment:
    """Record the experiment of a validated request (``launch_experiment`` after its checks;
    the CLI checks a request before it opens the store).

    Returns:
        The experiment as stored.

    Raises:
        ValidationError: a study is needed and the store is in memory.
        StoreError: the store could not record it.
    """
    if plan.needs_study:
        study.check_store(store.url)
    builder = TrialRuns.build(plan.name, plan.base, plan.seeds)
    if not plan.needs_study:
        settings = first_settings(plan.space, plan.budget, plan.base.seed)
        trials = [builder.runs(number, setting) for number, setting in enumerate(settings)]
        if plan.method == "pbt":  # a member is one run, seeded after its number
            trials = [
                replace(builder, seeds=(plan.base.seed + number,)).runs(number, setting)
                for number, setting in enumerate(settings)
            ]
        experiment_id, _ = store.experiments.create(**_fields(plan), trials=trials)
        return store.experiments.get(experiment_id)
    return _launch_with_study(store, plan, builder)


def _fields(plan: Plan) -> dict[str, Any]:
    """Return the experiment's own fields for ``store.experiments.create``."""
    return {
        "name": plan.name,
        "method": plan.method,
        "base_spec": plan.base.to_dict(),
        "space": plan.space.to_dict(),
        "seeds": plan.seeds,
        "budget": plan.budget,
        "objective": plan.objective,
        "options": plan.options(),
    }


def _launch_with_study(store: RunStore, plan: Plan, builder: TrialRuns) -> Experiment:
    """Create the study, draw the first settings (TPE asks its sampler), record the
    experiment and give each run its trial, under the study lock.

    Returns:
        The experiment as stored.
    """
    name = f"gridlab-{uuid.uuid4().hex}"
    url = store.url
    with study.study_lock(url):
        study.create(url, name, plan.direction)
        try:
            if plan.method == "tpe":
                seeds = [study.sampler_seed(plan.base.seed, n) for n in range(plan.initial)]
                asked = [study.ask(study.load(url, name, None, s), plan.space) for s in seeds]
                settings = [trial.params for trial in asked]
            else:
                asked = []
                settings = first_settings(plan.space, plan.budget, plan.base.seed)
            trials = [builder.runs(number, setting) for number, setting in enumerate(settings)]
            experiment_id, run_ids = store.experiments.create(
                **_fields(plan), study_name=name, trials=trials
            )
        except BaseException:
            study.delete(url, name)
            raise
        opened = study.load(url, name)
        study.attach(opened, plan.space, settings, run_ids, len(plan.seeds), asked)
    return store.experiments.get(experiment_id)
