"""The experiment page's comparison panels as data: the probability of improvement, the
performance profile, parallel coordinates and one sensitivity chart per hyperparameter.

Each takes the groups' results (``PageData.results``), one score per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.figures.experiment_analysis import (
    ProfileLine,
    parcoords_figure,
    profile_figure,
    sensitivity_figure,
)
from app.stats.records import Band, format_interval
from app.views.experiment_analysis import improvement, profiles, scored_runs, sensitivities
from app.views.experiment_groups import run_settings, varying
from app.views.experiment_scores import OBJECTIVE_LABELS, GroupResult
from app.views.experiment_view import ExperimentView


@dataclass(frozen=True)
class Panels:
    """What the page's comparison section shows."""

    improvement: str
    """``P(#1 > #2) = 0.83 [0.61, 0.97]`` and what it means, or why there is none."""
    pair: tuple[int, int] | None
    """The groups compared (X, Y), or None."""
    profile: dict[str, Any]
    parcoords: dict[str, Any]
    sensitivity: list[dict[str, Any]]
    """One chart per numeric hyperparameter that varies."""


def panels(results: Sequence[GroupResult], view: ExperimentView) -> Panels:
    """Return the comparison panels for the view's objective, centre and pair."""
    objective = OBJECTIVE_LABELS.get(view.metric, view.metric)
    text, pair = improvement_text(results, view)
    return Panels(
        improvement=text,
        pair=pair,
        profile=profile_chart(results, view.metric),
        parcoords=parcoords_chart(results, objective),
        sensitivity=[
            sensitivity_figure(
                found.parameter,
                found.values,
                [interval.point for interval in found.intervals],
                [interval.low for interval in found.intervals],
                [interval.high for interval in found.intervals],
                y_title=f"{objective} ({view.centre})",
            )
            for found in sensitivities(results, view.centre)
        ],
    )


def improvement_text(
    results: Sequence[GroupResult], view: ExperimentView
) -> tuple[str, tuple[int, int] | None]:
    """Return the probability-of-improvement line and the pair it compares.

    Returns:
        The text (better means lower for episodes to threshold) and (X, Y); a hint and None
        with fewer than two groups.
    """
    found = improvement(results, view.metric, view.pair)
    if found is None:
        return "Needs two groups to compare.", None
    x, y = found.x.group.number, found.y.group.number
    better = "lower" if view.metric == "episodes_to_threshold" else "higher"
    text = (
        f"P(#{x} > #{y}) = {format_interval(found.interval)}: the chance that a run of #{x}"
        f" scores {better} than a run of #{y} on {OBJECTIVE_LABELS.get(view.metric)}"
        " (Mann–Whitney U over seeds, 95% bootstrap CI)"
    )
    return text, (x, y)


def profile_chart(results: Sequence[GroupResult], metric: str) -> dict[str, Any]:
    """Return the performance-profile chart of the groups on ``metric``."""
    found = profiles(results, metric)
    lines = [
        ProfileLine(f"#{result.group.number} {result.group.label}", *_band_lists(band))
        for result, band in found.bands
    ]
    return profile_figure(
        found.taus.tolist(),
        lines,
        x_title=OBJECTIVE_LABELS.get(metric, metric),
        above=found.above,
    )


def _band_lists(band: Band) -> tuple[list[float], list[float], list[float]]:
    """Return a band's centre, low and high as lists."""
    return band.centre.tolist(), band.low.tolist(), band.high.tolist()


def parcoords_chart(results: Sequence[GroupResult], objective: str) -> dict[str, Any]:
    """Return parallel coordinates over every run with a finite score: one axis per setting
    that varies, then the objective (runs without one are counted in the title)."""
    runs, scores = scored_runs(results)
    keep = np.isfinite(scores)
    kept = [run for run, ok in zip(runs, keep, strict=True) if ok]
    settings = [run_settings(run) for run in kept]
    columns = [(name, [s.get(name) for s in settings]) for name in varying(runs)]
    figure = parcoords_figure(columns, scores[keep].tolist(), score_title=objective)
    left_out = len(runs) - len(kept)
    if left_out:
        title = figure["layout"]["title"]
        title["text"] += f" ({left_out} runs without a finite score left out)"
    return figure
