"""Every benchmark script still runs: once, at its tiny size, ending on one JSON line of figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).parent / "bench"
BENCHMARKS = sorted(BENCH_DIR.glob("bench_*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=[path.stem for path in BENCHMARKS])
def test_benchmark_runs_at_tiny_size(script: Path, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(script), "--size", "tiny"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last_line = done.stdout.strip().splitlines()[-1]
    figures = json.loads(last_line)
    assert isinstance(figures, dict) and figures, last_line
    ratios = {key: value for key, value in figures.items() if "ratio" in key}
    assert ratios, f"{script.name} reports no ratio: {last_line}"
    assert all(isinstance(value, int | float) and value > 0 for value in ratios.values()), ratios
