"""Validating a YAML file against a pydantic model, with friendly located problems.

pydantic's errors name a location as a tuple and speak a programmer's language; here each one
becomes a ``FILE:LINE: yaml.path: message`` problem a consultant can act on (unknown keys with
the likely intended one, plain words for wrong types), and every problem of a file is reported
at once.
"""

from __future__ import annotations

import difflib
import os
import typing
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ValidationError

from ..core.errors import CxError, Problem
from .yamlfile import line_of, read_yaml, yaml_path


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """The keys the schema allows at the mapping that holds ``loc`` (for 'unknown key' hints)."""
    annotation: Any = model
    for part in loc[:-1]:
        while True:
            origin = typing.get_origin(annotation)
            if origin is Annotated:
                annotation = typing.get_args(annotation)[0]
            elif origin in (list, dict) and isinstance(part, int):
                annotation = typing.get_args(annotation)[-1]
                break
            elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
                annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
            else:
                break
        if isinstance(part, str):
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return None
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return None


_PLAIN = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text (put it in quotes)",
    "string_too_short": "must not be empty",
    "list_type": "must be a list ('- item' lines or [a, b])",
    "dict_type": "must be a mapping ('key: value' lines)",
    "model_type": "must be a mapping ('key: value' lines)",
    "model_attributes_type": "must be a mapping ('key: value' lines)",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _friendly(error: dict, model: type[BaseModel]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return f"required field {loc[-1]!r} is missing; add it" if loc else "required field is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc) or []
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {loc[-1]!r}{suggestion}"
    if kind == "string_pattern_mismatch":
        return (
            f"{error['input']!r} is not a valid id: start with a letter, then letters, digits, '_', '.' or '-' "
            "(at most 64 characters, no ':' or spaces)"
        )
    if kind == "cxassess":
        return error["msg"]
    message = _PLAIN.get(kind) or error["msg"].replace("Input should be", "must be", 1)
    value = error.get("input")
    if isinstance(value, (str, int, float, bool)) and "found" not in message:
        message = f"{message} (found {_shown(value)})"
    return message[0].lower() + message[1:] if message else message


def problems_from_validation(exc: ValidationError, file: str, node: yaml.Node | None, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into ``FILE:LINE: yaml.path: message`` problems."""
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, e.g. labels: {one: ...}
            loc = loc[:-1]
            message = f"the key {loc[-1]!r} {_friendly({**error, 'input': None}, model)}"
        else:
            message = _friendly(error, model)
        problems.append(Problem(file, f"{yaml_path(loc)}: {message}", row=line_of(node, loc)))
    return sorted(problems, key=lambda p: p.row or 0)


def validate_yaml(path: str | os.PathLike, model: type[BaseModel], raw: bytes | None = None) -> Any:
    """Load a YAML file into ``model``, or raise CxError naming every problem."""
    return validate_yaml_with_lines(path, model, raw)[0]


def validate_yaml_with_lines(path: str | os.PathLike, model: type[BaseModel],
                             raw: bytes | None = None) -> tuple[Any, yaml.Node | None]:
    """Like ``validate_yaml``, also returning the YAML node tree so later checks can cite lines."""
    data, node = read_yaml(path, raw)
    if data is None:
        raise CxError.at(path, "the file is empty; expected a YAML mapping (key: value lines)")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({_shown(data)})"
        raise CxError.at(
            path,
            f"expected a YAML mapping (key: value lines) at the top level, found {kind}",
            row=node.start_mark.line + 1 if node is not None else None,
        )
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        raise CxError(problems_from_validation(exc, str(path), node, model)) from None
