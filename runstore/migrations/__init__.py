"""Alembic migrations of the run store's schema, and what runs them.

``versions/`` holds the revisions: revision ``"0001"`` is schema version 1 (today's tables,
as gridlab wrote them before migrations), each later one a four-digit number one higher
than its ``down_revision``. ``env.py`` runs them over the connection the caller passes in
``Config.attributes``, inside the caller's transaction. ``commands`` drives Alembic from code
(no alembic.ini); ``sqlite_file`` reads and copies a SQLite file without changing it.
Importing this package does not import Alembic.
"""
