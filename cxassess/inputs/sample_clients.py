"""The bundled fictional sample clients, and writing a sample client's folder.

Each ``SampleClient`` is a client folder's content in code: its ``client.yaml``, the answer
profile and seed ``samples.generate`` follows, customer feedback for some, and earlier waves for
others. ``cxassess sample``, the tests and the benchmarks write them with ``write_sample_client``;
``portfolio`` makes any number of varied fictional clients for batch runs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..core.errors import CxError
from .sample_plans import HARBOUR_HOTELS_PLAN
from .samples import CustomerProfile, Profile, generate, generate_feedback
from .templates import Template


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
    customers: CustomerProfile | None = None  # customer feedback, for clients that collected it
    history: tuple[SampleWave, ...] = ()  # earlier waves, oldest first
    current_wave: str | None = None  # with a history: the id of the latest wave (dated assessment_date)
    plan: str | None = None  # the plan.yaml the client agreed (inputs/sample_plans.py), if any

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
        waves = {wave_id: date for wave_id, date, _, _ in self.wave_profiles()}
        config = {}
        for key, value in self.config.items():
            config["waves" if key == "assessment_date" else key] = waves if key == "assessment_date" else value
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
         "targets": {"recovery": 4.5, "customer_need": 4.0, "training": 4.2, "goals": 4.0, "employee_experience": 3.8,
                     "anticipation": 2.75},
         "headcount": {"total": 220, "segments": {"department": {"Contact centre": 70, "Billing": 40,
                                                                  "Field service": 45, "Complaints": 60}}}},
        # enough respondents (10 per pillar) for the key drivers of the outcome question: complaints are
        # handled well or badly as staff know the customers' needs and are trained for it
        Profile(respondents=150, level=2.8, leadership_uplift=1.1, frontline_shift=-0.35,
                pillar_shift={"customer_need": -0.6, "employee_experience": -0.7, "recovery": -0.5, "goals": 0.5,
                              "hiring": 0.3},
                polarised="training", departments=("Contact centre", "Billing", "Field service", "Complaints"),
                drivers={"recovery": 1.0, "customer_need": 0.8, "employee_experience": 0.6, "training": 0.3}),
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
        plan=HARBOUR_HOTELS_PLAN,
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
    (folder / "customer_feedback.csv").unlink(missing_ok=True)
    (folder / "plan.yaml").unlink(missing_ok=True)
    if sample.plan is not None:
        (folder / "plan.yaml").write_text(sample.plan, encoding="utf-8")
    if sample.customers is not None:
        generate_feedback(template, sample.customers, seed=sample.seed).to_csv(folder / "customer_feedback.csv",
                                                                              index=False)
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
