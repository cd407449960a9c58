"""Atomic file writes: a reader, or a process killed half-way, sees the old file or the new one."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_target(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that wants a file name; renamed over ``path`` on success.

    On an exception the temporary file is removed and ``path`` keeps what it held before.
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    with atomic_target(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (line ends as given), atomically."""
    return write_bytes_atomically(path, text.encode("utf-8"))
