"""Fixtures of the experiment tests: the worker tests' real processes over either backend."""

from tests.workers.conftest import any_store, any_url, launcher  # noqa: F401  (the fixtures)
