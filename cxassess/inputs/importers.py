"""Survey-tool exports and filled Excel forms, converted to the canonical responses format.

``import_export`` reads an export (``exports``), assigns its columns to the template's
canonical columns (``matching``), turns answers given as scale labels into scale values, gives
every respondent a stable id and keeps identity columns out of the table; ``import_forms`` does
the same for a folder of filled forms (``forms``). The result is validated with
``responses.validate_table`` before anything is written, and every problem points at the
export's own file, row and column; ``write_import`` then writes the canonical CSV atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import CxError, Problem
from ..core.files import write_text_atomically
from .exports import read_export
from .forms import is_form_file, read_form
from .matching import COMPANIONS, Mapping, match_columns
from .ratings import Parser
from .responses import Responses, validate_table
from .tables import RawTable, column_letter
from .templates import Template, normalise_label


@dataclass(frozen=True)
class Located:
    """An answer cell's text and where it came from."""

    text: str
    file: str
    row: int
    column: str | None


@dataclass
class _Record:
    file: str
    row: int | None  # None for a whole form file
    cells: dict[str, Located]
    seed: str  # what a generated respondent id is a hash of
    identity: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    """The canonical table (text cells), the validated answers, and what happened on the way."""

    header: list[str]
    rows: list[list[str]]
    responses: Responses
    warnings: list[Problem]
    identity_header: list[str]
    identity_rows: list[list[str]]
    matched: dict[str, int]  # how columns were matched: mapping / id / text / form


# ----------------------------------------------------------------------------- the converting


_LEADING = re.compile(r"\(?(\d+)\)?\s*(?:[-\u2013\u2014.:=)]\s*)?([^\W\d_].*)", re.DOTALL)
_TRAILING = re.compile(r"([^\W\d_].*?)\s*[(\[]\s*(\d+)\s*[)\]]", re.DOTALL)


class _Answers:
    """Scale answers as canonical text: ``"4 - Agree"``, ``"Agree (4)"``, ``"Agree"`` and ``"4"`` all become ``"4"``."""

    def __init__(self, template: Template):
        self.parser = Parser(template)
        self.scale = template.scale
        self.cache: dict[str, tuple[str, str | None]] = {}

    def convert(self, text: str) -> tuple[str, str | None]:
        """The canonical text and, if the answer is not on the scale, an error message."""
        if text not in self.cache:
            self.cache[text] = self._convert(" ".join(text.split()))
        return self.cache[text]

    def _convert(self, text: str) -> tuple[str, str | None]:
        value = self.parser.parse(text, labels_allowed=True)
        if value is None:
            return "", None
        if value == self.parser.NA:
            return self.scale.na[0], None
        if isinstance(value, float):
            return str(int(value)), None
        leading, trailing = _LEADING.fullmatch(text), _TRAILING.fullmatch(text)
        if leading or trailing:
            number, label = (int(leading[1]), leading[2]) if leading else (int(trailing[2]), trailing[1])
            if self.scale.min <= number <= self.scale.max:
                meant = self.parser.parse(label, labels_allowed=True)
                if isinstance(meant, float) and meant != number:
                    return "", (f"{text!r}: the number {number} and the label {label!r} ({int(meant)}) disagree; "
                                "correct the answer or the survey's answer options")
                return str(number), None
        return "", value[1:]


def _convert(records: list[_Record], template: Template, columns: list[str]) -> tuple[list[list[str]], list[Problem]]:
    """Canonical text rows in ``columns`` order; problems located in the source."""
    answers = _Answers(template)
    declared = {s.id: {normalise_label(v): v for v in s.values or []} for s in template.segments}
    outcome = template.outcome.id if template.outcome else None
    rows, problems = [], []
    for record in records:
        row = []
        for name in columns:
            cell = record.cells.get(name)
            text = cell.text if cell else ""
            kind = name.partition(":")[2] or ("rating" if name in template.question_ids or name == outcome else name)
            if kind in ("rating", "importance", "target"):
                text, error = answers.convert(text)
                if error:
                    problems.append(Problem(cell.file, error, cell.row, cell.column))
            elif kind == "comment":
                text = text.replace("\r\n", "\n").strip()
            else:
                text = " ".join(text.split())
                text = declared.get(name, {}).get(normalise_label(text), text)  # "frontline" -> "Frontline"
            row.append(text)
        rows.append(row)
    return rows, problems


def _stable_ids(records: list[_Record], given: list[str]) -> list[str]:
    """The tool's response id where given; else ``R`` + 10 hex digits of SHA-256 of the source row.

    The row's cells (identity columns left out) are joined with U+001F, line breaks as ``\\n``,
    and hashed, so an id does not move when rows are added, removed or reordered, or when the
    file is re-saved with other line endings; identical rows get ``-2``, ``-3``... in file order.
    """
    out, seen = [], {}
    for record, rid in zip(records, given):
        if not rid:
            base = "R" + hashlib.sha256(record.seed.encode("utf-8")).hexdigest()[:10]
            seen[base] = seen.get(base, 0) + 1
            rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(rid)
    return out


