"""The workshop app: Voila serving the questionnaire (or the explorer) for one client on 127.0.0.1.

The pages carry a Content-Security-Policy that lets the browser load nothing from anywhere but
the app itself (Voila's page template links a CDN stylesheet that the bundled assets make
redundant), so a respondent's browser never contacts a third party.

Voila runs the notebook as a web page with its code hidden, one kernel per page load. Kernels of
pages that were closed are shut down once idle (``cull_idle`` seconds), so a day-long workshop
does not fill the machine's memory; a page that is still open keeps its kernel.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .answers_file import client_template, responses_path
from ..inputs.clients import load_client
from ..core.resources import EXPLORER_NOTEBOOK, QUESTIONNAIRE_NOTEBOOK, VOILA_CONFIG
from ..core.settings import CLIENT_DIR_ENV, DEFAULT_PORT

CULL_IDLE = 600  # seconds a closed page's kernel may stay idle before it is shut down
CULL_INTERVAL = 60  # how often Voila looks for such kernels


def app_command(
    client_dir: str | os.PathLike,
    port: int = DEFAULT_PORT,
    explorer: bool = False,
    cull_idle: int = CULL_IDLE,
    cull_interval: int = CULL_INTERVAL,
) -> tuple[list[str], dict[str, str]]:
    """The Voila command line and environment serving a client's questionnaire (or explorer).

    The client folder is checked first, so a bad folder fails here with a clear message
    instead of inside the web page.
    """
    if explorer:
        folder = load_client(client_dir).folder  # the explorer needs valid answers
    else:
        folder, _ = client_template(client_dir)
        responses_path(folder)  # refuses an Excel answers file before anyone types
    notebook = EXPLORER_NOTEBOOK if explorer else QUESTIONNAIRE_NOTEBOOK
    argv = [
        sys.executable, "-m", "voila", str(notebook),
        f"--Voila.config_file_paths={VOILA_CONFIG}",
        "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
        "--strip_sources=True", "--show_tracebacks=False", "--theme=light",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]
    env = {**os.environ, CLIENT_DIR_ENV: str(Path(folder).resolve())}
    return argv, env


def serve(argv: list[str], env: dict[str, str]) -> None:
    """Replace this process with Voila (Ctrl-C and SIGTERM then reach Voila and its kernels directly)."""
    sys.stdout.flush()
    os.execve(argv[0], argv, env)
