"""The ``sweep`` command's arguments, and the launch request they describe."""

from __future__ import annotations

import argparse
from typing import Any

from app.experiments.space import METHODS, PARAMETERS, parse_text
from gridworld.agents import ALGORITHMS_ALLOWED
from gridworld.hyperparams import HYPERPARAM_NAMES, HYPERPARAM_RANGES

OBJECTIVES_HELP = "final_return (default), auc, episodes_to_threshold or normalised_score"
PRUNERS_HELP = "none (default), median or halving"
"""The names ``--objective`` and ``--pruner`` take, written out here: importing
``app.stats`` (scipy) for a help line would slow every command (a test checks the lists)."""
CHOICES_HELP = {"algorithm": f"a list of {ALGORITHMS_ALLOWED}"}
"""What the run-spec fields a space lists take, for their options' help."""
PASSED = (
    "name",
    "budget",
    "objective",
    "threshold",
    "pruner",
    "population",
    "interval",
    "sync_seconds",
)
"""Options passed to the request as given (the launcher checks them)."""
SPACE_SYNTAX = (
    "Each parameter takes A,B,C (a list: a grid's values, a choice for random/tpe),"
    " LOW:HIGH (a range, uniform for random/tpe), LOW:HIGH:STEPS (a grid range of STEPS"
    " values) or a single value (fixed); append :log for a log scale (0.001:1:4:log)."
)


def add_sweep_parser(
    commands: argparse._SubParsersAction, db_option: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add the ``sweep`` command; return its parser (the caller adds ``--slots``)."""
    sweep = commands.add_parser(
        "sweep",
        parents=[db_option],
        help="queue an experiment (settings x seeds) and train it here with a progress bar",
        description="Queue an experiment: every setting of the space, each trained with"
        " --seeds seeds, as runs any worker claims; then train them here with --slots"
        " worker slots until all have ended (Ctrl-C puts them back in the queue). " + SPACE_SYNTAX,
        epilog="Examples: python run.py sweep --env FrozenLake-v1 --episodes 20000"
        " --alpha 0.05,0.1,0.2 --epsilon-decay 0.999,0.9999 --seeds 5;"
        " python run.py sweep --method pbt --population 8 --interval 500 --episodes 20000"
        " --alpha 0.01:1:log --epsilon-decay 0.99:0.9999",
    )
    sweep.add_argument("--env", default="GridWorld-v0", help="env id, as for train")
    sweep.add_argument("--preset", help="GridWorld map preset, as for train")
    sweep.add_argument("--episodes", help="episodes of every run")
    for name in PARAMETERS:
        allowed = HYPERPARAM_RANGES.get(name, CHOICES_HELP.get(name, "a list of values"))
        sweep.add_argument(
            f"--{name.replace('_', '-')}", dest=name, metavar="SPACE", help=f"{allowed}"
        )
    sweep.add_argument("--seeds", default="1", metavar="N", help="seeds per setting (default 1)")
    sweep.add_argument("--seed", help="the first seed (default 0): the seeds follow it")
    sweep.add_argument("--name", help="experiment name (its runs are named after it)")
    sweep.add_argument("--checkpoint-every", metavar="K", help="episodes between checkpoints")
    sweep.add_argument("--method", default="grid", help=f"{', '.join(METHODS)} (default: grid)")
    sweep.add_argument(
        "--budget", metavar="N", help="settings to try (grid: all, or N of them; random/tpe)"
    )
    sweep.add_argument(
        "--objective", metavar="NAME", help=f"what runs are scored by: {OBJECTIVES_HELP}"
    )
    sweep.add_argument(
        "--threshold", metavar="X", help="mean return episodes_to_threshold waits for"
    )
    sweep.add_argument("--pruner", metavar="NAME", help=PRUNERS_HELP)
    sweep.add_argument("--population", metavar="P", help="pbt: members trained at once")
    sweep.add_argument(
        "--interval", metavar="K", help="pbt: episodes between exploit/explore decisions"
    )
    sweep.add_argument(
        "--sync-seconds",
        metavar="S",
        help="pbt: how long a member waits at a boundary for the others (default 60)",
    )
    sweep.add_argument(
        "--queue-only", action="store_true", help="queue the experiment for workers and exit"
    )
    return sweep


def sweep_request(args: argparse.Namespace) -> dict[str, Any]:
    """Return the launch request (``app.experiments.launch``) the ``sweep`` options give.

    Values stay text: the validators convert them and word any error.

    Raises:
        ValidationError: a range with the wrong number of parts.
    """
    base: dict[str, Any] = {"env_id": args.env}
    for key in ("preset", "episodes", "seed", "checkpoint_every"):
        if getattr(args, key) is not None:
            base[key] = getattr(args, key)
    space: dict[str, Any] = {}
    for name in PARAMETERS:
        text = getattr(args, name)
        if text is None:
            continue
        entry = parse_text(name, text)
        if entry is not None:
            space[name] = entry
        elif name in HYPERPARAM_NAMES:
            base.setdefault("hyperparams", {})[name] = text
        else:
            base[name] = text
    request: dict[str, Any] = {
        "method": args.method,
        "base": base,
        "space": space,
        "seeds": args.seeds,
    }
    for key in PASSED:  # the dashboard's form has no PBT options
        if getattr(args, key, None) is not None:
            request[key] = getattr(args, key)
    return request
