"""A real ``run.py train --pace`` process: it holds the pace, sleeps instead of spinning,
takes up a live ``run.py pace`` change (recorded, stamped, kept on resume), and the CLI
refuses a bad pace with exit 2 naming it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from app.training import Trainer
from gridworld.pace import PACE_ALLOWED
from runstore import Owner, RunStore
from tests.cli.support import RUN_PY, gridlab
from tests.trainer.support import make_spec, train_new, wait_for

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def recent_rate(store: RunStore, run_id: int, after: int, count: int) -> float:
    """Return the episodes per second of the run's stored episodes ``after+1..after+count``
    by their own wall times."""
    rows = store.episodes(run_id, after + 1, count)
    assert len(rows) == count
    return (rows[-1].episode - rows[0].episode) / (rows[-1].wall_time - rows[0].wall_time)


def episodes_done(store: RunStore, run_id: int, at_least: int) -> int:
    """Wait until the run stored ``at_least`` episodes; return how many it has."""
    return wait_for(
        lambda: (done := store.get_run(run_id).episodes_done) >= at_least and done,
        120,
        f"{at_least} episodes",
    )


def test_a_paced_train_holds_its_pace_sleeps_and_takes_a_live_change(store_url, store):
    options = ["--db", store_url, "--pace", "20", "--episodes", "100000", "--seed", "3"]
    train = subprocess.Popen([sys.executable, RUN_PY, "train", *options], stderr=subprocess.DEVNULL)
    try:
        run_id = wait_for(lambda: store.list_runs(), 60, "the run")[0].id
        start = episodes_done(store, run_id, 10)  # started: numba loaded, first chunks played
        cpu, wall = cpu_seconds(train.pid), time.monotonic()
        episodes_done(store, run_id, start + 40)
        cpu, wall = cpu_seconds(train.pid) - cpu, time.monotonic() - wall
        assert cpu / wall < 0.5, (cpu, wall)
        assert recent_rate(store, run_id, start, 40) <= 1.5 * 20

        changed = gridlab("pace", str(run_id), "200", "--db", store_url)
        assert changed.returncode == 0, changed.stderr
        assert changed.stdout.strip() == f"run {run_id} pace: 200 episodes/s (requested)"
        applied = wait_for(
            lambda: store.param_changes(run_id)[-1].applied_episode, 30, "the change applied"
        )
        episodes_done(store, run_id, applied + 400)
        assert 1.5 * 20 < recent_rate(store, run_id, applied, 400) <= 1.5 * 200
    finally:
        train.send_signal(signal.SIGINT)
        assert train.wait(60) == 130
    (change,) = store.param_changes(run_id)
    assert (change.param, change.new_value, change.source) == ("pace", 200.0, "cli")
    assert store.get_run(run_id).status == "paused"
    resumed = Trainer(store, store.claim_run(run_id, Owner.here()))
    resumed.restore()
    assert resumed.pace == 200.0
    assert "pace" not in resumed.agent.hyperparams.to_dict()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["train", "--pace", "0"],
            f"error: pace=0 is invalid: out of range; allowed: {PACE_ALLOWED}",
        ),
        (["train", "--pace", "fast"], "error: pace='fast' is invalid: not a number"),
        (["pace", "1", "-5"], "error: pace=-5 is invalid: out of range"),
        (["pace", "1", "2e6"], "error: pace=2e6 is invalid: out of range"),
        (["pace", "99", "5"], "error: run 99"),
    ],
)
def test_a_bad_pace_on_the_command_line_exits_2_naming_it(store_url, store, args, message):
    train_new(store, make_spec(episodes=5))
    done = gridlab(*args, "--db", store_url)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert store.param_changes(1) == []
    assert len(store.list_runs()) == 1
