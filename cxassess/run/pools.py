"""Where batch work runs: a local pool of worker processes, or a Dask cluster.

Both offer the same four verbs (submit, wait for the first finished, interrupt, close) so the
batch loop does not care which one runs it. Every task is one client; each task runs that
client in its own fresh kernel, wherever it lands.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Sequence

from ..core.background import meanwhile


def quiet_worker() -> None:
    """Papermill's per-cell logging and libraries' deprecation warnings are not a batch user's business."""
    import logging
    import warnings

    logging.getLogger("papermill").setLevel(logging.WARNING)
    warnings.simplefilter("ignore", DeprecationWarning)


def _interruptible(function: Callable, *args: Any) -> Any:
    """Run one task with Ctrl-C live (the task cleans up: its kernel stops, its staging folder goes)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return function(*args)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalPool:
    """Worker processes on this machine, each its own process (Papermill's cwd handling is process-wide).

    Workers are spawned (a new interpreter each), or with ``preload`` forked from multiprocessing's
    fork server, a single-threaded process that imports the ``preload`` modules once (run/preload.py).
    ``initializer(*initargs)`` runs as each worker starts; ``shared`` are processes the workers use
    (runner.py: the kernel zygote, the print server), closed after the workers.
    """

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = (),
                 shared: Sequence[Any] = (), preload: Sequence[str] = ()):
        self.workers = workers
        self.shared = list(shared)
        context = multiprocessing.get_context("forkserver" if preload else "spawn")
        if preload:
            context.set_forkserver_preload(list(preload))  # read when this process first starts its fork server
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs,
        )
        # Start the workers now, from a thread: they warm up while the batch prepares, and the batch does
        # not wait for them (a fork server hands out its first worker only once its imports are done).
        # An error of the start is met again, and reported, by the batch's first client.
        self._starting = meanwhile(functools.partial(self.executor.submit, os.getpid), "start workers")

    def submit(self, function: Callable, *args: Any) -> Any:
        return self.executor.submit(_interruptible, function, *args)

    def first_completed(self, futures: Iterable[Any]) -> set:
        return wait(list(futures), return_when=FIRST_COMPLETED)[0]

    def interrupt(self, futures: Iterable[Any]) -> None:
        """Cancel what has not started; ask running workers to stop (they clean up their kernel)."""
        for future in futures:
            future.cancel()
        self._starting.join()  # every worker started, so each is told
        for process in list(getattr(self.executor, "_processes", {}).values()):
            try:
                os.kill(process.pid, signal.SIGINT)
            except (ProcessLookupError, OSError):
                pass

    def close(self) -> None:
        self._starting.join()
        self.executor.shutdown(wait=True, cancel_futures=True)
        for process in self.shared:
            process.close()


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
        self.client.run(quiet_worker)  # a LocalCluster's processes end with ours: distributed watches the parent
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
