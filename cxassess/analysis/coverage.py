"""The thin-data guard: which pillars rest on enough answers to be scored, and whether the overall index is.

Pure functions (frames in, new frames out, no I/O), applied once where a client's answers are scored
(``assessment.client_scores``) and by ``cxassess score TEMPLATE RESPONSES``, so every output reads the
same verdict. The rules (docs/scoring.md, "Enough answers"):

- a pillar has enough answers when at least ``min_respondents`` people rated one or more of its
  statements AND at least ``min_answered_share`` of its statements were rated by someone;
- a pillar below either minimum keeps its respondent count and its reason (``thin_reason``) but no
  mean, index, gap, maturity band, spread, agreement, reliability, priority or action class;
- the overall index is the pillar-weight average of the pillars with enough answers, and is withheld
  (null, with ``withheld_reason``) when fewer than half of the questionnaire's pillars have enough.

The minimums come from the questionnaire's ``data_quality:`` block, overridden field by field by
client.yaml's, else the defaults in ``core/settings.py`` (5 respondents, half the statements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import CxError, Problem
from ..core.settings import DEFAULT_MIN_ANSWERED_SHARE, DEFAULT_MIN_RESPONDENTS
from ..inputs.templates import DataQuality, Template
from .scoring import Scores, overall_scores

#: Pillar figures that rest on the ratings: blanked for a pillar without enough answers.
THIN_BLANKED = ("mean", "index", "gap", "gap_index", "sd", "rwg", "alpha", "priority")
#: Overall figures withheld with the overall index (the target is the client's, not the answers').
OVERALL_WITHHELD = ("mean", "index", "gap", "gap_index")
NOT_ENOUGH = "not enough answers"  # what every output shows in place of a thin pillar's figures


@dataclass(frozen=True)
class Rules:
    """The minimums a pillar's answers must reach to be scored."""

    min_respondents: int = DEFAULT_MIN_RESPONDENTS
    min_answered_share: float = DEFAULT_MIN_ANSWERED_SHARE


def rules_for(template: Template, client: DataQuality | None = None) -> Rules:
    """The minimums that apply: client.yaml's ``data_quality:``, else the questionnaire's, else the defaults."""
    chosen = Rules()
    for source in (template.data_quality, client):
        if source is None:
            continue
        if source.min_respondents is not None:
            chosen = replace(chosen, min_respondents=source.min_respondents)
        if source.min_answered_share is not None:
            chosen = replace(chosen, min_answered_share=source.min_answered_share)
    return chosen


def _share_text(share: float) -> str:
    return "half" if share == 0.5 else f"{share:.0%}"


def pillar_coverage(scores: Scores, rules: Rules) -> pd.DataFrame:
    """Per pillar: respondents, statements, statements answered, their share, ``enough_answers`` and ``thin_reason``.

    A statement counts as answered when at least one respondent rated it (n > 0); respondents are
    the pillar's ``n`` (people who rated at least one of its statements).
    """
    answered = (scores.questions["n"] > 0).groupby(scores.questions["pillar_id"]).sum()
    rows = []
    for pid, p in scores.pillars.iterrows():
        statements, done, people = int(p["questions"]), int(answered.get(pid, 0)), int(p["n"])
        reasons = []
        if people == 0:
            reasons.append("no answers")
        elif people < rules.min_respondents:
            reasons.append(f"{people} respondent{'s' if people != 1 else ''}, fewer than {rules.min_respondents}")
        if people and (statements == 0 or done / statements < rules.min_answered_share):
            reasons.append(f"{done} of {statements} statements answered, "
                           f"fewer than {_share_text(rules.min_answered_share)}")
        rows.append({"pillar_id": pid, "respondents": people, "statements": statements, "answered": done,
                     "answered_share": done / statements if statements else 0.0,
                     "enough_answers": not reasons, "thin_reason": "; ".join(reasons) or None})
    return pd.DataFrame(rows).set_index("pillar_id")


def overall_withheld_reason(enough: pd.Series) -> str | None:
    """Why the overall index is withheld (fewer than half the pillars have enough answers), or None."""
    scored, total = int(enough.sum()), len(enough)
    if 2 * scored >= total and scored > 0:
        return None
    return (f"only {scored} of {total} pillars have enough answers; the overall index needs at least half "
            f"({math.ceil(total / 2)})")


def guard(scores: Scores, rules: Rules) -> Scores:
    """The scores with the guard applied: thin pillars blanked, the overall index over the rest or withheld.

    Adds ``enough_answers`` and ``thin_reason`` (plus ``answered``, ``answered_share``) to the pillars and
    ``withheld_reason`` to the overall figures. Scores with enough answers everywhere keep every figure.
    """
    cover = pillar_coverage(scores, rules)
    pillars = scores.pillars.copy()
    for column in ("answered", "answered_share", "enough_answers", "thin_reason"):
        pillars[column] = cover[column]
    reasons = cover["thin_reason"].astype(object)
    pillars["thin_reason"] = reasons.where(reasons.notna(), None)  # None, never NaN, where a pillar is scored
    thin = ~pillars["enough_answers"].astype(bool)
    if thin.any():
        for column in THIN_BLANKED:
            pillars.loc[thin, column] = np.nan
        pillars["maturity"] = pillars["maturity"].astype(object).where(~thin, None)
        pillars["action"] = pillars["action"].astype(object).where(~thin, None)
    questions = scores.questions
    if thin.any():
        questions = questions.copy()
        in_thin = questions["pillar_id"].isin(list(pillars.index[thin]))
        questions["action"] = questions["action"].astype(object).where(~in_thin, None)
    # the overall figures over the scored pillars only (a thin pillar's target too, so target - mean = gap)
    overall: dict[str, Any] = (overall_scores(scores.template, pillars.assign(target=pillars["target"].where(~thin)))
                               if thin.any() else dict(scores.overall))
    reason = overall_withheld_reason(pillars["enough_answers"].astype(bool))
    if reason is not None:
        overall.update({k: math.nan for k in OVERALL_WITHHELD}, maturity=None)
    overall["withheld_reason"] = reason
    return replace(scores, pillars=pillars, questions=questions, overall=overall)


