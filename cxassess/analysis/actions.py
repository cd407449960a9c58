"""From scores to an action plan: what to keep, do differently, start and stop, and in what order.

Pure functions over a ``Scores`` value. The action *class* of each pillar and question is
computed in scoring (docs/scoring.md, section 7); this module arranges those classes into the
plan, the executive summary's sentences and the improvement roadmap a client reads.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Collection

import numpy as np
import pandas as pd

from .scoring import ACTIONS, Scores, number_text as _f
from .verdicts import final_verdicts, moved, with_verdicts

if TYPE_CHECKING:
    from .voice import CustomerVoice

PLAN_ORDER = ("do_differently", "start", "keep", "stop")
CYCLE = {
    "know": "Know the real need",
    "deliver": "Deliver on it",
    "examine": "Examine every touchpoint",
    "fix": "Fix what you find",
    "measure": "Measure results",
    "reinforce": "Reinforce continuously",
}


def strongest_weakest(scores: Scores, count: int = 3,
                      not_strongest: Collection[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` pillars with the highest and the lowest index (ties: template order).

    The two lists never share a pillar: with fewer than ``2 * count`` scored pillars each takes half
    of them (rounded down), so with one scored pillar both are empty. Pillars ``not_strongest``
    (those whose verdict a later rule moved: the customers' blind spots) are left out of the
    strongest, so no output calls a pillar strong that the plan says to change.
    """
    scored = scores.pillars.dropna(subset=["index"])
    count = min(count, len(scored) // 2)
    order = scored["index"].sort_values(kind="stable")
    weakest = scored.loc[order.index[:count]]
    left_out = set(not_strongest) | set(weakest.index)
    candidates = [p for p in order.index[::-1] if p not in left_out]
    strongest = scored.loc[candidates[:count]]
    return strongest, weakest


def _behind(scores: Scores, pillar_id: str, action: str, count: int = 3) -> pd.DataFrame:
    """The questions that explain a pillar's class: those sharing it, else its most telling ones."""
    questions = scores.questions
    index = questions["index"].to_numpy(dtype=float, na_value=np.nan)
    pool = (questions["pillar_id"].to_numpy() == pillar_id) & ~np.isnan(index)
    same = pool & (questions["action"].to_numpy() == action)
    rows = np.flatnonzero(same if same.any() else pool)
    # improvements: weakest first; strengths: strongest first; ties in question order either way
    order = np.argsort(index[rows] if action != "keep" else -index[rows], kind="stable")
    return questions.iloc[rows[order[:count]]]


def action_plan(scores: Scores) -> pd.DataFrame:
    """One row per (pillar, question behind it), grouped by action class in plan order.

    Within a class, pillars come by priority (then by index: weakest first, keep strongest first).
    """
    rows = []
    pillars = scores.pillars
    for action in PLAN_ORDER:
        members = pillars[pillars["action"] == action].copy()
        members["_p"] = members["priority"].fillna(-1)
        members = members.sort_values(
            ["_p", "index"], ascending=[False, action != "keep"], kind="stable"
        )
        for pillar_id, pillar in members.iterrows():
            for question_id, question in _behind(scores, pillar_id, action).iterrows():
                rows.append(
                    {
                        "action": action,
                        "action_label": ACTIONS[action],
                        "pillar_id": pillar_id,
                        "pillar": pillar["name"],
                        "pillar_index": pillar["index"],
                        "pillar_gap_index": pillar["gap_index"],
                        "priority": pillar["priority"],
                        "question_id": question_id,
                        "question": question["text"],
                        "reverse": bool(question.get("reverse", False)),
                        "question_index": question["index"],
                        "question_action": question["action"],
                    }
                )
    columns = ["action", "action_label", "pillar_id", "pillar", "pillar_index", "pillar_gap_index", "priority",
               "question_id", "question", "reverse", "question_index", "question_action"]
    return pd.DataFrame(rows, columns=columns)


def priorities(scores: Scores, count: int = 5, within_noise: Collection[str] = ()) -> pd.DataFrame:
    """The pillars to act on first: highest priority among those to start or do differently.

    Without targets (no priority), the lowest indices among those classes come first. Pillars
    ``within_noise`` (their gap to target lies inside the uncertainty of their index:
    ``Assessment.within_noise``) are not priorities; their action class is unchanged.
    """
    pillars = scores.pillars[scores.pillars["action"].isin(["start", "do_differently"])].copy()
    pillars = pillars[~pillars.index.isin(list(within_noise))]
    pillars["_p"] = pillars["priority"].fillna(-1)
    return pillars.sort_values(["_p", "index"], ascending=[False, True], kind="stable").head(count).drop(columns="_p")


def priority_sentence(scores: Scores, pillar_id: str, p: pd.Series) -> str:
    """One priority as a plain sentence, every figure on the 0-100 index (index, target, gap, importance)."""
    terms = scores.template.terms
    figures = [f"index {_f(p['index'])}"]
    if not math.isnan(p["target_index"]):
        figures.append(f"{terms.target.lower()} {_f(p['target_index'])}")
    if not math.isnan(p["gap_index"]):
        figures.append(f"gap {_f(p['gap_index'])}")
    if not math.isnan(p["importance_index"]):
        figures.append(f"{terms.importance.lower()} {_f(p['importance_index'])}")
    weakest = _behind(scores, pillar_id, p["action"], 1)
    focus = f' Weakest point: "{weakest["text"].iloc[0]}"' if not weakest.empty else ""
    reason = p.get("action_reason")
    if isinstance(reason, str):  # moved by a later rule (a blind spot): the reason, not the grid, explains it
        return f"{ACTIONS[p['action']]}: {p['name']} ({', '.join(figures)}). {reason}{focus}"
    state = "is barely in place" if p["action"] == "start" else "falls short"
    return f"{ACTIONS[p['action']]}: {p['name']} {state} ({', '.join(figures)}).{focus}"


def priority_sentences(scores: Scores, count: int = 5, within_noise: Collection[str] = (),
                       chosen: pd.DataFrame | None = None) -> list[str]:
    """The top priorities as plain sentences for the executive summary (none of them ``within_noise``).

    ``chosen``: the priorities already picked (``priorities``' frame), rather than picking them again.
    """
    chosen = priorities(scores, count, within_noise) if chosen is None else chosen
    return [priority_sentence(scores, pillar_id, p) for pillar_id, p in chosen.iterrows()]


def roadmap(scores: Scores, within_noise: Collection[str] = ()) -> pd.DataFrame:
    """The improvement roadmap: every priority, first priority first, one step each.

    Step N is priority N (``priorities``: the pillars to start or do differently, highest priority
    first, none ``within_noise``); each names the improvement-cycle stage it serves (know the need ->
    deliver -> examine touchpoints -> fix -> measure -> reinforce) and its weakest statement.
    """
    rows = []
    chosen = priorities(scores, len(scores.pillars), within_noise)
    for step, (pillar_id, p) in enumerate(chosen.iterrows(), start=1):
        weakest = _behind(scores, pillar_id, p["action"], 1)
        stage = p.get("stage")
        rows.append(
            {
                "step": step,
                "stage": stage if isinstance(stage, str) else None,
                "title": CYCLE.get(stage) if isinstance(stage, str) else None,
                "pillar_id": pillar_id,
                "pillar": p["name"],
                "index": p["index"],
                "target_index": p["target_index"],
                "gap_index": p["gap_index"],
                "action": p["action"],
                "weakest_point": weakest["text"].iloc[0] if not weakest.empty else None,
                "weakest_reverse": bool(weakest["reverse"].iloc[0]) if "reverse" in weakest and not weakest.empty
                else False,
            }
        )
    frame = pd.DataFrame(rows, columns=["step", "stage", "title", "pillar_id", "pillar", "index", "target_index",
                                        "gap_index", "action", "weakest_point", "weakest_reverse"])
    for column in ("stage", "title", "weakest_point"):  # None, not NaN, where there is none: a falsy blank
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def blind_spot_evidence(row: pd.Series, moved: bool) -> str:
    """One sentence citing the customers' evidence against the staff's view of a pillar."""
    basis = ("answers to its customer questions" if row["source"] == "questions"
             else f"comments about it ({row['negative_comments']} of {row['tagged_comments']} critical)")
    text = (f"Customers rate this pillar {_f(row['customer_index'])} against the staff's {_f(row['staff_index'])} "
            f"({_f(row['gap'])} points lower), from {row['n']} {basis}.")
    return text + (" The staff's view alone would keep it as it is." if moved else "")


def with_evidence(plan: pd.DataFrame, scores: Scores, customers: "CustomerVoice | None",
                  moved: Collection[str] = ()) -> pd.DataFrame:
    """The plan with the customers' evidence on every blind-spot pillar's rows (``evidence``; None elsewhere).

    ``moved``: the pillars whose verdict the blind spot moved (``verdicts.moved``).
    """
    if customers is None:
        return plan.assign(evidence=None)
    evidence = {p: blind_spot_evidence(row, p in set(moved)) for p, row in customers.blind.iterrows()}
    return plan.assign(evidence=plan["pillar_id"].map(evidence).astype(object).where(plan["pillar_id"].isin(evidence),
                                                                                       None))


def with_blind_spots(plan: pd.DataFrame, scores: Scores, customers: "CustomerVoice | None") -> pd.DataFrame:
    """The plan with the customers' blind spots applied (docs/scoring.md, customer feedback).

    A blind-spot pillar the staff would keep becomes "do differently" (``verdicts.final_verdicts``);
    every blind-spot pillar's rows carry the customers' evidence in ``evidence`` (None elsewhere).
    """
    found = final_verdicts(scores, customers)
    if moved(found):
        plan = action_plan(with_verdicts(scores, found))
    return with_evidence(plan, scores, customers, moved(found))
