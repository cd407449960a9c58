"""Customers' own answers: reading and validating a client's ``customer_feedback.csv|xlsx``.

One row per customer response. Every column is optional, but at least one answer column must
be there: ``date``, ``touchpoint`` (or ``channel``), ``nps`` (0-10), ``csat`` (1-5), ``ces``
(1-7, 7 = very easy), ``comment``, an optional ``response_id``, and one column per customer
question the template declares (rated on the template's scale). Columns that would carry a
customer's identity (name, e-mail, phone, ...) are not read at all. Problems are reported like
those of staff answers: ``FILE:ROW:COLUMN: message``, every one in a single pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..core.errors import CxError, Problem
from ..core.paths import check_inside
from .ratings import Parser
from .responses import NOT_GIVEN
from .tables import RawTable, column_letter, filled_rows, read_table, shorten
from .templates import Scale, Template, normalise_label

FEEDBACK_FILES = ("customer_feedback.csv", "customer_feedback.xlsx")
MEASURES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
ALIASES = {"channel": "touchpoint"}
#: Header words that mark a column as a customer's identity: it is skipped, never read.
PERSONAL = re.compile(
    r"(^|[_ -])(name|first ?name|last ?name|surname|e-?mail|phone|mobile|address|postcode|zip)($|[_ -])",
                      re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")


@dataclass(frozen=True)
class Feedback:
    """Validated customer answers, indexed by the spreadsheet row they came from.

    ``answers`` has ``date`` (datetime, NaT if not given), ``touchpoint`` (text, ``(not given)``
    if blank), ``nps``, ``csat``, ``ces`` (floats, NaN if not given) and ``comment`` (text or
    None). ``ratings`` holds the customer questions' ratings (NaN if blank or N/A), one column per
    customer question of the template.
    """

    answers: pd.DataFrame
    ratings: pd.DataFrame
    source: str = ""

    def __len__(self) -> int:
        return len(self.answers)


def find_feedback(folder: Path) -> Path | None:
    """The client's customer feedback file, if it has one (at most one of .csv and .xlsx)."""
    found = [folder / name for name in FEEDBACK_FILES if (folder / name).is_file()]
    if len(found) > 1:
        raise CxError.at(folder, "both customer_feedback.csv and customer_feedback.xlsx exist; keep only one")
    return check_inside(found[0], folder, "the customer feedback file") if found else None


def _parse_date(text: str) -> dt.datetime | str:
    """A date (ISO ``YYYY-MM-DD``, optionally with a time) or an error message."""
    match = _DATE.fullmatch(text.strip().casefold())
    if not match:
        return (f"{shorten(text.strip())!r} is not a date in the form YYYY-MM-DD (a day-first or month-first "
                "date is ambiguous); format the column as a date or write 2026-10-31")
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return dt.datetime(*parts)
    except ValueError as exc:
        return f"{text.strip()!r} is not a real date ({exc}); write it as YYYY-MM-DD"


