"""The browser path works end to end: real Chromium renders a page the app serves."""

from __future__ import annotations

from app import ids
from app.factory import create_app


def test_runs_page_renders_offline(dash_duo, tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Runs")
    assert dash_duo.find_element(".navbar-brand").text == "gridlab"
    # The Bootstrap theme is served from assets/, never from a CDN.
    links = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    assert any("/assets/00-bootstrap" in href for href in links), links
    assert all(href.startswith(dash_duo.server_url) for href in links), links
    assert dash_duo.get_logs() == []
