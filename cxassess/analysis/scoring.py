"""Pillar scoring: pure functions from validated responses to question, pillar and overall scores.

The arithmetic is documented in docs/scoring.md, step by step, so an analyst can check any
figure by hand. Nothing here reads or writes files. The same figures per group of a segment are in
``breakdowns``; the JSON document of them in ``document``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..inputs.responses import Responses
from ..inputs.templates import ActionRules, Pillar, Scale, Template

ACTIONS = {"keep": "Keep", "do_differently": "Do differently", "start": "Start", "stop": "Stop / reduce"}


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
    """Reverse-scored items become ``min + max - value``; others are unchanged.

    A new frame: the flipped columns are new arrays, the others are shared with ``frame`` rather
    than copied (a 100,000-respondent frame is 50 MB); `DataFrame.isetitem` never writes into them.
    """
    reverse = [q for p in template.pillars for q in p.questions if q.reverse]
    out = frame.copy(deep=False)
    for q in reverse:
        if q.id in out.columns:
            out.isetitem(out.columns.get_loc(q.id), template.scale.min + template.scale.max - out[q.id])
    return out


def number_text(value: float | None, digits: int = 0, missing: str = "n/a") -> str:
    """A figure as the sentences of every output write it: rounded to ``digits``, ``missing`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:.{digits}f}"


def given(values: Any) -> np.ndarray:
    """The values that were given (NaN and NA left out), as floats: what a statistic is computed on."""
    if isinstance(values, pd.Series):
        v = values.to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(values, np.ndarray):
        v = values.astype(float, copy=False)
    else:
        v = pd.Series(list(values), dtype=float).to_numpy()
    return v[~np.isnan(v)]


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
    """Alpha and alpha-if-item-dropped from one covariance matrix of the complete rows.

    Every figure needs only item variances (its diagonal) and the variance of the item sum (the
    sum of its entries); dropping item j takes its row and column out of both, so one n x k
    product serves all k + 1 alphas.
    """
    complete = block[~np.isnan(block).any(axis=1)]
    n, k = complete.shape
    if n < 2:
        return math.nan, [math.nan] * k
    centred = complete - complete.mean(axis=0)
    covariance = centred.T @ centred / (n - 1)
    item = np.diag(covariance)
    row = covariance.sum(axis=1)
    total = float(row.sum())

    def alpha(items: int, item_variance: float, total_variance: float) -> float:
        # a total variance within rounding of zero is zero (items that cancel, or none that vary)
        if items < 2 or not total_variance > 1e-12 * max(item_variance, 1e-300):
            return math.nan
        return items / (items - 1) * (1 - item_variance / total_variance)

    dropped = [alpha(k - 1, float(item.sum() - item[j]), total - 2 * float(row[j]) + float(item[j]))
               for j in range(k)]
    return alpha(k, float(item.sum()), total), dropped


def respondent_pillar_means(template: Template, ratings: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's weighted mean per pillar over the items they rated (after flipping)."""
    values = ratings.to_numpy(dtype=float)
    position = {column: i for i, column in enumerate(ratings.columns)}
    out = {}
    for pillar in template.pillars:
        out[pillar.id] = _respondent_means(values[:, [position[q.id] for q in pillar.questions]], pillar)
    return pd.DataFrame(out, index=ratings.index)


def _respondent_means(block: np.ndarray, pillar: Pillar) -> np.ndarray:
    """Each respondent's weighted mean over the items of one pillar they rated (``block``: respondents x items)."""
    weights = np.array([q.weight for q in pillar.questions], dtype=float)
    rated = ~np.isnan(block)
    total = rated @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.where(rated, block, 0.0) @ weights / total, np.nan)


def _flipped_block(values: np.ndarray, columns: list[int], pillar: Pillar, scale: Scale) -> np.ndarray:
    """One pillar's ratings (respondents x its items) with its reverse-scored items flipped, as
    `flip_reversed` flips them: a copy of the pillar's columns only, never of every column."""
    block = values[:, columns]  # indexing by a list copies
    for k, question in enumerate(pillar.questions):
        if question.reverse:
            block[:, k] = scale.min + scale.max - block[:, k]
    return block


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
    variance = ratings.var(ddof=1)
    table["sd"] = np.sqrt(variance)  # what ratings.std(ddof=1) gives, without a second pass
    table["index"] = to_index(table["mean"], scale)
    table["importance"] = responses.importance.mean()
    table["target"] = targets.mean()
    table["target_index"] = to_index(table["target"], scale)
    table["gap"] = table["target"] - table["mean"]
    table["gap_index"] = table["gap"] / (scale.max - scale.min) * 100
    ratio = variance.to_numpy(dtype=float) / ((scale.points**2 - 1) / 12)
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
    ratings = responses.ratings
    values = ratings.to_numpy(dtype=float)  # one array, sliced per pillar: pandas per pillar cost 5x more
    targets = targets or {}
    weights = weights or {}
    column = {c: i for i, c in enumerate(ratings.columns)}
    figure = {name: questions[name].reindex(ratings.columns).to_numpy(dtype=float)
              for name in ("mean", "target", "importance", "weight")}
    rows = []
    for pillar in template.pillars:
        ids = [q.id for q in pillar.questions]
        cols = [column[i] for i in ids]
        block = _flipped_block(values, cols, pillar, scale)
        weight = figure["weight"][cols]
        mean = _weighted_mean(figure["mean"][cols], weight)
        if pillar.id in targets:
            target, target_source = float(targets[pillar.id]), "targets"
        else:
            target = _weighted_mean(figure["target"][cols], weight)
            target_source = "responses" if not math.isnan(target) else None
        alpha, dropped = _cronbach_alpha(block)
        spread = _respondent_means(block, pillar)
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
