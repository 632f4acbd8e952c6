"""The command line: ``python run.py [dashboard|worker|train|resume|list|export] ...``.

Exit status: 0 on success, 2 for bad arguments, a store that cannot be opened, an output
file that cannot be written, an unknown run or a run in the wrong state (one line: the
message the HTTP API gives for the same value or run, the validator's, the store's or
``app.rules``'), 1 when a run ends in ``error``, 130 when Ctrl-C paused a run (it
is checkpointed and resumable).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.actions import cancel_pending_end
from app.rules import Conflict, parse_id
from app.training import WorkerPool, claim_new_run
from app.training.foreground import train_in_foreground
from app.training.slots import MAX_SLOTS
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int
from gridworld.spec import validate_run_spec
from runstore import Claim, Owner, RunStore, StoreError
from runstore.engine import store_file

DEFAULT_DB = "sqlite:///gridlab.sqlite"
HYPERPARAM_OPTIONS = ("alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min")
HYPERPARAM_OPTIONS_EXTRA = ("alpha_decay", "alpha_min")
EXIT_USAGE = 2
EXIT_RUN_ERROR = 1
EXIT_INTERRUPTED = 130
MAX_PORT = 65535
DB_ALLOWED = (
    "a URL (sqlite:///PATH or postgresql+psycopg://...) or the path of a SQLite file in an"
    " existing folder, without ':'"
)
USAGE_ERRORS = (ValidationError, Conflict, StoreError)
"""Errors that mean the command cannot run as asked; their message says why (exit 2). A
StoreError covers an unknown run, a refused claim and a store that cannot be opened."""


def db_url_default() -> str:
    """Return the store URL used when ``--db`` is not given: ``$GRIDLAB_DB`` or ./gridlab.sqlite."""
    return os.environ.get("GRIDLAB_DB", DEFAULT_DB)


def store_url(db: str) -> str:
    """Return ``db`` as a SQLAlchemy URL; a plain file path means a SQLite file.

    Args:
        db: the ``--db`` value: a URL (``sqlite:///runs.sqlite``, ``postgresql+psycopg://...``)
            or a path to a SQLite file.

    Returns:
        The URL.

    Raises:
        ValidationError: a path holding ':' (a URL missing its ``://``, or a typo); field
            ``db``. The store checks the rest (the folder exists, the file is a store).
    """
    if "://" in db:
        return db
    if ":" in db or not db.strip():
        raise ValidationError("db", db, "neither a URL with :// nor a file path", DB_ALLOWED)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every gridlab command."""
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="gridlab: train tabular RL agents and watch them in a local dashboard.",
        epilog="Without a command, the dashboard starts. Run 'python run.py COMMAND --help'"
        " for a command's options.",
    )
    parser.add_argument(
        "--db",
        default=db_url_default(),
        help="run store URL or SQLite file (default: $GRIDLAB_DB or sqlite:///gridlab.sqlite)",
    )
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db", default=argparse.SUPPRESS, help="run store URL or SQLite file (as above)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    dashboard = commands.add_parser(
        "dashboard", parents=[db_option], help="start the dashboard (the default)"
    )
    _add_dashboard_arguments(dashboard)
    _add_dashboard_arguments(parser)
    worker = commands.add_parser(
        "worker",
        parents=[db_option],
        help="train queued runs from the store until stopped (on any machine that reaches it)",
        description="Claim queued runs from the store and train them, SLOTS at a time, until"
        " Ctrl-C or SIGTERM, which checkpoint the runs and put them back in the queue.",
    )
    _add_slots_argument(worker)
    _add_train_parser(commands, db_option)
    resume = commands.add_parser(
        "resume",
        parents=[db_option],
        help="continue a paused, stopped, crashed or failed run here from its latest checkpoint",
    )
    resume.add_argument("run_id", metavar="RUN_ID")
    commands.add_parser("list", parents=[db_option], help="list the runs in the store")
    export = commands.add_parser(
        "export", parents=[db_option], help="write a run's episodes as CSV or JSON"
    )
    export.add_argument("run_id", metavar="RUN_ID")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="(default: csv)")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    return parser


def _add_dashboard_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the dashboard's options to ``parser``: where to listen, which hosts to serve, and
    its local worker."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", default="8050", help="port to listen on (default: 8050)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME[:PORT]",
        help="also serve this Host (e.g. a reverse proxy's name; repeatable); only"
        " 127.0.0.1, localhost, [::1] and --host on --port are served otherwise",
    )
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader off)")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="start no worker beside the dashboard: it only watches (runs it queues wait for"
        " a 'worker' elsewhere)",
    )
    _add_slots_argument(parser)


