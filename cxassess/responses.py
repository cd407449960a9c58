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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import CxError, Problem
from .templates import Template, line_of, normalise_label, read_yaml

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
        """The same answers for a subset of respondents (a boolean mask or a list of ids).

        A boolean Series indexed by respondent id is aligned by id; any other mask is taken
        by position and must have one value per respondent. Missing values (NA) in a mask,
        as ``segments[s] == value`` gives for blank segment cells, count as not selected.
        """
        index = self.ratings.index
        if isinstance(rows, pd.Series) and pd.api.types.is_bool_dtype(rows.dtype):
            if len(rows) == len(index) and rows.index.sort_values().equals(index.sort_values()):
                rows = rows.reindex(index)
            rows = list(rows)
        else:
            rows = list(rows)
        if rows and all(isinstance(v, (bool, np.bool_)) or v is pd.NA for v in rows) and any(
            v is not pd.NA for v in rows
        ):
            if len(rows) != len(index):
                raise ValueError(f"a mask of {len(rows)} values for {len(index)} respondents")
            ids = index[np.array([v is not pd.NA and bool(v) for v in rows], dtype=bool)]
        else:
            ids = pd.Index(rows)
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
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
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
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace").lstrip("\ufeff")
        raise CxError.at(
            path,
            f"not UTF-8 text: byte 0x{raw[exc.start]:02X} after {_shorten(before[-30:])!r} (probably an accented "
            "letter saved in a Windows or Mac encoding); save the file as 'CSV UTF-8 (comma delimited)'",
            row=line,
        ) from None


def _read_csv(path: Path) -> RawTable:
    text = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            records.append(record)
    except csv.Error as exc:
        raise CxError.at(
            path,
            f"this row cannot be read as CSV ({exc}); look for an unmatched double quote (\") here "
            "and re-save the file from the spreadsheet as CSV",
            row=len(records) + 1,
        ) from None
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


