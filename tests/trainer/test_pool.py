"""Worker processes through the pool: concurrency, steering, crashes, queueing, shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from app.rules import Conflict
from app.training import TrainingPool, create_run, train
from tests.trainer.support import (
    FAST,
    assert_contiguous,
    make_spec,
    rows_without_wall_time,
    wait_for,
)

FOREVER = 5_000_000
"""An episode target no test reaches: such runs end by pause, stop or kill."""


def status_of(store, run_id: int) -> str:
    return store.get_run(run_id).status


def test_three_concurrent_runs_pause_resume_and_stop(store, store_url):
    with TrainingPool(store_url, max_workers=3, settings=FAST) as pool:
        a, b, c = (
            pool.submit(make_spec(episodes=FOREVER, seed=seed, checkpoint_every=500))
            for seed in range(3)
        )
        wait_for(
            lambda: all(store.get_run(i).episodes_done > 0 for i in (a, b, c)),
            60,
            "three runs training",
        )
        assert pool.running() == [a, b, c]
        assert {status_of(store, i) for i in (a, b, c)} == {"running"}

        store.request_status(a, "paused")
        store.request_status(b, "stopped")
        wait_for(lambda: status_of(store, a) == "paused", 5, "run a paused")
        wait_for(lambda: status_of(store, b) == "stopped", 5, "run b stopped")
        for run_id in (a, b):
            run = store.get_run(run_id)
            assert store.checkpoints(run_id)[-1].episode == run.episodes_done
            assert run.requested_status is None
        assert status_of(store, c) == "running"
        wait_for(lambda: pool.running() == [c], 5, "workers of a and b exited")
        refused = f"run {c} is running; only paused, stopped, crashed or error runs can be resumed"
        with pytest.raises(Conflict) as caught:
            pool.resume(c)
        assert str(caught.value) == refused

        paused_at = store.get_run(a).episodes_done
        pool.resume(a)
        wait_for(
            lambda: store.get_run(a).episodes_done > paused_at + 50, 30, "run a training again"
        )
        assert status_of(store, a) == "running"
    # Leaving the pool pauses every worker with a checkpoint.
    for run_id, final in ((a, "paused"), (b, "stopped"), (c, "paused")):
        run = store.get_run(run_id)
        assert run.status == final
        assert store.checkpoints(run_id)[-1].episode == run.episodes_done
        assert_contiguous(store, run_id)


def test_resume_of_a_run_asked_to_pause_cancels_the_request_and_starts_no_worker(store, pool):
    run_id = create_run(store, make_spec(episodes=FOREVER))
    store.request_status(run_id, "paused")
    pool.resume(run_id)
    run = store.get_run(run_id)
    assert (run.status, run.requested_status) == ("queued", "running")
    assert (pool.running(), pool.queued()) == ([], [])


def test_a_resume_while_the_runs_worker_is_still_exiting_says_so(store, store_url):
    with TrainingPool(store_url, max_workers=1, settings=FAST, adopt=False) as pool:
        run_id = pool.submit(make_spec(episodes=FOREVER))
        wait_for(lambda: store.get_run(run_id).episodes_done > 0, 60, "the run training")
        store.set_status(run_id, "paused")  # as a worker records it just before exiting
        with pytest.raises(Conflict) as caught:
            pool.resume(run_id)
        assert str(caught.value) == f"run {run_id}'s worker has not exited yet; try again"


def test_param_change_takes_effect_at_the_stamped_episode(store, store_url):
    spec = make_spec(episodes=FOREVER, hyperparams={"alpha": 0.5, "gamma": 0.95, "epsilon": 0.9})
    with TrainingPool(store_url, max_workers=1, settings=FAST) as pool:
        run_id = pool.submit(spec)
        wait_for(lambda: store.get_run(run_id).episodes_done > 20, 30, "first episodes")
        store.request_params(run_id, {"alpha": 0.25, "gamma": 0.8, "epsilon": 0.3}, "api")
        changes = wait_for(
            lambda: [c for c in store.param_changes(run_id) if c.applied_episode is not None],
            5,
            "the change applied",
        )
        stamped = {c.applied_episode for c in changes}
        assert len(changes) == 3 and len(stamped) == 1
        episode = stamped.pop()
        wait_for(lambda: store.get_run(run_id).episodes_done > episode + 3, 10, "later episodes")
        store.request_status(run_id, "paused")
        wait_for(lambda: status_of(store, run_id) == "paused", 5, "paused")
    before, at, after = (row.to_dict() for row in store.episodes(run_id, episode - 1, 3))
    assert (before["alpha"], before["gamma"]) == (0.5, 0.95)
    assert before["epsilon"] != 0.3
    assert (at["episode"], at["alpha"], at["gamma"], at["epsilon"]) == (episode, 0.25, 0.8, 0.3)
    assert (after["alpha"], after["gamma"]) == (0.25, 0.8)
    assert after["epsilon"] <= 0.3
    current = store.get_run(run_id).current_params
    assert (current["alpha"], current["gamma"], current["epsilon"]) == (0.25, 0.8, 0.3)


def test_sigkilled_worker_is_crashed_contiguous_and_resumes_exactly(store, store_url):
    spec_every = {"checkpoint_every": 300}
    spec = make_spec(env_id="FrozenLake-v1", preset=None, episodes=FOREVER, seed=7, **spec_every)
    with TrainingPool(store_url, max_workers=1, settings=FAST) as pool:
        run_id = pool.submit(spec)
        wait_for(lambda: store.get_run(run_id).episodes_done >= 700, 60, "700 episodes")
        os.kill(store.get_run(run_id).pid, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: status_of(store, run_id) == "crashed", 5, "crashed within 5 s")
        assert time.monotonic() - killed < 5
        crashed = store.get_run(run_id)
        assert "exited (killed by signal 9)" in crashed.error
        assert_contiguous(store, run_id)
        last_checkpoint = store.checkpoints(run_id)[-1].episode
        assert last_checkpoint <= crashed.episodes_done

        pool.resume(run_id)
        wait_for(
            lambda: store.get_run(run_id).episodes_done > crashed.episodes_done + 300,
            60,
            "the resumed run past the crash point",
        )
        store.request_status(run_id, "paused")
        wait_for(lambda: status_of(store, run_id) == "paused", 5, "paused")
    resumed = assert_contiguous(store, run_id)
    reference = create_run(
        store,
        make_spec(env_id="FrozenLake-v1", preset=None, episodes=len(resumed), seed=7, **spec_every),
    )
    train(store, reference, settings=FAST)
    assert resumed == rows_without_wall_time(store, reference)


def test_runs_beyond_the_limit_wait_queued_and_start_when_a_slot_frees(store, store_url):
    with TrainingPool(store_url, max_workers=1, settings=FAST) as pool:
        first = pool.submit(make_spec(episodes=200))
        second = pool.submit(make_spec(episodes=200, seed=1))
        assert (pool.running(), pool.queued()) == ([first], [second])
        assert status_of(store, second) == "queued"
        wait_for(lambda: status_of(store, first) == "finished", 60, "first finished")
        wait_for(lambda: status_of(store, second) == "finished", 60, "second finished")
        assert store.get_run(second).started_at >= store.get_run(first).finished_at
        wait_for(lambda: (pool.running(), pool.queued()) == ([], []), 5, "workers reaped")


def test_a_new_pool_adopts_queued_runs_and_marks_orphans_crashed(store, store_url):
    queued = create_run(store, make_spec(episodes=100))
    orphan = create_run(store, make_spec(episodes=100))
    gone = subprocess.Popen(["true"])
    gone.wait()
    store.set_status(orphan, "running", pid=gone.pid, host=socket.gethostname())
    with TrainingPool(store_url, max_workers=1, settings=FAST):
        assert status_of(store, orphan) == "crashed"
        wait_for(lambda: status_of(store, queued) == "finished", 60, "adopted run finished")


PARENT = """
import signal, sys, time
from app.training import TrainingPool
from tests.trainer.support import FAST, make_spec

