"""How fast a running run trains and when it will be done, from its stored episodes.

Every episode row carries ``wall_time``, the run's training seconds when it ended (across
resumes, without the time it was paused), so the pace over the most recent ``RATE_WINDOW``
episodes is two point reads, whatever the run's length, and the page holds no history of
its own: a reload shows the pace at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.rules import format_duration, format_number
from runstore import Run, RunStore

RATE_WINDOW = 500
"""The most recent episodes the pace is measured over."""
NONE_SHOWN = "—"
"""What the header shows for a pace or ETA there is none of (a run not training)."""


@dataclass(frozen=True)
class Pace:
    """A run's recent training pace."""

    per_second: float | None
    """Episodes per second over the recent episodes (None: not training, or too few)."""
    eta_seconds: float | None
    """Seconds until the target at that pace (None with no pace)."""


NO_PACE = Pace(None, None)


def estimate_pace(first: tuple[int, float], last: tuple[int, float], remaining: int) -> Pace:
    """Return the pace between two stored episodes and the time the rest takes at it.

    Args:
        first: (episode, wall_time) of the earlier episode.
        last: (episode, wall_time) of the latest episode.
        remaining: episodes still to train.

    Returns:
        Episodes per second between the two, and ``remaining`` at that rate; ``NO_PACE``
        when the two are not an episode and a moment apart.
    """
    episodes, seconds = last[0] - first[0], last[1] - first[1]
    if episodes <= 0 or not (math.isfinite(seconds) and seconds > 0):
        return NO_PACE
    rate = episodes / seconds
    return Pace(rate, max(0, remaining) / rate)


def run_pace(store: RunStore, run: Run) -> Pace:
    """Return the pace of ``run`` over its last ``RATE_WINDOW`` episodes.

    Returns:
        The pace while the run is running; ``NO_PACE`` for a run that is not (queued,
        paused, ended), so the header shows a dash instead of a stale rate.
    """
    done = run.episodes_done
    if run.status != "running" or done < 2:
        return NO_PACE
    latest = store.episodes(run.id, done, 1)
    earlier = store.episodes(run.id, max(1, done - RATE_WINDOW), 1)
    if not latest or not earlier:
        return NO_PACE
    first, last = earlier[0], latest[0]
    remaining = run.target_episodes - done
    return estimate_pace(
        (first.episode, first.wall_time), (last.episode, last.wall_time), remaining
    )


def pace_text(pace: Pace) -> str:
    """Return the header's pace line: ``1,234 episodes/s · ETA 3 min 20 s`` (a dash for
    each part there is none of)."""
    rate = NONE_SHOWN if pace.per_second is None else _rate(pace.per_second)
    eta = NONE_SHOWN if pace.eta_seconds is None else format_duration(pace.eta_seconds)
    return f"{rate} episodes/s · ETA {eta}"


def _rate(per_second: float) -> str:
    """Return episodes per second: whole from 100 on, else to 3 significant digits."""
    return format_number(round(per_second)) if per_second >= 100 else f"{per_second:.3g}"
