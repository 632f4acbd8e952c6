"""The commands that keep runs in order: ``tag``, ``rename``, ``note``, ``archive``,
``delete`` and ``checkpoint`` (a named one, now), and ``pace`` that steers one, with their
arguments. Every value goes through
``app.manage`` or ``app.actions`` (the validators and rules the HTTP API and the pages
use); ``app.cli`` opens the store and maps errors to exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial

from app.actions import change_pace
from app.manage import (
    archive_run,
    delete_run,
    for_each,
    note_run,
    parse_tags,
    rename_run,
    tag_run,
)
from app.named_checkpoints import naming_text, save_checkpoint_now, wait_for_named
from app.rules import CHECKPOINT_NAME_ALLOWED, MAX_NOTE_LENGTH, Conflict, parse_id
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int, whole_allowed
from gridworld.pace import PACE_ALLOWED, pace_text, validate_pace
from runstore import Run, RunStore

Command = Callable[[RunStore, argparse.Namespace], int]
WAIT_SECONDS = 10
"""How long ``checkpoint`` waits for a running run's worker to save the checkpoint."""
MAX_WAIT_SECONDS = 600


def add_manage_parsers(
    commands: argparse._SubParsersAction, db_option: argparse.ArgumentParser
) -> None:
    """Add the ``tag``, ``rename``, ``note``, ``archive``, ``delete``, ``checkpoint`` and
    ``pace`` commands."""
    tag = commands.add_parser(
        "tag", parents=[db_option], help="add tags to a run (or --remove them)"
    )
    tag.add_argument("run_id", metavar="RUN")
    tag.add_argument("tags", metavar="TAG", nargs="+")
    tag.add_argument("--remove", action="store_true", help="take these tags away instead")
    rename = commands.add_parser("rename", parents=[db_option], help="rename a run")
    rename.add_argument("run_id", metavar="RUN")
    rename.add_argument("name", metavar="NAME")
    note = commands.add_parser(
        "note",
        parents=[db_option],
        help="set a run's Markdown note (TEXT, or --file F; empty text clears it)",
    )
    note.add_argument("run_id", metavar="RUN")
    text = note.add_mutually_exclusive_group(required=True)
    text.add_argument("text", metavar="TEXT", nargs="?", help="the note")
    text.add_argument("--file", metavar="F", help="read the note from this file ('-': stdin)")
    archive = commands.add_parser(
        "archive",
        parents=[db_option],
        help="archive runs (hidden from the pages' lists until --undo); not queued or running",
    )
    archive.add_argument("run_ids", metavar="RUN", nargs="+")
    archive.add_argument("--undo", action="store_true", help="bring the runs back")
    delete = commands.add_parser(
        "delete",
        parents=[db_option],
        help="delete runs with their episodes, checkpoints and changes (asks first)",
        description="Delete runs for good, with everything recorded for them, and give the"
        " space back. A running run (stop it first) or one that has forks (delete them"
        " first) is refused.",
    )
    delete.add_argument("run_ids", metavar="RUN", nargs="+")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_checkpoint_parser(commands, db_option)
    pace = commands.add_parser(
        "pace",
        parents=[db_option],
        help="change how many episodes per second a run trains at (recorded as a change)",
    )
    pace.add_argument("run_id", metavar="RUN")
    pace.add_argument("pace", metavar="EPS", help=f"allowed: {PACE_ALLOWED}".replace("%", "%%"))


def _add_checkpoint_parser(
    commands: argparse._SubParsersAction, db_option: argparse.ArgumentParser
) -> None:
    """Add the ``checkpoint`` command: save a named checkpoint now."""
    checkpoint = commands.add_parser(
        "checkpoint",
        parents=[db_option],
        help="save a named checkpoint of a run now (kept for good; a fork point by name)",
        description="A running run's worker saves a checkpoint of its current state with"
        " the name at its next control check; any other run's latest checkpoint gets the"
        " name. A named checkpoint stays with its run for good, and 'fork RUN --at NAME'"
        " forks from it.",
        epilog="Example: python run.py checkpoint 3 --name good-alpha",
    )
    checkpoint.add_argument("run_id", metavar="RUN")
    checkpoint.add_argument(
        "--name", required=True, help=f"allowed: {CHECKPOINT_NAME_ALLOWED}".replace("%", "%%")
    )
    checkpoint.add_argument(
        "--wait",
        metavar="S",
        default=str(WAIT_SECONDS),
        help=f"seconds to wait for a running run's worker to save it (default: {WAIT_SECONDS};"
        f" allowed: {whole_allowed(0, MAX_WAIT_SECONDS)})",
    )


