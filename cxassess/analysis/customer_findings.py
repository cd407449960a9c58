"""Where the staff and their customers part, said the way the action plan says it.

``voice.blind_spots`` marks a pillar the staff rate well above their customers (a *blind spot*) and
one the customers rate well above the staff. The second is not a strength by itself: a pillar can
please customers more than the staff think and still fall far short of its target, so the plan acts
on it, even as a top priority. Calling it an "undersold strength" beside a plan that puts it first
tells the client two stories. So each such pillar goes in exactly one group, decided by its final
verdict (``verdicts.final_verdicts``):

- ``blind_spot``: staff well above customers, whatever the verdict (a kept one was moved to "do
  differently" by the blind-spot rule);
- ``undersold_strength``: customers well above the staff *and* the final verdict is keep: a
  strength in the plan too, which customers value even more than the staff think;
- ``customers_higher``: customers well above the staff but the plan acts on it (do differently,
  start, stop): never called a strength; its line gives its own index against its target, which
  is why the plan acts.

Every line gives both indices, the final verdict and the pillar's rank among the plan's top
priorities when it is one.

The deck's customers slide, the report's customers section and the workbook's Customers sheet all
show ``findings`` with ``HEADINGS`` and ``NOTES``, so they say the same thing. Pure, no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from .scoring import ACTIONS, Scores, number_text

if TYPE_CHECKING:
    from .voice import CustomerVoice

GROUPS = ("blind_spot", "undersold_strength", "customers_higher")
HEADINGS = {
    "blind_spot": "Blind spots: staff rate themselves well above their customers",
    "undersold_strength": "Undersold strengths: customers rate these above the staff, and the plan keeps them",
    "customers_higher": "Customers rate these above the staff, but the plan still acts on them",
}
NOTES = {
    "blind_spot": "A blind spot the staff alone would keep is done differently in the action plan.",
    "undersold_strength": "Tell the teams: customers value these more than the staff think.",
    "customers_higher": ("Not strengths: the verdict comes from the staff's own index against its target. "
                         "Build on what customers already value while closing the gap."),
}
NONE = "None: staff and customers broadly agree on every pillar they both rate."
COLUMNS = ["group", "name", "staff_index", "customer_index", "gap", "action", "action_ipa", "priority_rank",
           "target_index", "gap_index", "text"]


def _float(value: object) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _f(value: float | None) -> str:
    return number_text(value, missing="–")


def group_of(kind: str | None, action: str | None) -> str | None:
    """The group of a pillar from its staff-customer ``kind`` and its final verdict (None: they agree)."""
    if kind == "blind_spot":
        return "blind_spot"
    if kind == "undersold":
        return "undersold_strength" if action == "keep" else "customers_higher"
    return None


def finding_text(row: pd.Series) -> str:
    """One pillar's line: both indices, the final verdict and, for a pillar the plan acts on, why."""
    text = (f"{row['name']}: staff {_f(row['staff_index'])}, customers {_f(row['customer_index'])}. "
            f"Verdict: {ACTIONS.get(row['action'], '–')}")
    if row["action"] != row["action_ipa"] and isinstance(row["action_ipa"], str):
        text += f", not {ACTIONS.get(row['action_ipa'], '–').lower()}"
    if row["priority_rank"] is not None:
        text += f", top priority {row['priority_rank']}"
    if row["group"] == "customers_higher":
        if not (math.isnan(row["target_index"]) or math.isnan(row["gap_index"])):
            text += (f" (the staff's own index is {_f(row['gap_index'])} points short of the target of "
                     f"{_f(row['target_index'])})")
    return text + "."


def findings(customers: "CustomerVoice", scores: Scores, top_priorities: Sequence[str] = ()) -> pd.DataFrame:
    """Every pillar where staff and customers part, one row each, by group (``GROUPS`` order), widest gap first.

    ``scores`` carry the final verdicts (``Assessment.verdict_scores``); ``top_priorities`` are the
    plan's top priorities in order (``actions.priorities``), so a pillar's rank is the one the
    executive summary gives it. ``text`` is the line every deliverable shows.
    """
    pillars = scores.pillars
    rank = {p: i for i, p in enumerate(top_priorities, start=1)}
    rows = []
    for pillar_id, r in customers.pillars.iterrows():
        action = pillars.at[pillar_id, "action"] if pillar_id in pillars.index else None
        group = group_of(r["kind"], action if isinstance(action, str) else None)
        if group is None:
            continue
        p = pillars.loc[pillar_id]
        row = pd.Series({
            "group": group, "name": r["name"], "staff_index": _float(r["staff_index"]),
            "customer_index": _float(r["customer_index"]), "gap": _float(r["gap"]), "action": action,
            "action_ipa": p["action_ipa"] if "action_ipa" in p.index else action,
            "priority_rank": rank.get(pillar_id), "target_index": _float(p["target_index"]),
            "gap_index": _float(p["gap_index"]),
        })
        row["text"] = finding_text(row)
        rows.append((pillar_id, row))
    frame = pd.DataFrame([r for _, r in rows], index=pd.Index([p for p, _ in rows], name="pillar_id"),
                         columns=COLUMNS)
    frame["priority_rank"] = pd.Series([rank.get(p) for p in frame.index], index=frame.index, dtype=object)
    order = frame["group"].map({g: i for i, g in enumerate(GROUPS)})
    width = frame["gap"].abs()
    return frame.assign(_o=order, _w=-width).sort_values(["_o", "_w"], kind="stable").drop(columns=["_o", "_w"])


def grouped(frame: pd.DataFrame) -> list[tuple[str, str, str, list[str]]]:
    """The findings as the deliverables list them: (group, heading, note, lines) per group that has a pillar."""
    return [(g, HEADINGS[g], NOTES[g], list(frame.loc[frame["group"] == g, "text"]))
            for g in GROUPS if (frame["group"] == g).any()]
