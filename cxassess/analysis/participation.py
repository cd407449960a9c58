"""Who answered: the response rate overall and per segment group, against client.yaml's headcount.

Pure (docs/scoring.md, section 15). The rate is respondents / people invited; a rate under
``PARTICIPATION_LOW`` (60%) is flagged, since the figures of a group where few answered may not
speak for it. A group the breakdowns suppress (anonymity), or one with no respondents at all,
shows neither its count nor its rate (the rate and the headcount would give the count away).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from ..core.settings import PARTICIPATION_LOW
from ..inputs.headcount import Headcount

GROUP_COLUMNS = ("segment", "group", "headcount", "respondents", "rate", "low", "suppressed")


@dataclass(frozen=True)
class Participation:
    """The response rate in all, and per group of each segment the headcount gives (``groups``)."""

    headcount: int
    respondents: int
    rate: float
    low: bool
    groups: pd.DataFrame  # columns GROUP_COLUMNS; respondents, rate and low are missing where suppressed
    low_at: float = PARTICIPATION_LOW


def participation(headcount: Headcount, respondents: int, breakdowns: Mapping[str, pd.DataFrame],
                  low_at: float = PARTICIPATION_LOW) -> Participation:
    """Response rates from the headcount, the number of respondents and the segment breakdowns.

    ``breakdowns`` (``Assessment.breakdowns``) give each group's size and whether it is
    suppressed; a group with a headcount but no row there had no respondents and is suppressed too.
    """
    rows = []
    for segment, groups in headcount.segments.items():
        frame = breakdowns.get(segment)
        shown = {} if frame is None else {str(r["group"]): r for r in frame.to_dict("records")}
        for group, people in groups.items():
            row = shown.get(group)
            hidden = row is None or bool(row["suppressed"])
            came = None if hidden else int(row["n"])
            rate = None if came is None or people == 0 else came / people
            rows.append({"segment": segment, "group": group, "headcount": people, "respondents": came,
                         "rate": rate, "low": None if rate is None else rate < low_at, "suppressed": hidden})
    rate = respondents / headcount.total
    return Participation(headcount.total, respondents, rate, rate < low_at,
                         pd.DataFrame(rows, columns=list(GROUP_COLUMNS)).astype({"respondents": "Int64"}), low_at)


def to_document(p: Participation) -> dict[str, Any]:
    """scores.json's ``participation``: the rates in all and per group (None where a group is hidden)."""
    segments: dict[str, list[dict[str, Any]]] = {}
    for r in p.groups.to_dict("records"):
        rate = r["rate"]
        segments.setdefault(r["segment"], []).append({
            "group": r["group"], "headcount": int(r["headcount"]),
            "respondents": None if r["respondents"] is None or pd.isna(r["respondents"]) else int(r["respondents"]),
            "rate": None if rate is None or (isinstance(rate, float) and math.isnan(rate)) else float(rate),
            "low": None if r["low"] is None or pd.isna(r["low"]) else bool(r["low"]),
            "suppressed": bool(r["suppressed"])})
    return {"headcount": p.headcount, "respondents": p.respondents, "rate": p.rate, "low": p.low,
            "low_at": p.low_at, "segments": segments}
