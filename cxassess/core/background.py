"""Work started early on a thread of its own, so that it overlaps what a run would otherwise wait for.

A run prepares things it needs later (a browser, the HTML exporter, worker processes, a module's
imports) while it is busy with something else. If the preparation fails, nothing is said here:
the run meets the same error, with its own message, where it uses what was prepared.
"""

from __future__ import annotations

import threading
from typing import Callable


def meanwhile(work: Callable[[], object], name: str) -> threading.Thread:
    """Start ``work`` on a daemon thread named ``name`` and return the thread (join it to wait for ``work``).

    An exception from ``work`` is dropped: where the run uses what ``work`` prepares, it raises again.
    """
    def run() -> None:
        try:
            work()
        except Exception:  # raised again, with its message, where the prepared thing is used
            pass

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
