"""The compare page's settings from a link, and what it reads and draws, from a real store."""

from __future__ import annotations

import csv
import io

import pytest

from app.rules import MAX_COMPARE_RUNS, MAX_ID
from app.views.compare import (
    SMALL_METRICS,
    CompareSettings,
    compare_figures,
    comparison_file,
    find_runs,
    link_notice,
    parse_runs,
    run_options,
    settings_from,
    summary_labels,
    table_rows,
)
from tests.dashboard_support import seeded_run


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3,1,2", [3, 1, 2]),
        (" 3 , 3,x,-1,0,2.5,,7", [3, 7]),
        ([4, "5", None, True], [4, 5]),
        (None, []),
        (f"{MAX_ID + 1},1", [1]),
        (",".join(str(i) for i in range(1, 12)), list(range(1, MAX_COMPARE_RUNS + 1))),
    ],
)
def test_runs_of_a_link_are_valid_unique_ids_at_most_the_limit(raw, expected):
    assert parse_runs(raw) == expected


def test_a_link_without_settings_takes_the_defaults():
    assert settings_from({}) == CompareSettings(runs=[])
    assert settings_from({"metric": "loss", "x": "frames", "smooth": "lots"}) == CompareSettings(
        runs=[]
    )


def test_a_links_settings_are_read_and_clipped():
    query = {
        "runs": "2,1",
        "metric": "length",
        "x": "wall_time",
        "smooth": "5",
        "bands": "0",
        "threshold": "-1e99",
    }
    assert settings_from(query) == CompareSettings(
        runs=[2, 1], metric="length", x_mode="wall_time", smooth=0.99, bands=False, threshold=-1e12
    )


def test_bands_are_on_for_one_run_and_off_for_several_unless_the_link_says():
    assert settings_from({"runs": "4"}).bands is True
    assert settings_from({}).bands is True
    assert settings_from({"runs": "4,5"}).bands is False  # overlapping bands hide the lines
    assert settings_from({"runs": "4,5", "bands": "1"}).bands is True
    assert settings_from({"runs": "4", "bands": "0"}).bands is False


def test_unknown_runs_are_skipped_and_the_picker_lists_every_run(store):
    first = seeded_run(store, status="finished", episodes=100, name="first")
    second = seeded_run(store, status="running", episodes=50, name="second")
    assert [run.id for run in find_runs(store, f"{second},99,{first}")] == [second, first]
    assert run_options(store) == [
        {"label": f"#{second} second (running)", "value": second},
        {"label": f"#{first} first (finished)", "value": first},
    ]


def test_the_figures_overlay_each_run_and_draw_each_small_metric(store):
    runs = find_runs(
        store,
        [seeded_run(store, status="finished", episodes=n, name=f"r{n}") for n in (300, 600)],
    )
    main, small = compare_figures(store, runs, "return", "env_steps", 0.0, True)
    names = [trace["name"] for trace in main["data"] if trace.get("showlegend") is not False]
    assert names == [f"#{runs[0].id} r300", f"#{runs[1].id} r600"]
    assert main["layout"]["xaxis"]["title"]["text"] == "environment steps"
    assert list(small) == list(SMALL_METRICS)
    assert all(figure["layout"]["showlegend"] is False for figure in small.values())


def test_the_tables_and_the_file_cover_each_run(store):
    runs = find_runs(
        store, [seeded_run(store, status="finished", episodes=200, name=n) for n in "ab"]
    )
    params, summaries = table_rows(store, runs, 0.5)
    assert [row["name"] for row in summaries] == ["a", "b"]
    assert {row["param"] for row in params} >= {"alpha", "gamma"}
    labels = summary_labels(0.5)
    assert set(labels) <= set(summaries[0]) and labels["episodes_to_threshold"].endswith("≥ 0.5")
    download = comparison_file(store, runs, "return", 0.5)
    assert download["filename"] == f"gridlab-compare-{runs[0].id}-{runs[1].id}.csv"
    assert download["type"] == "text/csv"
    lines = download["content"].splitlines()
    assert len(lines) > 2 and "return" in lines[0]


def test_the_parameter_table_starts_with_the_algorithms(store, run_of):
    runs = find_runs(store, [run_of(None), run_of("double_q")])
    params, _ = table_rows(store, runs, 0.5)
    assert params[0] == {
        "param": "algorithm",
        "values": ["Q-learning", "Double Q-learning"],
        "differs": True,
    }
    same = find_runs(store, [run_of("sarsa"), run_of("sarsa")])
    assert table_rows(store, same, None)[0][0]["differs"] is False
    lines = csv.DictReader(io.StringIO(comparison_file(store, same, "return", None)["content"]))
    assert {line["algorithm"] for line in lines} == {"SARSA"}


def test_a_link_says_which_of_its_runs_the_page_leaves_out(store):
    known = seeded_run(store, status="finished", episodes=10, name="known")
    assert link_notice(store, f"{known}") is None
    assert link_notice(store, None) is None and link_notice(store, "") is None
    assert link_notice(store, f"{known},999, abc,,0") == (
        "run 999 not found; 'abc' is not a run id; '0' is not a run id."
    )
    many = ",".join(str(i) for i in [known, *range(1000, 1010)])
    assert link_notice(store, many).endswith(
        "run 1006 not found; only the first 8 runs are compared."
    )
