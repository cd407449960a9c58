"""The kernel zygote: one process that imports what a kernel needs once, then forks a fresh kernel per client.

Starting a Python kernel and importing pandas, matplotlib and cxassess costs seconds of CPU per
client; a fork of this process costs milliseconds, and every client still gets a process of its
own (the zygote runs no client code, so nothing a previous client did can be seen).
``kernels.py`` hands its forks to Papermill as kernels. This module imports nothing heavy itself:
a report can start its zygote before it imports anything else (``cli/__init__.py``).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

from ..core.processes import die_with_parent, owned_temp_folder
from ..core.settings import ZYGOTE_ENV

# Everything a kernel imports before its first cell (its shell, debugger, magics) and what the notebook uses.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.debugger",
           "IPython.core.completerlib", "IPython.core.logger", "IPython.core.oinspect", "IPython.utils.wildcard",
           "IPython.extensions.storemagic", "psutil", "faulthandler", "runpy", "tornado.platform.asyncio",
           "IPython.display", "numpy", "pandas", "pandas.core.methods.to_dict", "matplotlib", "cxassess.render.display",
           "cxassess.render.sections", "cxassess.render.comparisons", "cxassess.run.portfolio",
           "cxassess.analysis.assessment", "cxassess.run.report",
           "cxassess.render.sentiment", "vaderSentiment.vaderSentiment")


class Zygote:
    """A pre-imported process that forks kernels on request, over a Unix socket.

    A batch starts one for all its workers (``start``; the workers find it through
    ``$CXASSESS_ZYGOTE``); any other process starts its own on first use. The zygote ends when
    its owner closes it or dies, and takes the kernels it forked with it; a kernel also dies when
    the connection that asked for it closes (its worker ended or crashed).
    """

    _instance: "Zygote | None" = None
    _lock = threading.Lock()

    def __init__(self, address: str, process: subprocess.Popen | None = None, folder: str | None = None) -> None:
        self.address, self.process, self._folder = address, process, folder
        self._socket: socket.socket | None = None
        self._reader: Any = None

    @classmethod
    def start(cls) -> "Zygote":
        """Start a zygote owned by this process; it imports in the background and serves once ready."""
        folder = owned_temp_folder("zygote")  # mode 0700: only this user may ask for kernels
        address = os.path.join(folder, "zygote.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(address)
            listener.listen(64)  # connections queue here while the zygote still imports
            # PYDEVD_...: the kernel's debugger, imported there once, would warn on every start about frozen modules.
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                       PYDEVD_DISABLE_FILE_VALIDATION="1")
            process = subprocess.Popen([sys.executable, "-m", "cxassess.run.zygote", str(listener.fileno()), folder],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                                       pass_fds=(listener.fileno(),))
        finally:
            listener.close()  # the zygote holds it now: if the zygote dies, waiting clients see the end
        return cls(address, process, folder)

    @classmethod
    def get(cls) -> "Zygote":
        """This process's zygote: the batch's shared one (``$CXASSESS_ZYGOTE``), else one of its own."""
        with cls._lock:
            if cls._instance is None or (cls._instance.process is not None and cls._instance.process.poll() is not None):
                address = os.environ.get(ZYGOTE_ENV)
                cls._instance = cls(address) if address else cls.start()
                cls._instance._connect()
                atexit.register(cls._instance.close, wait=False)
            return cls._instance

    def _connect(self) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(self.address)
        self._reader = self._socket.makefile("rb")

    def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        """A new kernel process running ``ipykernel_launcher argv`` with ``env`` in ``cwd``; returns its pid."""
        request = {"argv": argv, "env": env, "cwd": cwd}
        with self._lock:
            if self._socket is None:
                self._connect()
            self._socket.sendall(json.dumps(request).encode() + b"\n")
            answer = self._reader.readline()
        if not answer:
            raise RuntimeError("kernel zygote exited")
        return int(json.loads(answer)["pid"])

    def close(self, wait: bool = True) -> None:
        """Disconnect (our kernels die with the connection); an owner also ends the zygote.

        ``wait`` False (at exit) does not wait for it to go: it ends at EOF, or with this process.
        """
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
            self._socket = None
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            if not wait:
                return  # the zygote removes its folder itself
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def _become_kernel(request: dict) -> None:
    """In the forked child: a new session, the requested environment, then the kernel app."""
    die_with_parent()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.clear()
    os.environ.update(request["env"])
    if request.get("cwd"):
        os.chdir(request["cwd"])
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # hold none of the worker's pipes: outputs travel over ZeroMQ
        os.dup2(devnull, fd)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(request["argv"])
    app.start()


def _warm_up() -> None:
    """Load fonts, text layout caches and section templates once: generic work, no client data."""
    from cxassess.core.resources import BUNDLED_TEMPLATES
    from cxassess.render import comparisons, display, sections
    from cxassess.render.plots import style
    from cxassess.inputs import templates

    display.precompile(display, sections, comparisons)
    for path in sorted(BUNDLED_TEMPLATES.glob("*.yaml")):  # the bundled questionnaires: shared, not client data
        templates.load_template(path.resolve())  # resolved, as a client names it (the cache key)
    fig = style.figure(2, 1)
    ax = fig.add_subplot()
    ax.set_title("warm-up")
    style.settle(fig, ax)
    display.figure(fig)


def zygote_main(listen_fd: int, folder: str) -> None:
    """Import, warm up, then fork a kernel for each request line on any connection to ``listen_fd``.

    Ends, removing its socket's ``folder``, at EOF on stdin or SIGTERM (its owner closed or died).
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the owner to handle; EOF on stdin ends us
    try:
        _serve(listen_fd)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(listen_fd: int) -> None:
    import importlib

    die_with_parent(signal.SIGTERM)
    gc.disable()  # imports make few cycles, yet their allocations set off full collections: ~0.3 s
    for module in PRELOAD:
        importlib.import_module(module)
    _warm_up()
    # Every kernel inherits these objects: frozen, the garbage collector never walks them (a full
    # collection over them cost a kernel about 0.1 s) nor writes to them (so the pages stay shared).
    gc.freeze()
    gc.enable()
    live: set[int] = set()  # forked, not yet reaped: only these pids are still ours to kill

    def reap(*_: Any) -> None:  # at once, so a worker polling its kernel sees it gone
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            live.discard(pid)

    signal.signal(signal.SIGCHLD, reap)
    listener = socket.socket(fileno=listen_fd)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    clients: dict[socket.socket, tuple[bytearray, list[int]]] = {}

    def kill(pids: list[int]) -> None:
        for pid in pids:
            if pid in live:
                os.kill(pid, signal.SIGKILL)

    while True:
        for key, _events in selector.select():
            if key.fileobj == sys.stdin.fileno():
                if not os.read(key.fileobj, 4096):  # our owner is gone: so are the kernels it asked for
                    kill(list(live))
                    return
            elif key.fileobj is listener:
                connection, _address = listener.accept()
                selector.register(connection, selectors.EVENT_READ)
                clients[connection] = (bytearray(), [])
            else:
                connection = key.fileobj
                buffer, pids = clients[connection]
                try:
                    data = connection.recv(65536)
                except OSError:  # reset: the worker died mid-request
                    data = b""
                if not data:  # the worker closed or died: its kernels go with it
                    kill(pids)
                    selector.unregister(connection)
                    connection.close()
                    del clients[connection]
                    continue
                buffer += data
                while b"\n" in buffer:
                    line, _, rest = bytes(buffer).partition(b"\n")
                    buffer[:] = rest
                    pid = os.fork()
                    if pid == 0:
                        code = 0
                        try:
                            selector.close()
                            for held in [listener, *clients]:
                                held.close()
                            _become_kernel(json.loads(line))
                        except BaseException:  # the kernel's own failure: nothing useful to do but leave
                            code = 1
                        finally:
                            os._exit(code)
                    live.add(pid)
                    pids[:] = [p for p in pids if p in live] + [pid]
                    connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]), sys.argv[2])
