"""The warnings the run page shows: the run's stored warnings, the plateau judged now.

A worker stores a plateau warning once, when it sees the mean return stall; the text is a
record of that moment. Whether the plateau still holds depends on what came after, which
the worker has written to the store since: the latest checkpoint holds its plateau watch,
and the checkpoint evaluations say whether the greedy policy is optimal. So the page judges
the plateau when it reads the run, and that also corrects runs stored before this rule:

- a run whose latest evaluated checkpoint reached the optimum shows no plateau warning
  (a converged run's return stays flat by design);
- a checkpoint after the warning whose best block is newer than the warning's says the
  plateau ended: the warning is not shown (until the return has stalled as long again);
- otherwise the warning is shown through the latest checkpoint's episode (the stored text
  until a checkpoint follows it).
"""

from __future__ import annotations

from app.training.checkpoints import saved_plateau
from gridworld.plateau import PLATEAU_PREFIX, PlateauNote, reached_optimum
from runstore import Run, RunStore


def shown_warnings(store: RunStore, run: Run) -> tuple[str, ...]:
    """Return the warnings the run page shows for ``run`` now, in stored order.

    Args:
        store: the run store (read only when the run has a plateau warning).
        run: the run as just read.

    Returns:
        The stored warnings, each plateau warning replaced by ``current_plateau``'s text or
        left out.

    Raises:
        RunNotFound: no such run.
    """
    shown = []
    for text in run.warnings:
        if text.startswith(PLATEAU_PREFIX):
            current = current_plateau(store, run.id, text)
            if current is not None:
                shown.append(current)
        else:
            shown.append(text)
    return tuple(shown)


def current_plateau(store: RunStore, run_id: int, stored: str) -> str | None:
    """Return the plateau warning ``stored`` as it holds now, or None when it no longer does.

    Returns:
        None when the latest evaluated checkpoint is optimal or a later checkpoint's best
        block beat the warning's (and has not stalled as long since); the warning through
        the latest checkpoint when that is after the stored one; else ``stored`` itself
        (also when it cannot be read).

    Raises:
        RunNotFound: no such run.
    """
    infos = store.checkpoints(run_id)
    evaluated = [info.evaluation for info in infos if info.evaluation]
    if evaluated and reached_optimum(evaluated[-1]):
        return None
    note = PlateauNote.parse(stored)
    if note is None or not infos or infos[-1].episode <= note.through:
        return stored
    latest = store.load_checkpoint(run_id, infos[-1].episode)
    plateau = saved_plateau(latest.agent_state)
    if plateau is None or plateau.best is None:
        return stored
    stalled = latest.episode - plateau.best_episode
    if plateau.best_episode > note.best_episode and stalled < note.through - note.best_episode:
        return None  # beaten since, and not stalled as long again
    return PlateauNote(note.window, plateau.best, plateau.best_episode, latest.episode).text()
