"""The figures' colours in the dashboard's light and dark themes.

The page's own colours come from Bootstrap (``assets/theme.js`` switches its dark theme with
the system preference); Plotly draws its colours into each figure, so a figure built for the
dark theme gets ``DARK``'s backgrounds, text and grid lines (``themed``). The light theme is
Plotly's own look, unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

import plotly.graph_objects as go

THEMES = ("light", "dark")
"""The themes a page can be in (``ids.THEME`` holds one)."""
_AXIS = {"gridcolor": "#495057", "zerolinecolor": "#6c757d", "linecolor": "#6c757d"}
DARK: dict[str, Any] = {
    "paper_bgcolor": "#212529",
    "plot_bgcolor": "#2b3035",
    "font": {"color": "#dee2e6"},
    "template": {"layout": {"xaxis": _AXIS, "yaxis": _AXIS}},
}
"""Layout values of a dark figure: Bootstrap's dark body and secondary backgrounds and text,
its border greys for every axis's lines."""

Figure = TypeVar("Figure", dict[str, Any], go.Figure)


def is_dark(theme: object) -> bool:
    """Return whether the theme store's value asks for the dark theme (else light)."""
    return theme == "dark"


def themed(figure: Figure, theme: object) -> Figure:
    """Return ``figure`` drawn for ``theme`` (the same figure, changed in place).

    Args:
        figure: a figure dict (``{"data", "layout"}``) or a ``go.Figure``.
        theme: ``"dark"``, or anything else for the light theme (left as it is).

    Returns:
        ``figure``: dark backgrounds, text and grid lines for the dark theme, over any set
        explicitly.
    """
    if not is_dark(theme):
        return figure
    if isinstance(figure, go.Figure):
        figure.update_layout(**DARK)
    else:
        layout = figure.setdefault("layout", {})
        layout.update({**DARK, "font": {**layout.get("font", {}), **DARK["font"]}})
    return figure
