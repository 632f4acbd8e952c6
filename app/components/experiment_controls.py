"""The experiment page's controls (centre, band, seeds, grouping, objective, threshold, the
compared pair) and its download links."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.stats.bands import BANDS
from app.stats.centres import CENTRES
from app.stats.objectives import OBJECTIVES
from app.views.experiment_scores import OBJECTIVE_LABELS
from app.views.experiment_view import ExperimentView

BAND_LABELS = {"ci95": "95% CI", "std": "± std", "minmax": "min–max", "none": "none"}
"""How the band choice names each of ``BANDS`` (in their order)."""
CENTRE_LABELS = {"mean": "mean", "median": "median", "iqm": "IQM"}
"""How the centre choice names each of ``CENTRES`` (in their order)."""


def _labelled(label: str, control: Any, **col: Any) -> dbc.Col:
    """Return a column with a label over one control (as wide as it, unless ``col`` says)."""
    return dbc.Col([dbc.Label(label, className="small mb-1"), control], **{"md": "auto", **col})


def _choice(
    element_id: str, keys: tuple[str, ...], labels: dict[str, str], value: str
) -> dbc.RadioItems:
    """Return an inline choice of ``keys`` (shown as their ``labels``), set to ``value``."""
    return dbc.RadioItems(
        id=element_id,
        options=[{"label": labels[key], "value": key} for key in keys],
        value=value,
        inline=True,
    )


def experiment_controls(view: ExperimentView, group_by: list[dict[str, str]]) -> dbc.Row:
    """Return the curve and grouping controls set to ``view``.

    Args:
        view: what the URL asks for.
        group_by: the grouping choices (``views.experiment_page.group_by_options``).
    """
    return dbc.Row(
        [
            _labelled("Centre", _choice(ids.EXP_CENTRE, CENTRES, CENTRE_LABELS, view.centre)),
            _labelled("Band", _choice(ids.EXP_BAND, BANDS, BAND_LABELS, view.band)),
            _labelled(
                "Seeds",
                dbc.Switch(id=ids.EXP_SEEDS, label="each seed as a line", value=view.seeds),
            ),
            _labelled(
                "Archived runs",
                dbc.Switch(id=ids.EXP_SHOW_ARCHIVED, label="show archived", value=False),
            ),
            _labelled(
                "Group by",
                dcc.Dropdown(id=ids.EXP_GROUP_BY, options=group_by, value=view.by, clearable=False),
                md=3,
            ),
        ],
        className="g-3 mb-2 align-items-end",
    )


def score_controls(view: ExperimentView) -> dbc.Row:
    """Return the objective and threshold the table and comparisons score, set to ``view``."""
    return dbc.Row(
        [
            _labelled(
                "Score runs by",
                dcc.Dropdown(
                    id=ids.EXP_METRIC,
                    options=[{"label": OBJECTIVE_LABELS[o], "value": o} for o in OBJECTIVES],
                    value=view.metric,
                    clearable=False,
                ),
                md=4,
            ),
            _labelled(
                "Return threshold (episodes to threshold)",
                dbc.Input(
                    id=ids.EXP_THRESHOLD,
                    type="number",
                    value=view.threshold,
                    debounce=True,
                    size="sm",
                ),
                md=3,
            ),
        ],
        className="g-3 mb-2 align-items-end",
    )


def pair_controls(view: ExperimentView) -> dbc.Row:
    """Return the two group choices of the probability of improvement, set to ``view``'s pair
    (their options arrive with the table)."""
    first, second = view.pair if view.pair else (None, None)
    return dbc.Row(
        [
            _labelled("X", dcc.Dropdown(id=ids.EXP_PAIR_X, value=first, clearable=False), md=3),
            _labelled("Y", dcc.Dropdown(id=ids.EXP_PAIR_Y, value=second, clearable=False), md=3),
        ],
        className="g-3 mb-2",
    )


def download_links() -> html.Div:
    """Return the export buttons (their links carry the view: ``assets/experiment-page.js``)."""
    buttons = [
        (ids.EXP_TABLE_CSV, "Table CSV"),
        (ids.EXP_TABLE_MD, "Table Markdown"),
        (ids.EXP_TABLE_TEX, "Table LaTeX"),
        (ids.EXP_SERIES_CSV, "Group curves CSV"),
    ]
    return html.Div(
        [
            dbc.Button(
                text,
                id=element_id,
                href="",
                download="",
                external_link=True,
                color="secondary",
                outline=True,
                size="sm",
                className="me-2",
            )
            for element_id, text in buttons
        ],
        className="my-2",
    )
