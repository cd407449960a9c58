"""Survey-tool exports and filled Excel forms, converted to the canonical responses format.

Each tool lays its export out differently (header rows, metadata columns, grid questions);
a reader per format turns the file into source columns, then one matcher assigns every
column to a canonical column (question rating, ``<qid>:importance|target|comment``, a
segment or the respondent id): first by an explicit mapping file, then by id, then by
normalised question text. Answers given as scale labels become scale values. The result is
validated with ``responses.validate_table`` before anything is written, and every problem
points at the export's own file, row and column.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import CxError, Problem
from .files import write_text_atomically
from .forms import is_form_file, read_form
from .responses import RawTable, Responses, _Parser, column_letter, read_table, validate_table
from .templates import Template, line_of, normalise_label, read_yaml

FORMATS = ("google-forms", "ms-forms", "qualtrics", "surveymonkey", "xlsx-forms")
COMPANIONS = ("importance", "target", "comment")
SKIP = "skip"


def normalise_text(text: str) -> str:
    """Question text for matching: case, punctuation, spacing and a leading number ("3." "Q3)") ignored."""
    text = str(text).replace("\u2019", "'").replace("\u00a0", " ")
    text = re.sub(r"^\s*(?:q\s*)?\d+(?:\.\d+)*\s*[.):]\s+", "", text, flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split()).casefold()


def _key(text: str) -> str:
    """Metadata and identity header names: like ``normalise_text`` but keeping underscores out of the way."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", str(text)).split()).casefold()


# Columns that hold who answered rather than what: dropped unless --keep-identity.
IDENTITY = frozenset(_key(h) for h in (
    "Email", "Email address", "E-mail", "E-mail address", "Your email", "Your email address", "Name", "Full name",
    "Your name", "First name", "Last name", "Respondent name", "IP address", "IPAddress", "RecipientEmail",
    "RecipientFirstName", "RecipientLastName", "LocationLatitude", "LocationLongitude",
))


@dataclass(frozen=True)
class _Rules:
    header_rows: int
    response_id: frozenset[str]
    meta: frozenset[str]  # tool bookkeeping: timestamps, progress, collector


def _rules(header_rows: int, response_id: Iterable[str], meta: Iterable[str]) -> _Rules:
    return _Rules(header_rows, frozenset(map(_key, response_id)), frozenset(map(_key, meta)))


RULES = {
    "google-forms": _rules(1, [], ["Timestamp", "Marca temporal", "Horodateur", "Zeitstempel", "Score"]),
    "ms-forms": _rules(1, ["ID"], ["Start time", "Completion time", "Last modified time", "Total points",
                                   "Quiz feedback"]),
    "qualtrics": _rules(3, ["ResponseId", "Response ID"], [
        "StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
        "DistributionChannel", "UserLanguage", "ExternalReference", "ExternalDataReference"]),
    "surveymonkey": _rules(2, ["Respondent ID"], ["Collector ID", "Start Date", "End Date", "Custom Data 1",
                                                  "Custom Data"]),
}


@dataclass(frozen=True)
class SourceColumn:
    """One column of an export, with the names and texts it may be matched by."""

    position: int  # 0-based
    header: str  # as shown in messages and accepted as a mapping key
    readings: tuple[tuple[str, str], ...]  # (text, qualifier) pairs tried against question texts
    aliases: tuple[str, ...]  # exact names tried against canonical columns and mapping keys
    role: str = "answer"  # answer | response_id | identity | meta

    @property
    def letter(self) -> str:
        return column_letter(self.position)


@dataclass(frozen=True)
class Export:
    """A survey tool's export after its header rows are understood."""

    file: str
    columns: tuple[SourceColumn, ...]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int  # the row that holds the question texts (cited for column problems)


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


# ------------------------------------------------------------------------------- the readers


_GRID = re.compile(r"(.*\S)\s*\[([^\[\]]+)\]", re.DOTALL)
_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")


def _readings(text: str, qualifier: str = "") -> tuple[tuple[str, str], ...]:
    """Ways to read a header: whole, ``Title [Row]`` (Google, Microsoft) and ``Title - Row`` (Qualtrics)."""
    if qualifier:
        return ((text, qualifier),)
    out = [(text, "")]
    grid = _GRID.fullmatch(text)
    if grid:
        out.append((grid[1], grid[2]))
    out += [(text[: m.start()], text[m.end():]) for m in _DASH.finditer(text)]
    return tuple(out)


