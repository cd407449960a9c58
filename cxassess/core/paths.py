"""Path safety: a name from a file or a command line never leads outside the folder it belongs in.

Client ids, wave ids and template ids are checked by their own patterns (no slashes, no dots
at the start); this module adds what a pattern cannot see: symbolic links that point outside
their folder, and NUL bytes, which no file name may hold.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CxError


def check_no_nul(value: str | os.PathLike, what: str = "this name") -> str:
    """Refuse text holding a NUL byte (the operating system would cut the name there)."""
    text = os.fspath(value)
    if "\x00" in text:
        raise CxError.at(repr(text), f"{what} holds a NUL byte (\\x00); no file or folder name may contain one")
    return text


def check_inside(path: Path, folder: Path, what: str = "this file") -> Path:
    """``path``, after refusing it if it (through a symbolic link on the way) resolves outside ``folder``."""
    resolved, root = path.resolve(), folder.resolve()
    if resolved != root and root not in resolved.parents:
        raise CxError.at(path, f"{what} leads outside {folder} (to {resolved}), probably through a symbolic link; "
                         "copy the file or folder in instead of linking to it")
    return path
