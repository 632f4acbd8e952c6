"""Pieces of page layout, each with one job: they take plain data (often a view's result)
and return Dash elements. Callbacks stay in the pages."""
