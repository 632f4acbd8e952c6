"""The run page's views of a fork: its curves (the parent's part and a fork marker) and its
lineage rows, read from a real store."""

from __future__ import annotations

from app.fork import fork_run
from app.views.curves import curve_figures
from app.views.lineage import forked_from, tree_rows
from tests.trainer.support import make_spec, train_new


def test_a_forks_curves_draw_the_parents_part_with_a_fork_marker(store):
    parent = train_new(store, make_spec(episodes=300, seed=5, checkpoint_every=100)).run_id
    child = fork_run(store, parent, {"at": 200, "hyperparams": {"alpha": 0.05}})
    figure = curve_figures(store, child)["return"]
    mean = figure["data"][-1]
    assert mean["x"][0] == 1 and mean["x"][-1] <= 200
    notes = [note["hovertext"] for note in figure["layout"]["annotations"]]
    assert notes == [f"forked from run {parent} at episode 200"]
    assert figure["layout"]["shapes"][0]["x0"] == 200
    assert curve_figures(store, parent)["return"]["layout"]["annotations"] == []


def test_the_lineage_rows_show_the_whole_tree_under_each_parent(store):
    parent = train_new(store, make_spec(episodes=200, seed=5, checkpoint_every=100)).run_id
    first = fork_run(store, parent, {"at": 100, "name": "first"})
    second = fork_run(store, parent, {"name": "second"})
    grand = fork_run(store, first, {"name": "grand"})
    rows = tree_rows(store, store.get_run(grand))
    assert [(row.run_id, row.depth, row.current) for row in rows] == [
        (parent, 0, False),
        (first, 1, False),
        (grand, 2, True),
        (second, 1, False),
    ]
    assert rows[1].text == f"run {first} · first · queued · from episode 100"
    assert forked_from(store.get_run(grand)) == f"forked from run {first} at episode 100"
    assert forked_from(store.get_run(parent)) is None
    alone = train_new(store, make_spec(episodes=10)).run_id
    assert tree_rows(store, store.get_run(alone)) == []
