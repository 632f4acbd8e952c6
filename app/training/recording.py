"""A training run's trajectories on their way to the store: which episodes of each chunk
record their steps (``gridworld.trajectory.RecordPolicy``), and the recorded ones waiting
for the batch of episodes they are written with.

A batch is always whole chunks, so of a chunk's episodes of kind ``last`` the store keeps
at most those among the chunk's newest recorded ones (``runstore.ring_drops``); the others
are never recorded (a chunk of 20,000 episodes spans 20 windows of the policy, whose last
episodes would otherwise all play with their steps written out, to be dropped unread)."""

from __future__ import annotations

from gridworld.kernel import EpisodeBatch
from gridworld.trajectory import DEFAULT_POLICY, RecordPolicy, StepsWanted
from runstore import TrajectoryBatch, TrajectoryRecord, ring_drops


class Recording:
    """Chooses the recorded episodes of one run's chunks and holds their trajectories."""

    def __init__(self, origin: int, target: int, policy: RecordPolicy = DEFAULT_POLICY) -> None:
        """Record what ``policy`` chooses of a run's episodes ``origin + 1 .. target``.

        Args:
            origin: the episode before the run's own first (a fork's fork episode, else 0).
            target: the run's last episode.
            policy: which episodes to record.
        """
        self.origin = origin
        self.target = target
        self.policy = policy
        self.kinds: dict[int, str] = {}
        """The chunk being played: index in it to kind, as ``chosen`` returned."""
        self.pending: list[TrajectoryRecord] = []

    def wanted(self, start: int, count: int) -> StepsWanted:
        """Return (and remember the kinds of) the episodes of the chunk
        ``start .. start + count - 1`` that record their steps, for the kernel: those the
        policy chooses, less those the ring would drop."""
        chosen = self.policy.chosen(self.origin, self.target, start, count)
        dropped = ring_drops(chosen, self.policy.last)
        self.kinds = {index: kind for index, kind in chosen.items() if index not in dropped}
        return StepsWanted(self.kinds.keys(), self.policy.max_steps)

    def take(self, batch: EpisodeBatch, start: int) -> None:
        """Keep the trajectories of the chunk that began at episode ``start``."""
        for index, trajectory in sorted(batch.trajectories.items()):
            kind = self.kinds[index]
            record = TrajectoryRecord(start + index, kind, trajectory.length, trajectory.columns)
            self.pending.append(record)

    def flush(self) -> TrajectoryBatch | None:
        """Return the trajectories kept since the last flush (None: there are none), for the
        batch of episodes that holds them."""
        records, self.pending = self.pending, []
        return TrajectoryBatch(records, self.policy.last) if records else None
