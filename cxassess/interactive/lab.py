"""JupyterLab for analysts: the command line that serves client workspaces on 127.0.0.1.

``cxassess lab`` prepares the workspaces (``run/workspace.py``) and then starts JupyterLab rooted
at the workspace (or at the work folder holding several), so the file browser never offers the
shipped ``notebooks/`` that reports run. The server listens on 127.0.0.1 only, with a token made
here and passed in the environment (not on the command line, where other users of the machine
could read it), so the URL printed before JupyterLab starts is the one that works. JupyterLab's
news feed, update check and extension listings are off: an analyst's session with client data
contacts no one.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

from ..core.settings import CLIENT_DIR_ENV

TOKEN_ENV = "JUPYTER_TOKEN"  # jupyter_server's own variable for the token (an IdentityProvider default)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the system picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_url(port: int, token: str, notebook: str | None = None) -> str:
    """The address to open: JupyterLab's start page, or one notebook (a path under the server's root)."""
    page = f"lab/tree/{notebook}" if notebook else "lab"
    return f"http://127.0.0.1:{port}/{page}?token={token}"


def lab_command(root: str | os.PathLike, port: int, token: str, browser: bool = False
                ) -> tuple[list[str], dict[str, str]]:
    """The JupyterLab command line and environment serving ``root`` on 127.0.0.1:``port``.

    ``--allow-root`` is passed when running as root (Jupyter refuses root otherwise; containers
    often run as root). The environment drops the variable `cxassess app` uses to name a client,
    so every workspace notebook uses its own injected ``client_dir``.
    """
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={Path(root).resolve()}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={browser}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no extension listings fetched from PyPI
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    env = {key: value for key, value in os.environ.items() if key != CLIENT_DIR_ENV}
    env[TOKEN_ENV] = token
    return argv, env


def new_token() -> str:
    """A fresh secret for the server's URL (48 hex digits, as Jupyter's own tokens)."""
    return secrets.token_hex(24)


def serve(argv: list[str], env: dict[str, str]) -> None:
    """Replace this process with JupyterLab (Ctrl-C and SIGTERM then reach it and its kernels directly)."""
    sys.stdout.flush()
    os.execve(argv[0], argv, env)
