"""The episode loop's timing and fault-detection knobs (``Trainer``'s settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoopSettings:
    """Timing and fault-detection knobs of the episode loop (tests shrink them)."""

    flush_seconds: float = 0.25
    """Write the episode batch at least this often."""
    flush_episodes: int = 8000
    """Chunks stop at multiples of this many episodes (a multiple of the store's blocks of
    1000), so a fast run's batches end where blocks do: a write seldom re-reads and
    re-encodes a partial block. Toward its target a run's chunks shrink (at most half of
    what is left, in whole blocks), so that the last batch, which nothing overlaps, is
    small."""
    batch_episodes: int = 20_000
    """...and a batch is written early once it holds this many episodes (at such a
    multiple), which bounds the memory a very fast run holds between flushes."""
    control_seconds: float = 0.1
    """Read the requested status and pending parameter changes at least this often."""
    plateau_window: int = 100
    """Episodes per block of the rolling mean return watched for a plateau."""
    plateau_patience: int = 20_000
    """Warn (once) when no block mean beat the best one for this many episodes."""
    pace: float | None = None
    """Play at most this many episodes per second, sleeping between chunks (None: flat
    out), unless the run records a pace of its own (its spec's or a pace change's, read
    by ``restore``). ``Trainer.pace`` changes it while the run trains."""
    write_queue: int = 4
    """Writes (batches, checkpoints) the writer thread may hold before the loop waits for
    it; 0: no writer thread, the loop commits each write itself. While the thread has
    nothing to write, a batch of at least ``idle_flush_episodes`` goes to it at once, so
    that it writes while the loop plays on instead of all at the end of a short run."""
    idle_flush_episodes: int = 1000
    """See ``write_queue``."""

    @property
    def chunk_seconds(self) -> float:
        """Return how long a chunk of episodes should last: half the shorter of the control
        and flush intervals, so that neither waits long for a chunk to end."""
        return min(self.control_seconds, self.flush_seconds) / 2