def _add_slots_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--slots N``: how many runs a worker trains at once."""
    parser.add_argument(
        "--slots",
        metavar="N",
        help=f"runs the worker trains at once (default: this machine's cores, {default_slots()})",
    )


def default_slots() -> int:
    """Return the number of slots a worker has without ``--slots``: the machine's cores."""
    return os.cpu_count() or 1


def _add_train_parser(
    commands: argparse._SubParsersAction, db_option: argparse.ArgumentParser
) -> None:
    """Add the ``train`` command: every option is checked by gridworld's run-spec validator."""
    train = commands.add_parser(
        "train",
        parents=[db_option],
        help="train one run headless with a progress bar; prints the run id",
        description="Train one run in this process. Ctrl-C checkpoints and pauses it"
        " (continue with 'resume RUN_ID'). Values are checked by the same validator as the"
        " dashboard and the HTTP API.",
    )
    train.add_argument(
        "--env",
        default="GridWorld-v0",
        help="gymnasium env id with Discrete observations and actions (default: GridWorld-v0;"
        " e.g. FrozenLake-v1, CliffWalking-v1, Taxi-v4)",
    )
    train.add_argument("--preset", help="GridWorld map preset: easy, medium or hard")
    train.add_argument("--episodes", help="episodes to train")
    for name in HYPERPARAM_OPTIONS + HYPERPARAM_OPTIONS_EXTRA:
        train.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="X")
    train.add_argument("--seed", help="random seed (same seed, same episodes)")
    train.add_argument("--name", help="run name")
    train.add_argument(
        "--checkpoint-every", metavar="K", help="episodes between checkpoints (default: auto)"
    )
    train.add_argument(
        "--auto-resume",
        action="store_true",
        help="if this process dies, let any worker resume the run from its last checkpoint"
        " by itself (default: the run reads crashed until someone resumes it)",
    )


def spec_mapping(args: argparse.Namespace) -> dict[str, Any]:
    """Return the run-spec mapping the ``train`` options describe (only those given).

    Values stay strings: the validator converts them and words any error.

    Args:
        args: the parsed ``train`` arguments.

    Returns:
        The mapping for ``gridworld.spec.validate_run_spec``.
    """
    mapping: dict[str, Any] = {"env_id": args.env}
    for key in ("preset", "episodes", "seed", "name", "checkpoint_every"):
        if getattr(args, key) is not None:
            mapping[key] = getattr(args, key)
    hyperparams = {
        key: getattr(args, key)
        for key in HYPERPARAM_OPTIONS + HYPERPARAM_OPTIONS_EXTRA
        if getattr(args, key) is not None
    }
    if hyperparams:
        mapping["hyperparams"] = hyperparams
    return mapping


def slots_of(args: argparse.Namespace) -> int:
    """Return the ``--slots`` value, or the machine's cores when it is not given.

    Raises:
        ValidationError: not a whole number from 1 to ``MAX_SLOTS``.
    """
    if args.slots is None:
        return default_slots()
    return parse_int("slots", args.slots, 1, MAX_SLOTS)


def run_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard, with a local worker unless ``--no-worker``; return 0.

    Ctrl-C or SIGTERM stop the worker gracefully: its runs are checkpointed and put back in
    the queue (``interrupted``), so the next worker to come continues them.
    """
    from app.factory import create_app  # Dash loads only for the dashboard
    from app.security import served_hosts

    url = store_url(args.db)
    port = parse_int("port", args.port, 1, MAX_PORT)
    slots = None if args.no_worker else slots_of(args)
    hosts = served_hosts(args.host, port, args.allowed_host)
    app = create_app(url, allowed_hosts=hosts)  # opens (or creates) the store before a worker
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM: as Ctrl-C
    pool = None if slots is None else WorkerPool(url, slots)
    try:
        workers = "no worker" if slots is None else f"a worker with {slots} slots"
        print(f"gridlab dashboard on http://{args.host}:{port}  (store: {url}; {workers})")
        app.run(host=args.host, port=port, debug=args.debug, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        if pool is not None:
            pool.shutdown()
    return 0


def run_worker(args: argparse.Namespace) -> int:
    """Train queued runs from the store until Ctrl-C or SIGTERM; return 0.

    Stopping checkpoints the runs in training and puts them back in the queue.
    """
    url = store_url(args.db)
    slots = slots_of(args)
    RunStore(url).close()  # a bad URL or store fails here, once, before any slot starts
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    pool = WorkerPool(url, slots)
    print(f"gridlab worker with {slots} slots on {url}; Ctrl-C stops it", file=sys.stderr)
    try:
        pool.wait()
    except KeyboardInterrupt:
        pass
    finally:
        pool.shutdown()
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Validate the options, create the run claimed by this process and train it here;
    return the exit status."""
    spec = validate_run_spec(spec_mapping(args))
    store = _open_store(args, create=True)
    try:
        claim = claim_new_run(store, spec, auto_resume=args.auto_resume)
        print(
            f"run {claim.run_id}: {spec.name} on {spec.env_id}, {spec.episodes} episodes",
            file=sys.stderr,
        )
        return _train_here(store, claim)
    finally:
        store.close()


