"""Pure builders of what the pages draw, from plain data (no Dash, no store).

``curves`` and ``compare`` return Plotly figure dicts (a live refresh builds several per
second, and Plotly's validation would cost more than the query); ``policy`` returns
``go.Figure`` objects; ``compare`` also builds the compare page's tables and its CSV.
"""
