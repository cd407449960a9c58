"""Anonymity: no published figure, alone or subtracted from others, gives away a suppressed group.

The attacker here is a curious reader of a report who knows everyone's role and department (a
colleague would) and treats every published index as the mean over a known set of people. One
person's figure is recoverable exactly when that person's indicator vector lies in the row space
of the published sets; the test solves for it by least squares.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import ROOT
from cxassess.run.report import build_report
from cxassess.analysis.breakdowns import group_indices, suppressed_groups

SOURCE = ROOT / "data" / "clients" / "northwind-retail"
LEADER = "R001"


def _design(ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Role and department per respondent: one lone leader, whose department is the back office plus them."""
    role, department = {}, {}
    for i, rid in enumerate(ids):
        role[rid] = "Leadership" if i == 0 else "Back office" if i <= 5 else "Manager" if i <= 19 else "Frontline"
        department[rid] = "Ops" if i <= 5 else "Stores" if i <= 39 else "Web"
    return role, department


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A report for a client built so that naive suppression would give the lone leader away."""
    root = tmp_path_factory.mktemp("anon")
    client = root / "lone-leader"
    shutil.copytree(SOURCE, client, ignore=shutil.ignore_patterns("customer_feedback.csv"))
    with (SOURCE / "responses.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    ids = [r["respondent_id"] for r in rows]
    role, department = _design(ids)
    questions = [c for c in header if ":" not in c and c not in ("respondent_id", "role", "department")]
    for r in rows:
        r["role"], r["department"] = role[r["respondent_id"]], department[r["respondent_id"]]
        for q in questions:  # complete answers make every index an exact mean of respondents' indices
            if r[q] in ("", "N/A"):
                r[q] = "3"
    with (client / "responses.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
    run = build_report(client, root / "reports", formats=("html", "xlsx"), anonymity_threshold=5)
    return client, run, ids, {"role": role, "department": department}


def _from_scores(document: dict, ids: list[str], labels: dict) -> list[tuple[frozenset, float]]:
    """Every (set of respondents, overall index) scores.json publishes."""
    sets = [(frozenset(ids), document["overall"]["index"])]
    for segment, groups in document["breakdown"].items():
        for g in groups:
            if not g["suppressed"]:
                members = frozenset(r for r in ids if labels[segment][r] == g["group"])
                assert g["n"] == len(members)
                sets.append((members, g["overall_index"]))
    return sets


def _from_workbook(path: Path, ids: list[str], labels: dict) -> list[tuple[frozenset, float]]:
    """Every (set of respondents, overall index) the Segments sheet of results.xlsx shows."""
    ws = openpyxl.load_workbook(path, read_only=True)["Segments"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    sets = []
    for row in rows[1:]:
        if not row or row[0] not in labels:
            continue
        values = dict(zip(head, row))
        if values["Respondents"] == "suppressed":
            assert all(values[h] == "suppressed" for h in head[2:])
            continue
        members = frozenset(r for r in ids if labels[row[0]][r] == values["Group"])
        assert values["Respondents"] == len(members)
        sets.append((members, values["Overall index"]))
    return sets


def recover(sets: list[tuple[frozenset, float]], ids: list[str], person: str) -> float | None:
    """The person's own index if the published means determine it, else None."""
    matrix = np.array([[1 / len(s) if r in s else 0.0 for r in ids] for s, _ in sets])
    target = np.array([1.0 if r == person else 0.0 for r in ids])
    weights, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
    if np.abs(matrix.T @ weights - target).max() > 1e-8:
        return None
    return float(weights @ np.array([v for _, v in sets]))


def _truth(client: Path, run, person: str) -> float:
    from cxassess.inputs.clients import load_client

    c = load_client(client)
    alone = pd.Series(np.where(c.responses.ratings.index == person, "me", "others"), index=c.responses.ratings.index)
    return float(group_indices(c.template, c.responses, alone).loc["me", "overall_index"])


@pytest.mark.slow
def test_the_lone_leader_cannot_be_recovered_from_the_report(published):
    client, run, ids, labels = published
    document = json.loads((run.folder / "scores.json").read_text())
    suppressed = {(s, g["group"]) for s, groups in document["breakdown"].items() for g in groups if g["suppressed"]}
    assert ("role", "Leadership") in suppressed
    assert ("role", "Back office") in suppressed  # the complement rule: 1 leader alone is fewer than 5
    sets = _from_scores(document, ids, labels) + _from_workbook(run.folder / "results.xlsx", ids, labels)
    for person in ids[:6]:  # the leader and everyone who could be differenced against them
        assert recover(sets, ids, person) is None
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert "would let a suppressed group be worked" in html


