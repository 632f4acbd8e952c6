"""Launch requests shared by the experiment tests."""

from __future__ import annotations

TPE = {
    "method": "tpe",
    "base": {"episodes": 40},
    "space": {"alpha": {"low": 0.01, "high": 1, "scale": "log"}, "gamma": [0.9, 0.99]},
    "seeds": 2,
    "budget": 6,
    "slots": 3,
}
"""A TPE sweep over a log range and a list: 6 settings x 2 seeds, 3 slots to keep busy."""
