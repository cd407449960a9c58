"""The client's own plan, in figures: a draft from the analysis, projected scores, planned against actual.

Pure functions (frames and the validated plan in, new data out, no I/O); ``assessment`` hands
them the client's scores and plan, ``run/plan_file.py`` writes a draft. The rules are in
docs/scoring.md, "The client's plan":

- **projection**: after phase k each pillar stands at its target for the latest phase up to k
  that names one, else at its index now; the overall index is computed from those pillar
  indices by the scoring code itself (``scoring.overall_scores``, the client's pillar weights).
- **to-be**: the pillar's target index declared for the client (client.yaml's ``targets:``, or
  the wave's) where it has one, else where the plan leaves it after its last phase.
- **planned against actual**: each action's pillar, the target its phase set, the index reached
  at a later wave, the change since the wave the plan started from and whether that change is
  beyond chance (the waves' Welch test), and whether the action was marked done.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from ..inputs.plan import Plan, PlanPhase
from .scoring import Scores, overall_scores

AS_IS, TO_BE = "as_is", "to_be"
OVERALL = "overall"
#: The phases of a drafted plan: name and months after the assessment when it ends.
DRAFT_PHASES = (("Quick wins", 3), ("Build", 6), ("Embed", 12))
IMPROVING = ("start", "do_differently")  # the classes that ask a pillar's index to rise


def pillar_at(targets: dict[int, float], phase: int) -> float | None:
    """The target of the latest phase up to ``phase`` that names one; None when none does."""
    named = [n for n in targets if n <= phase]
    return targets[max(named)] if named else None


@dataclass(frozen=True)
class Projection:
    """Projected indices: ``pillars`` (rows: pillar ids; columns: as_is, 1..n, to_be), ``overall`` alike."""

    phases: tuple[PlanPhase, ...]
    pillars: pd.DataFrame
    overall: pd.Series
    names: pd.Series  # pillar id -> name

    def columns(self) -> list[Any]:
        return [AS_IS, *(p.n for p in self.phases), TO_BE]

    def label(self, column: Any) -> str:
        """What a column is called in a table or chart."""
        if column == AS_IS:
            return "As-is"
        if column == TO_BE:
            return "To-be"
        phase = next(p for p in self.phases if p.n == column)
        return f"Phase {phase.n}: {phase.name}"


def projected_overall(scores: Scores, indices: pd.Series) -> float:
    """The overall index the scoring code gives when the pillars stand at ``indices``."""
    pillars = scores.pillars.assign(index=indices.reindex(scores.pillars.index).astype(float))
    return float(overall_scores(scores.template, pillars)["index"])


def projection(scores: Scores, plan: Plan) -> Projection:
    """Pillar and overall indices now, after each phase of the plan, and at the to-be."""
    now = scores.pillars["index"].astype(float)
    phases = tuple(plan.phases)
    targets = plan.targets
    frame = pd.DataFrame(index=now.index)
    frame[AS_IS] = now
    for phase in phases:
        frame[phase.n] = [v if (v := pillar_at(targets.get(p, {}), phase.n)) is not None else now[p]
                          for p in now.index]
    end = frame[phases[-1].n] if phases else now
    declared = scores.pillars["target_source"] == "targets"  # client.yaml's (or the wave's) own targets
    frame[TO_BE] = scores.pillars["target_index"].astype(float).where(declared, end)
    overall = pd.Series({c: projected_overall(scores, frame[c]) for c in frame.columns}, dtype=float)
    return Projection(phases, frame, overall, scores.pillars["name"])


def projection_document(p: Projection) -> list[dict[str, Any]]:
    """The projection as scores.json's ``plan.phases``: one entry per phase, in order."""
    return [{"phase": phase.n, "name": phase.name, "end": phase.end.isoformat(),
             "overall_index": p.overall[phase.n], "pillars": p.pillars[phase.n].to_dict()} for phase in p.phases]


def actions_frame(plan: Plan | None, names: pd.Series | None = None) -> pd.DataFrame:
    """The plan's actions as a table: pillar_id, pillar (name), class, action, owner, due, phase, status, notes."""
    actions = plan.actions if plan is not None else []
    rows = [{"pillar_id": a.pillar, "pillar": names.get(a.pillar, a.pillar) if names is not None else a.pillar,
             "class": a.action_class, "action": a.action, "owner": a.owner, "due": a.due, "phase": a.phase,
             "status": a.status, "notes": a.notes} for a in actions]
    return pd.DataFrame(rows, columns=["pillar_id", "pillar", "class", "action", "owner", "due", "phase", "status",
                                       "notes"])


def actions_document(plan: Plan) -> list[dict[str, Any]]:
    """The plan's actions as scores.json's ``plan.actions``."""
    return [{"pillar": a.pillar, "class": a.action_class, "action": a.action, "owner": a.owner,
             "due": a.due.isoformat() if a.due else None, "phase": a.phase, "status": a.status}
            for a in plan.actions]


def plan_document(plan: Plan, p: Projection, against: pd.DataFrame | None = None) -> dict[str, Any]:
    """scores.json's ``plan``: the wave it starts from, projected phases, actions and, at a later wave, results."""
    document: dict[str, Any] = {"wave": plan.wave, "phases": projection_document(p), "actions": actions_document(plan)}
    if against is not None:
        document["against_actual"] = [
            {"pillar": r["pillar_id"], "class": r["class"], "phase": r["phase"], "status": r["status"],
             "planned": r["planned"], "reached": r["reached"], "change": r["change"], "p": r["p"],
             "beyond_chance": r["beyond_chance"], "met": r["met"]} for r in against.to_dict("records")]
    return document


