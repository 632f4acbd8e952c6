"""The episodes the Replay card plays, read from the store: a recorded trajectory, or the
greedy policy of a checkpoint rolled out on the run's env (``gridworld.rollout``)."""

from __future__ import annotations

from dataclasses import dataclass

from app.rules import format_number
from app.views.replay import GREEDY
from app.views.trajectories import trajectory_options
from gridworld.errors import ValidationError
from gridworld.rollout import greedy_rollout, is_deterministic
from gridworld.spec import RunSpec, make_env
from gridworld.trajectory import DEFAULT_POLICY
from runstore import Run, RunStore, TrajectoryInfo, TrajectoryNotFound, TrajectoryRecord

ROLLOUT_STEPS = DEFAULT_POLICY.max_steps
"""The most steps a greedy rollout plays (as many as a recorded trajectory keeps)."""


class NothingToReplay(Exception):
    """The choice has no episode to play (yet, or any more); the message says why."""


@dataclass(frozen=True)
class Replay:
    """One episode to play and a line saying what it is."""

    record: TrajectoryRecord
    """The episode's steps (a greedy rollout's kind is ``GREEDY``, its episode the
    checkpoint's)."""
    note: str


def recorded_replay(store: RunStore, run_id: int, episode: int) -> Replay:
    """Return the run's recorded trajectory of ``episode``.

    Raises:
        RunNotFound: no such run.
        NothingToReplay: that episode is not (or no longer) recorded.
    """
    try:
        record = store.trajectory(run_id, episode)
    except TrajectoryNotFound as exc:
        raise NothingToReplay(f"{exc}: the run keeps only its newest 'last' episodes") from None
    info = TrajectoryInfo(record.episode, record.kind, record.length, record.steps)
    return Replay(record, trajectory_options([info])[0]["label"])


def greedy_replay(store: RunStore, run: Run, index: object) -> Replay:
    """Return the greedy policy of the run's checkpoint at scrubber position ``index``,
    played once on the run's env from a reset seeded with the run's seed.

    Args:
        store: the run store.
        run: the run.
        index: the position of the policy page's checkpoint slider (clamped; anything but
            a whole number is the first checkpoint).

    Returns:
        The rollout and a note: the checkpoint's episode, the steps, and whether the map is
        deterministic (else the rollout is one seeded sample).

    Raises:
        RunNotFound: no such run.
        NothingToReplay: the run has no checkpoint yet, or its env cannot be made here.
    """
    episodes = [info.episode for info in store.checkpoints(run.id)]
    if not episodes:
        raise NothingToReplay("no checkpoint yet: the greedy rollout appears after the first one")
    whole = index if isinstance(index, int) and not isinstance(index, bool) else 0
    episode = episodes[min(max(0, whole), len(episodes) - 1)]
    q = store.load_checkpoint(run.id, episode).q
    try:
        spec = RunSpec.from_dict(run.spec)
        env = make_env(spec)
    except ValidationError as exc:
        raise NothingToReplay(f"the run's env cannot be made here: {exc}") from None
    gamma = float(run.current_params.get("gamma", spec.hyperparams.gamma))
    try:
        trajectory = greedy_rollout(env, q, gamma, run.seed, ROLLOUT_STEPS)
        deterministic = is_deterministic(env)
    finally:
        env.close()
    how = "deterministic map" if deterministic else f"one sample of a random env, seed {run.seed}"
    steps = format_number(trajectory.steps)
    bound = " (the bound)" if trajectory.steps == ROLLOUT_STEPS else ""
    note = (
        f"greedy rollout of the checkpoint at episode {format_number(episode)} · "
        f"{steps} step{'s' if trajectory.steps != 1 else ''}{bound} · {how}"
    )
    record = TrajectoryRecord(episode, GREEDY, trajectory.length, trajectory.columns)
    return Replay(record, note)
