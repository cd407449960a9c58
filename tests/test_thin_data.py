"""Issue 19, case 5: a Google Forms export with 4 respondents who answered 6 of 61 statements.

Before the guard its report said "69, Managed" from 3 of 12 pillars, with `nan` in the maturity
column and the same pillars listed as strongest and weakest. Now every output agrees that no pillar
has enough answers: the report opens with a warning, shows no `nan`, no band, no overall index;
``--strict`` refuses the client, and a strict batch fails it alone.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from cxassess.analysis.assessment import assess
from cxassess.analysis.document import validate
from cxassess.analysis.scoring import score
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.templates import find_template
from cxassess.run.batch import run_batch
from cxassess.run.report import build_report

pytestmark = pytest.mark.slow  # reports in a kernel, a batch

ROOT = Path(__file__).resolve().parents[1]
RATED = ("vision", "touchpoints", "goals")  # two statements of each are answered
ANSWERS = [["Agree", "Strongly agree", "Agree", "Agree", "Neither agree nor disagree", "Agree"],
           ["Strongly agree", "Agree", "Agree", "Strongly agree", "Agree", "Agree"],
           ["Agree", "Agree", "Neither agree nor disagree", "Agree", "Agree", "Disagree"],
           ["Agree", "Strongly agree", "Agree", "Agree", "Agree", "Agree"]]


@pytest.fixture(scope="module")
def thin_client(tmp_path_factory) -> Path:
    """The issue's client: imported from a Google Forms export as a consultant would."""
    root = tmp_path_factory.mktemp("thin")
    template = find_template("cx_service_strategy")
    questions = [q for pid in RATED for q in template.pillar(pid).questions[:2]]
    export = root / "Service survey (Responses).csv"
    with open(export, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["Timestamp", "Role"] + [f"Current practice [{q.text}]" for q in questions],
                                      *[[f"2026/10/0{i + 1} 09:00:00", "Manager", *row]
                                        for i, row in enumerate(ANSWERS)]])
    client = root / "clients" / "thin-co"
    assert main(["import", "--from", "google-forms", str(export), "--template", "cx_service_strategy",
                 "--out", str(client / "responses.csv")]) == 0
    (client / "client.yaml").write_text("name: Thin Co\ntemplate: cx_service_strategy\nassessment_date: 2026-10-12\n",
                                        encoding="utf-8")
    return client


