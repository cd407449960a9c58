"""Atomic file writes: a reader, or a process killed half-way, sees the old file or the new one."""

from __future__ import annotations

import os
from pathlib import Path


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (line ends as given), atomically."""
    return write_bytes_atomically(path, text.encode("utf-8"))
