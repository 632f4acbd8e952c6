"""Write ``store-schema1.sqlite`` and ``store-schema1.expected.json``: a store of schema 1.

Run it against commit 345a8ac, the last gridlab before migrations, and only that commit: the
point of the file is that it was written by the code that users' schema-1 stores come from.

    git worktree add /tmp/v1 345a8ac
    cp tests/data/make_schema1_store.py /tmp/v1/tests/data/
    cd /tmp/v1 && /path/to/venv/bin/python tests/data/make_schema1_store.py --out DIR

It trains three short runs through the store with the real command line (two finished, on
GridWorld and FrozenLake; one CliffWalking run paused halfway, given a parameter change and
resumed, so the change is applied at an episode), queues one change that stays pending,
vacuums the file into rollback-journal mode, and dumps what the store answers then (runs,
decimated series, raw episodes, checkpoints with their Q-tables, parameter changes) as JSON.
``snapshot`` is also what the migration test asks today's store, to compare.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "345a8ac"
STORE_NAME = "store-schema1.sqlite"
EXPECTED_NAME = "store-schema1.expected.json"

SERIES_QUERIES: tuple[dict[str, Any], ...] = (
    {"metric": "return", "points": 60},
    {"metric": "success", "points": 8},
    {"metric": "epsilon", "start": 101, "end": 1100, "points": 7},
    {"metric": "alpha", "start": 1, "end": 1200, "points": 2},
    {"metric": "length", "start": 10, "end": 40, "points": 100},
    {"metric": "mean_abs_td", "start": 450, "points": 30},
)
"""Windows served from raw episodes (bucket 1..50) and from rollups (bucket >= 100)."""

EPISODE_QUERIES: tuple[dict[str, int], ...] = (
    {"start": 1, "limit": 5},
    {"start": 298, "limit": 8},
)


def _rows(rows: list) -> list[dict]:
    """Return episode rows as dicts: version 1 handed out dicts, later versions records."""
    return [row if isinstance(row, dict) else row.to_dict() for row in rows]


def snapshot(store: Any) -> dict[str, Any]:
    """Return what ``store`` answers about every run, as JSON-safe data.

    Args:
        store: an open ``runstore.RunStore``.

    Returns:
        ``runs``, ``series``, ``episodes``, ``checkpoints``, ``load_checkpoint`` and
        ``param_changes``; per-run entries are lists in run-id order.
    """
    runs = store.list_runs()
    ids = sorted(run.id for run in runs)
    return {
        "runs": [run.to_dict() for run in sorted(runs, key=lambda run: run.id)],
        "series": [
            {"run_id": run_id, **query, "result": store.series(run_id, **query).to_dict()}
            for run_id in ids
            for query in SERIES_QUERIES
        ],
        "episodes": [
            {"run_id": run_id, **query, "rows": _rows(store.episodes(run_id, **query))}
            for run_id in ids
            for query in EPISODE_QUERIES
        ],
        "checkpoints": [
            {"run_id": run_id, "list": [info.to_dict() for info in store.checkpoints(run_id)]}
            for run_id in ids
        ],
        "load_checkpoint": [
            _checkpoint(store, run_id, episode)
            for run_id in ids
            for episode in ("latest", store.checkpoints(run_id)[0].episode)
        ],
        "param_changes": [
            {"run_id": run_id, "list": [c.to_dict() for c in store.param_changes(run_id)]}
            for run_id in ids
        ],
    }


def _checkpoint(store: Any, run_id: int, episode: int | str) -> dict[str, Any]:
    """Return one loaded checkpoint as JSON-safe data."""
    checkpoint = store.load_checkpoint(run_id, episode)
    return {
        "run_id": run_id,
        "asked": episode,
        "episode": checkpoint.episode,
        "shape": list(checkpoint.q.shape),
        "q": checkpoint.q.tolist(),
        "agent_state": checkpoint.agent_state,
        "evaluation": checkpoint.evaluation,
        "created_at": checkpoint.created_at.isoformat(),
    }


def _cli(*args: str) -> None:
    """Run ``run.py`` of the checked-out commit with ``args``."""
    subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=ROOT, check=True)


def _train_runs(url: str) -> None:
    """Train the three runs and queue the parameter changes."""
    from app.training import create_run, train
    from gridworld.spec import validate_run_spec
    from runstore import RunStore

    _cli(
        *("train", "--db", url, "--env", "GridWorld-v0", "--preset", "easy", "--episodes", "1200"),
        *("--checkpoint-every", "300", "--seed", "1"),
    )
    _cli(
        *("train", "--db", url, "--env", "FrozenLake-v1", "--episodes", "800"),
        *("--checkpoint-every", "200", "--seed", "2", "--name", "lake"),
    )
    store = RunStore(url)
    spec = validate_run_spec(
        {"env_id": "CliffWalking-v1", "episodes": 600, "checkpoint_every": 150, "seed": 3}
    )
    run_id = create_run(store, spec)
    status = train(store, run_id, should_stop=lambda: store.get_run(run_id).episodes_done >= 300)
    if status != "paused":
        raise SystemExit(f"run {run_id} ended {status}, expected paused")
    store.request_params(run_id, {"alpha": 0.25, "epsilon": 0.3}, source="cli")
    store.close()
    _cli("resume", str(run_id), "--db", url)
    store = RunStore(url)
    store.request_params(1, {"gamma": 0.9}, source="api")
    store.close()


def _check_checkout() -> None:
    """Exit unless this file runs inside a checkout of COMMIT, importing that checkout."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not head.startswith(COMMIT):
        raise SystemExit(f"{ROOT} is at {head[:7]}; run this against commit {COMMIT}")
    sys.path.insert(0, str(ROOT))
    import runstore

    if Path(runstore.__file__).resolve().parent != ROOT / "runstore":
        raise SystemExit(f"imported {runstore.__file__}, not the runstore of {ROOT}")


def main() -> None:
    """Write the store and its expected answers into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    out = parser.parse_args().out.resolve()
    _check_checkout()
    store_path = out / STORE_NAME
    for stale in out.glob(STORE_NAME + "*"):
        stale.unlink()
    url = f"sqlite:///{store_path}"
    _train_runs(url)
    with sqlite3.connect(store_path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    conn.close()
    from runstore import RunStore

    store = RunStore(url)
    expected = snapshot(store)
    store.close()
    with sqlite3.connect(store_path) as conn:  # the RunStore switched it back to WAL
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    (out / EXPECTED_NAME).write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {store_path} ({store_path.stat().st_size} bytes) and {EXPECTED_NAME}")


if __name__ == "__main__":
    main()
