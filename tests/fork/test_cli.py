"""``python run.py fork``: a real process over a real SQLite file."""

from __future__ import annotations

import pytest

from runstore import RunStore
from tests.cli.support import gridlab


@pytest.fixture
def trained(tmp_path) -> tuple[str, int]:
    """Return a store file holding a finished run of 300 episodes (checkpoints every 100)."""
    db = str(tmp_path / "runs.sqlite")
    done = gridlab(
        "train", "--db", db, "--episodes", "300", "--checkpoint-every", "100", "--seed", "1"
    )
    assert done.returncode == 0, done.stderr
    return db, int(done.stdout.split()[-1])


def test_fork_queues_a_run_at_the_checkpoint_with_the_changed_alpha(trained):
    db, parent = trained
    forked = gridlab("fork", str(parent), "--db", db, "--at", "200", "--alpha", "0.05")
    assert forked.returncode == 0, forked.stderr
    child = int(forked.stdout.strip())
    assert f"forked from run {parent} at episode 200" in forked.stderr
    store = RunStore(f"sqlite:///{db}")
    try:
        run = store.get_run(child)
        assert (run.status, run.parent_id, run.fork_episode) == ("queued", parent, 200)
        assert run.hyperparams["alpha"] == 0.05 and run.target_episodes == 300
        latest = gridlab("fork", str(child), "--db", db, "--episodes", "500", "--name", "again")
        assert latest.returncode == 0, latest.stderr
        again = store.get_run(int(latest.stdout.strip()))
        assert (again.parent_id, again.fork_episode, again.name) == (child, 200, "again")
        assert again.target_episodes == 500
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "250"], "has no checkpoint at episode 250; its checkpoints are at episodes"),
        (["--at", "x"], "has no checkpoint named 'x'; it has no named checkpoint"),
        (["--at", "x y"], "at='x y' is invalid: holds ' '; allowed: a checkpoint episode"),
        (["--at", "1.5"], "at=1.5 is invalid: not a whole number; allowed: a checkpoint episode"),
        (["--epsilon", "2"], "epsilon=2 is invalid: out of range"),
        (["--algorithm", "dqn"], "algorithm='dqn' is invalid: unknown algorithm"),
        (["--episodes", "300", "--at", "300"], "episodes=300 is invalid: out of range"),
    ],
)
def test_bad_fork_options_exit_2_with_one_line(trained, args, message):
    db, parent = trained
    refused = gridlab("fork", str(parent), "--db", db, *args)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert message in refused.stderr and refused.stderr.count("\n") == 1


def test_a_fork_of_an_unknown_run_exits_2(trained):
    db, _ = trained
    refused = gridlab("fork", "77", "--db", db)
    assert (refused.returncode, refused.stderr) == (2, "error: run 77 not found\n")
