"""A zoom on the run page's curves, as the episodes it covers.

A zoom arrives as an x range on the axis the curves are drawn on: episodes, environment steps
or wall time. The last two are cumulative metrics of the run, so an x range maps to an episode
range through that metric's decimated series (each bucket's minimum is its first episode's
value); the curves then re-read that episode range at full resolution and keep the x range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.figures.curves import X_MODES
from app.views.query import number_in
from runstore import RunStore

POINTS = 500
"""Buckets per curve (and of the x metric's series a zoom is mapped through): more than a
half-width graph has pixels, and a curve stays under 40 KB of JSON (1000 buckets with band,
raw and smoothed lines measured ~60 KB). A zoomed window of at most this many episodes shows
every episode."""


@dataclass(frozen=True)
class Window:
    """A zoomed x range and the episodes it covers."""

    x_mode: str
    x0: float
    x1: float
    start: int
    end: int

    def key(self) -> str:
        """Return a short text naming the window (part of the figures' ``uirevision``)."""
        return f"{self.x_mode}:{self.x0!r}-{self.x1!r}"


def episode_span(
    xs: Sequence[float], episodes: Sequence[int], bucket: int, x0: float, x1: float
) -> tuple[int, int]:
    """Return the episodes whose value of a cumulative x metric may lie within [x0, x1].

    Args:
        xs: the x metric's minimum in each bucket (its first episode's value), ascending.
        episodes: the first episode of each bucket; not empty.
        bucket: episodes per bucket.
        x0: the low end of the x range.
        x1: the high end of the x range.

    Returns:
        The first and last episode, widened by a bucket on each side (x0 and x1 may fall
        inside a bucket) and not clipped to the run: the first can be below 1 and the last
        past the run's end, and first > last when the range lies between two episodes.
    """
    first = next((e for x, e in zip(xs, episodes, strict=True) if x >= x0), episodes[-1])
    pairs = zip(reversed(xs), reversed(episodes), strict=True)
    last = next((e for x, e in pairs if x <= x1), 1)
    return first - bucket, last + bucket - 1


def zoom_window(store: RunStore, run_id: int, x_mode: str, x0: float, x1: float) -> Window | None:
    """Return the episodes a zoomed x range covers, or None when it covers none.

    On the episode axis the range is the episodes; on the env-steps or wall-time axis it is
    mapped through that metric's series (``episode_span``), at the resolution of the whole
    run's view.

    Returns:
        The window, its episode bounds clipped to the run's episodes.

    Raises:
        RunNotFound: no such run.
    """
    done = store.get_run(run_id).episodes_done
    if done == 0:
        return None
    if x_mode == "episode":
        first, last = math.ceil(x0), math.floor(x1)
    else:
        series = store.series(run_id, x_mode, points=POINTS)
        first, last = episode_span(series.min, series.episode, series.bucket, x0, x1)
    first, last = max(1, first), min(done, last)
    if first > last:
        return None
    return Window(x_mode, x0, x1, first, last)


def window_of(store: RunStore, run_id: int, x_mode: str, zoom: object) -> Window | None:
    """Return the window of the zoom the browser holds, when it was made on ``x_mode``'s axis.

    Args:
        store: the run store.
        run_id: the run.
        x_mode: the axis the curves are drawn on now.
        zoom: ``{"x_mode", "x0", "x1"}`` as ``assets/run-page.js`` stores a zoom, or None.

    Returns:
        The window, or None for no zoom, a zoom on another axis, one covering no episode or
        one whose ends are not finite numbers (only a crafted request sends those).

    Raises:
        RunNotFound: no such run.
    """
    if not (isinstance(zoom, dict) and zoom.get("x_mode") == x_mode and x_mode in X_MODES):
        return None
    x0, x1 = (number_in(zoom.get(end), math.nan, -math.inf, math.inf) for end in ("x0", "x1"))
    if not (math.isfinite(x0) and math.isfinite(x1)):
        return None
    return zoom_window(store, run_id, x_mode, x0, x1)
