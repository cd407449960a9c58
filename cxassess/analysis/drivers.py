"""Derived importance: which pillars go with the outcome question (key-driver analysis), pure.

Stated importance is what staff say matters (``:importance`` answers); derived importance is
what the answers show: how much of the outcome question's variance each pillar accounts for.
Predictors are the respondents' own pillar indices (``waves.respondent_indices``, the recipe of
the scores one person at a time); the outcome is the questionnaire's ``outcome`` question, or
another question named instead. Respondents missing the outcome or any pillar are left out.

- **LMG** (Lindeman, Merenda & Gold 1980; the Shapley value of R²): each pillar's share is its
  gain in R² when added to a subset of the others, averaged over all orders of adding them.
  The shares sum to the R² of the full OLS fit with intercept. Exact, over all 2^p subsets.
- **Relative weights** (Johnson 2000): the outcome regressed on the orthogonal counterpart of
  the pillars, re-expressed in the pillars. Also sums to R²; usually close to LMG.
- **Intervals**: 95% percentile bootstrap of each LMG share, resampling respondents
  (``DRAWS`` draws, seed ``SEED``, so the same answers always give the same interval).

Every R² comes from the correlation matrix alone (R² is unchanged by rescaling a variable).
The subset R²s are found all at once by a Schur-complement recursion (``subset_r2``). The
formulas are in docs/scoring.md, section 17. Nothing here reads or writes files.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from math import factorial

import numpy as np
import pandas as pd

from ..inputs.responses import Responses
from ..inputs.templates import Template
from .scoring import Scores, classify, flip_reversed, priority
from .waves import OVERALL, respondent_indices

DRAWS = 1000  # bootstrap draws over respondents
SEED = 20261217  # the bootstrap's fixed seed: the same answers always give the same intervals
LEVEL = 0.95  # the intervals' coverage
PER_PILLAR = 10  # complete respondents needed per pillar before drivers are computed
MAX_PILLARS = 15  # the exact decomposition visits 2^p subsets; beyond this it is not attempted
_MEMORY = 2**22  # floats held at once by the recursion (32 MB); the bootstrap runs in chunks under it
COLUMNS = ("share", "share_pct", "relative_weight", "ci_low", "ci_high", "rank")


@dataclass(frozen=True)
class Drivers:
    """The key-driver analysis of one outcome: per pillar (``table``) or the reason there is none.

    ``table`` is indexed by pillar id in questionnaire order with ``COLUMNS``; empty when
    ``reason`` says why no drivers were computed.
    """

    outcome: str | None
    n: int
    r2: float
    table: pd.DataFrame
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None


# ------------------------------------------------------------------------------- the arithmetic


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the outcome on every subset of the predictors, from correlation matrices.

    ``corr`` is ``(..., p + 1, p + 1)``: the predictors first, the outcome last. The result is
    ``(..., 2^p)``: entry ``s`` is the R² on the predictors whose bits are set in ``s`` (bit j:
    predictor j), so entry 0 is 0 and entry ``2^p - 1`` the full model's R².

    Predictor by predictor, each branch either drops it or partials it out (the Schur
    complement of its diagonal entry): at the end every branch holds the outcome's variance left
    after its subset, 1 - R². A predictor with nothing left to explain (constant, or collinear
    with those already in) adds nothing. Cost: about 2^p (p+1)² operations, vectorised over
    branches and over leading axes (bootstrap draws).
    """
    corr = np.asarray(corr, dtype=float)
    lead, k = corr.shape[:-2], corr.shape[-1]
    m = np.moveaxis(corr.reshape(-1, k, k), 0, -1).copy()  # (k, k, branches): the batch innermost, contiguous
    total = m[-1, -1].copy()
    for _ in range(k - 1):
        pivot, column, rest = m[0, 0], m[1:, 0], m[1:, 1:]
        # a pivot of (almost) 0: the predictor is constant or collinear with those in, and adds nothing
        factor = np.divide(column, pivot, out=np.zeros_like(column), where=pivot > 1e-10)
        branches = m.shape[-1]
        m = np.empty(rest.shape[:-1] + (2 * branches,))
        m[..., :branches] = rest  # index + branches: the predictor is in
        kept = m[..., branches:]
        np.multiply(factor[:, None, :], column[None, :, :], out=kept)
        np.subtract(rest, kept, out=kept)
    left = m[0, 0].reshape(2 ** (k - 1), -1)  # (subsets, batch): the outcome's variance left
    total = np.broadcast_to(total, left.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(total > 0, 1 - left / total, np.nan)
    return np.moveaxis(r2, 0, -1).reshape(lead + (2 ** (k - 1),))


@functools.cache
def _lmg_matrix(p: int) -> np.ndarray:
    """(2^p, p) weights turning subset R²s into LMG shares.

    share_j = sum over subsets S without j of w(|S|) (R²(S + j) - R²(S)), w(k) = k! (p-k-1)! / p!.
    """
    subsets = np.arange(2**p)
    sizes = np.array([bin(s).count("1") for s in subsets])
    w = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)] + [0.0])
    out = np.zeros((2**p, p))
    for j in range(p):
        has = (subsets >> j) & 1 == 1
        out[has, j] = w[sizes[has] - 1]
        out[~has, j] = -w[sizes[~has]]
    return out


