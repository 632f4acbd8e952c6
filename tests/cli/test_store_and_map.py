"""``python run.py``: which store a command read, read-only commands that find no store,
``train --help`` built from the validator's rules, and ``train --map FILE``."""

from __future__ import annotations

import pytest

from gridworld.hyperparams import HYPERPARAM_RANGES, Hyperparams
from gridworld.numbers import whole_allowed
from gridworld.spec import MAX_EPISODES
from runstore import RunStore
from runstore.engine import shown_url
from tests.cli.support import gridlab


@pytest.fixture
def no_db(monkeypatch) -> None:
    """Leave ``GRIDLAB_DB`` unset: the store is ./gridlab.sqlite, as a newcomer has it."""
    monkeypatch.delenv("GRIDLAB_DB", raising=False)


@pytest.mark.parametrize("command", [["list"], ["export", "1"], ["resume", "1"], ["fork", "1"]])
def test_a_command_that_needs_a_store_creates_none_and_says_where_it_looked(
    no_db, tmp_path, command
):
    done = gridlab(*command, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: no store at {tmp_path / 'gridlab.sqlite'} ")
    assert "nothing was created" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_list_and_export_name_the_store_they_read(no_db, tmp_path):
    trained = gridlab("train", "--episodes", "5", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    listed = gridlab("list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == f"store: sqlite:///{tmp_path / 'gridlab.sqlite'}"
    assert lines[1].split()[:2] == ["ID", "STATUS"]
    other = tmp_path / "elsewhere"
    other.mkdir()
    relative = gridlab("list", "--db", "../gridlab.sqlite", cwd=other)
    assert relative.stdout.splitlines()[0] == lines[0]
    exported = gridlab("export", "1", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("episode,")
    assert exported.stderr.strip().endswith(f"store: sqlite:///{tmp_path / 'gridlab.sqlite'}")


def test_a_server_store_is_named_without_its_password():
    shown = shown_url("postgresql+psycopg://gridlab:s3cret@db.example:5432/runs")
    assert "s3cret" not in shown and shown.endswith("@db.example:5432/runs")


def test_train_help_shows_each_default_and_allowed_range():
    done = gridlab("train", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split()).split("options:", 1)[1]
    defaults = Hyperparams()
    for name, allowed in HYPERPARAM_RANGES.items():
        option = f"--{name.replace('_', '-')} X"
        shown = f"(default: {getattr(defaults, name)}; allowed: {allowed})"
        assert shown in text.split(option, 1)[1].split(" --", 1)[0], name
    assert f"(default: 1000; allowed: {whole_allowed(1, MAX_EPISODES)})" in text
    assert "--map FILE" in text


def test_train_trains_on_a_custom_map_file(tmp_path):
    db = f"sqlite:///{tmp_path / 'maps.sqlite'}"
    path = tmp_path / "corridor.txt"
    path.write_text("S..#\n.T..\n...G\n")
    done = gridlab("train", "--map", str(path), "--episodes", "20", "--db", db)
    assert done.returncode == 0, done.stderr
    store = RunStore(db)
    try:
        (run,) = store.list_runs()
    finally:
        store.close()
    assert (run.spec["desc"], run.spec["preset"], run.status) == (
        ["S..#", ".T..", "...G"],
        None,
        "finished",
    )
    assert run.name == "GridWorld-v0 seed 0"


@pytest.mark.parametrize(
    ("content", "args", "named"),
    [
        ("S..#\n.T..\n..XG\n", [], ["desc=", "unknown character 'X' at row 3, column 3"]),
        ("", [], ["desc=", "the map is empty"]),
        (b"S\xff.G", [], ["map=", "not UTF-8 text"]),
        ("S..G\n", ["--preset", "easy"], ["preset='easy'", "together with a custom map"]),
        ("S..G\n", ["--env", "Taxi-v4"], ["Taxi-v4 has no GridWorld maps"]),
    ],
)
def test_a_bad_map_file_exits_2_with_the_validators_message(tmp_path, content, args, named):
    path = tmp_path / "map.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    db = tmp_path / "never.sqlite"
    done = gridlab("train", "--map", str(path), *args, "--db", str(db))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    for words in named:
        assert words in done.stderr
    assert not db.exists()


def test_a_missing_map_file_exits_2_naming_it(tmp_path):
    done = gridlab("train", "--map", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "x.db"))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: map='{tmp_path / 'nope.txt'}' is invalid: No such file")