def _classify(header: list[str], template: Template, file: str) -> tuple[dict[int, tuple[str, str]], list[Problem]]:
    """Map column positions to (kind, id); report duplicate, unknown and missing columns."""
    questions = set(template.customer_question_ids)
    standard = {"response_id", "date", "touchpoint", "comment", *MEASURES, *ALIASES}
    known = sorted(standard | questions)
    kinds: dict[int, tuple[str, str]] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            kinds[i] = ("unnamed", "")
            continue
        key = name.casefold() if name.casefold() in standard else name
        key = ALIASES.get(key, key)
        where = dict(row=1, column=name)
        if key in seen:
            problems.append(Problem(file, f"column {name!r} repeats column {column_letter(seen[key])} "
                                    f"({header[seen[key]]!r}); keep one", **where))
            continue
        seen[key] = i
        if key in standard:
            kinds[i] = (key, key)
        elif key in questions:
            kinds[i] = ("question", key)
        elif PERSONAL.search(name):
            kinds[i] = ("personal", name)
            problems.append(Problem(file, f"column {name!r} looks like a customer's identity; it is not read and "
                                    "never reaches a report (delete it from the file to silence this)",
                                    level="warning", **where))
        else:
            close = difflib.get_close_matches(name.casefold(), [k.casefold() for k in known], n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else (
                "use date, touchpoint (or channel), nps, csat, ces, comment, response_id or a customer question id"
                + (f" ({', '.join(template.customer_question_ids[:3])}, ...)" if questions else ""))
            problems.append(Problem(file, f"unknown column {name!r}; {hint}", **where))
    answers = {"nps", "csat", "ces", "comment", "question"}
    if not any(kind in answers for kind, _ in kinds.values()):
        problems.append(Problem(file, "no answer column: add at least one of nps, csat, ces, comment or a "
                                "customer question column", row=1))
    return kinds, problems


def _sort(problems: list[Problem], header: list[str]) -> list[Problem]:
    """File order: by row, then by column (named columns by their place, letters by theirs)."""
    position = {name: i for i, name in reversed(list(enumerate(header))) if name}
    letters = {column_letter(i): i for i in range(len(header) + 26)}
    return sorted(problems, key=lambda p: (p.row or 0, position.get(p.column or "", letters.get(p.column or "", -1))))


def validate_feedback(raw: RawTable, template: Template) -> tuple[Feedback | None, list[Problem]]:
    """Check every cell of a customer feedback table; the Feedback (None on any error) and all problems."""
    file = raw.file
    if not raw.header or not any(raw.header):
        return None, [Problem(file, "the file is empty; expected a header row (date, touchpoint, nps, csat, ces, "
                                    "comment, ...)")]
    kinds, problems = _classify(raw.header, template, file)
    rows, numbers = filled_rows(raw, problems)
    if not rows:
        problems.append(Problem(file, "no customer answers: the file has a header but no rows; add one row per "
                                "customer response", row=2))
        return None, _sort(problems, raw.header)

    n = len(rows)
    columns = list(zip(*rows))
    measure = {k: np.full(n, np.nan) for k in MEASURES}
    dates: list = [pd.NaT] * n
    touchpoints: list = [NOT_GIVEN] * n
    comments: list = [None] * n
    qids = template.customer_question_ids
    ratings = np.full((n, len(qids)), np.nan)
    spelling: dict[str, str] = {}
    first_id: dict[str, int] = {}
    rating_parser = Parser(template)
    parsers = {k: Parser(SimpleNamespace(scale=Scale(min=lo, max=hi, labels={}, na=template.scale.na)))
               for k, (lo, hi) in MEASURES.items()}
    for i, (kind, ident) in sorted(kinds.items()):
        name, cells = raw.header[i], columns[i]
        for r, text in enumerate(cells):
            value = text.strip()
            if kind == "unnamed":
                if value:
                    problems.append(Problem(file, "this column holds values but has no name in row 1; name it or "
                                            "delete it", 1, column_letter(i)))
                    break
            elif not value or kind == "personal":
                continue
            elif kind in MEASURES or kind == "question":
                parser = rating_parser if kind == "question" else parsers[kind]
                parsed = parser.parse(value, labels_allowed=kind == "question")
                if isinstance(parsed, str) and parsed.startswith("!"):
                    problems.append(Problem(file, parsed[1:],
                                            numbers[r], name))
                elif isinstance(parsed, float):
                    if kind == "question":
                        ratings[r, qids.index(ident)] = parsed
                    else:
                        measure[kind][r] = parsed
            elif kind == "date":
                parsed_date = _parse_date(value)
                if isinstance(parsed_date, str):
                    problems.append(Problem(file, parsed_date, numbers[r], name))
                else:
                    dates[r] = parsed_date
            elif kind == "touchpoint":
                value = " ".join(value.split())
                touchpoints[r] = spelling.setdefault(normalise_label(value), value)
            elif kind == "comment":
                comments[r] = value
            elif kind == "response_id":
                if value in first_id:
                    problems.append(Problem(file, f"duplicate response id {value!r} (first on row {first_id[value]}); "
                                            "each customer response needs its own id", numbers[r], name))
                else:
                    first_id[value] = numbers[r]
    answered = ~np.isnan(ratings).all(axis=1) if qids else np.zeros(n, dtype=bool)
    for r in range(n):
        if not (answered[r] or comments[r] or any(not np.isnan(measure[k][r]) for k in MEASURES)):
            if not any(p.row == numbers[r] and p.level == "error" for p in problems):
                problems.append(Problem(file, "this row holds no answer (no score, rating or comment); it is left "
                                        "out", numbers[r], level="warning"))
    problems = _sort(problems, raw.header)
    if any(p.level == "error" for p in problems):
        return None, problems
    keep = [r for r in range(n) if answered[r] or comments[r] or any(not np.isnan(measure[k][r]) for k in MEASURES)]
    index = pd.Index([numbers[r] for r in keep], name="row")
    answers = pd.DataFrame(
        {
            "date": pd.to_datetime(pd.Series([dates[r] for r in keep], dtype=object), errors="coerce").to_numpy(),
            "touchpoint": pd.array([touchpoints[r] for r in keep], dtype="string"),
            **{k: measure[k][keep] for k in MEASURES},
            "comment": pd.Series([comments[r] for r in keep], dtype=object).to_numpy(),
        },
        index=index,
    )
    frame = pd.DataFrame(ratings[keep], index=index, columns=pd.Index(qids, name="question_id"), dtype=float)
    return Feedback(answers, frame, file), problems


def load_feedback(path: str | os.PathLike, template: Template) -> tuple[Feedback, list[Problem]]:
    """Read and validate a customer feedback file; raise CxError with every problem if any is an error."""
    feedback, problems = validate_feedback(read_table(path), template)
    if feedback is None:
        raise CxError(problems)
    return feedback, problems
