"""``python run.py sweep`` as a user runs it: real processes, a real SQLite store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.experiments import study
from app.experiments.request import PRUNERS
from app.stats.objectives import OBJECTIVES
from app.sweep_args import OBJECTIVES_HELP, PRUNERS_HELP
from runstore import RunStore
from tests.cli.support import gridlab
from tests.trainer.support import wait_for
from tests.workers.support import Launcher


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sweep.sqlite'}"


def runs_of(db: str, experiment_id: int) -> list:
    store = RunStore(db)
    try:
        return store.experiments.runs(experiment_id)
    finally:
        store.close()


def training(db: str) -> int:
    """Return how many runs of the store have episodes (0 before the store exists)."""
    if not Path(db.removeprefix("sqlite:///")).exists():
        return 0
    store = RunStore(db)
    try:
        return sum(run.episodes_done > 0 for run in store.list_runs())
    finally:
        store.close()


def test_help_shows_the_space_syntax():
    done = gridlab("sweep", "--help")
    assert done.returncode == 0
    for words in ("--alpha", "--epsilon-decay", "A,B,C", "LOW:HIGH:STEPS", ":log", "--queue-only"):
        assert words in done.stdout
    assert "sweep" in gridlab("--help").stdout


def test_the_help_names_every_objective_and_pruner_the_launcher_takes():
    written = re.findall(r"\w+", OBJECTIVES_HELP), re.findall(r"\w+", PRUNERS_HELP)
    assert [word for word in written[0] if word not in ("default", "or")] == list(OBJECTIVES)
    assert [word for word in written[1] if word not in ("default", "or")] == list(PRUNERS)
    assert f"{OBJECTIVES[0]} (default)" in OBJECTIVES_HELP and "none (default)" in PRUNERS_HELP


def test_a_grid_sweep_trains_every_run_here_with_one_progress_bar(db):
    done = gridlab(
        "sweep",
        *("--db", db, "--episodes", "150", "--alpha", "0.1,0.5", "--epsilon-decay", "0.99"),
        *("--seeds", "2", "--slots", "2", "--name", "alpha sweep", "--algorithm", "sarsa"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1\n"
    assert "experiment 1: alpha sweep, 2 settings x 2 seeds = 4 runs (grid)" in done.stderr
    assert "600/600" in done.stderr and "100%" in done.stderr  # the bar over 4 x 150 episodes
    assert "experiment 1 done: 4 finished" in done.stderr
    runs = runs_of(db, 1)
    assert [(run.status, run.episodes_done) for run in runs] == [("finished", 150)] * 4
    assert {run.hyperparams["epsilon_decay"] for run in runs} == {0.99}  # a single value: base
    assert sorted({run.hyperparams["alpha"] for run in runs}) == [0.1, 0.5]
    assert {run.spec["algorithm"] for run in runs} == {"sarsa"}


def test_a_tpe_sweep_with_a_log_range_and_a_pruner_ends_when_its_budget_is_spent(db):
    done = gridlab(
        "sweep",
        *("--db", db, "--episodes", "100", "--method", "tpe", "--budget", "3"),
        *("--alpha", "0.01:1:log", "--algorithm", "sarsa,double_q", "--pruner", "median"),
        *("--seeds", "1", "--slots", "2"),
    )
    assert done.returncode == 0, done.stderr
    runs = runs_of(db, 1)
    assert sorted(run.trial for run in runs) == [0, 1, 2]
    assert all(run.status in ("finished", "pruned") for run in runs)
    assert all(0.01 <= run.hyperparams["alpha"] <= 1 for run in runs)
    assert {run.spec["algorithm"] for run in runs} <= {"sarsa", "double_q"}
    store = RunStore(db)
    try:
        name = store.experiments.get(1).study_name
    finally:
        store.close()
    assert len(study.load(db, name).trials) == 3


def test_queue_only_leaves_the_runs_for_workers(db):
    done = gridlab("sweep", "--db", db, "--alpha", "0.1,0.2,0.3", "--seeds", "2", "--queue-only")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1\n" and "%" not in done.stderr
    assert [run.status for run in runs_of(db, 1)] == ["queued"] * 6


def test_ctrl_c_puts_the_sweeps_runs_back_in_the_queue(db, tmp_path):
    launcher = Launcher(tmp_path)
    try:
        sweep = launcher.run(
            *("sweep", "--db", db, "--episodes", "2000000", "--alpha", "0.1,0.2", "--slots", "2"),
            name="sweep",
        )
        wait_for(lambda: training(db) == 2, 60, "both runs to train")
        sweep.ctrl_c()
        assert sweep.wait(30) == 130, sweep.stderr()
    finally:
        launcher.close()
    assert "interrupted" in sweep.stderr() and "python run.py worker" in sweep.stderr()
    assert "Traceback" not in sweep.stderr()
    runs = runs_of(db, 1)
    assert [run.status for run in runs] == ["queued", "queued"]
    assert all(run.episodes_done > 0 for run in runs)
