"""Respondents' answers in the canonical format: validating a table of them, and the validated value.

Canonical format: one row per respondent; ``respondent_id``; any of the template's segment
columns; one column per question id (the rating); optional companions ``<qid>:importance``,
``<qid>:target`` and ``<qid>:comment``; the template's outcome question, if it declares one, in a
column of its id (optional). Validation collects every problem with its spreadsheet
row and column, so a consultant fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import CxError, Problem
from .columns import Column, ColumnTable, from_raw, read_columns
from .ratings import Parser
from .tables import RawTable, column_letter
from .templates import Template, normalise_label

COMPANIONS = ("importance", "target", "comment")
NOT_GIVEN = "(not given)"


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
    outcome: pd.Series | None = None  # the outcome question's ratings (NaN: none given); None: no such column

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
            outcome=None if self.outcome is None else self.outcome.loc[ids],
        )


_FRAMES = ("ratings", "not_applicable", "importance", "target", "comments", "segments")


# --------------------------------------------------------------------------------- validation


def _classify_columns(header: list[str], template: Template, file: str) -> tuple[dict, list[Problem]]:
    """Map each column position to (kind, question-or-segment id); report header problems.

    If no question column is present at all (most likely the wrong template), the
    unknown-column problems are left out: every column would be one, and the single
    "none of the question columns" problem says what is wrong.
    """
    questions = set(template.question_ids)
    segments = set(template.segment_ids)
    outcome = template.outcome.id if template.outcome else None
    known = ["respondent_id", *template.segment_ids, *template.question_ids, *([outcome] if outcome else [])]
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
        elif name == outcome:
            kinds[i] = ("outcome", name)
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


def validate_table(raw: RawTable, template: Template) -> tuple[Responses | None, list[Problem]]:
    """Check every cell of a raw table against a template.

    Returns the validated responses (None if there is any error) and every problem found,
    errors and warnings, in file order.
    """
    return validate_columns(from_raw(raw), template)


def validate_columns(table: ColumnTable, template: Template) -> tuple[Responses | None, list[Problem]]:
    """`validate_table` for a table in coded columns: each distinct text of a column is checked once
    and the outcome given to every row holding it, so a large file costs little more than a small one."""
    file = table.file
    if not table.header or not any(table.header):
        return None, [Problem(file, "the file is empty; expected a header row with respondent_id and the question ids")]
    kinds, problems = _classify_columns(table.header, template, file)
    if not any(kind == "rating" for kind, _ in kinds.values()):
        for cells, number in table.head:
            if "respondent_id" in (c.strip() for c in cells):  # a title row (often merged cells) above the header
                problems.append(Problem(file, f"row {number} looks like the header row (it holds respondent_id); the "
                                        "header must be row 1, so delete the rows above it (a title or merged cells)",
                                        row=number))
                break
        return None, problems  # wrong template or no header: cell checks would only add noise

    problems += table.problems
    numbers = table.row_numbers
    if not numbers:
        problems.append(Problem(file, "no respondents: the file has a header but no answer rows; "
                                "add one row per respondent under the header", row=2))
        return None, problems

    n, qids = len(numbers), template.question_ids
    id_col = next((i for i, (kind, _) in kinds.items() if kind == "respondent_id"), None)
    ids = _respondent_ids(table.columns[id_col], numbers, file, problems) if id_col is not None else [""] * n
    # column-major, so that filling a question's column writes one contiguous stretch; the columns no
    # file column fills are set to NaN at the end, not every column first
    frames = {name: np.empty((n, len(qids)), order="F") for name in ("ratings", "importance", "target")}
    filled: set[tuple[str, int]] = set()
    not_applicable = np.zeros((n, len(qids)), dtype=bool, order="F")
    invalid = np.zeros((n, len(qids)), dtype=bool, order="F")
    comments = np.full((n, len(qids)), None, dtype=object, order="F")
    qpos = {q: j for j, q in enumerate(qids)}
    parser = Parser(template)
    segment_values: dict[str, np.ndarray] = {}
    outcome = None
    for i, (kind, ident) in sorted(kinds.items()):
        name, column = table.header[i], table.columns[i]
        if kind in ("rating", "target", "importance"):
            j = qpos[ident]
            parsed = [parser.parse(text, labels_allowed=kind != "importance") for text in column.texts]
            errors = [v[1:] if isinstance(v, str) and v.startswith("!") else None for v in parsed]
            wrong = column.spread((e is not None for e in errors), dtype=bool)
            problems += [Problem(file, errors[column.codes[r]], numbers[r], name) for r in np.flatnonzero(wrong)]
            frame = "ratings" if kind == "rating" else kind
            column.spread((v if isinstance(v, float) else np.nan for v in parsed), float, out=frames[frame][:, j])
            filled.add((frame, j))
            if kind == "rating":
                invalid[:, j] = wrong
                column.spread((v == parser.NA for v in parsed), bool, out=not_applicable[:, j])
        elif kind == "outcome":
            parsed = [parser.parse(text, labels_allowed=True) for text in column.texts]
            errors = [v[1:] if isinstance(v, str) and v.startswith("!") else None for v in parsed]
            wrong = column.spread((e is not None for e in errors), dtype=bool)
            problems += [Problem(file, errors[column.codes[r]], numbers[r], name) for r in np.flatnonzero(wrong)]
            outcome = column.spread((v if isinstance(v, float) else np.nan for v in parsed), dtype=float)
        elif kind == "comment":
            comments[:, qpos[ident]] = column.spread((text.strip() or None for text in column.texts), dtype=object)
        elif kind == "segment":
            segment_values[ident] = _segment_column(template, ident, column, numbers, file, name, problems)
        elif kind == "unnamed" and any(text.strip() for text in column.texts):
            problems.append(Problem(file, "this column holds values but has no name in row 1; name it or delete it",
                                    1, column_letter(i)))

    for frame, values in frames.items():
        values[:, [j for j in range(len(qids)) if (frame, j) not in filled]] = np.nan
    answered = ~np.isnan(frames["ratings"]) | not_applicable | invalid
    present = [qpos[ident] for kind, ident in kinds.values() if kind == "rating"]
    counts = answered[:, present].sum(axis=1)
    for r in np.flatnonzero(counts * 2 < len(present)):
        problems.append(
            Problem(file, (f"respondent {ids[r]!r}" if ids[r] else "this respondent")
                    + f" answered {counts[r]} of {len(present)} questions (under half); their answers are kept",
                    numbers[r], level="warning")
        )

    problems = _in_file_order(problems, table.header)
    if any(p.level == "error" for p in problems):
        return None, problems
    index = pd.Index(ids, name="respondent_id")
    make = lambda data, dtype: pd.DataFrame(data, index=index, columns=pd.Index(qids, name="question_id"), dtype=dtype,
                                            copy=False)
    segments = pd.DataFrame(
        {s: segment_values[s] for s in template.segment_ids if s in segment_values}, index=index, dtype="string"
    )
    return (
        Responses(
            ratings=make(frames["ratings"], float),
            not_applicable=make(not_applicable, bool),
            importance=make(frames["importance"], float),
            target=make(frames["target"], float),
            comments=make(comments, object),
            segments=segments,
            source=file,
            outcome=None if outcome is None else pd.Series(outcome, index=index, name=template.outcome.id),
        ),
        problems,
    )


def _respondent_ids(column: Column, numbers: list[int], file: str, problems: list[Problem]) -> list[str]:
    """Each row's respondent id; a problem for each blank id and for each repeat of an id after its first row."""
    stripped = np.asarray([text.strip() for text in column.texts], dtype=object)
    same_id, ids = pd.factorize(stripped)  # texts that differ only in spaces are one id
    row_id = same_id[column.codes]
    first = Column(list(ids), row_id).first_rows()
    blank = np.asarray([not i for i in ids], dtype=bool)[row_id]
    repeat = ~blank & (first[row_id] != np.arange(len(row_id)))
    for r in np.flatnonzero(blank | repeat):
        if blank[r]:
            problems.append(Problem(file, "missing respondent id; give every row a unique id", numbers[r], "respondent_id"))
        else:
            problems.append(
                Problem(file, f"duplicate respondent id {ids[row_id[r]]!r} (first on row {numbers[first[row_id[r]]]}); "
                        "give every respondent a unique id", numbers[r], "respondent_id")
            )
    return stripped[column.codes].tolist()


