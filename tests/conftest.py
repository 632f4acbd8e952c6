"""Test settings shared by every suite."""

from __future__ import annotations

from selenium.webdriver.chrome.options import Options


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
