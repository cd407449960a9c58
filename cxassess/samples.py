"""Seeded generator of fictional but realistic responses, for the bundled samples and benchmarks.

The patterns are the ones consultants meet: leaders rate the organisation higher than the
front line, one pillar splits staff into two camps, some answers are N/A or blank, a few
people leave comments. The same seed always gives the same file.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
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
class SampleWave:
    """An earlier assessment round of a sample client: fewer or more people, some pillars elsewhere.

    ``shift`` overrides the client's ``pillar_shift`` for this wave. The client's own profile
    and seed are its latest wave, so the current answers do not depend on the history.
    """

    id: str
    date: str
    respondents: int
    shift: dict[str, float]
    seed: int


@dataclass(frozen=True)
class SampleClient:
    """A fictional client: its folder id, client.yaml content and answer profile."""

    id: str
    config: dict
    profile: Profile
    seed: int
    excel: bool = False
    history: tuple[SampleWave, ...] = ()  # earlier waves, oldest first
    current_wave: str | None = None  # with a history: the id of the latest wave (dated assessment_date)

    def wave_profiles(self) -> list[tuple[str, str, Profile, int]]:
        """(wave id, date, profile, seed) of every wave, oldest first; the last is the client's own."""
        out = [(w.id, w.date, replace(self.profile, respondents=w.respondents,
                                      pillar_shift={**(self.profile.pillar_shift or {}), **w.shift}), w.seed)
               for w in self.history]
        return out + [(self.current_wave or "", self.config["assessment_date"], self.profile, self.seed)]

    def client_yaml(self) -> dict:
        """client.yaml's content: with a history, the waves and their dates replace assessment_date."""
        if not self.history:
            return dict(self.config)
        config = {k: v for k, v in self.config.items() if k != "assessment_date"}
        config["waves"] = {wave_id: date for wave_id, date, _, _ in self.wave_profiles()}
        return config


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
        # Staff turnover made employee experience the first wave's top priority; it recovered. Meanwhile a new
        # revenue push left teams unsure what their goals are.
        history=(SampleWave("2025-10", "2025-10-21", 31, {"employee_experience": -0.5, "goals": 0.1}, 311),
                 SampleWave("2026-04", "2026-04-22", 34, {"employee_experience": -0.25, "goals": -0.3}, 312)),
        current_wave="2026-10",
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
        # Customer insight was a gap to start closing after the first wave and has grown into a strength; the
        # merger of support and customer success cost training time.
        history=(SampleWave("2025-h2", "2025-11-03", 18, {"customer_need": -0.5, "training": 0.3}, 401),
                 SampleWave("2026-h1", "2026-05-04", 21, {"customer_need": -0.25, "training": -0.1}, 402)),
        current_wave="2026-h2",
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


def _write_answers(frame: pd.DataFrame, folder: Path, excel: bool) -> None:
    for stale in ("responses.csv", "responses.xlsx"):
        (folder / stale).unlink(missing_ok=True)
    if excel:
        numeric = frame.apply(lambda col: col.map(lambda v: int(v) if str(v).isdigit() else (v or None)))
        numeric.to_excel(folder / "responses.xlsx", index=False, sheet_name="responses")
    else:
        frame.to_csv(folder / "responses.csv", index=False)


def write_sample_client(sample: SampleClient, root: Path, template: Template, force: bool = False) -> Path:
    """Write a sample client's folder (client.yaml and responses.csv/.xlsx); refuses to overwrite.

    A client with a history gets one ``waves/<id>/`` folder per wave instead of a top-level file.
    """
    folder = Path(root) / sample.id
    if folder.exists() and not force:
        raise CxError.at(folder, "already exists; pass --force to regenerate it")
    folder.mkdir(parents=True, exist_ok=True)
    header = f"# Fictional sample client, generated by cxassess (seed {sample.seed}). Any resemblance is chance.\n"
    (folder / "client.yaml").write_text(
        header + yaml.safe_dump(sample.client_yaml(), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    if not sample.history:
        shutil.rmtree(folder / "waves", ignore_errors=True)
        _write_answers(generate(template, sample.profile, seed=sample.seed), folder, sample.excel)
        return folder
    for stale in ("responses.csv", "responses.xlsx"):
        (folder / stale).unlink(missing_ok=True)
    for wave_id, _, profile, seed in sample.wave_profiles():
        wave_folder = folder / "waves" / wave_id
        wave_folder.mkdir(parents=True, exist_ok=True)
        _write_answers(generate(template, profile, seed=seed), wave_folder, sample.excel)
    return folder
