"""Crafted Dash callback requests (values no page would send): each is answered with a clear
message at the right place or with no update, never a 500, and the store is left exactly as
it was.

Status 204 in the table means no update: Dash answers 204 when a callback prevents the
update, and 200 with an empty response when a one-output callback returns ``no_update``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from app import ids
from tests.api.dash_calls import dash_call
from tests.dashboard_support import snapshot

HUGE = 10**30
EVIL_NAME = "a\ud800b"
NO_ZOOM = "no zoom"
GREEDY_NOTE = "greedy rollout of the checkpoint at episode"

Values = Callable[[Any], dict[str, Any]]
"""The request's values for the seeded runs (``runs.running`` ...)."""


def _running(r: Any) -> int:
    return r.running


def _id(run: object, r: Any) -> object:
    """Return the run id a case sends: ``run(r)`` for a seeded run, else ``run`` as it is."""
    return run(r) if callable(run) else run


def _rows(request: object, run: object) -> tuple[str, Values, str]:
    return (
        f"{ids.EPISODES_GRID}.getRowsResponse",
        lambda r: {
            f"{ids.EPISODES_GRID}.getRowsRequest": request,
            f"{ids.EPISODES_RUN}.data": _id(run, r),
        },
        f"{ids.EPISODES_GRID}.getRowsRequest",
    )


def _runs_rows(request: object, **filters: object) -> tuple[str, Values, str]:
    return (
        f"{ids.RUNS_GRID}.getRowsResponse",
        lambda r: {
            f"{ids.RUNS_GRID}.getRowsRequest": request,
            **{f"runs-{name}.value": value for name, value in filters.items()},
        },
        f"{ids.RUNS_GRID}.getRowsRequest",
    )


def _block(**parts: object) -> dict[str, object]:
    return {"startRow": 0, "endRow": 100, **parts}


def _text_filter(column: object, **spec: object) -> dict[str, object]:
    return {"filterModel": {column: {"filterType": "text", "type": "contains", **spec}}}


def _jump(value: object, run: object = _running) -> tuple[str, Values, str]:
    return (
        f"{ids.EPISODES_JUMP}.invalid",
        lambda r: {
            f"{ids.EPISODES_GO}.n_clicks": 1,
            f"{ids.EPISODES_JUMP}.value": value,
            f"{ids.EPISODES_RUN}.data": _id(run, r),
        },
        f"{ids.EPISODES_GO}.n_clicks",
    )


def _control(run: object, changed: str = f"{ids.RUN_PAUSE}.n_clicks") -> tuple[str, Values, str]:
    return (
        f"{ids.RUN_ACTION_MESSAGE}.children",
        lambda r: {changed: 1, f"{ids.RUN_ID}.data": _id(run, r)},
        changed,
    )


def _status(run: object) -> tuple[str, Values, str]:
    return (
        f"{ids.RUN_STATUS}.children",
        lambda r: {f"{ids.RUN_REFRESH}.n_intervals": 3, f"{ids.RUN_ID}.data": run},
        f"{ids.RUN_REFRESH}.n_intervals",
    )


def _curves(zoom: object = None, run: object = _running, **controls: object) -> tuple:
    values = {
        f"{ids.RUN_X}.value": controls.get("x", "episode"),
        f"{ids.RUN_SMOOTH}.value": controls.get("smooth", 0.6),
        f"{ids.RUN_LOGY}.value": controls.get("logy", False),
        f"{ids.RUN_BANDS}.value": controls.get("bands", True),
        f"{ids.RUN_ZOOM}.data": zoom,
    }
    return (
        f"{ids.run_curve('return')}.figure",
        lambda r: {**values, f"{ids.RUN_ID}.data": _id(run, r)},
        f"{ids.RUN_ZOOM}.data",
    )


def _params(typed: list[object], run: object = _running) -> tuple[str, Values, str]:
    return (
        f"{ids.RUN_PARAMS_MESSAGE}.children",
        lambda r: {
            f"{ids.RUN_PARAMS_APPLY}.n_clicks": 1,
            "run-param.value": typed + [None] * (7 - len(typed)),
            f"{ids.RUN_ID}.data": _id(run, r),
        },
        f"{ids.RUN_PARAMS_APPLY}.n_clicks",
    )


def _compare(runs: object = None, metric: object = "return", **controls: object) -> tuple:
    return (
        f"{ids.COMPARE_MAIN}.figure",
        lambda r: {
            f"{ids.COMPARE_RUNS}.value": [r.running, r.finished] if runs is None else runs,
            f"{ids.COMPARE_METRIC}.value": metric,
            f"{ids.COMPARE_X}.value": controls.get("x", "episode"),
            f"{ids.COMPARE_SMOOTH}.value": controls.get("smooth", 0.6),
            f"{ids.COMPARE_BANDS}.value": controls.get("bands", True),
        },
        f"{ids.COMPARE_METRIC}.value",
    )


