"""The executive deck: read back with python-pptx (slides, titles, notes, charts, tables), converted by
LibreOffice where it is installed, and written end to end by ``cxassess report --format xlsx,pptx``."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from conftest import ROOT, hand_overall_index, hand_pillar_indices, libreoffice_convert, needs_libreoffice
from cxassess.analysis import actions
from cxassess.analysis.assessment import assess
from cxassess.run.batch import run_batch
from cxassess.cli import main
from cxassess.render.deck import SLIDE_HEIGHT, SLIDE_WIDTH, write_deck
from cxassess.run.report import DEFAULT_FORMATS, parse_formats
from cxassess.analysis.scoring import ACTIONS

pytestmark = pytest.mark.slow  # builds decks: charts drawn at slide resolution, reports run

CLIENTS = ROOT / "data" / "clients"
TITLES = ["Executive summary", "Current practice against target", "Where the gaps are",
          "Importance and performance", "What your customers say", "Action plan", "Improvement roadmap"]
PLAN, ROADMAP = 6, 7  # slide numbers (from 0) of the action plan and the roadmap: northwind has customer feedback


@pytest.fixture(scope="module")
def assessment():
    return assess(CLIENTS / "northwind-retail")


@pytest.fixture(scope="module")
def deck(assessment, tmp_path_factory):
    path = write_deck(assessment, tmp_path_factory.mktemp("pptx") / "deck.pptx")
    return path, Presentation(path)


def texts(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def table_rows(slide) -> list[list[str]]:
    tables = [shape.table for shape in slide.shapes if shape.has_table]
    assert len(tables) == 1
    return [[cell.text for cell in row.cells] for row in tables[0].rows]


def test_eight_slides_with_titles_in_order(assessment, deck):
    _, prs = deck
    slides = list(prs.slides)
    assert len(slides) == 8  # the seven, and the customers slide (northwind has customer feedback)
    assert slides[0].shapes.title.text == assessment.client.config.name
    assert [s.shapes.title.text for s in slides[1:]] == TITLES
    assert (prs.slide_width, prs.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)


def test_every_slide_has_notes_on_the_method(deck):
    _, prs = deck
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides if s.has_notes_slide]
    assert len(notes) == 8 and all(len(n) > 150 for n in notes)
    assert "weighted average of the pillar indices" in notes[1]
    assert "importance" in notes[3].lower() and "priority" in notes[3].lower()
    assert "60" in notes[4]  # the template's thresholds are named


def test_charts_are_pictures_that_fit_the_slide(deck):
    _, prs = deck
    for number, slide in enumerate(prs.slides):
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == (1 if number in (2, 3, 4) else 0)
        for picture in pictures:
            assert picture.image.content_type == "image/png" and len(picture.image.blob) > 10_000
            assert picture.left >= 0 and picture.top >= 0
            assert picture.left + picture.width <= SLIDE_WIDTH and picture.top + picture.height <= SLIDE_HEIGHT
            w, h = picture.image.size
            assert picture.width / picture.height == pytest.approx(w / h, rel=0.02)  # not stretched


def test_title_and_summary_figures(assessment, deck):
    _, prs = deck
    slides = list(prs.slides)
    assert f"{len(assessment.client.responses.ratings)} respondents" in texts(slides[0])
    by_hand = hand_pillar_indices(assessment.client.template, assessment.client.responses.ratings)
    overall = hand_overall_index(assessment.client.template, by_hand)
    summary = texts(slides[1])
    assert f"{overall:.0f} / 100" in summary
    lowest = min(by_hand, key=by_hand.get)
    assert f"{assessment.scores.pillars.loc[lowest, 'name']}: {by_hand[lowest]:.0f}" in summary
    for sentence in actions.priority_sentences(assessment.verdict_scores, within_noise=assessment.within_noise):
        assert sentence in summary


def test_action_plan_table_has_one_row_per_pillar_in_plan_order(assessment, deck):
    _, prs = deck
    rows = table_rows(list(prs.slides)[PLAN])
    assert rows[0][:2] == ["Action", "Pillar"]
    pillars = assessment.scores.pillars
    assert sorted(r[1] for r in rows[1:]) == sorted(pillars["name"])
    # The staff's classes, except that a customers' blind spot the staff would keep is done differently.
    blind = set(assessment.voice.blind.index) if assessment.voice is not None else set()
    for action, name, index, _, statement in rows[1:]:
        pillar = pillars[pillars["name"] == name].iloc[0]
        moved = pillar.name in blind and pillar["action"] == "keep"
        expected = "do_differently" if moved else pillar["action"]
        assert action == ACTIONS[expected] and index == f"{pillar['index']:.0f}"
        assert statement.startswith("Why not keep: Customers rate it") == moved  # the slide says why it moved
    order = [r[0] for r in rows[1:]]
    assert order == sorted(order, key=lambda label: [ACTIONS[a] for a in actions.PLAN_ORDER].index(label))


def test_roadmap_table_is_every_priority_in_order(assessment, deck):
    _, prs = deck
    rows = table_rows(list(prs.slides)[ROADMAP])[1:]
    expected = actions.priorities(assessment.verdict_scores, 12, within_noise=assessment.within_noise)
    assert [r[1] for r in rows] == list(expected["name"])  # every priority, first first, each once
    assert [int(r[0].split(".")[0]) for r in rows] == list(range(1, len(rows) + 1))
    assert "Touchpoint & interaction design" not in [r[1] for r in rows]  # kept: no step


def test_customers_slide_gives_nps_csat_and_the_blind_spot_verdict(assessment, deck):
    _, prs = deck
    slide = list(prs.slides)[5]
    text = texts(slide)
    o = assessment.voice.overall
    assert f"{o['nps']:+.0f}" in text and f"{o['csat']:.0f}%" in text
    assert "Service recovery: staff 66, customers 27. Verdict: Do differently, not keep" in text


@needs_libreoffice
def test_libreoffice_converts_the_deck_to_eight_pages(deck, tmp_path):
    path, _ = deck
    pdf = libreoffice_convert(path, "pdf", tmp_path)
    pages = PdfReader(pdf).pages
    assert len(pages) == 8
    assert "Executive summary" in pages[1].extract_text()


def test_formats(tmp_path):
    assert DEFAULT_FORMATS == ("html", "pdf")
    assert parse_formats("xlsx, PPTX") == ("xlsx", "pptx")


def test_report_writes_workbook_and_deck_end_to_end(tmp_path, capsys):
    client = CLIENTS / "harbour-hotels"
    assert main(["report", str(client), "--out", str(tmp_path), "--format", "xlsx,pptx"]) == 0
    run = tmp_path / "harbour-hotels" / "latest"
    names = {p.name for p in run.iterdir()}
    assert {"results.xlsx", "deck.pptx", "scores.json"} <= names
    assert not names & {"report.html", "report.pdf"}
    document = json.loads((run / "scores.json").read_text())
    book = load_workbook(run / "results.xlsx")
    ids = [r[0] for r in book["Scorecard details"].iter_rows(min_row=2, values_only=True)]
    header, *rows = list(book["Scorecard"].iter_rows(values_only=True))
    assert ids[:-1] == [p["id"] for p in document["pillars"]]
    assert [r[0] for r in rows[:-1]] == [p["name"] for p in document["pillars"]]
    # the cell holds the figure (displayed rounded) to the 15 significant digits a spreadsheet keeps
    index = header.index("Index (0-100)")
    assert [r[index] for r in rows[:-1]] == pytest.approx([p["index"] for p in document["pillars"]], rel=1e-13)
    prs = Presentation(run / "deck.pptx")
    assert prs.slides[0].shapes.title.text == document["client"]["name"]
    assert len(prs.slides) == 8  # the seven, and the client's own plan (plan.yaml)
    assert Emu(prs.slide_width) == SLIDE_WIDTH


def test_batch_writes_workbook_and_deck_for_each_client(tmp_path):
    batch = run_batch(CLIENTS, tmp_path, workers=1, formats=("xlsx", "pptx"), only=["harbour-hotels"])
    assert [r.status for r in batch.results] == ["ok"]
    run = tmp_path / "harbour-hotels" / "latest"
    assert load_workbook(run / "results.xlsx").sheetnames[0] == "Scorecard"
    assert len(Presentation(run / "deck.pptx").slides) == 8  # with the client's own plan
