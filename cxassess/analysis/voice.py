"""The customers' voice, measured: NPS, CSAT and effort, word of mouth, pillar tags and blind spots.

Pure functions over validated customer feedback (``cxassess.inputs.feedback``) and the staff's pillar
scores (``cxassess.analysis.scoring``): nothing here reads or writes files. Every formula and rule is in
docs/scoring.md ("Customer feedback"), so a consultant can check each figure by hand.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..core.settings import DEFAULT_BLIND_SPOT_AT, DEFAULT_MIN_ANSWERS, DEFAULT_WORD_OF_MOUTH
from ..inputs.feedback import Feedback
from .document import clean
from .scoring import given, to_index, weighted_mean
from ..inputs.templates import Template

Z95 = 1.96  # two-sided 95% normal quantile
COMMENT_LIMIT = 300


@dataclass(frozen=True)
class VoiceSettings:
    """The knobs of the customer analysis, all documented in docs/scoring.md."""

    min_answers: int = DEFAULT_MIN_ANSWERS  # cells with fewer answers are hidden as too small to read
    word_of_mouth: float = DEFAULT_WORD_OF_MOUTH  # people each unhappy customer tells
    blind_spot_at: float = DEFAULT_BLIND_SPOT_AT  # index points between staff and customers that count


# ---------------------------------------------------------------------------------- measures


def nps(values: Iterable[float]) -> dict[str, Any]:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with its 95% margin of error.

    Each answer scores +1 (promoter), 0 (passive) or -1 (detractor); NPS is 100 x their mean and
    the margin is 100 x 1.96 x sqrt(variance / n), the variance being p + d - (p - d)^2.
    """
    v = given(values)
    n = len(v)
    promoters, detractors = int((v >= 9).sum()), int((v <= 6).sum())
    out = {"n": n, "promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors,
           "nps": math.nan, "moe": math.nan}
    if n:
        p, d = promoters / n, detractors / n
        out["nps"] = 100 * (p - d)
        out["moe"] = 100 * Z95 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return out


def csat(values: Iterable[float]) -> dict[str, Any]:
    """Customer satisfaction: the % of 1-5 answers that are 4 or 5."""
    v = given(values)
    satisfied = int((v >= 4).sum())
    return {"n": len(v), "satisfied": satisfied, "csat": 100 * satisfied / len(v) if len(v) else math.nan}


def ces(values: Iterable[float]) -> dict[str, Any]:
    """Customer effort: the mean 1-7 answer (7 = very easy to get what they needed)."""
    v = given(values)
    return {"n": len(v), "ces": float(v.mean()) if len(v) else math.nan}


def unhappy(answers: pd.DataFrame) -> pd.Series:
    """Whether each response is from an unhappy customer, by the first score it has.

    NPS 0-6 if NPS was answered; else CSAT 1-2; else effort 1-3; NA when none was answered.
    """
    sad, known = np.zeros(len(answers), dtype=bool), np.zeros(len(answers), dtype=bool)
    for column, low in (("ces", 3), ("csat", 2), ("nps", 6)):  # the last assignment wins: NPS first
        values = answers[column].to_numpy(dtype=float, na_value=np.nan)
        answered = ~np.isnan(values)
        sad[answered] = values[answered] <= low
        known |= answered
    return pd.Series(pd.arrays.BooleanArray(sad, ~known), index=answers.index)


def _cell(answers: pd.DataFrame, settings: VoiceSettings) -> dict[str, Any]:
    """Every measure of one group of responses; figures with too few answers are hidden (NaN)."""
    low = settings.min_answers
    n, c, e = nps(answers["nps"]), csat(answers["csat"]), ces(answers["ces"])
    sad = unhappy(answers)
    scored = int(sad.notna().sum())
    row = {
        "responses": len(answers),
        "nps": n["nps"], "nps_moe": n["moe"], "nps_n": n["n"],
        "promoters": n["promoters"], "passives": n["passives"], "detractors": n["detractors"],
        "csat": c["csat"], "csat_n": c["n"], "ces": e["ces"], "ces_n": e["n"],
        "unhappy": int(sad.fillna(False).sum()), "scored": scored,
        "word_of_mouth": float(sad.fillna(False).sum()) * settings.word_of_mouth,
    }
    if n["n"] < low:
        row.update(nps=math.nan, nps_moe=math.nan)
    if c["n"] < low:
        row["csat"] = math.nan
    if e["n"] < low:
        row["ces"] = math.nan
    if scored < low:
        row["word_of_mouth"] = math.nan
    return row


