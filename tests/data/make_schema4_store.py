"""Write ``store-schema4.sqlite`` and ``store-schema4.expected.json``: a store of schema 4.

Run it against commit b8590aa, the last gridlab of schema 4 (one row per episode, before
episode blocks; forks and exploits), and only that commit: the point of the file is that
it was written by the code that users' schema-4 stores come from.

    git worktree add --detach /tmp/v4 b8590aa
    cp tests/data/make_schema4_store.py /tmp/v4/tests/data/
    cd /tmp/v4 && /path/to/venv/bin/python tests/data/make_schema4_store.py --out DIR

It trains five runs through the store and the real command line: GridWorld (2,600 episodes:
two full blocks of a thousand and a part of one), FrozenLake, a CliffWalking run paused,
given a parameter change and resumed, a GridWorld run paused at 1,500 episodes, cut back to
1,234 and resumed (a truncated history), and the two seeds of an experiment's trial (one
trained, one paused at 100 episodes), a GridWorld run checkpointed every 130 episodes with a
fork at 1,170 (a changed alpha; its own episodes begin inside a block of 50, of 100 and of a
thousand) and a fork of that fork at 1,300; it queues one change that stays pending,
vacuums the file into rollback-journal mode and dumps what the store answers then:
``snapshot`` of ``make_schema1_store`` plus series at every bucket width from 1 to 1000, and
digests of every run's episodes and of its CSV and JSON exports. (Its checkout check and
file writing are those of ``make_schema1_store``, given this file's commit and names.)
"""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "b8590aa"
STORE_NAME = "store-schema4.sqlite"
EXPECTED_NAME = "store-schema4.expected.json"

BUCKET_QUERIES: tuple[dict[str, Any], ...] = (
    {"metric": "return", "start": 990, "end": 1020, "points": 40},
    {"metric": "return", "start": 1990, "end": 2050, "points": 40},
    {"metric": "mean_abs_td", "start": 1, "end": 180, "points": 40},
    {"metric": "max_q", "start": 951, "end": 1350, "points": 40},
    {"metric": "return", "start": 101, "end": 900, "points": 40},
    *({"metric": "mean_q", "points": points} for points in (52, 26, 13, 6, 3)),
    {"metric": "length", "start": 137, "end": 2111, "points": 40},
    {"metric": "epsilon", "start": 333, "end": 2400, "points": 9},
    {"metric": "wall_time", "start": 999, "end": 2001, "points": 600},
    {"metric": "success", "start": 1001, "points": 16},
)
"""Buckets of 1, 2, 5, 10 and 20 episodes over windows, whole runs at buckets of 50, 100,
200, 500 and 1000 (for the 2,600-episode run), and windows whose edges fall inside blocks."""

CLI_RUNS = (
    "--env GridWorld-v0 --preset easy --episodes 2600 --checkpoint-every 500 --seed 1",
    "--env FrozenLake-v1 --episodes 1200 --checkpoint-every 200 --seed 2 --name lake",
)
"""The runs trained through ``run.py train`` (their arguments)."""


def digest(text: str) -> str:
    """Return the SHA-256 of ``text`` (UTF-8) in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def all_episodes(store: Any, run_id: int) -> list[dict[str, Any]]:
    """Return every episode of the run as dicts, read page by page."""
    rows: list[dict[str, Any]] = []
    while page := store.episodes(run_id, start=len(rows) + 1, limit=10_000):
        rows.extend(row if isinstance(row, dict) else row.to_dict() for row in page)
    return rows


LABELS = ("tags", "note", "archived_at")
"""Run fields a later schema added (run labels, schema 5): left out of the JSON export's digest."""


def json_export_without_labels(store: Any, run_id: int) -> str:
    """Return the run's JSON export, parsed and written again without ``LABELS`` and without
    its ``trajectories`` when it has none (a later export added them; a schema-4 run has
    none, and any it had would change the digest)."""
    export = json.loads("".join(store.iter_json(run_id)))
    for key in LABELS:
        export["run"].pop(key, None)
    if export.get("trajectories") == []:
        del export["trajectories"]
    return json.dumps(export)


def snapshot4(store: Any, schema1_snapshot: Callable[[Any], dict] | None = None) -> dict[str, Any]:
    """Return what ``store`` answers about every run, as JSON-safe data.

    Args:
        store: the store.
        schema1_snapshot: ``make_schema1_store.snapshot`` (None: imported here).

    Returns:
        ``make_schema1_store.snapshot`` and ``series_buckets``, ``episodes_sha256`` (of the
        JSON of all its episodes), ``csv_sha256`` and ``json_sha256`` (of its exports, the JSON one
        without ``LABELS``),
        per-run entries in run-id order.
    """
    if schema1_snapshot is None:
        from tests.data.make_schema1_store import snapshot as schema1_snapshot

    ids = sorted(run.id for run in store.list_runs())
    return {
        **schema1_snapshot(store),
        "series_buckets": [
            {"run_id": run_id, **query, "result": store.series(run_id, **query).to_dict()}
            for run_id in ids
            for query in BUCKET_QUERIES
        ],
        "digests": [
            {
                "run_id": run_id,
                "episodes_sha256": digest(json.dumps(all_episodes(store, run_id))),
                "csv_sha256": digest("".join(store.iter_csv(run_id))),
                "json_sha256": digest(json_export_without_labels(store, run_id)),
            }
            for run_id in ids
        ],
    }


