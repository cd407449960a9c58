"""Sections drawn ahead: a report's slowest sections, drawn by a second process while its first cells run.

A report's notebook runs one cell after another, on one core, and its charts are most of its
time; a single report leaves the machine's other cores idle. ``start(a, *sections)`` forks the
kernel: the child draws those sections (each marked ``@ahead``) for this very assessment and
sends each result back as soon as it is done. The notebook's cell then calls the section as
usual (``sections.segment_heatmaps(a)``) and takes the finished result, or waits for it.

Nothing but the place of the work changes: the same function draws from the same ``a``. A
section that failed ahead, or whose drawing process died, is computed again in its cell, where
its error shows as it always did; warnings raised ahead are raised again in the cell. The
drawing process dies with the kernel. `cxassess report` asks for it (the notebook's
``draw_ahead`` parameter, fast mode, where ``os.fork`` exists); a batch does not, as its workers
already keep every core busy.
"""

from __future__ import annotations

import functools
import os
import pickle
import signal
import sys
import threading
import warnings
import weakref
from typing import Any, Callable, TypeVar

from ..analysis.assessment import Assessment
from ..core.processes import die_with_parent

Section = TypeVar("Section", bound=Callable[..., Any])

_DRAWINGS: dict[int, tuple[weakref.ref, "_Drawing"]] = {}  # by id() of the assessment they draw
#: Seconds a cell waits for a section drawn ahead before it stops the drawing process and draws it itself.
PATIENCE = 300.0


def ahead(section: Section) -> Section:
    """Let ``section(a)`` be drawn ahead (`start`): called with ``a`` alone, it takes the result drawn for ``a``."""
    name = f"{section.__module__}.{section.__qualname__}"

    @functools.wraps(section)
    def drawn(a: Assessment, *args: Any, **kwargs: Any) -> Any:
        drawing = None if args or kwargs else _drawing(a)
        if drawing is not None:
            outcome = drawing.take(name)
            if outcome is not None:
                result, caught = outcome
                for message, category, filename, lineno in caught:
                    warnings.warn_explicit(message, category, filename, lineno)
                return result
        return section(a, *args, **kwargs)

    drawn.ahead_name = name  # type: ignore[attr-defined]
    return drawn  # type: ignore[return-value]


def start(a: Assessment, *sections: Callable[[Assessment], Any]) -> None:
    """Begin drawing ``sections`` (each marked `ahead`) for ``a``, in this order, in a forked process.

    Nothing happens where there is no ``os.fork``, or when ``a`` is being drawn already.
    """
    unmarked = [getattr(s, "__name__", repr(s)) for s in sections if not hasattr(s, "ahead_name")]
    if unmarked:
        raise TypeError(f"not marked @ahead, so their cells would never take what is drawn: {', '.join(unmarked)}")
    if not hasattr(os, "fork") or _drawing(a) is not None:
        return
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+ on forking a process with threads
        pid = os.fork()
    if pid == 0:
        os.close(read)
        _draw(a, sections, write)  # never returns
    os.close(write)
    key = id(a)
    _DRAWINGS[key] = (weakref.ref(a, lambda _: _DRAWINGS.pop(key, None)), _Drawing(pid, read))


def _drawing(a: Assessment) -> "_Drawing | None":
    entry = _DRAWINGS.get(id(a))
    return entry[1] if entry is not None and entry[0]() is a else None


def _draw(a: Assessment, sections: tuple[Callable[[Assessment], Any], ...], fd: int) -> None:
    """The drawing process: each section's result (or None where it failed) written to ``fd`` as it is done."""
    status = 0
    try:
        die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupted cell is the kernel's business
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)  # the kernel's output streams belong to its own threads, absent here
        sys.stdout = sys.stderr = open(quiet, "w", closefd=False)
        with open(fd, "wb") as out:
            for section in sections:
                with warnings.catch_warnings(record=True) as caught:
                    try:
                        result = section.__wrapped__(a)  # type: ignore[attr-defined]
                        outcome = (result, [(w.message, w.category, w.filename, w.lineno) for w in caught])
                    except Exception:
                        outcome = None  # computed again in the cell, where its error shows
                pickle.dump((section.ahead_name, outcome), out)  # type: ignore[attr-defined]
                out.flush()
    except BaseException:
        status = 1
    finally:
        os._exit(status)


class _Drawing:
    """The parent's side: a thread reads the results as they come, a cell takes its own."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.results, self.ended = pid, {}, False
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(fd,), name="cxassess-ahead", daemon=True).start()

    def _read(self, fd: int) -> None:
        with open(fd, "rb") as pipe:
            while True:
                try:
                    name, outcome = pickle.load(pipe)
                except Exception:  # the end of the pipe, or a process that died while writing
                    break
                with self.changed:
                    self.results[name] = outcome
                    self.changed.notify_all()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already (a SIGCHLD handler the kernel inherited)
            pass
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def take(self, name: str) -> tuple[Any, list] | None:
        """The section's result and warnings, once it is drawn; None if it failed or will not come."""
        with self.changed:
            if not self.changed.wait_for(lambda: name in self.results or self.ended, timeout=PATIENCE):
                try:
                    os.kill(self.pid, signal.SIGKILL)  # stuck: the cell draws it, and no later cell waits again
                except ProcessLookupError:
                    pass
                self.ended = True
            return self.results.pop(name, None)
