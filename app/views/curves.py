"""What the live run page draws, read from the store: curve figures over decimated windows.

Pure of Dash, so the page's callbacks, the tests and the dashboard benchmark share it. Every
curve reads at most ``POINTS`` buckets of a window, whatever the run's length: what a refresh
costs and sends does not grow with the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.figures.curves import (
    X_MODES,
    change_markers,
    color_for,
    curve_figure,
    curve_traces,
    x_values,
)
from runstore import RunStore

POINTS = 500
"""Buckets per curve: more than a half-width graph has pixels, and a curve stays under 40 KB
of JSON (1000 buckets with band, raw and smoothed lines measured ~60 KB). A zoomed window of
at most this many episodes shows every episode."""
MAX_MARKERS = 200
"""Most recent parameter changes drawn as markers."""


@dataclass(frozen=True)
class CurveSpec:
    """One learning-curve figure of the run page."""

    title: str
    metrics: tuple[str, ...]
    band: bool
    """Draw min–max bands (meaningless for a 0/1 success flag or a schedule)."""
    smooth: bool
    """Apply the EMA slider (schedules like epsilon are drawn as they are)."""


CURVES: dict[str, CurveSpec] = {
    "return": CurveSpec("Return per episode", ("return",), band=True, smooth=True),
    "length": CurveSpec("Episode length (steps)", ("length",), band=True, smooth=True),
    "success": CurveSpec("Success rate", ("success",), band=False, smooth=True),
    "explore": CurveSpec("Exploration ε and step size α", ("epsilon", "alpha"), False, False),
}
"""Figure key → what it draws, in page order."""


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


def zoom_window(store: RunStore, run_id: int, x_mode: str, x0: float, x1: float) -> Window | None:
    """Return the episodes a zoomed x range covers, or None when it covers none.

    On the episode axis the range is the episodes; on the env-steps or wall-time axis it is
    mapped through that cumulative metric's series (the bucket minimum is the first episode's
    value), at the resolution of the current view.

    Returns:
        The window, its episode bounds clipped to the run's episodes.
    """
    done = store.get_run(run_id).episodes_done
    if done == 0:
        return None
    if x_mode == "episode":
        first, last = math.ceil(x0), math.floor(x1)
    else:
        series = store.series(run_id, x_mode, points=POINTS)
        xs, episodes = series.min, series.episode
        # widen by a bucket on each side: x0 and x1 may fall inside a bucket
        first = next((e for x, e in zip(xs, episodes, strict=True) if x >= x0), episodes[-1])
        first -= series.bucket
        pairs = zip(reversed(xs), reversed(episodes), strict=True)
        last = next((e for x, e in pairs if x <= x1), 1) + series.bucket - 1
    first, last = max(1, first), min(done, last)
    if first > last:
        return None
    return Window(x_mode, x0, x1, first, last)


def curve_figures(
    store: RunStore,
    run_id: int,
    *,
    x_mode: str = "episode",
    weight: float = 0.0,
    log_y: bool = False,
    bands: bool = True,
    window: Window | None = None,
) -> dict[str, dict[str, Any]]:
    """Build every learning-curve figure of the run page from decimated windows.

    Args:
        store: the run store.
        run_id: the run.
        x_mode: one of ``X_MODES``.
        weight: EMA smoothing weight, 0 <= weight < 1.
        log_y: logarithmic y axes (where values can be positive).
        bands: draw min–max bands.
        window: a zoom to re-query at full resolution; ignored when drawn on another x axis.

    Returns:
        ``CURVES`` key → Plotly figure dict. Each keeps the user's zoom and legend state across
        refreshes (``uirevision``) until the x axis, the scale or the zoom window changes.

    Raises:
        RunNotFound: no such run.
        ValueError: an unknown ``x_mode``.
    """
    if x_mode not in X_MODES:
        raise ValueError(f"x_mode={x_mode!r} is invalid; allowed: {', '.join(X_MODES)}")
    if window is not None and window.x_mode != x_mode:
        window = None
    start, end = (window.start, window.end) if window else (None, None)
    x_series = None
    if x_mode != "episode":
        x_series = store.series(run_id, x_mode, start, end, POINTS).to_dict()
    changes = [change.to_dict() for change in store.param_changes(run_id)][-MAX_MARKERS:]
    revision = f"{run_id}:{x_mode}:{log_y}:{window.key() if window else 'all'}"
    figures = {}
    for key, spec in CURVES.items():
        traces: list[dict[str, Any]] = []
        placed: Mapping[str, Any] | None = None
        for index, metric in enumerate(spec.metrics):
            series = store.series(run_id, metric, start, end, POINTS).to_dict()
            xs = x_values(series, x_series)
            traces += curve_traces(
                series,
                name=metric,
                color=color_for(index),
                weight=weight if spec.smooth else 0.0,
                x=xs,
                band=bands and spec.band,
            )
            if x_series is not None:
                placed = {"episode": series["episode"], "x": xs}
        shown = [
            change
            for change in changes
            if x_series is None or _inside(change.get("applied_episode"), x_series)
        ]
        figures[key] = curve_figure(
            traces,
            title=spec.title,
            y_title=", ".join(spec.metrics),
            x_mode=x_mode,
            log_y=log_y,
            markers=change_markers(shown, x_of_episode=placed),
            uirevision=f"{key}:{revision}",
            x_range=(window.x0, window.x1) if window else None,
        )
    return figures


def _inside(episode: Any, x_series: Mapping[str, Any]) -> bool:
    """Return whether an applied change's episode lies within a series' window."""
    return episode is not None and x_series["start"] <= int(episode) <= x_series["end"]
