"""How a questionnaire is named: a bare id found in the template folders, or a file.

Ids are looked up in the folders of ``$CXASSESS_TEMPLATES``, then among the questionnaires bundled
with the package (found through ``importlib.resources``, never through the current folder). A
file named in ``client.yaml`` or ``wave.yaml`` is relative to the folder of that file, so a client
folder reads the same from wherever cxassess runs; it may climb out (``../questionnaires/q.yaml``)
but must be relative and end in ``.yaml`` or ``.yml``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PureWindowsPath
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..core.errors import CxError
from ..core.paths import check_inside, check_no_nul
from ..core.resources import BUNDLED_TEMPLATES
from ..core.settings import TEMPLATES_ENV

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
TEMPLATE_SUFFIXES = (".yaml", ".yml")


def template_dirs() -> list[Path]:
    """Where template ids are looked up: the folders in $CXASSESS_TEMPLATES, then the bundled ones."""
    dirs = [Path(p) for p in os.environ.get(TEMPLATES_ENV, "").split(os.pathsep) if p]
    return [*dirs, BUNDLED_TEMPLATES]


def is_template_path(name: str | os.PathLike) -> bool:
    """True when a template name is a file (ends in .yaml or .yml), False when it is an id."""
    return Path(os.fspath(name)).suffix.lower() in TEMPLATE_SUFFIXES


def template_file(name: str | os.PathLike, base: str | os.PathLike | None = None) -> Path:
    """The file behind a template name: a file path, or a bare template id such as ``servqual``.

    A relative path is taken from ``base`` (the folder of the file that names the template, such
    as a client folder), else from the current folder. Without ``base`` an existing file of any
    name is a path too (a command-line argument); an id is looked up in ``template_dirs()``.
    """
    path = Path(check_no_nul(name, "the template"))
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    if is_template_path(name) or (base is None and path.exists()):
        return path
    if not re.fullmatch(ID_PATTERN, str(name)):
        raise CxError.at(name, "is neither a template file nor a template id")
    for folder in template_dirs():
        for suffix in TEMPLATE_SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return check_inside(candidate, folder, f"template {name!r}")
    known = sorted({p.stem for d in template_dirs() if d.is_dir() for p in d.glob("*.y*ml")})
    raise CxError.at(name, f"no template with this id; known templates: {', '.join(known) or 'none'}")


def _template_name(value: str) -> str:
    """A template named in a YAML file: an id, or a relative .yaml/.yml path (it may climb out with ``../``)."""
    if "\x00" in value:
        raise PydanticCustomError("cxassess", "{msg}", {"msg": "the name holds a NUL byte (\\x00); remove it"})
    if is_template_path(value):
        if value.startswith(("/", "\\", "~")) or PureWindowsPath(value).drive or os.path.isabs(value):
            raise PydanticCustomError("cxassess", "{msg}", {"msg": (
                f"{value!r} is an absolute path; write the file's path relative to the folder of this file "
                "(e.g. my_questionnaire.yaml or ../questionnaires/q.yaml), so the folder can be moved")})
        return value
    if not re.fullmatch(ID_PATTERN, value):
        raise PydanticCustomError("cxassess", "{msg}", {"msg": (
            f"{value!r} is neither a template id (a letter, then letters, digits, '_', '.' or '-'; at most 64 "
            "characters) nor a template file ending in .yaml or .yml; name a template such as cx_service_strategy, "
            "or a file relative to the folder of this file such as my_questionnaire.yaml")})
    return value


#: A template as named in client.yaml or wave.yaml: an id, or a file relative to the folder of that YAML file.
TemplateName = Annotated[str, Field(min_length=1), AfterValidator(_template_name)]
