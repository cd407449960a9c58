"""Respondents' answers in the canonical format: reading, validating, and the validated value.

Canonical format: one row per respondent; ``respondent_id``; any of the template's segment
columns; one column per question id (the rating); optional companions ``<qid>:importance``,
``<qid>:target`` and ``<qid>:comment``. Validation collects every problem with its spreadsheet
row and column, so a consultant fixes a file in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import CxError, Problem
from .templates import Template, normalise_label, validate_yaml

COMPANIONS = ("importance", "target", "comment")
NOT_GIVEN = "(not given)"
MAX_TABLE_BYTES = 200_000_000


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text, before any meaning is given to them (I/O edge output)."""

    file: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]


@dataclass(frozen=True)
class Responses:
    """Validated answers, every frame indexed by ``respondent_id`` in file order.

    ``ratings``, ``importance`` and ``target`` are floats with NaN where nothing usable was
    given (blank or not applicable); ``not_applicable`` marks the N/A answers; reverse-scored
    items are stored as answered (scoring flips them).
    """

    ratings: pd.DataFrame
    not_applicable: pd.DataFrame
    importance: pd.DataFrame
    target: pd.DataFrame
    comments: pd.DataFrame
    segments: pd.DataFrame
    source: str = ""

    def __len__(self) -> int:
        return len(self.ratings)

    @property
    def respondent_ids(self) -> list[str]:
        return list(self.ratings.index)

    def subset(self, rows: Sequence[bool] | pd.Series | Iterable[str]) -> "Responses":
        """The same answers for a subset of respondents (a boolean mask or a list of ids)."""
        if isinstance(rows, pd.Series) and rows.dtype == bool:
            ids = rows[rows].index
        else:
            rows = list(rows)
            ids = self.ratings.index[rows] if rows and isinstance(rows[0], (bool, np.bool_)) else pd.Index(rows)
        return Responses(
            **{name: getattr(self, name).loc[ids] for name in _FRAMES},
            source=self.source,
        )


_FRAMES = ("ratings", "not_applicable", "importance", "target", "comments", "segments")


# ------------------------------------------------------------------------------------ reading


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CxError.at(path, "is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CxError.at(
            path,
            f"is not UTF-8 text (byte {exc.start}, line {line}); save it as 'CSV UTF-8 (comma delimited)'",
        ) from None


def _read_csv(path: Path) -> RawTable:
    text = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CxError.at(path, f"is not a readable CSV file: {exc}") from None
    header = [h.strip() for h in records[0]] if records else []
    return RawTable(str(path), header, records[1:], list(range(2, len(records) + 1)))


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook  # only needed for Excel files

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise CxError.at(path, f"is not a readable Excel workbook ({type(exc).__name__}); re-save it as .xlsx") from None
    try:
        sheet = book["responses"] if "responses" in book.sheetnames else book.worksheets[0]
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    header = [h.strip() for h in grid[0]] if grid else []
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1] for r in grid[1:]):
        header.pop()
    return RawTable(str(path), header, grid[1:], list(range(2, len(grid) + 1)))