def measures(answers: pd.DataFrame, by: pd.Series | None = None,
             settings: VoiceSettings = VoiceSettings()) -> pd.DataFrame:
    """NPS (with margin), CSAT, effort and word of mouth overall (``by`` None) or per group of ``by``.

    One row per group, sorted by group; a figure resting on fewer than ``settings.min_answers``
    answers is NaN, and its ``*_n`` column says how many there were.
    """
    if by is None:
        return pd.DataFrame([_cell(answers, settings)], index=pd.Index(["all"], name="group"))
    by = by.reindex(answers.index)
    rows = {group: _cell(answers[by == group], settings) for group in sorted(by.dropna().unique(), key=str)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "group"
    return frame


def months(answers: pd.DataFrame) -> pd.Series:
    """Each response's month (``YYYY-MM``), NA where no date was given."""
    return answers["date"].dt.strftime("%Y-%m").astype("string")


# ------------------------------------------------------------------------------- comment tags


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for keywords: whole words, ``*`` = any ending, phrases word by word."""
    parts = []
    for word in words:
        stem = word.strip().endswith("*")
        tokens = [re.escape(t) for t in word.strip().rstrip("*").split()]
        if tokens:
            parts.append(r"(?<!\w)" + r"\s+".join(tokens) + (r"\w*" if stem else r"(?!\w)"))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _normalise(text: str) -> str:
    return str(text).replace("\u2019", "'")


def tag_comments(comments: pd.Series, template: Template) -> pd.DataFrame:
    """Which pillars each comment speaks about: True where it holds one of the pillar's keywords."""
    out = {}
    texts = comments.dropna().map(_normalise)
    for pillar in template.pillars:
        pattern = word_pattern(pillar.customer.keywords if pillar.customer else [])
        found = texts.map(lambda t: bool(pattern.search(t))) if pattern is not None else texts.map(lambda t: False)
        out[pillar.id] = found.reindex(comments.index, fill_value=False).astype(bool)
    return pd.DataFrame(out, index=comments.index, columns=[p.id for p in template.pillars])


def negative_comments(answers: pd.DataFrame, template: Template) -> pd.Series:
    """Whether each comment is negative: its row's own score decides (``unhappy``); without a
    score, whether it holds one of the template's negative words. False where no comment."""
    has = answers["comment"].notna()
    by_score = unhappy(answers)
    pattern = word_pattern(template.customer_voice.negative_words)
    by_words = answers["comment"].map(lambda t: bool(pattern.search(_normalise(t))) if pattern and isinstance(t, str)
                                      else False)
    return (has & by_score.fillna(by_words).astype(bool)).astype(bool)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]*\d){6,}")
_NAMED = re.compile(r"\b(my name is|this is|i am|i'm|regards|thanks|cheers|sincerely)(,?\s+)([A-Z][\w'-]+)",
                    re.IGNORECASE)


def scrub(text: str) -> str:
    """A comment without e-mail addresses, phone numbers or a self-introduced name, shortened."""
    text = _EMAIL.sub("[e-mail removed]", str(text))
    text = _PHONE.sub("[number removed]", text)
    text = _NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}[name removed]" if m.group(3)[0].isupper() else m.group(0),
                      text)
    text = " ".join(text.split())
    return text if len(text) <= COMMENT_LIMIT else text[: COMMENT_LIMIT - 1] + "…"


# ------------------------------------------------------------------------------ pillar index


def customer_index(template: Template, feedback: Feedback, tags: pd.DataFrame, negative: pd.Series,
                   settings: VoiceSettings = VoiceSettings()) -> pd.DataFrame:
    """The customers' index (0-100) of each pillar, with where it comes from.

    From the pillar's customer questions when it has any (the staff's arithmetic: weighted
    mean on the template scale, put on 0-100); else from its tagged comments: 100 x the share
    that are not negative. Hidden (NaN) under ``settings.min_answers`` answers or comments.
    """
    ratings = feedback.ratings
    rows = []
    for pillar in template.pillars:
        questions = pillar.customer.questions if pillar.customer else []
        tagged = tags[pillar.id] if pillar.id in tags else pd.Series(False, index=feedback.answers.index)
        critical = tagged & negative.reindex(tagged.index, fill_value=False)
        row: dict[str, Any] = {"pillar_id": pillar.id, "tagged_comments": int(tagged.sum()),
                               "negative_comments": int(critical.sum())}
        if questions:
            ids = [q.id for q in questions]
            means = ratings[ids].mean()
            mean = weighted_mean(means, pd.Series({q.id: q.weight for q in questions}))
            n = int(ratings[ids].notna().any(axis=1).sum())
            row.update(source="questions", n=n, customer_index=to_index(mean, template.scale))
        elif pillar.customer and pillar.customer.keywords:
            n = row["tagged_comments"]
            row.update(source="comments", n=n,
                       customer_index=100 * (1 - row["negative_comments"] / n) if n else math.nan)
        else:
            row.update(source=None, n=0, customer_index=math.nan)
        if row["n"] < settings.min_answers:
            row["customer_index"] = math.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("pillar_id")