def _tables(threshold: object, runs: object = None) -> tuple[str, Values, str]:
    return (
        f"{ids.COMPARE_SUMMARY}.children",
        lambda r: {
            f"{ids.COMPARE_RUNS}.value": [r.running, r.finished] if runs is None else runs,
            f"{ids.COMPARE_THRESHOLD}.value": threshold,
        },
        f"{ids.COMPARE_THRESHOLD}.value",
    )


def _download(runs: object = None, metric: object = "return", threshold: object = 0.5):
    return (
        f"{ids.COMPARE_CSV}.data",
        lambda r: {
            f"{ids.COMPARE_CSV_BUTTON}.n_clicks": 1,
            f"{ids.COMPARE_RUNS}.value": [r.running, r.finished] if runs is None else runs,
            f"{ids.COMPARE_METRIC}.value": metric,
            f"{ids.COMPARE_THRESHOLD}.value": threshold,
        },
        f"{ids.COMPARE_CSV_BUTTON}.n_clicks",
    )


def _policy_refresh(run: object, known: object = None) -> tuple[str, Values, str]:
    return (
        f"{ids.POLICY_EPISODES}.data",
        lambda r: {
            f"{ids.POLICY_REFRESH}.n_intervals": 2,
            f"{ids.POLICY_RUN}.data": _id(run, r),
            f"{ids.POLICY_EPISODES}.data": known,
        },
        f"{ids.POLICY_REFRESH}.n_intervals",
    )


def _policy(index: object, episodes: object, run: object = _running) -> tuple[str, Values, str]:
    return (
        f"{ids.POLICY_MAP}.figure",
        lambda r: {
            f"{ids.POLICY_SLIDER}.value": index,
            f"{ids.POLICY_EPISODES}.data": episodes,
            f"{ids.POLICY_RUN}.data": _id(run, r),
        },
        f"{ids.POLICY_SLIDER}.value",
    )


def _policy_links(index: object, episodes: object) -> tuple[str, Values, str]:
    return (
        f"{ids.POLICY_NPY}.href",
        lambda r: {
            f"{ids.POLICY_SLIDER}.value": index,
            f"{ids.POLICY_EPISODES}.data": episodes,
            f"{ids.POLICY_RUN}.data": r.running,
        },
        f"{ids.POLICY_SLIDER}.value",
    )


def _trajectory(value: object, run: object = _running) -> tuple[str, Values, str]:
    return (
        f"{ids.TRAJ_CAPTION}.children",
        lambda r: {f"{ids.TRAJ_PICK}.value": value, f"{ids.RUN_ID}.data": _id(run, r)},
        f"{ids.TRAJ_PICK}.value",
    )


def _trajectories(run: object, chosen: object = None, shown: object = None) -> tuple:
    return (
        f"{ids.TRAJ_PICK}.options",
        lambda r: {
            f"{ids.RUN_REVISION}.data": 5,
            f"{ids.RUN_ID}.data": _id(run, r),
            f"{ids.TRAJ_PICK}.value": chosen,
            f"{ids.TRAJ_PICK}.options": shown,
        },
        f"{ids.RUN_REVISION}.data",
    )


def _play(index: object, last: object, paused: object, changed: str = ids.POLICY_PLAY):
    prop = "n_clicks" if changed == ids.POLICY_PLAY else "n_intervals"
    return (
        f"{ids.POLICY_PLAYER}.disabled",
        lambda r: {
            f"{changed}.{prop}": 1,
            f"{ids.POLICY_SLIDER}.value": index,
            f"{ids.POLICY_SLIDER}.max": last,
            f"{ids.POLICY_PLAYER}.disabled": paused,
        },
        f"{changed}.{prop}",
    )


def _save_now(name: object, run: object = _running, changed: str = ids.RUN_CHECKPOINT_SAVE):
    prop = "n_clicks" if changed == ids.RUN_CHECKPOINT_SAVE else "n_submit"
    return (
        f"{ids.RUN_CHECKPOINT_MESSAGE}.children",
        lambda r: {
            f"{changed}.{prop}": 1,
            f"{ids.RUN_CHECKPOINT_NAME}.value": name,
            f"{ids.RUN_ID}.data": _id(run, r),
        },
        f"{changed}.{prop}",
    )


def _replay(choice: object, run: object = _running, **values: object) -> tuple:
    return (
        f"{ids.REPLAY_SCRIPT}.data",
        lambda r: {
            f"{ids.REPLAY_CHOICE}.value": choice,
            f"{ids.REPLAY_NEWEST}.data": values.get("newest"),
            f"{ids.POLICY_SLIDER}.value": values.get("index", 0),
            f"{ids.POLICY_EPISODES}.data": values.get("episodes", []),
            f"{ids.POLICY_RUN}.data": _id(run, r),
        },
        f"{ids.REPLAY_CHOICE}.value",
    )


