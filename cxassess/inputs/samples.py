"""Seeded generator of fictional but realistic responses, for the bundled samples and benchmarks.

The patterns are the ones consultants meet: leaders rate the organisation higher than the
front line, one pillar splits staff into two camps, some answers are N/A or blank, a few
people leave comments. The same seed always gives the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .templates import Scale, Template

ROLES = {"Leadership": 0.08, "Manager": 0.2, "Frontline": 0.5, "Back office": 0.22}

COMMENTS = {
    "know": [
        "We rarely hear back what customers told us in surveys.",
        "The last customer focus group was years ago.",
        "Customer feedback is collected but sits in a spreadsheet nobody opens.",
    ],
    "deliver": [
        "Leaders talk about service but are hardly ever on the floor.",
        "New starters learn by watching whoever is on shift.",
        "Our standards exist on paper; practice varies a lot between teams.",
    ],
    "examine": [
        "The website and the phone line give customers different answers.",
        "Nobody owns the hand-over between sales and support.",
    ],
    "fix": [
        "I need a manager's sign-off for even a small goodwill gesture.",
        "Complaints get resolved, but slowly, and customers chase us.",
    ],
    "measure": [
        "We see the satisfaction score once a year, with no breakdown.",
        "Targets are about speed, not whether the customer was helped.",
    ],
    "reinforce": [
        "Good service is noticed by colleagues, rarely by the company.",
        "The strategy was launched with posters and then forgotten.",
    ],
}


@dataclass(frozen=True)
class Profile:
    """What a fictional organisation looks like, in scale points unless said otherwise."""

    respondents: int = 40
    level: float = 3.2  # typical pillar mean
    pillar_shift: dict[str, float] | None = None  # strengths (+), weaknesses (-); None: drawn from the seed
    leadership_uplift: float = 0.8  # leaders see the organisation this much rosier
    frontline_shift: float = -0.2
    polarised: str | None = "auto"  # a pillar where staff split into two camps; "auto": drawn from the seed
    departments: tuple[str, ...] = ("Operations", "Sales", "Support")
    na_rate: float = 0.04
    blank_rate: float = 0.03
    comment_rate: float = 0.06
    importance: bool = True
    targets: bool = True
    importance_level: float = 4.0
    target_lift: float = 1.0
    drivers: dict[str, float] | None = None  # how much each pillar moves the outcome answer; None: drawn


def generate(template: Template, profile: Profile, seed: int = 0) -> pd.DataFrame:
    """A canonical responses table (as text cells) for ``template`` following ``profile``."""
    rng = np.random.default_rng(seed)
    scale = template.scale
    lo, hi = scale.min, scale.max
    stretch = (hi - lo) / 4  # profiles are written for a 1-5 scale
    n = profile.respondents
    roles = rng.choice(list(ROLES), size=n, p=list(ROLES.values()))
    roles[0] = "Leadership"  # every organisation has someone in charge
    departments = rng.choice(list(profile.departments), size=n)
    role_effect = np.select(
        [roles == "Leadership", roles == "Frontline"], [profile.leadership_uplift, profile.frontline_shift], 0.0
    )
    person = rng.normal(0, 0.35, n)
    pillar_ids = [p.id for p in template.pillars]
    shifts = profile.pillar_shift
    if shifts is None:
        shifts = dict(zip(pillar_ids, rng.normal(0, 0.45, len(pillar_ids))))
    polarised = pillar_ids[rng.integers(len(pillar_ids))] if profile.polarised == "auto" else profile.polarised
    na_label = scale.na[0]
    table: dict[str, list[str]] = {
        "respondent_id": [f"R{i + 1:03d}" for i in range(n)],
    }
    if "role" in template.segment_ids:
        table["role"] = list(roles)
    if "department" in template.segment_ids:
        table["department"] = list(departments)
    experienced: dict[str, np.ndarray] = {}  # each respondent's unrounded view of each pillar, for the outcome
    for pillar in template.pillars:
        base = profile.level + shifts.get(pillar.id, 0.0)
        latent = base + role_effect + person
        if pillar.id == polarised:
            latent = latent + np.where(rng.random(n) < 0.5, -1.3, 1.3)
        pillar_importance = profile.importance_level + rng.normal(0, 0.4)
        for question in pillar.questions:
            value = latent + rng.normal(0, 0.55, n)
            experienced[pillar.id] = experienced.get(pillar.id, 0.0) + value / len(pillar.questions)
            ratings = np.clip(np.rint(lo + (value - 1) * stretch), lo, hi).astype(int)
            if question.reverse:
                ratings = lo + hi - ratings
            draw = rng.random(n)
            cells = [str(r) for r in ratings]
            for i in range(n):
                if draw[i] < profile.na_rate:
                    cells[i] = na_label
                elif draw[i] < profile.na_rate + profile.blank_rate:
                    cells[i] = ""
            table[question.id] = cells
            if profile.importance:
                imp = np.clip(np.rint(lo + (pillar_importance + rng.normal(0, 0.6, n) - 1) * stretch), lo, hi)
                table[f"{question.id}:importance"] = [str(int(v)) for v in imp]
            if profile.targets:
                goal = np.clip(np.rint(lo + (base + profile.target_lift + rng.normal(0, 0.5, n) - 1) * stretch), lo, hi)
                if question.reverse:
                    goal = lo + hi - goal
                table[f"{question.id}:target"] = [str(int(v)) for v in goal]
        bank = COMMENTS.get(pillar.stage or "deliver", COMMENTS["deliver"])
        first = pillar.questions[0].id
        wants = rng.random(n) < profile.comment_rate
        table[f"{first}:comment"] = [bank[rng.integers(len(bank))] if w else "" for w in wants]
    if template.outcome is not None:
        table[template.outcome.id] = _outcome(experienced, profile, scale, np.random.default_rng([seed, 17]))
    return pd.DataFrame(table)


def _outcome(experienced: dict[str, np.ndarray], profile: Profile, scale: Scale, rng: np.random.Generator) -> list[str]:
    """The outcome answers: a weighted blend of each respondent's view of the pillars, plus noise.

    Drawn from a stream of its own, so adding the outcome left every other column as it was.
    Without ``profile.drivers`` a few pillars weigh much more than the rest (gamma-distributed
    weights), as in real organisations where some practices carry the promise and others do not.
    """
    ids = list(experienced)
    drawn = rng.gamma(0.5, size=len(ids))
    weights = np.array([(profile.drivers or {}).get(p, 0.0) if profile.drivers else w for p, w in zip(ids, drawn)])
    views = np.array([experienced[p] for p in ids])
    common = views.mean(axis=0)  # what every pillar shares: the person's general mood about the organisation
    blend = common + 2.5 * (weights[:, None] * (views - common)).sum(axis=0) / weights.sum()
    value = blend + rng.normal(0, 0.45, len(blend))
    lo, hi = scale.min, scale.max
    answers = np.clip(np.rint(lo + (value - 1) * (hi - lo) / 4), lo, hi).astype(int)
    blank = rng.random(len(answers)) < profile.blank_rate
    return ["" if b else str(v) for v, b in zip(answers, blank)]


@dataclass(frozen=True)
class CustomerProfile:
    """What a fictional organisation's customers say: volumes, channels, and their view of each pillar.

    ``views`` is the customers' typical 1-5 rating of a pillar's customer questions (stretched to
    the template's scale, as ``Profile`` is); ``topics`` weighs how often comments speak about a pillar, and ``comments`` holds (critical, favourable)
    remarks per pillar. Unhappy customers (NPS 0-6) write critical remarks, mostly about the
    pillars they rate lowest; happy ones favourable remarks about those they rate highest.
    """

    responses: int = 260
    first_month: str = "2026-05"
    months: int = 6
    touchpoints: dict[str, float] = field(default_factory=dict)  # name -> share of responses
    touchpoint_shift: dict[str, float] = field(default_factory=dict)  # name -> NPS points up or down
    nps_level: float = 7.2  # typical 0-10 answer
    trend: float = 0.0  # NPS points per month
    views: dict[str, float] = field(default_factory=dict)
    question_rate: float = 0.35
    comment_rate: float = 0.5
    comments: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)


def generate_feedback(template: Template, profile: CustomerProfile, seed: int = 0) -> pd.DataFrame:
    """A customer feedback table (text cells) for ``template`` following ``profile``."""
    rng = np.random.default_rng([seed, 9])  # its own stream: the staff answers stay as they were
    n = profile.responses
    names = list(profile.touchpoints)
    channel = rng.choice(names, size=n, p=np.array(list(profile.touchpoints.values())) / sum(profile.touchpoints.values()))
    month = rng.integers(profile.months, size=n)
    start = pd.Period(profile.first_month, freq="M")
    days = rng.integers(1, 29, size=n)
    shift = np.array([profile.touchpoint_shift.get(c, 0.0) for c in channel])
    mood = profile.nps_level + shift + profile.trend * month + rng.normal(0, 2.3, n)
    nps = np.clip(np.rint(mood), 0, 10).astype(int)
    csat = np.clip(np.rint(1 + mood / 10 * 4 + rng.normal(0, 0.6, n)), 1, 5).astype(int)
    ces = np.clip(np.rint(1 + mood / 10 * 6 + rng.normal(0, 0.9, n)), 1, 7).astype(int)
    asked = {k: rng.random(n) < rate for k, rate in (("nps", 0.96), ("csat", 0.8), ("ces", 0.6))}
    table: dict[str, list[str]] = {
        "date": [f"{start + int(m)}-{d:02d}" for m, d in zip(month, days)],
        "touchpoint": list(channel),
        **{k: [str(v) if a else "" for v, a in zip(values, asked[k])] for k, values in
           (("nps", nps), ("csat", csat), ("ces", ces))},
    }
    lo, hi = template.scale.min, template.scale.max
    stretch = (hi - lo) / 4  # views are written for a 1-5 scale
    for pillar in template.pillars:
        for question in pillar.customer.questions if pillar.customer else []:
            view = profile.views.get(pillar.id, 3.4)
            raw = np.rint(view + (mood - profile.nps_level) / 4 + rng.normal(0, 0.7, n))
            value = np.clip(np.rint(lo + (raw - 1) * stretch), lo, hi).astype(int)
            table[question.id] = [str(v) if a else "" for v, a in zip(value, rng.random(n) < profile.question_rate)]
    sides = []
    for side, score in ((0, lambda view: (5.0 - view) ** 2), (1, lambda view: view**2)):
        topics = [p for p in profile.comments if profile.comments[p][side]]
        weights = np.array([score(profile.views.get(p, 3.4)) for p in topics])
        sides.append((topics, weights / weights.sum() if topics else weights))
    texts = []
    for i in range(n):
        if rng.random() >= profile.comment_rate:
            texts.append("")
            continue
        critical = asked["nps"][i] and nps[i] <= 6 or not asked["nps"][i] and mood[i] < 6.5
        side = 0 if critical else 1
        topics, weights = sides[side]
        if not topics:
            texts.append("")
            continue
        bank = profile.comments[topics[rng.choice(len(topics), p=weights)]][side]
        texts.append(bank[rng.integers(len(bank))])
    table["comment"] = texts
    return pd.DataFrame(table)
