"""Every callback's inputs, outputs and states name components of the validation layout that
Dash builds from every page (callback exceptions are not suppressed), so a typo'd id fails."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from app import ids
from app.factory import create_app

WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
"""How ``/_dash-dependencies`` writes the pattern-matching wildcards."""


def _layout_ids(layout: Any) -> list[Any]:
    """Return the id of every component in a layout tree."""
    return [
        component.id
        for component in [layout, *layout._traverse()]
        if getattr(component, "id", None) is not None
    ]


def _id(text: Any) -> Any:
    """Return an id as the dependencies write it: a string, or a pattern as JSON text."""
    return json.loads(text) if isinstance(text, str) and text.startswith("{") else text


def _dependencies(specs: list[dict[str, Any]]) -> Iterable[tuple[Any, str]]:
    """Yield (id, property) of every output, input and state of the callbacks."""
    for spec in specs:
        for text in spec["output"].strip(".").split("..."):
            identifier, prop = text.rsplit(".", 1)
            yield _id(identifier), prop
        for item in (*spec["inputs"], *spec["state"]):
            yield _id(item["id"]), item["property"]


def _matches(wanted: Any, present: Any) -> bool:
    """Return whether a component id satisfies a dependency's id (wildcards match any value)."""
    if isinstance(wanted, str) or isinstance(present, str):
        return wanted == present
    return wanted.keys() == present.keys() and all(
        value in WILDCARDS or present[key] == value for key, value in wanted.items()
    )


def unknown_ids(specs: list[dict[str, Any]], layout: Any) -> list[tuple[Any, str]]:
    """Return the dependencies of ``specs`` that no component of ``layout`` satisfies."""
    present = _layout_ids(layout)
    return [
        (wanted, prop)
        for wanted, prop in _dependencies(specs)
        if not any(_matches(wanted, component) for component in present)
    ]


@pytest.fixture
def app(store_url):
    dash_app = create_app(store_url)
    yield dash_app
    dash_app.server.extensions["gridlab.store"].close()


def _specs_and_layout(dash_app) -> tuple[list[dict[str, Any]], Any]:
    """Serve the first request (Dash then builds the validation layout); return the app's
    callback specs and that layout."""
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 200
    return client.get("/_dash-dependencies").get_json(), dash_app.validation_layout


def test_callback_exceptions_are_not_suppressed(app):
    assert app.config.suppress_callback_exceptions is False


def test_every_callback_names_components_of_the_validation_layout(app):
    specs, layout = _specs_and_layout(app)
    named = {json.dumps(wanted, sort_keys=True) for wanted, _ in _dependencies(specs)}
    # every page's callbacks are there, pattern-matching ones included
    for expected in (ids.RUNS_GRID, ids.RUN_ZOOM, ids.COMPARE_SHARE, ids.POLICY_MAP):
        assert json.dumps(expected) in named
    assert json.dumps(ids.run_param(["ALL"]), sort_keys=True) in named
    assert unknown_ids(specs, layout) == []


def test_a_typo_in_a_callback_id_is_caught(app):
    specs, layout = _specs_and_layout(app)
    typo = {"output": "run-stauts.children", "inputs": [], "state": []}
    wrong_key = {
        "output": "run-status.children",
        "inputs": [{"id": {"type": ids.RUN_PARAM, "nmae": ["ALL"]}, "property": "value"}],
        "state": [{"id": ids.RUN_ID + "s", "property": "data"}],
    }
    assert unknown_ids([*specs, typo, wrong_key], layout) == [
        ("run-stauts", "children"),
        ({"type": ids.RUN_PARAM, "nmae": ["ALL"]}, "value"),
        (ids.RUN_ID + "s", "data"),
    ]


def _outputs(dash_app) -> set[str]:
    """Return the outputs of every callback the app serves."""
    specs, _ = _specs_and_layout(dash_app)
    return {spec["output"] for spec in specs}


def test_every_app_in_one_process_serves_every_callback(app, tmp_path):
    # Dash hands module-level callbacks to the first app served: the cards' callbacks must
    # be registered per app, or a second app (a test's, a restarted one) has no Fork button.
    first = _outputs(app)
    second_app = create_app(f"sqlite:///{tmp_path / 'second.sqlite'}")
    try:
        second = _outputs(second_app)
    finally:
        second_app.server.extensions["gridlab.store"].close()
    assert f"{ids.FORK_MESSAGE}.children" in first and f"{ids.RUN_LINEAGE}.children" in first
    assert second == first
