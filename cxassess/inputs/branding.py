"""A consultancy's branding: firm name, logo, two colours and a font, checked like every other input.

Where it comes from, field by field (a later source overrides an earlier one):

1. the consultancy's file: ``--branding FILE``, else ``$CXASSESS_BRANDING``, else ``branding.yaml``
   in the folder that holds the clients folder (``data/branding.yaml`` beside ``data/clients/``);
2. the ``branding:`` block of the client's ``client.yaml`` (e.g. a co-branded engagement).

Both hold the same block::

    branding:
      firm_name: Harbour & Finch Consulting
      logo: logo.png            # PNG or JPEG, relative to the file that names it, at most 2 MB
      primary: "#0B3D5C"        # headings, titles, table headers (white text on it; quote it: '#' starts a comment)
      accent: "#D9822B"         # the firm's name, the title slide's bar
      font: Georgia             # a font family installed where the files are opened

Without any of them the deliverables keep their neutral look. Every problem is located
(file, line, what is wrong, how to fix it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..core.errors import CxError, Problem
from ..core.settings import BRANDING_ENV, BRANDING_FILE, LOGO_MAX_BYTES
from .yamlfile import line_of
from .yamlschema import validate_yaml_with_lines

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_FONT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .'-]{0,59}")
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def _colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise PydanticCustomError("cxassess", "{msg}", {"msg": (
            f"{value!r} is not a colour: write it as \"#RRGGBB\" in quotes, six hexadecimal digits, e.g. \"#1F4E79\"")})
    return value.upper()


def _font(value: str) -> str:
    if not _FONT.fullmatch(value):
        raise PydanticCustomError("cxassess", "{msg}", {"msg": (
            f"{value!r} is not a font family name: letters, digits, spaces, '.', \"'\" and '-' only, at most 60 "
            "characters, e.g. Calibri or Source Sans Pro")})
    return value


Colour = Annotated[str, AfterValidator(_colour)]


class BrandingBlock(BaseModel):
    """The ``branding:`` block, in a consultancy's branding.yaml or a client.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    firm_name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    logo: Annotated[str, Field(min_length=1)] | None = None  # relative to the file that names it
    primary: Colour | None = None
    accent: Colour | None = None
    font: Annotated[str, AfterValidator(_font)] | None = None


class BrandingFile(BaseModel):
    """A consultancy's ``branding.yaml``: one ``branding:`` block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    branding: BrandingBlock


class _ClientBranding(BaseModel):
    """The part of client.yaml read here (the rest is ``inputs/clients.py``'s)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    branding: BrandingBlock | None = None


@dataclass(frozen=True)
class Branding:
    """Checked branding: each field as set, the logo as a file that exists and is a PNG or JPEG."""

    firm_name: str | None = None
    logo_path: Path | None = None
    primary: str | None = None
    accent: str | None = None
    font: str | None = None


def logo_kind(path: Path) -> str | None:
    """``png`` or ``jpeg`` by the file's first bytes (never by its name), else None."""
    with open(path, "rb") as f:
        head = f.read(8)
    return next((kind for magic, kind in _SIGNATURES.items() if head.startswith(magic)), None)


def _checked(block: BrandingBlock, file: Path, node: Any, loc: tuple) -> Branding:
    """The block with its logo resolved against ``file``'s folder and checked."""
    logo = None
    if block.logo is not None:
        row = line_of(node, (*loc, "logo"))
        logo = (file.parent / block.logo).resolve()

        def bad(message: str) -> CxError:
            return CxError(Problem(str(file), f"{'.'.join((*loc, 'logo'))}: {message}", row))

        if not logo.is_file():
            raise bad(f"logo file {block.logo!r} not found (looked for {logo}); put the logo there or correct "
                      "the path, which is relative to this file's folder")
        size = logo.stat().st_size
        if size > LOGO_MAX_BYTES:
            raise bad(f"logo file {block.logo!r} is {size / 1e6:.1f} MB, more than the {LOGO_MAX_BYTES / 1e6:g} MB "
                      "allowed; save a smaller PNG or JPEG (a few hundred pixels wide is plenty)")
        if logo_kind(logo) is None:
            raise bad(f"logo file {block.logo!r} is not a PNG or JPEG image; export the logo as PNG or JPEG")
    return Branding(block.firm_name, logo, block.primary, block.accent, block.font)


def load_branding(file: str | os.PathLike) -> Branding:
    """A consultancy's branding file (``branding:`` block), checked; CxError with located problems."""
    path = Path(file)
    if not path.is_file():
        raise CxError.at(path, "branding file not found; give an existing YAML file with a 'branding:' block")
    spec, node = validate_yaml_with_lines(path, BrandingFile)
    return _checked(spec.branding, path, node, ("branding",))


def client_branding(config_file: str | os.PathLike) -> Branding | None:
    """The ``branding:`` block of a client.yaml, checked; None when it has none."""
    path = Path(config_file)
    spec, node = validate_yaml_with_lines(path, _ClientBranding)
    return None if spec.branding is None else _checked(spec.branding, path, node, ("branding",))


def consultancy_file(client_dir: str | os.PathLike, explicit: str | os.PathLike | None = None) -> Path | None:
    """The consultancy's branding file for a client folder: ``explicit``, ``$CXASSESS_BRANDING``, or
    ``branding.yaml`` beside the clients folder; None when there is none (the neutral look)."""
    chosen = explicit or os.environ.get(BRANDING_ENV)
    if chosen:
        return Path(chosen)
    beside = Path(client_dir).resolve().parent.parent / BRANDING_FILE
    return beside if beside.is_file() else None


def merge(base: Branding | None, over: Branding | None) -> Branding | None:
    """``over``'s fields replace ``base``'s one by one (the fields ``over`` leaves unset keep ``base``'s)."""
    if base is None or over is None:
        return over or base
    return replace(base, **{k: v for k, v in vars(over).items() if v is not None})


def find_branding(client_dir: str | os.PathLike, explicit: str | os.PathLike | None = None) -> Branding | None:
    """A client's branding: the consultancy's file, overridden field by field by client.yaml's block."""
    file = consultancy_file(client_dir, explicit)
    firm = load_branding(file) if file is not None else None
    config = Path(client_dir) / "client.yaml"
    own = client_branding(config) if config.is_file() else None
    return merge(firm, own)
