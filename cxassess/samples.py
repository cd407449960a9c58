"""Seeded generator of fictional but realistic responses, for the bundled samples and benchmarks.

The patterns are the ones consultants meet: leaders rate the organisation higher than the
front line, one pillar splits staff into two camps, some answers are N/A or blank, a few
people leave comments. The same seed always gives the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import CxError
from .templates import Template

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
    for pillar in template.pillars:
        base = profile.level + shifts.get(pillar.id, 0.0)
        latent = base + role_effect + person
        if pillar.id == polarised:
            latent = latent + np.where(rng.random(n) < 0.5, -1.3, 1.3)
        pillar_importance = profile.importance_level + rng.normal(0, 0.4)
        for question in pillar.questions:
            value = latent + rng.normal(0, 0.55, n)
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
    return pd.DataFrame(table)


@dataclass(frozen=True)
class CustomerProfile:
    """What a fictional organisation's customers say: volumes, channels, and their view of each pillar.

    ``views`` is the customers' typical 1-5 rating of a pillar's customer questions; ``topics``
    weighs how often comments speak about a pillar, and ``comments`` holds (critical, favourable)
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
    for pillar in template.pillars:
        for question in pillar.customer.questions if pillar.customer else []:
            view = profile.views.get(pillar.id, 3.4)
            value = np.clip(np.rint(view + (mood - profile.nps_level) / 4 + rng.normal(0, 0.7, n)), 1, 5).astype(int)
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


@dataclass(frozen=True)
class SampleClient:
    """A fictional client: its folder id, client.yaml content and answer profile."""

    id: str
    config: dict
    profile: Profile
    seed: int
    excel: bool = False
    customers: CustomerProfile | None = None  # customer feedback, for clients that collected it


SAMPLE_CLIENTS = (
    SampleClient(
        "northwind-retail",
        {"name": "Northwind Home & Garden", "sector": "Retail chain", "template": "cx_service_strategy",
         "assessment_date": "2026-10-12", "notes": "42 stores and a web shop; assessment run after a year of falling repeat visits.",
         "targets": {"vision": 4.2, "customer_need": 4.0, "touchpoints": 4.2, "recovery": 4.3, "anticipation": 3.8}},
        Profile(respondents=64, level=3.1, leadership_uplift=0.9,
                pillar_shift={"recovery": 0.6, "touchpoints": 0.4, "recognition": -0.8, "anticipation": -0.7,
                              "customer_need": -0.3},
                polarised="accountability", departments=("Stores", "Online", "Customer care", "Buying", "Head office")),
        seed=101,
        customers=CustomerProfile(
            responses=280, first_month="2026-04", months=6,
            touchpoints={"Store": 0.55, "Web shop": 0.25, "Phone": 0.12, "E-mail": 0.08},
            touchpoint_shift={"Store": 0.5, "Web shop": -0.5, "Phone": -1.6, "E-mail": -0.8},
            nps_level=7.3, trend=-0.15,
            views={"recovery": 2.2, "anticipation": 3.9, "touchpoints": 3.3, "customer_need": 3.0, "vision": 3.3,
                   "training": 3.4, "accountability": 2.9, "improvement": 3.0},
            comments={
                "recovery": (
                    ("Returning a faulty hose took three visits and the refund still has not arrived.",
                     "I complained about a broken delivery and was sent from one desk to another.",
                     "Getting a refund for the wrong paving slabs meant chasing it twice. Call me on 07700 900461 if "
                     "anyone cares.",
                     "They apologised at the return desk but nothing was sorted for weeks."),
                    ("My complaint about a cracked pot was resolved the same day.",)),
                "anticipation": (
                    ("Nobody kept me informed when my delivery slipped.",),
                    ("The garden team suggested a better compost for my soil before I asked.",
                     "I got a reminder the day my click-and-collect order was ready, very handy.",
                     "The lady in the plant area remembered my pond project from last month.")),
                "touchpoints": (
                    ("The website kept freezing at checkout.", "Twenty minutes on hold on the phone line."),
                    ("The app makes it easy to find anything in the store.",)),
                "training": (
                    ("The assistant didn't know which plants are safe for pets.",),
                    ("Patient, expert advice on pruning my apple trees.",)),
                "customer_need": (
                    ("Nobody asked what I needed, they just pointed at a shelf.",),
                    ("They listened and understood what I was after for a shady corner.",)),
                "hiring": (("The cashier was rude when I asked for a bag.",), ("Always friendly at the tills.",)),
                "employee_experience": (("Only one person on the tills on a Saturday; the store is clearly "
                                         "understaffed.",), ()),
                "improvement": (("Same problem with empty shelves every time I come.",),
                                ("The new layout is a real improvement.",)),
            },
        ),
    ),
    SampleClient(
        "riverside-energy",
        {"name": "Riverside Energy", "sector": "Utility contact centre", "template": "cx_service_strategy",
         "assessment_date": "2026-09-30", "anonymity_threshold": 6,
         "notes": "Regulated energy supplier; complaints volume up 18% year on year.",
         "targets": {"recovery": 4.5, "customer_need": 4.0, "training": 4.2, "goals": 4.0, "employee_experience": 3.8}},
        Profile(respondents=48, level=2.8, leadership_uplift=1.1, frontline_shift=-0.35,
                pillar_shift={"customer_need": -0.6, "employee_experience": -0.7, "recovery": -0.5, "goals": 0.5,
                              "hiring": 0.3},
                polarised="training", departments=("Contact centre", "Billing", "Field service", "Complaints")),
        seed=202,
    ),
    SampleClient(
        "harbour-hotels",
        {"name": "Harbour Line Hotels", "sector": "Hotel group", "template": "cx_service_strategy",
         "assessment_date": "2026-10-20",
         "notes": "Five coastal hotels; guest scores strong, staff turnover high.",
         "targets": {"employee_experience": 4.3, "recognition": 4.0, "goals": 3.8, "accountability": 3.8}},
        Profile(respondents=36, level=3.4, leadership_uplift=0.6,
                pillar_shift={"employee_experience": 0.5, "anticipation": 0.6, "goals": -0.7, "accountability": -0.5,
                              "vision": 0.3},
                polarised="recognition", departments=("Front desk", "Housekeeping", "Food & beverage", "Sales")),
        seed=303,
        excel=True,
    ),
    SampleClient(
        "brightpath-software",
        {"name": "BrightPath Software", "sector": "Software (B2B SaaS)", "template": "cx_service_strategy",
         "assessment_date": "2026-11-02",
         "notes": "Scale-up with 400 business customers; support and customer success teams merged this year.",
         "targets": {"customer_need": 4.3, "anticipation": 4.2, "hiring": 3.8, "recovery": 4.0, "training": 3.8}},
        Profile(respondents=24, level=3.3, leadership_uplift=0.7,
                pillar_shift={"customer_need": 0.5, "anticipation": 0.3, "hiring": -0.6, "recovery": -0.5,
                              "training": -0.6},
                polarised="vision", departments=("Support", "Customer success", "Product")),
        seed=404,
        customers=CustomerProfile(
            responses=220, first_month="2026-05", months=6,
            touchpoints={"Support chat": 0.4, "E-mail": 0.3, "Account manager": 0.2, "Onboarding": 0.1},
            touchpoint_shift={"Support chat": 0.4, "Account manager": 0.6, "Onboarding": -1.4, "E-mail": -0.4},
            nps_level=7.0, trend=0.1,
            views={"customer_need": 2.5, "training": 4.1, "anticipation": 3.5, "recovery": 3.0, "touchpoints": 3.3,
                   "vision": 3.5, "accountability": 3.2, "improvement": 2.9},
            comments={
                "customer_need": (
                    ("You never asked how our team actually uses the reports; the export we needed is still missing.",
                     "What we told you in the last survey is nowhere on the roadmap.",
                     "Our account manager didn't understand our approval workflow at all. Write to "
                     "ops.lead@example.com if you want details.",
                     "Lots of demos, little interest in our needs."),
                    ("They listened to our use case and understood it quickly.",)),
                "training": (
                    ("First-line support seemed untrained on the new permissions model.",),
                    ("The support engineer knew the API inside out.",
                     "Expert help on a tricky import, solved in one chat.",
                     "Very knowledgeable onboarding specialist, thank you.")),
                "recovery": (("The outage was handled, but the apology came two days late.",),
                             ("A billing error was fixed and refunded within the hour.",)),
                "touchpoints": (("The chat window is hard to find and e-mail answers are slow.",),
                                ("Support chat is quick to reach.",)),
                "anticipation": (("No reminder before our renewal date.",),
                                 ("We got a heads up before the maintenance window, much appreciated.",)),
                "improvement": (("Same problem with CSV exports again after every release.",),
                                ("The dashboard has improved a lot since spring.",)),
                "accountability": (("Our ticket was passed around three teams and nobody owned it.",), ()),
            },
        ),
    ),
)


