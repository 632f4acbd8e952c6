"""Training a claimed run in this process, and what stops it: signals, a dead parent.

``train`` is what every worker runs for a run it holds (a slot of a ``WorkerPool``, the
CLI's foreground ``train`` and ``resume``): it trains until the run ends, records an
unexpected failure as the run's ``error``, and turns a lost lease into one log line.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
from collections.abc import Callable
from types import FrameType

from runstore import Claim, LeaseLost, RunStore

from .trainer import LoopSettings, Trainer

log = logging.getLogger(__name__)


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
        """Signal handler: set the flag (the loop stops at its next control check)."""
        self.signalled = True

    def install(self) -> None:
        """Route SIGTERM and SIGINT to this flag."""
        signal.signal(signal.SIGTERM, self.handle)
        signal.signal(signal.SIGINT, self.handle)

    def __call__(self) -> bool:
        """Return whether this process should stop training now."""
        return self.signalled or (self.parent is not None and not self.parent.is_alive())


def train(
    store: RunStore,
    claim: Claim,
    *,
    settings: LoopSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    stop_status: str = "queued",
    on_progress: Callable[[int, float], None] | None = None,
) -> str | None:
    """Train a claimed run in this process from its latest checkpoint to its end.

    Args:
        store: the run store.
        claim: this process's claim on the run.
        settings: loop timing and fault-detection knobs.
        should_stop: polled with the control checks; ``True`` ends the run with a
            checkpoint and ``stop_status``.
        stop_status: ``queued`` (back to the queue, ``interrupted``) or ``paused``.
        on_progress: called after every flush with (episodes done, mean return of the batch).

    Returns:
        The final status ("finished", "paused", "stopped", "error" or "queued"), or None
        when the lease was lost: another worker holds the run now, this process wrote
        nothing more and logged one line saying so.

    Raises:
        RunNotFound: the run does not exist.
        Exception: anything unexpected, after recording it as the run's error.
    """
    try:
        trainer = Trainer(
            store,
            claim,
            settings=settings,
            should_stop=should_stop,
            stop_status=stop_status,
            on_progress=on_progress,
        )
        return trainer.run()
    except LeaseLost as lost:
        log.warning("%s; this worker stops training it", lost)
        return None
    except Exception as exc:
        with contextlib.suppress(Exception):  # the lease may be gone too; the traceback tells
            store.release(claim, "error", error=f"worker failed: {type(exc).__name__}: {exc}")
        raise
