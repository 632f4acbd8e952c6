/* Browser-side callbacks of the run page (app/pages/run.py). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    run: {
        /* A zoom on any curve becomes {x_mode, x0, x1} at once, in the browser: a server
           callback would be cancelled by the relayout events every redraw fires right after
           the zoom. The inputs are the curves' relayoutData, then the x-axis mode. A
           double-click (autorange) clears the zoom. */
        zoomWindow: function () {
            const noUpdate = window.dash_clientside.no_update;
            const triggered = window.dash_clientside.callback_context.triggered;
            const event = triggered && triggered.length ? triggered[0].value : null;
            if (!event) {
                return noUpdate;
            }
            if (event["xaxis.autorange"]) {
                return null;
            }
            let range = event["xaxis.range"];
            if (!range && "xaxis.range[0]" in event && "xaxis.range[1]" in event) {
                range = [event["xaxis.range[0]"], event["xaxis.range[1]"]];
            }
            if (!range) {
                return noUpdate;
            }
            const x0 = Number(range[0]);
            const x1 = Number(range[1]);
            if (!isFinite(x0) || !isFinite(x1)) {
                return noUpdate;
            }
            const xMode = arguments[arguments.length - 1];
            return {x_mode: xMode, x0: Math.min(x0, x1), x1: Math.max(x0, x1)};
        },

        /* Write the curve controls into the address bar, so a reload or a link reopens the
           page as it was left, and return the query string. The inputs are the x axis,
           smoothing, log y, bands and the zoom store, then the query keys the page reads
           (views.run_view.QUERY_KEYS): x, smooth, logy, bands, zoom. Other keys of the query
           (?fork=N from the policy page) and the #fragment are kept. */
        writeQuery: function (x, smooth, logY, bands, zoom, keys) {
            const [xKey, smoothKey, logKey, bandsKey, zoomKey] = keys;
            const query = new URLSearchParams(window.location.search);
            query.delete(zoomKey);
            query.set(xKey, x);
            query.set(smoothKey, smooth);
            query.set(logKey, logY ? "1" : "0");
            query.set(bandsKey, bands ? "1" : "0");
            if (zoom && zoom.x_mode === x) {
                query.set(zoomKey, zoom.x0 + "," + zoom.x1);
            }
            const search = "?" + query.toString().replaceAll("%2C", ",");
            if (window.location.search !== search) {
                const url = window.location.pathname + search + window.location.hash;
                window.history.replaceState(window.history.state, "", url);
            }
            return search;
        },

        /* Open the Stop button's confirmation (its accepted answer stops the run). */
        askToConfirm: function (clicks) {
            return Boolean(clicks);
        },

        /* Show "reconnecting" while the server has not answered the revision poll for
           `LOST_TICKS` ticks: `tick` is the poll timer's count, `heard` the tick of the last
           poll the server answered (app/components/revision_poll.py). */
        reconnecting: function (tick, heard) {
            const LOST_TICKS = 3;
            const lost = (tick || 0) - (heard || 0) >= LOST_TICKS;
            return lost ? {display: "inline-block"} : {display: "none"};
        },
    },
});
