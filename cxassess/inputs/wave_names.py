"""How a wave is named: its id, and the folder of a client's waves (``waves/<wave-id>/``).

A module of its own, apart from `clients` (client folders, their schemas and waves), so that
``cxassess score`` naming the wave of an answers file found in a wave's folder does not import
the client folders' pydantic models.
"""

from __future__ import annotations

import re

from ..core.errors import CxError

WAVE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # a wave id names a folder (the client id's rule too)
WAVES_FOLDER = "waves"


def check_wave_id(wave_id: str, where: object = None) -> str:
    """Refuse a wave id that is not ``[a-z0-9][a-z0-9_-]{0,63}`` (it names a folder under waves/)."""
    if not isinstance(wave_id, str) or not WAVE_ID.fullmatch(wave_id):
        raise CxError.at(
            where or wave_id or "(empty)",
            f"{str(wave_id)!r} is not a valid wave id: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit (e.g. 2026-q1)",
        )
    return wave_id