def planned_vs_actual(plan: Plan, changes: pd.DataFrame) -> pd.DataFrame:
    """Each action against what happened: ``changes`` is the waves' change table from the plan's wave to a later one.

    Columns: pillar_id, pillar, class, action, owner, due, phase, status, done, before, planned (the
    target its phase set for the pillar, NaN when none), reached, change, p, change_status
    (improved / declined / unchanged), beyond_chance (p below the test's alpha), met (reached the
    planned target).
    """
    rows = []
    targets = plan.targets
    for a in plan.actions:
        c = changes.loc[a.pillar] if a.pillar in changes.index else None
        planned = pillar_at(targets.get(a.pillar, {}), a.phase)
        planned = math.nan if planned is None else float(planned)
        reached = float(c["after"]) if c is not None else math.nan
        status = c["status"] if c is not None else None
        rows.append({"pillar_id": a.pillar, "pillar": c["name"] if c is not None else a.pillar,
                     "class": a.action_class, "action": a.action, "owner": a.owner, "due": a.due, "phase": a.phase,
                     "status": a.status, "done": a.status == "done",
                     "before": float(c["before"]) if c is not None else math.nan, "planned": planned,
                     "reached": reached, "change": float(c["change"]) if c is not None else math.nan,
                     "p": float(c["p"]) if c is not None else math.nan, "change_status": status,
                     "beyond_chance": status in ("improved", "declined"),
                     "met": bool(reached >= planned) if not (math.isnan(planned) or math.isnan(reached)) else None})
    columns = ["pillar_id", "pillar", "class", "action", "owner", "due", "phase", "status", "done", "before",
               "planned", "reached", "change", "p", "change_status", "beyond_chance", "met"]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------------ draft


def _month_end(start: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(start) + pd.offsets.MonthEnd(months)).date()


def _describe(action: str, pillar: str, question: str | None, question_index: float, importance: float,
              top: int) -> str:
    focus = f', starting with "{question}" (index {question_index:.0f})' if question and not math.isnan(question_index) else ""
    if action == "start":
        return f"Put {pillar} in place: it is barely there today{focus}."
    if action == "do_differently":
        return f"Change how {pillar} is done{focus}."
    if action == "stop":
        how = f" (importance {importance:.1f} out of {top})" if not math.isnan(importance) else ""
        return f"Reduce the effort on {pillar}: staff do not see it as a priority{how}."
    return f"Keep {pillar} as it is."


def draft(scores: Scores, plan: pd.DataFrame, start: dt.date, wave: str,
          phases: Sequence[tuple[str, int]] = DRAFT_PHASES) -> dict[str, Any]:
    """A first plan from the analysis (``plan`` is ``Assessment.plan``), as the data of plan.yaml.

    One action per pillar to start, do differently or stop, described from the question behind its
    class. The pillars to improve are ranked by priority (then weakest first) and spread over the
    phases in that order; each gets a target index (its assessment target where that is higher than
    now, else the template's "performing" threshold) reached by the end of its action's phase, in
    equal steps. Owners are left blank; every action is "planned".
    """
    ends = [(i + 1, name, _month_end(start, months)) for i, (name, months) in enumerate(phases)]
    pillars = scores.pillars
    first = plan.drop_duplicates("pillar_id", keep="first").set_index("pillar_id")
    improving = first[first["action"].isin(IMPROVING)].copy()
    improving["_p"] = improving["priority"].astype(float).fillna(-1)
    ranked = improving.sort_values(["_p", "pillar_index"], ascending=[False, True], kind="stable").index.tolist()
    phase_of = {p: 1 + i * len(ends) // len(ranked) for i, p in enumerate(ranked)}
    performing = scores.template.actions.performing_at
    targets: dict[str, dict[int, int]] = {}
    for pillar_id in ranked:
        now = float(pillars.at[pillar_id, "index"])
        wanted = float(pillars.at[pillar_id, "target_index"])
        goal = wanted if not math.isnan(wanted) and wanted > now else max(performing, now)
        k = phase_of[pillar_id]
        targets[pillar_id] = {j: int(round(now + (goal - now) * j / k)) for j in range(1, k + 1)}
    actions = []
    for pillar_id, row in first.iterrows():
        action = row["action"]
        if action not in (*IMPROVING, "stop"):
            continue
        phase = phase_of.get(pillar_id, 1)
        entry = {"pillar": pillar_id, "class": action,
                 "action": _describe(action, row["pillar"], row["question"], float(row["question_index"]),
                                     float(pillars.at[pillar_id, "importance"]), scores.template.scale.max),
                 "owner": "", "due": ends[phase - 1][2], "phase": phase, "status": "planned"}
        if isinstance(row.get("evidence"), str):
            entry["notes"] = row["evidence"]
        actions.append(entry)
    actions.sort(key=lambda e: (e["phase"], ranked.index(e["pillar"]) if e["pillar"] in ranked else len(ranked)))
    return {"wave": wave, "phases": [{"n": n, "name": name, "end": end} for n, name, end in ends],
            "targets": targets, "actions": actions}
