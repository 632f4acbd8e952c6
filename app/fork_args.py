"""The ``fork`` command's arguments, and the fork request they describe."""

from __future__ import annotations

import argparse
from typing import Any

from gridworld.agents import ALGORITHMS_ALLOWED
from gridworld.hyperparams import HYPERPARAM_NAMES


def add_fork_parser(
    commands: argparse._SubParsersAction, db_option: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add the ``fork`` command; return its parser."""
    fork = commands.add_parser(
        "fork",
        parents=[db_option],
        help="queue a fork of a run at one of its checkpoints, with changed settings; prints"
        " its id",
        description="Queue a new run that continues RUN from its checkpoint at episode --at:"
        " its episodes start at the checkpoint's episode + 1, its curves show RUN's history"
        " up to there, and any worker ('python run.py worker', or the dashboard's) trains"
        " it. Unchanged settings replay RUN's episodes exactly. Values are checked by the"
        " same validators as the dashboard and the HTTP API.",
        epilog="Example: python run.py fork 3 --at 5000 --alpha 0.05",
    )
    fork.add_argument("run_id", metavar="RUN")
    fork.add_argument(
        "--at",
        default="latest",
        metavar="N|NAME",
        help="checkpoint episode, or a named checkpoint's name (default: the latest)",
    )
    fork.add_argument("--algorithm", metavar="NAME", help=f"switch to {ALGORITHMS_ALLOWED}")
    for name in HYPERPARAM_NAMES:
        fork.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="X")
    fork.add_argument(
        "--episodes",
        metavar="TOTAL",
        help="the fork's target, counting the parent's episodes (default: the parent's)",
    )
    fork.add_argument("--name", help="the fork's name (default: '<parent> · fork @N')")
    return fork


def fork_request(args: argparse.Namespace) -> dict[str, Any]:
    """Return the fork request (``app.fork.fork_run``'s body) the options describe.

    Values stay strings: the validators convert them and word any error.
    """
    body: dict[str, Any] = {"at": args.at}
    for key in ("algorithm", "episodes", "name"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    changes = {name: getattr(args, name) for name in HYPERPARAM_NAMES}
    body["hyperparams"] = {name: value for name, value in changes.items() if value is not None}
    return body
