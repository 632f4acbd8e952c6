"""Running ``python run.py`` as a user does, for the CLI tests and the entry-point comparisons."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_PY = str(ROOT / "run.py")


def gridlab(
    *args: str, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python run.py ARGS`` and return the finished process (text output)."""
    return subprocess.run(
        [sys.executable, RUN_PY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
    )
