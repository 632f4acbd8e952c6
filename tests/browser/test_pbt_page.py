"""The PBT page in a real browser: opened on a population before it trains, it shows an
exploit edge appear in the lineage while real worker processes train it."""

from __future__ import annotations

import json

from dash.testing.wait import until

from app import ids
from app.experiments.launch import launch_experiment
from app.factory import create_app
from app.training import WorkerPool
from runstore import RunStore
from tests.trainer.support import FAST

REQUEST = {
    "method": "pbt",
    "population": 4,
    "interval": 200,
    "base": {"episodes": 2000},
    "space": {"alpha": {"low": 0.01, "high": 1, "scale": "log"}},
    "sync_seconds": 30,
}


def _edges(dash_duo) -> list:
    """Return the x values of the lineage figure's exploit trace as Plotly holds them."""
    return json.loads(
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('#{ids.PBT_LINEAGE} .js-plotly-plot');"
            "if (!g || !g.data) return '[]';"
            "const t = g.data.find(d => (d.name || '').startsWith('exploits'));"
            "return JSON.stringify(t ? t.x : []);"
        )
    )


def test_an_exploit_edge_appears_while_the_population_trains(dash_duo, store_url):
    store = RunStore(store_url)
    experiment = launch_experiment(store, REQUEST)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/experiments/{experiment.id}")
    dash_duo.wait_for_element(f"#{ids.EXP_PBT_LINK}").click()  # the experiment page links it
    dash_duo.wait_for_text_to_equal(f"#{ids.PBT_EXPLOIT_COUNT}", "0 exploits so far")
    dash_duo.wait_for_contains_text(f"#{ids.PBT_SUMMARY}", "4 members (4 queued)")
    assert _edges(dash_duo) == []
    with WorkerPool(store_url, 4, settings=FAST):
        until(lambda: _edges(dash_duo), timeout=120)
    count = dash_duo.find_element(f"#{ids.PBT_EXPLOIT_COUNT}").text
    assert count != "0 exploits so far"
    first = store.exploits.of_experiment(experiment.id)[0]
    assert first.episode + 1 in _edges(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ids.PBT_EXPLOITS}", f"copied run {first.source_run_id}")
    assert dash_duo.find_element(f"#{ids.PBT_SCHEDULE} .js-plotly-plot")
    assert dash_duo.get_logs() == []
    store.close()


def test_a_missing_experiment_gets_a_notice(dash_duo, store_url):
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/experiments/99/pbt")
    dash_duo.wait_for_contains_text(f"#{ids.PBT_MISSING}", "Experiment 99 is not a PBT")
    assert dash_duo.get_logs() == []