if __name__ == "__main__":
    url, graceful = sys.argv[1], sys.argv[2] == "graceful"
    if graceful:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with TrainingPool(url, max_workers=2, settings=FAST) as pool:
        ids = [pool.submit(make_spec(episodes=5_000_000, seed=s)) for s in range(2)]
        print(*ids, flush=True)
        time.sleep(600)
"""


@pytest.mark.parametrize("parent_kind", ["graceful", "default-handler"])
def test_sigterm_of_the_parent_pauses_every_worker(store, store_url, tmp_path, parent_kind):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT))
    with subprocess.Popen(
        [sys.executable, str(script), store_url, parent_kind],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as parent:
        try:
            ids = [int(i) for i in parent.stdout.readline().split()]
            assert len(ids) == 2
            wait_for(
                lambda: all(store.get_run(i).episodes_done > 0 for i in ids), 60, "both training"
            )
            parent.send_signal(signal.SIGTERM)
            wait_for(
                lambda: all(status_of(store, i) == "paused" for i in ids), 5, "paused within 5 s"
            )
            parent.wait(10)
        finally:
            if parent.poll() is None:
                parent.kill()
    for run_id in ids:
        run = store.get_run(run_id)
        assert store.checkpoints(run_id)[-1].episode == run.episodes_done
        assert_contiguous(store, run_id)
