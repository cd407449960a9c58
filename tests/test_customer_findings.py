"""Where staff and customers part, grouped as the plan allows (``analysis/customer_findings.py``): a pillar the
customers rate above the staff is an "undersold strength" only when its final verdict is keep; one the plan acts
on (a top priority, say) is listed with its verdict, rank and gap to target, never as a strength."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from conftest import ROOT
from cxassess.analysis import actions, customer_findings
from cxassess.analysis.assessment import assess


def voice(rows: dict[str, tuple[float, float, str | None]]) -> SimpleNamespace:
    """A customers' view with (staff index, customer index, kind) per pillar, as ``voice.blind_spots`` gives it."""
    frame = pd.DataFrame({pid: {"name": pid.capitalize(), "staff_index": s, "customer_index": c, "gap": s - c,
                                "kind": kind} for pid, (s, c, kind) in rows.items()}).T
    return SimpleNamespace(pillars=frame)


def scores(rows: dict[str, tuple[str, str, float, float]]) -> SimpleNamespace:
    """Final verdicts per pillar: (action, action_ipa, target index, gap index)."""
    frame = pd.DataFrame({pid: {"action": a, "action_ipa": ipa, "target_index": t, "gap_index": g}
                          for pid, (a, ipa, t, g) in rows.items()}).T
    return SimpleNamespace(pillars=frame)


CUSTOMERS = voice({"kept": (70.0, 90.0, "undersold"), "first": (30.0, 60.0, "undersold"),
                   "later": (50.0, 72.0, "undersold"), "blind": (66.0, 27.0, "blind_spot"),
                   "agree": (50.0, 52.0, None)})
VERDICTS = scores({"kept": ("keep", "keep", 75.0, 5.0), "first": ("do_differently", "do_differently", 80.0, 50.0),
                   "later": ("start", "start", math.nan, math.nan),
                   "blind": ("do_differently", "keep", 70.0, 4.0), "agree": ("keep", "keep", 60.0, 10.0)})


def test_a_pillar_the_plan_acts_on_is_never_an_undersold_strength():
    found = customer_findings.findings(CUSTOMERS, VERDICTS, ["first", "blind"])
    assert found["group"].to_dict() == {"blind": "blind_spot", "kept": "undersold_strength",
                                        "first": "customers_higher", "later": "customers_higher"}
    assert list(found.index) == ["blind", "kept", "first", "later"]  # groups in order, widest gap first within
    assert found.at["first", "text"] == ("First: staff 30, customers 60. Verdict: Do differently, top priority 1 "
                                         "(the staff's own index is 50 points short of the target of 80).")
    assert found.at["later", "text"] == "Later: staff 50, customers 72. Verdict: Start."  # no target: no gap to give
    assert found.at["kept", "text"] == "Kept: staff 70, customers 90. Verdict: Keep."
    assert found.at["blind", "text"] == "Blind: staff 66, customers 27. Verdict: Do differently, not keep, top priority 2."
    assert found["priority_rank"].tolist() == [2, None, 1, None]
    headings = [h for _, h, _, _ in customer_findings.grouped(found)]
    assert headings == [customer_findings.HEADINGS[g] for g in customer_findings.GROUPS]
    assert "strength" not in customer_findings.HEADINGS["customers_higher"].lower()


def test_without_any_parting_there_is_no_group():
    found = customer_findings.findings(voice({"agree": (50.0, 52.0, None)}), VERDICTS)
    assert found.empty and customer_findings.grouped(found) == []


@pytest.mark.slow  # a whole assessment with its bootstrap intervals and customers' view
def test_northwinds_top_priority_the_customers_like_is_listed_with_its_rank():
    a = assess(ROOT / "data" / "clients" / "northwind-retail")
    found, v = a.customer_findings, a.voice
    assert set(found.index) == set(v.blind.index) | set(v.undersold.index)
    priorities = list(actions.priorities(a.verdict_scores, within_noise=a.within_noise).index)
    assert "anticipation" in v.undersold.index and "anticipation" in priorities  # the case that contradicted itself
    rank = priorities.index("anticipation") + 1
    assert found.at["anticipation", "group"] == "customers_higher"
    assert found.at["anticipation", "priority_rank"] == rank
    assert f"Verdict: Do differently, top priority {rank} (" in found.at["anticipation", "text"]
    for pid, row in found.iterrows():  # a strength only where the plan keeps it
        kept = a.verdict_scores.pillars.at[pid, "action"] == "keep"
        assert (row["group"] == "undersold_strength") == (pid in v.undersold.index and kept), pid
