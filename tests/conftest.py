"""Test settings and fixtures shared by every suite (a suite's own conftest may override)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options

from app.training import WorkerPool
from runstore import RunStore
from tests.dash_server import GracefulRunner
from tests.postgres import postgres_server  # noqa: F401  (the fixture)
from tests.store_template import open_store
from tests.trainer.support import FAST

# Two of Hypothesis's health checks fail tests at random whose code is fine: "too slow" times
# data generation by the wall clock (a shared, loaded machine), and "data too large" counts
# examples that outgrow its buffer, which the store's property tests do by design (columns
# of 1,200 floats, so that batches cross blocks of 1,000): the rollup test failed 2 runs in 6.
settings.register_profile(
    "gridlab", suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("gridlab")

# A suite started as a background job of a non-interactive shell starts with SIGINT ignored,
# and every process it launches would inherit that: a worker or dashboard the tests Ctrl-C
# would never hear it. Ctrl-C is handled as in a terminal, however the suite was started
# (a child gets the default action back when it starts: handlers are not inherited).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ARTIFACTS_ENV = "GRIDLAB_TEST_ARTIFACTS"
"""Names the folder for screenshots of failing browser tests (tests/run.sh sets it)."""


def pytest_setup_options() -> Options:
    """Return the Chrome options dash[testing] starts headless Chromium with."""
    options = Options()
    options.add_argument("--window-size=1280,1024")
    options.add_argument("--disable-background-networking")
    options.add_argument("--disable-component-update")
    options.add_argument("--disable-sync")
    # exact heap figures and window.gc() for the memory check of the live page
    options.add_argument("--enable-precise-memory-info")
    options.add_argument("--js-flags=--expose-gc")
    return options


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Return the test's report; first save a screenshot if a browser test failed.

    dash[testing] saves one too, in /tmp/dash_artifacts, which every checkout on the machine
    shares; this one goes to ``$GRIDLAB_TEST_ARTIFACTS/<test name>.png`` when that is set.
    """
    report = yield
    folder = os.environ.get(ARTIFACTS_ENV)
    dash_duo = getattr(item, "funcargs", {}).get("dash_duo")
    if folder and dash_duo is not None and report.when == "call" and report.failed:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.\[\]-]", "_", item.name)
        with contextlib.suppress(WebDriverException):  # the browser itself may be gone
            dash_duo.driver.save_screenshot(str(Path(folder) / f"{name}.png"))
    return report


@pytest.fixture
def dash_thread_server() -> Iterator[GracefulRunner]:
    """Yield the server ``dash_duo`` starts apps on (replaces dash[testing]'s fixture).

    Its ``stop()`` shuts the server down and joins its threads instead of raising
    ``SystemExit`` in them (see tests/dash_server.py).
    """
    with GracefulRunner() as runner:
        yield runner


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """Return the URL of a fresh SQLite store file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the file of a new, empty SQLite store, made once per test process: a test's
    store starts as a copy of it (``open_store``), which takes 4 ms where making one (its
    tables, indexes and migration stamp) takes 20."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite"
    RunStore(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store(store_url: str, store_template: Path) -> Iterator[RunStore]:
    """Yield an open RunStore over ``store_url``; close it afterwards."""
    opened = open_store(store_url, store_template)
    yield opened
    opened.close()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """Return the URL of a fresh, empty database on the session's PostgreSQL server."""
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture
def pool(store_url: str) -> Iterator[WorkerPool]:
    """Yield a worker pool of two slots over ``store_url`` with fast flushes; shut it down
    afterwards (its runs go back to the queue)."""
    with WorkerPool(store_url, 2, settings=FAST) as started:
        yield started
