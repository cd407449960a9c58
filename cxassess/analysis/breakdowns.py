"""Segment breakdowns with anonymity: pillar and overall index per group, and which groups to suppress.

A breakdown shows the scores of ``cxassess.analysis.scoring`` per group of a segment (a team,
a region) by the same arithmetic, and hides every group whose figures would give away what a few
people answered: small groups, and groups that would reveal one by subtraction from the overall
figures or from another segment (docs/scoring.md, section 8). Also the distribution of answers
per pillar. Nothing here reads or writes files.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..core.settings import DEFAULT_ANONYMITY
from ..inputs.responses import NOT_GIVEN, Responses
from ..inputs.templates import Template
from .scoring import flip_reversed, to_index


def answer_distribution(template: Template, responses: Responses) -> pd.DataFrame:
    """Share of each scale point among a pillar's ratings (after reverse scoring), rows summing to 1."""
    ratings = flip_reversed(responses.ratings, template)
    points = list(range(template.scale.min, template.scale.max + 1))
    rows = {}
    for pillar in template.pillars:
        values = ratings[[q.id for q in pillar.questions]].to_numpy().ravel()
        values = values[~np.isnan(values)]
        counts = pd.Series(values).value_counts().reindex(points, fill_value=0)
        rows[pillar.id] = counts / counts.sum() if counts.sum() else counts.astype(float)
    frame = pd.DataFrame(rows).T
    frame.index.name, frame.columns.name = "pillar_id", "rating"
    return frame


def weight_matrix(template: Template) -> np.ndarray:
    """Questions x pillars: the question's weight where it belongs to the pillar, else 0."""
    matrix = np.zeros((len(template.question_ids), len(template.pillars)))
    row = 0
    for j, pillar in enumerate(template.pillars):
        for question in pillar.questions:
            matrix[row, j] = question.weight
            row += 1
    return matrix


