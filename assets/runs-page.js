/* Browser-side callbacks of the runs page (app/pages/runs.py). Python constants they need
   arrive as data (dcc.Store contents), never copied here. */

/* Put `query` (URLSearchParams) into the address bar without a reload; return its text. */
function writeSearch(query) {
    const text = query.toString();
    const search = text ? "?" + text : "";
    if (window.location.search !== search) {
        const url = window.location.pathname + search + window.location.hash;
        window.history.replaceState(window.history.state, "", url);
    }
    return search;
}

/* dash-ag-grid hands the first rows after an empty answer to the grid from a zero-delay
   timer that its own next render can clear; the rows then stay loading stubs until something
   asks again (seen when the first run appears on an empty runs page of a busy machine). After
   a reload, while the grid still shows and any row is a stub, purge and ask once more: a
   second later, then two, four, eight and sixteen (a slow answer gets the time to arrive;
   on a machine busy enough, three tries within 7 s all met the race). */
const STUCK_WAITS_MS = [1000, 2000, 4000, 8000, 16000];

/* Whether any row the grid holds or draws is still a stub, or it counts rows it holds none
   of (its block never asked for: the grid counted the rows while hidden). */
function rowsLoading(api) {
    const unloaded = (node) => node.stub === true || node.data === undefined;
    let held = 0;
    let loading = false;
    api.forEachNode(function (node) {
        held += 1;
        loading = loading || unloaded(node);
    });
    const drawn = api.getRenderedNodes().some(unloaded);
    return loading || drawn || (held === 0 && api.getDisplayedRowCount() > 0);
}

function askAgainWhileLoading(api, attempt) {
    if (attempt >= STUCK_WAITS_MS.length) {
        return;
    }
    setTimeout(function () {
        if (api.isDestroyed()) {
            return;  // the page has moved on
        }
        if (rowsLoading(api)) {
            api.purgeInfiniteCache();  // a refresh leaves a block stuck loading alone
            askAgainWhileLoading(api, attempt + 1);
        }
    }, STUCK_WAITS_MS[attempt]);
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    runs: {
        /* The new-run form opens from "Configure a run" (the second input), and toggles from
           "+ New run" (the first). */
        toggleForm: function (toggle, emptyNew, isOpen) {
            const context = dash_clientside.callback_context;
            return context.triggered_id === context.inputs_list[1].id ? true : !isOpen;
        },

        /* Write the experiment filter into the address bar (?experiment=ID, none for all
           runs), so a link reproduces the view; return the query string. */
        experimentQuery: function (experiment) {
            const query = new URLSearchParams(window.location.search);
            if (experiment === null || experiment === undefined) {
                query.delete("experiment");
            } else {
                query.set("experiment", experiment);
            }
            return writeSearch(query);
        },

        /* Write the grid's sort and filter into the address bar (app/views/grid_query.py
           reads them back), so a reload or a link reopens the grid as it was left; return
           the query string. `keys` is {sort, filter: the query keys, default_sort: the
           grid's own sort, which the URL leaves out}. */
        gridQuery: function (columnState, filterModel, keys) {
            const sort = (columnState || [])
                .filter((column) => column.sort)
                .sort((a, b) => (a.sortIndex || 0) - (b.sortIndex || 0))
                .map((column) => column.colId + ":" + column.sort)
                .join(",");
            const query = new URLSearchParams(window.location.search);
            if (sort && sort !== keys.default_sort) {
                query.set(keys.sort, sort);
            } else {
                query.delete(keys.sort);
            }
            if (filterModel && Object.keys(filterModel).length) {
                query.set(keys.filter, JSON.stringify(filterModel));
            } else {
                query.delete(keys.filter);
            }
            return writeSearch(query);
        },

        /* Ask the server again for the rows the grid holds (its infinite row model's
           blocks: at most a few hundred rows, whatever the number of runs): on a new store
           revision or after a change made here (`version`), the held blocks as they are;
           for other filters above the grid, from its first block. Returns the trigger. */
        reloadRows: function (revision, version, experiment, tag, archived, gridId) {
            const context = dash_clientside.callback_context;
            const filters = context.inputs_list.slice(2).map((input) => input.id);
            const refilter = filters.includes(context.triggered_id);
            return dash_ag_grid.getApiAsync(gridId).then(function (api) {
                if (refilter) {
                    api.purgeInfiniteCache();
                } else {
                    api.refreshInfiniteCache();
                }
                askAgainWhileLoading(api, 0);
                return context.triggered_id;
            });
        },

        /* Fit the grid's columns to its width once it is drawn (it reports its first
           column state then; later widths fit as they change: `fitRunsColumns` in
           runs-grid.js). Returns the width fitted to. */
        fitColumns: function (columnState, gridId) {
            return dash_ag_grid.getApiAsync(gridId).then(function (api) {
                const range = api.getHorizontalPixelRange();
                const width = range.right - range.left;
                window.dashAgGridFunctions.fitRunsColumns({api: api, clientWidth: width});
                return width;
            });
        },

        /* Maps exist for GridWorld only; the custom map box shows for the custom map.
           `choices` is {gridworld: env id, custom: the custom map's value}. */
        mapFields: function (env, preset, choices) {
            const grid = env === choices.gridworld;
            const custom = grid && preset === choices.custom;
            return [!grid, custom ? {} : {display: "none"}];
        },

        /* The Compare button opens the selected runs' comparison when their number is within
           `limits` ({min, max, too_few, too_many}); otherwise the hint says why not. */
        compareLink: function (rows, limits) {
            const ids = (rows || []).map((row) => row.id).sort((a, b) => a - b);
            const ok = ids.length >= limits.min && ids.length <= limits.max;
            const href = ok ? "/compare?runs=" + ids.join(",") : "/compare";
            const label = ids.length ? "Compare (" + ids.length + ")" : "Compare";
            let hint = "";
            if (ids.length < limits.min) {
                hint = limits.too_few;
            } else if (!ok) {
                hint = limits.too_many;
            }
            return [href, !ok, label, hint];
        },
    },
});
