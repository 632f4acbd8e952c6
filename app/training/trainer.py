"""One claimed run's episode loop, steered through the run store and fenced on the claim.

The loop plays chunks of episodes with the run's kernel (``gridworld.kernel``: compiled where
the env has a transition table, else the Python loop; both play the same episodes), sized by
``chunking.Chunks`` to last about half a control interval (ending at multiples of
``flush_episodes``, and shrinking toward the target) and, at a pace, slept between.
Each chunk's stats stay numpy columns, gathered into an in-memory batch, and the store is
touched only on checks between chunks (a control poll at most every 0.1 s; a flush of the
batch every 0.25 s, when it is full, or when the writer thread is idle) and at checkpoints.
A writer thread (``writer``) commits batches and checkpoints in order while the loop plays
on; the loop waits for it when it is ``write_queue`` writes behind, and for all of it before
``on_checkpoint`` (pruners and PBT read what it wrote) and before the run is released.
Every write carries the worker's claim, and a heartbeat thread renews its lease: once the
lease is lost (another worker took the run over) the next write raises ``LeaseLost`` and
lands nothing, and so does the loop's next control check. This module imports neither Dash
nor Flask: spawned workers load it alone.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from gridworld.agents import NonFiniteQError, make_agent
from gridworld.errors import ValidationError
from gridworld.kernel import EpisodeBatch, make_runner
from gridworld.pace import PACE, current_pace, validate_pace
from gridworld.plateau import PLATEAU_PREFIX, PlateauWatch
from gridworld.spec import RunSpec, make_env, table_shape
from runstore import Claim, LeaseLost, RunNotFound, RunStore, join_columns

from .checkpoints import (
    MIN_CHECKPOINT_SECONDS,
    Checkpoints,
    Counters,
    checkpoint_interval,
    checkpoint_stop,
)
from .chunking import Chunks, chunk_room
from .heartbeat import heartbeat
from .recording import Recording
from .settings import LoopSettings
from .writer import Writer

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted"
"""The event recorded when a worker is stopped and its run goes back to the queue."""


class _End(Exception):
    """Raised inside the loop to end it early with a checkpoint and this status."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class Trainer:
    """Trains one claimed run from its latest checkpoint (or from scratch) to its end.

    Resuming and starting are the same path: ``restore`` builds the agent and restores it,
    the environment's random generator and the trainer's own counters from the latest
    checkpoint (reading the store only); ``rewind_to_checkpoint`` then deletes the episodes
    recorded after that checkpoint, so the episodes that follow are exactly those an
    uninterrupted run would have produced. ``run`` does both, under a heartbeat that keeps
    the lease, then trains.
    """

    def __init__(
        self,
        store: RunStore,
        claim: Claim,
        *,
        settings: LoopSettings | None = None,
        should_stop: Callable[[], bool] | None = None,
        stop_status: str = "queued",
        on_progress: Callable[[int, float], None] | None = None,
        on_checkpoint: Callable[[int], str | None] | None = None,
    ) -> None:
        """Prepare to train the claimed run (nothing is read or written yet).

        Args:
            store: the run store.
            claim: this worker's claim on the run; every write is fenced on it.
            settings: loop timing and fault-detection knobs.
            should_stop: polled with the control checks; ``True`` ends the run with a
                checkpoint and ``stop_status`` (signals, a dead parent process).
            stop_status: what ``should_stop`` ends the run as: ``queued`` (back to the
                queue, with an ``interrupted`` event: a worker that is shut down) or
                ``paused`` (a foreground run that its user interrupted).
            on_progress: called after every flush (the batch handed to the writer) with
                (episodes done, mean return of the flushed batch).
            on_checkpoint: called after each checkpoint before the last one with its
                episode, once the writer has committed it and every episode up to it; a
                status ends the run there with it: ``pruned`` (an experiment's pruner),
                ``queued`` (the next claim restores the checkpoint, which a PBT exploit
                rewrote; see ``app.experiments``).
        """
        self.store = store
        self.claim = claim
        self.run_id = claim.run_id
        self.settings = settings or LoopSettings()
        self.should_stop = should_stop or (lambda: False)
        self.stop_status = stop_status
        self.on_progress = on_progress
        self.on_checkpoint = on_checkpoint
        self.chunks_held: list[dict[str, np.ndarray]] = []
        """The columns of the chunks played since the last flush."""
        self.held_episodes = 0
        """How many episodes ``chunks_held`` holds."""
        self.lease_lost = threading.Event()
        """Set by the heartbeat once the lease is lost; the loop stops at its next check."""
        self.chunks = Chunks(self.settings.chunk_seconds, self.settings.pace)
        self.next_control = self.next_flush = 0.0
        self.writer = Writer(store, claim, self.settings.write_queue)
        """Commits the batches and checkpoints (on its thread while ``run`` trains)."""
        self.named: str | None = None
        """The name of the last checkpoint saved as asked (until the store sees it saved)."""

    @property
    def pace(self) -> float | None:
        """Return the episodes per second the run is held to (None: flat out)."""
        return self.chunks.pace

    @pace.setter
    def pace(self, pace: float | None) -> None:
        """Hold the run to ``pace`` episodes per second from its next chunk on.

        Raises:
            ValueError: ``pace`` is not None or a positive number.
        """
        self.chunks.set_pace(pace)

    def restore(self) -> None:
        """Build the env and the agent and restore them from the latest checkpoint, if any
        (the store is only read).

        Raises:
            RunNotFound: the run does not exist.
            ValidationError: the run's stored spec is no longer valid here.
        """
        run = self.store.get_run(self.run_id)
        self.spec = RunSpec.from_dict(run.spec)
        self.target = run.target_episodes
        self.stored_episodes = run.episodes_done
        self.every = checkpoint_interval(self.spec)
        self.env = make_env(self.spec)
        n_states, n_actions = table_shape(self.env)
        self.agent = make_agent(
            self.spec.algorithm, n_states, n_actions, self.spec.hyperparams, self.spec.seed
        )
        self.checkpoints = Checkpoints(self.store, self.claim, self.agent, self.env)
        self.checkpoints.save_checkpoint = self.writer.save_checkpoint
        self.runner = make_runner(self.env, self.agent, self.spec.kernel)
        self.episode, self.env_steps, self.wall_offset = 0, 0, 0.0
        warned = any(w.startswith(PLATEAU_PREFIX) for w in run.warnings)
        window, patience = self.settings.plateau_window, self.settings.plateau_patience
        self.plateau = PlateauWatch(window, patience, warned=warned)
        self.recording = Recording(run.fork_episode or 0, self.target)
        restored = self.checkpoints.restore()
        if restored is not None:
            self.episode, self.env_steps = restored.episode, restored.env_steps
            self.wall_offset, self.plateau.plateau = restored.wall_time, restored.plateau
        self.first_seed = None if self.checkpoints.env_rng_restored else self.spec.seed
        self.replay = self.checkpoints.changes_to_replay()
        if (recorded := current_pace(run.current_params, self.spec.pace)) is not None:
            self.pace = recorded

    def rewind_to_checkpoint(self) -> None:
        """Delete the episodes (and later checkpoints) recorded after the one restored.

        The first step of ``run``: a run that crashed or was killed after its last
        checkpoint left episodes that the loop is about to play again. A run stored no
        further than its checkpoint costs no write (only its worker adds episodes).

        Raises:
            LeaseLost: the claim is no longer the run's owner (nothing is deleted).
        """
        if self.stored_episodes > self.episode:
            self.store.truncate_episodes(self.run_id, self.episode, claim=self.claim)

    # -- the loop ---------------------------------------------------------------------

    def run(self) -> str | None:
        """Restore, rewind and train until the run finishes, is paused or stopped, fails,
        or is interrupted; record the end by releasing the claim.

        A heartbeat thread renews the lease meanwhile. A lost lease (another worker holds
        the run now, or it was deleted) ends the loop at once: nothing more is written, and
        one line is logged.

        Returns:
            The run's final status: "finished", "paused", "stopped", "pruned" (by
            ``on_checkpoint``), "error", or "queued" (interrupted by ``should_stop`` with
            ``stop_status="queued"``); None when the lease was lost.

        Raises:
            Exception: anything unexpected, after recording it as the run's error.
        """
        try:
            with heartbeat(self.store, self.claim, self.lease_lost), self.writer:
                self.restore()
                self.rewind_to_checkpoint()
                return self._train()
        except (LeaseLost, RunNotFound) as lost:  # taken over, or deleted
            log.warning("%s; this worker stops training it", lost)
            return None
        except Exception as exc:
            with contextlib.suppress(Exception):  # the lease may be gone too
                error = f"worker failed: {type(exc).__name__}: {exc}"
                self.store.release(self.claim, "error", error=error)
            raise

    def _train(self) -> str:
        """Play the episodes and release the run with the status they end in."""
        try:
            self._loop()
        except _End as end:
            return self._end(end.status)
        except NonFiniteQError as exc:
            return self._fail(exc)
        return self._end("finished")

    def _loop(self) -> None:
        """Play chunks of episodes until the target; raise _End to end early.

        A chunk never passes a checkpoint that will be taken, a replayed parameter change or
        a full batch, so those fall on the episodes they fell on when every episode was its
        own step.
        """
        target, every = self.target, self.every
        seed = self.first_seed if self.episode == 0 else None
        start = time.perf_counter() - self.wall_offset
        fixed_interval = bool(self.spec.checkpoint_every)
        checkpointed_at = time.perf_counter()
        self._control(self.wall_offset)  # a run paused or stopped while queued plays nothing
        while (episode := self.episode) < target:
            if self.replay and episode + 1 == self.replay[0][0]:
                self._apply(self.replay.pop(0)[1])
            replay_stop = self.replay[0][0] - 1 if self.replay else target
            wait = checkpointed_at + MIN_CHECKPOINT_SECONDS - time.perf_counter()
            due_at = checkpoint_stop(episode, every, fixed_interval, self.chunks.rate, wait)
            stop = min(target, due_at, replay_stop)
            room = chunk_room(episode, target, self.settings.flush_episodes)
            count = self.chunks.size(stop - episode, room)
            steps = self.recording.wanted(episode + 1, count)
            began = time.perf_counter()
            batch = self.runner.run(count, seed, steps)
            seed = None
            now = time.perf_counter()
            self.chunks.played(len(batch), began, now)
            self._record(batch, began - start, now - start)
            if batch.error is not None:
                raise batch.error
            due = self.episode % every == 0
            if due and (fixed_interval or now - checkpointed_at >= MIN_CHECKPOINT_SECONDS):
                self._flush()
                self._checkpoint(now - start, final=self.episode == target)
                checkpointed_at = now
                ending = None
                if self.episode < target and self.on_checkpoint:
                    self.writer.drain()  # the hook reads what the writer holds
                    ending = self.on_checkpoint(self.episode)
                if ending is not None:
                    raise _End(ending)
            self._tick(now, start)
            while (wait := self.chunks.wait(time.perf_counter())) > 0:
                time.sleep(min(wait, self.settings.control_seconds))
                self._tick(time.perf_counter(), start)
        self.wall_offset = time.perf_counter() - start

    def _record(self, batch: EpisodeBatch, began: float, ended: float) -> None:
        """Hold the chunk's columns (wall times spread evenly over its run time) and keep
        its trajectories; count its episodes and steps."""
        count = len(batch)
        if not count:
            return
        env_steps = np.cumsum(batch.columns["length"], dtype=np.int64) + self.env_steps
        wall_times = began + (ended - began) / count * np.arange(1, count + 1)
        first = self.episode + 1
        self.chunks_held.append(batch.store_columns(first, env_steps, wall_times))
        self.held_episodes += count
        self.recording.take(batch, first)
        self.episode += count
        self.env_steps = int(env_steps[-1])

    def _tick(self, now: float, start: float) -> None:
        """Flush the batch and read the controls when they are due (or the batch holds
        ``batch_episodes`` and ends at a multiple of ``flush_episodes``: chunks stop
        there; or the writer thread is idle and the batch holds ``idle_flush_episodes``; or
        the batch holds at least the episodes left to play: the writer commits it while the
        shrinking last chunks play, so that the last batch, which nothing overlaps, is only
        the last chunk)."""
        settings = self.settings
        full = (
            self.held_episodes >= settings.batch_episodes
            and self.episode % settings.flush_episodes == 0
        )
        idle = self.held_episodes >= settings.idle_flush_episodes and self.writer.idle()
        tail = self.held_episodes >= self.target - self.episode
        if now >= self.next_flush or full or idle or tail:
            self._flush()
            self.next_flush = now + settings.flush_seconds
        if now >= self.next_control:
            self._control(now - start)
            self.next_control = now + settings.control_seconds

    def _control(self, wall_time: float) -> None:
        """Check the lease and the stop flag, read the requested status, checkpoint and
        pending parameter changes; act on them (a checkpoint asked for is saved first, of
        the episodes played so far)."""
        self.wall_offset = wall_time
        if self.lease_lost.is_set():
            raise LeaseLost(self.claim.run_id, self.claim.attempt, self.claim.owner)
        if self.should_stop():
            raise _End(self.stop_status)
        control = self.store.poll_control(self.run_id)
        asked = control.checkpoint_request
        if asked is not None and asked != self.named and self.episode > 0:
            self._flush()
            self.named = asked
            self._checkpoint(wall_time, name=asked)
        if control.requested_status in ("paused", "stopped"):
            raise _End(control.requested_status)
        if control.pending_params:
            taken = self.store.take_pending_params(self.run_id, self.episode + 1, claim=self.claim)
            changes = {change.param: change.new_value for change in taken}
            for _, replayed in self.replay:  # a newer change beats a replayed older one
                for param in changes:
                    replayed.pop(param, None)
            self._apply(changes)

    def _apply(self, changes: dict[str, Any]) -> None:
        """Give the agent the changed hyperparameters from its next episode on, and the
        loop a changed pace (which the agent never sees)."""
        changes = dict(changes)
        if PACE in changes:
            self.pace = validate_pace(changes.pop(PACE))
        if not changes:
            return
        try:
            hyperparams = self.agent.hyperparams.updated(changes)
        except ValidationError as exc:
            self.store.add_warning(
                self.run_id, f"parameter change {changes} ignored: {exc}", claim=self.claim
            )
            return
        self.agent.set_hyperparams(hyperparams)

    def _flush(self) -> None:
        """Hand the batch of episodes and their trajectories to the writer (its write renews
        the lease); watch the mean return."""
        held, self.chunks_held, self.held_episodes = self.chunks_held, [], 0
        if not held:
            return
        columns = join_columns(held)
        self.writer.append(columns, self.recording.flush())
        returns, first = columns["return"], int(columns["episode"][0])
        note = self.plateau.watch(returns, first)
        if note is not None:
            self.store.add_warning(self.run_id, note.text(), claim=self.claim)
        if self.on_progress is not None:
            self.on_progress(int(columns["episode"][-1]), float(returns.mean()))

    def _checkpoint(
        self, wall_time: float, *, final: bool = False, name: str | None = None
    ) -> None:
        """Save a checkpoint at the current episode (see ``Checkpoints.save``)."""
        counters = Counters(self.episode, self.env_steps, wall_time, self.plateau.plateau)
        self.checkpoints.save(counters, final=final, name=name)

    def _end(self, status: str) -> str:
        """Flush, checkpoint (unless just done) and release the run with ``status``."""
        self._flush()
        if self.episode > self.checkpoints.last_episode:
            self._checkpoint(self.wall_offset, final=True)
        self.writer.drain()
        event = INTERRUPTED if status == "queued" else None
        self.store.release(self.claim, status, event=event)
        return status

    def _fail(self, exc: NonFiniteQError) -> str:
        """Keep the complete episodes and the last good checkpoint; release as ``error``."""
        self._flush()
        self.writer.drain()
        hyperparams = ", ".join(f"{k}={v!r}" for k, v in self.agent.hyperparams.to_dict().items())
        message = (
            f"{exc} (current epsilon={self.agent.epsilon!r}, alpha={self.agent.alpha!r};"
            f" hyperparameters: {hyperparams}); the last good checkpoint is at episode"
            f" {self.checkpoints.last_episode}"
        )
        self.store.release(self.claim, "error", error=message)
        return "error"
