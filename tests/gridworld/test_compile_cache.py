"""The compiled kernel's cache follows every file it compiles from, not only its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = "from numba import njit\n\n\n@njit\ndef value():\n    return {value}\n"
ENTRY = (
    "import sys\n"
    "from pathlib import Path\n"
    "from gridworld.kernel.compile_cache import cached, refresh\n"
    "import helper\n\n\n"
    "@cached\n"
    "def entry():\n"
    "    return helper.value()\n\n\n"
    "{refresh}"
    "print(entry(), sum(entry.stats.cache_hits.values()))\n"
)
REFRESH = "refresh([entry], [Path(helper.__file__), Path(__file__)], 'entry.sha256')\n"


def run_entry(folder: Path) -> tuple[int, int]:
    """Run ``entry.py`` in a new process (numba's cache in ``folder/cache``).

    Returns:
        (what ``entry`` returned, how many times its machine code came from the cache).
    """
    environment = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(folder / "cache"),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), str(folder)]),
    }
    done = subprocess.run(
        [sys.executable, str(folder / "entry.py")],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    value, hits = done.stdout.split()
    return int(value), int(hits)


@pytest.mark.parametrize("guarded", [True, False])
def test_a_changed_callee_in_another_file_is_compiled_anew(tmp_path: Path, guarded: bool):
    (tmp_path / "entry.py").write_text(ENTRY.format(refresh=REFRESH if guarded else ""))
    (tmp_path / "helper.py").write_text(HELPER.format(value=1))
    assert run_entry(tmp_path) == (1, 0)  # compiled, then cached
    assert run_entry(tmp_path) == (1, 1)  # from the cache
    (tmp_path / "helper.py").write_text(HELPER.format(value=2))
    if guarded:
        assert run_entry(tmp_path) == (2, 0)  # the digest changed: compiled anew
        assert run_entry(tmp_path) == (2, 1)  # and cached again
    else:  # numba alone keeps the stale machine code: what the guard is for
        assert run_entry(tmp_path) == (1, 1)
