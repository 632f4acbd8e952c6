"""Pure builders for the compare page: overlaid curves, parameter diff, summary stats, CSV.

Curves reuse ``app.figures.curves`` (smoothing, bands, change markers, x-axis modes); this
module only lays several runs over one another, each in its own colour. Inputs are the HTTP
shapes (series dicts, parameter-change dicts, run dicts), so the module needs no store.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.figures.curves import (
    color_for,
    curve_figure,
    curve_traces,
    x_values,
)
from app.figures.markers import change_markers
from app.rules import format_number
from runstore.csvsafe import SafeWriter


@dataclass(frozen=True)
class RunCurve:
    """One run's data for one metric: its series and what places it on the x axis."""

    run_id: int
    name: str
    """The run's name as typed (``compare_figure`` escapes it: Plotly reads HTML in labels)."""
    series: Mapping[str, Any]
    """The metric's series (HTTP shape)."""
    x_series: Mapping[str, Any] | None = None
    """The x metric's series over the same window, or None on the episode axis."""
    changes: Sequence[Mapping[str, Any]] = ()
    """The run's parameter changes (HTTP shape)."""


def _recolour(
    markers: tuple[list[dict[str, Any]], list[dict[str, Any]]], color: str, name: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return change markers drawn in a run's colour, hover text prefixed with its name."""
    shapes, annotations = markers
    for shape in shapes:
        shape["line"] = {**shape["line"], "color": color}
    for note in annotations:
        note["font"] = {**note["font"], "color": color}
        note["hovertext"] = f"{name}<br>{note['hovertext']}"
    return shapes, annotations


def compare_figure(
    curves: Sequence[RunCurve],
    *,
    metric: str,
    x_mode: str = "episode",
    weight: float = 0.0,
    band: bool = True,
    show_markers: bool = True,
    show_legend: bool = True,
    height: int | None = None,
    uirevision: str = "compare",
) -> dict[str, Any]:
    """Return one figure with every run's curve of ``metric`` overlaid, run ``i`` in colour ``i``.

    Args:
        curves: one entry per run, in colour order.
        metric: the plotted metric (names the y axis).
        x_mode: "episode", "env_steps" or "wall_time".
        weight: EMA smoothing weight (0 = raw bucket means).
        band: draw each run's min–max band.
        show_markers: draw each run's parameter changes as dotted lines in its colour.
        show_legend: show the legend (small multiples leave it to the main figure).
        height: figure height in pixels (default: ``curve_figure``'s).
        uirevision: keeps zoom and legend clicks across refreshes.

    Returns:
        A Plotly figure dict.
    """
    traces: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index, curve in enumerate(curves):
        color = color_for(index)
        # Plotly reads tags in labels, and decodes &amp; &lt; &gt; (not &quot;): escape those
        name = html.escape(f"#{curve.run_id} {curve.name}", quote=False)
        x = None if x_mode == "episode" else x_values(curve.series, curve.x_series)
        traces += curve_traces(curve.series, name=name, color=color, weight=weight, x=x, band=band)
        if show_markers and curve.changes:
            where = None
            if x_mode != "episode" and curve.x_series is not None:
                where = {"episode": curve.x_series["episode"], "x": curve.x_series["min"]}
            marks = change_markers(curve.changes, x_of_episode=where, show_text=False)
            run_shapes, run_notes = _recolour(marks, color, name)
            shapes += run_shapes
            annotations += run_notes
    figure = curve_figure(
        traces,
        title=metric,
        y_title=metric,
        x_mode=x_mode,
        markers=(shapes, annotations),
        uirevision=uirevision,
    )
    if height is not None:
        figure["layout"]["height"] = height
    if not show_legend:
        figure["layout"]["showlegend"] = False
    return figure


def empty_figure(hint: str, height: int = 380) -> dict[str, Any]:
    """Return a figure with no axes that says ``hint`` in its middle (no run to draw)."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [
                {
                    "text": hint,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 15},
                }
            ],
            "height": height,
        },
    }


PARAM_ORDER = ("env_id", "preset", "seed", "target_episodes")
"""Run settings listed before the hyperparameters in the diff table."""


def param_rows(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the hyperparameter diff table: one row per setting, one value per run.

    A run whose parameters changed during training shows "initial → current".

    Args:
        runs: run dicts (``Run.to_dict()``): ``id``, ``env_id``, ``seed``,
            ``target_episodes``, ``spec``, ``hyperparams``, ``current_params``.

    Returns:
        Rows ``{"param", "values": [text per run], "differs": bool}``: settings first,
        then hyperparameters alphabetically.
    """
    table: dict[str, list[str]] = {}
    for column, run in enumerate(runs):
        settings = {
            "env_id": run.get("env_id"),
            "preset": preset_text(run),
            "seed": run.get("seed"),
            "target_episodes": run.get("target_episodes"),
        }
        initial = dict(run.get("hyperparams") or {})
        current = dict(run.get("current_params") or initial)
        values: dict[str, str] = {key: _text(value) for key, value in settings.items()}
        for key in sorted(set(initial) | set(current)):
            start, now = initial.get(key), current.get(key, initial.get(key))
            text = _text(start)
            if now != start:
                text += f" → {_text(now)}"
            values[key] = text
        for key, text in values.items():
            table.setdefault(key, [""] * len(runs))[column] = text
    order = [key for key in PARAM_ORDER if key in table]
    order += sorted(key for key in table if key not in PARAM_ORDER)
    return [
        {"param": key, "values": table[key], "differs": len(set(table[key])) > 1} for key in order
    ]


def preset_text(run: Mapping[str, Any]) -> str:
    """Return what a run trains on, in the diff table's ``preset`` row.

    Returns:
        The GridWorld preset's name, ``custom 6×8 map`` for a GridWorld map of its own,
        ``4×4 map`` for another env's grid (FrozenLake), or ``–`` for an env with no map.
    """
    spec = run.get("spec") or {}
    if spec.get("preset"):
        return str(spec["preset"])
    grid = (run.get("env_config") or {}).get("grid")
    if not grid:
        return format_number(None)
    size = f"{len(grid['desc'])}×{len(grid['desc'][0])} map"
    return f"custom {size}" if spec.get("desc") else size


def _text(value: Any) -> str:
    """Return a setting as table (and CSV) text: integers as plain digits, since seeds and
    episode counts are copied from there, anything else as ``format_number`` shows it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return format_number(value)


def episodes_to_threshold(series: Mapping[str, Any], threshold: float) -> int | None:
    """Return the last episode of the first bucket whose mean reaches ``threshold``.

    Args:
        series: a series of the return (HTTP shape); its ``bucket`` sets the resolution.
        threshold: the mean return to reach.

    Returns:
        The episode by which the bucket mean first reached ``threshold``, or None if never.
    """
    bucket = int(series.get("bucket", 1))
    end = int(series.get("end", 0))
    for first, mean in zip(series["episode"], series["mean"], strict=True):
        if mean is not None and math.isfinite(mean) and mean >= threshold:
            last = ((first - 1) // bucket + 1) * bucket
            return min(last, end) if end else last
    return None


def summary_row(
    run: Mapping[str, Any],
    summary: Mapping[str, Any],
    returns: Mapping[str, Any],
    evaluations: Sequence[Mapping[str, Any] | None],
    threshold: float | None,
) -> dict[str, Any]:
    """Return one run's line of the summary table.

    Args:
        run: the run dict (``id``, ``name``, ``status``, ``episodes_done``).
        summary: ``RunStore.summary`` (``recent_return``, ``best_return``).
        returns: the run's return series (for the threshold).
        evaluations: checkpoint evaluations, oldest first (None where not evaluated).
        threshold: the mean return to reach, or None to skip that column.

    Returns:
        ``run``, ``name``, ``status``, ``episodes_done``, ``final_return``, ``best_return``,
        ``episodes_to_threshold``, ``threshold_resolution`` (bucket size) and ``final_gap``.
    """
    scored = [ev for ev in evaluations if ev and ev.get("gap") is not None]
    return {
        "run": run["id"],
        "name": run["name"],
        "status": run["status"],
        "episodes_done": run["episodes_done"],
        "final_return": summary.get("recent_return"),
        "best_return": summary.get("best_return"),
        "episodes_to_threshold": (
            episodes_to_threshold(returns, threshold) if threshold is not None else None
        ),
        "threshold_resolution": returns.get("bucket"),
        "final_gap": scored[-1]["gap"] if scored else None,
    }


def comparison_csv(
    summaries: Sequence[Mapping[str, Any]],
    params: Sequence[Mapping[str, Any]],
    curves: Sequence[RunCurve],
    *,
    metric: str,
    threshold: float | None,
) -> str:
    """Return the comparison as CSV text: one line per run and bucket of the plotted metric.

    Every line carries the run's summary figures and settings, so the file filters and
    pivots in a spreadsheet without lookups.

    Args:
        summaries: ``summary_row`` per run, in run order.
        params: ``param_rows`` of the same runs.
        curves: the plotted series per run, in run order.
        metric: the plotted metric's name (a column).
        threshold: the return threshold used for ``episodes_to_threshold``.

    Returns:
        The CSV text with a header line.
    """
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    stat_keys = [key for key in summaries[0] if key not in ("run", "name")] if summaries else []
    param_keys = [row["param"] for row in params]
    writer.writerow(
        [
            "run",
            "name",
            *stat_keys,
            "threshold",
            *param_keys,
            "metric",
            "episode",
            "bucket",
            "mean",
            "min",
            "max",
            "count",
        ]
    )
    for column, (summary, curve) in enumerate(zip(summaries, curves, strict=True)):
        head = [
            summary["run"],
            summary["name"],
            *(_cell(summary[key]) for key in stat_keys),
            _cell(threshold),
            *(row["values"][column] for row in params),
        ]
        series = curve.series
        for i, episode in enumerate(series["episode"]):
            writer.writerow(
                [
                    *head,
                    metric,
                    episode,
                    series["bucket"],
                    _cell(series["mean"][i]),
                    _cell(series["min"][i]),
                    _cell(series["max"][i]),
                    series["count"][i],
                ]
            )
        if not series["episode"]:
            writer.writerow([*head, metric, "", "", "", "", "", ""])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Return a CSV cell: numbers as numbers (``csv`` writes floats with full precision),
    None and NaN as empty."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return value
