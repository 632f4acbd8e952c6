"""PBT figures (plain Plotly dicts): the population's curves, the lineage tree over
episodes, and the learned schedule along the best member's ancestry over the population's
spread."""

from __future__ import annotations

from typing import Any

from app.figures.curves import color_for
from app.views.pbt import PbtView, value_at

UIREVISION = "pbt"
"""Zoom and legend clicks survive the live redraws."""
BAND_COLOR = "rgba(31,119,180,0.15)"


def _label(view: PbtView, run_id: int) -> str:
    """Return a member's legend name: its number and run id."""
    number = next((run.trial for run in view.members if run.id == run_id), None)
    return f"member {number} (run {run_id})"


def _rows(view: PbtView) -> dict[int, int]:
    """Return each member's row of the lineage plot: its number."""
    return {
        run.id: run.trial if run.trial is not None else index
        for index, run in enumerate(view.members)
    }


def curves_figure(view: PbtView) -> dict[str, Any]:
    """Return the members' mean-return curves, one line each (the best one thicker)."""
    traces = []
    for index, run in enumerate(view.members):
        curve = view.curves[run.id]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _label(view, run.id),
                "x": curve["episode"],
                "y": curve["mean"],
                "line": {"color": color_for(index), "width": 3 if run.id == view.best else 1.5},
            }
        )
    layout = {
        "title": {"text": "Population: mean return"},
        "xaxis": {"title": {"text": "episode"}},
        "yaxis": {"title": {"text": "return"}},
        "uirevision": UIREVISION,
        "margin": {"t": 40},
    }
    return {"data": traces, "layout": layout}


def lineage_figure(view: PbtView) -> dict[str, Any]:
    """Return the lineage tree: a line per member over its episodes, and an edge from the
    source's checkpoint to the member at every exploit."""
    rows = _rows(view)
    traces: list[dict[str, Any]] = []
    for index, run in enumerate(view.members):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _label(view, run.id),
                "x": [0, run.episodes_done],
                "y": [rows[run.id]] * 2,
                "line": {"color": color_for(index), "width": 4 if run.id == view.best else 2},
                "hoverinfo": "name",
            }
        )
    xs: list[Any] = []
    ys: list[Any] = []
    texts: list[Any] = []
    for exploit in view.exploits:
        text = (
            f"run {exploit.run_id} copied run {exploit.source_run_id} at episode"
            f" {exploit.source_episode}; continued at {exploit.episode + 1}"
        )
        xs += [exploit.source_episode, exploit.episode + 1, None]
        ys += [rows.get(exploit.source_run_id), rows.get(exploit.run_id), None]
        texts += [text, text, None]
    traces.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"exploits ({len(view.exploits)})",
            "x": xs,
            "y": ys,
            "text": texts,
            "hoverinfo": "text",
            "line": {"color": "#444", "width": 1.5, "dash": "dot"},
            "marker": {"symbol": "arrow", "angleref": "previous", "size": 11},
        }
    )
    layout = {
        "title": {"text": "Lineage: who copied whom"},
        "xaxis": {"title": {"text": "episode"}},
        "yaxis": {"title": {"text": "member"}, "dtick": 1},
        "uirevision": UIREVISION,
        "margin": {"t": 40},
    }
    return {"data": traces, "layout": layout}


def schedule_figure(view: PbtView) -> dict[str, Any]:
    """Return each hyperparameter's value over episodes along the best member's ancestry
    (a step line) over the population's min-max band, one panel per hyperparameter."""
    traces: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "title": {"text": "Learned schedule (ancestry of the best member)"},
        "uirevision": UIREVISION,
        "height": 220 * max(1, len(view.parameters)),
        "margin": {"t": 40},
        "showlegend": False,
    }
    episodes = _episodes(view)
    count = max(1, len(view.parameters))
    for index, name in enumerate(view.parameters):
        axis = "" if index == 0 else str(index + 1)
        axes = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        low, high = _band(view, episodes, name)
        edge = {"width": 0, "shape": "hv"}
        traces.append(
            {"type": "scatter", "x": episodes, "y": high, "line": edge, "hoverinfo": "skip", **axes}
        )
        traces.append(
            {
                "type": "scatter",
                "x": episodes,
                "y": low,
                "line": edge,
                "fill": "tonexty",
                "fillcolor": BAND_COLOR,
                "name": f"{name}: population",
                **axes,
            }
        )
        xs, ys = _along_ancestry(view, name)
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "line": {"shape": "hv", "color": color_for(0), "width": 2.5},
                "name": f"{name}: best member's ancestry",
                **axes,
            }
        )
        top = 1 - index / count
        layout[f"yaxis{axis}"] = {
            "domain": [max(0.0, top - 1 / count + 0.06), top],
            "title": {"text": name},
        }
        layout[f"xaxis{axis}"] = {"anchor": f"y{axis}", **({"matches": "x"} if index else {})}
    return {"data": traces, "layout": layout}


def _episodes(view: PbtView) -> list[int]:
    """Return the episodes a schedule changes at (any member's), and the last one."""
    found = {1}
    for steps in view.histories.values():
        found.update(first for first, _ in steps)
    found.add(max((run.episodes_done for run in view.members), default=1) or 1)
    return sorted(found)


def _band(view: PbtView, episodes: list[int], name: str) -> tuple[list[Any], list[Any]]:
    """Return the population's lowest and highest value of ``name`` at each episode."""
    low, high = [], []
    for episode in episodes:
        values = [value_at(steps, episode, name) for steps in view.histories.values()]
        numbers = [value for value in values if isinstance(value, (int, float))]
        low.append(min(numbers) if numbers else None)
        high.append(max(numbers) if numbers else None)
    return low, high


def _along_ancestry(view: PbtView, name: str) -> tuple[list[int], list[Any]]:
    """Return the step points of ``name`` along the best member's ancestry."""
    xs: list[int] = []
    ys: list[Any] = []
    for segment in view.ancestry:
        steps = view.histories.get(segment.member, [(1, {})])
        points = {segment.start + 1} | {
            first for first, _ in steps if segment.start + 1 < first <= segment.end
        }
        for episode in sorted(points):
            xs.append(episode)
            ys.append(value_at(steps, episode, name))
    if view.ancestry and xs:
        xs.append(view.ancestry[-1].end)
        ys.append(ys[-1])
    return xs, ys
