/* Browser-side callback of the policy page's Replay card (app/components/replay_card.py). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    replay: {
        /* Draw frame `step` of the script (app/views/replay.py, ReplayScript.to_data): the
           agent at its cell and the path up to it on the script's map, and the frame's
           caption. Without a map (no grid) only the caption changes. */
        frame: function (step, script) {
            const noUpdate = window.dash_clientside.no_update;
            if (!script || !Array.isArray(script.captions) || !script.captions.length) {
                return [noUpdate, ""];
            }
            const last = script.captions.length - 1;
            const k = Number.isInteger(step) ? Math.min(Math.max(step, 0), last) : 0;
            const caption = script.captions[k];
            if (!script.figure) {
                return [noUpdate, caption];
            }
            const data = script.figure.data.slice();
            data[script.path] = Object.assign({}, data[script.path], {
                x: script.x.slice(0, k + 1),
                y: script.y.slice(0, k + 1),
            });
            data[script.agent] = Object.assign({}, data[script.agent], {
                x: [script.x[k]],
                y: [script.y[k]],
            });
            return [{data: data, layout: script.figure.layout}, caption];
        },
    },
});
