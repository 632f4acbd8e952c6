"""Calling a Dash callback over HTTP as the browser does, with any values (crafted ones too).

A request names the callback's outputs, and carries every input and state with its value
and which input changed (``/_dash-update-component``). ``dash_call`` builds it from the
app's own ``/_dash-dependencies``, so the tests never copy a callback's signature.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from gridworld.hyperparams import HYPERPARAM_NAMES

WILDCARD_INDEXES = {
    "run-param": HYPERPARAM_NAMES,
    "run-param-feedback": HYPERPARAM_NAMES,
    "fork-param": HYPERPARAM_NAMES,
}
"""The components a wildcard (``ALL``) id matches on the page, by id type."""


def dependency(client: Any, output: str) -> dict[str, Any]:
    """Return the one server callback whose output string contains ``output``."""
    deps = client.get("/_dash-dependencies").get_json()
    found = [d for d in deps if output in d["output"] and not d.get("clientside_function")]
    assert len(found) == 1, [d["output"] for d in found]
    return found[0]


def _parts(output: str) -> list[tuple[str, str]]:
    """Return (id text, property) of each output named by a dependency's output string."""
    names = output.strip(".").split("...") if output.startswith("..") else [output]
    return [tuple(name.split("@")[0].rsplit(".", 1)) for name in names]  # type: ignore[misc]


def _items(id_text: str, prop: str) -> Any:
    """Return the request's entry for one output: ``{"id", "property"}``, or a list of them
    for a wildcard id (one per component it matches)."""
    if not id_text.startswith("{"):
        return {"id": id_text, "property": prop}
    pattern = json.loads(id_text)
    key = next(k for k, v in pattern.items() if v == ["ALL"])
    return [
        {"id": {**pattern, key: index}, "property": prop}
        for index in WILDCARD_INDEXES[pattern["type"]]
    ]


def _with_values(entries: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> list:
    """Return inputs or states with their values (``values`` keyed ``"id.property"``; a
    wildcard's value is a list, one per matched component; missing ones are None)."""
    out: list[Any] = []
    for entry in entries:
        item = _items(entry["id"], entry["property"])
        if isinstance(item, list):
            given = values.get(f"{json.loads(entry['id'])['type']}.{entry['property']}")
            given = given if given is not None else [None] * len(item)
            out.append([{**one, "value": value} for one, value in zip(item, given, strict=True)])
        else:
            out.append({**item, "value": values.get(f"{entry['id']}.{entry['property']}")})
    return out


def dash_call(
    client: Any,
    output: str,
    values: Mapping[str, Any],
    changed: str,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Send one callback request and return the response.

    Args:
        client: the Flask test client.
        output: part of the callback's output string (``"episodes-grid.getRowsResponse"``).
        values: ``"id.property"`` → value for its inputs and states (others are None).
        changed: the ``"id.property"`` of the input that changed.
        headers: extra request headers.

    Returns:
        The test client's response.
    """
    dep = dependency(client, output)
    outputs = [_items(id_text, prop) for id_text, prop in _parts(dep["output"])]
    payload = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": _with_values(dep["inputs"], values),
        "state": _with_values(dep["state"], values),
        "changedPropIds": [changed],
    }
    return client.post("/_dash-update-component", json=payload, headers=dict(headers or {}))
