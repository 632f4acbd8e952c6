"""A page of the runs list, sorted and filtered in SQL, on both backends: every column sorts
and filters, texts sort by code point and filter without regard to (ASCII) case, ties go
newest first, and a query the store cannot answer is refused by name."""

from __future__ import annotations

import pytest

from runstore import InvalidQuery, RunStore
from runstore.listing import NUMBER_COLUMNS, TEXT_COLUMNS, RunsCount, RunsQuery
from runstore.listing_filters import ColumnFilter, Condition
from tests.runstore.support import make_rows, new_run

NAMES = ("beta", "Alpha", "alpha_2", "Δelta", "gamma")


def ids(store: RunStore, **query: object) -> list[int]:
    """Return the ids of the page the query asks for."""
    return [listed.id for listed in store.manage.page(RunsQuery(**query)).runs]


@pytest.fixture
def runs(store: RunStore) -> list[int]:
    """Return five runs named ``NAMES``, the later ones with more episodes, two tagged."""
    made = []
    for index, name in enumerate(NAMES):
        run_id = new_run(store, target=1000, name=name)
        if index:
            store.append_episodes(run_id, make_rows(1, 40 * index, seed=index))
        made.append(run_id)
    store.manage.retag(made[1], ["good", "x_y"])
    store.manage.retag(made[3], ["good"])
    return made


def test_every_column_sorts_both_ways_and_texts_by_code_point(store, runs):
    for column in (*TEXT_COLUMNS, *NUMBER_COLUMNS):
        for descending in (False, True):
            assert sorted(ids(store, order=((column, descending),))) == sorted(runs), column
    by_name = sorted(zip(NAMES, runs, strict=True))
    assert ids(store, order=(("name", False),)) == [run_id for _, run_id in by_name]
    assert ids(store, order=(("episodes", True),)) == runs[::-1]
    # missing figures (the run without episodes) come first ascending, last descending
    assert ids(store, order=(("recent_return", False),))[0] == runs[0]
    assert ids(store, order=(("best_return", True),))[-1] == runs[0]
    assert ids(store, order=(("experiment", False),)) == runs[::-1]  # all ties: newest first


def test_filters_match_text_without_case_and_tags_exactly(store, runs):
    def where(column: str, *conditions: Condition, join: str = "AND") -> list[int]:
        return sorted(ids(store, filters=(ColumnFilter(column, conditions, join),)))

    assert where("name", Condition("contains", "ALPHA")) == [runs[1], runs[2]]
    assert where("name", Condition("startsWith", "Δ")) == [runs[3]]
    assert where("name", Condition("contains", "_")) == [runs[2]]  # not a LIKE wildcard
    assert where("tags", Condition("equals", "good x_y")) == [runs[1]]
    assert where("tags", Condition("blank")) == [runs[0], runs[2], runs[4]]
    assert where("env", Condition("endsWith", "· EASY")) == sorted(runs)
    assert where("created", Condition("contains", "20")) == sorted(runs)
    assert where("status", Condition("equals", "queued")) == sorted(runs)
    assert where("episodes", Condition("inRange", 40, 160)) == [runs[2], runs[3]]
    either = (Condition("lessThan", 41), Condition("greaterThanOrEqual", 160))
    assert where("episodes", *either, join="OR") == [runs[0], runs[1], runs[4]]
    assert where("recent_return", Condition("blank")) == [runs[0]]
    assert sorted(ids(store, tag="good")) == [runs[1], runs[3]]
    assert ids(store, tag="x") == []  # a whole tag, not part of one
    page = store.manage.page(RunsQuery(tag="good", offset=1, limit=1))
    assert (len(page.runs), page.total) == (1, 2)
    assert store.manage.count(RunsQuery(tag="good")) == RunsCount(total=2, live=2)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (RunsQuery(order=(("nothing", True),)), "sort"),
        (RunsQuery(filters=(ColumnFilter("nothing", (Condition("blank"),)),)), "filter"),
        (RunsQuery(filters=(ColumnFilter("name", (Condition("greaterThan", 1),)),)), "filter"),
        (RunsQuery(filters=(ColumnFilter("episodes", (Condition("equals", "1"),)),)), "filter"),
        (RunsQuery(filters=(ColumnFilter("name", (Condition("blank"),), "XOR"),)), "filter"),
        (RunsQuery(limit=5000), "limit"),
        (RunsQuery(offset=-1), "offset"),
    ],
)
def test_a_query_the_store_cannot_answer_is_refused_by_name(store, query, field):
    with pytest.raises(InvalidQuery, match=f"^{field}="):
        store.manage.page(query)
