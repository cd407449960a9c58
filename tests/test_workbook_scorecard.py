"""The workbook's Scorecard holds what the client reads, few enough columns to print at a readable size one
page wide; every statistic behind it is on the Scorecard details sheet, with the figures of scores.json."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import matplotlib
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import ImageFont
from pypdf import PdfReader

from conftest import ROOT, libreoffice_convert, needs_libreoffice, written_workbook
from cxassess.analysis.assessment import assess
from cxassess.analysis.scoring import ACTIONS
from cxassess.run.report import scores_document

CLIENTS = ROOT / "data" / "clients"
MOST_COLUMNS = 10
SMALLEST_PRINT = 8.0  # points
A4_LONG_SIDE = 297 / 25.4 * 72  # points
# the technical columns: heading on the details sheet -> the pillar's field in scores.json
TECHNICAL = {"Pillar id": "id", "Stage": "stage", "Weight": "weight", "Respondents": "n",
             "Index 95% interval: low": "ci_low", "Index 95% interval: high": "ci_high",
             "Gap within noise": "within_noise", "Spread (sd)": "sd", "Agreement (rwg)": "rwg",
             "Cronbach's alpha": "alpha", "Importance-performance class": "action_ipa", "Mean (1-5 scale)": "mean",
             "Target (1-5 scale)": "target", "Gap (1-5 scale)": "gap",
             "Importance to customers (1-5 scale)": "importance"}


def rows(ws) -> list[dict]:
    header, *body = list(ws.iter_rows(values_only=True))
    return [dict(zip(header, r)) for r in body if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def northwind():
    return assess(CLIENTS / "northwind-retail")  # customer feedback moves one verdict: a reason to show


@pytest.fixture(scope="module")
def book(northwind, tmp_path_factory):
    return written_workbook(northwind, tmp_path_factory.mktemp("xlsx"))


def test_the_scorecard_keeps_what_the_client_reads(book):
    _, wb = book
    header = [c.value for c in wb["Scorecard"][1]]
    assert len(header) <= MOST_COLUMNS
    assert header[:3] == ["Pillar", "Index (0-100)", "Target (0-100)"]
    assert {"Gap (index points)", "Importance to customers (0-100)", "Maturity", "Verdict",
            "Why the verdict differs"} <= set(header)
    assert not set(header) & set(TECHNICAL)


def _digit_width(points: float) -> float:
    """The width of "0" in DejaVu Sans (what LibreOffice prints when Calibri is missing, wider than Calibri)."""
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(font), 100 * points).getlength("0") / 100


def test_the_scorecard_prints_at_a_readable_size_one_page_wide(book):
    """A column's width counts widths of the font's "0"; fitted to the printable width, the text shrinks with it."""
    _, wb = book
    ws = wb["Scorecard"]
    size = ws["A2"].font.sz or 11
    columns = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, ws.max_column + 1))
    printable = A4_LONG_SIDE - 72 * (ws.page_margins.left + ws.page_margins.right)
    scale = min(1.0, printable / (columns * _digit_width(size)))
    assert size * scale >= SMALLEST_PRINT, (columns, scale)


def _same(shown, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return shown is None
    if isinstance(expected, bool):
        return shown == ("yes" if expected else "no")
    if isinstance(expected, float):
        return shown == pytest.approx(expected, rel=1e-12, abs=1e-12)
    return shown == expected


def test_every_technical_column_is_on_the_details_sheet_as_in_scores_json(northwind, book):
    _, wb = book
    document = scores_document(northwind)
    details = rows(wb["Scorecard details"])
    assert set(TECHNICAL) <= set(details[0])
    assert [r["Pillar"] for r in details] == [r["Pillar"] for r in rows(wb["Scorecard"])]  # one row order
    assert [r["Pillar id"] for r in details] == [p["id"] for p in document["pillars"]] + ["overall"]
    for row, pillar in zip(details, document["pillars"]):
        for heading, key in TECHNICAL.items():
            expected = ACTIONS[pillar[key]] if key == "action_ipa" else pillar[key]
            assert _same(row[heading], expected), (pillar["id"], heading, row[heading], expected)
    overall = details[-1]
    assert overall["Respondents"] == document["respondents"]
    for heading in ("Index 95% interval: low", "Index 95% interval: high", "Gap within noise", "Mean (1-5 scale)",
                    "Target (1-5 scale)", "Gap (1-5 scale)"):
        assert _same(overall[heading], document["overall"][TECHNICAL[heading]]), heading


def _body_size(pdf: Path) -> float:
    """The printed size (points) of most of the PDF's characters: font size times the text and page matrices' scale."""
    sizes: Counter[float] = Counter()

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            sizes[round(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]), 2)] += len(text.strip())

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_prints_the_scorecard_on_one_page_at_a_readable_size(book, tmp_path):
    path, _ = book
    wb = load_workbook(path)
    for name in wb.sheetnames[1:]:
        del wb[name]
    single = tmp_path / "scorecard.xlsx"
    wb.save(single)
    pdf = libreoffice_convert(single, "pdf", tmp_path)
    assert len(PdfReader(pdf).pages) == 1
    assert _body_size(pdf) >= SMALLEST_PRINT  # the cells' text (the margins' header and footer are smaller)
