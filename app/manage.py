"""Keeping runs in order, for every entry point (CLI, HTTP, Dash pages): rename, tag, note,
archive and delete.

Each action validates its values here (a name by gridworld's run-name rule), asks
``app.rules`` whether the run's status allows it (inside the store's transaction, so a run
a worker claims meanwhile is refused too) and raises what the callers map to messages:
``ValidationError``, ``RunNotFound`` or ``app.rules.Conflict``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial

from app.rules import MAX_NOTE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, Action, Conflict, check
from gridworld.errors import ValidationError
from gridworld.spec import validate_name
from runstore import Run, RunHasForks, RunNotFound, RunStore

TAG_ALLOWED = f"1 to {MAX_TAG_LENGTH} letters, digits or - _ . : / + @ = (no spaces or commas)"
TAGS_ALLOWED = f"a list of at most {MAX_TAGS} tags, each {TAG_ALLOWED}"
NOTE_ALLOWED = (
    f"Markdown text of at most {MAX_NOTE_LENGTH:,} characters, without control characters"
)
_TAG = re.compile(rf"[\w.:/+@=-]{{1,{MAX_TAG_LENGTH}}}")
_NOTE_WHITESPACE = frozenset("\n\r\t")


def parse_tag(raw: object, field: str = "tag") -> str:
    """Return one tag, trimmed.

    Raises:
        ValidationError: not text, empty, too long, or holding a space, a comma or another
            character outside ``TAG_ALLOWED``; naming ``field``.
    """
    if not isinstance(raw, str):
        raise ValidationError(field, raw, "not text", TAG_ALLOWED)
    tag = raw.strip()
    if not _TAG.fullmatch(tag):
        reason = "empty" if not tag else f"{len(tag)} characters"
        if tag and len(tag) <= MAX_TAG_LENGTH:
            bad = next(char for char in tag if not _TAG.fullmatch(char))
            reason = f"holds {bad!r}"
        raise ValidationError(field, raw, reason, TAG_ALLOWED)
    return tag


def parse_tags(raw: object, field: str = "tags") -> list[str]:
    """Return a list of tags (each ``parse_tag``), duplicates dropped, in order.

    Raises:
        ValidationError: not a list, more than ``MAX_TAGS``, or a bad tag; naming ``field``.
    """
    if not isinstance(raw, list):
        raise ValidationError(field, raw, "not a list", TAGS_ALLOWED)
    if len(raw) > MAX_TAGS:
        raise ValidationError(field, raw, f"{len(raw)} tags", TAGS_ALLOWED)
    return list(dict.fromkeys(parse_tag(item, field) for item in raw))


def parse_note(raw: object) -> str:
    """Return a note (Markdown), its trailing whitespace trimmed (empty: no note).

    Raises:
        ValidationError: not text, too long, or holding a control character other than a
            newline or tab, or a lone surrogate; field ``note``.
    """
    if not isinstance(raw, str):
        raise ValidationError("note", raw, "not text", NOTE_ALLOWED)
    note = raw.rstrip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError("note", raw[:40] + "…", f"{len(note):,} characters", NOTE_ALLOWED)
    for position, char in enumerate(note):
        if unicodedata.category(char) in ("Cc", "Cs") and char not in _NOTE_WHITESPACE:
            reason = f"holds U+{ord(char):04X} at position {position}"
            raise ValidationError("note", raw[:40], reason, NOTE_ALLOWED)
    return note


def rename_run(store: RunStore, run_id: int, name: object) -> Run:
    """Rename a run; return it.

    Raises:
        ValidationError: a bad name (gridworld's run-name rule).
        RunNotFound: no such run.
    """
    return store.manage.rename(run_id, validate_name(name))


def tag_run(store: RunStore, run_id: int, add: object = None, remove: object = None) -> Run:
    """Add tags to a run and remove others; return it.

    Args:
        store: the run store.
        run_id: the run.
        add: the tags to add (a list; None: none).
        remove: the tags to take away (a list, None: none; one the run has not is no
            error).

    Raises:
        ValidationError: a bad tag list (field ``add`` or ``remove``), or more than
            ``MAX_TAGS`` tags on the run then (field ``tags``).
        RunNotFound: no such run.
    """
    added = parse_tags([] if add is None else add, "add")
    removed = parse_tags([] if remove is None else remove, "remove")
    run = store.get_run(run_id)
    after = (set(run.tags) | set(added)) - set(removed)
    if len(after) > MAX_TAGS:
        raise ValidationError("tags", sorted(after), f"{len(after)} tags", TAGS_ALLOWED)
    return store.manage.retag(run_id, added, removed)


def note_run(store: RunStore, run_id: int, note: object) -> Run:
    """Replace a run's note; return the run.

    Raises:
        ValidationError: a bad note.
        RunNotFound: no such run.
    """
    return store.manage.write_note(run_id, parse_note(note))


def archive_run(store: RunStore, run_id: int, archived: bool = True) -> Run:
    """Archive a run (hidden from the pages' lists unless asked for), or bring it back.

    Raises:
        RunNotFound: no such run.
        Conflict: archiving a queued or running run (``rules``).
    """
    guard = partial(check, action=Action.ARCHIVE) if archived else None
    return store.manage.archive(run_id, archived, guard)


def delete_run(store: RunStore, run_id: int) -> None:
    """Delete a run with everything recorded for it.

    Raises:
        RunNotFound: no such run.
        Conflict: it is running (``rules``), or runs were forked from it.
    """
    try:
        store.manage.delete(run_id, partial(check, action=Action.DELETE))
    except RunHasForks as exc:
        raise Conflict(str(exc)) from None


def for_each(action: Callable[..., object], run_ids: Sequence[int]) -> list[str]:
    """Apply ``action`` (an action above, without its run id) to each run in turn.

    Returns:
        One refusal message per run the action refused (an unknown run, a run in the wrong
        state); the others were done.
    """
    refused = []
    for run_id in run_ids:
        try:
            action(run_id=run_id)
        except (Conflict, RunNotFound) as exc:
            refused.append(str(exc))
    return refused
