"""A store that cannot be written any more (made immutable under the running dashboard):
requests that would write answer 503 with the store's reason, reads still answer."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard_support import snapshot


def _chattr(flag: str, files: list[Path]) -> bool:
    """Set or clear the immutable attribute of ``files``; return whether it worked."""
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, *map(str, files)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def immutable_store(client, store_url) -> Iterator[Path]:
    """Make the store file and its write-ahead log immutable (root on ext4); undo after.

    The shared-memory index (-shm) stays writable: a process writing to a mapped file that
    turned immutable dies of SIGBUS, which is the worker's problem, not this test's.
    """
    path = Path(store_url.removeprefix("sqlite:///"))
    client.get("/api/runs")  # the dashboard has its connections open, as in use
    files = [path, path.with_name(path.name + "-wal")]
    if not _chattr("+i", files):
        pytest.skip("needs chattr +i (root on a filesystem with the immutable attribute)")
    try:
        yield path
    finally:
        assert _chattr("-i", files)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/runs", {"preset": "easy", "episodes": 5, "name": "never stored"}),
        ("/api/runs/{running}/pause", {}),
        ("/api/runs/{running}/params", {"alpha": 0.5}),
        ("/api/runs/{paused}/stop", {}),
    ],
)
def test_a_write_to_an_unwritable_store_answers_503_with_the_reason(
    client, runs, store_url, immutable_store, path, body
):
    before = snapshot(store_url)
    response = client.post(path.format(**vars(runs)), json=body)
    assert response.status_code == 503, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert "run store failed" in error and "disk I/O error" in error, error
    assert client.get(f"/api/runs/{runs.running}").status_code == 200
    assert snapshot(store_url) == before
