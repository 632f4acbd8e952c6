"""``python run.py tag|rename|note|archive|delete`` as a user runs them: real processes, real
SQLite; bad input exits 2 with one line naming the field, and changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runstore import RunNotFound, RunStore
from tests.cli.support import ROOT, RUN_PY, gridlab
from tests.dashboard_support import seeded_run, snapshot


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A store with a finished, a paused and a running run; its URL and the runs by status."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = RunStore(url)
    try:
        runs = {
            status: seeded_run(store, status=status, episodes=20)
            for status in ("finished", "paused", "running")
        }
    finally:
        store.close()
    return url, runs


def read(url: str, run_id: int):
    store = RunStore(url)
    try:
        return store.get_run(run_id)
    finally:
        store.close()


def test_tag_rename_and_note(seeded, tmp_path):
    url, runs = seeded
    run_id = str(runs["finished"])
    done = gridlab("tag", run_id, "sweep-a", "good", "--db", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"run {run_id} tags: good sweep-a"
    assert gridlab("tag", run_id, "good", "--remove", "--db", url).returncode == 0
    assert gridlab("rename", run_id, "  best so far ", "--db", url).returncode == 0
    assert gridlab("note", run_id, "alpha **0.5** was too high", "--db", url).returncode == 0
    run = read(url, runs["finished"])
    assert (run.tags, run.name, run.note) == (
        ["sweep-a"],
        "best so far",
        "alpha **0.5** was too high",
    )
    note_file = tmp_path / "note.md"
    note_file.write_text("# Findings\n\n- one\n", encoding="utf-8")
    assert gridlab("note", run_id, "--file", str(note_file), "--db", url).returncode == 0
    assert read(url, runs["finished"]).note == "# Findings\n\n- one"
    listed = gridlab("list", "--db", url).stdout.splitlines()
    line = next(row for row in listed[2:] if row.split()[0] == run_id)
    assert line.split()[-4:] == ["sweep-a", "best", "so", "far"]


def test_archive_and_undo_several_runs_and_refuse_a_running_one(seeded):
    url, runs = seeded
    done = gridlab(
        "archive", str(runs["finished"]), str(runs["paused"]), str(runs["running"]), "--db", url
    )
    assert done.returncode == 2
    assert done.stdout.strip() == "2 runs archived"
    assert f"run {runs['running']} is running; only" in done.stderr
    assert "can be archived" in done.stderr and "Traceback" not in done.stderr
    assert read(url, runs["finished"]).archived and read(url, runs["paused"]).archived
    assert not read(url, runs["running"]).archived
    listed = gridlab("list", "--db", url).stdout.splitlines()
    ids = [line.split()[0] for line in listed[2:-1]]
    assert str(runs["finished"]) not in ids and str(runs["running"]) in ids
    assert listed[-1] == "(2 archived runs not shown; --all lists them)"
    every = gridlab("list", "--all", "--db", url).stdout.splitlines()
    finished = next(line for line in every[2:] if line.split()[0] == str(runs["finished"]))
    assert "finished (archived)" in finished
    assert gridlab("archive", str(runs["paused"]), "--undo", "--db", url).returncode == 0
    assert not read(url, runs["paused"]).archived


def test_delete_asks_first_and_deletes_on_yes(seeded):
    url, runs = seeded
    run_id = str(runs["paused"])
    command = [sys.executable, RUN_PY, "delete", run_id, "--db", url]
    declined = subprocess.run(command, input="n\n", capture_output=True, text=True, cwd=ROOT)
    assert declined.returncode == 2
    assert "Delete #" in declined.stderr and "nothing deleted" in declined.stderr
    assert read(url, runs["paused"]).id == runs["paused"]
    accepted = subprocess.run(command, input="y\n", capture_output=True, text=True, cwd=ROOT)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == "1 run deleted"
    with pytest.raises(RunNotFound):
        read(url, runs["paused"])


def test_delete_yes_refuses_a_running_run_and_deletes_the_rest(seeded):
    url, runs = seeded
    done = gridlab("delete", str(runs["running"]), str(runs["finished"]), "--yes", "--db", url)
    assert done.returncode == 2
    assert f"run {runs['running']} is running; only" in done.stderr
    assert "can be deleted" in done.stderr
    assert read(url, runs["running"]).status == "running"
    with pytest.raises(RunNotFound):
        read(url, runs["finished"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["tag", "1", "has space"], ["tag='has space'", "holds ' '", "allowed"]),
        (["tag", "1", "a,b"], ["tag='a,b'", "holds ','"]),
        (["tag", "1", "x" * 40], ["40 characters", "1 to 32"]),
        (["tag", "x1", "ok"], ["run_id='x1'", "whole number"]),
        (["tag", "99", "ok"], ["run 99 not found"]),
        (["rename", "1", "   "], ["name='   '", "empty", "1 to 100 characters"]),
        (["rename", "1", "a\x07b"], ["name=", "control character"]),
        (["note", "1", "bell\x07"], ["note=", "U+0007"]),
        (["note", "1", "--file", "missing.md"], ["file='missing.md'", "No such file"]),
        (["archive", "1", "0"], ["run_id=0", "out of range"]),
        (["delete", "99", "--yes"], ["run 99 not found"]),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_changes_nothing(seeded, tmp_path, args, expected):
    url, _ = seeded
    before = snapshot(url)
    done = gridlab(*args, "--db", url, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    for part in expected:
        assert part in line, (part, line)
    assert snapshot(url) == before


def test_note_needs_text_or_a_file(seeded):
    url, _ = seeded
    done = gridlab("note", "1", "--db", url)
    assert done.returncode == 2 and "TEXT" in done.stderr and "--file" in done.stderr
