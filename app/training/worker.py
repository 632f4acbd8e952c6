"""One run's episode loop, steered through the run store, and the worker process entry point.

The loop keeps per-episode work tiny: each episode's stats become a plain dict appended to
an in-memory batch, and the store is touched only on time-based checks (a control poll at
most every 0.1 s, a flush of the batch with the heartbeat every 0.25 s or 1000 episodes) and
at checkpoints. This module imports neither Dash nor Flask: spawned workers load it alone.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Any

from gridworld.agent import NonFiniteQError, QLearningAgent, generator_from_state
from gridworld.episode import run_episode
from gridworld.errors import ValidationError
from gridworld.optimality import Optimality
from gridworld.plateau import Plateau
from gridworld.spec import RunSpec, make_env, table_shape
from runstore import RunStore

MAX_CHECKPOINTS = 200
"""Default checkpoint interval keeps a run at about this many checkpoints."""
MIN_CHECKPOINT_EVERY = 100
"""Default checkpoint interval never goes below this many episodes."""
MIN_CHECKPOINT_SECONDS = 0.1
"""With the default interval, a due checkpoint is skipped when the last one is more recent
than this: a fast run would otherwise spend a third of its time checkpointing, and a crash
still replays at most this long or one interval, whichever is longer."""
EVALUATION_BUDGET = 0.05
"""Checkpoint evaluations may take at most this share of the run's time; beyond it a
checkpoint is saved without one (the final checkpoint is always evaluated)."""
PLATEAU_PREFIX = "plateau:"
"""Every plateau warning starts with this, so a resumed worker knows it was already given."""


@dataclass(frozen=True)
class LoopSettings:
    """Timing and fault-detection knobs of the episode loop (tests shrink them)."""

    flush_seconds: float = 0.25
    """Write the episode batch (with the heartbeat) at least this often."""
    flush_episodes: int = 1000
    """...or as soon as the batch holds this many episodes."""
    control_seconds: float = 0.1
    """Read the requested status and pending parameter changes at least this often."""
    plateau_window: int = 100
    """Episodes per block of the rolling mean return watched for a plateau."""
    plateau_patience: int = 20_000
    """Warn (once) when no block mean beat the best one for this many episodes."""


def checkpoint_interval(spec: RunSpec) -> int:
    """Return how many episodes lie between two checkpoints of a run.

    Args:
        spec: the run's spec; its ``checkpoint_every`` wins when set.

    Returns:
        ``spec.checkpoint_every``, else an interval that keeps the run at about
        ``MAX_CHECKPOINTS`` checkpoints and never below ``MIN_CHECKPOINT_EVERY`` episodes
        (the trainer then also skips a due checkpoint less than ``MIN_CHECKPOINT_SECONDS``
        after the last one).
    """
    if spec.checkpoint_every:
        return spec.checkpoint_every
    return max(MIN_CHECKPOINT_EVERY, math.ceil(spec.episodes / MAX_CHECKPOINTS))


class _Pause(Exception):
    """Raised inside the loop to end it with a checkpoint and the given status."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class Trainer:
    """Trains one stored run from its latest checkpoint (or from scratch) to its end.

    Resuming and starting are the same path: the constructor restores the agent, the
    environment's random generator and the trainer's own counters from the latest
    checkpoint (reading the store only); ``run`` first deletes the episodes recorded after
    that checkpoint (``rewind_to_checkpoint``), so the episodes that follow are exactly those
    an uninterrupted run would have produced.
    """

    def __init__(
        self,
        store: RunStore,
        run_id: int,
        *,
        settings: LoopSettings | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_progress: Callable[[int, float], None] | None = None,
    ) -> None:
        """Prepare the run for training from its latest checkpoint; the store is only read.

        Args:
            store: the run store.
            run_id: the stored run to train.
            settings: loop timing and fault-detection knobs.
            should_stop: polled with the control checks; ``True`` pauses the run (signals,
                a dead parent process).
            on_progress: called after every flush with (episodes done, mean return of the
                flushed batch).

        Raises:
            RunNotFound: the run does not exist.
        """
        self.store = store
        self.run_id = run_id
        self.settings = settings or LoopSettings()
        self.should_stop = should_stop or (lambda: False)
        self.on_progress = on_progress
        run = store.get_run(run_id)
        self.spec = RunSpec.from_dict(run.spec)
        self.target = run.target_episodes
        self.every = checkpoint_interval(self.spec)
        self.env = make_env(self.spec)
        n_states, n_actions = table_shape(self.env)
        self.agent = QLearningAgent(n_states, n_actions, self.spec.hyperparams, seed=self.spec.seed)
        self.optimality = Optimality.for_env(self.env)
        self.rows: list[dict[str, Any]] = []
        self.episode = 0
        self.env_steps = 0
        self.wall_offset = 0.0
        self.first_seed: int | None = self.spec.seed
        self.plateau = Plateau()
        self.plateau_warned = any(w.startswith(PLATEAU_PREFIX) for w in run.warnings)
        self.last_checkpoint = 0
        self.evaluation_seconds = 0.0
        self._restore()
        self.replay = self._changes_to_replay()

    # -- setup ------------------------------------------------------------------------

    def _restore(self) -> None:
        """Load the latest checkpoint, if any (the store is left as it is)."""
        if self.store.checkpoints(self.run_id):
            checkpoint = self.store.load_checkpoint(self.run_id, "latest")
            state = dict(checkpoint.agent_state)
            extras = state.pop("trainer")
            self.agent.load_state_dict({**state, "q": checkpoint.q})
            self.episode = self.last_checkpoint = checkpoint.episode
            self.env_steps = extras["env_steps"]
            self.wall_offset = extras["wall_time"]
            self.plateau = Plateau(**extras["plateau"])
            if extras["env_rng"] is not None:
                self.env.unwrapped.np_random = generator_from_state(extras["env_rng"])
                self.first_seed = None

    def rewind_to_checkpoint(self) -> None:
        """Delete the episodes (and later checkpoints) recorded after the one restored.

        The first step of ``run``: a run that crashed or was killed after its last
        checkpoint left episodes that the loop is about to play again.
        """
        self.store.truncate_episodes(self.run_id, self.episode)

    def _changes_to_replay(self) -> list[tuple[int, dict[str, Any]]]:
        """Return the parameter changes applied after the checkpoint, to re-apply on time.

        Returns:
            (episode, changes) pairs in episode order: the changes the lost episodes saw,
            applied again at the same episodes so that the stamps stay true.
        """
        by_episode: dict[int, dict[str, Any]] = {}
        for change in self.store.param_changes(self.run_id):
            if change.applied_episode is not None and change.applied_episode > self.episode:
                by_episode.setdefault(change.applied_episode, {})[change.param] = change.new_value
        return sorted(by_episode.items())

    def _env_rng(self) -> dict[str, Any] | None:
        """Return the state of the environment's random generator (None before any reset)."""
        generator = getattr(self.env.unwrapped, "_np_random", None)
        return None if generator is None else generator.bit_generator.state

    # -- the loop ---------------------------------------------------------------------

    def run(self) -> str:
        """Train until the run finishes, is paused or stopped, or fails.

        Returns:
            The run's final status: "finished", "paused", "stopped" or "error".
        """
        self.rewind_to_checkpoint()
        self.store.set_status(self.run_id, "running", pid=os.getpid(), host=socket.gethostname())
        try:
            self._loop()
        except _Pause as pause:
            return self._end(pause.status)
        except NonFiniteQError as exc:
            return self._fail(exc)
        return self._end("finished")

    def _loop(self) -> None:
        """Play episodes until the target; raise _Pause to end early."""
        settings = self.settings
        agent, env, rows = self.agent, self.env, self.rows
        target, every = self.target, self.every
        flush_episodes = settings.flush_episodes
        episode, env_steps = self.episode, self.env_steps
        next_checkpoint = (episode // every + 1) * every
        next_replay = self.replay[0][0] if self.replay else 0
        seed = self.first_seed if episode == 0 else None
        start = time.perf_counter() - self.wall_offset
        fixed_interval = bool(self.spec.checkpoint_every)
        checkpointed_at = time.perf_counter()
        self._control(self.wall_offset)  # a run paused or stopped while queued plays nothing
        next_control = next_flush = 0.0
        while episode < target:
            if episode + 1 == next_replay:
                self._apply(self.replay.pop(0)[1])
                next_replay = self.replay[0][0] if self.replay else 0
            stats = run_episode(env, agent, seed)
            seed = None
            episode += 1
            env_steps += stats.length
            now = time.perf_counter()
            row = stats.to_row()
            row["episode"] = episode
            row["env_steps"] = env_steps
            row["wall_time"] = now - start
            rows.append(row)
            if episode == next_checkpoint:
                if fixed_interval or now - checkpointed_at >= MIN_CHECKPOINT_SECONDS:
                    self.episode, self.env_steps = episode, env_steps
                    self._flush()
                    self._checkpoint(now - start, final=episode == target)
                    checkpointed_at = now
                next_checkpoint += every
            if now >= next_control or len(rows) >= flush_episodes:
                self.episode, self.env_steps = episode, env_steps
                if now >= next_flush or len(rows) >= flush_episodes:
                    self._flush()
                    next_flush = now + settings.flush_seconds
                if now >= next_control:
                    self._control(now - start)
                    next_control = now + settings.control_seconds
        self.episode, self.env_steps = episode, env_steps
        self.wall_offset = time.perf_counter() - start

    def _control(self, wall_time: float) -> None:
        """Read the requested status and pending parameter changes; act on them."""
        self.wall_offset = wall_time
        if self.should_stop():
            raise _Pause("paused")
        control = self.store.poll_control(self.run_id)
        if control.requested_status in ("paused", "stopped"):
            raise _Pause(control.requested_status)
        if control.pending_params:
            taken = self.store.take_pending_params(self.run_id, self.episode + 1)
            changes = {change.param: change.new_value for change in taken}
            for _, replayed in self.replay:  # a newer change beats a replayed older one
                for param in changes:
                    replayed.pop(param, None)
            self._apply(changes)

    def _apply(self, changes: dict[str, Any]) -> None:
        """Give the agent the changed hyperparameters from its next episode on."""
        if not changes:
            return
        try:
            hyperparams = self.agent.hyperparams.updated(changes)
        except ValidationError as exc:
            self.store.add_warning(self.run_id, f"parameter change {changes} ignored: {exc}")
            return
        self.agent.set_hyperparams(hyperparams)

    def _flush(self) -> None:
        """Write the batch of episodes and the heartbeat; watch the mean return."""
        rows = self.rows
        if not rows:
            return
        self.store.append_episodes(self.run_id, rows)  # stamps the heartbeat too
        self._watch_plateau(rows)
        if self.on_progress is not None:
            self.on_progress(rows[-1]["episode"], sum(r["return"] for r in rows) / len(rows))
        rows.clear()

    def _watch_plateau(self, rows: list[dict[str, Any]]) -> None:
        """Track block means of the return; warn once when none beat the best for long."""
        plateau, settings = self.plateau, self.settings
        for row in rows:
            episode = row["episode"]
            if (
                plateau.add(row["return"], episode, settings.plateau_window)
                and not self.plateau_warned
                and episode - plateau.best_episode >= settings.plateau_patience
            ):
                self.plateau_warned = True
                self.store.add_warning(
                    self.run_id,
                    f"{PLATEAU_PREFIX} the {settings.plateau_window}-episode mean return has not"
                    f" beaten its best ({plateau.best:.4g}, reached at episode"
                    f" {plateau.best_episode}) for {episode - plateau.best_episode}"
                    f" episodes (through episode {episode}); learning may have"
                    " converged or stalled",
                )

    def _checkpoint(self, wall_time: float, *, final: bool = False) -> None:
        """Save the Q-table, the agent's state and the trainer's counters at this episode.

        Args:
            wall_time: seconds since the run started.
            final: the run ends here; always evaluate.
        """
        state = self.agent.state_dict()
        q = state.pop("q")
        state["trainer"] = {
            "env_rng": self._env_rng(),
            "env_steps": self.env_steps,
            "wall_time": wall_time,
            "plateau": asdict(self.plateau),
        }
        evaluation = None
        due = final or self.evaluation_seconds <= EVALUATION_BUDGET * wall_time
        if self.optimality is not None and due:
            started = time.perf_counter()
            evaluation = self.optimality.score(q, self.agent.hyperparams.gamma)
            self.evaluation_seconds += time.perf_counter() - started
        self.store.save_checkpoint(self.run_id, self.episode, q, state, evaluation)
        self.last_checkpoint = self.episode

    def _end(self, status: str) -> str:
        """Flush, checkpoint (unless just done) and record the final status."""
        self._flush()
        if self.episode > self.last_checkpoint:
            self._checkpoint(self.wall_offset, final=True)
        self.store.set_status(self.run_id, status)
        return status

    def _fail(self, exc: NonFiniteQError) -> str:
        """Keep the complete episodes and the last good checkpoint; record the error."""
        self._flush()
        hyperparams = ", ".join(f"{k}={v!r}" for k, v in self.agent.hyperparams.to_dict().items())
        message = (
            f"{exc} (current epsilon={self.agent.epsilon!r}, alpha={self.agent.alpha!r};"
            f" hyperparameters: {hyperparams}); the last good checkpoint is at episode"
            f" {self.last_checkpoint}"
        )
        self.store.set_status(self.run_id, "error", error=message)
        return "error"


def train(
    store: RunStore,
    run_id: int,
    *,
    settings: LoopSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> str:
    """Train a stored run in this process from its latest checkpoint to its end.

    Args:
        store: the run store.
        run_id: the run to train.
        settings: loop timing and fault-detection knobs.
        should_stop: polled with the control checks; ``True`` pauses the run.
        on_progress: called after every flush with (episodes done, mean return of the batch).

    Returns:
        The final status: "finished", "paused", "stopped" or "error".

    Raises:
        RunNotFound: the run does not exist.
    """
    trainer = Trainer(
        store, run_id, settings=settings, should_stop=should_stop, on_progress=on_progress
    )
    return trainer.run()


class StopFlag:
    """Set by SIGTERM/SIGINT (and true once the parent process is gone)."""

    def __init__(self, watch_parent: bool = False) -> None:
        """Create an unset flag.

        Args:
            watch_parent: also report ``True`` when the process that spawned this one died.
        """
        self.signalled = False
        self.parent = multiprocessing.parent_process() if watch_parent else None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: set the flag (the loop pauses at its next control check)."""
        self.signalled = True

    def install(self) -> None:
        """Route SIGTERM and SIGINT to this flag."""
        signal.signal(signal.SIGTERM, self.handle)
        signal.signal(signal.SIGINT, self.handle)

    def __call__(self) -> bool:
        """Return whether training should pause now."""
        return self.signalled or (self.parent is not None and not self.parent.is_alive())


def worker_main(store_url: str, run_id: int, settings: LoopSettings | None = None) -> None:
    """Entry point of a spawned worker process: train the run, record any failure.

    SIGTERM, SIGINT (Ctrl-C in the terminal reaches the whole process group) and the death
    of the parent process pause the run with a checkpoint. An unexpected exception marks the
    run ``error`` with its message and exits non-zero.

    Args:
        store_url: the run store's URL (each process opens its own engine).
        run_id: the run to train.
        settings: loop timing and fault-detection knobs.
    """
    flag = StopFlag(watch_parent=True)
    flag.install()
    store = RunStore(store_url)
    try:
        train(store, run_id, settings=settings, should_stop=flag)
    except Exception as exc:
        with contextlib.suppress(Exception):  # the run may be gone; the traceback tells why
            store.set_status(run_id, "error", error=f"worker failed: {type(exc).__name__}: {exc}")
        raise
    finally:
        store.close()
