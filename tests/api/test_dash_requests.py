"""Requests to Dash's callback endpoint that are not shaped as the renderer sends them get a
JSON 400 naming what is wrong (Dash raised on them: a 500), and change nothing."""

from __future__ import annotations

import json

import pytest

from app import ids
from tests.dashboard_support import snapshot

GRID = f"{ids.EPISODES_GRID}.getRowsResponse"
GRID_INPUT = {"id": ids.EPISODES_GRID, "property": "getRowsRequest", "value": {"startRow": 0}}
GRID_STATE = {"id": ids.EPISODES_RUN, "property": "data", "value": 1}
GOOD = {
    "output": GRID,
    "outputs": {"id": ids.EPISODES_GRID, "property": "getRowsResponse"},
    "inputs": [GRID_INPUT],
    "state": [GRID_STATE],
    "changedPropIds": [f"{ids.EPISODES_GRID}.getRowsRequest"],
}
ROUTER = "_pages_location"

MALFORMED = [
    ({}, "output=None names no callback"),
    (None, "the body is not an object"),
    ([], "the body is not an object"),
    ("x", "the body is not an object"),
    ({**GOOD, "output": "nope.children"}, "output='nope.children' names no callback"),
    ({**GOOD, "output": ["x"]}, "names no callback"),
    ({**GOOD, "inputs": None}, "inputs is not a list of 1 entries"),
    ({**GOOD, "inputs": []}, "inputs is not a list of 1 entries"),
    ({**GOOD, "inputs": [GRID_INPUT, GRID_INPUT]}, "inputs is not a list of 1 entries"),
    ({**GOOD, "inputs": ["x"]}, f"inputs[0] is not {ids.EPISODES_GRID}.getRowsRequest"),
    ({**GOOD, "inputs": [{**GRID_INPUT, "id": "other"}]}, "inputs[0] is not"),
    ({**GOOD, "state": [{"id": ids.EPISODES_RUN}]}, f"state[0] is not {ids.EPISODES_RUN}.data"),
    ({**GOOD, "state": {}}, "state is not a list of 1 entries"),
    ({**GOOD, "changedPropIds": "x"}, "changedPropIds is not a list of names"),
    ({**GOOD, "changedPropIds": [5]}, "changedPropIds is not a list of names"),
    ({**GOOD, "outputs": []}, "outputs is not one output"),
    ({**GOOD, "outputs": {"id": 5, "property": "x"}}, "outputs is not one output"),
]


@pytest.mark.parametrize(("body", "words"), MALFORMED)
def test_a_malformed_callback_request_gets_a_json_400(client, store_url, runs, body, words):
    before = snapshot(store_url)
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error.startswith("not a callback request of this dashboard") and words in error
    assert snapshot(store_url) == before


@pytest.mark.parametrize(
    ("pathname", "search"), [(5, ""), (None, ""), ("runs/1", ""), ("/runs/1", None)]
)
def test_dash_s_page_router_is_sent_a_path_of_this_app_or_refused(client, pathname, search):
    deps = client.get("/_dash-dependencies").get_json()
    (router,) = [d for d in deps if d["inputs"][0]["id"] == ROUTER]
    parts = router["output"].strip(".").split("...")
    body = {
        "output": router["output"],
        "outputs": [{"id": p.split(".")[0], "property": p.split(".")[1]} for p in parts],
        "inputs": [
            {"id": ROUTER, "property": "pathname", "value": pathname},
            {"id": ROUTER, "property": "search", "value": search},
        ],
        "changedPropIds": [f"{ROUTER}.pathname"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "is not a path of this app" in response.get_json()["error"]
    body["inputs"][0]["value"], body["inputs"][1]["value"] = "/runs/1", ""
    assert client.post("/_dash-update-component", json=body).status_code == 200


def test_a_well_formed_request_is_dispatched(client, runs):
    response = client.post("/_dash-update-component", json={**GOOD, "state": [GRID_STATE]})
    assert response.status_code == 200
    assert response.get_json()["response"][ids.EPISODES_GRID]["getRowsResponse"]["rowCount"]
