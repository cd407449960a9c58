"""The report's words for a verdict that moved: which pillar, from what, to what, and why.

A pillar's final verdict (``Assessment.verdicts``) can differ from its region on the
importance-performance grid (a customers' blind spot the staff would keep is done differently).
These sentences say so where a reader would otherwise see a contradiction: beside the grid, and
under the strongest pillars. They render what the analysis decided; they decide nothing.
"""

from __future__ import annotations

from ..analysis.assessment import Assessment
from ..analysis.scoring import ACTIONS


def moved_note(a: Assessment) -> str:
    """One sentence per pillar whose final verdict is not its region on the grid (empty when none moved)."""
    v = a.verdicts[a.verdicts["action_reason"].notna()]
    names = a.scores.pillars["name"]
    return "".join(f" {names[p]} sits in the {ACTIONS.get(r['action_ipa'], '–').lower()} region, but its verdict is "
                   f"{ACTIONS.get(r['action'], '–').lower()}: {r['action_reason']}" for p, r in v.iterrows())


def left_out_of_strongest(a: Assessment) -> list[str]:
    """The pillars whose index would place them among the strongest but whose verdict a later rule moved."""
    scored = a.scores.pillars.dropna(subset=["index"]).sort_values("index", ascending=False, kind="stable")
    strongest, _ = a.strongest_weakest
    top = scored["index"].head(len(strongest))
    floor = float(top.min()) if len(top) else float("inf")
    moved = a.verdicts.index[a.verdicts["action_reason"].notna()]
    return [scored.at[p, "name"] for p in moved if p in scored.index and scored.at[p, "index"] >= floor]
