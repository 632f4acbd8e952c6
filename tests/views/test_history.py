"""The run page's history as data, from the events a real store records."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.views.history import MAX_EVENTS, event_rows
from runstore import Owner
from tests.dashboard_support import episode_rows, seeded_run


def test_each_claim_interruption_and_resumption_is_a_row_newest_first(store):
    run_id = seeded_run(store, status="queued", episodes=0)
    claim = store.claim_run(run_id, Owner("here", 1, 1.0))
    store.append_episodes(run_id, episode_rows(1, 900), claim=claim)
    store.save_checkpoint(run_id, 800, np.zeros((25, 4)), {}, claim=claim)
    store.release(claim, "queued", event="interrupted")
    store.claim_run(run_id, Owner("there", 2, 2.0))
    rows = event_rows(store.events(run_id))
    assert [(row.kind, row.color, row.text) for row in rows] == [
        ("resumed", "success", "attempt 2 · episode 800"),  # from its checkpoint
        ("interrupted", "warning", "attempt 1 · episode 900"),
        ("claimed", "secondary", "attempt 1 · episode 0"),
    ]
    assert all(
        row.at.endswith(" UTC") and len(row.at) == len("2026-01-01 00:00:00 UTC") for row in rows
    )


def test_the_history_keeps_the_newest_events(store):
    run_id = seeded_run(store, status="queued", episodes=0)
    store.claim_run(run_id, Owner("here", 1, 1.0))
    (event,) = store.events(run_id)
    many = [replace(event, attempt=attempt) for attempt in range(1, MAX_EVENTS + 6)]
    rows = event_rows(many)
    assert len(rows) == MAX_EVENTS
    assert rows[0].text.startswith(f"attempt {MAX_EVENTS + 5} ")
    assert rows[-1].text.startswith("attempt 6 ")
