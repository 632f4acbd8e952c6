"""The plateau watch: block means of the episode return, and the best one so far.

A training loop feeds it every episode's return; it says when a block closed without beating
the best, and the loop decides whether that has lasted long enough to warn. Its fields are
plain numbers, so a checkpoint saves it with ``dataclasses.asdict`` and ``Plateau(**saved)``
restores it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Plateau:
    """What the plateau watch knows: the open block of returns and the best block mean.

    Saved with every checkpoint, so a resumed run watches on where it stopped.
    """

    block_sum: float = 0.0
    """Sum of the returns in the open block."""
    block_n: int = 0
    """Episodes in the open block."""
    best: float | None = None
    """The best block mean so far (None before the first block closes)."""
    best_episode: int = 0
    """The last episode of the block that reached ``best``."""

    def add(self, value: float, episode: int, window: int) -> bool:
        """Add one episode's return to the open block; close the block at ``window`` episodes.

        Args:
            value: the episode's return.
            episode: the episode's number.
            window: episodes per block.

        Returns:
            True when this closed a block whose mean did not beat ``best``.
        """
        self.block_sum += value
        self.block_n += 1
        if self.block_n < window:
            return False
        mean = self.block_sum / self.block_n
        self.block_sum, self.block_n = 0.0, 0
        if self.best is None or mean > self.best:
            self.best, self.best_episode = mean, episode
            return False
        return True
