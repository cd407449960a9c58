"""Assessment waves over time: the change since the previous and the first wave, and whether it is real.

Pure functions: each wave comes in as its ``Scores`` plus every respondent's own pillar
scores (``respondent_indices``); tables come out. Nothing here reads files (``assessment``
loads the waves). The arithmetic and the test are in docs/scoring.md, section 11.

- **change** = the later wave's index minus the earlier one's, in index points (pillar and
  overall indices exactly as the report shows them).
- **significance**: Welch's two-sample t-test (unequal variances) on the respondents' own
  indices of the pillar, wave against wave. The waves are independent samples, of different
  sizes and usually of different people, so the pooled-variance t-test and any paired test
  would be wrong. ``p < alpha`` (0.05) and a positive change is *improved*, negative
  *declined*; otherwise *unchanged* (including a change that cannot be tested: fewer than
  two respondents in a wave, or no spread at all).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import actions
from ..inputs.responses import Responses
from .scoring import ACTIONS, Scores, flip_reversed, given, respondent_pillar_means, to_index
from .student_t import lower_tail
from ..inputs.templates import Template

ALPHA = 0.05  # a change counts when a difference this large would arise by chance less than 5% of the time
STATUSES = ("improved", "declined", "unchanged")
PLAN_CLASSES = ("start", "do_differently")  # the classes of a plan that ask a pillar to change
OVERALL = "overall"
CHANGE_COLUMNS = ("name", "before", "after", "change", "n_before", "n_after", "t", "df", "p", "status")


@dataclass(frozen=True)
class WaveResult:
    """One wave's scores and its respondents' own indices (rows: respondents; columns: pillars + overall)."""

    id: str
    date: dt.date
    scores: Scores
    respondents: pd.DataFrame


def respondent_indices(template: Template, responses: Responses,
                       weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each respondent's index per pillar (their weighted mean over the items they rated), and overall.

    The overall column is the pillar-weight average of the respondent's pillar indices, over
    the pillars they rated: the same recipe as the overall index, one person at a time.
    ``weights`` (pillar id -> weight, e.g. a client's) replace the template's pillar weights.
    """
    means = respondent_pillar_means(template, flip_reversed(responses.ratings, template))
    indices = to_index(means, template.scale)
    weights = pd.Series({p.id: float((weights or {}).get(p.id, p.weight)) for p in template.pillars})[indices.columns]
    rated = indices.notna()
    total = (rated * weights).sum(axis=1).replace(0, np.nan)
    indices[OVERALL] = (indices.fillna(0) * weights).sum(axis=1) / total
    return indices


def wave_result(wave_id: str, date: dt.date, scores: Scores, responses: Responses) -> WaveResult:
    """Bundle a wave's scores with its respondents' indices (overall with the pillar weights the scores used)."""
    weights = {k: float(v) for k, v in scores.pillars["weight"].items()}
    return WaveResult(wave_id, date, scores, respondent_indices(scores.template, responses, weights))


def welch(before: pd.Series | np.ndarray, after: pd.Series | np.ndarray) -> tuple[float, float, float]:
    """Welch's t-test of ``after`` against ``before``: (t, degrees of freedom, two-sided p).

    Missing values are left out; NaN throughout when a side has fewer than two values or neither side varies.
    """
    a, b = given(before), given(after)
    if len(a) < 2 or len(b) < 2 or (a.var(ddof=1) == 0 and b.var(ddof=1) == 0):
        return math.nan, math.nan, math.nan
    var_a, var_b = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    t = (b.mean() - a.mean()) / math.sqrt(var_a + var_b)
    df = (var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    return float(t), float(df), 2 * lower_tail(-abs(float(t)), float(df))


def classify_change(change: float, p: float, alpha: float = ALPHA) -> str | None:
    """improved / declined when significant (p < alpha), else unchanged; None without both indices."""
    if change is None or math.isnan(change):
        return None
    if not math.isnan(p) and p < alpha:
        return "improved" if change > 0 else "declined"
    return "unchanged"


def _indices(wave: WaveResult) -> pd.Series:
    pillars = wave.scores.pillars
    values = pd.concat([pillars["index"].astype(float), pd.Series({OVERALL: float(wave.scores.overall["index"])})])
    return values


def _names(wave: WaveResult) -> pd.Series:
    return pd.concat([wave.scores.pillars["name"], pd.Series({OVERALL: "Overall"})])


def change_table(before: WaveResult, after: WaveResult, alpha: float = ALPHA) -> pd.DataFrame:
    """Per pillar (template order) and overall (last row): indices, change, Welch test, status.

    ``n_before``/``n_after`` count the respondents who rated the pillar in each wave.
    """
    first, second = _indices(before), _indices(after)
    rows = {}
    for key, name in _names(after).items():
        x = before.respondents[key] if key in before.respondents else pd.Series(dtype=float)
        y = after.respondents[key] if key in after.respondents else pd.Series(dtype=float)
        change = second.get(key, math.nan) - first.get(key, math.nan)
        t, df, p = welch(x, y)
        rows[key] = {"name": name, "before": first.get(key, math.nan), "after": second.get(key, math.nan),
                     "change": change, "n_before": int(x.notna().sum()), "n_after": int(y.notna().sum()),
                     "t": t, "df": df, "p": p, "status": classify_change(change, p, alpha)}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(CHANGE_COLUMNS))
    frame.index.name = "pillar_id"
    return frame


