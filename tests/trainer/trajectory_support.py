"""What the trajectory tests compare: a run's stored trajectories, exactly."""

from __future__ import annotations

from runstore import RunStore


def recorded(store: RunStore, run_id: int) -> list[tuple]:
    """Return every stored trajectory of the run: episode, kind, length, steps kept, and
    each column's dtype, shape and bytes (so that equal means bit for bit)."""
    found = []
    for info in store.trajectories(run_id):
        record = store.trajectory(run_id, info.episode)
        columns = {name: (str(v.dtype), v.shape, v.tobytes()) for name, v in record.columns.items()}
        found.append((info.episode, info.kind, info.length, info.steps, columns))
    return found
