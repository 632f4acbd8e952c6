"""What stops a worker's training: SIGTERM, SIGINT, or the death of the process that
started it."""

from __future__ import annotations

import multiprocessing
import signal
from types import FrameType


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
