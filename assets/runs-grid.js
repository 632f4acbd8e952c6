/* The runs grid (app/components/runs_grid.py; rows come a block at a time): cell renderers (run link, status badge,
   progress bar) and the value formatter that shows the text the server formatted. */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
    window.dashAgGridComponentFunctions || {});
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* A cell's value as the row's `shown` texts give it (app.rules.format_number on the server);
   the server sorts and filters on the number itself. Empty while the row's block loads. */
dagfuncs.shownText = function (params) {
    return params.data ? params.data.shown[params.colDef.field] : "";
};

/* On every change of the grid's width (the event's clientWidth; the runs page's fitColumns
   fits the first), show the columns it has room for: the columns whose `context.hide` ranks them (app/components/runs_grid.py
   HIDE_ORDER) are hidden from rank 0 on until the others fit at their minimum widths; the
   rest always show. */
dagfuncs.fitRunsColumns = function (params) {
    const width = params.clientWidth;
    if (!width || params.api.isDestroyed()) {
        return;  // hidden behind the empty state, or gone with a page left meanwhile
    }
    const rank = (column) => (column.getColDef().context || {}).hide;
    const room = (column) => (column.getFlex() ? column.getMinWidth() : column.getActualWidth());
    const ranked = params.api
        .getAllGridColumns()
        .filter((column) => rank(column) !== undefined)
        .sort((a, b) => rank(b) - rank(a));  // the last to hide first
    let used = params.api
        .getAllDisplayedColumns()  // with the selection column
        .filter((column) => rank(column) === undefined)
        .reduce((sum, column) => sum + room(column), 0);
    const shown = [];
    for (const column of ranked) {
        if (used + room(column) > width) {
            break;
        }
        used += room(column);
        shown.push(column);
    }
    params.api.setColumnsVisible(shown, true);
    params.api.setColumnsVisible(ranked.filter((column) => !shown.includes(column)), false);
};

/* A link inside the single-page app (like dcc.Link): a plain click changes the page
   without reloading it. */
function pageLink(href, text) {
    function follow(event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
            return;
        }
        event.preventDefault();
        window.history.pushState({}, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
    }
    return React.createElement("a", {href: href, onClick: follow}, text);
}

/* The run's name, linking to /runs/<id> (nothing while the row's block loads: so for the
   renderers below). */
dagcomponentfuncs.RunLink = function (props) {
    return props.data ? pageLink("/runs/" + props.data.id, props.value) : "";
};

/* The run's experiment and trial (the row's text), linking to /experiments/<id>; empty for
   a run of its own. */
dagcomponentfuncs.ExperimentLink = function (props) {
    if (!props.data || props.value === null || props.value === undefined) {
        return "";
    }
    return pageLink("/experiments/" + props.value, props.data.shown.experiment);
};

/* The status as a Bootstrap badge in the colour the row carries. */
dagcomponentfuncs.RunStatus = function (props) {
    if (!props.data) {
        return "";
    }
    const color = props.data.status_color || "secondary";
    return React.createElement("span", {className: "badge text-bg-" + color}, props.value);
};

/* Episodes done as a share of the target: a Bootstrap progress bar (striped while live). */
dagcomponentfuncs.RunProgress = function (props) {
    if (!props.data) {
        return "";
    }
    const pct = Math.max(0, Math.min(100, Number(props.value) || 0));
    const live = props.data.live ? " progress-bar-striped progress-bar-animated" : "";
    const bar = React.createElement("div", {
        className: "progress-bar" + live,
        style: {width: pct + "%"},
    });
    const track = React.createElement(
        "div",
        {
            className: "progress flex-grow-1",
            role: "progressbar",
            "aria-valuenow": pct,
            "aria-valuemin": 0,
            "aria-valuemax": 100,
            style: {height: "0.8rem"},
        },
        bar
    );
    const label = React.createElement("span", {className: "runs-progress-label ms-2"}, pct.toFixed(0) + "%");
    return React.createElement("div", {className: "d-flex align-items-center w-100"}, track, label);
};
