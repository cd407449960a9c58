"""The plain per-cell validation of a responses table, kept as the reference for the column-wise one.

This is ``responses.validate_table`` as it was before it checked each distinct value of a column once
(commit a9962bb): a loop over every cell, in file order. ``test_responses_columns.py`` checks that the
package gives exactly the same responses and problems, and ``benchmarks/bigfile.py`` times it as the
baseline. It shares the header classification and the cell parser with the package (neither changed);
everything after the header is here.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd

from cxassess.core.errors import CxError, Problem
from cxassess.inputs.ratings import Parser
from cxassess.inputs.responses import Responses, _classify_columns
from cxassess.inputs.tables import RawTable, column_letter, filled_rows, read_table
from cxassess.inputs.templates import Template, normalise_label


def reference_validate(raw: RawTable, template: Template) -> tuple[Responses | None, list[Problem]]:
    """The per-cell validation: every cell parsed on its own, in file order (the reference)."""
    file = raw.file
    if not raw.header or not any(raw.header):
        return None, [Problem(file, "the file is empty; expected a header row with respondent_id and the question ids")]
    kinds, problems = _classify_columns(raw.header, template, file)
    if not any(kind == "rating" for kind, _ in kinds.values()):
        for cells, number in zip(raw.rows[:5], raw.row_numbers[:5]):
            if "respondent_id" in (c.strip() for c in cells):  # a title row (often merged cells) above the header
                problems.append(Problem(file, f"row {number} looks like the header row (it holds respondent_id); the "
                                        "header must be row 1, so delete the rows above it (a title or merged cells)",
                                        row=number))
                break
        return None, problems  # wrong template or no header: cell checks would only add noise

    rows, numbers = filled_rows(raw, problems)
    if not rows:
        problems.append(Problem(file, "no respondents: the file has a header but no answer rows; "
                                "add one row per respondent under the header", row=2))
        return None, problems

    columns = list(zip(*rows))
    parser = Parser(template)
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


def reference_load(path: str | os.PathLike, template: Template) -> tuple[Responses, list[Problem]]:
    """``load_responses`` by the reference path: the csv module's rows, then the per-cell loop."""
    responses, problems = reference_validate(read_table(path), template)
    if responses is None:
        raise CxError(problems)
    return responses, problems
