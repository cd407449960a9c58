"""Sections drawn ahead: a report's slowest sections, drawn by a second process while its first cells run.

A report's notebook runs one cell after another, on one core, and its charts are most of its
time; a single report leaves the machine's other cores idle. ``start(a, *sections)`` forks the
kernel: the child draws those sections (each marked ``@ahead``) for this very assessment and
sends each result back as soon as it is done. The notebook's cell then calls the section as
usual (``sections.segment_heatmaps(a)``) and takes the finished result, or waits for it if it is
being drawn; a section the drawing process has not begun yet is claimed by the cell and drawn
there, so a busy machine never makes a cell wait for work that has not started.

Nothing but the place of the work changes: the same function draws from the same ``a``. A
section that failed ahead, or whose drawing process died, is computed again in its cell, where
its error shows as it always did; warnings raised ahead are raised again in the cell. The
drawing process dies with the kernel. `cxassess report` asks for it (the notebook's
``draw_ahead`` parameter, fast mode, where ``os.fork`` exists); a batch does not, as its workers
already keep every core busy.
"""

from __future__ import annotations

import functools
import mmap
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

    Nothing happens where there is no ``os.fork``, on a single core, or when ``a`` is being drawn already.
    """
    unmarked = [getattr(s, "__name__", repr(s)) for s in sections if not hasattr(s, "ahead_name")]
    if unmarked:
        raise TypeError(f"not marked @ahead, so their cells would never take what is drawn: {', '.join(unmarked)}")
    if not hasattr(os, "fork") or _cores() < 2 or _drawing(a) is not None:
        return
    claims = _Claims(len(sections))
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+ on forking a process with threads
        pid = os.fork()
    if pid == 0:
        os.close(read)
        _draw(a, sections, claims, write)  # never returns
    os.close(write)
    key = id(a)
    drawing = _Drawing(pid, read, [s.ahead_name for s in sections], claims)  # type: ignore[attr-defined]
    _DRAWINGS[key] = (weakref.ref(a, lambda _: _DRAWINGS.pop(key, None)), drawing)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _drawing(a: Assessment) -> "_Drawing | None":
    entry = _DRAWINGS.get(id(a))
    return entry[1] if entry is not None and entry[0]() is a else None


class _Claims:
    """Who draws each section: the first to claim it, the drawing process before it starts one or a cell
    that finds it not started (the cell draws it then, rather than wait for it)."""

    FREE, AHEAD, HERE = 0, 1, 2

    def __init__(self, count: int):
        import multiprocessing

        self.claims = mmap.mmap(-1, max(count, 1))  # anonymous, so shared with the process forked after it
        self.lock = multiprocessing.get_context("fork").Lock()

    def claim(self, index: int, who: int) -> int:
        """Claim section ``index`` for ``who`` if it is free; returns who draws it (FREE if the lock is stuck)."""
        if not self.lock.acquire(timeout=1.0):  # held by a drawing process that was killed meanwhile
            return self.FREE
        try:
            if self.claims[index] == self.FREE:
                self.claims[index] = who
            return self.claims[index]
        finally:
            self.lock.release()


def _draw(a: Assessment, sections: tuple[Callable[[Assessment], Any], ...], claims: _Claims, fd: int) -> None:
    """The drawing process: each section not claimed by a cell, its result (None where it failed) written to
    ``fd`` as it is done."""
    status = 0
    try:
        die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupted cell is the kernel's business
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)  # the kernel's output streams belong to its own threads, absent here
        sys.stdout = sys.stderr = open(quiet, "w", closefd=False)
        with open(fd, "wb") as out:
            for index, section in enumerate(sections):
                if claims.claim(index, claims.AHEAD) != claims.AHEAD:
                    continue  # its cell came first and draws it
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

    def __init__(self, pid: int, fd: int, names: list[str], claims: _Claims):
        self.pid, self.results, self.ended = pid, {}, False
        self.names, self.claims = names, claims
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
        """The section's result and warnings, once it is drawn; None if the cell is to draw it: not begun ahead
        (the cell claims it), failed, or not coming."""
        if name not in self.names or self.claims.claim(self.names.index(name), _Claims.HERE) != _Claims.AHEAD:
            return None
        with self.changed:
            if not self.changed.wait_for(lambda: name in self.results or self.ended, timeout=PATIENCE):
                try:
                    os.kill(self.pid, signal.SIGKILL)  # stuck: the cell draws it, and no later cell waits again
                except ProcessLookupError:
                    pass
                self.ended = True
            return self.results.pop(name, None)
