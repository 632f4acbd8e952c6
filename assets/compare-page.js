/* Browser-side callbacks of the compare page (app/pages/compare.py). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    compare: {
        /* Write the controls into the address bar (so a link reproduces the view) and return
           the query string. The inputs are the controls' values in the order of `keys`, the
           query keys the page reads (views.compare.QUERY_KEYS): runs, metric, x, smooth,
           bands, threshold. */
        shareLink: function (runs, metric, x, smooth, bands, threshold, keys) {
            const [runsKey, metricKey, xKey, smoothKey, bandsKey, thresholdKey] = keys;
            const query = new URLSearchParams();
            if (runs && runs.length) {
                query.set(runsKey, runs.join(","));
            }
            query.set(metricKey, metric);
            query.set(xKey, x);
            query.set(smoothKey, smooth);
            query.set(bandsKey, bands ? "1" : "0");
            if (threshold !== null && threshold !== undefined) {
                query.set(thresholdKey, threshold);
            }
            const search = "?" + query.toString().replaceAll("%2C", ",");
            if (window.location.search !== search) {
                const url = window.location.pathname + search;
                window.history.replaceState(window.history.state, "", url);
            }
            return search;
        },
    },
});