def read_table(path: str | os.PathLike) -> RawTable:
    """Read a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX file as text."""
    path = Path(path)
    if not path.is_file():
        raise CxError.at(path, "file not found" if not path.exists() else "is not a file")
    size = path.stat().st_size
    if size == 0:
        raise CxError.at(path, "the file is empty; expected a header row with respondent_id and the question ids")
    if size > MAX_TABLE_BYTES:
        raise CxError.at(path, f"is {size:,} bytes; the limit is {MAX_TABLE_BYTES:,}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise CxError.at(path, f"unsupported file type {suffix!r}; use .csv or .xlsx")


# --------------------------------------------------------------------------------- validation


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Parser:
    """Turns rating/importance cells into numbers, caching by distinct cell text."""

    NA = "na"

    def __init__(self, template: Template):
        scale = template.scale
        self.min, self.max = scale.min, scale.max
        self.labels = {normalise_label(v): k for k, v in scale.labels.items()}
        self.na = {normalise_label(t) for t in scale.na}
        label_list = " … ".join(scale.labels[k] for k in sorted(scale.labels)[:: max(1, len(scale.labels) - 1)])
        na_list = " / ".join(scale.na)
        self.hint_rating = (
            f"use a whole number from {self.min} to {self.max}"
            + (f", a label ({label_list})" if label_list else "")
            + f", {na_list}, or leave it blank"
        )
        self.hint_number = f"use a whole number from {self.min} to {self.max}, {na_list}, or leave it blank"
        self.cache: dict[tuple[str, bool], Any] = {}

    def parse(self, text: str, labels_allowed: bool) -> float | str | None:
        """A number, ``NA``, None for blank, or an error message string prefixed by '!'."""
        key = (text, labels_allowed)
        if key not in self.cache:
            self.cache[key] = self._parse(text, labels_allowed)
        return self.cache[key]

    def _parse(self, text: str, labels_allowed: bool) -> float | str | None:
        norm = normalise_label(text)
        if not norm:
            return None
        if norm in self.na:
            return self.NA
        if labels_allowed and norm in self.labels:
            return float(self.labels[norm])
        hint = self.hint_rating if labels_allowed else self.hint_number
        try:
            value = float(norm)
        except ValueError:
            if "," in norm and norm.replace(",", "", 1).isdigit():
                return f"!{text.strip()!r} has a decimal comma; ratings are whole numbers: {hint}"
            return f"!{_shorten(text.strip())!r} is not a rating: {hint}"
        if not math.isfinite(value) or not value.is_integer():
            return f"!{text.strip()!r} is not a whole number: {hint}"
        if not self.min <= value <= self.max:
            return f"!{text.strip()!r} is outside the scale {self.min}-{self.max}: {hint}"
        return value


def _classify_columns(header: list[str], template: Template, file: str) -> tuple[dict, list[Problem]]:
    """Map each column position to (kind, question-or-segment id); report header problems."""
    questions = set(template.question_ids)
    segments = set(template.segment_ids)
    known = ["respondent_id", *template.segment_ids, *template.question_ids]
    kinds: dict[int, tuple[str, str]] = {}
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for i, name in enumerate(header):
        where = dict(row=1, column=name or _column_letter(i))
        if not name:
            kinds[i] = ("unnamed", "")
            continue
        if name in first_seen:
            problems.append(
                Problem(file, f"column {name!r} appears twice (columns {_column_letter(first_seen[name])} "
                        f"and {_column_letter(i)}); keep one", **where)
            )
            continue
        first_seen[name] = i
        base, _, companion = name.partition(":")
        if name == "respondent_id":
            kinds[i] = ("respondent_id", name)
        elif name in segments:
            kinds[i] = ("segment", name)
        elif name in questions:
            kinds[i] = ("rating", name)
        elif base in questions and companion in COMPANIONS:
            kinds[i] = (companion, base)
        else:
            if base in questions:
                message = f"unknown companion column {name!r}; use {base}:importance, {base}:target or {base}:comment"
            else:
                close = difflib.get_close_matches(base, known, n=1, cutoff=0.75)
                hint = f"did you mean {close[0]!r}?" if close else "remove it or rename it to a question id"
                message = f"unknown column {name!r}: not a question or segment of template {template.id!r}; {hint}"
            problems.append(Problem(file, message, **where))
    present = {qid for kind, qid in kinds.values() if kind == "rating"}
    if "respondent_id" not in first_seen:
        problems.append(Problem(file, "missing required column 'respondent_id' (one unique id per respondent)", row=1))
    if not present:
        problems.append(
            Problem(file, f"none of the {len(questions)} question columns of template {template.id!r} is in "
                    "the header; is this the right template?", row=1)
        )
    else:
        missing = [q for q in template.question_ids if q not in present]
        if missing:
            shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
            problems.append(
                Problem(file, f"missing question columns: {shown}; add them (they may stay empty)", row=1)
            )
    return kinds, problems


def validate_table(raw: RawTable, template: Template) -> tuple[Responses | None, list[Problem]]:
    """Check every cell of a raw table against a template.

    Returns the validated responses (None if there is any error) and every problem found,
    errors and warnings, in file order.
    """
    file = raw.file
    if not raw.header or not any(raw.header):
        return None, [Problem(file, "the file is empty; expected a header row with respondent_id and the question ids")]
    kinds, problems = _classify_columns(raw.header, template, file)
    if any(p.row == 1 and ("respondent_id" in p.message or "none of the" in p.message or "appears twice" in p.message)
           for p in problems):
        return None, problems

    width = len(raw.header)
    rows, numbers = [], []
    for cells, number in zip(raw.rows, raw.row_numbers):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                Problem(file, f"this row has {len(cells)} cells but the header has {width} columns; "
                        "look for a stray delimiter or an unquoted comma", row=number)
            )
        rows.append(list(cells[:width]) + [""] * (width - len(cells)))
        numbers.append(number)
    if not rows:
        problems.append(Problem(file, "no respondents: the file has a header but no answer rows"))
        return None, problems

    columns = list(zip(*rows))
    parser = _Parser(template)
    id_col = next(i for i, (kind, _) in kinds.items() if kind == "respondent_id")
    ids = [c.strip() for c in columns[id_col]]
    first_row: dict[str, int] = {}
    for rid, number in zip(ids, numbers):
        if not rid:
            problems.append(Problem(file, "missing respondent id; give every row a unique id", number, "respondent_id"))
        elif rid in first_row:
            problems.append(
                Problem(file, f"duplicate respondent id {rid!r} (first on row {first_row[rid]})", number, "respondent_id")
            )
        else:
            first_row[rid] = number

    qids = template.question_ids
    n = len(rows)
    frames = {
        "ratings": np.full((n, len(qids)), np.nan),
        "importance": np.full((n, len(qids)), np.nan),
        "target": np.full((n, len(qids)), np.nan),
        "not_applicable": np.zeros((n, len(qids)), dtype=bool),
    }
    comments = np.full((n, len(qids)), None, dtype=object)
    qpos = {q: j for j, q in enumerate(qids)}
    segment_values: dict[str, list] = {}
    for i, (kind, ident) in sorted(kinds.items()):
        name = raw.header[i]
        cells = columns[i]
        if kind in ("rating", "target", "importance"):
            j = qpos[ident]
            for r, text in enumerate(cells):
                value = parser.parse(text, labels_allowed=kind != "importance")
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("!"):
                    problems.append(Problem(file, value[1:], numbers[r], name))
                elif value == parser.NA:
                    if kind == "rating":
                        frames["not_applicable"][r, j] = True
                else:
                    frames["ratings" if kind == "rating" else kind][r, j] = value
        elif kind == "comment":
            j = qpos[ident]
            for r, text in enumerate(cells):
                comments[r, j] = text.strip() or None
        elif kind == "segment":
            segment_values[ident] = _segment_column(template, ident, cells, numbers, file, name, problems)
        elif kind == "unnamed" and any(c.strip() for c in cells):
            problems.append(Problem(file, "this column holds values but has no name in row 1; name it or delete it",
                                    1, _column_letter(i)))

    answered = (~np.isnan(frames["ratings"])) | frames["not_applicable"]
    present = [qpos[ident] for kind, ident in kinds.values() if kind == "rating"]
    for r, count in enumerate(answered[:, present].sum(axis=1)):
        if count * 2 < len(present):
            problems.append(
                Problem(file, f"respondent {ids[r]!r} answered {count} of {len(present)} questions (under half); "
                        "their answers are kept", numbers[r], level="warning")
            )

    problems.sort(key=lambda p: (p.row or 0, raw.header.index(p.column) if p.column in raw.header else -1))
    if any(p.level == "error" for p in problems):
        return None, problems
    index = pd.Index(ids, name="respondent_id")
    make = lambda data, dtype=None: pd.DataFrame(data, index=index, columns=pd.Index(qids, name="question_id"), dtype=dtype)
    segments = pd.DataFrame(
        {s: segment_values.get(s, [pd.NA] * n) for s in template.segment_ids if s in segment_values},
        index=index,
        dtype="string",
    )
    return (
        Responses(
            ratings=make(frames["ratings"], float),
            not_applicable=make(frames["not_applicable"], bool),
            importance=make(frames["importance"], float),
            target=make(frames["target"], float),
            comments=make(comments, object),
            segments=segments,
            source=file,
        ),
        problems,
    )


