"""Launching experiments into a real store: the runs of every trial, the study beside the
store, and nothing written for a bad request."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from app.experiments import study
from app.experiments.launch import launch_experiment
from app.experiments.request import parse_request
from app.experiments.trials import first_settings
from gridworld.errors import ValidationError
from gridworld.spec import MAX_NAME
from tests.dashboard_support import snapshot
from tests.experiments.support import TPE

GRID = {
    "name": "decay sweep",
    "base": {"env_id": "FrozenLake-v1", "episodes": 50, "seed": 7},
    "space": {"alpha": [0.1, 0.5], "epsilon_decay": {"low": 0.9, "high": 0.99, "steps": 3}},
    "seeds": 3,
}


def test_a_grid_queues_every_combination_times_every_seed(store):
    experiment = launch_experiment(store, GRID)
    assert (experiment.method, experiment.budget, experiment.status) == ("grid", 6, "finished")
    assert experiment.seeds == [7, 8, 9] and experiment.study_name is None
    assert experiment.space["epsilon_decay"] == {
        "low": 0.9,
        "high": 0.99,
        "scale": "linear",
        "steps": 3,
    }
    runs = store.experiments.runs(experiment.id)
    found = {(r.hyperparams["alpha"], r.hyperparams["epsilon_decay"], r.seed) for r in runs}
    assert found == set(itertools.product((0.1, 0.5), (0.9, 0.945, 0.99), (7, 8, 9)))
    assert len(runs) == 18 and all(run.status == "queued" and run.auto_resume for run in runs)
    assert [run.trial for run in runs] == [n for n in range(6) for _ in range(3)]
    first = runs[0]
    assert (first.env_id, first.target_episodes, first.spec["seed"]) == ("FrozenLake-v1", 50, 7)
    assert first.name == "decay sweep trial 0 seed 7" and first.env_config["n_states"] == 16
    assert first.hyperparams["gamma"] == 0.99  # the base's, untouched by the space


def test_a_random_sweep_queues_the_seeded_draws(store):
    request = {**TPE, "method": "random", "budget": 4}
    experiment = launch_experiment(store, request)
    plan = parse_request(request)
    drawn = first_settings(plan.space, 4, seed=0)
    runs = store.experiments.runs(experiment.id)
    assert [
        {"alpha": run.hyperparams["alpha"], "gamma": run.hyperparams["gamma"]} for run in runs[::2]
    ] == drawn
    assert experiment.status == "finished" and experiment.trials_launched == 4


def test_runs_are_named_within_the_name_limit(store):
    experiment = launch_experiment(store, {**GRID, "name": "n" * MAX_NAME})
    names = [run.name for run in store.experiments.runs(experiment.id)]
    assert all(len(name) <= MAX_NAME for name in names)
    assert names[-1].endswith(" trial 5 seed 9") and experiment.name == "n" * MAX_NAME


@pytest.mark.parametrize(
    "bad",
    [
        {**GRID, "space": {"alpha": [0.1, 2]}},
        {**TPE, "budget": 0},
        {**TPE, "space": {"alpha": {"low": 0, "high": 1, "scale": "log"}}},
        {**GRID, "pruner": "maybe"},
        {**GRID, "seeds": 0},
    ],
)
def test_a_bad_request_writes_nothing(store, store_url, tmp_path, bad):
    launch_experiment(store, GRID)
    before, files = snapshot(store_url), sorted(tmp_path.iterdir())
    with pytest.raises(ValidationError):
        launch_experiment(store, bad)
    assert snapshot(store_url) == before
    assert sorted(tmp_path.iterdir()) == files  # no journal, no lock file


def test_tpe_starts_enough_settings_for_every_slot_with_one_trial_per_run(store, store_url):
    experiment = launch_experiment(store, TPE)
    # ceil(3 slots / 2 seeds) + 1 settings: 6 runs for 3 slots
    assert experiment.trials_launched == 3 and experiment.status == "running"
    assert experiment.options["initial"] == 3 and experiment.study_name.startswith("gridlab-")
    runs = store.experiments.runs(experiment.id)
    trials = study.trials_by_run(study.load(store_url, experiment.study_name))
    assert sorted(trials) == sorted(run.id for run in runs)
    for run in runs:
        trial = trials[run.id]
        assert trial.state.name == "RUNNING"
        assert trial.params == {k: run.hyperparams[k] for k in ("alpha", "gamma")}
        assert 0.01 <= trial.params["alpha"] <= 1
    by_setting = {run.trial: run.hyperparams["alpha"] for run in runs}
    assert len(set(by_setting.values())) == 3  # three different settings, seeds alike


def test_the_study_lives_beside_a_sqlite_store_not_in_it(store, store_url, tmp_path: Path):
    launch_experiment(store, TPE)
    assert (tmp_path / "store.sqlite.optuna-journal").stat().st_size > 0
    assert (tmp_path / "store.sqlite.optuna-journal").stat().st_mode & 0o077 == 0
    tables = {
        name
        for (name,) in sqlite3.connect(tmp_path / "store.sqlite").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert "experiments" in tables and not tables & {"studies", "trials", "version_info"}


def test_the_study_of_an_objective_to_minimise_minimises(store, store_url):
    experiment = launch_experiment(
        store, {**TPE, "objective": "episodes_to_threshold", "threshold": 0.5}
    )
    assert study.load(store_url, experiment.study_name).direction.name == "MINIMIZE"
    assert experiment.options["threshold"] == 0.5


def test_a_pruned_grid_has_a_trial_for_every_run_and_fixed_checkpoints(store, store_url):
    experiment = launch_experiment(store, {**GRID, "pruner": "median"})
    assert experiment.base_spec["checkpoint_every"] == 3  # ceil(50 episodes / 20 reports)
    runs = store.experiments.runs(experiment.id)
    assert {run.spec["checkpoint_every"] for run in runs} == {3}
    trials = study.trials_by_run(study.load(store_url, experiment.study_name))
    assert sorted(trials) == sorted(run.id for run in runs)


def test_a_study_needs_a_store_with_a_place_beside_it():
    with pytest.raises(ValidationError, match="in-memory store"):
        study.check_store("sqlite://")
    study.check_store("postgresql+psycopg://u@127.0.0.1:1/x")  # its RDB storage, no file


def test_an_algorithm_in_the_space_is_each_runs_algorithm(store):
    request = {**GRID, "space": {"algorithm": ["sarsa", "double_q"]}, "seeds": 1}
    experiment = launch_experiment(store, request)
    runs = store.experiments.runs(experiment.id)
    assert [run.spec["algorithm"] for run in runs] == ["sarsa", "double_q"]
    assert experiment.base_spec["algorithm"] == "q_learning"
