"""The trainer with either kernel: the same rows and checkpoints, resumes across kernels,
chunks that respect checkpoints and controls, and a pace that sleeps instead of spinning."""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
import time
from dataclasses import asdict

import gymnasium as gym
import numpy as np
import pytest

from app.cli_args import build_parser, spec_mapping
from app.training import LoopSettings, Trainer, claim_new_run
from app.training.chunking import GROWTH, Chunks
from gridworld.agents import ALGORITHMS, make_agent
from gridworld.errors import ValidationError
from gridworld.kernel import make_runner
from gridworld.plateau import Plateau
from gridworld.spec import RunSpec, validate_run_spec
from runstore import Claim, Owner, RunStore
from tests.gridworld.test_kernel import Chain
from tests.trainer.support import FAST, make_spec, rows_without_wall_time, train_new, wait_for

SLIPPERY_LAKE = {"env_id": "FrozenLake8x8-v1", "preset": None, "episodes": 300, "seed": 5}


def checkpoints_of(store: RunStore, run_id: int) -> list[tuple]:
    """Return every checkpoint's episode, table and agent state (its wall time left out)."""
    saved = []
    for info in store.checkpoints(run_id):
        checkpoint = store.load_checkpoint(run_id, info.episode)
        state = dict(checkpoint.agent_state)
        state["trainer"] = {k: v for k, v in state["trainer"].items() if k != "wall_time"}
        saved.append((info.episode, checkpoint.q.tolist(), repr(state)))
    return saved


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_both_kernels_record_the_same_run(store, algorithm):
    runs = {}
    for kernel in ("python", "compiled"):
        spec = make_spec(**SLIPPERY_LAKE, checkpoint_every=100, algorithm=algorithm, kernel=kernel)
        runs[kernel] = train_new(store, spec).run_id
    python, compiled = runs["python"], runs["compiled"]
    assert len(rows_without_wall_time(store, python)) == 300
    assert rows_without_wall_time(store, compiled) == rows_without_wall_time(store, python)
    assert checkpoints_of(store, compiled) == checkpoints_of(store, python)


def set_stored_kernel(store_url: str, run_id: int, kernel: str) -> None:
    """Change the kernel in the run's stored spec, past the store's API (as an older or a
    newer gridlab would have stored it)."""
    path = store_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "UPDATE runs SET spec = json_set(spec, '$.kernel', ?) WHERE id = ?", (kernel, run_id)
        )


@pytest.mark.parametrize(("first", "second"), [("python", "compiled"), ("compiled", "python")])
def test_a_run_paused_under_one_kernel_resumes_under_the_other(store, store_url, first, second):
    spec = make_spec(**SLIPPERY_LAKE, checkpoint_every=120, algorithm="double_q", kernel=first)
    reference = train_new(store, spec).run_id
    claim = claim_new_run(store, spec)
    progress: list[int] = []
    Trainer(
        store,
        claim,
        settings=LoopSettings(flush_seconds=0.0, flush_episodes=37, control_seconds=0.0),
        should_stop=lambda: bool(progress),
        stop_status="paused",
        on_progress=lambda done, mean: progress.append(done),
    ).run()
    paused = store.get_run(claim.run_id)
    assert paused.status == "paused" and 0 < paused.episodes_done < 300
    set_stored_kernel(store_url, claim.run_id, second)
    again = store.claim_run(claim.run_id, Owner.here())
    resumed = Trainer(store, again, settings=FAST)
    assert resumed.run() == "finished"
    assert resumed.runner.name == second
    assert rows_without_wall_time(store, claim.run_id) == rows_without_wall_time(store, reference)


def test_auto_picks_the_compiled_kernel_where_the_env_has_a_table(store):
    for env in ({"preset": "easy"}, {"env_id": "Taxi-v4", "preset": None}):
        trainer = Trainer(store, claim_new_run(store, make_spec(**env)))
        trainer.restore()
        assert trainer.runner.name == "compiled"
    overflow = make_spec(env_id=CHAIN_ID, preset=None, episodes=5)
    trainer = Trainer(store, claim_new_run(store, overflow))
    trainer.restore()
    assert trainer.runner.name == "python"
    assert trainer.run() == "finished"


CHAIN_ID = "gridlab-test/KernelChain-v0"
gym.register(CHAIN_ID, entry_point=Chain)


def test_the_kernel_field_is_validated_stored_and_defaults_to_auto():
    spec = validate_run_spec({"preset": "easy", "kernel": "python"})
    assert spec.kernel == "python" and RunSpec.from_dict(spec.to_dict()) == spec
    stored_before = {k: v for k, v in spec.to_dict().items() if k != "kernel"}
    assert RunSpec.from_dict(stored_before).kernel == "auto"
    with pytest.raises(ValidationError, match="kernel='fast' is invalid: unknown kernel"):
        validate_run_spec({"kernel": "fast"})
    with pytest.raises(ValidationError) as refused:
        validate_run_spec({"env_id": CHAIN_ID, "kernel": "compiled"})
    assert str(refused.value).startswith(
        f"kernel='compiled' is invalid: {CHAIN_ID} has no transition table"
    )
    assert validate_run_spec({"env_id": CHAIN_ID}).kernel == "auto"


