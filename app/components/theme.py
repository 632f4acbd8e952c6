"""The dashboard's theme store: "light" or "dark", as the system preference says.

The frame holds the store (``theme_store``); ``assets/theme.js`` fills it when the page loads
and on every change of ``prefers-color-scheme`` (the callback ``init_app`` registers), and
the callbacks that draw figures take it as an input (``figures.theme.themed``).
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, dcc

from app import ids


def theme_store() -> dcc.Store:
    """Return the store of the page's theme (filled in the browser)."""
    return dcc.Store(id=ids.THEME, data=None)


def init_app(app: dash.Dash) -> None:
    """Register on ``app`` the browser-side callback that fills the theme store (on the app
    itself: the frame is built once per app, unlike the pages' modules)."""
    app.clientside_callback(
        ClientsideFunction("theme", "follow"),
        Output(ids.THEME, "data"),
        Input(ids.THEME, "id"),
    )
