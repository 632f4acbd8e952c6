"""The same refusal reads the same from every entry point: HTTP, the CLI and the actions
module (each message comes from app.rules or the one id parser)."""

from __future__ import annotations

import pytest

from app.actions import resume_run
from app.rules import Conflict
from tests.cli.support import gridlab


def test_a_refused_resume_gives_one_message_everywhere(client, store, store_url, runs):
    expected = (
        f"run {runs.finished} is finished; only paused, stopped, crashed, error or pruned runs can"
        " be resumed"
    )
    before = store.get_run(runs.finished)

    response = client.post(f"/api/runs/{runs.finished}/resume", json={})
    assert (response.status_code, response.get_json()) == (409, {"error": expected})

    with pytest.raises(Conflict) as by_action:
        resume_run(store, runs.finished)
    assert str(by_action.value) == expected

    done = gridlab("resume", str(runs.finished), "--db", store_url)
    assert (done.returncode, done.stderr) == (2, f"error: {expected}\n")
    assert store.get_run(runs.finished) == before


@pytest.mark.parametrize("raw", ["99999999999999999999", "0", "1_000", "abc"])
def test_a_bad_run_id_gives_one_message_over_http_and_the_cli(client, store_url, raw):
    response = client.post(f"/api/runs/{raw}/resume", json={})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error.startswith("run_id=") and "allowed: an integer from 1 to 9007199254740992" in error
    for command in ("resume", "export"):
        done = gridlab(command, raw, "--db", store_url)
        assert (done.returncode, done.stderr) == (2, f"error: {error}\n")
