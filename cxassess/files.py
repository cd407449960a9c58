"""Atomic file writes: a reader, or a process killed half-way, sees the old file or the new one."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8, line ends as given) to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8", newline="")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
