"""How many episodes the trainer plays per kernel call, and when, at a pace or flat out.

A chunk is sized from the rate the last one ran at so that it lasts about ``seconds`` (the
loop checks the store between chunks, so this bounds how late a pause or a parameter change
is seen). With a pace (episodes per second) a chunk is also at most a ``seconds`` share of
it, and the next one is due only when the episodes played so far are due: the trainer sleeps
until then, so a paced run uses the CPU time its episodes need and no more.
"""

from __future__ import annotations

import math

from runstore import BLOCK

GROWTH = 4
"""A chunk is at most this many times the last one (rates change as the agent learns)."""


def chunk_room(episode: int, target: int, unit: int) -> int:
    """Return the most episodes the chunk after ``episode`` may play toward ``target``: to
    the next multiple of ``unit`` (``LoopSettings.flush_episodes``) and, near the target, at
    most half of what is left (in whole blocks of ``BLOCK``, and at least one block)."""
    tail = max(BLOCK, (target - episode) // 2 // BLOCK * BLOCK)
    return min(unit - episode % unit, tail)


def checked_pace(pace: float | None) -> float | None:
    """Return ``pace`` if it is None or a positive finite number of episodes per second.

    Raises:
        ValueError: anything else.
    """
    if pace is not None and not (isinstance(pace, int | float) and 0 < pace < math.inf):
        raise ValueError(f"pace={pace!r}: expected None or episodes per second > 0")
    return pace


class Chunks:
    """Sizes chunks of episodes and says how long to wait before the next one."""

    def __init__(self, seconds: float, pace: float | None = None) -> None:
        """Aim at chunks of about ``seconds``, at most ``pace`` episodes per second.

        Raises:
            ValueError: ``pace`` is not None or a positive number.
        """
        self.seconds = seconds
        self.pace = checked_pace(pace)
        self.rate: float | None = None
        """Episodes per second of the last chunk (None before the first)."""
        self.last = 1
        self.due = 0.0
        """When the next chunk may start (``time.perf_counter`` seconds), at a pace."""

    def set_pace(self, pace: float | None) -> None:
        """Hold the chunks to ``pace`` from the next one on, which is due at once (a wait
        the old pace set is not kept).

        Raises:
            ValueError: ``pace`` is not None or a positive number.
        """
        self.pace = checked_pace(pace)
        self.due = 0.0

    def size(self, *limits: int) -> int:
        """Return how many episodes the next chunk plays.

        Args:
            limits: upper bounds (episodes to the next checkpoint, to the target...), each
                at least 1.

        Returns:
            At least 1: one until a rate is known, then about ``seconds`` worth, at most
            ``GROWTH`` times the last chunk and, at a pace, ``seconds`` of the pace.
        """
        count = 1
        if self.rate is not None:
            count = min(int(self.rate * self.seconds), GROWTH * self.last)
        if self.pace is not None:
            count = min(count, int(self.pace * self.seconds))
        self.last = max(1, min(count, *limits))
        return self.last

    def played(self, episodes: int, began: float, ended: float) -> None:
        """Record that a chunk of ``episodes`` ran from ``began`` to ``ended``."""
        self.rate = episodes / max(ended - began, 1e-9)
        if self.pace is not None:
            self.due = began + episodes / self.pace

    def wait(self, now: float) -> float:
        """Return the seconds until the next chunk is due (0 without a pace)."""
        if self.pace is None:
            return 0.0
        return max(0.0, self.due - now)
