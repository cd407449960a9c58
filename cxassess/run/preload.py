"""What every pool worker of a fast batch needs, imported once in multiprocessing's fork server.

A fast batch's workers are forked from that server (``pools.LocalPool``), which imports this
module before it forks any: each worker then starts with Papermill, the report path, the kernel
manager and the HTML exporter already in memory, instead of importing and building them itself
(about 1.6 s of CPU per worker). The server is single-threaded, so forking it is safe, unlike
forking the batch process. It ends once the batch process and every worker have ended (each holds
its pipe); a worker watches the batch itself (``runner.start_worker``), so a killed batch takes all along.
"""

from __future__ import annotations

import gc
import signal

from ..core.imports import skip_unused_imports

# The fork server gives its children the handlers it had before it started serving: this one, so a
# worker ignores Ctrl-C from its first instant (a task turns it on while it runs, pools._interruptible).
signal.signal(signal.SIGINT, signal.SIG_IGN)
skip_unused_imports()  # before nbformat is first imported
gc.disable()  # the imports' allocations would set off full collections that find nothing
import papermill  # noqa: E402,F401

from . import batch, kernels  # noqa: E402,F401
from .html_export import exporter  # noqa: E402

exporter()
gc.freeze()  # inherited by every worker: never walked by a collection, and the pages stay shared
gc.enable()
