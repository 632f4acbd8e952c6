"""One page of the runs list, sorted and filtered in SQL, with each run's stored summary.

The runs page asks for rows ``offset .. offset + limit`` of the runs that pass its filters,
in its sort order: one query joins ``runs`` with ``run_summaries`` (kept at write time,
``summaries``), so a page costs about the same for ten runs or ten thousand. Every column
the page sorts or filters on is a SQL expression here (``COLUMNS``), the texts too: the
env's label (``GridWorld-v0 · medium``, ``· custom map``), the algorithm's label (from the
labels the caller passes), the effective status (a run whose lease ended reads
``crashed``), the tags joined by spaces and the creation time as ``YYYY-MM-DD HH:MM:SS``
(UTC). Text filters ignore case, as AG Grid's do (SQLite's ``lower`` folds ASCII letters
only); texts sort by code point; a sort puts missing values first when ascending; ties go
newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)

from .errors import InvalidQuery
from .listing_filters import ColumnFilter, condition_sql
from .records import LIVE_STATUSES
from .revisions import lease_ended
from .schema import RunRow, run_summaries

TEXT_COLUMNS = ("name", "env", "algorithm", "status", "tags", "created")
NUMBER_COLUMNS = (
    "id",
    "progress",
    "episodes",
    "recent_return",
    "best_return",
    "alpha",
    "gamma",
    "epsilon",
    "experiment",
)
SUMMARY_COLUMNS = ("recent_return", "best_return", "alpha", "epsilon")
"""The columns read from a run's summary (the others are the run's own)."""
MAX_LIMIT = 1000
"""The most runs one page holds."""
s = run_summaries.c


@dataclass(frozen=True)
class RunsQuery:
    """Which runs a page lists, in which order, and which of them."""

    experiment_id: int | None = None
    """Only this experiment's runs (None: every run)."""
    tag: str | None = None
    """Only the runs with this tag (None: any)."""
    archived: bool | None = False
    """False: the runs not archived; True: only the archived ones; None: both."""
    filters: tuple[ColumnFilter, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    """(column, descending) by priority; the newest run first breaks ties."""
    offset: int = 0
    limit: int = 100
    algorithm_labels: Mapping[str, str] = field(default_factory=dict)
    """The algorithm column's text for each stored algorithm (others show as stored)."""
    default_algorithm: str = ""
    """The algorithm of a spec that names none."""


@dataclass(frozen=True)
class ListedRun:
    """A run as the runs page lists it: the few of its columns the page shows (read without
    decoding its spec or parameters), its labels and its summary."""

    id: int
    name: str
    env: str
    """The env's label."""
    algorithm: str
    """The algorithm's label."""
    status: str
    """Its status as ``Run.status`` reads it (a run whose lease ended: ``crashed``)."""
    episodes_done: int
    target_episodes: int
    created: str
    """Its creation time as ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    experiment_id: int | None
    trial: int | None
    tags: tuple[str, ...]
    """Its tags, sorted."""
    archived: bool
    gamma: float | None
    """Its current gamma."""
    recent_return: float | None
    """The mean return of its last 100 episodes (None: no episodes yet)."""
    best_return: float | None
    """The best mean return of a full block of 100, or the recent one if better."""
    alpha: float | None
    """Alpha at its last episode, else its current alpha."""
    epsilon: float | None
    """Epsilon at its last episode, else its current epsilon."""

    @property
    def is_live(self) -> bool:
        """Return whether the run is queued or running."""
        return self.status in LIVE_STATUSES


@dataclass(frozen=True)
class RunsPage:
    """A page of runs and how many runs pass the query's filters."""

    runs: list[ListedRun]
    total: int


@dataclass(frozen=True)
class RunsCount:
    """How many runs pass a query's filters, and how many of them are live."""

    total: int
    live: int
    """How many of ``total`` are queued or running."""


def count(conn: Connection, query: RunsQuery) -> RunsCount:
    """Return how many runs ``query`` chooses (its offset and limit aside), and how many of
    them are live.

    Raises:
        InvalidQuery: an unknown column or condition, or a value of the wrong kind.
    """
    columns, where, filtered = _prepared(conn, query)
    live = case((columns["status"].in_(LIVE_STATUSES), 1), else_=0).label("live")
    chosen = _chosen(select(live), where, filtered).subquery()
    total, live = conn.execute(
        select(func.count(), func.coalesce(func.sum(chosen.c.live), 0))
    ).one()
    return RunsCount(int(total), int(live))


def page(conn: Connection, query: RunsQuery) -> RunsPage:
    """Return the runs ``query`` asks for, and how many runs it chooses.

    Raises:
        InvalidQuery: an unknown column or condition, a value of the wrong kind, or an
            offset or limit out of range (``MAX_LIMIT``).
    """
    if not (isinstance(query.offset, int) and query.offset >= 0):
        raise InvalidQuery("offset", query.offset, "a whole number >= 0")
    if not (isinstance(query.limit, int) and 0 <= query.limit <= MAX_LIMIT):
        raise InvalidQuery("limit", query.limit, f"a whole number from 0 to {MAX_LIMIT}")
    columns, where, filtered = _prepared(conn, query)
    total = conn.scalar(_chosen(select(func.count()), where, filtered)) or 0
    if not query.limit:
        return RunsPage([], int(total))
    # the page's ids first, from the few columns its order needs; then their whole rows
    summarised = filtered or any(name in SUMMARY_COLUMNS for name, _ in query.order)
    ids = conn.scalars(
        _chosen(select(RunRow.id), where, summarised)
        .order_by(*_order(query, columns, conn.dialect.name))
        .offset(query.offset)
        .limit(query.limit)
    ).all()
    shown = {**columns, **_SHOWN_ONLY}
    listed = _joined(select(*(shown[name].label(name) for name in _LISTED)))
    found = {
        row.id: _listed(row) for row in conn.execute(listed.where(RunRow.id.in_(ids))).mappings()
    }
    return RunsPage([found[run_id] for run_id in ids], int(total))


def _prepared(
    conn: Connection, query: RunsQuery
) -> tuple[Mapping[str, ColumnElement[Any]], list[Any], bool]:
    """Return the query's column expressions, its WHERE clauses, and whether they need the
    runs' summaries.

    Raises:
        InvalidQuery: an unknown column or condition, or a value of the wrong kind.
    """
    labels = tuple(sorted(query.algorithm_labels.items()))
    columns = _columns(conn.dialect.name, labels, query.default_algorithm)
    filtered = any(part.column in SUMMARY_COLUMNS for part in query.filters)
    return columns, _where(query, columns), filtered


def _chosen(query: Select[Any], where: list[Any], summarised: bool) -> Select[Any]:
    """Return ``query`` over the runs ``where`` chooses, joined with their summaries when
    ``summarised`` (a filter or the order needs them)."""
    return (_joined(query) if summarised else query.select_from(RunRow)).where(*where)


_LISTED = (
    *("id", "name", "env", "algorithm", "status", "episodes", "target", "created"),
    *("experiment", "trial", "tags", "archived", "gamma"),
    *SUMMARY_COLUMNS,
)
"""The columns of a listed run (``ListedRun``'s fields, by their column names)."""
_SHOWN_ONLY: dict[str, Any] = {
    "trial": RunRow.trial,
    "target": RunRow.target_episodes,
    "archived": RunRow.archived_at.is_not(None),
}
"""The listed columns the page neither sorts nor filters on."""
_FIELDS = {"episodes": "episodes_done", "target": "target_episodes", "experiment": "experiment_id"}
"""The ListedRun field of each column named otherwise."""


def _listed(row: RowMapping) -> ListedRun:
    """Return a ListedRun from a row of the page's query."""
    data = {_FIELDS.get(name, name): row[name] for name in _LISTED}
    data["tags"] = tuple(data["tags"].split())
    data["archived"] = bool(data["archived"])
    return ListedRun(**data)


def _joined(query: Select[Any]) -> Select[Any]:
    """Return ``query`` over the runs joined with their summaries."""
    return query.select_from(RunRow).outerjoin(run_summaries, s.run_id == RunRow.id)


@cache
def _columns(
    dialect: str, algorithm_labels: tuple[tuple[str, str], ...], default_algorithm: str
) -> Mapping[str, ColumnElement[Any]]:
    """Return each column's SQL expression (built once for each dialect and set of labels:
    building them cost more than a block's query)."""
    spec, params = RunRow.spec, RunRow.current_params
    preset = spec["preset"].as_string()
    desc = func.coalesce(spec["desc"].as_string(), "")
    stored = func.coalesce(func.nullif(spec["algorithm"].as_string(), ""), default_algorithm)
    labels = dict(algorithm_labels)
    recent = s.recent_return
    return MappingProxyType(
        {
            "id": RunRow.id,
            "name": RunRow.name,
            "env": case(
                (func.coalesce(preset, "") != "", RunRow.env_id + " · " + preset),
                (desc.not_in(["", "[]"]), RunRow.env_id + " · custom map"),
                else_=RunRow.env_id,
            ),
            "algorithm": case(labels, value=stored, else_=stored) if labels else stored,
            "status": case((lease_ended(), "crashed"), else_=RunRow.status),
            "progress": 100.0
            * RunRow.episodes_done
            / case((RunRow.target_episodes > 0, RunRow.target_episodes), else_=1),
            "episodes": RunRow.episodes_done,
            "recent_return": recent,
            "best_return": case(
                (or_(s.best_block.is_(None), s.best_block < recent), recent), else_=s.best_block
            ),
            "alpha": func.coalesce(s.alpha, params["alpha"].as_float()),
            "gamma": params["gamma"].as_float(),
            "epsilon": func.coalesce(s.epsilon, params["epsilon"].as_float()),
            "experiment": RunRow.experiment_id,
            "tags": _tags_text(dialect),
            "created": _created_text(dialect),
        }
    )


def _tags_text(dialect: str) -> ColumnElement[str]:
    """Return SQL for a run's tags (stored sorted) joined by spaces ("" for none)."""
    if dialect == "postgresql":
        sql = "array_to_string(ARRAY(SELECT json_array_elements_text(runs.tags)), ' ')"
    else:
        sql = "coalesce((SELECT group_concat(value, ' ') FROM json_each(runs.tags)), '')"
    return literal_column(f"({sql})")


def _created_text(dialect: str) -> ColumnElement[str]:
    """Return SQL for a run's creation time as ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    if dialect == "postgresql":
        return func.to_char(
            func.timezone("UTC", RunRow.created_at), literal("YYYY-MM-DD HH24:MI:SS")
        )
    return func.strftime("%Y-%m-%d %H:%M:%S", RunRow.created_at)


def _where(query: RunsQuery, columns: Mapping[str, ColumnElement[Any]]) -> list[Any]:
    """Return the WHERE clauses of the query's choice of runs and of its filters."""
    clauses: list[Any] = []
    if query.experiment_id is not None:
        clauses.append(RunRow.experiment_id == query.experiment_id)
    if query.archived is not None:
        column = RunRow.archived_at
        clauses.append(column.is_not(None) if query.archived else column.is_(None))
    if query.tag is not None:
        padded = " " + columns["tags"] + " "
        clauses.append(padded.contains(f" {query.tag} ", autoescape=True))
    for column_filter in query.filters:
        if column_filter.column not in columns:
            raise InvalidQuery("filter", column_filter.column, ", ".join(columns))
        if column_filter.join not in ("AND", "OR") or not column_filter.conditions:
            raise InvalidQuery("filter", column_filter.join, "one or two conditions, AND or OR")
        parts = [
            condition_sql(
                column_filter.column,
                columns[column_filter.column],
                condition,
                column_filter.column in TEXT_COLUMNS,
            )
            for condition in column_filter.conditions
        ]
        clauses.append(and_(*parts) if column_filter.join == "AND" else or_(*parts))
    return clauses


def _order(query: RunsQuery, columns: Mapping[str, ColumnElement[Any]], dialect: str) -> list[Any]:
    """Return the ORDER BY of the query's sort, the newest run breaking ties."""
    order: list[Any] = []
    for name, descending in query.order:
        if name not in columns:
            raise InvalidQuery("sort", name, ", ".join(columns))
        column = columns[name]
        if name in TEXT_COLUMNS and dialect == "postgresql":
            column = column.collate("C")  # code point order, as SQLite and AG Grid sort
        order.append(column.desc().nulls_last() if descending else column.asc().nulls_first())
    if "id" not in dict(query.order):
        order.append(RunRow.id.desc())
    return order
