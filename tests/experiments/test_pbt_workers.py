"""PBT trained by real worker processes on both backends: the lineage is exact, and two
processes deciding the same member's exploit at the same episode make one decision."""

from __future__ import annotations

import multiprocessing

import numpy as np

from app.experiments.launch import launch_experiment
from app.training import WorkerPool
from runstore import Owner, RunStore
from tests.experiments.test_workers import wait_until_done
from tests.trainer.support import FAST

REQUEST = {
    "method": "pbt",
    "population": 4,
    "interval": 100,
    "base": {"episodes": 600},
    "space": {
        "alpha": {"low": 0.01, "high": 1, "scale": "log"},
        "epsilon_decay": {"low": 0.9, "high": 0.999},
    },
    "sync_seconds": 30,
}
_SPAWN = multiprocessing.get_context("spawn")


def assert_lineage_is_exact(store: RunStore, experiment_id: int) -> None:
    """Every member's episodes run 1..N without a gap; every exploit points at a source
    checkpoint that exists at the member's episode, the member's checkpoint there holds
    the copied table, and its new parameters are stamped at the next episode."""
    runs = {run.id: run for run in store.experiments.runs(experiment_id)}
    for run in runs.values():
        episodes = [row.episode for row in store.episodes(run.id, 1, 10_000)]
        assert episodes == list(range(1, run.target_episodes + 1)), run.id
    for exploit in store.exploits.of_experiment(experiment_id):
        assert exploit.source_run_id in runs and exploit.source_run_id != exploit.run_id
        assert exploit.source_episode == exploit.episode
        source = store.load_checkpoint(exploit.source_run_id, exploit.source_episode)
        member = store.load_checkpoint(exploit.run_id, exploit.episode)
        np.testing.assert_array_equal(member.q, source.q)
        stamped = {
            change.param: change.new_value
            for change in store.param_changes(exploit.run_id)
            if change.source == "pbt" and change.applied_episode == exploit.episode + 1
        }
        changed = {
            name: value
            for name, value in exploit.new_params.items()
            if exploit.old_params[name] != value
        }
        assert stamped == changed
        assert set(changed) <= set(REQUEST["space"]) and changed


def test_a_population_trains_and_its_lineage_is_exact(any_store, any_url):
    experiment = launch_experiment(any_store, REQUEST)
    with WorkerPool(any_url, 4, settings=FAST):
        runs = wait_until_done(any_store, experiment.id, 240)
    assert sorted(run.seed for run in runs) == [0, 1, 2, 3]
    assert all(run.status == "finished" for run in runs)
    exploits = any_store.exploits.of_experiment(experiment.id)
    assert exploits  # a bottom member copies at some boundary (5 boundaries, 1 each)
    assert {exploit.episode for exploit in exploits} <= {100, 200, 300, 400, 500}
    assert_lineage_is_exact(any_store, experiment.id)
    for run in runs:  # the member's parameters are the last ones its exploits gave it
        last = [exploit for exploit in exploits if exploit.run_id == run.id]
        if last:
            assert run.current_params["alpha"] == last[-1].new_params["alpha"]


def _record(url: str, fields: dict, q: np.ndarray, claim, barrier, results) -> None:
    """Process target: wait for the other, then record the exploit; report its id."""
    store = RunStore(url)
    barrier.wait(30)
    exploit = store.exploits.record(fields, q, {"who": "source"}, None, {"alpha": 0.5}, claim=claim)
    results.put(None if exploit is None else exploit.id)
    store.close()


def test_two_processes_deciding_the_same_exploit_make_one_decision(any_store, any_url):
    experiment = launch_experiment(
        any_store, {**REQUEST, "population": 2, "interval": 20, "base": {"episodes": 40}}
    )
    member, source = (run.id for run in any_store.experiments.runs(experiment.id))
    claims = {run: any_store.claim_run(run, Owner.here()) for run in (member, source)}
    tables = {member: np.zeros((4, 4)), source: np.arange(16.0).reshape(4, 4)}
    for run, claim in claims.items():
        any_store.save_checkpoint(run, 20, tables[run], {"who": run}, claim=claim)
    fields = {
        "experiment_id": experiment.id,
        "run_id": member,
        "episode": 20,
        "source_run_id": source,
        "source_episode": 20,
        "old_params": {"alpha": 0.1},
        "new_params": {"alpha": 0.5},
    }
    barrier, results = _SPAWN.Barrier(2), _SPAWN.Queue()
    processes = [
        _SPAWN.Process(
            target=_record,
            args=(any_url, fields, tables[source], claims[member], barrier, results),
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    ids = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    exploits = any_store.exploits.of_experiment(experiment.id)
    assert len(exploits) == 1 and ids == [exploits[0].id] * 2
    changes = [c for c in any_store.param_changes(member) if c.source == "pbt"]
    assert [(c.param, c.new_value, c.applied_episode) for c in changes] == [("alpha", 0.5, 21)]
    np.testing.assert_array_equal(any_store.load_checkpoint(member, 20).q, tables[source])
    assert any_store.get_run(member).current_params["alpha"] == 0.5
    crossing = {**fields, "run_id": source, "source_run_id": member}  # a source stays whole
    copied = any_store.exploits.record(
        crossing, tables[member], {}, None, {"alpha": 0.2}, claim=claims[source]
    )
    assert copied is None
    assert any_store.exploits.of_experiment(experiment.id) == exploits


def test_a_member_that_cannot_train_stalls_the_others_only_for_the_sync_timeout(store, store_url):
    request = {**REQUEST, "population": 3, "interval": 50, "base": {"episodes": 200}}
    experiment = launch_experiment(store, {**request, "sync_seconds": 1})
    with WorkerPool(store_url, 2, settings=FAST):  # the third member waits for a slot
        runs = wait_until_done(store, experiment.id, 120)
    assert all(run.status == "finished" for run in runs)
    assert_lineage_is_exact(store, experiment.id)
