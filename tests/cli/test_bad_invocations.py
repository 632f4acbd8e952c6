"""Bad ``python run.py`` invocations: exit 2, one line naming what is wrong, nothing changed.

Each case runs the real CLI in a folder holding a seeded store and a few traps (a file that is
not SQLite, a truncated store, a directory, a plain file), and checks that every file there
keeps its bytes and no file or folder appears.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from runstore import RunStore
from tests.cli.support import gridlab
from tests.dashboard_support import seeded_run

UNREACHABLE_PG = "postgresql+psycopg://127.0.0.1:1/x"
NOT_UTF8_NAME = os.fsdecode(b"a\xffb")
"""A name whose bytes are not UTF-8, as Python hands it over in argv (surrogate-escaped)."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with ``store.sqlite`` (one paused run, id 1) and the trap files."""
    store = RunStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        seeded_run(store, status="paused", episodes=20)
    finally:
        store.close()
    shutil.copyfile(tmp_path / "store.sqlite", tmp_path / "copy.sqlite")
    (tmp_path / "truncated.sqlite").write_bytes((tmp_path / "copy.sqlite").read_bytes()[:5000])
    (tmp_path / "copy.sqlite").unlink()
    (tmp_path / "garbage.sqlite").write_text("not a database\n")
    (tmp_path / "random.db").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("a plain file\n")
    return tmp_path


def tree(root: Path) -> dict[str, str]:
    """Return every path under ``root`` with a digest of its bytes ("dir" for folders)."""
    return {
        str(path.relative_to(root)): "dir"
        if path.is_dir()
        else hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
    }


