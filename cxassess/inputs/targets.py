"""Pillar targets files: the rating a client aims for in each pillar, checked against the template.

Targets come from a small YAML mapping or a ``pillar_id,target`` CSV (and from ``client.yaml``
or the explorer's settings, through `check_targets`); every problem is collected and points at
the CSV row or the YAML line.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..core.errors import CxError, Problem
from .tables import cell_text, read_table
from .templates import Template
from .yamlfile import line_of, read_yaml


def read_targets(path: str | os.PathLike, template: Template) -> dict[str, float]:
    """Pillar targets (pillar id -> desired rating) from a YAML mapping or a CSV ``pillar_id,target``.

    A YAML file is either ``pillar_id: rating`` lines or the same under a ``targets:`` key.
    Every problem is collected; problems point at the CSV row or the YAML line.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        if path.is_file() and path.stat().st_size == 0:
            raise CxError.at(path, "the file is empty; expected a header row pillar_id,target and one row per pillar")
        raw = read_table(path)
        if raw.header[:2] != ["pillar_id", "target"]:
            found = ",".join(raw.header[:2])
            raise CxError.at(path, f"expected the columns pillar_id,target (found {found!r})", row=1)
        entries = [(r[0].strip(), r[1].strip() if len(r) > 1 else "", n, "pillar_id", "target")
                   for r, n in zip(raw.rows, raw.row_numbers) if any(c.strip() for c in r)]
    else:
        data, node = read_yaml(path)
        nested = isinstance(data, dict) and isinstance(data.get("targets"), dict)
        if nested:
            data = data["targets"]
        if not isinstance(data, dict):
            raise CxError.at(path, "expected a YAML mapping of pillar ids to target ratings, e.g. 'vision: 4'")
        entries = yaml_target_entries(data, node, ("targets",) if nested else ())
    return check_targets(entries, template, str(path))


TargetEntry = tuple[str, Any, "int | None", str, str]  # pillar id, value, row, id column, value column


def yaml_target_entries(data: Mapping[str, Any], node: Any, prefix: tuple = ()) -> list[TargetEntry]:
    """Targets given as a YAML mapping, with the line of each entry for messages."""
    return [(str(k), cell_text(v), line_of(node, (*prefix, k)), str(k), str(k)) for k, v in data.items()]


def check_targets(entries: Iterable[TargetEntry], template: Template, file: str) -> dict[str, float]:
    """Pillar targets checked against the template: known pillars, once each, values on the scale."""
    pillars = {p.id for p in template.pillars}
    targets: dict[str, float] = {}
    first_row: dict[str, int | None] = {}
    problems = []
    for pillar_id, text, row, id_column, value_column in entries:
        if pillar_id not in pillars:
            close = difflib.get_close_matches(pillar_id, sorted(pillars), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; pillars: {', '.join(sorted(pillars))}"
            problems.append(Problem(file, f"unknown pillar {pillar_id!r}{hint}", row, id_column))
            continue
        if pillar_id in first_row:
            where = f" (first on row {first_row[pillar_id]})" if first_row[pillar_id] else ""
            problems.append(Problem(file, f"a second target for {pillar_id!r}{where}; keep one", row, id_column))
            continue
        first_row[pillar_id] = row
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (template.scale.min <= value <= template.scale.max):
            problems.append(
                Problem(file, f"target {text!r} for {pillar_id!r} must be a number from "
                        f"{template.scale.min} to {template.scale.max}", row, value_column)
            )
            continue
        targets[pillar_id] = value
    if problems:
        raise CxError(problems)
    return targets