def test_train_takes_a_kernel_option():
    args = build_parser().parse_args(["train", "--kernel", "python", "--episodes", "10"])
    assert validate_run_spec(spec_mapping(args)).kernel == "python"
    args = build_parser().parse_args(["train"])
    assert "kernel" not in spec_mapping(args)


def test_chunks_grow_with_the_rate_and_stop_at_every_limit():
    chunks = Chunks(seconds=0.05)
    assert chunks.size(100) == 1  # no rate yet
    chunks.played(1, 0.0, 0.0001)  # 10,000 episodes/s: 500 fit in 0.05 s
    assert chunks.size(10_000) == GROWTH
    for _ in range(5):
        chunks.played(chunks.last, 0.0, chunks.last / 10_000)
        chunks.size(10_000)
    assert chunks.last == 500
    assert chunks.size(10_000, 7) == 7 and chunks.size(3, 10_000) == 3
    chunks.played(1, 0.0, 10.0)  # slower than one per chunk: still one
    assert chunks.size(100) == 1


def test_a_pace_bounds_the_chunks_and_the_wait():
    chunks = Chunks(seconds=0.05, pace=100.0)
    chunks.played(1, 0.0, 0.0001)
    assert chunks.size(10_000) == GROWTH and chunks.size(10_000) <= 5  # 0.05 s of 100/s
    chunks.played(5, 10.0, 10.001)
    assert chunks.wait(10.001) == pytest.approx(0.049)
    assert chunks.wait(10.06) == 0.0
    for bad in (0, -1.0, math.nan, math.inf, "fast"):
        with pytest.raises(ValueError, match="pace="):
            Chunks(0.05, pace=bad)  # type: ignore[arg-type]


def warm_compiled_kernel() -> None:
    """Load numba and the cached machine code in this process (a worker does it once)."""
    env = gym.make("GridWorld-v0")
    make_runner(env, make_agent("q_learning", 25, 4), "compiled").run(2)


def test_a_paced_run_sleeps_between_its_chunks(store):
    warm_compiled_kernel()
    pace, episodes = 100.0, 120
    claim = claim_new_run(store, make_spec(episodes=episodes, seed=1))
    trainer = Trainer(store, claim, settings=LoopSettings(flush_seconds=0.1, pace=pace))
    wall, cpu = time.perf_counter(), time.process_time()
    assert trainer.run() == "finished"
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert cpu < 0.5 * wall, (cpu, wall)
    last = store.episodes(claim.run_id, start=episodes, limit=1)[0]
    assert last.to_dict()["wall_time"] >= (episodes - pace * 0.05) / pace


def test_a_paced_run_still_answers_a_pause_at_once(store):
    warm_compiled_kernel()
    claim = claim_new_run(store, make_spec(episodes=10_000, seed=1))
    trainer = Trainer(store, claim, settings=FAST)
    trainer.pace = 5.0
    ended: list[str | None] = []
    thread = threading.Thread(target=lambda: ended.append(trainer.run()))
    thread.start()
    wait_for(lambda: store.get_run(claim.run_id).episodes_done > 0, 60, "a first episode")
    store.request_status(claim.run_id, "paused")
    thread.join(timeout=60)
    assert ended == ["paused"]
    assert store.get_run(claim.run_id).episodes_done < 100
    with pytest.raises(ValueError, match="pace=0"):
        trainer.pace = 0


def save_overflowing_start(store: RunStore, claim: Claim, spec: RunSpec) -> None:
    """Save a checkpoint at episode 0 whose table the first updates take past the largest
    float (as a run's restored table could hold)."""
    agent = make_agent(spec.algorithm, 25, 4, spec.hyperparams, spec.seed)  # easy: 5 x 5
    state = agent.state_dict()
    q = np.full(state.pop("q").shape, 1.7e308)
    q[::2] = -1.7e308
    state["trainer"] = {"env_rng": None, "env_steps": 0, "wall_time": 0.0}
    state["trainer"]["plateau"] = asdict(Plateau())
    store.save_checkpoint(claim.run_id, 0, q, state, claim=claim)


def test_a_non_finite_update_fails_the_compiled_run_as_the_python_one(store):
    errors = {}
    for kernel in ("python", "compiled"):
        spec = make_spec(episodes=50, kernel=kernel, hyperparams={"alpha": 1.0, "gamma": 1.0})
        claim = claim_new_run(store, spec)
        save_overflowing_start(store, claim, spec)
        assert Trainer(store, claim, settings=FAST).run() == "error"
        run = store.get_run(claim.run_id)
        errors[kernel] = (run.error, rows_without_wall_time(store, claim.run_id))
    assert errors["python"] == errors["compiled"]
    assert "non-finite Q-value inf at episode" in errors["python"][0]
