"""What staff say: the tone of every staff comment, and per pillar how many read negative, neutral, positive.

Each comment belongs to the pillar of the statement it was written against. Its tone is VADER's
compound score (the ``vaderSentiment`` package: a word list rated by people, with rules for
negation, intensifiers, "but", capitals and punctuation; -1 most negative to +1 most positive).
A comment is negative at or below -0.05, positive at or above +0.05 and neutral in between: the
cut-offs VADER's authors recommend. The word list is English: a comment in another language mostly
scores neutral, and irony is not read. The figure is a rough signal of tone, not a reading.

Per pillar: the number of comments, the negative/neutral/positive counts and shares, and the
most negative and the most positive comment (only a comment that is negative, or positive, is
quoted as such). Nothing here knows who wrote a comment: respondents' ids and segments never
enter, and every list is in an order of the texts themselves (never the answers file's), so the
result does not change when the respondents are put in another order.

Pure: frames in, frames out. ``vaderSentiment`` is imported only when there are comments to score
(``vader_scores``), so a report's other figures never pay for loading its word list.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..inputs.templates import Template

NEGATIVE_AT = -0.05  # a compound score at or below this is negative
POSITIVE_AT = 0.05  # at or above this, positive; neutral in between
SENTIMENTS = ("negative", "neutral", "positive")
METHOD = "vader"
LEXICON = "English"

#: Compound scores (-1 to 1) of a list of texts, one per text, in their order.
Scorer = Callable[[Sequence[str]], Sequence[float]]

PILLAR_COLUMNS = ["name", "count", "negative", "neutral", "positive", "negative_share", "neutral_share",
                  "positive_share", "most_negative", "most_negative_compound", "most_positive",
                  "most_positive_compound"]


def sentiment_of(compound: float) -> str:
    """``negative`` at or below -0.05, ``positive`` at or above 0.05, else ``neutral``."""
    if compound <= NEGATIVE_AT:
        return "negative"
    if compound >= POSITIVE_AT:
        return "positive"
    return "neutral"


@functools.cache
def _analyser() -> Any:
    # Imported here, not at the top: loading the package and its word lists costs some 40 ms, paid
    # only by a process that has comments to score.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_scores(texts: Sequence[str]) -> list[float]:
    """VADER's compound score of each text (-1 to 1, rounded by VADER to four decimals)."""
    analyser = _analyser()
    return [float(analyser.polarity_scores(text)["compound"]) for text in texts]


def comment_frame(template: Template, comments: pd.DataFrame) -> pd.DataFrame:
    """Every non-empty comment as ``pillar_id``, ``question_id``, ``text``: who wrote it is dropped.

    ``comments`` is the answers' comment frame (one column per question id, None where blank).
    Rows are in the template's pillar and question order, then by text (case-insensitive first),
    never in the answers file's order.
    """
    rows = []
    for pillar in template.pillars:
        for question in pillar.questions:
            if question.id not in comments.columns:
                continue
            texts = [t for t in comments[question.id].tolist() if isinstance(t, str) and t.strip()]
            rows += [(pillar.id, question.id, t) for t in sorted(texts, key=_text_order)]
    return pd.DataFrame(rows, columns=["pillar_id", "question_id", "text"], dtype=object)


def _text_order(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


@dataclass(frozen=True)
class CommentSentiment:
    """The staff's comments with their tone, and the per-pillar summary (see the module's docstring)."""

    comments: pd.DataFrame  # pillar_id, question_id, text, compound, sentiment; no respondent
    pillars: pd.DataFrame  # indexed by pillar id, template order, every pillar: PILLAR_COLUMNS

    @property
    def count(self) -> int:
        """How many comments were written (non-empty), over all pillars."""
        return len(self.comments)


def analyse(template: Template, comments: pd.DataFrame, scorer: Scorer | None = None) -> CommentSentiment:
    """Score every comment (``scorer``, default VADER: each distinct text once) and summarise per pillar."""
    frame = comment_frame(template, comments)
    distinct = sorted(set(frame["text"]), key=_text_order)
    scored = list((scorer or vader_scores)(distinct)) if distinct else []
    if len(scored) != len(distinct):
        raise ValueError(f"the scorer gave {len(scored)} scores for {len(distinct)} texts")
    compound = dict(zip(distinct, (float(s) for s in scored)))
    frame["compound"] = frame["text"].map(compound).astype(float)
    frame["sentiment"] = frame["compound"].map(sentiment_of).astype(object)
    return CommentSentiment(frame, pillar_summary(template, frame))


def pillar_summary(template: Template, frame: pd.DataFrame) -> pd.DataFrame:
    """Per pillar (template order, every pillar): counts and shares of each tone, the two quotes."""
    rows = {}
    for pillar in template.pillars:
        part = frame[frame["pillar_id"] == pillar.id]
        count = len(part)
        row: dict[str, Any] = {"name": pillar.name, "count": count}
        for kind in SENTIMENTS:
            k = int((part["sentiment"] == kind).sum())
            row[kind] = k
            row[f"{kind}_share"] = k / count if count else math.nan
        row["most_negative"], row["most_negative_compound"] = _extreme(part, "negative")
        row["most_positive"], row["most_positive_compound"] = _extreme(part, "positive")
        rows[pillar.id] = row
    out = pd.DataFrame.from_dict(rows, orient="index", columns=PILLAR_COLUMNS)
    out.index.name = "pillar_id"
    for column in ("most_negative", "most_positive"):  # None, not NaN, where no comment has that tone
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.astype({"count": int, "negative": int, "neutral": int, "positive": int})


def _extreme(part: pd.DataFrame, kind: str) -> tuple[str | None, float]:
    """The most negative (or most positive) comment of that tone and its score; ties go to the text first
    in alphabetical order. (None, NaN) when no comment has that tone."""
    pool = part[part["sentiment"] == kind]
    if pool.empty:
        return None, math.nan
    sign = 1 if kind == "negative" else -1
    text, compound = min(zip(pool["text"], pool["compound"]), key=lambda tc: (sign * tc[1], *_text_order(tc[0])))
    return text, float(compound)


def to_document(result: CommentSentiment) -> dict[str, Any]:
    """The ``comments`` part of scores.json: method, cut-offs, total, and per pillar counts, shares and quotes."""
    pillars = []
    for pid, r in result.pillars.iterrows():
        entry: dict[str, Any] = {"id": pid, "name": r["name"], "count": int(r["count"])}
        for kind in SENTIMENTS:
            entry[kind] = int(r[kind])
        for kind in SENTIMENTS:
            share = r[f"{kind}_share"]
            entry[f"{kind}_share"] = None if pd.isna(share) else float(share)
        for kind in ("negative", "positive"):
            text = r[f"most_{kind}"]
            entry[f"most_{kind}"] = None if text is None else {
                "text": text, "compound": float(r[f"most_{kind}_compound"])}
        pillars.append(entry)
    return {"method": METHOD, "lexicon": LEXICON, "negative_at": NEGATIVE_AT, "positive_at": POSITIVE_AT,
            "count": result.count, "pillars": pillars}
