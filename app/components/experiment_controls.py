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
"""How the band choice names each of ``BANDS``."""
CENTRE_LABELS = {"mean": "mean", "median": "median", "iqm": "IQM"}
"""How the centre choice names each of ``CENTRES``."""


def _labelled(label: str, control: Any, **col: Any) -> dbc.Col:
    """Return a column with a label over one control."""
    return dbc.Col([dbc.Label(label, className="small mb-1"), control], **col)


def experiment_controls(view: ExperimentView, group_by: list[dict[str, str]]) -> dbc.Row:
    """Return the curve and grouping controls set to ``view``.

    Args:
        view: what the URL asks for.
        group_by: the grouping choices (``views.experiment_page.group_by_options``).
    """
    return dbc.Row(
        [
            _labelled(
                "Centre",
                dbc.RadioItems(
                    id=ids.EXP_CENTRE,
                    options=[{"label": CENTRE_LABELS[c], "value": c} for c in CENTRES],
                    value=view.centre,
                    inline=True,
                ),
                md="auto",
            ),
            _labelled(
                "Band",
                dbc.RadioItems(
                    id=ids.EXP_BAND,
                    options=[{"label": BAND_LABELS[b], "value": b} for b in BANDS],
                    value=view.band,
                    inline=True,
                ),
                md="auto",
            ),
            _labelled(
                "Seeds",
                dbc.Switch(id=ids.EXP_SEEDS, label="each seed as a line", value=view.seeds),
                md="auto",
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