@dataclass(frozen=True)
class Coverage:
    """What the guard found for one set of scores: the rules, the thin pillars and why, the overall verdict."""

    rules: Rules
    pillars: pd.DataFrame  # index pillar_id: name, respondents, answered, enough_answers, thin_reason
    overall_withheld: str | None

    @property
    def thin(self) -> list[str]:
        """Ids of the pillars without enough answers, in questionnaire order."""
        return list(self.pillars.index[~self.pillars["enough_answers"].astype(bool)])

    @property
    def is_thin(self) -> bool:
        return bool(self.thin) or self.overall_withheld is not None

    @property
    def warning(self) -> str | None:
        """The data-quality warning every deliverable opens with, or None when every pillar has enough answers."""
        if not self.is_thin:
            return None
        r = self.rules
        thin = self.pillars.loc[self.thin]
        silent = thin[thin["respondents"] == 0]
        rated = [f"{row['name']} ({row['thin_reason']})" for _, row in thin[thin["respondents"] > 0].iterrows()]
        if len(silent):
            rated.append(f"no answers at all for {', '.join(silent['name'])}")
        total = len(self.pillars)
        text = (f"{len(self.thin)} of {total} pillars rest on too few answers to be scored: each needs at least "
                f"{r.min_respondents} respondents and {_share_text(r.min_answered_share)} of its statements "
                f"answered. Not scored: {'; '.join(rated)}.")
        if self.overall_withheld:
            text += f" The overall index is withheld: {self.overall_withheld}."
        return text + " Collect more answers before reading these results as the organisation's view."

    def to_document(self) -> dict[str, Any]:
        """The ``data_quality`` object of scores.json."""
        return {"min_respondents": self.rules.min_respondents, "min_answered_share": self.rules.min_answered_share,
                "scored_pillars": len(self.pillars) - len(self.thin), "pillars": len(self.pillars),
                "thin_pillars": self.thin, "warning": self.warning}

    def error(self, client: str) -> CxError:
        """Thin data as an error (``--strict``): the client, the thin pillars and why."""
        return CxError(Problem(client, f"thin data (--strict): {self.warning} Without --strict the report is "
                                       "written, opening with this warning."))


def summarise(scores: Scores, rules: Rules) -> Coverage:
    """The guard's findings on guarded scores (``guard``'s result): what the warning and scores.json say."""
    p = scores.pillars
    frame = p[["name", "n", "questions", "answered", "enough_answers", "thin_reason"]].rename(
        columns={"n": "respondents", "questions": "statements"})
    return Coverage(rules, frame, scores.overall.get("withheld_reason"))


def thin_pillars(scores: Scores) -> list[str]:
    """Ids of the pillars the guard left unscored (none for scores it was not applied to)."""
    if "enough_answers" not in scores.pillars:
        return []
    return list(scores.pillars.index[~scores.pillars["enough_answers"].astype(bool)])


def scored_weights(scores: Scores) -> dict[str, float]:
    """The pillar weights with a thin pillar's at 0, so a figure over pillars (an interval) leaves it out."""
    thin = set(thin_pillars(scores))
    return {pid: 0.0 if pid in thin else float(w) for pid, w in scores.pillars["weight"].items()}


def mask_intervals(frame: pd.DataFrame, scores: Scores, overall: str) -> pd.DataFrame:
    """An interval frame (pillars, then the ``overall`` row) without intervals for thin pillars or withheld overall."""
    hidden = thin_pillars(scores) + ([overall] if scores.overall.get("withheld_reason") else [])
    if not hidden:
        return frame
    out = frame.copy()
    out.loc[hidden, ["index", "ci_low", "ci_high"]] = np.nan
    out.loc[hidden, "within_noise"] = False
    return out


def hidden_columns(scores: Scores) -> list[str]:
    """The breakdown columns without a group figure: the thin pillars, and ``overall_index`` when it is withheld."""
    return thin_pillars(scores) + (["overall_index"] if scores.overall.get("withheld_reason") else [])


def mask_breakdowns(frames: dict[str, pd.DataFrame], scores: Scores) -> dict[str, pd.DataFrame]:
    """Segment breakdowns with no group figure for a thin pillar, nor a group's overall when the overall is withheld."""
    hidden = hidden_columns(scores)
    if not hidden:
        return frames
    out = {}
    for segment, frame in frames.items():
        frame = frame.copy()
        frame[[c for c in hidden if c in frame.columns]] = np.nan
        out[segment] = frame
    return out
