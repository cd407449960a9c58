"""Processes that never outlive their run, and temporary folders that name their owner.

A batch starts worker processes, a kernel zygote, Dask workers and a browser. When the batch
dies without running any clean-up code (SIGKILL from the OOM killer, a closed terminal), each of
them must go too: ``die_with_parent`` asks Linux to kill a process when its parent exits. The
socket and staging folders they used cannot be removed by the dead; their names carry the owner's
process id (``owned_temp_folder``), so the next run removes those whose owner is gone
(``remove_orphaned_temp_folders``).
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

TEMP_PREFIX = "cxassess-"
_OWNED = re.compile(rf"{TEMP_PREFIX}[a-z]+-(\d+)-")


def die_with_parent(signum: int = signal.SIGKILL, owner: int | None = None) -> None:
    """Linux: have the kernel send ``signum`` to this process when its parent exits.

    ``owner``: the process this one must not outlive, when it is not the parent (a batch, whose
    workers are forked by a fork server that lives as long as they do): a thread waits on the
    owner's process file descriptor and sends the signal when it ends. If the owner is already
    gone, the signal is sent at once. Elsewhere than on Linux this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if owner is None or owner == os.getppid():
        return
    try:
        watched = os.pidfd_open(owner)
    except ProcessLookupError:
        os.kill(os.getpid(), signum)
        return
    except (AttributeError, OSError):  # a kernel without process file descriptors
        if not _alive(owner):
            os.kill(os.getpid(), signum)
        return

    def watch() -> None:
        select.select([watched], [], [])  # readable once the owner has ended
        os.kill(os.getpid(), signum)

    threading.Thread(target=watch, name="cxassess-owner-watch", daemon=True).start()


def owned_temp_folder(kind: str) -> str:
    """A new private (0700) temporary folder whose name says which process owns it."""
    return tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{kind}-{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_orphaned_temp_folders(folder: str | os.PathLike | None = None) -> list[Path]:
    """Remove this user's ``owned_temp_folder`` folders whose owner process no longer runs; returns them."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        match = _OWNED.match(path.name)
        try:
            mine = path.is_dir() and not path.is_symlink() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if match and mine and not _alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
