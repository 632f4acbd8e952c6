"""Make the README's screenshots: a seeded demo store, the dashboard, headless Chromium.

    .venv/bin/python tests/screenshots/make_screenshots.py

Seeds a fresh SQLite store in a temporary directory with real trained runs (the trainer in
this process, so checkpoints carry Q-tables and optimality figures) and one long synthetic
run, serves the dashboard on a free local port, and saves one PNG per page next to this file
(and the run page once more in the dark theme).
Uses Debian's chromium and chromedriver, as the browser tests do; nothing leaves the machine.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.demo

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from app import ids
from app.factory import create_app
from runstore import RunStore
from tests.demo import add_synthetic_run, add_trained_run

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1400, 1000


def seed(store: RunStore) -> dict[str, int]:
    """Fill the store with the runs the screenshots show.

    Returns:
        Run ids by role: ``slow`` and ``fast`` (trained, medium preset), ``long`` (synthetic).
    """
    slow = add_trained_run(
        store, preset="medium", episodes=3000, checkpoint_every=150, name="medium α=0.1", alpha=0.1
    )
    fast = add_trained_run(
        store, preset="medium", episodes=3000, checkpoint_every=150, name="medium α=0.4", alpha=0.4
    )
    long = add_synthetic_run(store, 300_000, name="long run", status="running", target=1_000_000)
    store.request_params(long, {"epsilon": 0.2}, "ui")
    store.take_pending_params(long, 300_001)
    return {"slow": slow, "fast": fast, "long": long}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser() -> webdriver.Chrome:
    """Return headless Chromium at the screenshot size, with no background networking."""
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def prefer_dark(driver: webdriver.Chrome) -> None:
    """Make the browser report ``prefers-color-scheme: dark`` (the dashboard follows it)."""
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )


def shoot(driver: webdriver.Chrome, url: str, name: str, ready: str) -> None:
    """Open ``url``, wait for the CSS selector ``ready`` and a moment more, save ``name``.png."""
    driver.get(url)
    WebDriverWait(driver, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ready))
    )
    time.sleep(2.5)  # let the graphs finish their first draw
    driver.save_screenshot(str(HERE / f"{name}.png"))
    print(f"saved {HERE / name}.png")


def main() -> None:
    """Seed, serve, and save one screenshot per page."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        store = RunStore(url)
        runs = seed(store)
        app = create_app(url)
        port = free_port()
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        driver = browser()
        try:
            shoot(driver, f"{base}/", "runs", f"#{ids.RUNS_GRID} .ag-row")
            curve = f"#{ids.run_curve('return')} .main-svg"
            shoot(driver, f"{base}/runs/{runs['long']}", "run", curve)
            pair = f"{runs['slow']},{runs['fast']}"
            shoot(driver, f"{base}/compare?runs={pair}", "compare", f"#{ids.COMPARE_PARAMS} table")
            policy = f"#{ids.POLICY_MAP} .main-svg"
            shoot(driver, f"{base}/runs/{runs['fast']}/policy", "policy", policy)
            prefer_dark(driver)  # as a system set to dark mode does
            shoot(driver, f"{base}/runs/{runs['long']}", "run-dark", curve)
        finally:
            driver.quit()
            server.shutdown()
            store.close()


if __name__ == "__main__":
    main()
