"""The experiment page as data: what one refresh reads from the store and what it draws.

``page_data`` reads the experiment, its runs and their aligned window once; the figure and
table builders below take it, so the page's callbacks, the HTTP API and the exports share
one reading of the store. Nothing here grows with the runs' length.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.figures.experiment_curves import CurveData, group_curve_figure
from app.views.experiment_curves import Aligned, GroupCurve, group_curves, read_aligned
from app.views.experiment_groups import Group, group_runs
from app.views.experiment_reads import CURVE_METRICS
from app.views.experiment_scores import GroupResult, group_results
from app.views.experiment_view import ExperimentView, view_from
from app.views.revision import run_key
from runstore import Experiment, Run, RunStore


@dataclass(frozen=True)
class PageData:
    """One reading of an experiment: itself, its runs and their aligned window."""

    experiment: Experiment
    runs: list[Run]
    aligned: Aligned
    _groups: dict[str, list[Group]] = field(default_factory=dict, repr=False, compare=False)
    """Groupings made so far (by ``ExperimentView.by``)."""

    def view(self, query: Mapping[str, object]) -> ExperimentView:
        """Return the view a query string (or the page's controls) asks for."""
        return view_from(query, self.experiment, self.runs)

    def groups(self, view: ExperimentView) -> list[Group]:
        """Return the runs grouped as the view asks."""
        if view.by not in self._groups:
            self._groups[view.by] = group_runs(self.runs, view.by)
        return self._groups[view.by]

    def results(self, view: ExperimentView) -> list[GroupResult]:
        """Return each group's results on the view's objective and threshold."""
        return group_results(self.aligned, self.groups(view), view.metric, view.threshold)

    def curves(self, metric: str, view: ExperimentView) -> list[GroupCurve]:
        """Return each group's curve of ``metric`` with the view's centre and band."""
        return group_curves(self.aligned, self.groups(view), metric, view.centre, view.band)


def page_data(store: RunStore, experiment_id: int, *, show_archived: bool = False) -> PageData:
    """Read an experiment, its runs (not the archived ones unless ``show_archived``) and
    their aligned window.

    Raises:
        ExperimentNotFound: no such experiment.
        RunNotFound: one of its runs was deleted while it was read.
    """
    experiment = store.experiments.get(experiment_id)
    runs = [
        run for run in store.experiments.runs(experiment_id) if show_archived or not run.archived
    ]
    return PageData(experiment, runs, read_aligned(store, runs))


def experiment_key(store: RunStore, experiment_id: int) -> list[Any]:
    """Return what the page is drawn from: the experiment's status and trials and each run's
    ``run_key`` (JSON-safe); two reads are equal exactly when nothing drawn changed.

    Raises:
        ExperimentNotFound: no such experiment.
    """
    experiment = store.experiments.get(experiment_id)
    runs = store.experiments.runs(experiment_id)
    return [experiment.status, experiment.trials_launched, [run_key(run) for run in runs]]


def curve_figures(data: PageData, view: ExperimentView) -> dict[str, dict[str, Any]]:
    """Return the group-curve chart of every ``CURVE_METRICS`` metric.

    Returns:
        Metric → Plotly figure dict; each keeps its zoom while the grouping, centre and band
        stay the same.
    """
    revision = f"{data.experiment.id}:{view.by}:{view.centre}:{view.band}"
    return {
        metric: group_curve_figure(
            [curve_data(curve) for curve in data.curves(metric, view)],
            bucket=data.aligned.bucket,
            title=f"{title} · {view.centre}, band {view.band}",
            y_title=metric,
            seeds=view.seeds,
            uirevision=f"{metric}:{revision}",
        )
        for metric, title in CURVE_METRICS.items()
    }


def curve_data(curve: GroupCurve) -> CurveData:
    """Return a group's curve as the figure builder takes it (seed lines named by run)."""
    band = curve.band
    names = [f"#{run.id} seed {run.seed}" for run in curve.group.runs]
    return CurveData(curve.group.label, band.centre, band.low, band.high, curve.seeds, names)


def status_line(data: PageData) -> str:
    """Return the line under the page's title: method, status, trials, runs and how many
    finished, the objective and the buckets the curves are drawn in."""
    experiment, runs = data.experiment, data.runs
    finished = sum(run.status == "finished" for run in runs)
    live = sum(run.is_live for run in runs)
    budget = "" if experiment.budget is None else f" of {experiment.budget}"
    parts = [
        f"{experiment.method} · {experiment.status}",
        f"{experiment.trials_launched}{budget} trials × {len(experiment.seeds)} seeds",
        f"{len(runs)} runs: {finished} finished, {live} live",
        f"objective {experiment.objective}",
        f"curves in buckets of {data.aligned.bucket} episodes",
    ]
    return " · ".join(parts)
