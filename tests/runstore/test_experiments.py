"""Experiments in the store: created with their runs in one transaction, extended once."""

from __future__ import annotations

import threading

import pytest

from runstore import ExperimentNotFound, InvalidQuery, Owner, RunStore

SPEC = {"env_id": "GridWorld-v0", "preset": "easy"}


def run_fields(alpha: float, seed: int) -> dict:
    """Return the create_run fields of one seed of a trial with step size ``alpha``."""
    return {
        "name": f"alpha {alpha} seed {seed}",
        "env_id": "GridWorld-v0",
        "env_config": {"n_states": 25, "n_actions": 4},
        "hyperparams": {"alpha": alpha},
        "seed": seed,
        "target_episodes": 100,
        "spec": {**SPEC, "seed": seed, "hyperparams": {"alpha": alpha}},
    }


def trial(alpha: float, seeds=(0, 1)) -> list[dict]:
    """Return a trial's runs, one per seed."""
    return [run_fields(alpha, seed) for seed in seeds]


def new_experiment(store: RunStore, trials, budget: int | None = 4, method: str = "random"):
    """Create an experiment over alpha with ``trials``; return (id, run ids)."""
    return store.experiments.create(
        name="alpha sweep",
        method=method,
        base_spec=SPEC,
        space={"alpha": {"low": 0.01, "high": 1.0, "log": True}},
        seeds=[0, 1],
        budget=budget,
        objective="final_return",
        options={"threshold": 0.5},
        trials=trials,
    )


def test_create_stores_the_experiment_and_links_its_runs(store):
    experiment_id, run_ids = new_experiment(store, [trial(0.1), trial(0.3)])
    experiment = store.experiments.get(experiment_id)
    assert (experiment.name, experiment.method, experiment.status) == (
        "alpha sweep",
        "random",
        "running",
    )
    assert experiment.seeds == [0, 1] and experiment.budget == 4
    assert experiment.trials_launched == 2 and experiment.options == {"threshold": 0.5}
    assert experiment.to_dict()["created_at"] == experiment.created_at.isoformat()
    runs = store.experiments.runs(experiment_id)
    assert [run.id for run in runs] == run_ids and len(run_ids) == 4
    assert [(run.trial, run.seed, run.status) for run in runs] == [
        (0, 0, "queued"),
        (0, 1, "queued"),
        (1, 0, "queued"),
        (1, 1, "queued"),
    ]
    assert {run.experiment_id for run in runs} == {experiment_id}
    assert store.list_runs(experiment_id) == sorted(runs, key=lambda run: -run.id)
    assert [e.id for e in store.experiments.list_all()] == [experiment_id]


def test_runs_of_an_experiment_are_jobs_any_worker_claims(store):
    _, run_ids = new_experiment(store, [trial(0.1)])
    claim = store.claim_next(Owner("elsewhere", 1, 1.0))
    assert claim is not None and claim.run_id == run_ids[0]
    store.release(claim, "pruned")
    assert store.get_run(run_ids[0]).status == "pruned"
    assert store.get_run(run_ids[0]).finished_at is not None


def test_add_trials_launches_once_when_two_callers_expect_the_same_count(store):
    experiment_id, _ = new_experiment(store, [trial(0.1)])
    first = store.experiments.add_trials(experiment_id, [trial(0.2)], expected=1)
    second = store.experiments.add_trials(experiment_id, [trial(0.4)], expected=1)
    assert first is not None and len(first) == 2 and second is None
    runs = store.experiments.runs(experiment_id)
    assert sorted({(run.trial, run.hyperparams["alpha"]) for run in runs}) == [(0, 0.1), (1, 0.2)]


def test_racing_threads_launch_each_trial_number_once(store):
    experiment_id, _ = new_experiment(store, [], budget=None)
    results: list[list[int] | None] = []

    def launch(alpha: float) -> None:
        results.append(store.experiments.add_trials(experiment_id, [trial(alpha)], expected=0))

    threads = [threading.Thread(target=launch, args=(0.1 * n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1
    assert len(store.experiments.runs(experiment_id)) == 2
    assert store.experiments.get(experiment_id).trials_launched == 1


def test_launching_the_last_trial_of_the_budget_finishes_the_experiment(store):
    experiment_id, _ = new_experiment(store, [trial(0.1)], budget=2)
    assert store.experiments.add_trials(experiment_id, [trial(0.2)], expected=1) is not None
    experiment = store.experiments.get(experiment_id)
    assert experiment.status == "finished" and experiment.finished_at is not None
    assert store.experiments.add_trials(experiment_id, [trial(0.3)], expected=2) is None


def test_trials_beyond_the_budget_are_refused_and_write_nothing(store):
    with pytest.raises(InvalidQuery, match="at most 1 more"):
        new_experiment(store, [trial(0.1), trial(0.2)], budget=1)
    assert store.experiments.list_all() == [] and store.list_runs() == []


def test_a_stopped_experiment_launches_no_more_trials(store):
    experiment_id, _ = new_experiment(store, [trial(0.1)])
    store.experiments.set_status(experiment_id, "stopped")
    assert store.experiments.get(experiment_id).status == "stopped"
    assert store.experiments.add_trials(experiment_id, [trial(0.2)], expected=1) is None
    with pytest.raises(InvalidQuery, match="running, finished, stopped"):
        store.experiments.set_status(experiment_id, "paused")


def test_unknown_experiments_and_methods_are_named(store):
    with pytest.raises(ExperimentNotFound, match="experiment 99 not found"):
        store.experiments.get(99)
    with pytest.raises(ExperimentNotFound):
        store.experiments.runs("1")
    with pytest.raises(InvalidQuery, match="grid, random, tpe, pbt"):
        new_experiment(store, [], method="anneal")


def test_a_run_of_its_own_belongs_to_no_experiment(store):
    run_id = store.create_run(**run_fields(0.1, 0))
    run = store.get_run(run_id)
    assert run.experiment_id is None and run.trial is None
    assert store.list_runs(1) == []
