"""gridlab's one entry point: the dashboard (default), train, resume, list and export.

Run ``python run.py --help``. Nothing happens at import time: spawned worker processes
re-import the main module as ``__mp_main__``.
"""

if __name__ == "__main__":
    import sys

    from app.cli import main

    sys.exit(main())
