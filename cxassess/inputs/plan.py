"""The client's own action plan: ``plan.yaml`` in the client folder, read and checked.

A plan is what the client agreed after an assessment: its phases (each with a number, a name and
an end date), a target index (0-100) per pillar and phase, and the actions with their owners,
due dates and status. ``cxassess plan init`` drafts one from the analysis; the consultant and the
client edit it by hand, so every problem is reported at its line with how to fix it.

``wave:`` names the assessment the plan starts from (its "as-is"); a later wave is where the
plan is checked against what happened (docs/scoring.md, "The client's plan"). Without ``wave:``
the plan starts from the client's latest wave.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, Sequence

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..core.errors import CxError, Problem
from ..core.paths import check_inside
from .templates import Text, load_template
from .yamlfile import line_of, yaml_path
from .yamlschema import validate_yaml_with_lines

PLAN_FILE = "plan.yaml"
STATUSES = ("planned", "in progress", "done", "dropped")
CLASSES = ("do_differently", "start", "keep", "stop")  # the action classes of docs/scoring.md, section 7

TargetIndex = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class PlanPhase(BaseModel):
    """One phase of the plan: its number (1, 2, ...), a name and the date it ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n: Annotated[int, Field(ge=1, le=100)]
    name: Text
    end: dt.date


class PlanAction(BaseModel):
    """One agreed action: which pillar, what kind, what in plain words, who, by when, how far."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    pillar: Text
    action_class: Literal["do_differently", "start", "keep", "stop"] = Field(alias="class")
    action: Text
    owner: str = ""
    due: dt.date | None = None
    phase: Annotated[int, Field(ge=1, le=100)]
    status: Literal["planned", "in progress", "done", "dropped"] = "planned"
    notes: str = ""


class PlanFile(BaseModel):
    """The schema of ``plan.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the wave the plan starts from (the latest when left out); an unquoted 2026-04-01 is read as a date
    wave: Annotated[str, BeforeValidator(lambda v: v.isoformat() if isinstance(v, dt.date) else v)] | None = None
    phases: Annotated[list[PlanPhase], Field(min_length=1)]
    targets: dict[str, dict[int, TargetIndex]] = {}
    actions: list[PlanAction] = []
    notes: str = ""


class WaveLike(Protocol):
    """What the plan needs of a client's wave (``clients.Wave``): its id, date and questionnaire file."""

    id: str
    date: dt.date
    template_file: Path | None


@dataclass(frozen=True)
class Plan:
    """A client's validated plan: the file, the wave it starts from (id and date) and its content."""

    file: Path
    wave: str
    date: dt.date
    spec: PlanFile

    @property
    def phases(self) -> list[PlanPhase]:
        """The phases in their order (by number)."""
        return sorted(self.spec.phases, key=lambda p: p.n)

    @property
    def targets(self) -> dict[str, dict[int, float]]:
        return {pillar: dict(sorted(by_phase.items())) for pillar, by_phase in self.spec.targets.items()}

    @property
    def actions(self) -> list[PlanAction]:
        return list(self.spec.actions)


def _did_you_mean(value: str, allowed: Sequence[str]) -> str:
    hint = difflib.get_close_matches(value, allowed, n=1)
    return f"did you mean {hint[0]!r}?" if hint else f"pillars: {', '.join(allowed)}"