def run_resume(args: argparse.Namespace) -> int:
    """Claim a run and continue it here from its latest checkpoint; return the exit status.

    A run still training elsewhere with a pending pause or stop has that request cancelled
    and keeps its worker (the status is 0).
    """
    run_id = parse_id("run_id", args.run_id)
    store = _open_store(args)
    try:
        if cancel_pending_end(store, run_id):
            print(
                f"run {run_id} is still live: its pending pause or stop is cancelled and its"
                " worker trains on",
                file=sys.stderr,
            )
            return 0
        return _train_here(store, store.claim_run(run_id, Owner.here()))
    finally:
        store.close()


def _train_here(store: RunStore, claim: Claim) -> int:
    """Train the claimed run in this process with a progress bar; print its id; return the
    exit status."""
    run_id = claim.run_id
    try:
        outcome = train_in_foreground(store, claim)
    except StoreError as exc:  # the store stopped taking writes (read-only, full, gone)
        print(run_id)
        print(f"error: run {run_id} failed: the store refused a write: {exc}", file=sys.stderr)
        return EXIT_RUN_ERROR
    print(run_id)
    if outcome.status is None:
        return 0  # the lease was lost (logged): the run's new worker carries on
    run = store.get_run(run_id)
    if outcome.status == "error":
        print(f"error: run {run_id} failed: {run.error}", file=sys.stderr)
        return EXIT_RUN_ERROR
    if outcome.status == "finished":
        return 0
    print(
        f"run {run_id} {outcome.status} at episode {run.episodes_done} of"
        f" {run.target_episodes}; continue with: python run.py resume {run_id}",
        file=sys.stderr,
    )
    return EXIT_INTERRUPTED if outcome.interrupted else 0


def run_list(args: argparse.Namespace) -> int:
    """Print one line per run, newest first; return the exit status."""
    store = _open_store(args)
    try:
        runs = store.list_runs()
    finally:
        store.close()
    rows = [("ID", "STATUS", "EPISODES", "ENV", "CREATED", "NAME")]
    rows += [
        (
            str(run.id),
            run.status,
            f"{run.episodes_done}/{run.target_episodes}",
            run.env_id,
            run.created_at.strftime("%Y-%m-%d %H:%M"),
            run.name,
        )
        for run in runs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
        )
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Stream a run's episodes as CSV or JSON to a file or stdout; return the exit status."""
    run_id = parse_id("run_id", args.run_id)
    store = _open_store(args)
    try:
        store.get_run(run_id)  # an unknown run is refused before anything is written
        chunks = store.iter_csv(run_id) if args.format == "csv" else store.iter_json(run_id)
        if args.output is None:
            try:
                sys.stdout.writelines(chunks)
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into head: the reader has what it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            try:
                out = open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as exc:
                raise ValidationError(
                    "output", args.output, exc.strerror or str(exc), "a file in an existing folder"
                ) from None
            with out:
                out.writelines(chunks)
    finally:
        store.close()
    return 0


def _open_store(args: argparse.Namespace, *, create: bool = False) -> RunStore:
    """Open the run store named by ``--db``; return it.

    Args:
        args: the parsed arguments.
        create: a missing SQLite file becomes a new store (``train``); the commands that
            only read or continue runs refuse it instead of leaving an empty store behind.

    Raises:
        StoreError: no store at that path (without ``create``), or it cannot be opened.
    """
    url = store_url(args.db)
    path = store_file(url)
    if not create and path is not None and not path.exists():
        raise StoreError(f"no store at {path}; give the --db of an existing store")
    return RunStore(url)


COMMANDS = {
    None: run_dashboard,
    "dashboard": run_dashboard,
    "worker": run_worker,
    "train": run_train,
    "resume": run_resume,
    "list": run_list,
    "export": run_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except USAGE_ERRORS as exc:
        print("error: " + " ".join(line.strip() for line in str(exc).splitlines()), file=sys.stderr)
        return EXIT_USAGE
