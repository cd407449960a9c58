"""One verdict per pillar: the importance-performance class, then every later rule, applied once.

The importance-performance grid (``scoring.classify``) gives each pillar its first class. Later
rules may move it, in this order:

1. Customers' blind spot: a pillar the staff would keep while its customers rate it well below
   the staff (``voice.CustomerVoice.blind``) is done differently instead.

The result, the *final* verdict, is what every output shows (report, deck, workbook, explorer,
scores.json); the first class is kept beside it as ``action_ipa``, and ``action_reason`` says in
one sentence why the two differ (None when they agree). Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from .scoring import Scores, number_text as _f

if TYPE_CHECKING:
    from .voice import CustomerVoice

COLUMNS = ("action_ipa", "action", "action_reason")


def blind_spot_reason(row: pd.Series) -> str:
    """Why a blind spot moves a pillar the staff would keep: the two indices, in one sentence."""
    return (f"Customers rate it {_f(row['customer_index'])} against the staff's {_f(row['staff_index'])} "
            f"(0-100): a blind spot, so it is done differently rather than kept as it is.")


def final_verdicts(scores: Scores, customers: "CustomerVoice | None" = None) -> pd.DataFrame:
    """Per pillar (template order): the grid's class (``action_ipa``), the final one and why it moved.

    Scores that already carry ``action_ipa`` (final verdicts) start from it: applying the rules twice
    changes nothing.
    """
    ipa = scores.pillars["action_ipa"] if "action_ipa" in scores.pillars else scores.pillars["action"]
    frame = pd.DataFrame({"action_ipa": ipa.astype(object), "action": ipa.astype(object),
                          "action_reason": pd.Series(None, index=ipa.index, dtype=object)})
    if customers is not None:
        for pillar_id, row in customers.blind.iterrows():
            if pillar_id in frame.index and frame.at[pillar_id, "action"] == "keep":
                frame.at[pillar_id, "action"] = "do_differently"
                frame.at[pillar_id, "action_reason"] = blind_spot_reason(row)
    frame["action_reason"] = frame["action_reason"].astype(object).where(frame["action_reason"].notna(), None)
    return frame


def moved(verdicts: pd.DataFrame) -> list[str]:
    """The pillars whose final verdict differs from the grid's class."""
    return list(verdicts.index[verdicts["action_reason"].notna()])


def with_verdicts(scores: Scores, verdicts: pd.DataFrame) -> Scores:
    """The scores with each pillar's final verdict as ``action`` (``action_ipa``, ``action_reason`` beside it)."""
    pillars = scores.pillars.copy()
    for column in COLUMNS:
        pillars[column] = verdicts[column].reindex(pillars.index)
    return replace(scores, pillars=pillars)