@pytest.mark.slow
def test_the_same_attack_succeeds_against_small_group_suppression_alone(published):
    """The attack is real: hiding only groups under the threshold gives the leader's index away."""
    client, run, ids, labels = published
    document = json.loads((run.folder / "scores.json").read_text())
    from cxassess.inputs.clients import load_client

    c = load_client(client)
    sets = [(frozenset(ids), document["overall"]["index"])]
    for segment in ("role", "department"):
        groups = pd.Series([labels[segment][r] for r in c.responses.ratings.index], index=c.responses.ratings.index)
        figures = group_indices(c.template, c.responses, groups)
        for group, size in groups.value_counts().items():
            if size >= 5:
                sets.append((frozenset(r for r in ids if labels[segment][r] == group), figures.loc[group, "overall_index"]))
    leaked = recover(sets, ids, LEADER)
    assert leaked == pytest.approx(_truth(client, run, LEADER), abs=1e-3)


def _labels(**segments: str) -> dict[str, pd.Series]:
    """Segment -> per-respondent labels, from strings of one letter per respondent."""
    return {s: pd.Series(list(text)) for s, text in segments.items()}


def test_suppression_rules_by_hand():
    # role: A 1, B 4, C 6, D 8 with threshold 4: A is small; A alone (1) is under 4 -> B (the smallest
    # shown group) joins it (1 + 4 = 5); C and D stay
    hidden = suppressed_groups(_labels(role="A" + "B" * 4 + "C" * 6 + "D" * 8), 4)
    assert hidden == {"role": {"A": "small", "B": "complement"}}
    # nothing small, nothing hidden; all groups small, all hidden as small
    assert suppressed_groups(_labels(role="AAAABBBB"), 4) == {"role": {}}
    assert suppressed_groups(_labels(role="ABC"), 4) == {"role": {"A": "small", "B": "small", "C": "small"}}
    # dept X (6 people) = role B (5 people) + one person of role C: X minus B is that person, and
    # C minus dept Y is that person too. Worked through: B goes (inside X by 1), then X (the rest of
    # role holds B, inside X by 1), then C widens role's rest (two nested rests); Y (9) stays.
    hidden = suppressed_groups(_labels(role="B" * 5 + "C" * 10, dept="X" * 6 + "Y" * 9), 5)
    assert hidden == {"role": {"B": "overlap", "C": "overlap"}, "dept": {"X": "overlap"}}


@pytest.mark.slow
def test_no_small_cell_is_ever_solvable_from_what_is_shown():
    """Random portfolios of 2-3 segments: no cell under the threshold (so no person) can be solved for."""
    rng = np.random.default_rng(8)
    for _ in range(150):
        n, threshold = int(rng.integers(8, 50)), int(rng.integers(2, 7))
        labels = {f"s{k}": pd.Series(rng.choice(list("abcdef")[: int(rng.integers(2, 6))], n))
                  for k in range(int(rng.integers(2, 4)))}
        hidden = suppressed_groups(labels, threshold)
        ids = list(range(n))
        sets = [(frozenset(ids), 0.0)] + [
            (frozenset(np.flatnonzero(lab.to_numpy() == g).tolist()), 0.0)
            for s, lab in labels.items() for g in set(lab) - set(hidden[s])
        ]
        cells = pd.DataFrame(labels).agg("|".join, axis=1)
        for person in ids:
            if (cells == cells[person]).sum() < threshold and n >= threshold:
                assert recover(sets, ids, person) is None, (labels, hidden, person)


@pytest.mark.slow
def test_the_explorer_refuses_a_group_that_would_give_a_smaller_one_away(tmp_path):
    """northwind-retail at threshold 8: 7 leaders are hidden, so the 11 managers (the next smallest
    role) are hidden with them; the what-if explorer neither offers nor scores them."""
    from cxassess.interactive import explore
    from cxassess.analysis.assessment import assess
    from cxassess.core.errors import CxError

    a = assess(SOURCE)
    counts = a.client.responses.segments["role"].value_counts()
    assert counts["Leadership"] == 7 and counts["Manager"] == 11 and counts.min() == 7
    with pytest.raises(CxError, match="would give away"):
        explore.what_if(a, segment=("role", "Manager"), threshold=8)
    assert explore.what_if(a, segment=("role", "Back office"), threshold=8).respondents == counts["Back office"]
    x = explore.Explorer(shutil.copytree(SOURCE, tmp_path / "northwind-retail"), delay=0, charts=("summary",))
    x.threshold.value = 8
    offered = {v for _, v in x.segment.options if v}
    assert ("role", "Manager") not in offered and ("role", "Leadership") not in offered
    assert ("role", "Back office") in offered
