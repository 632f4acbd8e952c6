"""A store that stops taking writes under a running ``python run.py train``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runstore import RunStore
from tests.cli.support import RUN_PY
from tests.trainer.support import assert_contiguous, wait_for


def _chattr(flag: str, files: list[Path]) -> bool:
    """Set or clear the immutable attribute of ``files``; return whether it worked."""
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, *map(str, files)], capture_output=True, check=False)
    return done.returncode == 0


def test_a_store_made_immutable_under_train_ends_it_with_a_message_not_a_traceback(tmp_path):
    """chmod does not stop root, so the store file and its -wal turn immutable instead (the
    -shm index stays writable: it is mapped, and only the files' contents are at stake)."""
    path = tmp_path / "store.sqlite"
    db = f"sqlite:///{path}"
    RunStore(db).close()
    process = subprocess.Popen(
        [sys.executable, RUN_PY, "train", "--episodes", "5000000", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    files = [path, path.with_name(path.name + "-wal")]
    try:
        store = RunStore(db)
        try:
            wait_for(
                lambda: bool(store.list_runs()) and store.list_runs()[0].episodes_done > 0,
                60,
                "the run's first episodes",
            )
        finally:
            store.close()
        if not _chattr("+i", files):
            pytest.skip("needs chattr +i (root on a filesystem with the immutable attribute)")
        try:
            out, err = process.communicate(timeout=120)
        finally:
            assert _chattr("-i", files)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: run 1 failed: the store refused a write: "), last
    assert "disk I/O error" in last or "readonly" in last
    assert out.strip() == "1"
    store = RunStore(db)
    try:
        assert_contiguous(store, 1)
    finally:
        store.close()