def _in_file_order(problems: list[Problem], header: list[str]) -> list[Problem]:
    """By row, then by column (named columns by their first place, letters by theirs); a stable sort."""
    position = {name: i for i, name in reversed(list(enumerate(header))) if name}

    def column_position(column: str | None) -> int:
        if column is None:
            return -1
        if column in position:
            return position[column]
        return sum((ord(c) - 64) * 26**k for k, c in enumerate(reversed(column))) - 1

    return sorted(problems, key=lambda p: (p.row or 0, column_position(p.column)))


def _segment_column(
    template: Template, segment_id: str, column: Column, numbers: list[int], file: str, name: str,
    problems: list[Problem],
) -> np.ndarray:
    """Segment values, one spelling per group.

    Values are matched case- and space-insensitively: to the declared spelling if the
    segment declares values, else to the first spelling seen in the file. A value outside
    the declared ones is warned about once (where it first appears) and kept as a group of its own.
    """
    segment = next(s for s in template.segments if s.id == segment_id)
    canonical = {normalise_label(v): v for v in segment.values or []}
    first = column.first_rows()
    group = np.full(len(column.texts), pd.NA, dtype=object)
    for code in np.argsort(first, kind="stable"):  # distinct texts in the order the rows first show them
        value = " ".join(column.texts[code].split())
        if not value or first[code] >= len(numbers):
            continue
        key = normalise_label(value)
        if key not in canonical:
            canonical[key] = value
            if segment.values:
                problems.append(
                    Problem(file, f"{value!r} is not a known {segment.title.lower()} "
                            f"({', '.join(segment.values)}); it is kept as a group of its own",
                            numbers[first[code]], name, level="warning")
                )
        group[code] = canonical[key]
    return group[column.codes]


def load_responses(path: str | os.PathLike, template: Template) -> tuple[Responses, list[Problem]]:
    """Read and validate a responses file; raise CxError with every problem if any is an error.

    Returns the responses and the warnings.
    """
    free_text = ["respondent_id", *template.segment_ids, *(f"{q}:comment" for q in template.question_ids)]
    responses, problems = validate_columns(read_columns(path, free_text), template)
    if responses is None:
        raise CxError(problems)
    return responses, problems
