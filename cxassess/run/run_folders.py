"""A report run's folder: staged under a hidden name, locked while written, renamed whole, then ``latest``.

A run is written into ``.<stamp>.partial`` and renamed to ``<stamp>`` only when complete; the
lock on the staging folder tells a live run from one that died (its folder is then removed by
the next run); ``latest`` is repointed atomically. Nothing half-written is ever named.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import threading
from pathlib import Path

LATEST = "latest"
STAGING = ".{}.partial"  # a run being written: hidden, and never named by ``latest``


def new_run_name(parent: Path) -> str:
    base = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name, n = base, 2
    while (parent / name).exists() or (parent / STAGING.format(name)).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def hold(folder: Path) -> int | None:
    """Take an exclusive advisory lock on a staging folder; None if another live process holds it.

    The lock lasts as long as the returned descriptor is open; the kernel drops it when its
    process dies, even by SIGKILL, which is how a stale staging folder is told from a live one.
    Without flock (Windows) every folder counts as free and -1 stands for "nothing to release".
    """
    try:
        import fcntl
    except ImportError:
        return -1
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def release(fd: int | None) -> None:
    if fd is not None and fd >= 0:
        os.close(fd)


def clean_stale_staging(client_root: Path, before: str) -> list[Path]:
    """Remove the client's staging folders left by runs older than ``before`` that died mid-way.

    A folder still locked by a running process (a concurrent run) is left alone. ``before`` "~"
    sorts after every run name: every staging folder no live run holds.
    """
    removed = []
    for path in sorted(client_root.glob(STAGING.format("*"))):
        stamp = path.name[1:-len(".partial")]
        if not path.is_dir() or path.is_symlink() or stamp >= before:
            continue
        fd = hold(path)
        if fd is None:
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            release(fd)
        removed.append(path)
    return removed


def point_latest(client_root: Path, run_name: str) -> None:
    """Atomically make ``latest`` name the run (a symlink; a small text file where links fail)."""
    link = client_root / LATEST
    temp = client_root / f".{LATEST}.{os.getpid()}"
    try:
        if temp.is_symlink() or temp.exists():
            temp.unlink()
        os.symlink(run_name, temp, target_is_directory=True)
    except OSError:
        temp.write_text(run_name + "\n", encoding="utf-8")
    os.replace(temp, link)


def remove_whole(folder: Path) -> None:
    """Remove a half-written run folder; a second Ctrl-C (a batch also interrupts its workers) waits until it is gone."""
    if threading.current_thread() is not threading.main_thread():
        shutil.rmtree(folder, ignore_errors=True)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        signal.signal(signal.SIGINT, previous)