def _replay_list(run: object, known: object = None, choice: object = "newest") -> tuple:
    return (
        f"{ids.REPLAY_CHOICE}.options",
        lambda r: {
            f"{ids.POLICY_REVISION}.data": 5,
            f"{ids.POLICY_RUN}.data": _id(run, r),
            f"{ids.REPLAY_CHOICE}.options": known,
            f"{ids.REPLAY_CHOICE}.value": choice,
        },
        f"{ids.POLICY_REVISION}.data",
    )


def _replay_step(step: object, last: object, paused: object, changed: str) -> tuple:
    prop = "n_intervals" if changed == ids.REPLAY_PLAYER else "n_clicks"
    return (
        f"{ids.REPLAY_PLAYER}.disabled",
        lambda r: {
            f"{changed}.{prop}": 1,
            f"{ids.REPLAY_STEP}.value": step,
            f"{ids.REPLAY_STEP}.max": last,
            f"{ids.REPLAY_PLAYER}.disabled": paused,
        },
        f"{changed}.{prop}",
    )


def _jump_to_named(episode: object, episodes: object) -> tuple[str, Values, str]:
    return (
        f"{ids.POLICY_SLIDER}.value@",
        lambda r: {f"{ids.POLICY_NAMED}.value": episode, f"{ids.POLICY_EPISODES}.data": episodes},
        f"{ids.POLICY_NAMED}.value",
    )


def _fork(at: object, run: object = _running) -> tuple[str, Values, str]:
    return (
        f"{ids.FORK_MESSAGE}.children",
        lambda r: {
            f"{ids.FORK_SUBMIT}.n_clicks": 1,
            f"{ids.FORK_AT}.value": at,
            f"{ids.RUN_ID}.data": _id(run, r),
        },
        f"{ids.FORK_SUBMIT}.n_clicks",
    )


def _visits(run: object, shown: object = None) -> tuple[str, Values, str]:
    return (
        f"{ids.VISITS_MAP}.figure",
        lambda r: {
            f"{ids.POLICY_REVISION}.data": 5,
            f"{ids.POLICY_RUN}.data": _id(run, r),
            f"{ids.VISITS_SHOWN}.data": shown,
        },
        f"{ids.POLICY_REVISION}.data",
    )


def _form(**fields: object) -> tuple[str, Values, str]:
    values = {f"{ids.new_field(name)}.value": value for name, value in fields.items()}
    values.setdefault(f"{ids.new_field('env')}.value", "GridWorld-v0")
    return (
        f"{ids.NEW_MESSAGE}.children",
        lambda r: {
            f"{ids.NEW_SUBMIT}.n_clicks": 1,
            **values,
            f"{ids.RUNS_VERSION}.data": fields.get("version", 0),
        },
        f"{ids.NEW_SUBMIT}.n_clicks",
    )


DEEP_MAP = "[" * 5000 + '"S"' + "]" * 5000

