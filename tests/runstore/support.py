"""Episode rows for store tests, and the raw aggregation that series() must equal."""

from __future__ import annotations

import random
from typing import Any

from runstore import RunStore


def make_rows(first: int, count: int, seed: int = 0, steps_before: int = 0) -> list[dict[str, Any]]:
    """Return ``count`` plausible episode rows numbered from ``first``."""
    rng = random.Random(seed * 1_000_003 + first)
    rows, steps = [], steps_before
    for episode in range(first, first + count):
        length = rng.randint(1, 60)
        steps += length
        rows.append(
            {
                "episode": episode,
                "return": round(rng.uniform(-3, 3), 3),
                "length": length,
                "success": rng.random() < 0.4,
                "epsilon": rng.random(),
                "alpha": 0.1,
                "gamma": 0.99,
                "mean_q": rng.uniform(-1, 1),
                "max_q": rng.uniform(0, 2),
                "mean_abs_td": rng.random(),
                "env_steps": steps,
                "wall_time": episode / 1000,
                "action_counts": [rng.randint(0, 9) for _ in range(4)],
            }
        )
    return rows


def new_run(store: RunStore, target: int = 10_000_000, name: str = "test run") -> int:
    """Create a run in the store; return its id."""
    return store.create_run(
        name=name,
        env_id="GridWorld-v0",
        env_config={"n_states": 25, "n_actions": 4},
        hyperparams={"alpha": 0.1, "gamma": 0.99, "epsilon": 1.0},
        seed=0,
        target_episodes=target,
        spec={"env_id": "GridWorld-v0", "preset": "easy"},
    )


def append_in_batches(store: RunStore, run_id: int, rows: list[dict], batch: int = 1000) -> None:
    """Append rows in batches of ``batch``."""
    for i in range(0, len(rows), batch):
        store.append_episodes(run_id, rows[i : i + batch])


def stored_rows(store: RunStore, run_id: int, start: int = 1, limit: int = 10_000) -> list[dict]:
    """Return the run's stored episodes from ``start`` (at most ``limit``) as row dicts."""
    return [episode.to_dict() for episode in store.episodes(run_id, start, limit)]


def raw_series(rows: list[dict], metric: str, start: int, end: int, bucket: int) -> dict:
    """Return the GROUP BY (episode - 1) // bucket of the rows in start..end, in Python."""
    groups: dict[int, list[float]] = {}
    for row in rows:
        if start <= row["episode"] <= end:
            groups.setdefault((row["episode"] - 1) // bucket, []).append(float(row[metric]))
    keys = sorted(groups)
    return {
        "episode": [max(start, key * bucket + 1) for key in keys],
        "count": [len(groups[key]) for key in keys],
        "min": [min(groups[key]) for key in keys],
        "max": [max(groups[key]) for key in keys],
        "mean": [sum(groups[key]) / len(groups[key]) for key in keys],
    }


def assert_series_equals_raw(series, rows: list[dict]) -> None:
    """Assert a Series equals the raw aggregation of ``rows`` over its window and bucket."""
    import pytest

    expected = raw_series(rows, series.metric, series.start, series.end, series.bucket)
    assert series.episode == expected["episode"]
    assert series.count == expected["count"]
    assert series.min == expected["min"]
    assert series.max == expected["max"]
    assert series.mean == pytest.approx(expected["mean"], rel=1e-9, abs=1e-9)


def write_run(url: str, run_id: int, episodes: int, batch: int) -> None:
    """Process entry: append ``episodes`` rows to ``run_id`` in batches, each with heartbeat."""
    store = RunStore(url)
    try:
        append_in_batches(store, run_id, make_rows(1, episodes, seed=run_id), batch)
    finally:
        store.close()


def read_while_writing(url: str, run_ids: list[int], rounds: int) -> None:
    """Process entry: query every run's series and summary ``rounds`` times; any error raises."""
    store = RunStore(url)
    try:
        for _ in range(rounds):
            for run_id in run_ids:
                series = store.series(run_id, "return", points=200)
                assert sum(series.count) == series.end, (run_id, series)
                store.summary(run_id)
            store.list_runs()
    finally:
        store.close()


def claim_until_empty(url: str, out: str, start: Any) -> None:
    """Process entry: wait for ``start``, then claim runs until none is left; train each
    claim for 5 fenced episodes and release it finished. Writes the claims to ``out``
    as JSON ``[[run_id, attempt, owner], ...]``."""
    import json

    from runstore import Owner

    store = RunStore(url)
    owner = Owner.here()
    claims = []
    try:
        start.wait(60)
        while (claim := store.claim_next(owner)) is not None:
            store.append_episodes(claim.run_id, make_rows(1, 5, seed=claim.run_id), claim=claim)
            store.release(claim, "finished")
            claims.append([claim.run_id, claim.attempt, claim.owner])
    finally:
        store.close()
    with open(out, "w") as file:
        json.dump(claims, file)


def write_then_close(url: str, run_id: int) -> None:
    """Process entry: open the store, append 10 episodes to the run, close (its last
    connection to the file)."""
    store = RunStore(url)
    try:
        done = store.get_run(run_id).episodes_done
        store.append_episodes(run_id, make_rows(done + 1, 10, seed=run_id))
    finally:
        store.close()
