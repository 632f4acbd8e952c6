"""The compare page as data: the runs and settings a link names, and what the page draws.

Every setting lives in the query string (``QUERY_KEYS``), so a link reproduces the view. Only
decimated windows are read: comparing eight runs of a million episodes costs the same as
comparing two short ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.figures.compare import RunCurve, compare_figure, comparison_csv, param_rows, summary_row
from app.figures.curves import X_MODES
from app.rules import MAX_COMPARE_RUNS, format_number, parse_id
from app.views.query import MAX_SMOOTH, choice, number_in
from app.views.reads import summary_of
from gridworld.agents import algorithm_label
from gridworld.errors import ValidationError
from runstore import METRICS, Run, RunNotFound, RunStore

QUERY_KEYS = ("runs", "metric", "x", "smooth", "bands", "threshold")
"""The query string's keys, in the order the page writes them."""
MAIN_POINTS = 500
"""Buckets per run on the main figure: eight runs with bands stay a few hundred KB."""
SMALL_POINTS = 300
"""Buckets per run on each small multiple."""
THRESHOLD_POINTS = 2000
"""Buckets of the return series the episodes-to-threshold figure is read from."""
SMALL_METRICS = ("return", "length", "success", "epsilon", "mean_abs_td", "max_q")
"""The small multiples, in page order."""
MAX_THRESHOLD = 1e12
"""Largest return threshold accepted (either sign)."""
NO_RUNS_HINT = (
    f"No runs picked: choose up to {MAX_COMPARE_RUNS} runs above, or open /compare?runs=1,2."
)
"""What the page shows in place of curves and tables while no run is compared."""


@dataclass(frozen=True)
class CompareSettings:
    """What a compare link asks for."""

    runs: list[int]
    metric: str = "return"
    x_mode: str = "episode"
    smooth: float = 0.6
    bands: bool = True
    """Min–max bands; a link without ``bands`` has them for one run only (several runs'
    bands overlap into one grey mass)."""
    threshold: float = 0.5


def parse_runs(raw: object) -> list[int]:
    """Return the run ids of a ``runs=1,2,3`` value: valid ids, unique, at most
    ``MAX_COMPARE_RUNS``.

    Args:
        raw: the query value (text), a list of ids, or None.

    Returns:
        The ids in the given order; anything ``rules.parse_id`` refuses is dropped.
    """
    return _read_runs(raw)[0][:MAX_COMPARE_RUNS]


def _read_runs(raw: object) -> tuple[list[int], list[str]]:
    """Return the unique run ids of a ``runs`` value, in order (not limited), and the
    non-empty parts ``rules.parse_id`` refused, as text."""
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    ids, refused = [], []
    for part in parts:
        try:
            ids.append(parse_id("runs", part))
        except ValidationError:
            if str(part).strip() and part is not None:
                refused.append(str(part).strip())
    return list(dict.fromkeys(ids)), refused


def link_notice(store: RunStore, raw: object) -> str | None:
    """Return what a link's ``runs`` named that the page leaves out, or None.

    Returns:
        ``run 999 not found; 'abc' is not a run id; only the first 8 runs are compared``
        (the parts that apply), or None when every run of the link is compared.
    """
    ids, refused = _read_runs(raw)
    stored = {run.id for run in find_runs(store, ids)}
    problems = [
        f"run {run_id} not found" for run_id in ids[:MAX_COMPARE_RUNS] if run_id not in stored
    ]
    problems += [f"{text!r} is not a run id" for text in refused]
    if len(ids) > MAX_COMPARE_RUNS:
        problems.append(f"only the first {MAX_COMPARE_RUNS} runs are compared")
    return "; ".join(problems) + "." if problems else None


def settings_from(query: Mapping[str, object]) -> CompareSettings:
    """Return the settings of a compare link's query string (``QUERY_KEYS``).

    Returns:
        The settings; a missing or unreadable value takes its default, numbers are clipped
        to what the controls allow.
    """
    default = CompareSettings(runs=[])
    runs = parse_runs(query.get("runs"))
    bands = query.get("bands")
    return CompareSettings(
        runs=runs,
        metric=choice(query.get("metric"), METRICS, default.metric),
        x_mode=choice(query.get("x"), X_MODES, default.x_mode),
        smooth=number_in(query.get("smooth"), default.smooth, 0.0, MAX_SMOOTH),
        bands=len(runs) <= 1 if bands is None else str(bands) != "0",
        threshold=number_in(
            query.get("threshold"), default.threshold, -MAX_THRESHOLD, MAX_THRESHOLD
        ),
    )


def plot_choice(metric: object, x_mode: object = "episode") -> tuple[str, str] | None:
    """Return the metric and x axis the page's controls chose.

    Returns:
        Both as text, or None when either is not one the controls offer (``METRICS``,
        ``X_MODES``): only a crafted request sends another.
    """
    known_metric = isinstance(metric, str) and metric in METRICS
    if known_metric and isinstance(x_mode, str) and x_mode in X_MODES:
        return str(metric), str(x_mode)
    return None