def run_tag(store: RunStore, args: argparse.Namespace) -> int:
    """Add (or remove) the run's tags; print its tags; return 0."""
    run_id = parse_id("run_id", args.run_id)
    tags = parse_tags(args.tags, "tag")  # named as the command line names it
    run = tag_run(store, run_id, remove=tags) if args.remove else tag_run(store, run_id, tags)
    print(f"run {run.id} tags: {' '.join(run.tags) or '(none)'}")
    return 0


def run_rename(store: RunStore, args: argparse.Namespace) -> int:
    """Rename the run; print its new name; return 0."""
    run = rename_run(store, parse_id("run_id", args.run_id), args.name)
    print(f"run {run.id} renamed: {run.name}")
    return 0


def run_note(store: RunStore, args: argparse.Namespace) -> int:
    """Set the run's note from TEXT or --file; return 0."""
    run_id = parse_id("run_id", args.run_id)
    text = args.text if args.file is None else _read_note(args.file)
    run = note_run(store, run_id, text)
    print(f"run {run.id} note: {len(run.note):,} characters")
    return 0


def _read_note(path: str) -> str:
    """Return the text of the note file (``-``: stdin).

    Raises:
        ValidationError: the file cannot be read as UTF-8 text; field ``file``.
    """
    allowed = f"a readable UTF-8 text file of at most {MAX_NOTE_LENGTH:,} characters"
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read(MAX_NOTE_LENGTH + 1)
    except OSError as exc:
        raise ValidationError("file", path, exc.strerror or str(exc), allowed) from None
    except UnicodeDecodeError:
        raise ValidationError("file", path, "not UTF-8 text", allowed) from None


def run_archive(store: RunStore, args: argparse.Namespace) -> int:
    """Archive (or bring back) each run; return 0, or 2 if any was refused (the others
    are done)."""
    run_ids = [parse_id("run_id", raw) for raw in args.run_ids]
    action = partial(archive_run, store, archived=not args.undo)
    done = "brought back" if args.undo else "archived"
    return _report(for_each(action, run_ids), run_ids, done)


def run_delete(store: RunStore, args: argparse.Namespace) -> int:
    """Delete each run, after a confirmation unless ``--yes``; return 0, or 2 if any was
    refused or the confirmation declined (nothing deleted then)."""
    run_ids = list(dict.fromkeys(parse_id("run_id", raw) for raw in args.run_ids))
    runs = [store.get_run(run_id) for run_id in run_ids]  # an unknown run: nothing deleted
    if not args.yes and not _confirmed(runs):
        raise Conflict("nothing deleted (not confirmed; --yes deletes without asking)")
    return _report(for_each(partial(delete_run, store), run_ids), run_ids, "deleted")


def _confirmed(runs: list[Run]) -> bool:
    """Ask on stderr whether to delete ``runs``; return whether stdin answered yes."""
    listed = "; ".join(f"#{run.id} {run.name} ({run.episodes_done:,} episodes)" for run in runs)
    print(f"Delete {listed} for good? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def run_pace(store: RunStore, args: argparse.Namespace) -> int:
    """Queue a pace change for the run (its worker takes it up within a control check, a
    paused or queued run when it trains again); return 0."""
    run_id = parse_id("run_id", args.run_id)
    change = change_pace(store, run_id, args.pace, "cli")
    print(f"run {run_id} pace: {pace_text(validate_pace(change['new_value']))} (requested)")
    return 0


def run_checkpoint(store: RunStore, args: argparse.Namespace) -> int:
    """Save the named checkpoint now (waiting up to ``--wait`` seconds for a running run's
    worker) or name the latest; print what was done; return 0."""
    run_id = parse_id("run_id", args.run_id)
    wait = parse_int("wait", args.wait, 0, MAX_WAIT_SECONDS)
    naming = save_checkpoint_now(store, run_id, args.name)
    episode = None
    if naming.requested and wait:
        episode = wait_for_named(store, run_id, naming.name, wait)
    said = naming_text(naming, episode)
    if naming.requested and episode is None:
        status = store.get_run(run_id).status
        said += f" Not saved within {wait} s: the run is {status} now."
    print(said)
    return 0


def _report(refused: list[str], run_ids: list[int], done: str) -> int:
    """Print what was done and refused; return 0, or 2 when anything was refused."""
    count = len(run_ids) - len(refused)
    print(f"{count} run{'s' if count != 1 else ''} {done}")
    for message in refused:
        print(f"error: {message}", file=sys.stderr)
    return 2 if refused else 0


MANAGE_COMMANDS: dict[str, Command] = {
    "tag": run_tag,
    "rename": run_rename,
    "note": run_note,
    "archive": run_archive,
    "delete": run_delete,
    "pace": run_pace,
    "checkpoint": run_checkpoint,
}
"""The commands of this module, each given the open store and its arguments."""
