"""Where the agent went lately, and where it was still surprised: per-state visits and mean
|TD error| over a run's newest recorded episodes (Dash-free).

A run keeps its newest recorded episodes as trajectories of kind ``last`` (a ring of
``RecordPolicy.last``, an ``every`` one among them), so its newest ``RECENT`` trajectories are
the last episodes it recorded: at the end of a run, its last episodes; while it trains, the
newest it recorded (the caption says which). A visit is a step taken from a state (the
state a step's TD error updates), so terminal cells are never visited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.rules import format_number
from gridworld.trajectory import DEFAULT_POLICY
from runstore import RunStore, TrajectoryInfo, TrajectoryNotFound

RECENT = DEFAULT_POLICY.last
"""How many of a run's newest recorded episodes the maps cover."""


@dataclass(frozen=True)
class StateVisits:
    """Visits and mean |TD error| per state over some recorded episodes."""

    episodes: tuple[int, ...]
    """The episodes counted, oldest first."""
    visits: np.ndarray
    """Steps taken from each state (int64 [states])."""
    mean_abs_td: np.ndarray
    """Mean |TD error| of those steps (float64 [states]; NaN where never visited)."""

    @property
    def shown_visits(self) -> np.ndarray:
        """Return the visits as a map shows them: float64, NaN (blank) where never visited."""
        return np.where(self.visits > 0, self.visits.astype(np.float64), np.nan)


def recent_episodes(infos: Iterable[TrajectoryInfo], count: int = RECENT) -> list[int]:
    """Return the newest ``count`` recorded episodes, oldest first.

    Args:
        infos: the run's trajectories (``RunStore.trajectories``), any order.
        count: how many at most.

    Returns:
        Their episode numbers.
    """
    return sorted(info.episode for info in infos)[-count:] if count > 0 else []


def state_visits(
    steps: Iterable[tuple[np.ndarray, np.ndarray]], n_states: int, episodes: Sequence[int] = ()
) -> StateVisits:
    """Return each state's visits and mean |TD error| over some episodes' steps.

    Args:
        steps: (state, td_error) columns of each episode, one entry per step.
        n_states: the env's number of states (states beyond the steps' get no visit).
        episodes: the episodes the steps are of (kept on the result).

    Returns:
        The visits per state and their mean |TD error| (NaN for a state never visited).
    """
    visits = np.zeros(n_states, dtype=np.int64)
    total = np.zeros(n_states, dtype=np.float64)
    for states, td_errors in steps:
        states = np.asarray(states, dtype=np.int64)
        visits += np.bincount(states, minlength=n_states)[:n_states]
        weights = np.abs(np.asarray(td_errors, dtype=np.float64))
        total += np.bincount(states, weights=weights, minlength=n_states)[:n_states]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(visits > 0, total / visits, np.nan)
    return StateVisits(tuple(episodes), visits, mean)


def covered(episodes: Sequence[int]) -> str:
    """Return which recorded episodes a map covers, as its caption says it.

    Returns:
        E.g. ``"episodes 4,981–5,000, 20 recorded"``, ``"episode 7, 1 recorded"``, or a
        notice that none is recorded yet.
    """
    if not episodes:
        return "no recorded episodes yet: the maps appear with the first one"
    first, last = min(episodes), max(episodes)
    span = (
        f"episode {format_number(first)}"
        if first == last
        else (f"episodes {format_number(first)}–{format_number(last)}")
    )
    return f"{span}, {len(episodes)} recorded"


def read_visits(
    store: RunStore, run_id: int, n_states: int, episodes: Sequence[int]
) -> StateVisits:
    """Return the visits over the run's recorded ``episodes`` (``recent_episodes``).

    An episode the ring dropped since it was listed is left out.

    Raises:
        RunNotFound: no such run.
    """
    kept, steps = [], []
    for episode in episodes:
        try:
            columns = store.trajectory(run_id, episode).columns
        except TrajectoryNotFound:
            continue
        kept.append(episode)
        steps.append((columns["state"], columns["td_error"]))
    return state_visits(steps, n_states, kept)