def column_letter(i: int) -> str:
    """Spreadsheet column letters for a 0-based position: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(t[\d:.]+)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


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
        self.spelling = {normalise_label(t): t for t in [*scale.labels.values(), *scale.na]}
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
            if _DATE_LIKE.fullmatch(norm):
                return (f"!{text.strip()!r} is a date, not a rating (a spreadsheet may have turned the answer "
                        f"into a date; format the column as Number): {hint}")
            if not labels_allowed:
                return f"!{_shorten(text.strip())!r} is not a number: {hint}"
            close = difflib.get_close_matches(norm, list(self.spelling), n=1, cutoff=0.75)
            guess = f" (did you mean {self.spelling[close[0]]!r}?)" if close else ""
            return f"!{_shorten(text.strip())!r} is not a rating{guess}: {hint}"
        if not math.isfinite(value) or not value.is_integer():
            return f"!{text.strip()!r} is not a whole number: {hint}"
        if not self.min <= value <= self.max:
            return f"!{text.strip()!r} is outside the scale {self.min}-{self.max}: {hint}"
        return value


def _classify_columns(header: list[str], template: Template, file: str) -> tuple[dict, list[Problem]]:
    """Map each column position to (kind, question-or-segment id); report header problems.

    If no question column is present at all (most likely the wrong template), the
    unknown-column problems are left out: every column would be one, and the single
    "none of the question columns" problem says what is wrong.
    """
    questions = set(template.question_ids)
    segments = set(template.segment_ids)
    known = ["respondent_id", *template.segment_ids, *template.question_ids]
    kinds: dict[int, tuple[str, str]] = {}
    problems: list[Problem] = []
    unknown: list[Problem] = []
    first_seen: dict[str, int] = {}
    folded = {k.casefold(): k for k in known}
    for i, name in enumerate(header):
        where = dict(row=1, column=name or column_letter(i))
        if not name:
            kinds[i] = ("unnamed", "")
            continue
        if name in first_seen:
            problems.append(
                Problem(file, f"column {name!r} appears twice (columns {column_letter(first_seen[name])} "
                        f"and {column_letter(i)}); keep one", **where)
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
                close = difflib.get_close_matches(base.casefold(), list(folded), n=1, cutoff=0.75)
                hint = (f"did you mean {folded[close[0]] + (':' + companion if companion else '')!r}?"
                        if close else "remove it or rename it to a question id")
                message = f"unknown column {name!r}: not a question or segment of template {template.id!r}; {hint}"
            unknown.append(Problem(file, message, **where))
    present = {qid for kind, qid in kinds.values() if kind == "rating"}
    if "respondent_id" not in first_seen:
        problems.append(Problem(file, "missing required column 'respondent_id' (one unique id per respondent)", row=1))
    if not present:
        examples = ", ".join(template.question_ids[:3])
        problems.append(
            Problem(file, f"none of the {len(questions)} question columns of template {template.id!r} "
                    f"({examples}, ...) is in the header; check that this is the right template", row=1)
        )
    else:
        problems += unknown
        missing = [q for q in template.question_ids if q not in present]
        if missing:
            shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
            problems.append(
                Problem(file, f"missing question columns: {shown}; add them (they may stay empty)", row=1)
            )
    return kinds, problems


def filled_rows(raw: RawTable, problems: list[Problem]) -> tuple[list[list[str]], list[int]]:
    """The rows holding anything, cut or padded to the header's width, with their row numbers.

    A row with values beyond the header's last column adds a problem at the first such cell.
    """
    width = len(raw.header)
    rows, numbers = [], []
    for cells, number in zip(raw.rows, raw.row_numbers):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            extra = width + next(k for k, c in enumerate(cells[width:]) if c.strip())
            problems.append(
                Problem(raw.file, f"this row has {len(cells)} cells but the header has {width} columns; "
                        "look for a stray delimiter or an unquoted comma", number, column_letter(extra))
            )
        rows.append(list(cells[:width]) + [""] * (width - len(cells)))
        numbers.append(number)
    return rows, numbers


def validate_table(raw: RawTable, template: Template) -> tuple[Responses | None, list[Problem]]:
    """Check every cell of a raw table against a template.

    Returns the validated responses (None if there is any error) and every problem found,
    errors and warnings, in file order.
    """
    file = raw.file
    if not raw.header or not any(raw.header):
        return None, [Problem(file, "the file is empty; expected a header row with respondent_id and the question ids")]
    kinds, problems = _classify_columns(raw.header, template, file)
    if not any(kind == "rating" for kind, _ in kinds.values()):
        return None, problems  # wrong template or no header: cell checks would only add noise

    rows, numbers = filled_rows(raw, problems)
    if not rows:
        problems.append(Problem(file, "no respondents: the file has a header but no answer rows; "
                                "add one row per respondent under the header", row=2))
        return None, problems

    columns = list(zip(*rows))
    parser = _Parser(template)
    id_col = next((i for i, (kind, _) in kinds.items() if kind == "respondent_id"), None)
    ids = [c.strip() for c in columns[id_col]] if id_col is not None else [""] * len(rows)
    first_row: dict[str, int] = {}
    for rid, number in zip(ids, numbers):
        if id_col is None:
            break  # the missing column is already reported once
        if not rid:
            problems.append(Problem(file, "missing respondent id; give every row a unique id", number, "respondent_id"))
        elif rid in first_row:
            problems.append(
                Problem(file, f"duplicate respondent id {rid!r} (first on row {first_row[rid]}); "
                        "give every respondent a unique id", number, "respondent_id")
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
    invalid = np.zeros((n, len(qids)), dtype=bool)
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
                    invalid[r, j] |= kind == "rating"
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
                                    1, column_letter(i)))

    answered = (~np.isnan(frames["ratings"])) | frames["not_applicable"] | invalid
    present = [qpos[ident] for kind, ident in kinds.values() if kind == "rating"]
    for r, count in enumerate(answered[:, present].sum(axis=1)):
        if count * 2 < len(present):
            problems.append(
                Problem(file, (f"respondent {ids[r]!r}" if ids[r] else "this respondent")
                        + f" answered {count} of {len(present)} questions (under half); their answers are kept",
                        numbers[r], level="warning")
            )

    position = {name: i for i, name in reversed(list(enumerate(raw.header))) if name}

    def column_position(column: str | None) -> int:
        """Named columns by their first place; letters (unnamed or extra cells) by theirs."""
        if column is None:
            return -1
        if column in position:
            return position[column]
        return sum((ord(c) - 64) * 26**k for k, c in enumerate(reversed(column))) - 1

    problems.sort(key=lambda p: (p.row or 0, column_position(p.column)))
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
    """Segment values, one spelling per group.

    Values are matched case- and space-insensitively: to the declared spelling if the
    segment declares values, else to the first spelling seen in the file. A value outside
    the declared ones is warned about once and kept as a group of its own.
    """
    segment = next(s for s in template.segments if s.id == segment_id)
    canonical = {normalise_label(v): v for v in segment.values or []}
    out: list = []
    for text, number in zip(cells, numbers):
        value = " ".join(text.split())
        if not value:
            out.append(pd.NA)
            continue
        key = normalise_label(value)
        if key not in canonical:
            canonical[key] = value
            if segment.values:
                problems.append(
                    Problem(file, f"{value!r} is not a known {segment.title.lower()} "
                            f"({', '.join(segment.values)}); it is kept as a group of its own",
                            number, name, level="warning")
                )
        out.append(canonical[key])
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
    return [(str(k), _cell_text(v), line_of(node, (*prefix, k)), str(k), str(k)) for k, v in data.items()]


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
