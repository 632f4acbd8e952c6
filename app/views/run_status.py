"""The run page's header as data: status, progress, the error banner and what may be done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.rules import Action, allowed_actions, format_number, pending_end, refusal
from runstore import Run

STATUS_COLORS = {
    "queued": "secondary",
    "running": "primary",
    "paused": "warning",
    "finished": "success",
    "stopped": "dark",
    "crashed": "danger",
    "error": "danger",
    "pruned": "info",
}
"""Bootstrap colour of each run status's badge."""
FAILED_STATUSES = ("error", "crashed")
"""Statuses whose stored error is shown as a banner."""
LABEL_SHARE = 8.0
"""Least progress (percent) that shows its number inside the bar (a narrower bar has no room)."""
ENDS = {Action.PAUSE: "paused", Action.STOP: "stopped"}
"""The actions whose "requested" message stays while the run has not reached their status."""


def status_color(status: str) -> str:
    """Return the Bootstrap colour of a status's badge (``secondary`` for an unknown one)."""
    return STATUS_COLORS.get(status, "secondary")


@dataclass(frozen=True)
class RunStatus:
    """What the run page's header and banners show of a run now."""

    status: str
    color: str
    """The status badge's Bootstrap colour."""
    requested: str | None
    """A status the run was asked for and has not reached (shown beside the badge)."""
    episodes: str
    """Episodes done of the target, and the environment steps taken."""
    progress: float
    """Episodes done as a percentage of the target."""
    progress_label: str
    """The text inside the progress bar (empty while the bar is too narrow for it)."""
    error: str | None
    """The stored error of a failed run (None for any other run)."""
    warnings: tuple[str, ...]
    allowed: frozenset[Action]
    """The actions ``app.rules`` allows now: the page enables these buttons only."""
    live: bool
    pending: str | None
    """A pause or stop asked of the live run and not reached yet (``rules.pending_end``)."""
    edit_refusal: str | None
    """Why the hyperparameters cannot change now (``rules.refusal``), or None when they can."""

    def settled(self, asked: object) -> bool:
        """Return whether the pause or stop ``asked`` (an ``Action`` value) is no longer
        pending: reached, cancelled or overtaken (False for any other action)."""
        end = next((status for action, status in ENDS.items() if action == asked), None)
        return end is not None and self.pending != end


def run_status(run: Run, warnings: Sequence[str] | None = None) -> RunStatus:
    """Return what the run page's header shows of ``run``.

    Args:
        run: the run as just read.
        warnings: the warnings to show (``views.run_warnings.shown_warnings``); default the
            run's stored ones.
    """
    share = 100.0 * run.episodes_done / max(1, run.target_episodes)
    requested = run.requested_status if run.is_live else None
    episodes = f"{format_number(run.episodes_done)} / {format_number(run.target_episodes)} episodes"
    if run.env_steps:
        episodes += f" · {format_number(run.env_steps)} env steps"
    return RunStatus(
        status=run.status,
        color=status_color(run.status),
        requested=requested if requested != run.status else None,
        episodes=episodes,
        progress=share,
        progress_label=f"{share:.0f}%" if share >= LABEL_SHARE else "",
        error=run.error if run.status in FAILED_STATUSES and run.error else None,
        warnings=tuple(run.warnings if warnings is None else warnings),
        allowed=allowed_actions(run),
        live=run.is_live,
        pending=pending_end(run),
        edit_refusal=refusal(run, Action.EDIT),
    )
