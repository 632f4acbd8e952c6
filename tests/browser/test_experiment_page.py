"""The experiment page in a real browser: a 2-setting × 3-seed sweep launched from the form
and trained by a real worker pool, the page filling as the runs train, the seed lines, centre
and band switched, the shareable URL opened in a new page, and the results table downloaded.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import ids
from app.experiments.launch import launch_experiment
from app.factory import create_app
from gridworld.errors import ValidationError


def _type(dash_duo, field: str, text: str) -> None:
    """Replace the text of one field of the new-experiment form."""
    element = dash_duo.find_element(f"#{ids.newexp_field(field)}")
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)
    until(lambda: element.get_attribute("value") == text, timeout=5)


def _chart(dash_duo, metric: str) -> dict:
    """Return the traces and title Plotly draws for one group-curve chart (or empty)."""
    return json.loads(
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('#{ids.exp_curve(metric)} .js-plotly-plot');"
            "return JSON.stringify(g && g.data ? {names: g.data.map(t => t.name),"
            " title: g.layout.title.text} : {names: [], title: ''});"
        )
    )


def _checked(dash_duo, element_id: str) -> str:
    """Return the value of the checked radio button of a choice."""
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{element_id} input:checked').value;"
    )


def _seeds_on(dash_duo) -> bool:
    """Return whether the seed-lines switch is on."""
    return dash_duo.find_element(f"#{ids.EXP_SEEDS}").is_selected()


def _choose(dash_duo, element_id: str, value: str) -> None:
    """Click the radio button ``value`` of a choice."""
    dash_duo.find_element(f"#{element_id} input[value='{value}']").click()
    until(lambda: _checked(dash_duo, element_id) == value, timeout=5)


def _table_text(dash_duo) -> str:
    """Return the results grid's text."""
    return dash_duo.find_element(f"#{ids.EXP_TABLE}").text


def test_a_sweep_from_the_form_fills_its_page_and_the_view_is_shareable(
    dash_duo, store_url, store, pool
):
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/experiments")
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Experiments")
    dash_duo.find_element(f"#{ids.NEWEXP_TOGGLE}").click()
    until(lambda: dash_duo.find_element(f"#{ids.newexp_field('alpha')}").is_displayed(), 5)
    _type(dash_duo, "name", "browser sweep")
    _type(dash_duo, "episodes", "300")
    _type(dash_duo, "seeds", "3")

    # A bad value is shown at its field with the validator's words; nothing is written.
    _type(dash_duo, "alpha", "0.1,2")
    dash_duo.find_element(f"#{ids.NEWEXP_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.newexp_feedback('alpha')}", "alpha=")
    with pytest.raises(ValidationError) as expected:
        launch_experiment(store, {"space": {"alpha": ["0.1", "2"]}})
    assert dash_duo.find_element(f"#{ids.newexp_feedback('alpha')}").text == str(expected.value)
    assert store.experiments.list_all() == [] and store.list_runs() == []

    _type(dash_duo, "alpha", "0.1,0.5")
    dash_duo.find_element(f"#{ids.NEWEXP_SUBMIT}").click()
    until(lambda: "/experiments/" in dash_duo.driver.current_url, timeout=10)
    (experiment,) = store.experiments.list_all()
    assert dash_duo.driver.current_url.split("?")[0].endswith(f"/experiments/{experiment.id}")
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", f"#{experiment.id} browser sweep")
    runs = store.experiments.runs(experiment.id)
    assert len(runs) == 6 and {run.seed for run in runs} == {0, 1, 2}

    # The page fills while the worker trains: both groups end with their three seeds.
    until(lambda: _table_text(dash_duo).count("3 / 3") == 2, timeout=120)
    assert "alpha=0.1" in _table_text(dash_duo) and "alpha=0.5" in _table_text(dash_duo)
    until(lambda: "alpha=0.5" in _chart(dash_duo, "return")["names"], timeout=10)
    plain = _chart(dash_duo, "return")["names"]
    assert plain.count("alpha=0.1 band high") == 1 and not any("seed" in n for n in plain)

    # Seed lines, then another centre and band.
    dash_duo.find_element(f"#{ids.EXP_SEEDS}").click()
    until(lambda: sum("seed" in n for n in _chart(dash_duo, "return")["names"]) == 6, 10)
    _choose(dash_duo, ids.EXP_CENTRE, "median")
    _choose(dash_duo, ids.EXP_BAND, "std")
    until(lambda: "median, band std" in _chart(dash_duo, "return")["title"], timeout=10)
    query = parse_qs(urlparse(dash_duo.driver.current_url).query)
    assert (query["centre"], query["band"], query["seeds"]) == (["median"], ["std"], ["1"])
    shared = dash_duo.driver.current_url

    # The shareable URL in a new page shows the same view.
    first_tab = dash_duo.driver.current_window_handle
    dash_duo.driver.switch_to.new_window("tab")
    dash_duo.driver.get(shared)
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", f"#{experiment.id} browser sweep")
    until(lambda: "median, band std" in _chart(dash_duo, "return")["title"], timeout=20)
    assert _checked(dash_duo, ids.EXP_CENTRE) == "median"
    assert _checked(dash_duo, ids.EXP_BAND) == "std" and _seeds_on(dash_duo)
    assert sum("seed" in n for n in _chart(dash_duo, "return")["names"]) == 6
    assert dash_duo.get_logs() == []
    dash_duo.driver.close()
    dash_duo.driver.switch_to.window(first_tab)

    # The results table downloads with what the page shows.
    dash_duo.find_element(f"#{ids.EXP_TABLE_CSV}").click()
    path = Path(dash_duo.download_path) / f"gridlab-experiment-{experiment.id}-table.csv"
    until(lambda: path.exists() and path.stat().st_size > 0, timeout=10)
    lines = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [(line["label"], line["seeds_finished"]) for line in lines] == [
        ("alpha=0.1", "3"),
        ("alpha=0.5", "3"),
    ]
    assert all(
        float(line["iqm_low"]) <= float(line["iqm"]) <= float(line["iqm_high"]) for line in lines
    )

    # Its runs, on the runs page filtered by the experiment (and saying so in the URL).
    dash_duo.find_element(f"#{ids.EXP_RUNS_LINK}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Runs")
    until(lambda: len(_grid_rows(dash_duo)) == 6, timeout=10)
    assert set(_grid_rows(dash_duo)) == {str(run.id) for run in runs}
    assert f"experiment={experiment.id}" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def _grid_rows(dash_duo) -> list[str]:
    """Return the row ids the runs grid shows."""
    return dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('#{ids.RUNS_GRID} .ag-center-cols-container"
        " .ag-row')].map(row => row.getAttribute('row-id'))"
    )