def blind_spots(staff: pd.DataFrame, customers: pd.DataFrame, threshold: float = DEFAULT_BLIND_SPOT_AT) -> pd.DataFrame:
    """Staff index beside customer index per pillar, and where they part.

    ``gap`` is staff minus customers. ``kind`` is ``blind_spot`` when the staff rate the pillar
    ``threshold`` or more index points above the customers, ``undersold`` when the customers
    rate it that much above the staff, otherwise None (also when either index is missing).
    """
    out = staff[["name", "index", "action"]].rename(columns={"index": "staff_index"}).join(customers)
    out["gap"] = out["staff_index"] - out["customer_index"]
    out["kind"] = pd.Series([
        None if math.isnan(g) else "blind_spot" if g >= threshold else "undersold" if g <= -threshold else None
        for g in out["gap"].astype(float)
    ], index=out.index, dtype=object)
    return out


def representative_comments(answers: pd.DataFrame, tags: pd.DataFrame, negative: pd.Series, template: Template,
                            count: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Up to ``count`` scrubbed comments per pillar, critical and favourable in turn, in file order."""
    out = {}
    for pillar in template.pillars:
        if pillar.id not in tags:
            continue
        rows = tags.index[tags[pillar.id]]
        critical = [r for r in rows if negative.get(r, False)]
        favourable = [r for r in rows if not negative.get(r, False)]
        chosen, seen = [], set()
        for pair in zip(critical + [None] * len(favourable), favourable + [None] * len(critical)):
            for r in pair:
                if r is None or len(chosen) >= count:
                    continue
                text = scrub(answers.at[r, "comment"])
                if text not in seen:
                    seen.add(text)
                    chosen.append({"text": text, "negative": bool(negative.get(r, False))})
        if chosen:
            out[pillar.id] = chosen
    return out


# ----------------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class CustomerVoice:
    """Everything the report and the JSON say about a client's customers."""

    settings: VoiceSettings
    overall: dict[str, Any]
    touchpoints: pd.DataFrame
    months: pd.DataFrame
    pillars: pd.DataFrame  # staff index, customer index, gap, kind per pillar
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    responses: int = 0

    @property
    def blind(self) -> pd.DataFrame:
        """Pillars the staff rate well above their customers, widest gap first."""
        return self.pillars[self.pillars["kind"] == "blind_spot"].sort_values("gap", ascending=False, kind="stable")

    @property
    def undersold(self) -> pd.DataFrame:
        """Pillars customers rate well above the staff, widest gap first."""
        return self.pillars[self.pillars["kind"] == "undersold"].sort_values("gap", kind="stable")


def analyse(template: Template, feedback: Feedback, staff_pillars: pd.DataFrame,
            settings: VoiceSettings = VoiceSettings()) -> CustomerVoice:
    """The whole customer analysis of one client, beside its staff's pillar scores."""
    answers = feedback.answers
    tags = tag_comments(answers["comment"], template)
    negative = negative_comments(answers, template)
    overall = _cell(answers, settings)
    dated = months(answers)
    return CustomerVoice(
        settings=settings,
        overall=overall,
        touchpoints=measures(answers, answers["touchpoint"], settings),
        months=measures(answers[dated.notna()], dated[dated.notna()], settings),
        pillars=blind_spots(staff_pillars, customer_index(template, feedback, tags, negative, settings),
                            settings.blind_spot_at),
        comments=representative_comments(answers, tags, negative, template),
        responses=len(answers),
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"group": g, **row} for g, row in frame.to_dict("index").items()]


def to_document(voice: CustomerVoice) -> dict[str, Any]:
    """The ``customers`` part of ``cxassess score --json`` and scores.json (null where hidden)."""
    s = voice.settings
    pillars = [
        {"id": pid, "name": r["name"], "staff_index": r["staff_index"], "customer_index": r["customer_index"],
         "source": r["source"], "n": r["n"], "tagged_comments": r["tagged_comments"],
         "negative_comments": r["negative_comments"], "gap": r["gap"], "kind": r["kind"]}
        for pid, r in voice.pillars.iterrows()
    ]
    return clean({
        "responses": voice.responses,
        "settings": {"min_answers": s.min_answers, "word_of_mouth_factor": s.word_of_mouth,
                     "blind_spot_at": s.blind_spot_at},
        "overall": voice.overall,
        "touchpoints": _records(voice.touchpoints),
        "months": _records(voice.months),
        "pillars": pillars,
        "blind_spots": list(voice.blind.index),
        "undersold": list(voice.undersold.index),
    })