CASES = [
    (["list", "--db", "mysql://u@h/x"], ["mysql", "allowed"]),
    (["list", "--db", "garbage.sqlite"], ["garbage.sqlite", "not a SQLite database"]),
    (["list", "--db", "random.db"], ["random.db", "not a SQLite database"]),
    (["export", "1", "--db", "truncated.sqlite"], ["truncated.sqlite"]),
    (["list", "--db", "afile"], ["afile", "not a SQLite database"]),
    (["list", "--db", "adir"], ["adir", "is a directory"]),
    (["list", "--db", UNREACHABLE_PG], ["127.0.0.1", "port 1"]),
    (["train", "--episodes", "5", "--db", "afile/x.sqlite"], ["afile", "not a folder"]),
    (["train", "--episodes", "5", "--db", "nofolder/x.sqlite"], ["nofolder", "does not exist"]),
    (["train", "--db", "sqlite:///nofolder/x.sqlite"], ["nofolder", "does not exist"]),
    (["train", "--episodes", "5", "--db", "::::"], ["db='::::'", "://"]),
    (["train", "--episodes", "5", "--db", "/proc/gridlab.sqlite"], ["/proc/gridlab.sqlite"]),
    (["list", "--db", "missing.sqlite"], ["no store at", "missing.sqlite"]),
    (["export", "1", "--db", "missing.sqlite"], ["no store at", "missing.sqlite"]),
    (["resume", "1", "--db", "sqlite:///missing.sqlite"], ["no store at", "missing.sqlite"]),
    (["export", "1", "--db", "store.sqlite", "-o", "nofolder/out.csv"], ["nofolder/out.csv"]),
    (["export", "1", "--db", "store.sqlite", "-o", "adir"], ["adir", "directory"]),
    (["dashboard", "--port", "99999", "--db", "store.sqlite"], ["port", "99999", "65535"]),
    (["--port", "-1", "--db", "store.sqlite"], ["port", "-1", "65535"]),
    (["--port", "80x", "--no-worker", "--db", "store.sqlite"], ["port", "80x"]),
    (["--db", "garbage.sqlite", "--no-worker", "--port", "1"], ["not a SQLite database"]),
    (["worker", "--db", "truncated.sqlite"], ["truncated.sqlite"]),
    (["train", "--name", "", "--db", "store.sqlite"], ["name", "empty"]),
    (["train", "--name", "   ", "--db", "store.sqlite"], ["name", "empty"]),
    (["train", "--name", NOT_UTF8_NAME, "--db", "store.sqlite"], ["name", "surrogate"]),
    (["train", "--episodes", "1_000", "--db", "store.sqlite"], ["episodes", "1_000"]),
    (["resume", "99999999999999999999", "--db", "store.sqlite"], ["run_id", "out of range"]),
    (["resume", "1", "--db", "store.sqlite", "--db", "afile"], ["afile"]),
    (["sweep", "--alpha", "0,0.2", "--db", "store.sqlite"], ["alpha=0", "0 < x <= 1"]),
    (["sweep", "--alpha", "1:2:3:4", "--db", "store.sqlite"], ["alpha=", "LOW:HIGH"]),
    (["sweep", "--alpha", "0.5:0.1:3", "--db", "store.sqlite"], ["alpha", "low < high"]),
    (["sweep", "--epsilon", "0.01,1", "--db", "store.sqlite"], ["epsilon_min", "epsilon=0.01"]),
    (["sweep", "--seeds", "0", "--db", "store.sqlite"], ["seeds=0", "1 to 100"]),
    (["sweep", "--method", "anneal", "--db", "store.sqlite"], ["method='anneal'", "tpe"]),
    (["sweep", "--method", "random", "--alpha", "0.1:1", "--db", "store.sqlite"], ["budget"]),
    (["sweep", "--objective", "episodes_to_threshold", "--db", "store.sqlite"], ["threshold"]),
    (["sweep", "--pruner", "soon", "--db", "store.sqlite"], ["pruner='soon'", "median"]),
    (["sweep", "--slots", "0", "--db", "store.sqlite"], ["slots=0"]),
    (["sweep", "--algorithm", "sarsa,td", "--db", "store.sqlite"], ["algorithm='td'", "sarsa"]),
    (["sweep", "--alpha", "0.1,0.2", "--db", "nofolder/x.sqlite"], ["nofolder", "not exist"]),
    (["sweep", "--alpha", "0.1,0.2", "--db", "garbage.sqlite"], ["not a SQLite database"]),
    (["checkpoint", "1", "--name", "", "--db", "store.sqlite"], ["name=''", "empty", "64"]),
    (["checkpoint", "1", "--name", "9x", "--db", "store.sqlite"], ["name='9x'", "starts with"]),
    (["checkpoint", "1", "--name", "latest", "--db", "store.sqlite"], ["'latest' names"]),
    (["checkpoint", "1", "--name", "a b", "--db", "store.sqlite"], ["holds ' '", "letters"]),
    (["checkpoint", "1", "--name", "n" * 65, "--db", "store.sqlite"], ["65 characters"]),
    (["checkpoint", "1", "--name", NOT_UTF8_NAME, "--db", "store.sqlite"], ["name=", "holds"]),
    (["checkpoint", "abc", "--name", "good", "--db", "store.sqlite"], ["run_id='abc'"]),
    (["checkpoint", "5", "--name", "good", "--db", "store.sqlite"], ["run 5 not found"]),
    (["checkpoint", "1", "--name", "good", "--wait", "-1", "--db", "store.sqlite"], ["wait=-1"]),
    (["checkpoint", "1", "--name", "ok", "--wait", "1e3", "--db", "store.sqlite"], ["wait=1e3"]),
    (["checkpoint", "1", "--name", "good", "--db", "nofolder/x.sqlite"], ["nofolder"]),
    (["checkpoint", "1", "--name", "good", "--db", "garbage.sqlite"], ["not a SQLite database"]),
    (["fork", "1", "--at", "x y", "--db", "store.sqlite"], ["at='x y'", "holds ' '"]),
    (["fork", "1", "--at", "nope", "--db", "store.sqlite"], ["no checkpoint named 'nope'"]),
]


@pytest.mark.parametrize(("args", "named"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_bad_invocation_exits_2_naming_the_problem_and_changes_nothing(folder, args, named):
    before = tree(folder)
    done = gridlab(*args, cwd=folder)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    for word in named:
        assert word in done.stderr
    assert done.stdout == ""
    assert tree(folder) == before
