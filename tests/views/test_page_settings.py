"""Page settings read from a query string or a control's value."""

from __future__ import annotations

import pytest

from app.views.query import MAX_SMOOTH, choice, number_in, smoothing
from app.views.run_view import QUERY_KEYS, RunView, view_from


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.3", 0.3), (3, 3.0), ("-9", 0.0), ("99", 10.0), ("nan", 1.5), ("x", 1.5), (None, 1.5)],
)
def test_a_number_is_read_and_clipped_or_takes_its_default(raw, expected):
    assert number_in(raw, 1.5, 0.0, 10.0) == expected


def test_huge_numbers_are_clipped_and_non_numbers_refused():
    assert number_in(10**400, 0.0, -1.0, 1.0) == 0.0  # too large for a float: the default
    assert number_in("1e400", 0.0, -1.0, 1.0) == 1.0
    assert number_in(True, 0.5, 0.0, 1.0) == 0.5
    assert number_in([1], 0.5, 0.0, 1.0) == 0.5


def test_smoothing_is_an_ema_weight_below_one():
    assert smoothing(None) == 0.0
    assert smoothing(0.6) == 0.6
    assert smoothing(1) == MAX_SMOOTH < 1


def test_a_choice_is_one_of_the_allowed_values():
    assert choice("b", ("a", "b"), "a") == "b"
    assert choice("c", ("a", "b"), "a") == "a"
    assert choice(None, ("a", "b"), "a") == "a"


def test_a_run_pages_url_reopens_its_view():
    view = view_from({"x": "env_steps", "smooth": "0.8", "logy": "1", "bands": "0", "zoom": "9,3"})
    assert view == RunView("env_steps", 0.8, True, False, (3.0, 9.0))
    assert view.zoom_data() == {"x_mode": "env_steps", "x0": 3.0, "x1": 9.0}
    assert list(QUERY_KEYS) == ["x", "smooth", "logy", "bands", "zoom"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"x": "frames", "smooth": "lots", "zoom": "1,2,3"},
        {"zoom": "5,5"},
        {"zoom": "nan,4"},
        {"zoom": "inf,4"},
        {"zoom": ","},
    ],
)
def test_a_missing_or_unreadable_run_page_setting_takes_its_default(query):
    view = view_from(query)
    assert view == RunView() and view.zoom_data() is None
    assert (view.x_mode, view.smooth, view.log_y, view.bands) == ("episode", 0.6, False, True)


def test_a_run_pages_smoothing_is_clipped_to_the_slider():
    assert view_from({"smooth": "5"}).smooth == MAX_SMOOTH
    assert view_from({"smooth": "-1", "logy": "0", "bands": "1"}).smooth == 0.0
