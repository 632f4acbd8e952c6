"""The plateau watch: block means of the episode return, and the best one so far.

A training loop feeds it the returns of each batch of episodes (``PlateauWatch``); it says
which blocks closed without beating the best, and the watch decides whether that has lasted
long enough to warn. ``Plateau``'s fields are
plain numbers, so a checkpoint saves it with ``dataclasses.asdict`` and ``Plateau(**saved)``
restores it. The warning itself is a ``PlateauNote``: the text a run stores, and what a page
reads back from it to say whether the plateau still holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


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

    def add(self, values: np.ndarray, first: int, window: int) -> list[tuple[int, float, int]]:
        """Add consecutive episodes' returns to the open block, closing a block at every
        ``window`` episodes; each block's sum adds its returns first to last, from 0.0.

        Args:
            values: the episodes' returns (float64), in order.
            first: the first one's episode number.
            window: episodes per block.

        Returns:
            For each block closed whose mean did not beat ``best``: (its last episode, the
            best mean then, the episode that reached it), in order.
        """
        values = np.asarray(values, dtype=np.float64)
        need = window - self.block_n  # the open block closes after this many more
        if len(values) < need:
            self.block_sum = _sum_from(self.block_sum, values)
            self.block_n += len(values)
            return []
        full = (len(values) - need) // window
        rest = values[need + full * window :]
        blocks = values[need : need + full * window].reshape(full, window)
        closed = np.cumsum(np.hstack((np.zeros((full, 1)), blocks)), axis=1)  # from 0.0
        sums = [_sum_from(self.block_sum, values[:need]), *closed[:, -1].tolist()]
        stalls = []
        for block, total in enumerate(sums):
            mean, episode = total / window, first + need - 1 + block * window
            if self.best is None or mean > self.best:
                self.best, self.best_episode = mean, episode
            else:
                stalls.append((episode, self.best, self.best_episode))
        self.block_sum, self.block_n = _sum_from(0.0, rest), len(rest)
        return stalls


def _sum_from(start: float, values: np.ndarray) -> float:
    """Return ``start`` plus each of ``values`` in turn, as a Python float."""
    return float(np.cumsum(np.concatenate(([start], values)))[-1])


@dataclass
class PlateauWatch:
    """Watches a run's returns for a plateau (block means that stop beating their best),
    to warn once: what a trainer keeps between its flushes."""

    window: int
    """Episodes per block."""
    patience: int
    """Warn when no block mean beat the best one for this many episodes."""
    plateau: Plateau = field(default_factory=lambda: Plateau())
    """What the watch knows (saved with the run's checkpoints)."""
    warned: bool = False
    """The run already holds its plateau warning."""

    def watch(self, returns: np.ndarray, first: int) -> PlateauNote | None:
        """Feed the returns of consecutive episodes from ``first`` on.

        Returns:
            The warning to record, the first time a closed block's episode is ``patience``
            episodes past the best block's; None otherwise.
        """
        for episode, best, best_episode in self.plateau.add(returns, first, self.window):
            if not self.warned and episode - best_episode >= self.patience:
                self.warned = True
                return PlateauNote(self.window, float(best), best_episode, episode)
        return None


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