def _assemble(records: list[_Record], template: Template, present: set[str], file: str,
              problems: list[Problem], counts: dict[str, int], identity_header: list[str]) -> ImportResult:
    """Convert, give ids, validate with the responses rules, and locate every problem in the source."""
    columns = [s for s in template.segment_ids if s in present]
    for qid in template.question_ids:
        columns += [qid, *(f"{qid}:{c}" for c in COMPANIONS if f"{qid}:{c}" in present)]
    if template.outcome is not None and template.outcome.id in present:
        columns.append(template.outcome.id)
    rows, conversion = _convert(records, template, columns)
    problems = problems + conversion
    given = [" ".join(r.cells["respondent_id"].text.split()) if "respondent_id" in r.cells else "" for r in records]
    ids = _stable_ids(records, given)
    header = ["respondent_id", *columns]
    rows = [[rid, *row] for rid, row in zip(ids, rows)]
    first: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        answers = tuple(row[1:])
        if any(answers) and answers in first:
            j = first[answers]
            other = Problem(records[j].file, "", records[j].row).location()
            problems.append(Problem(records[i].file, f"the same answers as {other} (sent twice?); both are kept",
                                    records[i].row, level="warning"))
        first.setdefault(answers, i)
    if any(p.level == "error" for p in problems):
        raise CxError(problems)
    raw = RawTable(file, header, rows, list(range(2, len(rows) + 2)))
    responses, checked = validate_table(raw, template)
    problems += [_locate(p, records) for p in checked]
    if responses is None:
        raise CxError(problems)
    identity_rows = [[rid, *(r.identity.get(h, "") for h in identity_header)] for rid, r in zip(ids, records)]
    return ImportResult(header, rows, responses, problems, ["respondent_id", *identity_header] if identity_header else [],
                        identity_rows if identity_header else [], counts)


def _locate(problem: Problem, records: list[_Record]) -> Problem:
    """A validation problem about the canonical table, pointed back at the source cell."""
    index = (problem.row or 0) - 2
    if not 0 <= index < len(records):
        return problem
    record = records[index]
    cell = record.cells.get(problem.column or "")
    if cell:
        return Problem(cell.file, problem.message, cell.row, cell.column, problem.level)
    return Problem(record.file, problem.message, record.row, None, problem.level)


# ------------------------------------------------------------------------------ entry points


def import_export(
    fmt: str,
    path: str | os.PathLike,
    template: Template,
    mapping: Mapping | None = None,
    allow_unmatched: bool = False,
    keep_identity: bool = False,
) -> ImportResult:
    """Convert one survey-tool export; raises CxError listing every problem (columns first, then cells)."""
    if fmt == "xlsx-forms":
        return import_forms(path, template)
    export = read_export(fmt, path)
    targets, problems, counts = match_columns(export, template, mapping, allow_unmatched)
    if any(p.level == "error" for p in problems):
        raise CxError(problems)
    identity = [c for c in export.columns if c.role == "identity" and c.position not in targets] if keep_identity else []
    records = []
    for cells, number in zip(export.rows, export.row_numbers):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(export.columns) - len(cells))
        located = {target: Located(cells[p], export.file, number, column_letter(p)) for p, target in targets.items()}
        hidden = {c.position for c in export.columns if c.role == "identity"}
        seed = "\x1f".join(c for i, c in enumerate(cells) if i not in hidden).replace("\r\n", "\n")
        records.append(_Record(export.file, number, located, seed, {c.header: cells[c.position] for c in identity}))
    if not records:
        raise CxError.at(export.file, "the export has header rows but no responses", row=export.header_row + 1)
    return _assemble(records, template, set(targets.values()), export.file, problems, counts,
                     [c.header for c in identity])


def import_forms(folder: str | os.PathLike, template: Template) -> ImportResult:
    """Read a folder of filled questionnaire forms (one respondent each), in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CxError.at(folder, "expected a folder of filled .xlsx forms" if folder.exists() else "folder not found")
    files = sorted(p for p in folder.iterdir() if is_form_file(p))
    if not files:
        raise CxError.at(folder, "holds no .xlsx forms; put the filled forms (one per respondent) in this folder")
    records, problems = [], []
    for path in files:
        try:
            cells = read_form(path, template)
        except CxError as exc:
            problems += exc.problems
            continue
        located = {c.column: Located(c.text, str(path), c.row, c.letter) for c in cells}
        answers = "\x1f".join(f"{c.column}={c.text}" for c in cells if c.column != "respondent_id")
        records.append(_Record(str(path), None, located, answers))
    if problems:
        raise CxError(problems)
    present = {c for r in records for c in r.cells if c != "respondent_id"}
    return _assemble(records, template, present, str(folder), [], {"form": len(present)}, [])


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def identity_file(out: str | os.PathLike) -> Path:
    """Where ``--keep-identity`` puts names and e-mail addresses: beside the output, never inside it."""
    out = Path(out)
    return out.with_name(f"{out.stem}.identity.csv")


def write_import(result: ImportResult, out: str | os.PathLike, force: bool = False) -> list[Path]:
    """Write the canonical CSV (and the identity file, if any) atomically; refuse to replace without ``force``."""
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise CxError.at(out, "the imported answers are written as CSV; give --out a name ending in .csv")
    files = [(out, _csv_text(result.header, result.rows))]
    if result.identity_header:
        files.append((identity_file(out), _csv_text(result.identity_header, result.identity_rows)))
    for path, _ in files:
        if path.is_dir():
            raise CxError.at(path, "is a folder; give --out a file name such as responses.csv")
        if path.exists() and not force:
            raise CxError.at(path, "already exists; choose another --out or pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    for path, text in files:
        write_text_atomically(path, text)
    return [path for path, _ in files]
