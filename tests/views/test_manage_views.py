"""What the pages list once runs are tagged or archived: the runs grid, the compare page's
run picker and an experiment's page (archived runs only on request)."""

from __future__ import annotations

from app.views.compare import run_options
from app.views.experiment_page import page_data
from app.views.runs_table import RunsFilter, runs_count, tag_filter
from tests.dashboard_support import seeded_run
from tests.experiment_support import make_experiment
from tests.views.test_runs_table import grid_rows


def test_the_runs_grid_lists_by_tag_and_archived_runs_on_request(store):
    kept, archived, tagged = (seeded_run(store, status="finished", episodes=5) for _ in range(3))
    store.manage.archive(archived)
    store.manage.retag(tagged, ["good", "x"])

    def listed(chosen: RunsFilter) -> list[int]:
        return [row["id"] for row in grid_rows(store, chosen)]

    assert listed(RunsFilter()) == [tagged, kept]
    assert listed(RunsFilter(show_archived=True)) == [tagged, archived, kept]
    assert listed(RunsFilter(tag="good")) == [tagged]
    assert runs_count(store, RunsFilter()) == ("2 runs", 2)
    row = grid_rows(store)[0]
    assert (row["tags"], row["archived"]) == ("good x", False)


def test_a_tag_filter_from_the_address_bar_is_read_or_ignored():
    assert tag_filter("good") == "good"
    assert tag_filter(" good ") == "good"
    assert tag_filter("") is None and tag_filter(None) is None
    assert tag_filter("bad tag") is None and tag_filter(["x"]) is None


def test_the_compare_picker_hides_archived_runs_but_keeps_the_picked_ones(store):
    shown, archived, picked = (seeded_run(store, status="finished", episodes=5) for _ in range(3))
    for run_id in (archived, picked):
        store.manage.archive(run_id)
    assert [option["value"] for option in run_options(store)] == [shown]
    options = run_options(store, keep=[picked])
    assert [option["value"] for option in options] == [picked, shown]
    assert options[0]["label"].endswith("(finished, archived)")
    everything = run_options(store, show_archived=True)
    assert [option["value"] for option in everything] == [picked, archived, shown]


def test_an_experiment_page_leaves_archived_runs_out_unless_asked(store):
    experiment_id, run_ids = make_experiment(store, [{"alpha": 0.1}, {"alpha": 0.5}], seeds=(0,))
    store.manage.archive(run_ids[1], guard=None)
    assert [run.id for run in page_data(store, experiment_id).runs] == [run_ids[0]]
    assert [run.id for run in page_data(store, experiment_id, show_archived=True).runs] == run_ids
