"""Pages notice what other processes write, live run or not: a run started from the CLI, a
resume from the CLI, an interruption, a worker that died. Real Chromium, a real SQLite store
and real ``python run.py`` processes.

"Within 2 s" is measured from the moment this test's own store handle sees the change (at or
after the write), with polling waits that fail at the deadline.
"""

from __future__ import annotations

import time

import numpy as np
from dash.testing.wait import until

from app import ids
from app.factory import create_app
from runstore import Owner, RunStore
from tests.browser.support import cell, cli, read_figure, status
from tests.dashboard_support import episode_rows, seeded_run, wait_for

NOTICE_S = 2.0
"""How soon every page shows a change made anywhere."""
LONG = ("--preset", "easy", "--episodes", "1000000")
"""``run.py train`` options of a run that stays running until it is told otherwise."""


def _seen(predicate, what: str) -> float:
    """Wait (polling the store) until ``predicate()`` holds; return when it first did."""
    wait_for(predicate, 60, what)
    return time.monotonic()


def _within(deadline_from: float, condition, what: str) -> None:
    """Wait until ``condition()`` holds, failing ``NOTICE_S`` after ``deadline_from``."""
    left = deadline_from + NOTICE_S - time.monotonic()
    until(condition, timeout=max(0.0, left), msg=f"{what} within {NOTICE_S} s")


def _text(dash_duo, selector: str) -> str:
    """Return the first matching element's text, or "" while the page does not have it (read
    in one script: an element found first may be re-rendered before its text is asked for)."""
    return dash_duo.driver.execute_script(
        "const found = document.querySelector(arguments[0]);return found ? found.innerText : '';",
        selector,
    )


def test_an_idle_runs_page_shows_a_run_started_from_the_cli_within_2_s(
    dash_duo, store_url, store, tmp_path
):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    with cli("train", *LONG, "--name", "from the cli", db=store_url, log=tmp_path / "cli.log"):
        created = _seen(store.list_runs, "the CLI to create its run")
        (run,) = store.list_runs()
        _within(created, lambda: _text(dash_duo, cell(run.id, "name")) == "from the cli", "row")
        assert not dash_duo.find_element(f"#{ids.RUNS_EMPTY}").is_displayed()
        running = _seen(lambda: store.get_run(run.id).episodes_done > 0, "training")
        _within(
            running,
            lambda: _text(dash_duo, cell(run.id, "status")) == "running",
            "the row to show the run running",
        )
        store.request_status(run.id, "paused")  # a control row written by another handle
        paused = _seen(lambda: store.get_run(run.id).status == "paused", "the pause")
        _within(paused, lambda: _text(dash_duo, cell(run.id, "status")) == "paused", "the pause")
        # the count line comes in its own response, beside the grid's rows: within 2 s too
        count = f"#{ids.RUNS_COUNT}"
        _within(paused, lambda: _text(dash_duo, count) == "1 run", "the count without it live")
    assert dash_duo.get_logs() == []


def test_an_open_page_of_a_paused_run_shows_it_running_within_2_s_of_a_cli_resume(
    dash_duo, store_url, store, tmp_path
):
    with cli("train", *LONG, "--name", "paused", db=store_url, log=tmp_path / "train.log") as p:
        wait_for(lambda: store.list_runs() and store.list_runs()[0].episodes_done, 60, "training")
        (run,) = store.list_runs()
        store.request_status(run.id, "paused")
        p.wait(60)
    assert store.get_run(run.id).status == "paused"
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run.id}")
    until(lambda: status(dash_duo).startswith("paused"), timeout=10)
    paused_at = store.get_run(run.id).episodes_done
    with cli("resume", str(run.id), db=store_url, log=tmp_path / "resume.log"):
        resumed = _seen(lambda: store.get_run(run.id).status == "running", "the resume")
        _within(resumed, lambda: status(dash_duo).startswith("running"), "running")
        assert dash_duo.find_element(f"#{ids.RUN_PAUSE}").is_enabled()
        more = _seen(lambda: store.get_run(run.id).episodes_done > paused_at + 100, "episodes")
        shown = store.get_run(run.id).episodes_done

        def episodes_shown() -> int:
            text = _text(dash_duo, f"#{ids.RUN_EPISODES}").split(" / ")[0]
            return int(text.replace(",", "") or 0)

        _within(more, lambda: episodes_shown() >= shown, "the new episodes")
    assert dash_duo.get_logs() == []


def test_the_history_lists_an_interruption_and_the_curves_mark_it(dash_duo, store_url, store):
    elsewhere = Owner("elsewhere", 4242, 1.0)
    run_id = seeded_run(store, status="queued", episodes=0, name="interrupted", target=10**6)
    claim = store.claim_run(run_id, elsewhere)
    store.append_episodes(run_id, episode_rows(1, 500), claim=claim)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_HISTORY}", "claimed")
    assert "attempt 1 · episode 0" in dash_duo.find_element(f"#{ids.RUN_HISTORY}").text

    store.save_checkpoint(run_id, 500, np.zeros((25, 4)), {}, claim=claim)
    store.release(claim, "queued", event="interrupted")
    released = time.monotonic()
    _within(released, lambda: "interrupted" in _text(dash_duo, f"#{ids.RUN_HISTORY}"), "event")
    newest = _text(dash_duo, f"#{ids.RUN_HISTORY} .run-event")  # newest first
    assert newest.startswith("interrupted attempt 1 · episode 500"), newest
    assert status(dash_duo).startswith("queued")

    def hover() -> str:
        layout = read_figure(dash_duo, "return")["layout"]
        return " ".join(note.get("hovertext", "") for note in layout.get("annotations", []))

    _within(released, lambda: "episode 500: interrupted (attempt 1)" in hover(), "the marker")
    store.claim_run(run_id, Owner("another", 4343, 2.0))
    resumed = time.monotonic()
    _within(resumed, lambda: "episode 500: resumed (attempt 2)" in hover(), "the resumption")
    assert "resumed attempt 2 · episode 500" in _text(dash_duo, f"#{ids.RUN_HISTORY}")
    assert dash_duo.get_logs() == []


def test_a_run_whose_worker_died_reads_crashed_on_an_open_page(dash_duo, store_url, store):
    short = RunStore(store_url, lease_seconds=1.0, heartbeat_seconds=0.2)
    run_id = seeded_run(store, status="queued", episodes=0, name="orphan", target=10**6)
    claim = short.claim_run(run_id, Owner("gone", 4444, 3.0))
    short.append_episodes(run_id, episode_rows(1, 50), claim=claim)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    # the "worker" renews its lease until the page shows it running...
    until(lambda: short.renew_lease(claim) and status(dash_duo).startswith("running"), timeout=10)
    # ...then dies: it writes nothing more, and its lease ends with no write anywhere
    ended = _seen(lambda: store.get_run(run_id).status == "crashed", "the lease to end")
    _within(ended, lambda: status(dash_duo).startswith("crashed"), "crashed")
    assert dash_duo.find_element(f"#{ids.RUN_RESUME}").is_enabled()
    short.close()
    assert dash_duo.get_logs() == []
