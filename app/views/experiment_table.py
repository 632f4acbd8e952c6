"""The experiment's results table: its grid rows, and the files it exports (CSV, Markdown,
LaTeX with booktabs rules, ready for a paper).

One row per group: the objective's IQM and mean, each with its 95% stratified-bootstrap
interval, the IQM of the episodes to threshold with its interval, and seeds finished of
planned (with the pruned ones).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from app.stats.records import Interval, format_interval, format_value
from app.views.experiment_scores import OBJECTIVE_LABELS, GroupResult
from runstore.csvsafe import SafeWriter

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
"""Characters LaTeX reads as commands, and how a table cell writes them."""
LATEX_SYMBOLS = {
    "−∞": r"$-\infty$",
    "∞": r"$\infty$",
    "–": "--",
    "·": r"$\cdot$",
    "π": r"$\pi$",
}
"""Characters of the statistics' text that LaTeX's default fonts lack."""


def seeds_text(result: GroupResult) -> str:
    """Return ``finished / planned`` (and how many were pruned)."""
    text = f"{result.finished} / {result.planned}"
    return f"{text} ({result.pruned} pruned)" if result.pruned else text


def table_rows(results: Sequence[GroupResult]) -> list[dict[str, Any]]:
    """Return the results grid's rows.

    Returns:
        JSON-safe dicts: ``group`` (its number), ``label``, ``iqm``, ``mean``,
        ``to_threshold`` (the points, None when not finite, so the grid sorts by number) and
        ``seeds`` (finished), with ``shown``: the text the grid shows for each of them
        (``point [low, high]``, ∞ for a threshold never reached).
    """
    rows = []
    for result in results:
        row: dict[str, Any] = {
            "group": result.group.number,
            "label": result.group.label,
            "iqm": _sortable(result.iqm.point),
            "mean": _sortable(result.mean.point),
            "to_threshold": _sortable(result.to_threshold.point),
            "seeds": result.finished,
        }
        row["shown"] = {
            "iqm": format_interval(result.iqm),
            "mean": format_interval(result.mean),
            "to_threshold": format_interval(result.to_threshold),
            "seeds": seeds_text(result),
        }
        rows.append(row)
    return rows


def _sortable(value: float) -> float | None:
    """Return a finite number as it is; NaN and infinities as None (strict JSON)."""
    return value if math.isfinite(value) else None


def headers(objective: str, threshold: float | None) -> list[str]:
    """Return the table's column titles (group number, group, the three statistics, seeds)."""
    name = OBJECTIVE_LABELS.get(objective, objective)
    reach = (
        "episodes to threshold" if threshold is None else f"episodes to {format_value(threshold)}"
    )
    return [
        "#",
        "group",
        f"{name}: IQM [95% CI]",
        f"{name}: mean [95% CI]",
        f"{reach}: IQM [95% CI]",
        "seeds finished / planned",
    ]


def _cells(result: GroupResult) -> list[str]:
    """Return a row's text cells (``headers`` order)."""
    return [
        str(result.group.number),
        result.group.label,
        format_interval(result.iqm),
        format_interval(result.mean),
        format_interval(result.to_threshold),
        seeds_text(result),
    ]


def table_csv(results: Sequence[GroupResult], objective: str, threshold: float | None) -> str:
    """Return the results table as CSV: the numbers themselves, one column each.

    Returns:
        CSV text with a header line: group, label, objective, IQM and mean with their
        intervals, threshold and the IQM of episodes to it with its interval, then seeds
        finished, pruned and planned; a missing number is an empty cell, infinity ``inf``.
    """
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    stats = ("iqm", "mean", "episodes_to_threshold_iqm")
    writer.writerow(
        [
            "group",
            "label",
            "objective",
            *(f"{stat}{part}" for stat in stats[:2] for part in ("", "_low", "_high")),
            "threshold",
            *(f"{stats[2]}{part}" for part in ("", "_low", "_high")),
            "seeds_finished",
            "seeds_pruned",
            "seeds_planned",
        ]
    )
    for result in results:
        writer.writerow(
            [
                result.group.number,
                result.group.label,
                objective,
                *_interval_cells(result.iqm),
                *_interval_cells(result.mean),
                "" if threshold is None else threshold,
                *_interval_cells(result.to_threshold),
                result.finished,
                result.pruned,
                result.planned,
            ]
        )
    return buffer.getvalue()


def _interval_cells(interval: Interval) -> list[Any]:
    """Return point, low and high as CSV cells (NaN empty)."""
    return ["" if math.isnan(v) else v for v in (interval.point, interval.low, interval.high)]


def table_markdown(results: Sequence[GroupResult], objective: str, threshold: float | None) -> str:
    """Return the results table as a Markdown (GitHub) table.

    Returns:
        The header row, the alignment row and one row per group; ``|`` in a label is escaped.
    """
    lines = [_md_row(headers(objective, threshold)), "|---:|:---|---:|---:|---:|---:|"]
    lines += [_md_row(_cells(result)) for result in results]
    return "\n".join(lines) + "\n"


def _md_row(cells: Sequence[str]) -> str:
    """Return one Markdown table row."""
    escaped = (cell.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def table_latex(
    results: Sequence[GroupResult], objective: str, threshold: float | None, caption: str
) -> str:
    """Return the results table as a LaTeX ``tabular`` with booktabs rules.

    Args:
        results: the groups' results.
        objective: the objective scored.
        threshold: the threshold of the episodes-to-threshold column.
        caption: a comment line above the table (the experiment it is from).

    Returns:
        ``\\begin{tabular}`` ... ``\\end{tabular}`` (needs ``\\usepackage{booktabs}``), every
        cell escaped for LaTeX.
    """
    lines = [
        f"% {latex_text(caption)}",
        "% 95% confidence intervals: stratified bootstrap over seeds",
        r"\begin{tabular}{rlrrrr}",
        r"\toprule",
        _tex_row(headers(objective, threshold)),
        r"\midrule",
        *(_tex_row(_cells(result)) for result in results),
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def _tex_row(cells: Sequence[str]) -> str:
    """Return one LaTeX table row."""
    return " & ".join(latex_text(cell) for cell in cells) + r" \\"


def latex_text(text: str) -> str:
    """Return text as a LaTeX table cell writes it: specials escaped, ∞ and dashes as math."""
    escaped = "".join(LATEX_SPECIALS.get(char, char) for char in text.replace("\n", " "))
    for symbol, latex in LATEX_SYMBOLS.items():
        escaped = escaped.replace(symbol, latex)
    return escaped
