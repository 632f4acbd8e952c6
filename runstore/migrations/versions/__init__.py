"""The store's migration revisions, oldest first; Alembic loads them by path."""
