"""Properties: no body sent to a route that changes anything gets a 500, whatever its JSON
(or its bytes), and every refusal is a JSON error; no values sent to a Dash callback (in a
request of the renderer's shape, or any other body) get a 500 either."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.factory import create_app
from gridworld.hyperparams import HYPERPARAM_NAMES
from tests.api.dash_calls import WILDCARD_INDEXES, dash_call
from tests.dashboard_support import seeded_run

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
"""Text of any code points, lone surrogates and control characters included."""
NUMBERS = (
    st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["1_000", "١٠٠", "1e3", " 5 ", "0.5", "nan", "-0", ""])
)
SCALARS = st.none() | st.booleans() | NUMBERS | ANY_TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
RUN_FIELDS = {
    "env": st.sampled_from(["GridWorld-v0", "Taxi-v4", "CartPole-v1", "Nope-v0"]) | JSON,
    "preset": st.sampled_from(["easy", "medium", "hard", "custom"]) | JSON,
    "desc": st.lists(st.sampled_from(["S.", ".G", "S#", "..", "SG"]), max_size=4) | JSON,
    "episodes": NUMBERS | JSON,
    "seed": NUMBERS | JSON,
    "name": ANY_TEXT | JSON,
    "checkpoint_every": NUMBERS | JSON,
    "params": st.dictionaries(st.sampled_from([*HYPERPARAM_NAMES, "beta"]), NUMBERS | JSON) | JSON,
}
PARAMS = st.dictionaries(st.sampled_from([*HYPERPARAM_NAMES, "beta", "episodes"]), NUMBERS)
LABELS = st.fixed_dictionaries(
    {},
    optional={
        "name": ANY_TEXT | JSON,
        "note": ANY_TEXT | JSON,
        "add": st.lists(ANY_TEXT, max_size=25) | JSON,
        "remove": st.lists(ANY_TEXT, max_size=3) | JSON,
    },
)
"""Bodies of the rename, tags and note routes: the right fields with any values."""
BODIES = (
    st.fixed_dictionaries({}, optional=RUN_FIELDS)
    | PARAMS
    | LABELS
    | JSON
    | st.binary(max_size=60)
    | JSON.map(lambda value: json.dumps(value)[:-1])  # cut short
    | st.integers(min_value=1, max_value=20_000).map(lambda n: "[" * n + "]" * n)
    | st.integers(min_value=1, max_value=5_000).map(lambda n: '{"name": ' + "[" * n + "]" * n + "}")
)
ROUTES = ["/api/runs", "/api/runs/{id}/params", "/api/runs/{id}/pause"]
ROUTES += ["/api/runs/{id}/resume", "/api/runs/{id}/stop", "/api/runs/{id}/nonsense"]
ROUTES += [f"/api/runs/{{id}}/{route}" for route in ("rename", "tags", "note", "archive")]
ROUTES += ["/api/runs/{id}/unarchive", "DELETE /api/runs/{id}", "/api/runs/{id}/checkpoints"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A dashboard without a training pool (a valid new run is refused with 409, so no
    worker starts) over a store with a running, a paused and a finished run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.sqlite'}"
    app = create_app(url)
    store = app.server.extensions["gridlab.store"]
    ids = [seeded_run(store, status=status, episodes=30) for status in ("running", "paused")]
    ids.append(seeded_run(store, status="finished", episodes=30))
    yield app.server.test_client(), ids
    store.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES),
    which=st.integers(min_value=0, max_value=3),
    body=BODIES,
)
def test_no_body_to_a_mutating_route_gets_a_500(served, route, which, body):
    client, run_ids = served
    method, _, path = route.rpartition(" ")
    path = path.format(id=[*run_ids, 10**30][which])
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    response = client.open(
        path, method=method or "POST", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, (path, data[:200], response.get_data(as_text=True))
    if response.status_code >= 400:
        assert isinstance(response.get_json()["error"], str)


def _keys(dep: dict) -> list[tuple[str, int | None]]:
    """Return the ``dash_call`` value keys of a callback's inputs and states, with the
    number of components for a wildcard id (None for a plain one)."""
    keys = []
    for entry in dep["inputs"] + dep["state"]:
        if entry["id"].startswith("{"):
            kind = json.loads(entry["id"])["type"]
            keys.append((f"{kind}.{entry['property']}", len(WILDCARD_INDEXES[kind])))
        else:
            keys.append((f"{entry['id']}.{entry['property']}", None))
    return keys


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_values_sent_to_a_callback_get_a_500(served, data):
    client, run_ids = served
    deps = client.get("/_dash-dependencies").get_json()
    dep = data.draw(st.sampled_from([d for d in deps if not d.get("clientside_function")]))
    values = {}
    for key, count in _keys(dep):
        value = st.sampled_from([*run_ids, 10**30]) | JSON
        values[key] = data.draw(
            value if count is None else st.lists(value, min_size=count, max_size=count)
        )
    changed = data.draw(st.sampled_from([f"{i['id']}.{i['property']}" for i in dep["inputs"]]))
    response = dash_call(client, dep["output"], values, changed)
    assert response.status_code < 500, (
        dep["output"],
        values,
        response.get_data(as_text=True)[:300],
    )