# (label, (output, values, changed), status, words the answer must contain)
BAD_CALLBACKS: list[tuple[str, tuple, int, list[str]]] = [
    # episode log: the grid's block requests
    ("rows-start-text", _rows({"startRow": "abc", "endRow": 100}, _running), 204, []),
    ("rows-negative", _rows({"startRow": -5, "endRow": 10}, _running), 204, []),
    ("rows-huge", _rows({"startRow": HUGE, "endRow": HUGE + 100}, _running), 204, []),
    ("rows-huge-end", _rows({"startRow": 0, "endRow": HUGE}, _running), 204, []),
    ("rows-backwards", _rows({"startRow": 10, "endRow": 5}, _running), 204, []),
    ("rows-fraction", _rows({"startRow": 1.5, "endRow": 10}, _running), 204, []),
    ("rows-bool", _rows({"startRow": True, "endRow": 5}, _running), 204, []),
    ("rows-null", _rows({"startRow": None, "endRow": None}, _running), 204, []),
    ("rows-list", _rows([1, 2], _running), 204, []),
    ("rows-text", _rows("rows please", _running), 204, []),
    ("rows-nan", _rows({"startRow": math.nan, "endRow": 10}, _running), 204, []),
    (
        "rows-junk-sort",
        _rows({"startRow": 0, "endRow": 10, "sortModel": "x"}, _running),
        200,
        ["rowData"],
    ),
    ("rows-run-huge", _rows({"startRow": 0, "endRow": 100}, HUGE), 204, []),
    ("rows-run-text", _rows({"startRow": 0, "endRow": 100}, "abc"), 204, []),
    ("rows-run-null", _rows({"startRow": 0, "endRow": 100}, None), 204, []),
    ("rows-run-missing", _rows({"startRow": 0, "endRow": 100}, 999), 204, []),
    ("rows-run-list", _rows({"startRow": 0, "endRow": 100}, [1]), 204, []),
    ("rows-run-negative", _rows({"startRow": 0, "endRow": 100}, -1), 204, []),
    # episode log: jump to an episode
    ("jump-text", _jump("abc"), 200, ["episode='abc'", "whole number"]),
    ("jump-fraction", _jump(2.5), 200, ["episode=2.5", "whole number"]),
    ("jump-huge", _jump(HUGE), 200, ["episode=", "out of range", "1 to 250"]),
    ("jump-negative", _jump(-1), 200, ["episode=-1", "1 to 250"]),
    ("jump-past-end", _jump(251), 200, ["episode=251", "1 to 250"]),
    ("jump-bool", _jump(True), 200, ["episode=True"]),
    ("jump-list", _jump([5]), 200, ["episode=[5]"]),
    ("jump-object", _jump({"a": 1}), 200, ["episode="]),
    ("jump-arabic", _jump("١٢"), 200, ["episode=", "whole number"]),
    ("jump-nan", _jump(math.nan), 200, ["episode=nan"]),
    ("jump-exponent", _jump("1e3"), 200, ["episode=1e3", "whole number"]),
    ("jump-surrogate", _jump(EVIL_NAME), 200, ["episode="]),
    ("jump-run-huge", _jump(5, HUGE), 204, []),
    ("jump-run-text", _jump(5, "abc"), 204, []),
    ("jump-run-missing", _jump(5, 999), 204, []),
    # run page: pause / resume / stop
    ("control-run-huge", _control(HUGE), 200, ["run_id=", "out of range"]),
    ("control-run-text", _control("abc"), 200, ["run_id='abc'"]),
    ("control-run-null", _control(None), 200, ["run_id=None"]),
    ("control-run-list", _control([1]), 200, ["run_id=[1]"]),
    ("control-run-missing", _control(999), 200, ["run 999 not found"]),
    (
        "control-stop-huge",
        _control(HUGE, f"{ids.RUN_STOP_CONFIRM}.submit_n_clicks"),
        200,
        ["run_id="],
    ),
    ("control-stop-unconfirmed", _control(_running, f"{ids.RUN_STOP}.n_clicks"), 204, []),
    ("control-unknown-button", _control(_running, "run-nope.n_clicks"), 204, []),
    ("control-no-button", _control(_running, ""), 204, []),
    # run page: status refresh
    ("status-run-huge", _status(HUGE), 204, []),
    ("status-run-text", _status("abc"), 204, []),
    ("status-run-list", _status([1]), 204, []),
    ("status-run-object", _status({"id": 1}), 204, []),
    ("status-run-missing", _status(999), 204, []),
    # run page: curves and zoom
    ("zoom-text", _curves({"x_mode": "episode", "x0": "abc", "x1": 5}), 200, [NO_ZOOM]),
    ("zoom-missing", _curves({"x_mode": "episode"}), 200, [NO_ZOOM]),
    ("zoom-infinite", _curves({"x_mode": "episode", "x0": 1e308, "x1": math.inf}), 200, [NO_ZOOM]),
    ("zoom-nan", _curves({"x_mode": "episode", "x0": math.nan, "x1": 5}), 200, [NO_ZOOM]),
    ("zoom-lists", _curves({"x_mode": "env_steps", "x0": [1], "x1": {"a": 1}}), 200, [NO_ZOOM]),
    ("zoom-list", _curves([1, 2]), 200, [NO_ZOOM]),
    ("zoom-text-store", _curves("zoom"), 200, [NO_ZOOM]),
    ("zoom-bools", _curves({"x_mode": "episode", "x0": True, "x1": False}), 200, [NO_ZOOM]),
    ("zoom-huge-int", _curves({"x_mode": "episode", "x0": -HUGE, "x1": HUGE}), 200, ["figure"]),
    (
        "zoom-whole-range",
        _curves({"x_mode": "episode", "x0": -1e308, "x1": 1e308}),
        200,
        ["figure"],
    ),
    ("zoom-mode-object", _curves({"x_mode": {"a": 1}, "x0": 1, "x1": 5}), 200, [NO_ZOOM]),
    (
        "curves-odd-controls",
        _curves(None, x="nope", smooth="abc", logy="x", bands=[1]),
        200,
        ["figure"],
    ),
    ("curves-run-huge", _curves(None, HUGE), 204, []),
    ("curves-run-text", _curves(None, "abc"), 204, []),
    # run page: parameter editor
    ("params-text", _params(["abc"]), 200, ["alpha='abc'", "not a number"]),
    ("params-object", _params([{"a": 1}]), 200, ["alpha=", "not a number"]),
    ("params-arabic", _params(["١"]), 200, ["alpha=", "not a number"]),
    ("params-underscore", _params(["0.1_0"]), 200, ["alpha=0.1_0", "not a number"]),
    ("params-infinite", _params([None, "1e400"]), 200, ["gamma=", "finite"]),
    ("params-long", _params(["9" * 5000]), 200, ["alpha=", "finite"]),
    ("params-bool", _params([True]), 200, ["alpha='True'"]),
    ("params-surrogate", _params([EVIL_NAME]), 200, ["alpha=", "not a number"]),
    ("params-run-huge", _params(["0.5"], HUGE), 200, ["run_id=", "out of range"]),
    ("params-run-text", _params(["0.5"], "abc"), 200, ["run_id='abc'"]),
    ("params-run-missing", _params(["0.5"], 999), 200, ["run 999 not found"]),
    # compare page: curves
    ("compare-run-huge", _compare([HUGE]), 200, ["figure"]),
    ("compare-unknown-metric", _compare(metric="nope"), 204, []),
    ("compare-null-metric", _compare(metric=None), 204, []),
    ("compare-surrogate-metric", _compare(metric=EVIL_NAME), 204, []),
    ("compare-list-metric", _compare(metric=["return"]), 204, []),
    ("compare-unknown-x", _compare(x="nope"), 204, []),
    ("compare-runs-text", _compare("abc"), 200, ["figure"]),
    ("compare-runs-objects", _compare([{"a": 1}, [2]]), 200, ["figure"]),
    ("compare-runs-many", _compare(list(range(1, 40))), 200, ["figure"]),
    ("compare-odd-smooth", _compare(smooth="abc", bands="x"), 200, ["figure"]),
    # compare page: tables and the file
    ("tables-threshold-text", _tables("abc"), 200, ["children"]),
    ("tables-threshold-inf", _tables(math.inf), 200, ["children"]),
    ("tables-threshold-list", _tables([1]), 200, ["children"]),
    ("tables-threshold-huge", _tables(HUGE), 200, ["children"]),
    ("tables-run-huge", _tables(0.5, [HUGE]), 200, ["No runs picked"]),
    ("download-unknown-metric", _download(metric="nope"), 204, []),
    ("download-threshold-text", _download(threshold="abc"), 200, ["gridlab-compare-"]),
    ("download-run-huge", _download([HUGE]), 204, []),
    ("download-metric-object", _download(metric={"a": 1}), 204, []),
    # run page: the trajectories card
    ("traj-pick-text", _trajectory("abc"), 200, ["No episode recorded yet"]),
    ("traj-pick-huge", _trajectory(HUGE), 200, ["No episode recorded yet"]),
    ("traj-pick-negative", _trajectory(-3), 200, ["No episode recorded yet"]),
    ("traj-pick-fraction", _trajectory(2.5), 200, ["No episode recorded yet"]),
    ("traj-pick-list", _trajectory([1]), 200, ["No episode recorded yet"]),
    ("traj-pick-object", _trajectory({"episode": 1}), 200, ["No episode recorded yet"]),
    ("traj-pick-bool", _trajectory(True), 200, ["No episode recorded yet"]),
    ("traj-pick-evil", _trajectory(EVIL_NAME), 200, ["No episode recorded yet"]),
    ("traj-pick-missing", _trajectory(5), 200, ["no trajectory of episode 5"]),
    ("traj-pick-missing-text", _trajectory("7"), 200, ["no trajectory of episode 7"]),
    ("traj-run-text", _trajectory(5, "abc"), 204, []),
    ("traj-run-missing", _trajectory(5, 999), 204, []),
    ("traj-run-huge", _trajectory(5, HUGE), 204, []),
    ("traj-run-list", _trajectory(5, [1]), 204, []),
    ("traj-list-run-missing", _trajectories(999), 204, []),
    ("traj-list-run-text", _trajectories("abc"), 204, []),
    ("traj-list-junk-state", _trajectories(_running, {"a": 1}, "x"), 200, ["traj-pick"]),
    # policy page
    ("policy-refresh-run-huge", _policy_refresh(HUGE), 204, []),
    ("policy-refresh-run-text", _policy_refresh("abc"), 204, []),
    ("policy-refresh-run-missing", _policy_refresh(999), 204, []),
    ("policy-refresh-known-text", _policy_refresh(_running, "x"), 200, ["policy-episodes"]),
    ("policy-index-text", _policy("abc", [250]), 200, ["checkpoint 1 of 1"]),
    ("policy-index-huge", _policy(HUGE, [250]), 200, ["checkpoint 1 of 1"]),
    ("policy-index-negative", _policy(-5, [250]), 200, ["checkpoint 1 of 1"]),
    ("policy-episodes-huge", _policy(0, [HUGE]), 200, ["checkpoint 1 of 1"]),
    ("policy-episodes-text", _policy(0, "abc"), 200, ["checkpoint 1 of 1"]),
    ("policy-episodes-objects", _policy(0, [{"a": 1}]), 200, ["checkpoint 1 of 1"]),
    ("policy-run-huge", _policy(0, [250], HUGE), 204, []),
    ("policy-run-missing", _policy(0, [250], 999), 204, []),
    ("policy-npy-index-text", _policy_links("abc", [250]), 200, ["checkpoints/250.npy"]),
    ("policy-npy-episodes-text", _policy_links(0, "abc"), 200, ["'href': None"]),
    ("policy-npy-episodes-huge", _policy_links(0, [HUGE]), 200, [f"checkpoints/{HUGE}.npy"]),
    ("policy-npy-episodes-objects", _policy_links(0, [{"a": 1}]), 200, ["checkpoints/0.npy"]),
    ("play-text", _play("x", "y", "z"), 200, ["policy-player"]),
    ("play-objects", _play([1], {"a": 1}, None, ids.POLICY_PLAYER), 200, ["policy-player"]),
    ("play-huge", _play(HUGE, HUGE, True), 200, ["policy-player"]),
    ("policy-named-text", _jump_to_named("abc", [250]), 204, []),
    ("policy-named-huge", _jump_to_named(HUGE, [250]), 204, []),
    ("policy-named-list", _jump_to_named([250], [250]), 204, []),
    ("policy-named-episodes-text", _jump_to_named(250, "x"), 204, []),
    ("policy-named-episodes-object", _jump_to_named(250, {"a": 250}), 204, []),
    # run page: save checkpoint now
    ("save-now-empty", _save_now("  "), 200, ["Type a name first."]),
    ("save-now-null", _save_now(None, changed=ids.RUN_CHECKPOINT_NAME), 200, ["Type a name"]),
    ("save-now-digit", _save_now("9x"), 200, ["name='9x'", "starts with '9'"]),
    ("save-now-latest", _save_now("latest"), 200, ["'latest' names"]),
    ("save-now-space", _save_now("a b"), 200, ["holds ' '"]),
    ("save-now-long", _save_now("n" * 65), 200, ["65 characters"]),
    ("save-now-list", _save_now(["a"]), 200, ["name=['a']", "not text"]),
    ("save-now-object", _save_now({"a": 1}), 200, ["not text"]),
    ("save-now-number", _save_now(5), 200, ["name=5", "not text"]),
    ("save-now-surrogate", _save_now(EVIL_NAME), 200, ["name=", "holds"]),
    ("save-now-control", _save_now("a\x07"), 200, ["name=", "holds"]),
    ("save-now-run-huge", _save_now("good", HUGE), 200, ["run_id=", "out of range"]),
    ("save-now-run-text", _save_now("good", "abc"), 200, ["run_id='abc'"]),
    ("save-now-run-missing", _save_now("good", 999), 200, ["run 999 not found"]),
    # run page: the fork card, at a name
    ("fork-at-unknown-name", _fork("nope"), 200, ["no checkpoint named 'nope'"]),
    ("fork-at-bad-name", _fork("x y"), 200, ["at='x y'", "holds ' '"]),
    ("fork-at-list", _fork([1]), 200, ["at=[1]", "a checkpoint episode"]),
    ("fork-at-object", _fork({"a": 1}), 200, ["at=", "a checkpoint episode"]),
    # runs page: the grid's block requests (sort and filter done in SQL)
    ("runs-rows-text", _runs_rows("rows please"), 204, []),
    ("runs-rows-list", _runs_rows([0, 100]), 204, []),
    ("runs-rows-negative", _runs_rows({"startRow": -1, "endRow": 100}), 204, []),
    ("runs-rows-backwards", _runs_rows({"startRow": 50, "endRow": 10}), 204, []),
    ("runs-rows-huge", _runs_rows({"startRow": HUGE, "endRow": HUGE + 5}), 204, []),
    ("runs-rows-nan", _runs_rows({"startRow": math.nan, "endRow": 10}), 204, []),
    ("runs-rows-far", _runs_rows({"startRow": 10_000, "endRow": 10_100}), 200, ["rowCount"]),
    ("runs-rows-wide", _runs_rows({"startRow": 0, "endRow": 10**9}), 200, ["rowData"]),
    ("runs-sort-text", _runs_rows(_block(sortModel="name")), 200, ["rowData"]),
    (
        "runs-sort-unknown",
        _runs_rows(_block(sortModel=[{"colId": "x", "sort": "asc"}])),
        200,
        ["rowData"],
    ),
    (
        "runs-sort-sql",
        _runs_rows(_block(sortModel=[{"colId": "id;drop", "sort": "asc"}])),
        200,
        ["rowData"],
    ),
    (
        "runs-sort-direction",
        _runs_rows(_block(sortModel=[{"colId": "name", "sort": "up"}])),
        200,
        ["rowData"],
    ),
    (
        "runs-sort-objects",
        _runs_rows(_block(sortModel=[[1], None, {"colId": [1]}])),
        200,
        ["rowData"],
    ),
    ("runs-filter-list", _runs_rows(_block(filterModel=[1, 2])), 200, ["rowData"]),
    (
        "runs-filter-unknown",
        _runs_rows(_block(**_text_filter("nope", filter="a"))),
        200,
        ["rowData"],
    ),
    ("runs-filter-number", _runs_rows(_block(**_text_filter("name", filter=5))), 200, ["rowData"]),
    ("runs-filter-no-value", _runs_rows(_block(**_text_filter("name"))), 200, ["rowData"]),
    (
        "runs-filter-like",
        _runs_rows(_block(**_text_filter("name", filter="%_'\\"))),
        200,
        ["rowCount': 0"],
    ),
    (
        "runs-filter-surrogate",
        _runs_rows(_block(**_text_filter("name", filter=EVIL_NAME))),
        200,
        ["rowData"],
    ),
    (
        "runs-filter-huge",
        _runs_rows(_block(**_text_filter("name", filter="x" * 100_000))),
        200,
        ["rowData"],
    ),
    (
        "runs-filter-op",
        _runs_rows(_block(**_text_filter("name", type="exec", filter="a"))),
        200,
        ["rowData"],
    ),
    (
        "runs-filter-number-text",
        _runs_rows(
            _block(
                filterModel={"episodes": {"filterType": "number", "type": "equals", "filter": "1"}}
            )
        ),
        200,
        ["rowData"],
    ),
    (
        "runs-filter-range-open",
        _runs_rows(
            _block(
                filterModel={"episodes": {"filterType": "number", "type": "inRange", "filter": 1}}
            )
        ),
        200,
        ["rowData"],
    ),
    (
        "runs-filter-deep",
        _runs_rows(
            _block(
                filterModel={
                    "name": {
                        "filterType": "text",
                        "operator": "XOR",
                        "conditions": [{"filterType": "text", "type": "contains", "filter": "a"}]
                        * 3,
                    }
                }
            )
        ),
        200,
        ["rowData"],
    ),
    ("runs-rows-experiment-text", _runs_rows(_block(), experiment="abc"), 200, ["rowData"]),
    ("runs-rows-tag-list", _runs_rows(_block(), tag=["x"]), 200, ["rowData"]),
    ("runs-rows-archived-text", _runs_rows(_block(), **{"show-archived": "yes"}), 200, ["rowData"]),
    # policy page: the Replay card and the visit maps
    ("replay-choice-text", _replay("abc"), 200, ["episode='abc'", "whole number"]),
    ("replay-choice-zero", _replay(0), 200, ["episode=0"]),
    ("replay-choice-fraction", _replay(1.5), 200, ["episode=1.5"]),
    ("replay-choice-bool", _replay(True), 200, ["episode=True"]),
    ("replay-choice-list", _replay([1]), 200, ["episode=[1]"]),
    ("replay-choice-object", _replay({"a": 1}), 200, ["episode="]),
    ("replay-choice-huge", _replay(HUGE), 200, ["episode=", "out of range"]),
    ("replay-choice-surrogate", _replay(EVIL_NAME), 200, ["episode="]),
    ("replay-choice-unrecorded", _replay(5), 200, ["no trajectory of episode 5"]),
    ("replay-newest-text", _replay("newest", newest="x"), 200, ["no recorded episode yet"]),
    ("replay-newest-huge", _replay("newest", newest=HUGE), 200, ["no recorded episode yet"]),
    ("replay-greedy-index-text", _replay("greedy", index="abc"), 200, [GREEDY_NOTE]),
    ("replay-greedy-index-huge", _replay("greedy", index=HUGE), 200, [GREEDY_NOTE]),
    ("replay-greedy-index-list", _replay("greedy", index=[3]), 200, [GREEDY_NOTE]),
    ("replay-run-huge", _replay("newest", HUGE), 204, []),
    ("replay-run-text", _replay("newest", "abc"), 204, []),
    ("replay-run-missing", _replay("greedy", 999), 204, []),
    ("replay-list-run-huge", _replay_list(HUGE), 204, []),
    ("replay-list-run-missing", _replay_list(999), 204, []),
    ("replay-list-known-text", _replay_list(_running, "x"), 200, ["greedy rollout"]),
    ("replay-list-choice-object", _replay_list(_running, None, {"a": 1}), 200, ["newest"]),
    ("replay-list-choice-gone", _replay_list(_running, None, 77), 200, ["no longer stored"]),
    ("replay-step-text", _replay_step("x", "y", "z", ids.REPLAY_NEXT), 200, ["replay-player"]),
    (
        "replay-step-objects",
        _replay_step([1], {"a": 1}, None, ids.REPLAY_PLAYER),
        200,
        ["replay-player"],
    ),
    ("replay-step-huge", _replay_step(HUGE, HUGE, True, ids.REPLAY_PLAY), 200, ["replay-step"]),
    ("visits-run-huge", _visits(HUGE), 204, []),
    ("visits-run-text", _visits("abc"), 204, []),
    ("visits-run-missing", _visits(999), 204, []),
    ("visits-shown-text", _visits(_running, "x"), 200, ["no recorded episodes yet"]),
    # runs page: the new-run form
    ("form-name-surrogate", _form(name=EVIL_NAME), 200, ["name=", "lone surrogate U+D800"]),
    ("form-name-list", _form(name=["a"]), 200, ["name=['a']", "not text"]),
    ("form-name-object", _form(name={"x": 1}), 200, ["name=", "not text"]),
    ("form-name-long", _form(name="x" * 101), 200, ["name=", "101 characters"]),
    ("form-name-bell", _form(name="bell\x07"), 200, ["name=", "U+0007"]),
    ("form-episodes-underscore", _form(episodes="1_000"), 200, ["episodes=1_000", "whole number"]),
    ("form-episodes-arabic", _form(episodes="١٠٠"), 200, ["episodes=", "whole number"]),
    ("form-episodes-list", _form(episodes=[5]), 200, ["episodes=[5]"]),
    ("form-episodes-huge", _form(episodes=HUGE), 200, ["episodes=", "out of range"]),
    ("form-alpha-text", _form(alpha="abc"), 200, ["alpha='abc'"]),
    ("form-alpha-object", _form(alpha={"a": 1}), 200, ["alpha="]),
    ("form-alpha-arabic", _form(alpha="٠.٥"), 200, ["alpha=", "not a number"]),
    ("form-seed-fraction", _form(seed=1.5), 200, ["seed=1.5"]),
    ("form-seed-text", _form(seed="1.0"), 200, ["seed=1.0", "whole number"]),
    ("form-env-number", _form(env=5), 200, ["env=5"]),
    ("form-env-long", _form(env="x" * 5000), 200, ["env=", "not a registered"]),
    ("form-preset-unknown", _form(preset="nope"), 200, ["preset='nope'"]),
    ("form-desc-deep", _form(preset="custom", desc=DEEP_MAP), 200, ["desc="]),
    ("form-desc-list", _form(preset="custom", desc=["S" + "." * 100 + "G"]), 200, ["desc="]),
    ("form-desc-number", _form(preset="custom", desc=5), 200, ["desc="]),
    ("form-desc-json-numbers", _form(preset="custom", desc="[1, 2]"), 200, ["desc="]),
    ("form-epsilon-min", _form(epsilon="0.1", epsilon_min="0.5"), 200, ["epsilon_min="]),
    ("form-version-text", _form(alpha="abc", version="abc"), 200, ["alpha='abc'"]),
]


