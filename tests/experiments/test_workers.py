"""Sweeps trained by real worker processes: TPE sharing one study (SQLite: its journal under
the study lock; PostgreSQL: Optuna's RDB storage in the store's database), and pruning."""

from __future__ import annotations

import math

import pytest

from app.experiments import study
from app.experiments.foreground import is_done
from app.experiments.launch import launch_experiment
from app.experiments.scoring import score
from app.training import WorkerPool
from tests.experiments.support import TPE
from tests.trainer.support import FAST, wait_for


def wait_until_done(store, experiment_id: int, timeout: float) -> list:
    """Wait until the experiment launched all it will and every run ended; return its runs."""

    def done() -> list | None:
        # the experiment first: trials launched before it was read have their runs in the
        # read after it (read the other way round, the last trial could land in between)
        experiment = store.experiments.get(experiment_id)
        runs = store.experiments.runs(experiment_id)
        return runs if is_done(experiment, runs) else None

    return wait_for(done, timeout, f"experiment {experiment_id} to end")


def wait_until_told(url: str, study_name: str, timeout: float = 30) -> None:
    """Wait until no trial of the study is running (a run's worker tells its trial right
    after it released the run)."""
    wait_for(
        lambda: all(trial.state.name != "RUNNING" for trial in study.load(url, study_name).trials),
        timeout,
        "every trial to be told",
    )


def test_tpe_workers_share_one_study_and_launch_each_setting_once(any_store, any_url, launcher):
    workers = [launcher.worker(any_url, slots=1) for _ in range(2)]
    experiment = launch_experiment(any_store, {**TPE, "base": {"episodes": 150}, "slots": 2})
    assert experiment.trials_launched == 2  # ceil(2 slots / 2 seeds) + 1
    runs = wait_until_done(any_store, experiment.id, 180)
    wait_until_told(any_url, experiment.study_name)
    experiment = any_store.experiments.get(experiment.id)
    assert experiment.trials_launched == 6 == experiment.budget
    assert experiment.status == "finished"
    assert sorted((run.trial, run.seed) for run in runs) == [
        (t, s) for t in range(6) for s in (0, 1)
    ]
    assert all(run.status == "finished" for run in runs)
    for number in range(6):  # the seeds of a setting share its parameters
        assert len({str(run.hyperparams) for run in runs if run.trial == number}) == 1
    opened = study.load(any_url, experiment.study_name)
    trials = study.trials_by_run(opened)
    assert sorted(trials) == sorted(run.id for run in runs)
    lost = [
        trial for trial in opened.trials if trial.number not in {t.number for t in trials.values()}
    ]
    # an ask whose setting another machine launched first is told FAIL (PostgreSQL only:
    # on SQLite the study lock lets one process at a time decide)
    assert all(trial.state.name == "FAIL" for trial in lost)
    if any_url.startswith("sqlite"):
        assert not lost
    for run in runs:
        trial = trials[run.id]
        assert trial.state.name == "COMPLETE"
        assert math.isclose(trial.value, score(any_store, run.id, "final_return", None))
    for worker in workers:
        assert "locked" not in worker.stderr() and "Traceback" not in worker.stderr()


@pytest.mark.parametrize("pruner", ["median", "halving"])
def test_a_clearly_worse_setting_is_pruned(store, store_url, pruner):
    request = {
        "base": {"episodes": 400},
        "space": {"epsilon_decay": [0.99, 1.0]},  # 1.0: epsilon stays 1, a random walk
        "seeds": 2,
        "pruner": pruner,
    }
    experiment = launch_experiment(store, request)
    with WorkerPool(store_url, 1, settings=FAST):  # in order: the better setting first
        runs = wait_until_done(store, experiment.id, 120)
        wait_until_told(store_url, experiment.study_name)
    trials = study.trials_by_run(study.load(store_url, experiment.study_name))
    worse = [run for run in runs if run.trial == 1]
    assert all(run.status == "pruned" and run.episodes_done < 400 for run in worse)
    assert all(trials[run.id].state.name == "PRUNED" for run in worse)
    assert all(run.finished_at is not None for run in worse)
    better = [run for run in runs if run.trial == 0]
    assert any(run.status == "finished" for run in better)
    for run in better:
        assert trials[run.id].state.name == {"finished": "COMPLETE", "pruned": "PRUNED"}[run.status]
    if pruner == "median":  # the median rule prunes nothing before a setting's seeds finished
        assert all(run.status == "finished" for run in better)
        assert min(run.episodes_done for run in worse) >= 100  # nor in the first quarter


def test_a_tpe_sweep_over_algorithms_trains_each_with_its_own_agent(store, store_url):
    request = {**TPE, "space": {"algorithm": ["sarsa", "expected_sarsa"]}, "seeds": 1, "budget": 3}
    experiment = launch_experiment(store, request)
    with WorkerPool(store_url, 2, settings=FAST):
        runs = wait_until_done(store, experiment.id, 120)
        wait_until_told(store_url, experiment.study_name)
    assert all(run.status == "finished" for run in runs) and len(runs) == 3
    trials = study.trials_by_run(study.load(store_url, experiment.study_name))
    for run in runs:
        assert trials[run.id].params == {"algorithm": run.spec["algorithm"]}
        assert store.load_checkpoint(run.id).agent_state["algorithm"] == run.spec["algorithm"]