def portfolio(clients: int, respondents: int = 40, seed: int = 0, template: str = "cx_service_strategy") -> list[SampleClient]:
    """Any number of fictional clients with varied profiles, for benchmarks and batch tests."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(clients):
        out.append(
            SampleClient(
                f"client-{i + 1:04d}",
                {"name": f"Client {i + 1:04d}", "sector": "Fictional", "template": template,
                 "assessment_date": "2026-10-01"},
                Profile(respondents=respondents, level=float(rng.uniform(2.6, 3.8)),
                        leadership_uplift=float(rng.uniform(0.3, 1.1))),
                seed=int(rng.integers(1 << 31)),
            )
        )
    return out


def write_sample_client(sample: SampleClient, root: Path, template: Template, force: bool = False) -> Path:
    """Write a sample client's folder (client.yaml and responses.csv/.xlsx); refuses to overwrite."""
    folder = Path(root) / sample.id
    if folder.exists() and not force:
        raise CxError.at(folder, "already exists; pass --force to regenerate it")
    folder.mkdir(parents=True, exist_ok=True)
    header = f"# Fictional sample client, generated by cxassess (seed {sample.seed}). Any resemblance is chance.\n"
    (folder / "client.yaml").write_text(
        header + yaml.safe_dump(sample.config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    frame = generate(template, sample.profile, seed=sample.seed)
    for stale in ("responses.csv", "responses.xlsx"):
        (folder / stale).unlink(missing_ok=True)
    (folder / "customer_feedback.csv").unlink(missing_ok=True)
    if sample.customers is not None:
        generate_feedback(template, sample.customers, seed=sample.seed).to_csv(folder / "customer_feedback.csv",
                                                                              index=False)
    if sample.excel:
        numeric = frame.apply(lambda col: col.map(lambda v: int(v) if str(v).isdigit() else (v or None)))
        numeric.to_excel(folder / "responses.xlsx", index=False, sheet_name="responses")
    else:
        frame.to_csv(folder / "responses.csv", index=False)
    return folder
