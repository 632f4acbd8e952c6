"""What the pages show, as plain data: pure functions with no Dash import, tested without a
browser. Pages call them from their callbacks; components turn their results into elements."""
