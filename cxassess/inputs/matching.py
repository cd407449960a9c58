"""Matching an export's columns to the canonical columns of a template.

Every source column is assigned a canonical column (question rating, ``<qid>:importance|target|comment``,
a segment, the respondent id or the outcome question's rating): first by an explicit mapping file, then by id, then by
normalised question text. Unmatched, ambiguous and clashing columns become problems that
point at the export's header row and column letter, so a person can fix them in a mapping file.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

from ..core.errors import CxError, Problem
from .exports import Export, SourceColumn, normalise_text
from .tables import column_letter
from .templates import Template
from .yamlfile import line_of, read_yaml

COMPANIONS = ("importance", "target", "comment")
SKIP = "skip"


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
    if template.outcome is not None:  # the outcome question: a rating, no companions
        out.append(template.outcome.id)
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
        self.outcome = template.outcome.id if template.outcome else None
        if template.outcome is not None:
            self.texts.setdefault(normalise_text(template.outcome.text), []).append(template.outcome.id)
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
        return {qid if kind == "rating" else f"{qid}:{kind}" for qid in self.texts.get(norm, [])
                if kind == "rating" or qid != self.outcome}  # the outcome has no importance, target or comment

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
