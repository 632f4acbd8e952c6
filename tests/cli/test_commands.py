"""``python run.py train|resume|list|export`` as a user runs them: real processes, real SQLite."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gridworld.errors import ValidationError
from gridworld.spec import validate_run_spec
from runstore import RunStore
from tests.cli.support import RUN_PY, gridlab
from tests.dashboard_support import seeded_run
from tests.trainer.support import assert_contiguous, wait_for


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def validator_message(mapping: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_run_spec(mapping)
    return str(caught.value)


def test_help_lists_every_command():
    done = gridlab("--help")
    assert done.returncode == 0
    for command in ("train", "resume", "list", "export", "dashboard", "worker"):
        assert command in done.stdout
    for option in ("--no-worker", "--slots"):
        assert option in done.stdout
    assert "--slots" in gridlab("worker", "--help").stdout
    train_help = gridlab("train", "--help").stdout
    for option in (
        "--env",
        "--preset",
        "--episodes",
        "--alpha",
        "--epsilon-decay",
        "--seed",
        "--auto-resume",
        "--algorithm",
    ):
        assert option in train_help
    assert "q_learning, sarsa, expected_sarsa, double_q" in " ".join(train_help.split())


def test_train_list_export_round_trip(db, tmp_path):
    done = gridlab("train", "--preset", "easy", "--episodes", "150", "--seed", "4", "--db", db)
    assert done.returncode == 0, done.stderr
    run_id = int(done.stdout.strip().splitlines()[-1])
    assert "ep/s" in done.stderr and "mean return" in done.stderr
    store = RunStore(db)
    try:
        run = store.get_run(run_id)
        assert (run.status, run.episodes_done, run.seed) == ("finished", 150, 4)
        rows = assert_contiguous(store, run_id)
    finally:
        store.close()

    listed = gridlab("list", "--db", db)
    assert listed.returncode == 0
    line = next(row for row in listed.stdout.splitlines() if row.split()[0] == str(run_id))
    assert "finished" in line and "150/150" in line and "GridWorld-v0" in line

    exported = gridlab("export", str(run_id), "--format", "csv", "--db", db)
    assert exported.returncode == 0, exported.stderr
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [int(r["episode"]) for r in table] == list(range(1, 151))
    assert [int(r["length"]) for r in table] == [r["length"] for r in rows]

    out = tmp_path / "run.json"
    exported = gridlab("export", str(run_id), "--format", "json", "-o", str(out), "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text().strip()
    json.loads(out.read_text())


def test_auto_resume_is_off_unless_asked_for(db):
    for args, expected in (([], False), (["--auto-resume"], True)):
        done = gridlab("train", "--episodes", "10", *args, "--db", db)
        assert done.returncode == 0, done.stderr
        run_id = int(done.stdout.strip().splitlines()[-1])
        store = RunStore(db)
        try:
            run = store.get_run(run_id)
        finally:
            store.close()
        assert (run.auto_resume, run.attempt, run.status) == (expected, 1, "finished")


def test_train_learns_with_the_algorithm_asked_for(db):
    done = gridlab("train", "--episodes", "20", "--algorithm", "expected_sarsa", "--db", db)
    assert done.returncode == 0, done.stderr
    store = RunStore(db)
    try:
        run = store.get_run(int(done.stdout.strip().splitlines()[-1]))
        checkpoint = store.load_checkpoint(run.id, "latest")
    finally:
        store.close()
    assert (run.spec["algorithm"], run.status) == ("expected_sarsa", "finished")
    assert checkpoint.agent_state["algorithm"] == "expected_sarsa"


@pytest.mark.parametrize("command", ["worker", "dashboard"])
def test_a_bad_slot_count_exits_2_with_the_number_parsers_message(db, command):
    done = gridlab(command, "--slots", "0", "--db", db)
    assert (done.returncode, done.stderr) == (
        2,
        "error: slots=0 is invalid: out of range; allowed: an integer from 1 to 1024\n",
    )


def test_db_from_environment_variable(db):
    done = gridlab("train", "--episodes", "20", env={"GRIDLAB_DB": db})
    assert done.returncode == 0, done.stderr
    listed = gridlab("list", env={"GRIDLAB_DB": db})
    assert "20/20" in listed.stdout


def test_default_store_is_gridlab_sqlite_in_the_working_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GRIDLAB_DB"}
    done = subprocess.run(
        [sys.executable, RUN_PY, "train", "--episodes", "10"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "gridlab.sqlite").exists()


@pytest.mark.parametrize(
    ("args", "mapping"),
    [
        (["--alpha", "abc"], {"hyperparams": {"alpha": "abc"}}),
        (["--episodes", "0"], {"episodes": "0"}),
        (["--epsilon", "1.5"], {"hyperparams": {"epsilon": "1.5"}}),
        (["--preset", "gigantic"], {"preset": "gigantic"}),
        (["--algorithm", "td_lambda"], {"algorithm": "td_lambda"}),
    ],
)
def test_invalid_values_exit_2_with_the_validators_message(db, args, mapping):
    done = gridlab("train", *args, "--db", db)
    assert done.returncode == 2
    expected = validator_message({"env_id": "GridWorld-v0", **mapping})
    assert done.stderr.strip() == f"error: {expected}"


def test_every_bad_value_is_reported_on_its_own_line_and_nothing_is_created(tmp_path):
    db = tmp_path / "never.sqlite"
    done = gridlab("train", "--episodes", "abc", "--alpha", "0", "--gamma", "1.5", "--db", str(db))
    assert done.returncode == 2
    params = {"alpha": "0", "gamma": "1.5"}
    expected = validator_message({"episodes": "abc", "hyperparams": params}).splitlines()
    assert len(expected) == 3
    assert done.stderr.splitlines() == [f"error: {line}" for line in expected]
    assert not db.exists()


def test_env_without_discrete_spaces_exits_2_saying_why(db):
    done = gridlab("train", "--env", "CartPole-v1", "--db", db)
    assert done.returncode == 2
    assert "Discrete" in done.stderr and "CartPole-v1" in done.stderr
    done = gridlab("train", "--env", "NoSuchEnv-v0", "--db", db)
    assert done.returncode == 2
    assert "NoSuchEnv-v0" in done.stderr


def test_unknown_run_exits_2(db):
    RunStore(db).close()
    for args in (["resume", "99"], ["export", "99", "--format", "json"]):
        done = gridlab(*args, "--db", db)
        assert done.returncode == 2
        assert done.stderr.strip() == "error: run 99 not found"


def test_bad_usage_exits_2(db):
    assert gridlab("export", "1", "--format", "xml", "--db", db).returncode == 2


@pytest.mark.parametrize(
    ("args", "shown", "reason"),
    [
        (["resume", "one"], "'one'", "not a whole number"),
        (["resume", "99999999999999999999"], "99999999999999999999", "out of range"),
        (["export", "0"], "0", "out of range"),
        (["export", "1e3", "--format", "json"], "1e3", "not a whole number"),
    ],
)
def test_a_bad_run_id_exits_2_with_the_id_parsers_message(db, args, shown, reason):
    done = gridlab(*args, "--db", db)
    assert done.returncode == 2
    assert done.stderr == (
        f"error: run_id={shown} is invalid: {reason}; allowed: an integer from 1 to"
        " 9007199254740992\n"
    )


def interrupt(args: list[str], db: str, ready: Callable[[RunStore], bool]) -> tuple[int, str]:
    """Start ``run.py ARGS``, send SIGINT once ``ready(store)`` holds; return (status, stderr)."""
    process = subprocess.Popen(
        [sys.executable, RUN_PY, *args, "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        store = RunStore(db)
        try:
            wait_for(lambda: ready(store), 60, f"progress of {args}")
        finally:
            store.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "paused" in err and "python run.py resume" in err
    return int(out.strip().splitlines()[-1]), err


def test_ctrl_c_checkpoints_and_resume_continues_the_run(db):
    def first_run_started(store: RunStore) -> bool:
        runs = store.list_runs()
        return bool(runs) and runs[0].episodes_done > 0

    run_id, _ = interrupt(["train", "--episodes", "5000000"], db, first_run_started)
    store = RunStore(db)
    try:
        paused = store.get_run(run_id)
        assert paused.status == "paused"
        assert store.checkpoints(run_id)[-1].episode == paused.episodes_done

        def resumed_further(store: RunStore) -> bool:
            return store.get_run(run_id).episodes_done > paused.episodes_done + 100

        assert interrupt(["resume", str(run_id)], db, resumed_further)[0] == run_id
        again = store.get_run(run_id)
        assert again.status == "paused"
        assert store.checkpoints(run_id)[-1].episode == again.episodes_done
        assert_contiguous(store, run_id)
    finally:
        store.close()


def test_a_sigkilled_train_can_be_resumed_as_soon_as_it_reads_crashed(db):
    process = subprocess.Popen(
        [sys.executable, RUN_PY, "train", "--episodes", "5000000", "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = RunStore(db)
    try:
        run_id = wait_for(lambda: store.list_runs() and store.list_runs()[0].id, 60, "the run")
        wait_for(lambda: store.checkpoints(run_id), 60, "a checkpoint")
        process.kill()
        process.wait()
        wait_for(lambda: store.get_run(run_id).status == "crashed", 5, "crashed within 5 s")
        crashed = store.get_run(run_id)

        def past_the_crash(store: RunStore) -> bool:
            return store.get_run(run_id).episodes_done > crashed.episodes_done + 100

        assert interrupt(["resume", str(run_id)], db, past_the_crash)[0] == run_id
        resumed = store.get_run(run_id)
        assert (resumed.status, resumed.attempt) == ("paused", 2)
        assert_contiguous(store, run_id)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        store.close()


def test_resuming_a_finished_run_exits_2(db):
    done = gridlab("train", "--episodes", "10", "--db", db)
    run_id = int(done.stdout.strip().splitlines()[-1])
    refused = gridlab("resume", str(run_id), "--db", db)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: run {run_id} is finished; only paused, stopped, crashed, error or pruned runs can"
        " be resumed\n"
    )


def test_resume_of_a_run_asked_to_pause_cancels_the_request(db):
    store = RunStore(db)
    try:
        run_id = seeded_run(store, status="queued", episodes=0)
        store.request_status(run_id, "paused")
        done = gridlab("resume", str(run_id), "--db", db)
        assert done.returncode == 0, done.stderr
        assert "pending pause or stop is cancelled" in done.stderr
        run = store.get_run(run_id)
        assert (run.status, run.requested_status, run.episodes_done) == ("queued", "running", 0)
    finally:
        store.close()
