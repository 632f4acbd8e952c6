"""The plateau watch: block means of the episode return, and the best one so far.

A training loop feeds it every episode's return; it says when a block closed without beating
the best, and the loop decides whether that has lasted long enough to warn. Its fields are
plain numbers, so a checkpoint saves it with ``dataclasses.asdict`` and ``Plateau(**saved)``
restores it. The warning itself is a ``PlateauNote``: the text a run stores, and what a page
reads back from it to say whether the plateau still holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


PLATEAU_PREFIX = "plateau:"
"""Every plateau warning starts with this, so a resumed worker knows it was already given."""
OPTIMAL_GAP = 0.01
"""A greedy policy whose value at the start is within this of V*(start) (or within this
share of |V*(start)|, when that is larger than 1) counts as optimal: a stationary policy
can miss a time-limited optimum by a little (FrozenLake-v1: 0.7402 against 0.7442)."""
_NOTE = re.compile(
    r"^plateau: the (?P<window>\d+)-episode mean return has not beaten its best"
    r" \((?P<best>\S+), reached at episode (?P<best_episode>[\d,]+)\) for [\d,]+ episodes"
    r" \(through episode (?P<through>[\d,]+)\)"
)


@dataclass(frozen=True)
class PlateauNote:
    """A plateau warning: no block mean beat the best one for a while."""

    window: int
    """Episodes per block."""
    best: float
    """The best block mean."""
    best_episode: int
    """The last episode of the block that reached ``best``."""
    through: int
    """The episode the plateau was seen at."""

    def text(self) -> str:
        """Return the warning as a run stores it (``parse`` reads it back)."""
        return (
            f"{PLATEAU_PREFIX} the {self.window}-episode mean return has not beaten its best"
            f" ({self.best:.4g}, reached at episode {self.best_episode:,}) for"
            f" {self.through - self.best_episode:,} episodes (through episode"
            f" {self.through:,}); learning may have converged or stalled"
        )

    @classmethod
    def parse(cls, text: str) -> PlateauNote | None:
        """Return the note a stored warning is, or None when it is not one."""
        match = _NOTE.match(text)
        if match is None:
            return None
        number = {
            key: int(value.replace(",", ""))
            for key, value in match.groupdict().items()
            if key != "best"
        }
        return cls(
            number["window"], float(match["best"]), number["best_episode"], number["through"]
        )


def reached_optimum(evaluation: Mapping[str, float] | None) -> bool:
    """Return whether a checkpoint's evaluation (``gridworld.optimality``) found its greedy
    policy optimal: ``gap`` within ``OPTIMAL_GAP`` of ``max(1, |v_opt|)``."""
    if not evaluation or "gap" not in evaluation:
        return False
    scale = max(1.0, abs(float(evaluation.get("v_opt", 0.0))))
    return float(evaluation["gap"]) <= OPTIMAL_GAP * scale
