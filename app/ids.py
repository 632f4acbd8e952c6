"""Every component id of the dashboard, named once: pages, components and tests import them.

Plain ids are strings; repeated controls have pattern-matching ids built by the functions at
the end (``{"type": ..., <key>: ...}``), whose ``type`` constants are the pattern types.
"""

from __future__ import annotations

# -- the frame every page sits in ---------------------------------------------------------
NAVBAR = "navbar"
THEME = "theme"
PAGE_TITLE = "page-title"

# -- runs page (/) -----------------------------------------------------------------------
RUNS_COUNT = "runs-count"
RUNS_EXPERIMENT = "runs-experiment"
RUNS_FILTER_QUERY = "runs-filter-query"
RUNS_COMPARE = "runs-compare"
RUNS_COMPARE_HINT = "runs-compare-hint"
RUNS_COMPARE_LIMITS = "runs-compare-limits"
RUNS_EMPTY = "runs-empty"
RUNS_DEMO = "runs-demo"
RUNS_GO = "runs-go"
RUNS_EMPTY_NEW = "runs-empty-new"
RUNS_GRID = "runs-grid"
RUNS_GRID_BOX = "runs-grid-box"
RUNS_GRID_QUERY = "runs-grid-query"
RUNS_GRID_KEYS = "runs-grid-keys"
RUNS_GRID_FITTED = "runs-grid-fitted"
RUNS_VERSION = "runs-version"
RUNS_REFRESH = "runs-refresh"
RUNS_REVISION = "runs-revision"
RUNS_GRID_RELOADED = "runs-grid-reloaded"
RUNS_TAG = "runs-tag"
RUNS_SHOW_ARCHIVED = "runs-show-archived"
RUNS_ARCHIVE = "runs-archive"
RUNS_UNARCHIVE = "runs-unarchive"
RUNS_DELETE = "runs-delete"
RUNS_CONFIRM = "runs-confirm"
RUNS_PENDING = "runs-pending"
RUNS_MANAGE_MESSAGE = "runs-manage-message"

# -- new-run form (on the runs page) ------------------------------------------------------
NEW_TOGGLE = "new-toggle"
NEW_COLLAPSE = "new-collapse"
NEW_FORM = "new-form"
NEW_CHOICES = "new-choices"
NEW_DESC_BOX = "new-desc-box"
NEW_SUBMIT = "new-submit"
NEW_MESSAGE = "new-message"
NEW_RUN_LINK = "new-run-link"

