"""The run page's view settings (x axis, smoothing, log y, bands, zoom), kept in its URL.

``/runs/7?x=env_steps&smooth=0.8&logy=1&bands=0&zoom=1200,3400`` reopens the page as it was
left: the page writes its controls into the address bar (``assets/run-page.js``) in
``QUERY_KEYS`` order, and its layout reads them back with ``view_from``. A missing or
unreadable value takes its default, as on the compare page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.figures.curves import X_MODES
from app.views.query import MAX_SMOOTH, choice, number_in

QUERY_KEYS = ("x", "smooth", "logy", "bands", "zoom")
"""The query string's keys, in the order the page writes them."""


@dataclass(frozen=True)
class RunView:
    """How the run page draws its curves."""

    x_mode: str = "episode"
    smooth: float = 0.6
    log_y: bool = False
    bands: bool = True
    zoom: tuple[float, float] | None = None
    """A zoomed x range on ``x_mode``'s axis, or None for the whole run."""

    def zoom_data(self) -> dict[str, Any] | None:
        """Return the zoom as the page's zoom store holds it (``views.zoom.window_of``)."""
        if self.zoom is None:
            return None
        return {"x_mode": self.x_mode, "x0": self.zoom[0], "x1": self.zoom[1]}


def _flag(raw: object, default: bool) -> bool:
    """Return a ``1``/``0`` query value as a switch's state (``default`` when absent)."""
    return default if raw is None else str(raw) != "0"


def _zoom(raw: object) -> tuple[float, float] | None:
    """Return a ``x0,x1`` query value as an ascending range, or None unless it is two
    finite, different numbers."""
    parts = str(raw).split(",") if raw is not None else []
    if len(parts) != 2:
        return None
    x0, x1 = (number_in(part, math.nan, -math.inf, math.inf) for part in parts)
    if not (math.isfinite(x0) and math.isfinite(x1)) or x0 == x1:
        return None
    return min(x0, x1), max(x0, x1)


def view_from(query: Mapping[str, object]) -> RunView:
    """Return the view a run page's query string asks for (``QUERY_KEYS``).

    Returns:
        The settings; a missing or unreadable value takes its default, the smoothing is
        clipped to what the slider allows.
    """
    default = RunView()
    return RunView(
        x_mode=choice(query.get("x"), X_MODES, default.x_mode),
        smooth=number_in(query.get("smooth"), default.smooth, 0.0, MAX_SMOOTH),
        log_y=_flag(query.get("logy"), default.log_y),
        bands=_flag(query.get("bands"), default.bands),
        zoom=_zoom(query.get("zoom")),
    )
