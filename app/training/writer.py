"""The write-behind thread: a trainer's episode batches and checkpoints, committed off the
training thread, in order, fenced on the claim.

The training thread hands each batch (and each checkpoint) to the writer and goes on
playing episodes while sqlite3 or psycopg commits it: the driver releases the GIL while the
database works. The queue is bounded: once ``depth`` writes wait, handing over one more
waits for the oldest to commit (backpressure, never unbounded memory). Writes land in the
order they were handed over, so a checkpoint never lands before the episodes it covers;
batches of episodes queued one behind the other are committed in one transaction.
The first write that fails (``LeaseLost``, ``RunNotFound``, ``StoreError``, a refused
batch) stops the writing: nothing after it lands, and the training thread gets that error
from its next hand-over or from ``drain``.

While a writer thread runs, the interpreter's switch interval is at most ``SWITCH_SECONDS``:
a write is a dozen calls into the driver, and after each the thread waits for the GIL,
which the training loop (pure Python, never waiting) would otherwise hold for the default
5 ms each time; the writer then falls behind and the loop waits for it after all.
"""

from __future__ import annotations

import copy
import itertools
import queue
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

from runstore import Claim, RunStore, TrajectoryBatch, join_columns

from .checkpoints import Evaluate

Write = Callable[[], None]
"""A checkpoint's evaluation figures (None: not evaluated)."""
JOIN_BATCHES = 8
"""The most batches of episodes the thread commits in one transaction."""
SWITCH_SECONDS = 0.0005
"""The longest the training thread holds the GIL while the writer waits for it."""
_switch = threading.Lock()
_running: list[float] = []
"""The switch interval from before the first running writer, once per running writer."""


class Writer:
    """Commits one claimed run's writes on a thread of its own (see the module)."""

    def __init__(self, store: RunStore, claim: Claim, depth: int) -> None:
        """Prepare the writer; ``with`` starts its thread and drains it at the end.

        Args:
            store: the run store.
            claim: the worker's claim; every write is fenced on it.
            depth: how many writes may wait for the thread before a hand-over waits; 0:
                no thread, each write is committed on the caller's thread as it is handed
                over (as it is too before ``with`` starts the thread).
        """
        self.store = store
        self.claim = claim
        self.depth = depth
        self._queue: queue.Queue[Write | None] = queue.Queue(maxsize=max(depth, 1))
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Writer:
        """Start the thread (none with ``depth`` 0) and shorten the switch interval."""
        if self.depth:
            with _switch:
                _running.append(_running[0] if _running else sys.getswitchinterval())
                sys.setswitchinterval(min(_running[0], SWITCH_SECONDS))
            self._thread = threading.Thread(
                target=self._work, name=f"gridlab-writer-{self.claim.run_id}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Commit what is still waiting, then stop the thread. Leaving on an error, the
        waiting writes still land (they would have landed before it without the thread)
        and a write error raises only if nothing else is raising."""
        try:
            if kind is None:
                self.drain()
            else:
                self._queue.join()
        finally:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
                self._thread = None
                with _switch:
                    before = _running.pop()
                    if not _running:  # the last writer of the process is done
                        sys.setswitchinterval(before)

    def append(self, columns: Mapping[str, Any], steps: TrajectoryBatch | None = None) -> None:
        """Hand over a batch of episodes as columns (``RunStore.append_columns``) and the
        trajectories of some of them; the mapping, its arrays and the trajectories are the
        writer's from now on (nothing is copied).

        Raises:
            Exception: the error of an earlier write that failed (nothing more lands).
        """
        run_id, claim = self.claim.run_id, self.claim

        def write(batch: Mapping[str, Any], recorded: TrajectoryBatch | None) -> None:
            self.store.append_columns(run_id, batch, claim=claim, steps=recorded)

        self._submit(_Batch(columns, steps, _span(columns), write))

    def save_checkpoint(
        self,
        episode: int,
        q: np.ndarray,
        agent_state: Mapping[str, Any],
        evaluate: Evaluate,
        name: str | None = None,
    ) -> None:
        """Hand over the claimed run's checkpoint at ``episode`` (what
        ``RunStore.save_checkpoint`` takes, with ``evaluate`` to work out its evaluation
        from the table), copied now, so the agent may go on learning meanwhile: the thread
        evaluates it too.

        Raises:
            Exception: the error of an earlier write that failed (nothing more lands).
        """
        table, state = np.array(q), copy.deepcopy(dict(agent_state))
        run_id, claim = self.claim.run_id, self.claim

        def save() -> None:
            figures = None if evaluate is None else dict(evaluate(table))
            self.store.save_checkpoint(run_id, episode, table, state, figures, name, claim=claim)

        self._submit(save)

    def idle(self) -> bool:
        """Return whether the thread runs and has nothing to write (False without one)."""
        return self._thread is not None and self._queue.unfinished_tasks == 0

    def drain(self) -> None:
        """Wait until every write handed over has been committed.

        Raises:
            Exception: the error of the first write that failed.
        """
        self._queue.join()
        if self._error is not None:
            raise self._error

    def _submit(self, write: Write) -> None:
        """Queue ``write`` (waiting while ``depth`` writes wait), or commit it now."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            try:
                write()
            except BaseException as exc:
                self._error = exc
                raise
            return
        self._queue.put(write)
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        """The thread: commit writes in order until told to stop; after a failure, take
        the writes handed over and drop them (so that no hand-over waits forever).

        A batch of episodes is committed together with the batches queued right behind
        it (up to ``JOIN_BATCHES``, each starting where the one before ends): a writer
        that fell behind catches up with one transaction for several batches.
        """
        while (write := self._queue.get()) is not None:
            behind = self._queued_behind(write) if isinstance(write, _Batch) else []
            try:
                if self._error is None:
                    if isinstance(write, _Batch) and behind:
                        write = _Batch.joined([write, *behind])
                    write()
            except BaseException as exc:  # the training thread raises it
                self._error = exc
            finally:
                for _ in behind:  # committed with ``write``: they leave the queue now
                    self._queue.get_nowait()
                    self._queue.task_done()
                self._queue.task_done()
        self._queue.task_done()

    def _queued_behind(self, first: _Batch) -> list[_Batch]:
        """Return the batches queued right behind ``first``, each starting where the one
        before ends (``JOIN_BATCHES - 1`` at most). They stay in the queue, counting
        against ``depth``, until they are committed (only this thread takes from it)."""
        batches = [first]
        with self._queue.mutex:  # Queue's own lock over its deque
            for following in itertools.islice(self._queue.queue, JOIN_BATCHES - 1):
                if not (isinstance(following, _Batch) and batches[-1].followed_by(following)):
                    break
                batches.append(following)
        return batches[1:]


