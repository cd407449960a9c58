"""The Word report's tables are readable: no column narrower than its longest word at the table's text size
(measured here from the .docx XML with matplotlib's text metrics), and a table too wide for an upright page
gets a landscape page of its own."""

from __future__ import annotations

from functools import lru_cache

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from cxassess.render.docx_report import build_document

TWIPS = 20  # per point
LONGEST = 40  # characters: longer "words" (the appendix's SHA-256 digests, paths) wrap wherever they must
PILLARS = ["Service vision & leadership", "Knowing the real customer need", "Touchpoint & interaction design",
           "Goals & measurement", "Employee accountability", "Continuous improvement & communicating the strategy"]
HEADER = ["Pillar", "Index", "Target", "Gap", "Importance to customers", "Maturity", "n", "Agreement (rwg)", "Verdict",
          "95% interval", "Mean · target (1-5)"]
# an eleven-column scorecard as the report's section 2 writes it
WIDE = ("<section><h2>2. Pillar scorecard</h2><table class='cx-table'><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr></thead><tbody>"
        + "".join(f"<tr><td>{name}</td><td>51</td><td>80</td><td>29</td><td>78</td><td>Defined</td><td>64</td>"
                  "<td>0.91</td><td><strong>Do differently</strong></td><td>48–55</td><td>3.05 · 4.2</td></tr>"
                  for name in PILLARS)
        + "</tbody></table><p>Every figure is on the 0-100 index.</p></section>")
BEFORE = "<section><h2>1. Executive summary</h2><p>Overall index 49.</p></section>"
AFTER = ("<section><h2>3. Next</h2><table><thead><tr><th>Pillar</th><th>Index</th></tr></thead>"
         "<tbody><tr><td>Goals &amp; measurement</td><td>53</td></tr></tbody></table></section>")


@lru_cache(maxsize=None)
def word_width(word: str, size: float, bold: bool) -> float:
    """``word``'s width in points in DejaVu Sans (what LibreOffice prints when Calibri is missing)."""
    font = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=size)
    return TextToPath().get_text_width_height_descent(word, font, ismath=False)[0]


def cramped(document) -> list[tuple]:
    """(word, its width, the room its column gives) for every word wider than its column, in every table."""
    found = []
    for tbl in document.element.body.iter(qn("w:tbl")):
        columns = [int(c.get(qn("w:w"))) / TWIPS for c in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
        margins = sum(int(e.get(qn("w:w"))) / TWIPS for e in tbl.iter(qn("w:left"), qn("w:right"))
                      if e.getparent().tag == qn("w:tblCellMar"))
        for tr in tbl.findall(qn("w:tr")):
            column = 0
            for tc in tr.findall(qn("w:tc")):
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                span = int(span.get(qn("w:val"))) if span is not None else 1
                room = sum(columns[column:column + span]) - margins
                for run in tc.iter(qn("w:r")):
                    words = "".join(t.text or "" for t in run.iter(qn("w:t"))).split()
                    size = run.find(f"{qn('w:rPr')}/{qn('w:sz')}")
                    assert size is not None or not words, ("a table's text names its size", words)
                    bold = run.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
                    for word in (w for w in words if len(w) <= LONGEST):
                        width = word_width(word, int(size.get(qn("w:val"))) / 2, bold)
                        if width > room:
                            found.append((word, round(width, 1), round(room, 1)))
                column += span
    return found


def text_width(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU per point


def test_a_wide_table_gets_a_landscape_page_and_whole_words():
    document = build_document([BEFORE, WIDE, AFTER])
    sections = document.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert sections[1].page_width > sections[1].page_height
    assert (sections[2].page_width, sections[2].left_margin) == (sections[0].page_width, sections[0].left_margin)
    scorecard = document.tables[0]
    total = sum(c.width for c in scorecard.columns) / 12700
    assert text_width(sections[0]) < total <= text_width(sections[1]) + 1  # too wide upright, fits turned
    assert cramped(document) == []
    sizes = {r.font.size.pt for row in scorecard.rows for c in row.cells for p in c.paragraphs for r in p.runs}
    assert min(sizes) >= 8  # still a readable size


def test_narrow_tables_stay_upright():
    document = build_document([BEFORE, AFTER])
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT]
    assert cramped(document) == []


def test_the_footer_is_written_once_and_shown_on_the_landscape_page_too():
    document = build_document([BEFORE, WIDE, AFTER])
    first, *later = document.sections
    assert sum("Page" in p.text for p in first.footer.paragraphs) == 1
    assert all(s.footer.is_linked_to_previous for s in later)  # they show the first section's footer


@pytest.mark.parametrize("columns", [12, 13])
def test_a_table_too_wide_even_turned_gets_smaller_text_not_broken_words(columns):
    """Columns of "differently": twelve fit a turned page at 9 pt, thirteen only at a smaller size (at least 8 pt)."""
    cells = "".join("<td>differently</td>" for _ in range(columns))
    document = build_document([f"<h2>Wide</h2><table><tbody><tr>{cells}</tr></tbody></table>"])
    assert cramped(document) == []
    (size,) = {r.font.size.pt for c in document.tables[0].rows[0].cells for p in c.paragraphs for r in p.runs}
    room = text_width(document.sections[-1])
    margins = 2 * 3.6  # the cells' left and right margins (tblCellMar 72 twips each)
    fits_at_9 = columns * (word_width("differently", 9, False) + margins) <= room
    assert 8 <= size <= 9 and (size == 9) == fits_at_9
