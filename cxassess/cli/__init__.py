"""The ``cxassess`` command line: thin wrappers that load, call the library, and print.

This package's namespace is ``main``, the console script's entry point: it parses the arguments
(``parser``), runs the chosen sub-command (``commands``, which print tables made by ``text``) and
turns every ``CxError`` into its messages and exit status 1. ``python -m cxassess.cli`` runs it too.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from typing import Sequence

from ..core.errors import CxError
from ..core.imports import frozen_imports, skip_unused_imports
from ..core.settings import DEBUG_ENV, RUNNER_ENV


def start_zygote_early(argv: Sequence[str]) -> None:
    """``cxassess report`` in fast mode: start the kernel zygote before importing anything else.

    The zygote's imports take seconds; begun here they overlap the command line's own imports
    and the client's validation instead of following them. Anything else runs no zygote.
    """
    if (argv[:1] != ["report"] or {"-h", "--help", "--plain"} & set(argv)
            or os.environ.get(RUNNER_ENV, "fast") != "fast" or not hasattr(os, "fork")):
        return
    from ..run.zygote import Zygote

    Zygote.get()  # build_report finds it; it ends with this process


def one_blas_thread(argv: Sequence[str]) -> None:
    """``cxassess validate`` and ``score``: numpy's OpenBLAS without worker threads.

    Scoring's matrix products are respondents x a pillar's few questions: split between threads,
    each took about ten times as long on this two-core machine (their start and hand-over cost
    more than the work), and idle threads spin after numpy's import. Only before numpy is first
    imported (later it would change nothing but the environment); a value the user set stands.
    These commands start no other process that could inherit it.
    """
    if argv[:1] in (["validate"], ["score"]) and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 bad input, 2 usage or internal error)."""
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    for arg in argv:  # no path or id may hold a NUL byte; say so before anything touches a file
        if "\x00" in arg:
            print(f"{arg!r}: this argument holds a NUL byte (\\x00); no file name or id may contain one",
                  file=sys.stderr)
            return 1
    start_zygote_early(argv)
    one_blas_thread(argv)
    skip_unused_imports()
    with frozen_imports():
        from .commands import print_problems
        from .parser import build_parser

    args = build_parser().parse_args(argv)
    if getattr(args, "anonymity", None) is not None and args.anonymity < 1:
        print("cxassess: --anonymity must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except CxError as exc:
        print_problems(exc.problems)
        return 1
    except KeyboardInterrupt:
        print("cxassess: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: say so without a wall of traceback
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        print(f"cxassess: internal error: {type(exc).__name__}: {exc} "
              f"(please report it; set {DEBUG_ENV}=1 for details)", file=sys.stderr)
        return 2


def console() -> None:
    """The ``cxassess`` command: `main` with fewer garbage collections, and none at exit.

    A command imports for a second or more, and the allocations of imports set off full
    collections that find next to nothing: collections start later here (about 0.1 s before a
    report's notebook starts). After a report the heap holds millions of objects (pandas,
    matplotlib, Papermill's notebook); the collections Python runs while it tears its modules
    down walked them all for about 0.6 s. Frozen, they are skipped; files are closed and exit
    handlers still run.
    """
    gc.set_threshold(100_000, 50, 100)
    status = main()
    gc.freeze()
    sys.exit(status)
