"""The run page's learning curves, read from the store: figures over decimated windows.

Pure of Dash, so the page's callbacks and the tests share it. Every curve reads at most
``POINTS`` buckets of a window, whatever the run's length: what a refresh costs and sends does
not grow with the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.figures.curves import (
    X_MODES,
    color_for,
    curve_figure,
    curve_traces,
    schedule_series,
    x_values,
)
from app.figures.markers import change_markers, event_markers, join_markers
from app.views.lineage import fork_markers
from app.views.query import smoothing
from app.views.zoom import POINTS, Window, window_of
from runstore import RunStore

MAX_MARKERS = 200
"""Most recent parameter changes (and, apart, run events) drawn as markers."""


@dataclass(frozen=True)
class CurveSpec:
    """One learning-curve figure of the run page."""

    title: str
    metrics: tuple[str, ...]
    band: bool
    """Draw min–max bands (meaningless for a 0/1 success flag or a schedule)."""
    smooth: bool
    """Apply the EMA slider (schedules like epsilon are drawn as they are)."""
    schedule: bool = False
    """The metrics are schedules: drawn at their values at bucket edges
    (``figures.curves.schedule_series``), not as bucket means."""


CURVES: dict[str, CurveSpec] = {
    "return": CurveSpec("Return per episode", ("return",), band=True, smooth=True),
    "length": CurveSpec("Episode length (steps)", ("length",), band=True, smooth=True),
    "success": CurveSpec("Success rate", ("success",), band=False, smooth=True),
    "explore": CurveSpec(
        "Exploration ε and step size α", ("epsilon", "alpha"), False, False, schedule=True
    ),
}
"""Figure key → what it draws, in page order."""


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
        log_y: logarithmic y axes (symlog for a curve with values <= 0).
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
    run = store.get_run(run_id)
    changes = [change.to_dict() for change in store.param_changes(run_id)][-MAX_MARKERS:]
    events = [event.to_dict() for event in store.events(run_id)][-MAX_MARKERS:]
    revision = f"{run_id}:{x_mode}:{log_y}:{window.key() if window else 'all'}"
    changes = [c for c in changes if _inside(c.get("applied_episode"), x_series)]
    events = [e for e in events if _inside(e.get("episode"), x_series)]
    figures = {}
    for key, spec in CURVES.items():
        traces, placed = _traces(store, run_id, spec, window, x_series, weight, bands)
        figures[key] = curve_figure(
            traces,
            title=spec.title,
            y_title=", ".join(spec.metrics),
            x_mode=x_mode,
            log_y=log_y,
            markers=join_markers(
                change_markers(changes, x_of_episode=placed),
                event_markers(events, x_of_episode=placed),
                fork_markers(run, x_of_episode=placed),
            ),
            uirevision=f"{key}:{revision}",
            x_range=(window.x0, window.x1) if window else None,
        )
    return figures


def page_curves(
    store: RunStore,
    run_id: int,
    x_mode: object,
    smooth: object,
    log_y: object,
    bands: object,
    zoom: object,
) -> tuple[dict[str, Any], ...]:
    """Return the run page's figures for its controls' values, in ``CURVES`` order.

    Args:
        store: the run store.
        run_id: the run.
        x_mode: the x-axis choice (the episode axis unless one of ``X_MODES``).
        smooth: the smoothing slider (``query.smoothing``).
        log_y: the log-scale switch.
        bands: the bands switch.
        zoom: the zoom the browser holds (``zoom.window_of``).

    Raises:
        RunNotFound: no such run.
    """
    mode = x_mode if isinstance(x_mode, str) and x_mode in X_MODES else "episode"
    figures = curve_figures(
        store,
        run_id,
        x_mode=mode,
        weight=smoothing(smooth),
        log_y=bool(log_y),
        bands=bool(bands),
        window=window_of(store, run_id, mode, zoom),
    )
    return tuple(figures[key] for key in CURVES)


def _traces(
    store: RunStore,
    run_id: int,
    spec: CurveSpec,
    window: Window | None,
    x_series: Mapping[str, Any] | None,
    weight: float,
    bands: bool,
) -> tuple[list[dict[str, Any]], Mapping[str, Any] | None]:
    """Return one figure's traces, and where its episodes sit on a non-episode x axis.

    Returns:
        The traces of every metric of ``spec``, and ``{"episode", "x"}`` of the buckets drawn
        (None on the episode axis) to place change markers by.
    """
    start, end = (window.start, window.end) if window else (None, None)
    traces: list[dict[str, Any]] = []
    placed: Mapping[str, Any] | None = None
    for index, metric in enumerate(spec.metrics):
        series = store.series(run_id, metric, start, end, POINTS).to_dict()
        if spec.schedule:
            series = schedule_series(series)
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
    return traces, placed


def _inside(episode: Any, x_series: Mapping[str, Any] | None) -> bool:
    """Return whether a marker's episode can be placed: any on the episode axis (None),
    else one within the x series' window."""
    if x_series is None:
        return True
    return episode is not None and x_series["start"] <= int(episode) <= x_series["end"]
