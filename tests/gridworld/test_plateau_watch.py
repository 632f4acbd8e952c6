"""The plateau watch fed whole batches of returns knows and says what a watch fed one episode
at a time (the reference below) knows and says, whatever the batches' cuts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gridworld.plateau import Plateau, PlateauNote, PlateauWatch


def one_at_a_time(
    returns: list[float], window: int, patience: int
) -> tuple[Plateau, PlateauNote | None]:
    """Return the watch's state and its first warning, episode by episode from episode 1."""
    plateau, note = Plateau(), None
    for episode, value in enumerate(returns, start=1):
        plateau.block_sum += value
        plateau.block_n += 1
        if plateau.block_n < window:
            continue
        mean = plateau.block_sum / plateau.block_n
        plateau.block_sum, plateau.block_n = 0.0, 0
        if plateau.best is None or mean > plateau.best:
            plateau.best, plateau.best_episode = mean, episode
        elif note is None and episode - plateau.best_episode >= patience:
            note = PlateauNote(window, plateau.best, plateau.best_episode, episode)
    return plateau, note


@settings(max_examples=150, deadline=None)
@given(
    returns=st.lists(st.sampled_from([-1.0, -0.0, 0.0, 0.1, 0.3, 0.7, 1.0, 1e-9]), max_size=600),
    window=st.integers(1, 40),
    patience=st.integers(0, 200),
    data=st.data(),
)
def test_batches_of_returns_watch_as_single_episodes_do(returns, window, patience, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(returns)), max_size=8)))
    watch, notes = PlateauWatch(window, patience), []
    for begin, end in zip([0, *cuts], [*cuts, len(returns)], strict=True):
        note = watch.watch(np.array(returns[begin:end], dtype=float), begin + 1)
        if note is not None:
            notes.append(note)
    plateau, note = one_at_a_time(returns, window, patience)
    assert watch.plateau == plateau
    assert type(watch.plateau.block_sum) is float  # saved with checkpoints as JSON
    assert notes == ([note] if note is not None else [])
