"""Every process a report run or a batch starts, owned in one place, in one of two modes.

- **fast** (the default where the OS can fork): the batch starts one kernel *zygote* (kernels.py),
  a pre-imported process that forks a fresh kernel per client, and one Chromium that prints for
  every worker (``render/pdf.py``'s PrintServer).
- **plain**: ordinary Papermill kernels, a new interpreter per notebook, and a browser per worker
  process. Slower, with nothing shared: for debugging, and for platforms without ``fork``.

The mode is the caller's (``--plain``), else ``$CXASSESS_RUNNER`` (``fast`` or ``plain``), else fast.

Who owns what (docs/architecture.md, "The processes of a batch", draws it): the batch process
starts the worker pool and, in fast mode, the zygote and the print server, and closes them at the
end. Each pool worker runs one client at a time, with one kernel per client. Every process dies
with its parent (``core/processes.py``), so a batch killed outright leaves nothing running; the
folders of their sockets name their owner, and the next batch removes those of a dead one.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from ..core.errors import CxError
from ..core.imports import skip_unused_imports
from ..core.processes import die_with_parent
from ..core.settings import PRINTER_ENV, RUNNER_ENV, ZYGOTE_ENV
from .pools import DaskPool, LocalPool

MODES = ("fast", "plain")
#: What the fork server of a fast batch's workers imports before forking them (run/preload.py).
PRELOAD = ("cxassess.run.preload",)


def runner_mode(requested: str | None = None) -> str:
    """The mode asked for (else ``$CXASSESS_RUNNER``, else fast); fast becomes plain where there is no fork."""
    mode = requested or os.environ.get(RUNNER_ENV) or "fast"
    if mode not in MODES:
        raise CxError.at(RUNNER_ENV if not requested else "mode",
                         f"unknown runner mode {mode!r}; choose {' or '.join(MODES)}")
    return mode if mode == "plain" or hasattr(os, "fork") else "plain"


def kernel_options(mode: str) -> dict[str, Any]:
    """Papermill's keyword arguments for a kernel of this mode: forked from the zygote, or a new process."""
    if mode == "fast":
        from .kernels import ForkKernelManager

        return {"kernel_manager_class": ForkKernelManager}
    return {}


def start_worker(mode: str, pdf_engine: str | None, zygote: str | None, printer: str | None, batch: int,
                 environ: dict[str, str] | None = None, cwd: str | None = None) -> None:
    """A new pool worker: dies with the ``batch`` process, then pays its one-off start-up before the first client.

    ``zygote`` and ``printer`` are the addresses of the batch's shared kernel zygote and Chromium
    (None: this worker starts its own kernels and browser). ``environ`` and ``cwd`` are the batch's
    now: a worker forked from the fork server would otherwise have the server's, from when it started.
    """
    import gc

    die_with_parent(owner=batch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until a task runs (pools._interruptible): idle, nothing to stop
    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)
    if cwd is not None:
        os.chdir(cwd)
    skip_unused_imports()
    for name, address in ((ZYGOTE_ENV, zygote), (PRINTER_ENV, printer)):
        if address:
            os.environ[name] = address
    from .pools import quiet_worker
    from .report import warm_up

    quiet_worker()
    gc.disable()  # no full collections set off by the start-up's imports (the zygote does the same)
    try:
        warm_up(mode, pdf_engine)
    except Exception:  # whatever fails here fails again, reported, in the first client's run
        pass
    finally:
        gc.freeze()  # what start-up built lives as long as the worker: full collections need not walk it
        gc.enable()


def open_pool(mode: str, workers: int, pdf_engine: str | None = None, scheduler: str | None = None,
              dask_local: int | None = None) -> LocalPool | DaskPool:
    """The worker processes of a batch, started now so they warm up while the batch prepares.

    A Dask cluster (at ``scheduler``, or ``dask_local`` processes started here) runs each client in
    a plain kernel. Local workers in fast mode share one zygote and, when ``pdf_engine`` is
    chromium, one browser, both closed with the pool. ``pdf_engine`` None: the batch writes no PDF.
    """
    if scheduler or dask_local:
        return DaskPool(scheduler, dask_local)
    shared: list[Any] = []
    zygote = printer = None
    try:
        if mode == "fast":
            from ..render import pdf
            from .zygote import Zygote

            zygote = Zygote.start()
            shared.append(zygote)
            if pdf_engine == "chromium":
                printer = pdf.PrintServer()
                shared.append(printer)
        return LocalPool(workers, start_worker, (mode, pdf_engine, zygote and zygote.address, printer and printer.address,
                                                 os.getpid(), dict(os.environ), os.getcwd()), shared,
                         preload=PRELOAD if mode == "fast" else ())
    except BaseException:
        for process in shared:
            process.close()
        raise
