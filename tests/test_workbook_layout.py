"""The results workbook prints: every sheet landscape A4, one page wide, its header row repeated, header
cells tall enough for their wrapped text, one named font, the chart on its own sheet, and the method told
in the workbook itself rather than by a path to a file the client does not have."""

from __future__ import annotations

import math
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from conftest import ROOT, libreoffice_convert, needs_libreoffice
from cxassess.analysis.assessment import assess
from cxassess.render.theme import NEUTRAL_FONT
from cxassess.render.workbook import write_workbook
from cxassess.render.workbook_layout import header_lines

CLIENTS = ROOT / "data" / "clients"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = write_workbook(assess(CLIENTS / "northwind-retail"), tmp_path_factory.mktemp("xlsx") / "results.xlsx")
    return path, load_workbook(path)


def test_every_sheet_prints_landscape_a4_one_page_wide(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # 9 is A4 in the OOXML paper codes
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        pages_down = 1 if ws.title == "Chart" else 0  # the chart fitted to one page; tables as long as they are
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == pages_down, ws.title


def test_table_sheets_repeat_their_header_row(book):
    _, wb = book
    for name in ("Scorecard", "Scorecard details", "Questions", "Segments", "Action plan", "Comments", "Comment tone"):
        assert wb[name].print_title_rows == "$1:$1", name  # as read back from the defined name
    assert not wb["About"].print_title_rows  # a list of labelled lines has no header row


def test_the_chart_has_a_sheet_of_its_own(book):
    path, wb = book
    with zipfile.ZipFile(path) as z:
        chart = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/chart"))).decode()
    assert f'<a:latin typeface="{NEUTRAL_FONT}"' in chart  # its texts name the font too
    assert wb.sheetnames[:2] == ["Scorecard", "Chart"]
    assert len(wb["Chart"]._charts) == 1 and wb["Chart"].max_row == 1  # the chart alone, printed on one page
    assert not wb["Scorecard"]._charts


def test_every_filled_cell_names_the_font(book):
    _, wb = book
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == NEUTRAL_FONT, (ws.title, cell.coordinate)


@pytest.mark.parametrize("text, width, lines", [
    ("Index 95% interval: low", 11, 3),  # "Index 95%" / "interval:" / "low" in 9 characters
    ("Gap (index points)", 11, 3),  # 9 characters a line: "Gap" / "(index" / "points)"
    ("Pillar", 50, 1),
    ("Respondents", 12, 2),  # 11 letters do not fit 10 characters: broken once
])
def test_header_lines_counted_by_hand(text, width, lines):
    assert header_lines(text, width) == lines


def test_header_rows_are_tall_enough_for_their_wrapped_text(book):
    _, wb = book
    details = wb["Scorecard details"]
    header = [c.value for c in details[1]]
    column = get_column_letter(header.index("Index 95% interval: low") + 1)
    # "Index 95% interval: low" in a column 11 wide or narrower needs three lines at least (above): 45 points
    assert details.column_dimensions[column].width >= 9 and details.row_dimensions[1].height >= 3 * 15
    for ws in wb.worksheets:
        if ws.print_title_rows != "$1:$1":
            continue
        needed = max(header_lines(c.value, ws.column_dimensions[get_column_letter(c.column)].width or 13)
                     for c in ws[1] if c.value)
        assert ws.row_dimensions[1].height >= needed * 15, ws.title


def test_wrapped_rows_are_tall_enough_for_their_text(book):
    _, wb = book
    about = wb["About"]
    method = next(r for r in range(1, about.max_row + 1) if about.cell(r, 1).value == "Method")
    text = about.cell(method, 2).value
    assert len(text) > 3 * 88  # more than three lines of a 90-wide column, even unwrapped at words
    assert about.row_dimensions[method].height >= 4 * 15
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.alignment.wrap_text and "\n" not in c.value:
                    width = ws.column_dimensions[c.column_letter].width or 13
                    needed = math.ceil(len(c.value) / width)  # a lower bound: no line holds more than its width
                    assert (ws.row_dimensions[c.row].height or 15) >= needed * 15, (ws.title, c.coordinate)


def test_no_cell_sends_the_client_to_a_repository_file(book):
    _, wb = book
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "docs/" in v for v in row), ws.title
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert "weighted average of the pillar indices" in about["Method"]


def test_the_report_method_section_explains_in_place():
    from cxassess.render.sections import method
    html = method(assess(CLIENTS / "northwind-retail")).html
    assert "docs/" not in html and "weighted average of the pillar indices" in html


@pytest.mark.slow
@needs_libreoffice
def test_each_sheet_prints_on_few_pages(book, tmp_path):
    path, _ = book
    for name in load_workbook(path).sheetnames:
        wb = load_workbook(path)
        for other in [s for s in wb.sheetnames if s != name and s != "Scorecard"]:
            del wb[other]  # the chart's data stays
        if name != "Scorecard":
            wb["Scorecard"].sheet_state = "hidden"
        single = tmp_path / f"{name.replace(' ', '_')}.xlsx"
        wb.save(single)
        pages = len(PdfReader(libreoffice_convert(single, "pdf", tmp_path)).pages)
        assert pages <= (1 if name == "Chart" else 4), (name, pages)
