"""A real worker process records a run's trajectories with its episodes, on SQLite and
PostgreSQL: they appear while it trains, and once it is done they are, bit for bit, those
the same run trained in this process records."""

from __future__ import annotations

from pathlib import Path

from app.training import create_run
from runstore import RunStore
from tests.trainer.support import make_spec, train_new, wait_for
from tests.trainer.trajectory_support import recorded
from tests.workers.support import Launcher


def test_a_worker_records_trajectories_while_it_trains(
    launcher: Launcher, any_store: RunStore, any_url: str, tmp_path: Path
):
    spec = make_spec(episodes=2400, seed=9, pace=800.0)
    run_id = create_run(any_store, spec)
    worker = launcher.worker(any_url)

    def first_ones_while_training() -> bool:
        run = any_store.get_run(run_id)
        listed = [info.episode for info in any_store.trajectories(run_id)]
        return run.status == "running" and 1000 < run.episodes_done < 2000 and 1000 in listed

    wait_for(first_ones_while_training, 60, "trajectories of a run still training")
    midway = {info.episode: info.kind for info in any_store.trajectories(run_id)}
    assert [e for e, k in midway.items() if k == "first"] == list(range(1, 11))
    assert [e for e, k in midway.items() if k == "last"] == list(range(981, 1000))
    wait_for(lambda: any_store.get_run(run_id).status == "finished", 60, "the run to finish")
    reference = RunStore(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    try:
        expected = recorded(reference, train_new(reference, spec).run_id)
    finally:
        reference.close()
    assert recorded(any_store, run_id) == expected
    assert [item[0] for item in expected][-20:] == list(range(2381, 2401))
    worker.ctrl_c()
    assert worker.wait(30) == 0, worker.stderr()
