"""A real ``run.py train`` process asked to save a named checkpoint while it trains (by the
real ``run.py checkpoint`` command): its worker saves one of its current state, the name
stays through every periodic checkpoint to the end of the run, and a fork from it by name
plays the parent's episodes after it exactly, to the same final Q-table."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np

from app.training import Trainer
from runstore import Owner
from tests.cli.support import RUN_PY, gridlab
from tests.trainer.support import FAST, rows_without_wall_time, wait_for

EPISODES, EVERY = 3000, 250


def test_save_now_on_a_running_run_names_an_exact_checkpoint_that_lasts(store_url, store):
    options = ["--db", store_url, "--episodes", str(EPISODES), "--seed", "5"]
    options += ["--checkpoint-every", str(EVERY), "--pace", "300", "--preset", "easy"]
    train = subprocess.Popen(
        [sys.executable, RUN_PY, "train", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        run_id = wait_for(lambda: store.list_runs(), 60, "the run")[0].id
        wait_for(lambda: store.get_run(run_id).episodes_done >= 2 * EVERY + 10, 120, "episodes")
        saved = gridlab("checkpoint", str(run_id), "--name", "mid-run", "--db", store_url)
        assert saved.returncode == 0, saved.stderr
        found = re.search(r"saved checkpoint 'mid-run' at episode ([\d,]+)", saved.stdout)
        assert found is not None, saved.stdout
        episode = int(found.group(1).replace(",", ""))
        assert 2 * EVERY < episode < EPISODES
        sped = gridlab("pace", str(run_id), "full", "--db", store_url)  # only to end sooner:
        assert sped.returncode == 0 or "is finished" in sped.stderr, sped.stderr  # (or ended)
        assert train.wait(timeout=240) == 0
    finally:
        train.kill()
        train.wait()
    run = store.get_run(run_id)
    assert (run.status, run.episodes_done) == ("finished", EPISODES)
    infos = store.checkpoints(run_id)
    assert [info.name for info in infos if info.name] == ["mid-run"]
    periodic = [info.episode for info in infos if info.name is None]
    assert periodic == [e for e in range(EVERY, EPISODES + 1, EVERY) if e != episode]
    named = store.load_checkpoint(run_id, episode)
    assert named.name == "mid-run" and named.evaluation is not None

    forked = gridlab("fork", str(run_id), "--at", "mid-run", "--db", store_url)
    assert forked.returncode == 0, forked.stderr
    child = int(forked.stdout.strip())
    assert store.get_run(child).fork_episode == episode
    assert Trainer(store, store.claim_run(child, Owner.here()), settings=FAST).run() == "finished"
    assert rows_without_wall_time(store, child) == rows_without_wall_time(store, run_id)
    assert np.array_equal(
        store.load_checkpoint(child, EPISODES).q, store.load_checkpoint(run_id, EPISODES).q
    )