def _segment_column(
    template: Template, segment_id: str, cells: Sequence[str], numbers: list[int], file: str, name: str,
    problems: list[Problem],
) -> list:
    """Segment values as given; declared values are matched case-insensitively, others warned about."""
    segment = next(s for s in template.segments if s.id == segment_id)
    canonical = {normalise_label(v): v for v in segment.values or []}
    out: list = []
    warned: set[str] = set()
    for text, number in zip(cells, numbers):
        value = " ".join(text.split())
        if not value:
            out.append(pd.NA)
            continue
        if canonical:
            match = canonical.get(normalise_label(value))
            if match is None and value not in warned:
                warned.add(value)
                problems.append(
                    Problem(file, f"{value!r} is not a known {segment.title.lower()} "
                            f"({', '.join(segment.values or [])}); it is kept as a group of its own",
                            number, name, level="warning")
                )
            value = match or value
        out.append(value)
    return out


def load_responses(path: str | os.PathLike, template: Template) -> tuple[Responses, list[Problem]]:
    """Read and validate a responses file; raise CxError with every problem if any is an error.

    Returns the responses and the warnings.
    """
    responses, problems = validate_table(read_table(path), template)
    if responses is None:
        raise CxError(problems)
    return responses, problems


# ------------------------------------------------------------------------------------ targets


def read_targets(path: str | os.PathLike, template: Template) -> dict[str, float]:
    """Pillar targets (pillar id -> desired rating) from a YAML mapping or a CSV ``pillar_id,target``."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        raw = read_table(path)
        if raw.header[:2] != ["pillar_id", "target"]:
            raise CxError.at(path, "expected the columns pillar_id,target", row=1)
        entries = [(r[0].strip(), r[1].strip() if len(r) > 1 else "", n) for r, n in zip(raw.rows, raw.row_numbers)
                   if any(c.strip() for c in r)]
    else:
        from pydantic import RootModel

        data = validate_yaml(path, RootModel[dict[str, Any]]).root
        data = data.get("targets", data) if isinstance(data.get("targets"), dict) else data
        entries = [(str(k), _cell_text(v), None) for k, v in data.items()]
    pillars = {p.id for p in template.pillars}
    parser = _Parser(template)
    targets, problems = {}, []
    for pillar_id, text, row in entries:
        column = "target" if row else pillar_id
        if pillar_id not in pillars:
            close = difflib.get_close_matches(pillar_id, sorted(pillars), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; pillars: {', '.join(sorted(pillars))}"
            problems.append(Problem(str(path), f"unknown pillar {pillar_id!r}{hint}", row, column))
            continue
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (template.scale.min <= value <= template.scale.max):
            problems.append(
                Problem(str(path), f"target {text!r} for {pillar_id!r} must be a number from "
                        f"{parser.min} to {parser.max}", row, column)
            )
            continue
        targets[pillar_id] = value
    if problems:
        raise CxError(problems)
    return targets
