"""gridlab's rules, each in one place: what each run status allows, the limits every entry
point shares, how ids are read from text and how numbers are shown to people.

The HTTP API, the CLI, the actions module and the page buttons all ask ``refusal`` (or
``check``) before acting on a run, so the same refused action gives the same message
everywhere.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Any

from gridworld.errors import ValidationError
from gridworld.numbers import parse_int
from runstore import CHECKPOINT_NAME_LENGTH, LIVE_STATUSES, MAX_EPISODE_LIMIT, STATUSES, Run

MAX_ID = 2**53
"""The largest id or episode number accepted from text (JSON numbers stay exact up to here)."""
MAX_COMPARE_RUNS = 8
"""Most runs one comparison takes, in the API and on the pages (the palette has eight)."""
MIN_COMPARE_RUNS = 2
"""Fewest runs the runs page's Compare button opens."""
MAX_EPISODE_ROWS = MAX_EPISODE_LIMIT
"""Most raw episode rows one request reads (the API's ``limit``, one block of the log)."""
MAX_TAG_LENGTH = 32
"""Longest tag, in characters."""
MAX_TAGS = 20
"""Most tags one run has."""
MAX_NOTE_LENGTH = 20_000
"""Longest note of a run, in characters."""
MAX_CHECKPOINT_NAME = CHECKPOINT_NAME_LENGTH
"""Longest checkpoint name, in characters."""
LATEST = "latest"
"""What names a run's latest checkpoint wherever a checkpoint is chosen (never a name)."""
CHECKPOINT_NAME_ALLOWED = (
    f"1 to {MAX_CHECKPOINT_NAME} letters, digits or - _ . starting with a letter (not"
    f" '{LATEST}'), unique within the run"
)
_CHECKPOINT_NAME = re.compile(rf"[^\W\d_][\w.-]{{0,{MAX_CHECKPOINT_NAME - 1}}}")
SAVE_NOW_STATUSES = ("running",)
"""Statuses in which "Save checkpoint now" asks the run's worker for a checkpoint of its
current state; in any other status the name goes on the run's latest checkpoint."""


class Action(StrEnum):
    """What a person can ask of an existing run."""

    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    EDIT = "edit"
    """Change hyperparameters."""
    ARCHIVE = "archive"
    """Hide the run from lists (unarchiving is always allowed)."""
    DELETE = "delete"
    """Delete the run with everything recorded for it."""


RESUMABLE = ("paused", "stopped", "crashed", "error", "pruned")
"""Statuses a run can be resumed from (from its latest checkpoint; a pruned run goes on
to its target, outside its experiment's pruning)."""
ALLOWED: dict[Action, tuple[str, ...]] = {
    Action.PAUSE: LIVE_STATUSES,
    Action.RESUME: RESUMABLE,
    Action.STOP: (*LIVE_STATUSES, "paused"),
    Action.EDIT: (*LIVE_STATUSES, "paused"),
    Action.ARCHIVE: tuple(status for status in STATUSES if status not in LIVE_STATUSES),
    Action.DELETE: tuple(status for status in STATUSES if status != "running"),
}
"""The statuses in which each action is allowed (a paused run applies edits on resume; a
queued or running run is not archived, since it would train unseen; a running one is not
deleted under its worker: stop it first)."""
_WHAT = {
    Action.PAUSE: "pause",
    Action.RESUME: "be resumed",
    Action.STOP: "stop",
    Action.EDIT: "change parameters",
    Action.ARCHIVE: "be archived",
    Action.DELETE: "be deleted",
}
_ENDING = {"paused": "pause", "stopped": "stop"}
"""Requested statuses that end a live run's worker (a resume may cancel them), as verbs."""


class Conflict(Exception):
    """The run exists but its state (or the dashboard's) does not allow the action."""


def pending_end(run: Run) -> str | None:
    """Return the pause or stop a live run has been asked for and not yet reached, or None."""
    if run.is_live and run.requested_status in _ENDING:
        return run.requested_status
    return None


def refusal(run: Run, action: Action) -> str | None:
    """Return why ``action`` is not allowed for ``run`` now, or None when it is.

    A live run with a pending pause or stop can be resumed (that cancels the request) and
    cannot be paused again.

    Returns:
        None, or a message naming the run, its status and the statuses that allow the action.
    """
    pending = pending_end(run)
    if action is Action.RESUME and pending is not None:
        return None
    if action is Action.PAUSE and pending is not None:
        return f"run {run.id} is {run.status} and already asked to {_ENDING[pending]}"
    allowed = ALLOWED[action]
    if run.status in allowed:
        return None
    return f"run {run.id} is {run.status}; only {_either(allowed)} runs can {_WHAT[action]}"


def check(run: Run, action: Action) -> None:
    """Raise ``Conflict`` with ``refusal``'s message unless ``action`` is allowed for ``run``."""
    message = refusal(run, action)
    if message is not None:
        raise Conflict(message)


def allowed_actions(run: Run) -> frozenset[Action]:
    """Return the actions ``run`` allows now (what the page enables)."""
    return frozenset(action for action in Action if refusal(run, action) is None)


def parse_id(field: str, raw: object) -> int:
    """Return a run (or other row) id given as text or a number.

    Raises:
        ValidationError: not a whole number, or outside 1..``MAX_ID``.
    """
    return parse_int(field, raw, 1, MAX_ID)


def parse_checkpoint_name(raw: object, field: str = "name") -> str:
    """Return a checkpoint name, trimmed (whether it is free in the run is the store's
    check).

    Raises:
        ValidationError: not text, empty, too long, not starting with a letter, holding a
            character other than letters, digits and ``- _ .``, or ``latest``; naming
            ``field``.
    """
    if not isinstance(raw, str):
        raise ValidationError(field, raw, "not text", CHECKPOINT_NAME_ALLOWED)
    name = raw.strip()
    if _CHECKPOINT_NAME.fullmatch(name) and name != LATEST:
        return name
    if not name:
        reason = "empty"
    elif len(name) > MAX_CHECKPOINT_NAME:
        reason = f"{len(name)} characters"
    elif name == LATEST:
        reason = f"'{LATEST}' names the latest checkpoint"
    elif not _CHECKPOINT_NAME.fullmatch(name[0]):
        reason = f"starts with {name[0]!r}"
    else:
        reason = f"holds {next(c for c in name if not _CHECKPOINT_NAME.fullmatch('a' + c))!r}"
    raise ValidationError(field, raw, reason, CHECKPOINT_NAME_ALLOWED)


def format_number(value: Any) -> str:
    """Return a value as people read it in tables, labels and captions.

    Returns:
        Floats to 4 significant digits, integers with thousands separators, a dash for a
        missing value, anything else as text.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_duration(seconds: float) -> str:
    """Return a time to wait as people read it: ``42 s``, ``3 min 20 s``, ``1 h 05 min``,
    ``2 d 3 h`` (whole seconds, the two largest units; a dash when not finite)."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _either(statuses: tuple[str, ...]) -> str:
    """Return ``("a", "b", "c")`` as ``"a, b or c"``."""
    return statuses[0] if len(statuses) == 1 else f"{', '.join(statuses[:-1])} or {statuses[-1]}"
