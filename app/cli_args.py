"""The command line's arguments: the parser of every command, the store URL a ``--db``
names, and the run spec and slot count its options give."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from app.cli_manage import add_manage_parsers
from app.fork_args import add_fork_parser
from app.sweep_args import add_sweep_parser
from app.training.slots import MAX_SLOTS
from app.views.new_run import map_file
from gridworld.agents import ALGORITHMS_ALLOWED, DEFAULT_ALGORITHM
from gridworld.config import MAP_CHARS, PRESETS
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_MEANINGS, HYPERPARAM_RANGES
from gridworld.kernel import DEFAULT_KERNEL, KERNELS_ALLOWED
from gridworld.numbers import parse_int, whole_allowed
from gridworld.pace import FULL_SPEED, PACE_ALLOWED
from gridworld.spec import ENV_ALLOWED, GRIDWORLD_ID, MAX_EPISODES, MAX_SEED, NAME_ALLOWED, RunSpec

DEFAULT_DB = "sqlite:///gridlab.sqlite"
HYPERPARAM_OPTIONS = ("alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min")
HYPERPARAM_OPTIONS_EXTRA = ("alpha_decay", "alpha_min")
_DEFAULT_SPEC = RunSpec()
"""A run spec of every default, which ``train --help`` shows."""
DB_ALLOWED = (
    "a URL (sqlite:///PATH or postgresql+psycopg://...) or the path of a SQLite file in an"
    " existing folder, without ':'"
)


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
    _add_slots_argument(add_sweep_parser(commands, db_option))
    add_fork_parser(commands, db_option)
    resume = commands.add_parser(
        "resume",
        parents=[db_option],
        help="continue a paused, stopped, crashed, failed or pruned run here from its latest"
        " checkpoint",
    )
    resume.add_argument("run_id", metavar="RUN_ID")
    listing = commands.add_parser("list", parents=[db_option], help="list the runs in the store")
    listing.add_argument(
        "-a", "--all", action="store_true", help="include archived runs (marked as such)"
    )
    export = commands.add_parser(
        "export", parents=[db_option], help="write a run's episodes as CSV or JSON"
    )
    export.add_argument("run_id", metavar="RUN_ID")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="(default: csv)")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    add_manage_parsers(commands, db_option)
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
    _add_world_options(train)
    _add_learning_options(train)
    train.add_argument(
        "--pace",
        metavar="EPS",
        help=_help(
            "episodes per second to train at, to watch it learn; results are the same at"
            " any pace (change it live: 'pace RUN EPS')",
            FULL_SPEED,
            PACE_ALLOWED,
        ),
    )
    train.add_argument(
        "--auto-resume",
        action="store_true",
        help="if this process dies, let any worker resume the run from its last checkpoint"
        " by itself (default: the run reads crashed until someone resumes it)",
    )


def _add_world_options(train: argparse.ArgumentParser) -> None:
    """Add what a run trains on and for how long: env, map and episodes."""
    train.add_argument(
        "--env",
        default=GRIDWORLD_ID,
        help=f"{ENV_ALLOWED} (default: {GRIDWORLD_ID})",
    )
    train.add_argument(
        "--preset",
        help=f"GridWorld map preset: {', '.join(PRESETS)} (default: {_DEFAULT_SPEC.preset})",
    )
    train.add_argument(
        "--map",
        metavar="FILE",
        help="GridWorld custom map instead of a preset: a text file, one row per line of"
        f" {', '.join(f'{char} {kind}' for char, kind in MAP_CHARS.items())} (or a JSON list"
        " of rows), as the dashboard's custom map box takes it",
    )
    train.add_argument(
        "--episodes",
        metavar="N",
        help=_help("episodes to train", _DEFAULT_SPEC.episodes, whole_allowed(1, MAX_EPISODES)),
    )


def _add_learning_options(train: argparse.ArgumentParser) -> None:
    """Add how a run learns: algorithm, hyperparameters, seed, name, checkpoints, kernel
    (each help with its default and what it allows)."""
    train.add_argument(
        "--algorithm",
        metavar="NAME",
        help=f"learning algorithm: {ALGORITHMS_ALLOWED} (default: {DEFAULT_ALGORITHM})",
    )
    for name in HYPERPARAM_OPTIONS + HYPERPARAM_OPTIONS_EXTRA:
        train.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            metavar="X",
            help=_help(
                HYPERPARAM_MEANINGS[name],
                getattr(_DEFAULT_SPEC.hyperparams, name),
                str(HYPERPARAM_RANGES[name]),
            ),
        )
    train.add_argument(
        "--seed",
        help=_help(
            "random seed (same seed, same episodes)",
            _DEFAULT_SPEC.seed,
            whole_allowed(0, MAX_SEED),
        ),
    )
    train.add_argument(
        "--name", help=_help("run name", "the preset (or env id) and the seed", NAME_ALLOWED)
    )
    train.add_argument(
        "--checkpoint-every",
        metavar="K",
        help=_help("episodes between checkpoints", "auto", whole_allowed(1, MAX_EPISODES)),
    )
    train.add_argument(
        "--kernel",
        metavar="NAME",
        help=_help("what plays the episodes", DEFAULT_KERNEL, KERNELS_ALLOWED),
    )


def _help(what: str, default: object, allowed: str) -> str:
    """Return an option's help: what it sets, its default and what it accepts (the
    validator's own words for it)."""
    return f"{what} (default: {default}; allowed: {allowed})".replace("%", "%%")


def spec_mapping(args: argparse.Namespace) -> dict[str, Any]:
    """Return the run-spec mapping the ``train`` options describe (only those given).

    Values stay strings: the validator converts them and words any error.

    Args:
        args: the parsed ``train`` arguments.

    Returns:
        The mapping for ``gridworld.spec.validate_run_spec``.

    Raises:
        ValidationError: the ``--map`` file cannot be read (field ``map``).
    """
    mapping: dict[str, Any] = {"env_id": args.env}
    if args.map is not None:
        mapping["desc"] = map_file(args.map)
    for key in (
        "preset",
        "episodes",
        "algorithm",
        "seed",
        "name",
        "checkpoint_every",
        "kernel",
        "pace",
    ):
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
