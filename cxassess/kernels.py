"""Fresh kernels without the start-up bill: fork them from a pre-imported, data-free process.

Starting a Python kernel and importing pandas, matplotlib and cxassess costs about a second
of CPU per client. A batch worker instead keeps one *zygote*: a process that imports those
libraries once and never runs client code. For each client it forks a new process that
becomes the kernel, so every client still gets its own fresh process (nothing a previous
client did can be seen) while the imports are inherited for free.

Used by ``cxassess batch`` on POSIX systems; set ``CXASSESS_FORK_KERNELS=0`` to start
kernels the ordinary way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

PRELOAD = ("ipykernel.kernelapp", "IPython.display", "numpy", "pandas", "matplotlib", "cxassess.display",
           "cxassess.assessment", "cxassess.report")


def enabled() -> bool:
    """Forking is used where the OS has fork and the user did not switch it off."""
    return hasattr(os, "fork") and os.environ.get("CXASSESS_FORK_KERNELS", "1") != "0"


class ForkedProcess:
    """A Popen look-alike for a kernel the zygote forked (it is not our child: poll by pid)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """One pre-imported process per worker; ``fork`` asks it for a new kernel process."""

    _instance: "Zygote | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cxassess.kernels"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=env, text=True, bufsize=1,
        )
        ready = self.process.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"kernel zygote failed to start: {ready!r}")

    @classmethod
    def get(cls) -> "Zygote":
        with cls._lock:
            if cls._instance is None or cls._instance.process.poll() is not None:
                cls._instance = cls()
            return cls._instance

    def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        request = {"argv": argv, "env": env, "cwd": cwd}
        with self._lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("kernel zygote exited")
        return int(json.loads(answer)["pid"])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


class ForkProvisioner(LocalProvisioner):
    """Launch the kernel by forking the zygote instead of starting a new interpreter."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        launcher = next(i for i, part in enumerate(cmd) if part.endswith("ipykernel_launcher"))
        env = {k: str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = kwargs.get("cwd")
        pid = Zygote.get().fork(cmd[launcher + 1:], env, str(cwd) if cwd else None)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]
        self.pid = self.pgid = pid  # the child leads its own process group
        self.cwd = cwd
        return self.connection_info


class ForkKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels come from the zygote (pass as Papermill's kernel_manager_class)."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            import uuid

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


# ------------------------------------------------------------------------------ the zygote


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Linux: have the kernel deliver ``signum`` to this process when its parent exits.

    Ties every kernel to the zygote and the zygote to its worker, whatever interrupts them.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _become_kernel(request: dict) -> None:
    """In the forked child: a new session, the requested environment, then the kernel app."""
    die_with_parent()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
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
    from matplotlib.figure import Figure

    from cxassess import display, templates

    display.precompile()
    for folder in templates.template_dirs()[-1:]:  # the bundled questionnaires: shared, not client data
        for path in sorted(folder.glob("*.yaml")):
            templates.load_template(path)
    fig = Figure(figsize=(2, 1), layout="constrained")
    fig.add_subplot().set_title("warm-up")
    fig.savefig(os.devnull, format="png")


def zygote_main() -> None:
    import importlib

    die_with_parent(signal.SIGTERM)
    for module in PRELOAD:
        importlib.import_module(module)
    _warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides; EOF on stdin ends us
    print("ready", flush=True)
    children: list[int] = []
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _become_kernel(request)
            except BaseException:  # the kernel's own failure: nothing useful to do but leave
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
        print(json.dumps({"pid": pid}), flush=True)
    for pid in children:  # our worker is gone: so are the kernels it asked for
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


if __name__ == "__main__":
    zygote_main()
