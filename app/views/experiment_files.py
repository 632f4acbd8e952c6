"""What an experiment exports: its group curves as CSV, its results table as CSV, Markdown
and LaTeX, and its groups with their statistics as JSON (``GET /api/experiments/<id>``).

Every file is built from one ``PageData`` reading and a view (``experiment_view``), so a
download holds what the page shows for the same URL.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.views.experiment_page import PageData
from app.views.experiment_reads import CURVE_METRICS
from app.views.experiment_table import table_csv, table_latex, table_markdown
from app.views.experiment_view import ExperimentView
from runstore.csvsafe import SafeWriter

TABLE_FORMATS = {
    "csv": ("text/csv", table_csv),
    "md": ("text/markdown", table_markdown),
}
"""Results-table formats besides LaTeX (which takes a caption): suffix → (type, writer)."""
TABLE_SUFFIXES = ("csv", "md", "tex")


def series_csv(data: PageData, view: ExperimentView) -> str:
    """Return every group curve with the view's centre and band as CSV.

    Returns:
        A header line, then one line per metric, group and bucket up to the last bucket any
        run reached: metric, group number and label, the bucket's first episode and width,
        the centre and band names, centre, band low and high (empty where there is none) and
        how many runs have a value there.
    """
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(
        [
            *("metric", "group", "label", "episode", "bucket", "centre_kind", "band_kind"),
            *("centre", "band_low", "band_high", "runs"),
        ]
    )
    starts = data.aligned.starts()
    for metric in CURVE_METRICS:
        for curve in data.curves(metric, view):
            band, present = curve.band, np.isfinite(curve.seeds).sum(axis=0)
            head = [metric, curve.group.number, curve.group.label]
            reached = np.flatnonzero(present)
            for index in range(int(reached[-1]) + 1 if reached.size else 0):
                values = (band.centre[index], band.low[index], band.high[index])
                writer.writerow(
                    [*head, int(starts[index]), data.aligned.bucket, view.centre, view.band]
                    + [_cell(value) for value in values]
                    + [int(present[index])]
                )
    return buffer.getvalue()


def _cell(value: float) -> Any:
    """Return a CSV cell: a finite number as it is, anything else empty."""
    return float(value) if math.isfinite(value) else ""


def table_file(data: PageData, view: ExperimentView, suffix: str) -> tuple[str, str, str]:
    """Return the results table in one format.

    Args:
        data: the experiment's reading.
        view: the grouping, objective and threshold of the table.
        suffix: ``csv``, ``md`` or ``tex`` (``TABLE_SUFFIXES``).

    Returns:
        The text, its mimetype and a file name (``gridlab-experiment-<id>-table.<suffix>``).

    Raises:
        ValueError: an unknown suffix.
    """
    results = data.results(view)
    name = f"gridlab-experiment-{data.experiment.id}-table.{suffix}"
    if suffix == "tex":
        caption = f"gridlab experiment {data.experiment.id}: {data.experiment.name}"
        return table_latex(results, view.metric, view.threshold, caption), "text/x-tex", name
    if suffix not in TABLE_FORMATS:
        raise ValueError(f"suffix={suffix!r} is not one of {', '.join(TABLE_SUFFIXES)}")
    mimetype, writer = TABLE_FORMATS[suffix]
    return writer(results, view.metric, view.threshold), mimetype, name


def experiment_statistics(data: PageData, view: ExperimentView) -> dict[str, Any]:
    """Return the experiment's groups and their statistics, as the API sends them.

    Returns:
        ``view`` (the settings used), ``bucket`` and
        ``episode`` (the curves' bucket starts) and ``groups``: per group its number, label,
        settings, run ids, seeds finished / pruned / planned, each run's score, the
        objective's ``iqm`` and ``mean`` and the ``episodes_to_threshold`` IQM (each
        ``{"low", "high", "point"}``) and its ``curves`` (metric → centre, low, high).
        Non-finite numbers are left as they are (the HTTP layer writes them as null).
    """
    results = data.results(view)
    curves = {metric: data.curves(metric, view) for metric in CURVE_METRICS}
    groups = []
    for index, result in enumerate(results):
        group = result.group
        groups.append(
            {
                "number": group.number,
                "label": group.label,
                "settings": group.settings,
                "runs": [run.id for run in group.runs],
                "seeds_finished": result.finished,
                "seeds_pruned": result.pruned,
                "seeds_planned": result.planned,
                "scores": result.scores.tolist(),
                "iqm": result.iqm.to_dict(),
                "mean": result.mean.to_dict(),
                "episodes_to_threshold": result.to_threshold.to_dict(),
                "curves": {metric: found[index].band.to_dict() for metric, found in curves.items()},
            }
        )
    return {
        "view": _view_dict(view),
        "bucket": data.aligned.bucket,
        "episode": data.aligned.starts().tolist(),
        "groups": groups,
    }


def _view_dict(view: ExperimentView) -> dict[str, Any]:
    """Return the view's settings as JSON-safe data."""
    pair: Sequence[int] | None = list(view.pair) if view.pair else None
    return {
        "centre": view.centre,
        "band": view.band,
        "by": view.by,
        "objective": view.metric,
        "threshold": view.threshold,
        "pair": pair,
    }
