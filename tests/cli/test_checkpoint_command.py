"""``python run.py checkpoint RUN --name NAME`` as a user runs it (real processes, real
SQLite, the store of the manage commands' tests): a run that is not training gets the name
on its latest checkpoint, a running one has its worker asked (and the command says so when
no worker saves it in time), and a refused name exits 2 with one line and changes nothing."""

from __future__ import annotations

import pytest

from runstore import RunStore
from tests.cli.support import gridlab
from tests.cli.test_manage_commands import seeded  # noqa: F401  (the fixture)
from tests.dashboard_support import seeded_run, snapshot


def checkpoints(url: str, run_id: int) -> list[tuple[int, str | None]]:
    """Return the run's checkpoints as (episode, name)."""
    store = RunStore(url)
    try:
        return [(info.episode, info.name) for info in store.checkpoints(run_id)]
    finally:
        store.close()


def test_a_finished_run_gets_the_name_on_its_latest_checkpoint(seeded):  # noqa: F811
    url, runs = seeded
    done = gridlab("checkpoint", str(runs["finished"]), "--name", " good-alpha ", "--db", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"Run {runs['finished']} is not training: its latest checkpoint (episode 20) is now"
        " named 'good-alpha'.\n"
    )
    assert checkpoints(url, runs["finished"]) == [(20, "good-alpha")]
    # the name is a fork point (the seeded checkpoint holds no agent, so it is refused there)
    forked = gridlab("fork", str(runs["finished"]), "--at", "good-alpha", "--db", url)
    assert "checkpoint at episode 20 holds no agent" in forked.stderr


def test_a_running_run_without_a_worker_is_asked_and_the_command_says_so(seeded):  # noqa: F811
    url, runs = seeded
    run_id = runs["running"]
    done = gridlab("checkpoint", str(run_id), "--name", "soon", "--wait", "1", "--db", url)
    assert done.returncode == 0, done.stderr
    assert "Checkpoint 'soon' requested" in done.stdout
    assert "Not saved within 1 s: the run is running now." in done.stdout
    store = RunStore(url)
    try:
        assert store.poll_control(run_id).checkpoint_request == "soon"
    finally:
        store.close()
    again = gridlab("checkpoint", str(run_id), "--name", "later", "--wait", "0", "--db", url)
    assert again.returncode == 2
    assert again.stderr == (
        f"error: run {run_id} is already asked to save a checkpoint named 'soon'; wait until"
        " its worker has saved it\n"
    )


@pytest.mark.parametrize(
    ("which", "name", "message"),
    [
        (None, "good", "is queued and has no checkpoint to name yet"),
        ("finished", "taken", "already has a checkpoint named 'taken' (episode 20)"),
        ("finished", "other", "latest checkpoint (episode 20) is already named 'taken'"),
    ],
)
def test_a_refused_name_exits_2_with_one_line_and_changes_nothing(
    seeded,  # noqa: F811
    which,
    name,
    message,
):
    url, runs = seeded
    store = RunStore(url)
    try:
        runs[None] = seeded_run(store, status="queued", episodes=0)  # no checkpoint
    finally:
        store.close()
    assert (
        gridlab("checkpoint", str(runs["finished"]), "--name", "taken", "--db", url).returncode == 0
    )
    before = snapshot(url)
    refused = gridlab("checkpoint", str(runs[which]), "--name", name, "--db", url)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert message in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
    assert snapshot(url) == before
