"""How sure each index is: 95% bootstrap intervals for every pillar index and the overall index.

Pure functions (docs/scoring.md, section 14). The respondents are resampled with replacement
(``BOOTSTRAP_DRAWS`` times, seed ``BOOTSTRAP_SEED``: the same answers always give the same
intervals), and each resample is scored by the rules of ``scoring``: reverse-scored statements
flipped, each statement's mean over who rated it, a pillar's mean the question-weight average
of its statements' means, the overall index the pillar-weight average of the pillar indices.
The interval is the 2.5th to 97.5th percentile of the resampled indices.

A resample is a row of counts (how often each respondent was drawn), so all draws are scored at
once by two matrix products (counts @ ratings, counts @ rated), never one DataFrame per draw.

A gap to target is *within noise* when the pillar falls short of its target but the interval
of its index reaches the target: the shortfall may be chance, so it is not called a priority.
The target is taken as given (when it comes from the respondents' own target answers, its own
uncertainty is not in the interval).
"""

from __future__ import annotations

from typing import Iterator, Mapping

import numpy as np
import pandas as pd

from ..core.settings import BOOTSTRAP_DRAWS, BOOTSTRAP_SEED
from ..inputs.responses import Responses
from ..inputs.templates import Template
from .breakdowns import weight_matrix
from .scoring import flip_reversed, to_index

LEVEL = 0.95
OVERALL = "overall"
CHUNK_CELLS = 4_000_000  # counts held at once (draws x respondents): about 32 MB of floats


def resamples(n: int, draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED) -> Iterator[np.ndarray]:
    """The bootstrap's draws as blocks of respondent positions (draws x n), in a fixed, seeded order.

    Blocks of up to ``CHUNK_CELLS`` positions, so memory stays bounded for any number of respondents.
    """
    rng = np.random.default_rng(seed)
    per_block = max(1, CHUNK_CELLS // max(n, 1))
    done = 0
    while done < draws:
        size = min(per_block, draws - done)
        yield rng.integers(0, n, size=(size, n)) if n else np.zeros((size, 0), dtype=np.int64)
        done += size


def _counts(positions: np.ndarray, n: int) -> np.ndarray:
    """How often each respondent was drawn in each draw (draws x n)."""
    draws = positions.shape[0]
    offsets = (np.arange(draws)[:, None] * n + positions).ravel()
    return np.bincount(offsets, minlength=draws * n).reshape(draws, n).astype(float)


def bootstrap_indices(template: Template, responses: Responses, weights: Mapping[str, float] | None = None,
                      draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Every draw's pillar indices and overall index (rows: draws; columns: pillars, then overall).

    ``weights`` (pillar id -> weight) replace the template's pillar weights, as in ``score``.
    A pillar nobody in a draw rated is NaN in that draw.
    """
    ratings = flip_reversed(responses.ratings, template)[template.question_ids].to_numpy(dtype=float)
    rated = ~np.isnan(ratings)
    filled = np.where(rated, ratings, 0.0)
    rated = rated.astype(float)
    matrix = weight_matrix(template)
    pillar_weights = np.array([float((weights or {}).get(p.id, p.weight)) for p in template.pillars])
    n = len(ratings)
    blocks = []
    for positions in resamples(n, draws, seed):
        counts = _counts(positions, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (counts @ filled) / (counts @ rated)  # every question's mean in every draw
            has = ~np.isnan(means)
            pillar = (np.where(has, means, 0.0) @ matrix) / (has @ matrix)
            index = to_index(pillar, template.scale)
            scored = ~np.isnan(index)
            overall = (np.where(scored, index, 0.0) @ pillar_weights) / (scored @ pillar_weights)
        blocks.append(np.column_stack([index, overall]))
    values = np.vstack(blocks) if blocks else np.empty((0, len(template.pillars) + 1))
    return pd.DataFrame(values, columns=[p.id for p in template.pillars] + [OVERALL])


def percentile_interval(samples: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Per column: the percentile interval (``ci_low``, ``ci_high``) of the draws that have a value."""
    tail = (1 - level) / 2 * 100
    values = samples.to_numpy(dtype=float)
    out = {}
    for j, column in enumerate(samples.columns):
        known = values[:, j][~np.isnan(values[:, j])]
        low, high = np.percentile(known, [tail, 100 - tail]) if len(known) else (np.nan, np.nan)
        out[column] = {"ci_low": float(low), "ci_high": float(high)}
    return pd.DataFrame.from_dict(out, orient="index", columns=["ci_low", "ci_high"])


def within_noise(pillars: pd.DataFrame, interval: pd.DataFrame) -> pd.Series:
    """Per pillar: True when it falls short of its target (gap > 0) but its interval reaches the target."""
    bounds = interval.reindex(pillars.index)
    return (pillars["gap_index"] > 0) & (bounds["ci_high"] >= pillars["target_index"])


def index_intervals(template: Template, responses: Responses, pillars: pd.DataFrame, overall: Mapping[str, float],
                    weights: Mapping[str, float] | None = None, draws: int = BOOTSTRAP_DRAWS,
                    seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Per pillar (template order) and overall (last row): index, ci_low, ci_high, within_noise.

    ``pillars`` and ``overall`` are the scores' (``Scores.pillars``, ``Scores.overall``); the
    overall row is within noise when the overall index falls short of the overall target and its
    interval reaches it.
    """
    interval = percentile_interval(bootstrap_indices(template, responses, weights, draws, seed))
    frame = interval.copy()
    frame.insert(0, "index", list(pillars["index"].astype(float)) + [float(overall["index"])])
    noise = within_noise(pillars, interval)
    target = overall.get("target")
    overall_target = to_index(target, template.scale) if target is not None else np.nan
    gap = overall_target - float(overall["index"])
    frame["within_noise"] = list(noise.astype(bool)) + [bool(gap > 0 and interval.at[OVERALL, "ci_high"]
                                                             >= overall_target)]
    frame.index.name = "pillar_id"
    return frame
