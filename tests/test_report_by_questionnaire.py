"""What a report shows follows its questionnaire: the heading it names, and the charts it leaves out.

A client on its own small questionnaire (two pillars, no targets, no importance) gets no radar, no
gap chart and no importance-performance grid: each is replaced by one sentence saying why, in the
report and in the deck. The report, the page's ``<title>``, the deck and the workbook are headed by
the questionnaire's ``report_title``, or by its ``name`` when it has none.
"""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.inputs.samples import Profile, generate
from cxassess.render import deck, sections, workbook
from cxassess.run.report import build_report

CLIENTS = ROOT / "data" / "clients"
NAME = "Care home service standards"
TITLE = "Resident experience review"
RADAR = "and a radar needs three or more"
GAPS = "so there are no gaps to chart"
MATRIX = "so no pillar can be placed by how much it matters"


def questionnaire(template_id: str, pillars: int, report_title: str | None) -> dict:
    return {
        "id": template_id, "name": NAME, "version": "2", **({"report_title": report_title} if report_title else {}),
        "scale": {"min": 1, "max": 6, "labels": {1: "Never", 6: "Always"}},
        "terms": {"target": "Goal"},
        "segments": [{"id": "role", "values": ["Leadership", "Manager", "Frontline", "Back office"]}],
        "maturity": [{"name": "Starting", "min_index": 0}, {"name": "Settled", "min_index": 50}],
        "pillars": [{"id": f"p{i}", "name": f"Pillar {i}", "questions": [
            {"id": f"p{i}_{k}", "text": f"Statement {k} of pillar {i}."} for k in (1, 2)]} for i in range(pillars)],
    }


def write_client(root: Path, template_id: str, *, pillars: int = 2, report_title: str | None = None,
                 targets: bool = False, importance: bool = False) -> Path:
    """A client folder on its own questionnaire, found by id in ``root / "templates"`` (CXASSESS_TEMPLATES)."""
    from cxassess.inputs.templates import load_template

    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    path = templates / f"{template_id}.yaml"
    path.write_text(yaml.safe_dump(questionnaire(template_id, pillars, report_title), sort_keys=False),
                    encoding="utf-8")
    folder = root / template_id.replace("_", "-")
    folder.mkdir()
    (folder / "client.yaml").write_text(
        f"name: Acme Care\ntemplate: {template_id}\nassessment_date: '2026-11-20'\n", encoding="utf-8")
    table = generate(load_template(path), Profile(respondents=30, targets=targets, importance=importance), seed=3)
    table.to_csv(folder / "responses.csv", index=False)
    return folder


@pytest.fixture
def templates_here(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(tmp_path / "templates"))
    return tmp_path


def text(html: object) -> str:
    """The words of an HTML fragment or page, tags dropped and entities read."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(getattr(html, "html", html)))).split())


# ------------------------------------------------------------------------------ left out, and why


def test_charts_with_nothing_to_show_are_left_out_with_the_reason(templates_here):
    a = assess(write_client(templates_here, "small_care"))
    assert a.scores.pillars["gap_index"].isna().all() and a.scores.pillars["importance_index"].isna().all()
    for part, reason in ((sections.radar(a, "3. Radar"), RADAR), (sections.gaps(a, "4. Gaps"), GAPS),
                         (sections.importance_performance(a, "5. Matrix"), MATRIX)):
        assert "<img" not in part.html and "<h2>" in part.html
        assert reason in text(part)
    assert "This questionnaire has 2 pillars" in text(sections.radar(a, "3. Radar"))
    assert "No goal was set for this client's pillars" in text(sections.gaps(a, "4. Gaps"))  # the template's word
    # The explanatory note belongs to the chart: it goes with it.
    assert "Pillars in order of priority" not in text(sections.gaps(a, "4. Gaps"))


@pytest.mark.slow
def test_charts_with_something_to_show_are_drawn(templates_here):
    # Three pillars, targets and importance: every chart has something to show.
    a = assess(write_client(templates_here, "full_care", pillars=3, targets=True, importance=True))
    b = assess(CLIENTS / "northwind-retail")
    for x in (a, b):
        for part in (sections.radar(x, "3"), sections.gaps(x, "4"), sections.importance_performance(x, "5")):
            assert part.html.count('<img class="cx-chart"') == 1
            assert not any(reason in text(part) for reason in (RADAR, GAPS, MATRIX))
    assert "Pillars in order of priority" in text(sections.gaps(b, "4"))


def test_a_gap_chart_needs_only_one_pillar_with_a_target(templates_here):
    a = assess(write_client(templates_here, "one_goal", pillars=3))
    assert sections.gaps_left_out(a.scores) is not None
    pillars = a.scores.pillars.copy()
    pillars.loc["p1", "gap_index"] = 12.0
    one = dataclasses.replace(a.scores, pillars=pillars)
    assert sections.gaps_left_out(one) is None
    # With a gap but no importance, the grid places that pillar by its gap.
    assert sections.matrix_left_out(one) is None


def test_the_deck_shows_the_reason_where_the_report_leaves_a_chart_out(templates_here):
    a = assess(write_client(templates_here, "small_care"))
    prs = deck.build_deck(a)
    slides = list(prs.slides)[2:5]
    for slide, reason in zip(slides, (RADAR, GAPS, MATRIX)):
        assert not [s for s in slide.shapes if s.shape_type == 13]  # no picture
        assert reason in " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


# ------------------------------------------------------------------------------------- headings


@pytest.mark.parametrize(("report_title", "heading"), [(TITLE, TITLE), (None, NAME)])
def test_the_questionnaire_heads_the_title_the_deck_and_the_workbook(templates_here, tmp_path, report_title,
                                                                     heading):
    a = assess(write_client(templates_here, "care", report_title=report_title))
    assert a.client.template.heading == heading
    kicker = re.search(r'<p class="cx-kicker">([^<]*)</p>', sections.title(a).html)
    assert kicker and kicker.group(1) == heading
    assert "Customer-service strategy" not in sections.title(a).html
    prs = Presentation(deck.write_deck(a, tmp_path / "deck.pptx"))
    assert prs.core_properties.title == f"Acme Care: {heading}"
    assert list(prs.slides)[0].placeholders[1].text_frame.text.split("\n")[0] == heading
    from openpyxl import load_workbook

    book = load_workbook(workbook.write_workbook(a, tmp_path / "results.xlsx"))
    assert book.properties.title == f"Acme Care: {heading}, results"


def test_the_bundled_questionnaires_keep_their_heading():
    a = assess(CLIENTS / "northwind-retail")
    assert a.client.template.heading == "Customer-service strategy assessment"
    assert a.client.document_title == "Northwind Home & Garden: Customer-service strategy assessment"


@pytest.mark.slow
def test_the_report_page_is_titled_by_the_questionnaire(templates_here, tmp_path):
    run = build_report(write_client(templates_here, "care", report_title=TITLE), tmp_path / "reports",
                       formats=["html"])
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == f"Acme Care: {TITLE}"
    assert f'<p class="cx-kicker">{TITLE}</p>' in html
    for reason in (RADAR, GAPS, MATRIX):  # the notebook takes the library's choice
        assert reason in text(html)
    headings = re.findall(r"<h2[^>]*>(\d+)\. ", html)
    assert headings[:5] == ["1", "2", "3", "4", "5"]
