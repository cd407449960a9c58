"""Reading a survey tool's export: its format's header rows and which columns are bookkeeping.

Google Forms, Microsoft Forms, Qualtrics and SurveyMonkey each lay an export out differently
(one to three header rows, metadata columns, grid questions as ``Title [Row]`` or ``Title - Row``).
``read_export`` turns any of them into one shape, an ``Export`` of ``SourceColumn``s with the
texts each may be matched by and its role (answer, response id, identity or tool metadata), so
matching and converting never need to know which tool wrote the file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Iterable

from ..core.errors import CxError
from .tables import RawTable, column_letter, read_table

FORMATS = ("google-forms", "ms-forms", "qualtrics", "surveymonkey", "xlsx-forms")


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
