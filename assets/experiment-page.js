/* Browser-side callbacks of the experiment page (app/pages/experiment.py). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    /* The experiments page (app/pages/experiments.py): "+ New experiment" opens and closes
       the form. */
    experiments: {
        toggleForm: function (clicks, isOpen) {
            return !isOpen;
        },
    },
    experiment: {
        /* Write the controls into the address bar (so a link reproduces the view) and give
           every download link the same view. The inputs are the controls' values in the
           order of `keys` (views.experiment_view.QUERY_KEYS: centre, band, seeds, by,
           metric, threshold, pair; the pair is two values), then the experiment's id.
           Returns the share link, then the table's CSV, Markdown and LaTeX links and the
           group curves' CSV link. */
        shareLinks: function (centre, band, seeds, by, metric, threshold, pairX, pairY, keys, id) {
            const [centreKey, bandKey, seedsKey, byKey, metricKey, thresholdKey, pairKey] = keys;
            const query = new URLSearchParams();
            query.set(centreKey, centre);
            query.set(bandKey, band);
            query.set(seedsKey, seeds ? "1" : "0");
            query.set(byKey, by);
            query.set(metricKey, metric);
            if (threshold !== null && threshold !== undefined && threshold !== "") {
                query.set(thresholdKey, threshold);
            }
            if (pairX !== null && pairX !== undefined && pairY !== null && pairY !== undefined) {
                query.set(pairKey, pairX + "," + pairY);
            }
            const search = "?" + query.toString().replaceAll("%2C", ",");
            if (window.location.search !== search) {
                const url = window.location.pathname + search;
                window.history.replaceState(window.history.state, "", url);
            }
            const files = "/api/experiments/" + id + "/";
            return [
                search,
                files + "table.csv" + search,
                files + "table.md" + search,
                files + "table.tex" + search,
                files + "series.csv" + search,
            ];
        },
    },
});
