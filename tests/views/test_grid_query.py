"""The runs grid's sort and filter read back from the runs page's URL."""

from __future__ import annotations

import json

from app.components.runs_grid import DEFAULT_SORT, FIELDS
from app.views.grid_query import filter_from, sort_from


def test_a_sort_names_known_columns_once_each_with_a_direction():
    assert sort_from("episodes:asc,id:desc", FIELDS) == [("episodes", "asc"), ("id", "desc")]
    assert sort_from(DEFAULT_SORT, FIELDS) == [("id", "desc")]
    for bad in (None, "", "nothing:asc", "episodes", "episodes:up", "id:asc,id:desc", 3):
        assert sort_from(bad, FIELDS) is None


def test_a_filter_keeps_each_column_filter_that_fits_its_column():
    name = {"filterType": "text", "type": "contains", "filter": "alpha"}
    episodes = {
        "filterType": "number",
        "operator": "AND",
        "conditions": [
            {"filterType": "number", "type": "greaterThan", "filter": 10},
            {"filterType": "number", "type": "inRange", "filter": 1, "filterTo": 50},
        ],
    }
    model = {
        "name": name,
        "episodes": episodes,
        "tags": {"filterType": "text", "type": "blank"},
        "nothing": name,  # no such column
        "alpha": {"filterType": "text", "type": "contains", "filter": "0.1"},  # a number column
        "env": {"filterType": "text", "type": "contains", "filter": 3},  # text filter of a number
        "status": {"filterType": "text", "type": "evaluate", "filter": "x"},
    }
    kept = filter_from(json.dumps(model), FIELDS)
    assert kept == {"name": name, "episodes": episodes, "tags": model["tags"]}
    for bad in (None, "", "{bad", "[1]", json.dumps({"nothing": name})):
        assert filter_from(bad, FIELDS) is None
