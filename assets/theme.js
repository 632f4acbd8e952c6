/* gridlab's dark theme follows the system preference (prefers-color-scheme), offline: it
   switches Bootstrap 5.3's own dark colours (data-bs-theme) and AG Grid's (data-ag-theme-mode)
   on the page at once, before the first paint of the dashboard and whenever the preference
   changes. The Plotly figures, drawn on the server, follow the theme store of the frame
   (app/components/theme.py fills it through `theme.follow`). */
(function () {
    const dark = window.matchMedia("(prefers-color-scheme: dark)");
    const current = () => (dark.matches ? "dark" : "light");
    const apply = () => {
        document.documentElement.setAttribute("data-bs-theme", current());
        document.documentElement.setAttribute("data-ag-theme-mode", current());
    };
    apply();
    dark.addEventListener("change", apply);

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        theme: {
            /* Return the theme now, and write every later change into the store `storeId`
               (the figures' callbacks take it as an input). Runs once, when the frame
               loads. */
            follow: function (storeId) {
                dark.addEventListener("change", () =>
                    window.dash_clientside.set_props(storeId, {data: current()})
                );
                return current();
            },
        },
    });
})();