@pytest.mark.parametrize(
    ("call", "status", "words"),
    [row[1:] for row in BAD_CALLBACKS],
    ids=[row[0] for row in BAD_CALLBACKS],
)
def test_a_crafted_callback_gets_a_message_or_no_update_and_changes_nothing(
    client, store_url, runs, call, status, words
):
    output, values, changed = call
    before = snapshot(store_url)
    response = dash_call(client, output, values(runs), changed)
    text = response.get_data(as_text=True)
    if status == 204 and response.status_code == 200:
        assert response.get_json()["response"] == {}, text[:500]
    else:
        assert response.status_code == status, text[:500]
    if status == 200:
        answer = response.get_json()["response"]
        shown = str(answer) if NO_ZOOM not in words else _zoom_state(answer)
        for word in words:
            assert word in shown, (word, shown[:500])
    assert snapshot(store_url) == before


def _zoom_state(answer: dict[str, Any]) -> str:
    """Return ``NO_ZOOM`` when the return curve was drawn over the whole run."""
    figure = answer[ids.run_curve("return")]["figure"]
    return NO_ZOOM if "range" not in figure["layout"]["xaxis"] else "zoomed"


def test_the_tables_are_big_enough():
    from tests.api.test_bad_requests import BAD_REQUESTS

    assert len(BAD_CALLBACKS) >= 100
    assert len(BAD_REQUESTS) + len(BAD_CALLBACKS) >= 250