def lmg(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LMG shares ``(..., p)`` and full-model R² ``(...)`` from correlation matrices (outcome last)."""
    r2 = subset_r2(corr)
    p = np.shape(corr)[-1] - 1
    return r2 @ _lmg_matrix(p), r2[..., -1]


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) raw relative weights from one correlation matrix (outcome last); they sum to R².

    With the predictors' correlations ``Rxx = V diag(l) V'``, ``L = V diag(sqrt l) V'`` links
    them to their closest orthogonal counterparts; ``beta = L^-1 r_xy`` regresses the outcome on
    those, and ``weight_j = sum_k L[j, k]² beta_k²``.
    """
    corr = np.asarray(corr, dtype=float)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 0.0, None)
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = np.linalg.pinv(root) @ rxy
    return (root**2) @ (beta**2)


def correlations(data: np.ndarray) -> np.ndarray:
    """Pearson correlation matrices of ``(..., n, k)`` data over its rows; a constant column correlates 0 with all."""
    centred = data - data.mean(axis=-2, keepdims=True)
    scale = np.sqrt((centred**2).sum(axis=-2, keepdims=True))
    z = np.divide(centred, scale, out=np.zeros_like(centred), where=scale > 0)
    return np.swapaxes(z, -1, -2) @ z


def bootstrap_shares(data: np.ndarray, draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """LMG shares ``(draws, p)`` of ``draws`` resamples of the rows of ``data`` (outcome last).

    A resample whose outcome does not vary has no R²: its row is NaN.
    """
    rng = np.random.default_rng(seed)
    n, k = data.shape
    rows = rng.integers(n, size=(draws, n))
    peak = max(2**level * (k - level) ** 2 for level in range(k)) * 3 + n * k  # floats per draw
    chunk = max(1, min(draws, _MEMORY // peak))
    out = []
    for start in range(0, draws, chunk):
        shares, _ = lmg(correlations(data[rows[start:start + chunk]]))
        out.append(shares)
    return np.concatenate(out)


# ------------------------------------------------------------------------------- the analysis


def _none(reason: str, outcome: str | None, n: int = 0) -> Drivers:
    return Drivers(outcome, n, math.nan, pd.DataFrame(columns=list(COLUMNS)), reason)


def key_drivers(predictors: pd.DataFrame, outcome: pd.Series, outcome_id: str | None = None,
                draws: int = DRAWS, seed: int = SEED) -> Drivers:
    """Derived importance of each predictor column for ``outcome`` (aligned by index).

    Rows missing the outcome or any predictor are left out; with fewer than ``PER_PILLAR`` rows per
    predictor, more than ``MAX_PILLARS`` predictors or no variation, ``reason`` says why nothing
    was computed.
    """
    outcome_id = outcome_id or str(outcome.name)
    names = list(predictors.columns)
    p = len(names)
    data = pd.concat([predictors.astype(float), outcome.astype(float).rename("__outcome__")], axis=1).dropna()
    n = len(data)
    if p > MAX_PILLARS:
        return _none(f"the questionnaire has {p} pillars; drivers are worked out exactly for at most {MAX_PILLARS}",
                     outcome_id, n)
    if n < PER_PILLAR * p:
        return _none(f"{n} respondents answered the outcome question and every pillar; drivers need at least "
                     f"{PER_PILLAR} per pillar ({PER_PILLAR * p} for {p} pillars)", outcome_id, n)
    values = data.to_numpy()
    values = values[np.lexsort(values.T[::-1])]  # rows in a canonical order: the order of respondents never matters
    flat = [names[j] for j in range(p) if np.ptp(values[:, j]) == 0]
    if np.ptp(values[:, -1]) == 0:
        return _none("every respondent gave the outcome question the same answer, so nothing can explain it",
                     outcome_id, n)
    if flat:
        return _none(f"every respondent has the same index for {', '.join(flat)}, so its part cannot be told",
                     outcome_id, n)
    corr = correlations(values)
    shares, r2 = lmg(corr)
    boot = bootstrap_shares(values, draws, seed)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
    table = pd.DataFrame({"share": shares, "share_pct": shares / r2 * 100 if r2 > 0 else np.nan,
                          "relative_weight": relative_weights(corr), "ci_low": low, "ci_high": high},
                         index=pd.Index(names, name="pillar_id"))
    table["rank"] = table["share"].rank(ascending=False, method="first").astype(int)
    return Drivers(outcome_id, n, float(r2), table)


def outcome_ratings(template: Template, responses: Responses, outcome: str | None = None) -> pd.Series | None:
    """The outcome's answers (float, NaN where none): the questionnaire's outcome, or the question ``outcome``.

    A statement named as the outcome is read after reverse scoring. None when there is no such question.
    """
    declared = template.outcome.id if template.outcome else None
    if outcome is None or outcome == declared:
        return None if responses.outcome is None else responses.outcome.rename(declared)
    if outcome in responses.ratings.columns:
        return flip_reversed(responses.ratings[[outcome]], template)[outcome]
    return None


def client_drivers(template: Template, responses: Responses, outcome: str | None = None,
                   draws: int = DRAWS, seed: int = SEED) -> Drivers:
    """Key drivers of a client's outcome over its respondents' own pillar indices.

    A pillar statement named as the outcome is left out of its pillar's index, so the pillar
    is not credited with predicting its own statement.
    """
    answers = outcome_ratings(template, responses, outcome)
    declared = template.outcome.id if template.outcome else None
    if answers is None:
        if outcome is not None and outcome != declared:
            return _none(f"{outcome!r} is not a question of questionnaire {template.id!r}", outcome)
        if declared is not None:
            return _none(f"the answers have no column {declared!r} for the outcome question", declared)
        return _none("the questionnaire asks no outcome question", None)
    if outcome is not None and outcome in responses.ratings.columns:
        ratings = responses.ratings.copy()
        ratings[outcome] = np.nan
        responses = replace(responses, ratings=ratings)
    indices = respondent_indices(template, responses).drop(columns=OVERALL)
    return key_drivers(indices, answers, str(answers.name), draws, seed)


def to_document(drivers: Drivers) -> dict:
    """The ``drivers`` part of scores.json: figures per pillar, or null and ``drivers_reason``."""
    if not drivers.computed:
        return {"drivers": None, "drivers_reason": drivers.reason}
    pillars = [{"id": pid, **{k: row[k] for k in COLUMNS}} for pid, row in drivers.table.to_dict("index").items()]
    return {"drivers": {"outcome": drivers.outcome, "n": drivers.n, "r2": drivers.r2, "method": "lmg",
                        "pillars": pillars}}


def hidden_and_overrated(derived: pd.Series, stated: pd.Series) -> tuple[list[str], list[str]]:
    """Pillars whose derived importance is in the top third and stated in the bottom third (hidden
    drivers), and the reverse (overrated), by rank among the pillars that have both."""
    both = pd.concat([derived.rename("d"), stated.rename("s")], axis=1).dropna()
    k = len(both)
    if k < 3:
        return [], []
    third = k / 3
    d_rank = both["d"].rank(ascending=False, method="average")
    s_rank = both["s"].rank(ascending=False, method="average")
    top = lambda r: r <= third
    bottom = lambda r: r > k - third
    hidden = [i for i in both.index if top(d_rank[i]) and bottom(s_rank[i])]
    overrated = [i for i in both.index if bottom(d_rank[i]) and top(s_rank[i])]
    return hidden, overrated


def stated_vs_derived(found: Drivers, pillars: pd.DataFrame) -> pd.DataFrame:
    """Per pillar (questionnaire order): stated importance (``importance_index``, 0-100) beside derived
    importance (share of R² in %, its interval in % of R²), each one's rank, and ``status``:
    "hidden driver", "overrated" or None (see ``hidden_and_overrated``). Empty without drivers."""
    if not found.computed:
        return pd.DataFrame(columns=["name", "stated", "derived_pct", "ci_low_pct", "ci_high_pct", "derived_rank",
                                     "stated_rank", "status"])
    t = found.table
    out = pd.DataFrame({"name": pillars["name"].reindex(t.index), "stated": pillars["importance_index"].reindex(t.index),
                        "derived_pct": t["share_pct"], "ci_low_pct": t["ci_low"] / found.r2 * 100,
                        "ci_high_pct": t["ci_high"] / found.r2 * 100, "derived_rank": t["rank"]})
    out["stated_rank"] = out["stated"].rank(ascending=False, method="min")
    hidden, overrated = hidden_and_overrated(t["share"], out["stated"])
    out["status"] = [("hidden driver" if i in hidden else "overrated" if i in overrated else None) for i in out.index]
    return out


def derived_importance_index(found: Drivers, important_at: float) -> pd.Series:
    """Derived importance on the importance axis (0-100): an equal share of R² (1/p) sits at ``important_at``.

    ``important_at * share_pct / (100 / p)``, at most 100: above the threshold line, a pillar
    accounts for more than an equal share of what the pillars explain together.
    """
    t = found.table
    return (important_at * t["share_pct"] / (100 / len(t))).clip(upper=100.0)


def with_derived_importance(scores: Scores, found: Drivers) -> Scores:
    """The scores with each pillar's importance index, priority and action class taken from derived importance
    (``derived_importance_index``), for an importance-performance grid on derived importance."""
    rules = scores.template.actions
    pillars = scores.pillars.copy()
    pillars["importance_index"] = derived_importance_index(found, rules.important_at).reindex(pillars.index)
    pillars["priority"] = priority(pillars["gap_index"], pillars["importance_index"])
    pillars["action"] = [classify(i, m, g, rules) for i, m, g in
                         zip(pillars["index"], pillars["importance_index"], pillars["gap_index"])]
    return replace(scores, pillars=pillars)
