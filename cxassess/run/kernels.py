"""Fresh kernels without the start-up bill: Papermill's kernels, forked from the zygote (zygote.py).

Starting a Python kernel and importing pandas, matplotlib and cxassess costs about a second
of CPU per client. A batch worker instead keeps one *zygote*: a process that imports those
libraries once and never runs client code. For each client it forks a new process that
becomes the kernel, so every client still gets its own fresh process (nothing a previous
client did can be seen) while the imports are inherited for free. This module makes those
forks look like ordinary kernels to jupyter_client (a provisioner, a manager, a client).

Used in the runner's fast mode (runner.py) on POSIX systems; its plain mode (``--plain``,
``CXASSESS_RUNNER=plain``) starts kernels the ordinary way.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import time
from queue import Empty
from typing import Any

from traitlets import Type

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from .zygote import Zygote

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

    async def wait(self) -> int | None:
        while self.process is not None and self.process.poll() is None:
            await asyncio.sleep(0.01)  # the base class looks every 0.1 s: most of a kill's time
        return await super().wait()


class ReadyClient(AsyncKernelClient):
    """A kernel client that knows the kernel is ready as soon as it has proved so.

    jupyter_client's own check, after the kernel answers ``kernel_info`` and IOPub delivers, waits
    for 0.2 s of IOPub silence: dead time that was half of a forked kernel's start. Here the kernel
    is ready once it has answered on the shell channel *and* IOPub has carried its idle status for
    that very request: both channels work and the request's output is complete.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                request = reply["parent_header"].get("msg_id")
                try:
                    while True:
                        message = await self.iopub_channel.get_msg(timeout=0.2)
                        if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                                and message["parent_header"].get("msg_id") == request):
                            self._handle_kernel_info_reply(reply)
                            return
                except Empty:  # IOPub was not connected yet when the kernel published: ask again
                    pass
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


class ForkKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels come from the zygote (pass as Papermill's kernel_manager_class)."""

    client_factory = Type(ReadyClient, klass=AsyncKernelClient, config=True)

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        await super()._async_wait(pollinterval)  # a killed fork is gone within milliseconds: look often

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            import uuid

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