# -- run page (/runs/<id>) ---------------------------------------------------------------
RUN_MISSING = "run-missing"
RUN_ID = "run-id"
RUN_ZOOM = "run-zoom"
RUN_QUERY = "run-query"
RUN_QUERY_KEYS = "run-query-keys"
RUN_CHANGED = "run-changed"
RUN_ASKED = "run-asked"
RUN_STOP_CONFIRM = "run-stop-confirm"
RUN_REFRESH = "run-refresh"
RUN_REVISION = "run-revision"
RUN_HEARD = "run-heard"
RUN_STATUS = "run-status"
RUN_TITLE_NAME = "run-title-name"
RUN_RECONNECTING = "run-reconnecting"
RUN_PAUSE = "run-pause"
RUN_RESUME = "run-resume"
RUN_STOP = "run-stop"
RUN_POLICY_LINK = "run-policy-link"
RUN_EPISODES_LINK = "run-episodes-link"
RUN_CSV = "run-csv"
RUN_JSON = "run-json"
RUN_ENV = "run-env"
RUN_EPISODES = "run-episodes"
RUN_PACE = "run-pace"
RUN_PACE_INPUT = "run-pace-input"
RUN_PACE_SET = "run-pace-set"
RUN_PACE_FULL = "run-pace-full"
RUN_PACE_MESSAGE = "run-pace-message"
RUN_PROGRESS = "run-progress"
RUN_ERROR = "run-error"
RUN_WARNINGS = "run-warnings"
RUN_ACTION_MESSAGE = "run-action-message"
RUN_SMOOTH = "run-smooth"
RUN_X = "run-x"
RUN_LOGY = "run-logy"
RUN_BANDS = "run-bands"
RUN_DIAGNOSTICS = "run-diagnostics"
RUN_DIAGNOSTIC_TABLE = "run-diagnostic-table"
RUN_PARAMS_APPLY = "run-params-apply"
RUN_PARAMS_MESSAGE = "run-params-message"
RUN_PARAMS_LOCKED = "run-params-locked"
RUN_CHANGES = "run-changes"
RUN_HISTORY = "run-history"
RUN_LINEAGE = "run-lineage"
FORK_CARD = "fork"
"""The run page's fork card (also its URL fragment: ``/runs/<id>?fork=N#fork``)."""
FORK_AT = "fork-at"
FORK_ALGORITHM = "fork-algorithm"
FORK_EPISODES = "fork-episodes"
FORK_SUBMIT = "fork-submit"
FORK_MESSAGE = "fork-message"
FORK_LINK = "fork-link"
RUN_CHECKPOINTS = "run-checkpoints"
"""The run page's card of named checkpoints ("Save checkpoint now")."""
RUN_CHECKPOINT_NAME = "run-checkpoint-name"
RUN_CHECKPOINT_SAVE = "run-checkpoint-save"
RUN_CHECKPOINT_MESSAGE = "run-checkpoint-message"
RUN_CHECKPOINT_NAMED = "run-checkpoint-named"
RUN_MANAGE = "run-manage"
RUN_NAME = "run-name"
RUN_RENAME = "run-rename"
RUN_TAGS = "run-tags"
RUN_TAGS_SAVE = "run-tags-save"
RUN_TAG_BADGES = "run-tag-badges"
RUN_NOTE = "run-note"
RUN_NOTE_VIEW = "run-note-view"
RUN_NOTE_SAVE = "run-note-save"
RUN_ARCHIVE = "run-archive"
RUN_ARCHIVED = "run-archived"
RUN_DELETE = "run-delete"
RUN_DELETE_CONFIRM = "run-delete-confirm"
RUN_MANAGE_MESSAGE = "run-manage-message"
RUN_MANAGE_LOCATION = "run-manage-location"
RUN_LIKE = "run-like"
"""The run page's "New run with these settings" link (to ``/?like=<id>``)."""
TRAJ_CARD = "trajectories"
"""The run page's trajectories card (also its URL fragment)."""
TRAJ_PICK = "traj-pick"
TRAJ_CAPTION = "traj-caption"
TRAJ_GRID = "traj-grid"
TRAJ_CSV = "traj-csv"
TRAJ_JSON = "traj-json"
TRAJ_NPY = "traj-npy"

# -- policy page (/runs/<id>/policy) -----------------------------------------------------
POLICY_MISSING = "policy-missing"
POLICY_EMPTY = "policy-empty"
POLICY_RUN = "policy-run"
POLICY_EPISODES = "policy-episodes"
POLICY_NAMES = "policy-names"
POLICY_NAMED = "policy-named"
"""The policy page's dropdown of named checkpoints (jumps the scrubber to one)."""
POLICY_PLAY = "policy-play"
POLICY_SLIDER = "policy-slider"
POLICY_LABEL = "policy-label"
POLICY_NPY = "policy-npy"
POLICY_PLAYER = "policy-player"
POLICY_REFRESH = "policy-refresh"
POLICY_REVISION = "policy-revision"
POLICY_MAP = "policy-map"
POLICY_GAP = "policy-gap"
POLICY_FORK = "policy-fork"
REPLAY_CARD = "replay"
REPLAY_CHOICE = "replay-choice"
REPLAY_NEWEST = "replay-newest"
REPLAY_SCRIPT = "replay-script"
REPLAY_NOTE = "replay-note"
REPLAY_PREVIOUS = "replay-previous"
REPLAY_PLAY = "replay-play"
REPLAY_NEXT = "replay-next"
REPLAY_STEP = "replay-step"
REPLAY_PLAYER = "replay-player"
REPLAY_MAP = "replay-map"
REPLAY_CAPTION = "replay-caption"
REPLAY_TABLE = "replay-table"
VISITS_CAPTION = "visits-caption"
VISITS_SHOWN = "visits-shown"
VISITS_MAP = "visits-map"
VISITS_TD = "visits-td"

