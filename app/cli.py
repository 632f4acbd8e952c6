"""The command line: ``python run.py [dashboard|train|resume|list|export] ...``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

DEFAULT_DB = "sqlite:///gridlab.sqlite"


def db_url_default() -> str:
    """Return the store URL used when ``--db`` is not given: ``$GRIDLAB_DB`` or ./gridlab.sqlite."""
    return os.environ.get("GRIDLAB_DB", DEFAULT_DB)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every gridlab command."""
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="gridlab: train tabular RL agents and watch them in a local dashboard.",
    )
    parser.add_argument(
        "--db",
        default=db_url_default(),
        help="run store URL (default: $GRIDLAB_DB or sqlite:///gridlab.sqlite)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    dashboard = commands.add_parser("dashboard", help="start the dashboard (the default)")
    _add_dashboard_arguments(dashboard)
    _add_dashboard_arguments(parser)
    return parser


def _add_dashboard_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the dashboard's --host/--port/--debug options to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8050, help="port to listen on")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader off)")


def run_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted; return the exit status."""
    from app.factory import create_app

    app = create_app(args.db)
    print(f"gridlab dashboard on http://{args.host}:{args.port}  (store: {args.db})")
    app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command in (None, "dashboard"):
        return run_dashboard(args)
    print(f"unknown command {args.command!r}", file=sys.stderr)
    return 2
