"""Reading JSON from requests: one strict parser for the API's bodies and Dash's callbacks,
and the API's mutating-route decorator that hands a route its parsed body.

Python's ``json`` takes a key given twice (the last wins, so ``{"episodes": -1,
"episodes": 100}`` passed as 100) and recurses once per nesting level (a body nested
20,000 deep raised RecursionError, a 500). ``parse_json`` refuses both, naming the field,
and ``StrictJSONProvider`` makes the Flask server (so Dash's callback endpoint too) read
every request body with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from gridworld.errors import ValidationError

MAX_BODY_BYTES = 64 * 1024
"""Largest body a mutating API route reads."""
MAX_DEPTH = 100
"""Deepest nesting of arrays and objects a body may have (a run request needs 3)."""
BODY_ALLOWED = "a JSON object in UTF-8"
View = Callable[..., Any]
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
"""The parts of JSON text that nesting depends on: strings (skipped whole) and brackets."""


class Unsupported(Exception):
    """A mutating request whose body is not JSON (or too large)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def parse_json(raw: bytes | str) -> Any:
    """Return the JSON value of a request body.

    Args:
        raw: the body as sent.

    Returns:
        The value (``NaN`` and ``Infinity`` read as floats, as Python's ``json`` reads them).

    Raises:
        ValidationError: not UTF-8 or not JSON (field ``body``), nested deeper than
            ``MAX_DEPTH`` (naming the top-level field it happens under, or ``body``), or an
            object with a key given twice (naming the key).
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw[max(0, exc.start - 20) : exc.end + 20]
            raise ValidationError("body", shown, "not UTF-8 text", BODY_ALLOWED) from None
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys)
    except ValidationError:
        raise
    except RecursionError:  # far deeper than MAX_DEPTH: find the field in the text
        raise _too_deep(_deep_field_of_text(raw)) from None
    except ValueError:
        raise ValidationError("body", raw[:80], "not JSON", BODY_ALLOWED) from None
    if _depth(value) > MAX_DEPTH:
        field = "body"
        if isinstance(value, dict):
            field = next(key for key, item in value.items() if _depth(item) >= MAX_DEPTH)
        raise _too_deep(field)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Return an object's pairs as a dict, refusing a key given twice."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValidationError(key, value, "given twice", "each field once")
        found[key] = value
    return found


def _too_deep(field: str) -> ValidationError:
    """Return the error for a value nested deeper than ``MAX_DEPTH`` under ``field``."""
    return ValidationError(
        field,
        "…",
        f"nested more than {MAX_DEPTH} levels deep",
        f"JSON at most {MAX_DEPTH} levels deep",
    )


def _depth(value: Any) -> int:
    """Return how deeply arrays and objects nest in ``value`` (0 for a scalar), iteratively."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def _deep_field_of_text(text: str) -> str:
    """Return the top-level key under which JSON text nests deeper than ``MAX_DEPTH``.

    Only called after ``json`` ran out of stack on ``text``, so every string before the
    deep part is well formed.

    Returns:
        The last string at depth 1 before the bracket that goes too deep (in an object,
        that value's key), or ``body`` when the top level is not an object.
    """
    depth, key = 0, None
    for token in _TOKENS.finditer(text):
        part = token.group()
        if part in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif part in "]}":
            depth -= 1
        elif depth == 1:
            key = part
    if key is None or text.lstrip()[:1] != "{":
        return "body"
    return str(json.loads(key))


def json_body(*, required: bool) -> Any:
    """Return the JSON body of a mutating request.

    Args:
        required: an empty (or whitespace-only) body is refused; otherwise it reads as ``{}``.

    Raises:
        Unsupported: the body is not ``application/json`` or is too large.
        ValidationError: the body is empty (when required), not UTF-8, not JSON, nested too
            deeply or has a key twice (``request_json.parse_json``).
    """
    if request.mimetype != "application/json":
        raise Unsupported(
            f"Content-Type={request.content_type!r} is not supported; allowed: application/json",
            415,
        )
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Unsupported(
            f"body of {request.content_length} bytes is too large; allowed: at most"
            f" {MAX_BODY_BYTES} bytes",
            413,
        )
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise Unsupported(f"body is too large; allowed: at most {MAX_BODY_BYTES} bytes", 413)
    if raw.strip():
        return parse_json(raw)
    if required:
        raise ValidationError("body", "", "empty", f"{BODY_ALLOWED} ({{}} for every default)")
    return {}


def mutating(*, body_required: bool) -> Callable[[View], View]:
    """Decorate a route that changes state: check the content type, pass the parsed body.

    Args:
        body_required: refuse an empty body (``json_body``'s ``required``).

    Returns:
        The decorator.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(json_body(required=body_required), *args, **kwargs)

        return wrapper

    return decorate


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading request bodies with ``parse_json``.

    ``request.get_json()`` (Dash's callback endpoint calls it) then answers a body that
    ``parse_json`` refuses with a 400, never a 500.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Return the JSON value of ``s`` (``parse_json``; ``kwargs`` are not taken)."""
        return parse_json(s)