def _cli(*args: str) -> None:
    """Run ``run.py`` of the checked-out commit with ``args``."""
    subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=ROOT, check=True)


def _train(store: Any, run_id: int, stop_at: int | None = None) -> str | None:
    """Claim the run for this process and train it (to ``stop_at`` episodes: then paused)."""
    from app.training import LoopSettings, Trainer
    from runstore import Owner

    claim = store.claim_run(run_id, Owner.here())

    def stop() -> bool:
        return stop_at is not None and store.get_run(run_id).episodes_done >= stop_at

    settings = LoopSettings(flush_episodes=50, control_seconds=0.0)  # stops near stop_at
    return Trainer(store, claim, settings=settings, should_stop=stop, stop_status="paused").run()


def _train_runs(url: str) -> None:
    """Train the runs and queue the parameter change."""
    from app.training import create_run
    from gridworld.spec import validate_run_spec
    from runstore import RunStore

    for args in CLI_RUNS:
        _cli("train", "--db", url, *shlex.split(args))
    store = RunStore(url)
    spec = validate_run_spec(
        {"env_id": "CliffWalking-v1", "episodes": 700, "checkpoint_every": 150, "seed": 3}
    )
    cliff = create_run(store, spec)
    if _train(store, cliff, stop_at=300) != "paused":
        raise SystemExit(f"run {cliff} did not pause")
    store.request_params(cliff, {"alpha": 0.25, "epsilon": 0.3}, source="cli")
    spec = validate_run_spec(
        {"env_id": "GridWorld-v0", "preset": "medium", "episodes": 2000, "seed": 4}
    )
    cut = create_run(store, spec)
    if _train(store, cut, stop_at=1500) != "paused":
        raise SystemExit(f"run {cut} did not pause")
    store.truncate_episodes(cut, 1234)
    _experiment_runs(store)
    _forks(store)
    store.close()
    for run_id in (cliff, cut):
        _cli("resume", str(run_id), "--db", url)
    store = RunStore(url)
    store.request_params(1, {"gamma": 0.9}, source="api")
    store.close()


def _experiment_runs(store: Any) -> None:
    """Create an experiment with one trial of two seeds; train one, pause the other at 100."""
    from gridworld.spec import env_config, validate_run_spec

    base = validate_run_spec({"env_id": "FrozenLake-v1", "episodes": 300, "seed": 5})
    trial = [
        {
            "name": f"trial 0 seed {seed}",
            "env_id": base.env_id,
            "env_config": env_config(base),
            "hyperparams": base.hyperparams.to_dict(),
            "seed": seed,
            "target_episodes": base.episodes,
            "spec": {**base.to_dict(), "seed": seed},
        }
        for seed in (5, 6)
    ]
    _, (trained, paused) = store.experiments.create(
        name="sweep",
        method="grid",
        base_spec=base.to_dict(),
        space={"alpha": [0.1]},
        seeds=[5, 6],
        budget=1,
        objective="final_return",
        trials=[trial],
    )
    if _train(store, trained) != "finished" or _train(store, paused, stop_at=100) != "paused":
        raise SystemExit(f"runs {trained} and {paused} did not finish and pause")


def _forks(store: Any) -> None:
    """Train a run checkpointed every 130 episodes, a fork of it at 1,170 with another
    alpha, and a fork of that fork at its checkpoint at 1,300."""
    from app.fork import fork_run
    from app.training import create_run
    from gridworld.spec import validate_run_spec

    spec = {"env_id": "GridWorld-v0", "preset": "easy", "episodes": 1600, "seed": 7}
    parent = create_run(store, validate_run_spec({**spec, "checkpoint_every": 130}))
    child = grandchild = None
    if _train(store, parent) == "finished":
        body = {"at": 1170, "hyperparams": {"alpha": 0.3}, "episodes": 2100}
        child = fork_run(store, parent, body)
    if child is not None and _train(store, child) == "finished":
        grandchild = fork_run(store, child, {"at": 1300, "episodes": 1450})
    if grandchild is None or _train(store, grandchild) != "finished":
        raise SystemExit(f"run {parent}, its fork and the fork's fork did not all finish")


def main() -> None:
    """Write the store and its expected answers into ``--out``: ``make_schema1_store``'s
    main (its checkout check and file writing), given this file's commit, file names, runs
    and snapshot (at b8590aa it cannot be told them otherwise)."""
    sys.path.insert(0, str(ROOT))
    from tests.data import make_schema1_store as maker

    schema1_snapshot = maker.snapshot
    maker.__doc__, maker.COMMIT = __doc__, COMMIT
    maker.STORE_NAME, maker.EXPECTED_NAME = STORE_NAME, EXPECTED_NAME
    maker._train_runs = _train_runs
    maker.snapshot = lambda store: snapshot4(store, schema1_snapshot)
    maker.main()


if __name__ == "__main__":
    main()