def check_plan(spec: PlanFile, node: Any, file: str, pillars: Sequence[str], waves: Sequence[str],
               start: dt.date | None) -> list[Problem]:
    """What the schema cannot see: pillars, declared phases, targets that go down, dates, owners.

    ``pillars`` are the questionnaire's pillar ids, ``waves`` the client's wave ids, ``start`` the
    date of the assessment the plan starts from (None: dates are not checked). Every problem at its
    line (``FILE:LINE: yaml.path: message``), with how to fix it.
    """
    problems: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        problems.append(Problem(file, f"{yaml_path(loc)}: {message}", row=line_of(node, loc)))

    if spec.wave is not None and spec.wave not in waves:
        add(("wave",), f"no wave {spec.wave!r} in this client; name one of {', '.join(waves)} (the "
                       "assessment the plan starts from), or remove the line to start from the latest")
    declared: dict[int, int] = {}
    for i, phase in enumerate(spec.phases):
        if phase.n in declared:
            add(("phases", i, "n"), f"phase {phase.n} is declared twice (also phases[{declared[phase.n]}]); "
                                    "number the phases 1, 2, 3, ...")
        declared.setdefault(phase.n, i)
        if start is not None and phase.end < start:
            add(("phases", i, "end"), f"{phase.end.isoformat()} is before the assessment the plan "
                                      f"starts from ({start.isoformat()}); give a later end date")
    numbers = ", ".join(str(n) for n in sorted(declared))
    for pillar, by_phase in spec.targets.items():
        if pillar not in pillars:
            add(("targets", pillar), f"unknown pillar {pillar!r}; {_did_you_mean(pillar, pillars)}")
        previous: tuple[int, float] | None = None
        for n in sorted(by_phase):
            target = by_phase[n]
            if n not in declared:
                add(("targets", pillar, n), f"phase {n} is not declared under phases: "
                                            f"(phases: {numbers}); add it there or use one of those numbers")
            if previous is not None and target < previous[1]:
                add(("targets", pillar, n), f"{target:g} is lower than phase {previous[0]}'s "
                                            f"target {previous[1]:g}; a target may not go down from one phase to the "
                                            f"next: raise it to at least {previous[1]:g} or lower the earlier one")
            previous = (n, max(target, previous[1]) if previous else target)
    for i, action in enumerate(spec.actions):
        if action.pillar not in pillars:
            add(("actions", i, "pillar"), f"unknown pillar {action.pillar!r}; "
                                          f"{_did_you_mean(action.pillar, pillars)}")
        if action.phase not in declared:
            add(("actions", i, "phase"), f"phase {action.phase} is not declared under phases: "
                                         f"(phases: {numbers}); add it there or use one of those numbers")
        if start is not None and action.due is not None and action.due < start:
            add(("actions", i, "due"), f"{action.due.isoformat()} is before the assessment the plan "
                                       f"starts from ({start.isoformat()}); give a date after it")
        if action.status == "in progress" and not action.owner.strip():
            add(("actions", i, "status"), "the action is in progress but has no owner; add 'owner:' "
                                          "with the person or team who carries it")
    return sorted(problems, key=lambda p: p.row or 0)


def load_plan(file: str | Path, waves: Sequence[WaveLike], pillars: Sequence[str] | None = None) -> Plan:
    """Read and check a plan file; CxError with every problem (file, line, what, how to fix).

    ``waves`` are the client's waves, oldest first: a plan without ``wave:`` starts from the
    latest. ``pillars`` (default: those of the questionnaire of the wave the plan starts from)
    are the pillar ids the plan may name.
    """
    file = Path(file)
    spec, node = validate_yaml_with_lines(file, PlanFile)
    start = next((w for w in waves if w.id == spec.wave), waves[-1])
    if pillars is None:
        pillars = [p.id for p in load_template(start.template_file).pillars] if start.template_file else []
    known = spec.wave is None or spec.wave == start.id  # an unknown wave: its dates cannot be checked
    problems = check_plan(spec, node, str(file), pillars, [w.id for w in waves], start.date if known else None)
    if problems:
        raise CxError(problems)
    return Plan(file, start.id, start.date, spec)


def find_plan(folder: Path, waves: Sequence[WaveLike]) -> Plan | None:
    """The client folder's ``plan.yaml``, checked; None when the client has no plan."""
    file = folder / PLAN_FILE
    if not file.is_file():
        return None
    return load_plan(check_inside(file, folder, PLAN_FILE), waves)