# -- episode log (/runs/<id>/episodes) ---------------------------------------------------
EPISODES_MISSING = "episodes-missing"
EPISODES_COUNT = "episodes-count"
EPISODES_JUMP = "episodes-jump"
EPISODES_GO = "episodes-go"
EPISODES_JUMP_FEEDBACK = "episodes-jump-feedback"
EPISODES_RUN = "episodes-run"
EPISODES_GRID = "episodes-grid"
EPISODES_REFRESH = "episodes-refresh"
EPISODES_REVISION = "episodes-revision"

# -- compare page (/compare) -------------------------------------------------------------
COMPARE_NOTICE = "compare-notice"
COMPARE_RUNS = "compare-runs"
COMPARE_SHOW_ARCHIVED = "compare-show-archived"
COMPARE_METRIC = "compare-metric"
COMPARE_X = "compare-x"
COMPARE_SMOOTH = "compare-smooth"
COMPARE_BANDS = "compare-bands"
COMPARE_THRESHOLD = "compare-threshold"
COMPARE_QUERY_KEYS = "compare-query-keys"
COMPARE_SHARE = "compare-share"
COMPARE_REFRESH = "compare-refresh"
COMPARE_REVISION = "compare-revision"
COMPARE_KEY = "compare-key"
COMPARE_MAIN = "compare-main"
COMPARE_SMALL = "compare-small"
COMPARE_PARAMS = "compare-params"
COMPARE_PARAM_TABLE = "compare-param-table"
COMPARE_SUMMARY = "compare-summary"
COMPARE_SUMMARY_TABLE = "compare-summary-table"
COMPARE_CSV_BUTTON = "compare-csv-button"
COMPARE_CSV = "compare-csv"

# -- experiments list and the new-experiment form (/experiments) ----------------------------
EXPERIMENTS_LIST = "experiments-list"
EXPERIMENTS_EMPTY = "experiments-empty"
EXPERIMENTS_REFRESH = "experiments-refresh"
EXPERIMENTS_REVISION = "experiments-revision"
NEWEXP_TOGGLE = "newexp-toggle"
NEWEXP_COLLAPSE = "newexp-collapse"
NEWEXP_SUBMIT = "newexp-submit"
NEWEXP_MESSAGE = "newexp-message"
NEWEXP_LOCATION = "newexp-location"

# -- experiment page (/experiments/<id>) --------------------------------------------------
EXP_MISSING = "exp-missing"
EXP_ID = "exp-id"
EXP_REFRESH = "exp-refresh"
EXP_REVISION = "exp-revision"
EXP_KEY = "exp-key"
EXP_STATUS = "exp-status"
EXP_QUERY_KEYS = "exp-query-keys"
EXP_SHARE = "exp-share"
EXP_CENTRE = "exp-centre"
EXP_BAND = "exp-band"
EXP_SEEDS = "exp-seeds"
EXP_SHOW_ARCHIVED = "exp-show-archived"
EXP_GROUP_BY = "exp-group-by"
EXP_METRIC = "exp-metric"
EXP_THRESHOLD = "exp-threshold"
EXP_PAIR_X = "exp-pair-x"
EXP_PAIR_Y = "exp-pair-y"
EXP_TABLE = "exp-table"
EXP_CAPTION = "exp-caption"
EXP_POI = "exp-poi"
EXP_PROFILE = "exp-profile"
EXP_PARCOORDS = "exp-parcoords"
EXP_SENSITIVITY = "exp-sensitivity"
EXP_SERIES_CSV = "exp-series-csv"
EXP_TABLE_CSV = "exp-table-csv"
EXP_TABLE_MD = "exp-table-md"
EXP_TABLE_TEX = "exp-table-tex"
EXP_RUNS_LINK = "exp-runs-link"
EXP_PBT_LINK = "exp-pbt-link"