@dataclass(frozen=True)
class _Batch:
    """A batch of episodes handed over: a write that the thread may join to the next."""

    columns: Mapping[str, Any]
    steps: TrajectoryBatch | None
    """The trajectories of some of its episodes, if any."""
    span: tuple[int, int] | None
    """Its first and last episode (None: the batch does not say; it is written alone)."""
    write: Callable[[Mapping[str, Any], TrajectoryBatch | None], None]

    def __call__(self) -> None:
        """Commit the batch."""
        self.write(self.columns, self.steps)

    def followed_by(self, other: _Batch) -> bool:
        """Return whether ``other`` starts right after this batch."""
        return (
            self.span is not None and other.span is not None and other.span[0] == self.span[1] + 1
        )

    @staticmethod
    def joined(batches: list[_Batch]) -> _Batch:
        """Return consecutive batches (each with a span) as one, with all their
        trajectories (the ring's size the last one's)."""
        first, last = batches[0].span, batches[-1].span
        span = None if first is None or last is None else (first[0], last[1])
        columns = join_columns([b.columns for b in batches])
        return _Batch(columns, _joined_steps(batches), span, batches[0].write)


def _joined_steps(batches: list[_Batch]) -> TrajectoryBatch | None:
    """Return the trajectories of ``batches`` as one batch (``keep_last`` the last's that
    has any), or None if none has trajectories."""
    steps = [b.steps for b in batches if b.steps is not None]
    if not steps:
        return None
    records = [record for batch in steps for record in batch.records]
    return TrajectoryBatch(records, steps[-1].keep_last)


def _span(columns: Mapping[str, Any]) -> tuple[int, int] | None:
    """Return a batch's first and last episode, or None if its ``episode`` column does not
    say (the store refuses the batch)."""
    try:
        episodes = columns["episode"]
        return int(episodes[0]), int(episodes[-1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
