"""The command line: ``python run.py [dashboard|worker|train|sweep|fork|resume|list|export]``,
and ``tag|rename|note|archive|delete|checkpoint|pace`` (``app.cli_manage``).

Exit status: 0 on success, 2 for bad arguments, a store that cannot be opened, an output
file that cannot be written, an unknown run or a run in the wrong state (one line per bad
value: the message the HTTP API gives for the same value or run, the validator's, the
store's or ``app.rules``'), 1 when a run ends in ``error``, 130 when Ctrl-C paused a run (it
is checkpointed and resumable) or stopped a sweep (its runs are back in the queue).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence

from app.actions import cancel_pending_end
from app.cli_args import build_parser, slots_of, spec_mapping, store_url
from app.cli_manage import MANAGE_COMMANDS
from app.fork import fork_run
from app.fork_args import fork_request
from app.rules import Conflict, parse_id
from app.sweep_args import sweep_request
from app.training import WorkerPool, claim_new_run
from app.training.foreground import train_in_foreground
from gridworld.errors import ValidationError, each_error
from gridworld.numbers import parse_int
from gridworld.spec import validate_run_spec
from runstore import Claim, Owner, RunStore, StoreError
from runstore.engine import shown_url, store_file

EXIT_USAGE = 2
EXIT_RUN_ERROR = 1
EXIT_INTERRUPTED = 130
MAX_PORT = 65535
USAGE_ERRORS = (ValidationError, Conflict, StoreError)
"""Errors that mean the command cannot run as asked; their message says why (exit 2). A
StoreError covers an unknown run, a refused claim and a store that cannot be opened."""


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
    """Print the store read (``store: URL``), then one line per run, newest first (archived
    runs only with ``--all``, marked), then how many archived runs were left out; return the
    exit status."""
    store = _open_store(args)
    try:
        every = store.list_runs()
    finally:
        store.close()
    runs = every if args.all else [run for run in every if not run.archived]
    hidden = len(every) - len(runs)
    print(f"store: {shown_url(store_url(args.db))}")
    rows = [("ID", "STATUS", "EPISODES", "ENV", "CREATED", "TAGS", "NAME")]
    rows += [
        (
            str(run.id),
            f"{run.status} (archived)" if run.archived else run.status,
            f"{run.episodes_done}/{run.target_episodes}",
            run.env_id,
            run.created_at.strftime("%Y-%m-%d %H:%M"),
            ",".join(run.tags) or "-",
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
    if hidden:
        print(f"({hidden} archived {'run' if hidden == 1 else 'runs'} not shown; --all lists them)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Stream a run's episodes as CSV or JSON to a file or stdout, then name the store read
    (on stderr); return the exit status."""
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
    print(f"run {run_id} exported from store: {shown_url(store_url(args.db))}", file=sys.stderr)
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
        raise StoreError(
            f"no store at {path.resolve()} (nothing was created); give the --db of an existing"
            " store, or start one with 'train' or the dashboard"
        )
    return RunStore(url)


def run_sweep(args: argparse.Namespace) -> int:
    """Queue an experiment and, unless ``--queue-only``, train it here until every run of it
    has ended; print its id; return the exit status (1 if a run failed, 130 on Ctrl-C)."""
    from app.experiments.foreground import train_experiment_here  # Optuna loads for sweeps only
    from app.experiments.launch import launch_plan
    from app.experiments.request import parse_request

    plan = parse_request({**sweep_request(args), "slots": slots_of(args)})
    store = _open_store(args, create=True)
    try:
        experiment = launch_plan(store, plan)
        runs = (experiment.budget or 0) * len(experiment.seeds)
        print(
            f"experiment {experiment.id}: {experiment.name}, {experiment.budget} settings x"
            f" {len(experiment.seeds)} seeds = {runs} runs ({experiment.method})",
            file=sys.stderr,
        )
        if args.queue_only:
            print(experiment.id)
            return 0
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        outcome = train_experiment_here(store, experiment.id, plan.slots)
    finally:
        store.close()
    print(experiment.id)
    ended = ", ".join(f"{count} {status}" for status, count in sorted(outcome.statuses.items()))
    if outcome.interrupted:
        print(
            f"experiment {experiment.id} interrupted ({ended}); its runs are back in the queue:"
            " continue with: python run.py worker",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(f"experiment {experiment.id} done: {ended}", file=sys.stderr)
    return EXIT_RUN_ERROR if outcome.statuses.get("error") else 0


def run_fork(args: argparse.Namespace) -> int:
    """Queue a fork of a run at one of its checkpoints; print its id; return 0."""
    run_id = parse_id("run_id", args.run_id)
    store = _open_store(args)
    try:
        child = fork_run(store, run_id, fork_request(args))
        run = store.get_run(child)
    finally:
        store.close()
    print(
        f"run {child}: {run.name}, forked from run {run_id} at episode {run.fork_episode},"
        f" queued to episode {run.target_episodes} (a worker trains it: python run.py worker)",
        file=sys.stderr,
    )
    print(child)
    return 0


def run_manage(args: argparse.Namespace) -> int:
    """Run a command of ``app.cli_manage`` on the store; return its exit status."""
    store = _open_store(args)
    try:
        return MANAGE_COMMANDS[args.command](store, args)
    finally:
        store.close()


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: run_dashboard,
    "dashboard": run_dashboard,
    "worker": run_worker,
    "train": run_train,
    "sweep": run_sweep,
    "fork": run_fork,
    "resume": run_resume,
    "list": run_list,
    "export": run_export,
    **dict.fromkeys(MANAGE_COMMANDS, run_manage),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except USAGE_ERRORS as exc:
        for error in each_error(exc) if isinstance(exc, ValidationError) else (exc,):
            print(
                "error: " + " ".join(line.strip() for line in str(error).splitlines()),
                file=sys.stderr,
            )
        return EXIT_USAGE