def _role(rules: _Rules, *names: str) -> str:
    keys = {_key(n) for n in names if n}
    if keys & rules.response_id:
        return "response_id"
    if keys & IDENTITY:
        return "identity"
    if keys & rules.meta:
        return "meta"
    return "answer"


def _header_too_short(raw: RawTable, fmt: str, rows: int, what: str) -> CxError:
    return CxError.at(raw.file, f"a {fmt} export starts with {rows} header rows ({what}); this file has "
                      f"{len(raw.rows) + 1} rows in all. Check --from, or export the file again", row=1)


def read_export(fmt: str, path: str | os.PathLike) -> Export:
    """Read a google-forms, ms-forms, qualtrics or surveymonkey export (CSV or XLSX) into source columns."""
    if fmt not in RULES:
        raise CxError.at(path, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    raw = read_table(path)
    rules = RULES[fmt]
    if fmt == "qualtrics":
        if len(raw.rows) < 2:
            raise _header_too_short(raw, fmt, 3, "export tags, question texts, ImportId JSON")
        texts, imports = raw.rows[0], raw.rows[1]
        if not any(cell.strip().startswith("{") and "importid" in cell.casefold() for cell in imports):
            raise CxError.at(raw.file, "row 3 should hold Qualtrics' ImportId JSON ({\"ImportId\":\"QID1\"}); "
                             "this is not a Qualtrics CSV export with three header rows (choose 'Download all "
                             "fields' and CSV, not the legacy format)", row=3)
        columns = []
        for i, tag in enumerate(raw.header):
            text = texts[i].strip() if i < len(texts) else ""
            import_id = _import_id(imports[i] if i < len(imports) else "")
            columns.append(SourceColumn(i, tag or text, _readings(text) if text else (), tuple(
                a for a in (tag, import_id, text) if a), _role(rules, tag, text)))
        return Export(raw.file, tuple(columns), raw.rows[2:], raw.row_numbers[2:], 2)
    if fmt == "surveymonkey":
        if not raw.rows:
            raise _header_too_short(raw, fmt, 2, "question texts, then answer options or 'Response'")
        subs = raw.rows[0]
        columns, title = [], ""
        for i, head in enumerate(raw.header):
            sub = subs[i].strip() if i < len(subs) else ""
            if head:
                title = head
            elif not sub:
                title = ""
            plain = _key(sub) in ("", "response", "open ended response")
            header = title if plain else f"{title} [{sub}]"
            role = _role(rules, title) if plain else "answer"
            columns.append(SourceColumn(i, header, _readings(title) if plain else _readings(title, sub),
                                        (header,) if plain else (header, sub), role))
        return Export(raw.file, tuple(columns), raw.rows[1:], raw.row_numbers[1:], 1)
    columns = [SourceColumn(i, h, _readings(h), (h,), _role(rules, h)) for i, h in enumerate(raw.header)]
    return Export(raw.file, tuple(columns), raw.rows, raw.row_numbers, 1)


def _import_id(cell: str) -> str:
    try:
        data = json.loads(cell)
    except ValueError:
        return ""
    return str(data.get("ImportId", "")) if isinstance(data, dict) else ""


# ------------------------------------------------------------------------------ the matching


@dataclass(frozen=True)
class Mapping:
    """An explicit mapping file: source column (header, export tag or ImportId) -> canonical column or skip."""

    file: str
    entries: dict[str, str]  # normalised source name -> canonical column or SKIP
    shown: dict[str, str]  # normalised source name -> the key as written
    lines: dict[str, int | None]


def canonical_columns(template: Template) -> list[str]:
    """Every column the canonical format knows for a template."""
    out = ["respondent_id", *template.segment_ids]
    for qid in template.question_ids:
        out += [qid, *(f"{qid}:{c}" for c in COMPANIONS)]
    return out


def load_mapping(path: str | os.PathLike, template: Template) -> Mapping:
    """Read a mapping YAML (safe loader): ``columns: {"source header": vision_1:comment, "Consent": skip}``.

    The mapping may also be given without the ``columns:`` key. Targets are checked against
    the template; every problem names the line.
    """
    data, node = read_yaml(path)
    prefix: tuple = ()
    if isinstance(data, dict) and set(data) == {"columns"}:
        data, prefix = data["columns"], ("columns",)
    if not isinstance(data, dict) or not data:
        raise CxError.at(path, "expected a YAML mapping of export columns to template columns, e.g. "
                         "'\"Any comments on our vision?\": vision_1:comment' (or ': skip' to leave a column out)")
    known = canonical_columns(template)
    folded = {c.casefold(): c for c in known}
    entries, shown, lines, problems = {}, {}, {}, []
    for key, value in data.items():
        line = line_of(node, (*prefix, key))
        target = SKIP if value is None or str(value).strip().casefold() in ("", SKIP) else str(value).strip()
        if target != SKIP:
            target = folded.get(target.casefold(), target)
            if target not in known:
                close = difflib.get_close_matches(target, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(Problem(str(path), f"{key!r}: {target!r} is not a column of template {template.id!r}; "
                                        f"{hint}use a question id, <question id>:importance, :target or :comment, "
                                        "a segment id, respondent_id, or skip", line))
                continue
        norm = normalise_text(str(key))
        if norm in entries:
            problems.append(Problem(str(path), f"{key!r} is mapped twice (also as {shown[norm]!r}); keep one", line))
            continue
        entries[norm], shown[norm], lines[norm] = target, str(key), line
    if problems:
        raise CxError(problems)
    return Mapping(str(path), entries, shown, lines)


class _Matcher:
    """Finds the canonical column(s) a source column stands for, and how."""

    def __init__(self, template: Template, mapping: Mapping | None):
        self.template = template
        self.mapping = mapping
        self.used_keys: set[str] = set()
        self.exact = {c.casefold(): c for c in canonical_columns(template)}
        self.texts: dict[str, list[str]] = {}
        for q in template.pillars:
            for question in q.questions:
                self.texts.setdefault(normalise_text(question.text), []).append(question.id)
        self.segments = {}
        for s in template.segments:
            self.segments[normalise_text(s.title)] = s.id
            self.segments[normalise_text(s.id)] = s.id
        terms = template.terms
        self.kinds = {normalise_text(terms.importance): "importance", normalise_text(terms.target): "target",
                      normalise_text(terms.rating): "rating"}

    def match(self, column: SourceColumn) -> tuple[list[str], str]:
        """Candidate canonical columns (SKIP to leave out) and the rule that found them."""
        if self.mapping:
            for name in (column.header, *column.aliases):
                norm = normalise_text(name)
                if norm in self.mapping.entries:
                    self.used_keys.add(norm)
                    return [self.mapping.entries[norm]], "mapping"
        if column.role != "answer":
            return [], column.role
        exact = {self.exact[a.strip().casefold()] for a in column.aliases if a.strip().casefold() in self.exact}
        if exact:
            return sorted(exact), "id"
        found: set[str] = set()
        for text, qualifier in column.readings:
            found |= self._by_text(text, qualifier)
            if qualifier:
                found |= self._by_text(qualifier, text)
        return sorted(found), "text"

    def _by_text(self, text: str, qualifier: str) -> set[str]:
        norm = normalise_text(text)
        if not qualifier and norm in self.segments:
            return {self.segments[norm]}
        kind = self.kind(qualifier)
        return {qid if kind == "rating" else f"{qid}:{kind}" for qid in self.texts.get(norm, [])}

    def kind(self, title: str) -> str:
        """What a grid's title says its answers are: the template's terms, or a title holding the word
        importance/important, target(s) or comment(s); anything else (a pillar name, "Current practice") rates."""
        norm = normalise_text(title)
        if norm in self.kinds:
            return self.kinds[norm]
        words = set(norm.split())
        for kind, names in (("importance", {"importance", "important"}), ("target", {"target", "targets"}),
                            ("comment", {"comment", "comments"})):
            if words & names:
                return kind
        return "rating"

    def closest(self, column: SourceColumn) -> str:
        texts = [normalise_text(t) for reading in column.readings for t in reading if t]
        for text in texts:
            close = difflib.get_close_matches(text, list(self.texts), n=1, cutoff=0.8)
            if close:
                qid = self.texts[close[0]][0]
                return f" (closest question: {qid})"
        return ""


def match_columns(
    export: Export, template: Template, mapping: Mapping | None = None, allow_unmatched: bool = False
) -> tuple[dict[int, str], list[Problem], dict[str, int]]:
    """Canonical column of every used source column, the problems (errors unless allowed), and counts by rule.

    Unmatched and ambiguous columns, and columns that claim the same canonical column, are
    errors, or warnings (the columns left out) with ``allow_unmatched``.
    """
    matcher = _Matcher(template, mapping)
    level = "warning" if allow_unmatched else "error"
    fix = ("it is left out" if allow_unmatched else
           "name its template column (or skip) in a --mapping file, or pass --allow-unmatched to leave it out")
    targets: dict[int, str] = {}
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    rule: dict[int, str] = {}  # position -> how it was matched
    response_id = None
    for column in export.columns:
        candidates, how = matcher.match(column)
        where = dict(row=export.header_row, column=column.letter, level=level)
        shown = _shorten(column.header) or "(no name)"
        if how == "response_id" and response_id is None:
            response_id = column.position
            targets[column.position] = "respondent_id"
            counts["response id"] = 1
        elif candidates == [SKIP]:
            counts["skipped"] = counts.get("skipped", 0) + 1
        elif how in ("identity", "meta", "response_id"):
            continue
        elif not column.header and not any(r[column.position].strip() for r in export.rows if column.position < len(r)):
            continue  # an empty, unnamed column at the edge of a sheet
        elif not candidates and not column.header:
            problems.append(Problem(export.file, "this column holds answers but has no header text (merged header "
                                    "cells keep their text in the first column only); unmerge them and give each "
                                    f"column its own header, or export the file again; {fix}", **where))
        elif not candidates:
            problems.append(Problem(export.file, f"column {shown!r} matches no question, segment or respondent id "
                                    f"of template {template.id!r}{matcher.closest(column)}; {fix}", **where))
        elif len(candidates) > 1:
            problems.append(Problem(export.file, f"column {shown!r} is ambiguous: it could be "
                                    f"{' or '.join(candidates)}; {fix}", **where))
        else:
            targets[column.position] = candidates[0]
            rule[column.position] = how
    claimed: dict[str, list[int]] = {}
    for position, target in targets.items():
        claimed.setdefault(target, []).append(position)
    for target, positions in claimed.items():
        if len(positions) > 1:
            letters = " and ".join(column_letter(p) for p in positions)
            for p in positions:
                problems.append(Problem(export.file, f"columns {letters} both match {target}; "
                                        + ("both are left out" if allow_unmatched else
                                           "name the right one in a --mapping file and skip the other"),
                                        row=export.header_row, column=column_letter(p), level=level))
                del targets[p], rule[p]
    for how in rule.values():
        counts[how] = counts.get(how, 0) + 1
    if mapping:
        for norm, key in mapping.shown.items():
            if norm not in matcher.used_keys:
                problems.append(Problem(mapping.file, f"{key!r} matches no column of {export.file}; check the spelling",
                                        mapping.lines[norm], level="warning"))
    if not any(t in template.question_ids for t in targets.values()) and not any(p.level == "error" for p in problems):
        problems.append(Problem(export.file, f"no column matched a question of template {template.id!r}; check "
                                "--template and --from, or map the columns in a --mapping file", row=export.header_row))
    problems.sort(key=lambda p: (p.file != export.file, p.row or 0, len(p.column or ""), p.column or ""))
    return targets, problems, counts


def _shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ----------------------------------------------------------------------------- the converting


_LEADING = re.compile(r"\(?(\d+)\)?\s*(?:[-\u2013\u2014.:=)]\s*)?([^\W\d_].*)", re.DOTALL)
_TRAILING = re.compile(r"([^\W\d_].*?)\s*[(\[]\s*(\d+)\s*[)\]]", re.DOTALL)


class _Answers:
    """Scale answers as canonical text: ``"4 - Agree"``, ``"Agree (4)"``, ``"Agree"`` and ``"4"`` all become ``"4"``."""

    def __init__(self, template: Template):
        self.parser = _Parser(template)
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
    rows, problems = [], []
    for record in records:
        row = []
        for name in columns:
            cell = record.cells.get(name)
            text = cell.text if cell else ""
            kind = name.partition(":")[2] or ("rating" if name in template.question_ids else name)
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
