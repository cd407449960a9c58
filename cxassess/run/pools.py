"""Where batch work runs: a local pool of worker processes, or a Dask cluster.

Both offer the same four verbs (submit, wait for the first finished, interrupt, close) so the
batch loop does not care which one runs it. Every task is one client; each task runs that
client in its own fresh kernel, wherever it lands.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable

from ..core.processes import die_with_parent


def _quiet_worker() -> None:
    import logging
    import warnings

    logging.getLogger("papermill").setLevel(logging.WARNING)
    warnings.simplefilter("ignore", DeprecationWarning)


def _start_worker(pdf_engine: str | None, zygote: str | None = None, printer: str | None = None,
                  batch: int | None = None) -> None:
    """A new worker process: quiet logs, then its one-off start-up work before the first client arrives.

    ``zygote`` and ``printer`` are the addresses of the kernel zygote (kernels.py) and the Chromium
    (pdf.py) the pool shares; None: each worker starts its own. ``batch``: the pool's process, which
    the worker does not outlive, however it ends.
    """
    import gc
    import sys

    die_with_parent(parent=batch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until a task runs (_interruptible): idle, nothing to stop
    # jsonschema (under nbformat) imports rfc3987_syntax when it is installed, for an IRI format check
    # nbformat's validation never makes; building that grammar cost each worker about a second.
    sys.modules.setdefault("rfc3987_syntax", None)
    from ..core.settings import PRINTER_ENV, ZYGOTE_ENV
    from .report import warm_up

    for name, address in ((ZYGOTE_ENV, zygote), (PRINTER_ENV, printer)):
        if address:
            os.environ[name] = address

    _quiet_worker()
    try:
        warm_up(pdf_engine=pdf_engine)
    except Exception:  # whatever fails here fails again, reported, in the first client's run
        pass
    gc.freeze()  # what start-up built lives as long as the worker: full collections need not walk it


def _interruptible(function: Callable, *args: Any) -> Any:
    """Run one task with Ctrl-C live (the task cleans up: its kernel stops, its staging folder goes)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return function(*args)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalPool:
    """Worker processes on this machine (spawned: Papermill's cwd handling is process-wide)."""

    def __init__(self, workers: int, pdf_engine: str | None = None):
        """``pdf_engine``: the engine the reports will use, started as a worker starts (None: no PDF)."""
        from . import kernels
        from ..render import pdf

        self.workers = workers
        # One kernel zygote and one browser serve every worker: each is started once, not once per worker.
        self.zygote = kernels.Zygote.start() if kernels.enabled() else None
        self.printer = pdf.PrintServer() if pdf_engine == "chromium" else None
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
            initargs=(pdf_engine, self.zygote.address if self.zygote else None,
                      self.printer.address if self.printer else None, os.getpid()),
        )
        self.executor.submit(os.getpid)  # start the workers now: they warm up while the batch prepares

    def submit(self, function: Callable, *args: Any) -> Any:
        return self.executor.submit(_interruptible, function, *args)

    def first_completed(self, futures: Iterable[Any]) -> set:
        return wait(list(futures), return_when=FIRST_COMPLETED)[0]

    def interrupt(self, futures: Iterable[Any]) -> None:
        """Cancel what has not started; ask running workers to stop (they clean up their kernel)."""
        for future in futures:
            future.cancel()
        for process in list(getattr(self.executor, "_processes", {}).values()):
            try:
                os.kill(process.pid, signal.SIGINT)
            except (ProcessLookupError, OSError):
                pass

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        for shared in (self.zygote, self.printer):
            if shared is not None:
                shared.close()


class DaskPool:
    """Tasks on a Dask distributed cluster: an existing scheduler, or a LocalCluster started here.

    A LocalCluster gets one thread per worker process, and listens on loopback only.
    """

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(
                n_workers=local_workers or 2, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, worker_dashboard_address=None,
            )
        self.client = Client(self.cluster if self.cluster is not None else scheduler)
        self.client.run(_quiet_worker)
        if self.cluster is not None:  # our own processes: nannies die with the batch, workers with their nanny
            self.client.run(die_with_parent, nanny=True)
            self.client.run(die_with_parent)
        self.workers = len(self.client.scheduler_info()["workers"])

    def submit(self, function: Callable, *args: Any) -> Any:
        return self.client.submit(function, *args, pure=False)

    def first_completed(self, futures: Iterable[Any]) -> set:
        from distributed import wait as dask_wait

        return set(dask_wait(list(futures), return_when="FIRST_COMPLETED").done)

    def interrupt(self, futures: Iterable[Any]) -> None:
        self.client.cancel(list(futures), force=True)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
