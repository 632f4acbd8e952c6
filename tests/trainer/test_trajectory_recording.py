"""The trainer records the policy's episodes with their batches: the same trajectories after
a pause, a crash past a checkpoint and a resume as in one uninterrupted run; a fork's own;
and never more than the policy's bound, however long the run."""

from __future__ import annotations

import pytest

from app.fork import fork_run
from app.training import LoopSettings, Trainer, claim_new_run
from app.training.recording import Recording
from gridworld.trajectory import DEFAULT_POLICY
from runstore import Owner
from tests.trainer.support import FAST, make_spec, rows_without_wall_time, train_new
from tests.trainer.trajectory_support import recorded

STEPWISE = LoopSettings(flush_seconds=0.05, flush_episodes=37, control_seconds=0.02)
"""Batches that end at every 37th episode (and after 0.05 s), not where blocks do."""


def expected_kinds(origin: int, target: int) -> dict[int, str]:
    """Return what a run of episodes origin+1..target keeps once it is done: the policy's
    first and every episodes, and its last ``last`` recorded ones."""
    chosen = DEFAULT_POLICY.chosen(origin, target, origin + 1, target - origin)
    kinds = {origin + 1 + index: kind for index, kind in chosen.items()}
    newest = sorted(kinds)[-DEFAULT_POLICY.last :]
    return {e: k for e, k in kinds.items() if k != "last" or e in newest}


@pytest.mark.parametrize("kernel", ["python", "compiled"])
def test_a_paused_crashed_and_resumed_run_records_what_an_uninterrupted_one_does(store, kernel):
    spec = make_spec(episodes=1500, checkpoint_every=100, kernel=kernel, seed=3)
    reference = train_new(store, spec).run_id
    claim = claim_new_run(store, spec)
    progress: list[int] = []
    paused = Trainer(
        store,
        claim,
        settings=STEPWISE,
        should_stop=lambda: bool(progress) and progress[-1] >= 1100,
        stop_status="paused",
        on_progress=lambda done, mean: progress.append(done),
    )
    assert paused.run() == "paused"
    assert store.get_run(claim.run_id).episodes_done >= 1100
    assert [info.episode for info in store.trajectories(claim.run_id)][-2:] == [999, 1000]
    # a worker that died after checkpoint 900 left what came after it: the next one
    # truncates back to the checkpoint, dropping those episodes' trajectories too
    store.truncate_episodes(claim.run_id, 900)
    assert max(info.episode for info in store.trajectories(claim.run_id)) == 10
    again = store.claim_run(claim.run_id, Owner.here())
    assert Trainer(store, again, settings=FAST).run() == "finished"
    assert recorded(store, claim.run_id) == recorded(store, reference)
    kinds = {episode: kind for episode, kind, *_ in recorded(store, reference)}
    assert kinds == expected_kinds(0, 1500)
    rows = rows_without_wall_time(store, reference)
    for episode, _, length, steps, _ in recorded(store, reference):
        assert length == rows[episode - 1]["length"] and steps == min(length, 1000)


def test_a_fork_records_its_own_episodes_and_they_are_its_parents(store):
    spec = make_spec(episodes=1200, checkpoint_every=150, seed=8)
    parent = train_new(store, spec).run_id
    child = fork_run(store, parent, {"at": 300})
    assert Trainer(store, store.claim_run(child, Owner.here()), settings=FAST).run() == "finished"
    own = recorded(store, child)
    assert {episode: kind for episode, kind, *_ in own} == expected_kinds(300, 1200)
    assert [episode for episode, kind, *_ in own if kind == "first"] == list(range(301, 311))
    of_parent = {item[0]: item[2:] for item in recorded(store, parent)}
    shared = [item for item in own if item[0] in of_parent]
    assert len(shared) >= 20  # its every-1000th and its last 20 are the parent's too
    for episode, _, *rest in shared:
        assert tuple(rest) == of_parent[episode], episode


def test_a_long_run_stores_no_more_than_the_bound(store):
    spec = make_spec(episodes=150_000, checkpoint_every=50_000, seed=2)
    claim = claim_new_run(store, spec)
    counts: list[tuple[int, int]] = []

    def watch(done: int, mean: float) -> None:
        infos = store.trajectories(claim.run_id)
        counts.append((len(infos), sum(info.kind == "last" for info in infos)))

    every_block = LoopSettings(batch_episodes=1000)  # many writes to watch the bound across
    assert Trainer(store, claim, settings=every_block, on_progress=watch).run() == "finished"
    assert len(counts) > 10
    assert max(total for total, _ in counts) <= DEFAULT_POLICY.bound
    assert max(last for _, last in counts) <= DEFAULT_POLICY.last
    infos = store.trajectories(claim.run_id)
    kinds = {info.episode: info.kind for info in infos}
    assert kinds == expected_kinds(0, 150_000)
    assert [e for e, k in kinds.items() if k == "every"] == list(range(2000, 150_001, 2000))
    assert len(infos) == 10 + 75 + 19 <= DEFAULT_POLICY.bound
    assert all(info.steps <= DEFAULT_POLICY.max_steps for info in infos)


def test_a_long_chunk_records_only_the_last_episodes_the_ring_would_keep():
    """A chunk of 20,000 episodes spans 20 windows of the policy; the store keeps the last
    ``last`` of what it records (and every ``first`` and ``every``), so only those play
    with their steps written out."""
    recording = Recording(0, 100_000)
    wanted = recording.wanted(1, 20_000)
    chosen = DEFAULT_POLICY.chosen(0, 100_000, 1, 20_000)
    newest = sorted(chosen)[-DEFAULT_POLICY.last :]
    kept = {i: kind for i, kind in chosen.items() if kind != "last" or i in newest}
    assert sorted(wanted.indexes) == sorted(kept) and recording.kinds == kept
    # the first 10, every 1000th (the run's stride), and of the last 20 (19980 .. 20000)
    # those that are not the 20000th, an "every" one
    assert len(kept) == 10 + 20 + 19 and len(chosen) == 10 + 20 + 20 * 19