# -- PBT page (/experiments/<id>/pbt) ----------------------------------------------------
PBT_MISSING = "pbt-missing"
PBT_EXPERIMENT = "pbt-experiment"
PBT_REFRESH = "pbt-refresh"
PBT_REVISION = "pbt-revision"
PBT_SUMMARY = "pbt-summary"
PBT_EXPLOIT_COUNT = "pbt-exploit-count"
PBT_CURVES = "pbt-curves"
PBT_LINEAGE = "pbt-lineage"
PBT_SCHEDULE = "pbt-schedule"
PBT_EXPLOITS = "pbt-exploits"

# -- pattern-matching id types -----------------------------------------------------------
RUN_PARAM = "run-param"
"""A live parameter input of the run page, one per hyperparameter (key ``name``)."""
RUN_PARAM_FEEDBACK = "run-param-feedback"
"""The invalid-value message under a live parameter input (key ``name``)."""
FORK_PARAM = "fork-param"
"""A hyperparameter input of the run page's fork card (key ``name``)."""
COMPARE_SMALL_GRAPH = "compare-small-graph"
"""One small-multiple graph of the compare page (key ``metric``)."""
COMPARE_PARAM_ROW = "compare-param-row"
"""One row of the compare page's parameter table (key ``param``)."""


def new_field(field: str) -> str:
    """Return the id of the new-run form's input for ``field`` (``epsilon_decay`` ->
    ``new-epsilon-decay``)."""
    return "new-" + field.replace("_", "-")


def newexp_field(field: str) -> str:
    """Return the id of the new-experiment form's input for ``field`` (``seeds`` ->
    ``newexp-seeds``)."""
    return "newexp-" + field.replace("_", "-")


def newexp_feedback(field: str) -> str:
    """Return the id of the invalid-value message under the new-experiment form's ``field``."""
    return newexp_field(field) + "-feedback"


def exp_curve(metric: str) -> str:
    """Return the id of the experiment page's group-curve graph of ``metric``."""
    return f"exp-curve-{metric.replace('_', '-')}"


def new_feedback(field: str) -> str:
    """Return the id of the invalid-value message under the new-run form's ``field``."""
    return new_field(field) + "-feedback"


def run_curve(key: str) -> str:
    """Return the id of the run page's graph of the curve ``key`` (``views.curves.CURVES``)."""
    return f"run-curve-{key}"


def run_param(name: object) -> dict[str, object]:
    """Return the id of the live parameter input ``name`` (or a wildcard such as ``ALL``)."""
    return {"type": RUN_PARAM, "name": name}


def run_param_feedback(name: object) -> dict[str, object]:
    """Return the id of the message under the live parameter input ``name`` (or a wildcard)."""
    return {"type": RUN_PARAM_FEEDBACK, "name": name}


def fork_param(name: object) -> dict[str, object]:
    """Return the id of the fork card's input for hyperparameter ``name`` (or a wildcard)."""
    return {"type": FORK_PARAM, "name": name}


def compare_small_graph(metric: str) -> dict[str, object]:
    """Return the id of the compare page's small-multiple graph of ``metric``."""
    return {"type": COMPARE_SMALL_GRAPH, "metric": metric}


def compare_param_row(param: str) -> dict[str, object]:
    """Return the id of the compare page's parameter-table row of ``param``."""
    return {"type": COMPARE_PARAM_ROW, "param": param}