def group_indices(template: Template, responses: Responses, groups: pd.Series,
                  weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Pillar and overall index per group, by the same arithmetic as ``score`` (sections 2-4)."""
    ratings = flip_reversed(responses.ratings, template)[template.question_ids]
    means = ratings.groupby(groups, sort=True).mean()
    matrix = weight_matrix(template)
    rated = means.notna().to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pillar_mean = (means.fillna(0).to_numpy() @ matrix) / (rated @ matrix)
    index = to_index(pillar_mean, template.scale)
    pillar_weight = np.array([(weights or {}).get(p.id, p.weight) for p in template.pillars], dtype=float)
    has = ~np.isnan(index)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = (np.where(has, index, 0) @ pillar_weight) / (has @ pillar_weight)
    frame = pd.DataFrame(index, index=means.index, columns=[p.id for p in template.pillars])
    frame.insert(0, "overall_index", overall)
    return frame


def breakdown(
    template: Template,
    responses: Responses,
    segment: str,
    threshold: int = DEFAULT_ANONYMITY,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Overall and pillar index per group of a segment; groups under ``threshold`` are suppressed.

    A suppressed group's row says so and carries no figures, not even its size. When the
    suppressed groups together have fewer than ``threshold`` respondents, the smallest shown
    groups are suppressed too (``reason`` "complement"), so that the overall figures minus the
    shown groups never give away a small group (docs/scoring.md, section 8).
    """
    return breakdowns(template, responses, [segment], threshold, weights)[segment]


def breakdowns(
    template: Template,
    responses: Responses,
    segments: Iterable[str],
    threshold: int = DEFAULT_ANONYMITY,
    weights: Mapping[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """``breakdown`` for several segments at once, suppressing across them as well.

    Published together, two segments can be differenced: a group of one segment lying inside a
    group of another, with fewer than ``threshold`` respondents between them, gives away those
    respondents; the inner group is then suppressed as well (``reason`` "overlap").
    """
    segments = list(segments)
    for segment in segments:
        if segment not in responses.segments.columns:
            raise KeyError(segment)
    labels = {s: responses.segments[s].fillna(NOT_GIVEN).astype(str) for s in segments}
    hidden = suppressed_groups(labels, threshold)
    out = {}
    for segment, groups in labels.items():
        sizes = groups.value_counts()
        figures = group_indices(template, responses, groups, weights)
        rows = []
        for group in sorted(sizes.index, key=str):
            row: dict[str, Any] = {"segment": segment, "group": group}
            if group in hidden[segment]:
                row.update({"n": None, "suppressed": True}, **dict.fromkeys(figures.columns, math.nan))
            else:
                row.update({"n": int(sizes[group]), "suppressed": False}, **figures.loc[group].to_dict())
            row["reason"] = hidden[segment].get(group)
            rows.append(row)
        out[segment] = pd.DataFrame(rows).astype({"n": "Int64"})
    return out


def suppressed_groups(labels: Mapping[str, pd.Series], threshold: int) -> dict[str, dict[str, str]]:
    """Which groups of each segment to suppress, and why: segment -> {group: reason}.

    ``labels`` gives each respondent's group per segment (same index). Reasons: "small" (fewer
    than ``threshold``), "complement" (the suppressed groups of the segment would together be
    fewer than ``threshold``, and so recoverable from the overall figures), "overlap" (a shown
    group nested in a group of another segment, or in its suppressed rest, with fewer than
    ``threshold`` respondents between them). Rules are applied until nothing changes.
    """
    hidden: dict[str, dict[str, str]] = {}
    members: dict[str, dict[str, frozenset]] = {}
    for segment, groups in labels.items():
        members[segment] = {g: frozenset(idx) for g, idx in groups.groupby(groups, sort=True).groups.items()}
        hidden[segment] = {g: "small" for g, m in members[segment].items() if len(m) < threshold}
    everyone = frozenset().union(*(m for s in members.values() for m in s.values())) if members else frozenset()

    def complement_rule() -> bool:
        changed = False
        for segment, groups in members.items():
            total = sum(len(groups[g]) for g in hidden[segment])
            for g in sorted(set(groups) - set(hidden[segment]), key=lambda g: (len(groups[g]), g)):
                if total == 0 or total >= threshold:
                    break
                hidden[segment][g], total, changed = "complement", total + len(groups[g]), True
        return changed

    def overlap_rule() -> bool:
        published = []  # (segment, shown group or None for the suppressed rest, its respondents)
        for segment, groups in members.items():
            published += [(segment, g, m) for g, m in groups.items() if g not in hidden[segment]]
            rest = frozenset().union(*(groups[g] for g in hidden[segment]))
            if rest:
                published.append((segment, None, rest))
        for s1, g1, inner in published:
            for s2, g2, outer in published + [(None, None, everyone)]:
                if s1 == s2 or not (inner < outer) or len(outer - inner) >= threshold:
                    continue
                if g1 is not None:
                    hidden[s1][g1] = "overlap"
                elif g2 is not None:
                    hidden[s2][g2] = "overlap"
                else:  # two suppressed rests: widen the inner one by its smallest shown group
                    shown = sorted(set(members[s1]) - set(hidden[s1]), key=lambda g: (len(members[s1][g]), g))
                    if not shown:
                        continue
                    hidden[s1][shown[0]] = "overlap"
                return True
        return False

    def solving_rule() -> bool:
        # the last resort, exact: a cell (one combination of groups) under the threshold whose mean
        # the shown groups determine, by any sum or difference of them
        leak = _recoverable_cell(labels, hidden, threshold)
        if leak is None:
            return False
        segment, group = leak
        hidden[segment][group] = "overlap"
        return True

    while complement_rule() or (len(members) > 1 and (overlap_rule() or solving_rule())):
        pass
    return hidden


def _recoverable_cell(labels: Mapping[str, pd.Series], hidden: Mapping[str, Mapping[str, str]],
                      threshold: int) -> tuple[str, str] | None:
    """A shown group to suppress if the shown groups and the overall figure give away the mean of a
    cell under ``threshold`` (its smallest shown group used in the solution), else None.

    Every published figure is a mean over whole cells, so the question is linear algebra on
    cells: is the cell's own mean a combination of the published means?
    """
    cells = pd.DataFrame(dict(labels)).astype(str)
    counts = cells.value_counts(sort=False)
    keys = list(counts.index)
    sizes = counts.to_numpy(dtype=float)
    sets = [(None, None, np.ones(len(keys), dtype=bool))]
    for k, segment in enumerate(cells.columns):
        for group in sorted(set(cells[segment]) - set(hidden[segment])):
            sets.append((segment, group, np.array([key[k] == group for key in keys])))
    # row for a set S: a cell's weight in its mean, |cell| / |S|, where the cell lies in S
    matrix = np.array([np.where(inside, sizes / sizes[inside].sum(), 0.0) for _, _, inside in sets])
    for c in np.flatnonzero(sizes < threshold):
        target = np.zeros(len(keys))
        target[c] = 1.0
        weights, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
        if np.abs(matrix.T @ weights - target).max() < 1e-8:
            used = [(int(sets[i][2] @ sizes), sets[i][0], sets[i][1]) for i in np.flatnonzero(np.abs(weights) > 1e-9)
                    if sets[i][0] is not None]
            if used:
                _, segment, group = min(used)
                return segment, group
    return None