def threshold_of(raw: object) -> float | None:
    """Return the threshold control's value: a number clipped to ``MAX_THRESHOLD`` either
    way, or None (no threshold) when it is empty or not a finite number."""
    value = number_in(raw, math.nan, -MAX_THRESHOLD, MAX_THRESHOLD)
    return None if math.isnan(value) else value


def find_runs(store: RunStore, ids: object) -> list[Run]:
    """Return the stored runs among ``ids`` (as ``parse_runs`` reads them), in order."""
    found = []
    for run_id in parse_runs(ids):
        try:
            found.append(store.get_run(run_id))
        except RunNotFound:
            continue
    return found


def run_options(
    store: RunStore, *, show_archived: bool = False, keep: Sequence[int] = ()
) -> list[dict[str, Any]]:
    """Return the run picker's options, newest first: every stored run not archived (with
    ``show_archived``, every run), and the archived runs among ``keep`` (those picked, or
    named by the link), marked as archived."""
    runs = store.manage.list_runs(archived=None if show_archived else False)
    listed = {run.id for run in runs}
    kept = [run for run in find_runs(store, list(keep)) if run.id not in listed]
    return [
        {
            "label": f"#{run.id} {run.name} ({run.status}{', archived' if run.archived else ''})",
            "value": run.id,
        }
        for run in sorted([*runs, *kept], key=lambda run: -run.id)
    ]


def run_curves(
    store: RunStore, runs: Sequence[Run], metric: str, x_mode: str, points: int
) -> list[RunCurve]:
    """Read each run's window of ``metric`` (and the x metric's) plus its parameter changes."""
    curves = []
    for run in runs:
        series = store.series(run.id, metric, points=points).to_dict()
        x_series = None
        if x_mode != "episode":
            x_series = store.series(run.id, x_mode, points=points).to_dict()
        changes = [change.to_dict() for change in store.param_changes(run.id)]
        curves.append(RunCurve(run.id, run.name, series, x_series, changes))
    return curves


def compare_figures(
    store: RunStore, runs: Sequence[Run], metric: str, x_mode: str, weight: float, bands: bool
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the overlaid curve of ``metric`` and one small figure per ``SMALL_METRICS``.

    Returns:
        The main figure and metric → small figure; each keeps its zoom while the same runs,
        metric and x axis are shown.
    """
    key = ",".join(str(run.id) for run in runs)
    main = compare_figure(
        run_curves(store, runs, metric, x_mode, MAIN_POINTS),
        metric=metric,
        x_mode=x_mode,
        weight=weight,
        band=bands,
        height=380,
        uirevision=f"compare-{key}-{metric}-{x_mode}",
    )
    small = {
        name: compare_figure(
            run_curves(store, runs, name, x_mode, SMALL_POINTS),
            metric=name,
            x_mode=x_mode,
            weight=weight,
            band=False,
            show_markers=False,
            show_legend=False,
            height=220,
            uirevision=f"small-{key}-{name}-{x_mode}",
        )
        for name in SMALL_METRICS
    }
    return main, small


def table_rows(
    store: RunStore, runs: Sequence[Run], threshold: float | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the parameter diff rows and the summary rows of ``runs`` (``app.figures.compare``);
    the diff rows start with the runs' algorithms."""
    dicts = [run.to_dict() for run in runs]
    summaries = [
        summary_row(
            data,
            summary_of(store, run.id),
            store.series(run.id, "return", points=THRESHOLD_POINTS).to_dict(),
            [info.evaluation for info in store.checkpoints(run.id)],
            threshold,
        )
        for run, data in zip(runs, dicts, strict=True)
    ]
    algorithms = [algorithm_label(run.spec) for run in runs]
    algorithm = {"param": "algorithm", "values": algorithms, "differs": len(set(algorithms)) > 1}
    return [algorithm, *param_rows(dicts)], summaries


def summary_labels(threshold: float | None) -> dict[str, str]:
    """Return the summary table's rows: ``summary_row`` key → label, in table order."""
    return {
        "status": "status",
        "episodes_done": "episodes done",
        "final_return": "final mean return (last 100)",
        "best_return": "best mean return (100-episode block)",
        "episodes_to_threshold": f"episodes to mean return ≥ {format_number(threshold)}",
        "threshold_resolution": "…resolution (episodes per bucket)",
        "final_gap": "final optimality gap",
    }


def comparison_file(
    store: RunStore, runs: Sequence[Run], metric: str, threshold: float | None
) -> dict[str, str]:
    """Return the comparison CSV (summary, settings and the plotted metric's buckets).

    Returns:
        ``content``, ``filename`` (``gridlab-compare-<ids>.csv``) and ``type``, as
        ``dcc.Download`` takes them.
    """
    params, summaries = table_rows(store, runs, threshold)
    text = comparison_csv(
        summaries,
        params,
        run_curves(store, runs, metric, "episode", MAIN_POINTS),
        metric=metric,
        threshold=threshold,
    )
    name = "gridlab-compare-" + "-".join(str(run.id) for run in runs) + ".csv"
    return {"content": text, "filename": name, "type": "text/csv"}
