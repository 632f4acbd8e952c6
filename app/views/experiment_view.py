"""The experiment page's view state, as its URL's query string holds it.

Every control lives in the query string (``QUERY_KEYS``), so a link reproduces the view:
``/experiments/3?centre=median&band=std&seeds=1&by=alpha&metric=auc&threshold=0.8&pair=1,2``.
A missing or unreadable value takes its default; the page's controls write the URL back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.rules import parse_id
from app.stats.bands import BANDS
from app.stats.centres import CENTRES
from app.stats.objectives import OBJECTIVES
from app.views.compare import threshold_of
from app.views.experiment_groups import BY_SETTINGS, group_by_of
from app.views.query import choice
from gridworld.errors import ValidationError
from runstore import Experiment, Run

QUERY_KEYS = ("centre", "band", "seeds", "by", "metric", "threshold", "pair")
"""The query string's keys, in the order the page writes them."""
DEFAULT_CENTRE = "iqm"
DEFAULT_BAND = "ci95"


@dataclass(frozen=True)
class ExperimentView:
    """What an experiment page's URL asks for."""

    centre: str = DEFAULT_CENTRE
    """The group curves' centre (``app.stats.centres.CENTRES``)."""
    band: str = DEFAULT_BAND
    """The group curves' band (``app.stats.bands.BANDS``)."""
    seeds: bool = False
    """Draw each seed as a thin line."""
    by: str = BY_SETTINGS
    """The grouping (``experiment_groups.group_choices``)."""
    metric: str = "final_return"
    """The objective the table, comparisons and hyperparameter plots score."""
    threshold: float | None = None
    """The mean return episodes-to-threshold waits for (None: not scored)."""
    pair: tuple[int, int] | None = None
    """The groups (numbers) compared by the probability of improvement."""


def view_from(
    query: Mapping[str, object], experiment: Experiment, runs: Sequence[Run]
) -> ExperimentView:
    """Return the view a query string asks for on ``experiment``'s page.

    Args:
        query: the query string's values (text), or the controls' values.
        experiment: the experiment (its objective and threshold are the defaults).
        runs: its runs (the groupings they offer).

    Returns:
        The view; what cannot be read takes its default.
    """
    objective = experiment.objective if experiment.objective in OBJECTIVES else "final_return"
    return ExperimentView(
        centre=choice(query.get("centre"), CENTRES, DEFAULT_CENTRE),
        band=choice(query.get("band"), BANDS, DEFAULT_BAND),
        seeds=str(query.get("seeds", "0")) in ("1", "True", "true"),
        by=group_by_of(query.get("by"), runs),
        metric=choice(query.get("metric"), OBJECTIVES, objective),
        threshold=threshold_of(query.get("threshold", experiment.options.get("threshold"))),
        pair=pair_of(query.get("pair")),
    )


def pair_of(raw: object) -> tuple[int, int] | None:
    """Return the two group numbers of a ``pair=1,2`` value (or a list of two), or None when
    it does not name two groups."""
    parts = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    if len(parts) != 2:
        return None
    try:
        first, second = (parse_id("pair", part) for part in parts)
    except ValidationError:
        return None
    return first, second
