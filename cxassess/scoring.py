"""Pillar scoring: pure functions from validated responses to question, pillar and overall scores.

The arithmetic is documented in docs/scoring.md, step by step, so an analyst can check any
figure by hand. Nothing here reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .responses import NOT_GIVEN, Responses
from .templates import ActionRules, Scale, Template

ACTIONS = {"keep": "Keep", "do_differently": "Do differently", "start": "Start", "stop": "Stop / reduce"}
DEFAULT_ANONYMITY = 5
PORTFOLIO_MIN_CLIENTS = 5  # fewest clients whose quartiles a client report may show (cxassess.portfolio)


@dataclass(frozen=True)
class Scores:
    """Everything computed for one set of responses."""

    template: Template
    questions: pd.DataFrame  # index question_id
    pillars: pd.DataFrame  # index pillar_id
    overall: dict[str, Any]
    respondents: int


# ---------------------------------------------------------------------------- building blocks


def flip_reversed(frame: pd.DataFrame, template: Template) -> pd.DataFrame:
    """Reverse-scored items become ``min + max - value``; others are unchanged."""
    reverse = [q for p in template.pillars for q in p.questions if q.reverse]
    out = frame.copy()
    cols = [q.id for q in reverse if q.id in out.columns]
    out[cols] = template.scale.min + template.scale.max - out[cols]
    return out


def to_index(mean: Any, scale: Scale) -> Any:
    """Position of a mean on the scale, 0 (all at min) to 100 (all at max)."""
    return (mean - scale.min) / (scale.max - scale.min) * 100


def weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Weighted mean over the values that exist, with the weights renormalised to them."""
    return _weighted_mean(values.to_numpy(dtype=float), weights.reindex(values.index).to_numpy(dtype=float))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = ~np.isnan(values)
    if not ok.any():
        return math.nan
    return float((values[ok] * weights[ok]).sum() / weights[ok].sum())


def rwg(variances: pd.Series, points: int) -> float:
    """Within-group agreement rwg(J) against the uniform null (James, Demaree & Wolf 1984).

    ``variances`` are the items' sample variances; with one item this is the single-item rwg.
    Truncated at 0 when observed variance exceeds the null variance.
    """
    return _rwg(np.asarray(variances, dtype=float), points)


def _rwg(variances: np.ndarray, points: int) -> float:
    variances = variances[~np.isnan(variances)]
    if not len(variances):
        return math.nan
    null = (points**2 - 1) / 12
    ratio = float(variances.mean()) / null
    if ratio >= 1:
        return 0.0
    j = len(variances)
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def _column_variances(block: np.ndarray) -> np.ndarray:
    """Sample variance (ddof 1) of each column over its non-missing values; NaN below two values."""
    rated = ~np.isnan(block)
    count = rated.sum(axis=0)
    filled = np.where(rated, block, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / count
        squares = (np.where(rated, block - mean, 0.0) ** 2).sum(axis=0)
        return np.where(count >= 2, squares / (count - 1), np.nan)


def cronbach_alpha(items: pd.DataFrame) -> tuple[float, pd.Series]:
    """Cronbach's alpha and alpha-if-item-dropped, on respondents who rated every item."""
    alpha, dropped = _cronbach_alpha(items.to_numpy(dtype=float))
    return alpha, pd.Series(dict(zip(items.columns, dropped)), dtype=float)


def _cronbach_alpha(block: np.ndarray) -> tuple[float, list[float]]:
    complete = block[~np.isnan(block).any(axis=1)]

    def alpha(matrix: np.ndarray) -> float:
        n, k = matrix.shape
        if k < 2 or n < 2:
            return math.nan
        total = matrix.sum(axis=1).var(ddof=1)
        if not total > 0:
            return math.nan
        return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total)

    keep = np.ones(complete.shape[1], dtype=bool)
    dropped = []
    for j in range(complete.shape[1]):
        keep[j] = False
        dropped.append(alpha(complete[:, keep]))
        keep[j] = True
    return alpha(complete), dropped