def trend(waves: Sequence[WaveResult]) -> pd.DataFrame:
    """Long frame, one row per wave and pillar (overall included): wave, date, pillar_id, pillar, index."""
    parts = []
    for wave in waves:
        values, names = _indices(wave), _names(wave)
        parts.append(pd.DataFrame({"wave": wave.id, "date": wave.date, "pillar_id": values.index,
                                   "pillar": names.reindex(values.index).to_numpy(), "index": values.to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["wave", "date", "pillar_id", "pillar", "index"])


def follow_through(previous: WaveResult, changes: pd.DataFrame, count: int = 5) -> pd.DataFrame:
    """Did the previous wave's plan move its pillars? One row per pillar it classed start or do differently.

    Columns: name, action (its class then), action_label, priority (True for the plan's top
    ``count`` priorities), before, after, change, p, status, moved (status is improved).
    Top priorities come first in their order, then the other plan pillars, weakest first.
    """
    pillars = previous.scores.pillars
    planned = pillars[pillars["action"].isin(PLAN_CLASSES)]
    top = list(actions.priorities(previous.scores, count).index)
    order = top + [p for p in planned.sort_values("index", kind="stable").index if p not in top]
    rows = []
    for pillar_id in order:
        c = changes.loc[pillar_id]
        action = pillars.at[pillar_id, "action"]
        rows.append({"pillar_id": pillar_id, "name": pillars.at[pillar_id, "name"], "action": action,
                     "action_label": ACTIONS[action], "priority": pillar_id in top, "before": c["before"],
                     "after": c["after"], "change": c["change"], "p": c["p"], "status": c["status"],
                     "moved": c["status"] == "improved"})
    columns = ["pillar_id", "name", "action", "action_label", "priority", "before", "after", "change", "p",
               "status", "moved"]
    return pd.DataFrame(rows, columns=columns).set_index("pillar_id")


@dataclass(frozen=True)
class Progress:
    """A client's waves, oldest first, and what changed: since the previous wave, since the first."""

    waves: tuple[WaveResult, ...]
    alpha: float = ALPHA
    plan: pd.DataFrame | None = None  # the client's own plan against the current wave (roadmap.planned_vs_actual)
    plan_wave: str | None = None  # the wave that plan started from

    @property
    def has_history(self) -> bool:
        return len(self.waves) > 1

    @property
    def current(self) -> WaveResult:
        return self.waves[-1]

    @cached_property
    def since_previous(self) -> pd.DataFrame | None:
        return change_table(self.waves[-2], self.waves[-1], self.alpha) if self.has_history else None

    @cached_property
    def since_first(self) -> pd.DataFrame | None:
        return change_table(self.waves[0], self.waves[-1], self.alpha) if self.has_history else None

    @cached_property
    def follow_through(self) -> pd.DataFrame | None:
        return follow_through(self.waves[-2], self.since_previous) if self.has_history else None

    @cached_property
    def trend(self) -> pd.DataFrame:
        return trend(self.waves)


def progress(waves: Sequence[WaveResult], alpha: float = ALPHA) -> Progress:
    """The waves in date order (the last is the current one), ready for the report's progress section."""
    return Progress(tuple(sorted(waves, key=lambda w: w.date)), alpha)


def counts(changes: pd.DataFrame) -> dict[str, int]:
    """How many pillars (overall left out) improved, declined, stayed unchanged."""
    pillars = changes.drop(index=OVERALL, errors="ignore")
    return {s: int((pillars["status"] == s).sum()) for s in STATUSES}