def _text(page: str) -> str:
    """What a reader sees of an HTML page: no styles, scripts or tags, entities decoded."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_unguarded_scores_were_what_the_issue_saw(thin_client):
    a = assess(thin_client)
    raw = score(a.client.template, a.client.responses)
    assert int(raw.pillars["index"].notna().sum()) == 3 and raw.overall["maturity"] == "Managed"
    assert len(a.client.responses) == 4


@pytest.fixture(scope="module")
def run(thin_client, tmp_path_factory):
    return build_report(thin_client, tmp_path_factory.mktemp("reports"), ("html", "xlsx", "pptx"))


def test_the_report_opens_with_the_warning_and_shows_no_nan(run):
    page = (run.folder / "report.html").read_text(encoding="utf-8")
    text = _text(page)
    assert not re.search(r"\bnan\b", text, flags=re.I)
    summary = text[text.index("Executive summary"):]
    assert summary.index("Data quality warning") < summary.index("overall index")
    assert "overall index withheld" in summary and "only 0 of 12 pillars have enough answers" in summary
    for name in ("Service vision & leadership", "Touchpoint & interaction design", "Goals & measurement"):
        assert f"{name} (4 respondents, fewer than 5; 2 of 5 statements answered, fewer than half)" in summary
    assert 'class="cx-data-warning"' in page
    scorecard = re.search(r'<table class="cx-table cx-scorecard">.*?</table>', page, flags=re.S).group(0)
    rows = re.findall(r"<tr>.*?</tr>", scorecard, flags=re.S)[1:]
    bands = [b.name for b in find_template("cx_service_strategy").maturity]
    assert len(rows) == 12
    for row in rows:
        assert "not enough answers" in row and not any(f">{band}<" in row for band in bands), row


def test_strongest_and_weakest_are_empty_not_the_same(run):
    text = _text((run.folder / "report.html").read_text(encoding="utf-8"))
    strongest = text[text.index("Strongest pillars"):text.index("Weakest pillars")]
    weakest = text[text.index("Weakest pillars"):text.index("Top priorities")]
    for part in (strongest, weakest):
        assert "Too few pillars with enough answers to rank" in part and "1." not in part


def test_scores_json_says_why_and_validates(run):
    document = json.loads((run.folder / "scores.json").read_text(encoding="utf-8"))
    validate(document)
    assert document["schema_version"] == "1.2"
    assert document["overall"]["index"] is None and document["overall"]["maturity"] is None
    assert document["overall"]["withheld_reason"].startswith("only 0 of 12 pillars")
    reasons = {p["id"]: p["thin_reason"] for p in document["pillars"]}
    assert all(p["enough_answers"] is False and p["maturity"] is None and p["action"] is None
               and p["index"] is None for p in document["pillars"])
    assert reasons["vision"] == "4 respondents, fewer than 5; 2 of 5 statements answered, fewer than half"
    assert reasons["hiring"] == "no answers"
    quality = document["data_quality"]
    assert (quality["min_respondents"], quality["min_answered_share"], quality["scored_pillars"]) == (5, 0.5, 0)
    assert len(quality["thin_pillars"]) == 12 and quality["warning"].startswith("12 of 12 pillars rest on too few")


def test_workbook_and_deck_carry_the_same_verdict(run):
    wb = openpyxl.load_workbook(run.folder / "results.xlsx")
    assert wb.sheetnames[0] == "Data quality"
    assert wb["Data quality"]["A1"].value.startswith("Data quality warning")
    sheet = wb["Scorecard"]
    heads = [c.value for c in sheet[1]]
    maturity = [row[heads.index("Maturity")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert maturity == ["not enough answers"] * 12 + ["withheld"]
    slides = [[s.text_frame.text for s in slide.shapes if s.has_text_frame]
              for slide in Presentation(run.folder / "deck.pptx").slides]
    assert slides[1][0] == "Data quality warning"
    summary = " ".join(slides[2])
    assert "withheld" in summary and not re.search(r"\bnan\b", " ".join(" ".join(s) for s in slides), flags=re.I)


def test_strict_refuses_the_client_and_writes_nothing(thin_client, tmp_path):
    with pytest.raises(CxError) as caught:
        build_report(thin_client, tmp_path / "out", ("html",), strict=True)
    message = str(caught.value)
    assert "client 'thin-co'" in message and "thin data (--strict)" in message
    assert "Goals & measurement (4 respondents, fewer than 5" in message
    assert not (tmp_path / "out").exists()
    assert main(["report", str(thin_client), "--out", str(tmp_path / "cli"), "--format", "html", "--strict"]) == 1


def test_a_strict_batch_fails_the_thin_client_and_goes_on(thin_client, tmp_path):
    clients = tmp_path / "clients"
    shutil.copytree(thin_client, clients / "thin-co")
    shutil.copytree(ROOT / "data" / "clients" / "riverside-energy", clients / "riverside-energy")
    batch = run_batch(clients, tmp_path / "out", workers=2, formats=("html",), strict=True)
    status = {r.client: (r.status, r.error) for r in batch.results}
    assert status["riverside-energy"][0] == "ok"
    assert status["thin-co"][0] == "failed" and "thin data (--strict)" in status["thin-co"][1]
    assert "Service vision & leadership" in status["thin-co"][1]


@pytest.mark.parametrize("client", sorted(p.name for p in (ROOT / "data" / "clients").iterdir()))
def test_the_bundled_samples_are_not_thin_and_keep_their_figures(client):
    a = assess(ROOT / "data" / "clients" / client)
    c = a.client
    raw = score(c.template, c.responses, c.targets, c.weights)
    assert a.coverage.thin == [] and a.coverage.warning is None and a.scores.overall["withheld_reason"] is None
    assert a.scores.pillars["index"].tolist() == raw.pillars["index"].tolist()
    assert a.scores.pillars["action"].tolist() == raw.pillars["action"].tolist()
    assert a.scores.overall["index"] == raw.overall["index"]


def test_client_yaml_sets_the_minimums(thin_client, tmp_path):
    client = tmp_path / "thin-co"
    shutil.copytree(thin_client, client)
    with open(client / "client.yaml", "a", encoding="utf-8") as handle:
        handle.write("data_quality:\n  min_respondents: 4\n  min_answered_share: 0.4\n")
    a = assess(client)
    assert a.coverage.rules.min_respondents == 4 and a.coverage.rules.min_answered_share == 0.4
    scored = a.scores.pillars.index[a.scores.pillars["enough_answers"].astype(bool)]
    assert list(scored) == list(RATED)  # 4 people, 2 of 5 statements: now enough
    assert a.scores.pillars.at["vision", "maturity"] is not None
    assert a.scores.overall["withheld_reason"].startswith("only 3 of 12 pillars")  # 3 < half of 12
    (client / "client.yaml").write_text((client / "client.yaml").read_text().replace("0.4", "1.5"))
    with pytest.raises(CxError, match="min_answered_share"):
        assess(client)


def test_the_portfolio_overview_shows_a_withheld_client_without_nan():
    import pandas as pd

    from cxassess.render import overview
    from test_portfolio import SMALL

    clients = pd.DataFrame({"name": list("WXYZ"), "template": ["t"] * 4, "template_name": ["Tee"] * 4,
                            "respondents": [10, 10, 10, 4], "overall_index": [20.0, 40.0, 60.0, float("nan")],
                            "maturity": ["Basic", "Basic", "Good", float("nan")]}, index=list("wxyz"))
    page = overview.overview_html(clients, SMALL)
    assert not re.search(r"\bnan\b", _text(page), flags=re.I)
    row = re.search(r"<tr><td class=\"cx-name\"[^>]*>Z</td>.*?</tr>", page, flags=re.S).group(0)
    assert "<td>–</td>" in row