def respondent_pillar_means(template: Template, ratings: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's weighted mean per pillar over the items they rated (after flipping)."""
    values = ratings.to_numpy(dtype=float)
    position = {column: i for i, column in enumerate(ratings.columns)}
    out = {}
    for pillar in template.pillars:
        block = values[:, [position[q.id] for q in pillar.questions]]
        weights = np.array([q.weight for q in pillar.questions], dtype=float)
        rated = ~np.isnan(block)
        total = rated @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            out[pillar.id] = np.where(total > 0, np.where(rated, block, 0.0) @ weights / total, np.nan)
    return pd.DataFrame(out, index=ratings.index)


# ---------------------------------------------------------------------------- classification


def classify(index: float, importance_index: float, gap_index: float, rules: ActionRules) -> str | None:
    """Action class from importance-performance analysis (thresholds in docs/scoring.md).

    Importance decides the priority axis; where none was collected the gap does, and with
    neither every item counts as important.
    """
    if index is None or math.isnan(index):
        return None
    if not math.isnan(importance_index):
        important = importance_index >= rules.important_at
    elif not math.isnan(gap_index):
        important = gap_index >= rules.gap_priority_at
    else:
        important = True
    if not important:
        return "stop"
    if index <= rules.start_below:
        return "start"
    return "do_differently" if index < rules.performing_at else "keep"


def priority(gap_index: pd.Series, importance_index: pd.Series) -> pd.Series:
    """Gap weighted by importance: ``max(gap_index, 0) * importance_index / 100``.

    Without importance the gap alone counts; without a target there is no priority.
    """
    weight = (importance_index / 100).fillna(1.0)
    return gap_index.clip(lower=0) * weight


def _add_actions(frame: pd.DataFrame, template: Template) -> pd.DataFrame:
    out = frame.copy()
    imp_index = to_index(out["importance"], template.scale)
    out["importance_index"] = imp_index
    out["priority"] = priority(out["gap_index"], imp_index)
    out["action"] = [
        classify(i, m, g, template.actions) for i, m, g in zip(out["index"], imp_index, out["gap_index"])
    ]
    return out


# ----------------------------------------------------------------------------------- scoring


def question_scores(template: Template, responses: Responses) -> pd.DataFrame:
    """Per question: n, mean, sd, index, importance, target, gap, single-item rwg, N/A count."""
    scale = template.scale
    ratings = flip_reversed(responses.ratings, template)
    targets = flip_reversed(responses.target, template)
    table = template.question_table().set_index("question_id")
    table["n"] = ratings.count()
    table["na"] = responses.not_applicable.sum()
    table["mean"] = ratings.mean()
    table["sd"] = ratings.std(ddof=1)
    table["index"] = to_index(table["mean"], scale)
    table["importance"] = responses.importance.mean()
    table["target"] = targets.mean()
    table["target_index"] = to_index(table["target"], scale)
    table["gap"] = table["target"] - table["mean"]
    table["gap_index"] = table["gap"] / (scale.max - scale.min) * 100
    ratio = ratings.var(ddof=1).to_numpy(dtype=float) / ((scale.points**2 - 1) / 12)
    table["rwg"] = np.where(np.isnan(ratio), np.nan, np.where(ratio >= 1, 0.0, 1 - ratio))  # rwg of one item
    return _add_actions(table, template)


def pillar_scores(
    template: Template,
    responses: Responses,
    questions: pd.DataFrame | None = None,
    targets: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per pillar: the figures of ``cxassess score`` (see docs/scoring.md for each formula).

    ``weights`` (pillar id -> weight, e.g. a client's ``weights:``) replace the template's pillar
    weights in the overall figures.
    """
    scale = template.scale
    if questions is None:
        questions = question_scores(template, responses)
    ratings = flip_reversed(responses.ratings, template)
    per_respondent = respondent_pillar_means(template, ratings)
    targets = targets or {}
    weights = weights or {}
    values = ratings.to_numpy(dtype=float)  # one array, sliced per pillar: pandas per pillar cost 5x more
    column = {c: i for i, c in enumerate(ratings.columns)}
    figure = {name: questions[name].reindex(ratings.columns).to_numpy(dtype=float)
              for name in ("mean", "target", "importance", "weight")}
    rows = []
    for pillar in template.pillars:
        ids = [q.id for q in pillar.questions]
        cols = [column[i] for i in ids]
        block = values[:, cols]
        weight = figure["weight"][cols]
        mean = _weighted_mean(figure["mean"][cols], weight)
        if pillar.id in targets:
            target, target_source = float(targets[pillar.id]), "targets"
        else:
            target = _weighted_mean(figure["target"][cols], weight)
            target_source = "responses" if not math.isnan(target) else None
        alpha, dropped = _cronbach_alpha(block)
        spread = per_respondent[pillar.id].to_numpy(dtype=float)
        spread = spread[~np.isnan(spread)]
        rows.append(
            {
                "pillar_id": pillar.id,
                "name": pillar.name,
                "weight": float(weights.get(pillar.id, pillar.weight)),
                "stage": pillar.stage,
                "questions": len(ids),
                "n": int((~np.isnan(block)).any(axis=1).sum()),
                "mean": mean,
                "index": to_index(mean, scale),
                "target": target,
                "target_index": to_index(target, scale),
                "target_source": target_source,
                "gap": target - mean,
                "gap_index": (target - mean) / (scale.max - scale.min) * 100,
                "importance": _weighted_mean(figure["importance"][cols], weight),
                "maturity": template.maturity_band(to_index(mean, scale)),
                "sd": float(spread.std(ddof=1)) if len(spread) > 1 else math.nan,
                "rwg": _rwg(_column_variances(block), scale.points),
                "alpha": alpha,
                "alpha_n": int((~np.isnan(block)).all(axis=1).sum()),
                "alpha_if_dropped": dict(zip(ids, dropped)),
            }
        )
    return _add_actions(pd.DataFrame(rows).set_index("pillar_id"), template)


def overall_scores(template: Template, pillars: pd.DataFrame) -> dict[str, Any]:
    """Pillar-weight averages of the pillar figures, and the overall maturity band."""
    weights = pillars["weight"]
    index = weighted_mean(pillars["index"], weights)
    return {
        "mean": weighted_mean(pillars["mean"], weights),
        "index": index,
        "maturity": template.maturity_band(index),
        "target": weighted_mean(pillars["target"], weights),
        "gap": weighted_mean(pillars["gap"], weights),
        "gap_index": weighted_mean(pillars["gap_index"], weights),
    }


def score(template: Template, responses: Responses, targets: Mapping[str, float] | None = None,
          weights: Mapping[str, float] | None = None) -> Scores:
    """Score a set of validated responses: questions, pillars and overall (``weights`` override pillar weights)."""
    questions = question_scores(template, responses)
    pillars = pillar_scores(template, responses, questions, targets, weights)
    return Scores(template, questions, pillars, overall_scores(template, pillars), len(responses))


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


def _weight_matrix(template: Template) -> np.ndarray:
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
    matrix = _weight_matrix(template)
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


# ------------------------------------------------------------------------------------ output


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN to None, floats rounded to 4 places."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 4)
    return value


PILLAR_FIELDS = ("id", "name", "mean", "index", "target", "gap", "gap_index", "importance", "priority", "maturity",
                 "n", "sd", "rwg", "alpha", "alpha_n", "alpha_if_dropped", "action", "target_source", "weight",
                 "stage")
QUESTION_FIELDS = ("id", "text", "reverse", "weight", "n", "na", "mean", "sd", "index", "target", "gap",
                   "gap_index", "importance", "rwg", "action")


def to_document(scores: Scores, breakdowns: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The ``cxassess score --json`` document (null where a figure cannot be computed)."""
    t = scores.template
    questions = {qid: {"id": qid, **q} for qid, q in scores.questions.to_dict("index").items()}
    pillars = []
    for pid, row in scores.pillars.to_dict("index").items():
        item = {"id": pid, **row}
        entry = {k: item.get(k) for k in PILLAR_FIELDS}
        entry["questions"] = [{k: q.get(k) for k in QUESTION_FIELDS} for q in questions.values()
                              if q["pillar_id"] == pid]
        pillars.append(entry)
    document: dict[str, Any] = {
        "template": {"id": t.id, "name": t.name, "version": t.version},
        "scale": {"min": t.scale.min, "max": t.scale.max},
        "respondents": scores.respondents,
        "overall": scores.overall,
        "pillars": pillars,
    }
    if breakdowns:
        document["breakdown"] = {
            segment: [
                {
                    "group": r["group"],
                    "n": r["n"],
                    "suppressed": r["suppressed"],
                    "overall_index": r["overall_index"],
                    "pillars": {p.id: r[p.id] for p in t.pillars},
                }
                for r in frame.to_dict("records")
            ]
            for segment, frame in breakdowns.items()
        }
    return _clean(document)
