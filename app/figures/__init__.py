"""Pure figure builders: plain data in, Plotly figure dicts out (no Dash, no store)."""
