"""The Word report (``--format docx``): read back with python-docx, element by element.

The unit tests build documents from small HTML fragments (as the report's sections are); the
slow ones run a whole report and set the .docx beside the HTML report and the Assessment.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import re
import shutil
from pathlib import Path

import docx
import lxml.html
import nbformat
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from PIL import Image

from conftest import LIBREOFFICE, ROOT, libreoffice_convert
from cxassess.analysis.assessment import assess
from cxassess.analysis.scoring import ACTIONS
from cxassess.core.errors import CxError
from cxassess.inputs.clients import load_client
from cxassess.render.docx_report import build_document, check_reference, fragments
from cxassess.run.report import build_report

CLIENTS = ROOT / "data" / "clients"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = '<script>alert("x")</script> <b>bold</b> {{ 7*7 }}'
needs_soffice = pytest.mark.skipif(
    not LIBREOFFICE, reason="LibreOffice (soffice) is not installed (apt-get install libreoffice-writer); the .docx "
    "is still read back with python-docx by the other tests")


def texts(document) -> list[str]:
    """Every paragraph's text: the body's, then every table cell's (nested tables too)."""
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return out


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name == "Title" or p.style.name.startswith("Heading")]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def png(width: int = 220, height: int = 110) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


# ------------------------------------------------------------------ unit: fragments to Word


SECTION = """
<header><h1>Client &amp; Co</h1><p class="cx-meta">Retail · 12 respondents</p></header>
"""
BODY = f"""
<section class="cx-section"><div><h2>1. First</h2><p class="cx-note">A note.</p>
<table class="cx-table"><thead><tr><th>Pillar</th><th>Index</th><th>Question</th></tr></thead>
<tbody><tr><td rowspan="2">Alpha</td><td rowspan="2" style="background:#72b2d8;color:#000">51</td><td>Q one</td></tr>
<tr><td>Q two</td></tr><tr><td colspan="3">Evidence across the row</td></tr></tbody></table>
<h3>Part</h3><ol><li>one</li><li>two</li></ol><ol><li>again</li></ol><ul><li>dot <strong>bold</strong></li></ul>
<img alt="Chart of things" src="data:image/png;base64,{png()}"></div></section>
"""


def test_headings_tables_lists_and_pictures_are_word_parts():
    document = build_document([SECTION, BODY], title="Client & Co: assessment")
    assert headings(document) == [("Title", "Client & Co"), ("Heading 1", "1. First"), ("Heading 2", "Part")]
    rows = table_rows(document.tables[0])
    # rowspan: the merged cell shows in both grid rows; colspan: across the row
    assert rows == [["Pillar", "Index", "Question"], ["Alpha", "51", "Q one"], ["Alpha", "51", "Q two"],
                    ["Evidence across the row"] * 3]
    table = document.tables[0]
    assert table.cell(1, 0)._tc is table.cell(2, 0)._tc  # one Word cell, merged down
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated on every page
    fill = table.cell(1, 1)._tc.xpath("./w:tcPr/w:shd/@w:fill")
    assert fill == ["72B2D8"]  # the index colour of the HTML cell
    listed = [p.text for p in document.paragraphs if p.text in ("1. one", "2. two", "1. again") or "dot" in p.text]
    assert listed == ["1. one", "2. two", "1. again", "dot bold"]  # each list counts from 1
    bullet = next(p for p in document.paragraphs if p.text == "dot bold")
    assert bullet.style.name == "List Bullet" and bullet.runs[-1].bold
    assert document.inline_shapes[0]._inline.docPr.get("descr") == "Chart of things"
    assert document.core_properties.title == "Client & Co: assessment"


def test_a_chart_is_as_wide_as_in_the_report_but_never_wider_than_the_page():
    small, wide = png(220), png(5000)
    document = build_document([f'<img alt="a" src="data:image/png;base64,{small}">',
                               f'<img alt="b" src="data:image/png;base64,{wide}">'])
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    first, second = document.inline_shapes
    assert first.width == pytest.approx(220 / 110 * 914400, abs=2)  # the report's 110 dpi
    assert second.width == text_width


def test_contents_field_before_the_first_section_and_page_numbers_in_the_footer():
    document = build_document([SECTION, BODY])
    body = document.element.body
    instructions = [t.text.strip() for t in body.iter(qn("w:instrText"))]
    assert instructions == ['TOC \\o "1-3" \\h \\z \\u']
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs.index("Contents") < paragraphs.index("1. First")
    assert paragraphs.index("Client & Co") < paragraphs.index("Contents")
    footer = document.sections[0].footer
    assert [t.text.strip() for t in footer._element.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]
    assert document.settings.element.xpath("./w:updateFields/@w:val") == ["true"]  # Word fills the contents


def test_hostile_text_comes_out_as_literal_text():
    hostile = f"{FORMULA} {MARKUP} bell\x07esc\x1b[31m end\ufffe"
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    document = build_document([f"<section><h2>10. Words</h2><ul><li>{escaped}</li></ul>"
                               f"<table><tr><td>{escaped}</td></tr></table></section>"])
    expected = f"{FORMULA} {MARKUP} bellesc[31m end"  # only the characters XML cannot hold are gone
    assert expected in texts(document)
    assert texts(document).count(expected) == 2
    item = next(p for p in document.paragraphs if p.text == expected)
    assert item.runs and not any(run.bold for run in item.runs)  # <b> in the text made nothing bold
    assert not document.element.body.xpath(".//w:instrText[contains(., 'HYPERLINK')]")
    assert not document.element.body.xpath(".//w:hyperlink")


def reference_document(path: Path, heading_font: str = "Courier New") -> Path:
    """A consultancy's reference: Heading 1 in another font and colour, its own footer, text to drop."""
    reference = docx.Document()
    style = reference.styles["Heading 1"]
    style.font.name, style.font.size, style.font.color.rgb = heading_font, Pt(21), RGBColor(0x8B, 0x00, 0x00)
    reference.add_paragraph("REFERENCE BODY TEXT: never in a report")
    reference.sections[0].footer.paragraphs[0].text = "Consultancy Ltd, confidential"
    reference.sections[0].left_margin = Pt(100)
    reference.save(path)
    return path


def test_a_reference_document_gives_its_styles_page_and_footer_but_not_its_text(tmp_path):
    reference = reference_document(tmp_path / "house.docx")
    document = build_document([SECTION, BODY], reference=reference)
    heading = next(p for p in document.paragraphs if p.text == "1. First")
    assert heading.style.name == "Heading 1"
    assert heading.style.font.name == "Courier New" and heading.style.font.size == Pt(21)
    assert heading.style.font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    assert not any("REFERENCE BODY" in t for t in texts(document))
    assert document.sections[0].left_margin == Pt(100)
    footer = document.sections[0].footer
    assert [p.text for p in footer.paragraphs] == ["Consultancy Ltd, confidential"]  # theirs, not ours
    # without a reference the same heading has python-docx's own look
    assert build_document([BODY]).styles["Heading 1"].font.name != "Courier New"


def test_a_reference_without_heading_styles_gets_them_with_outline_levels(tmp_path):
    bare = docx.Document()
    for name in ("Heading 1", "Heading 2", "Title", "List Bullet", "Table Grid"):
        bare.styles[name].delete()
    bare.save(tmp_path / "bare.docx")
    document = build_document([SECTION, BODY], reference=tmp_path / "bare.docx")
    assert headings(document)[:2] == [("Title", "Client & Co"), ("Heading 1", "1. First")]
    style = document.styles["Heading 1"]
    assert style.element.xpath("./w:pPr/w:outlineLvl/@w:val") == ["0"]  # the navigation pane reads it
    assert document.tables[0]._tbl.xpath("./w:tblPr/w:tblBorders")  # no Table Grid: borders of its own
    assert "• dot bold" in texts(document)


def test_a_reference_that_is_not_a_word_document_is_refused(tmp_path):
    fake = tmp_path / "house.docx"
    fake.write_text("not a zip")
    with pytest.raises(CxError) as exc:
        check_reference(fake)
    assert str(fake) in str(exc.value) and "not a Word document" in str(exc.value)
    with pytest.raises(CxError, match="no such reference document"):
        check_reference(tmp_path / "missing.docx")
    assert check_reference(None) is None


def test_fragments_are_what_the_html_report_shows():
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "execute_result", data={"text/html": "<p>shown</p>", "text/plain": "<Html>"}, execution_count=1)])
    hidden = nbformat.v4.new_code_cell("y", metadata={"tags": ["remove"]}, outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<p>hidden</p>"})])
    picture = nbformat.v4.new_code_cell("z", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": png(), "text/plain": "<Radar \"chart\">"})])
    stream = nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output("stream", text="log line")])
    nb.cells = [nbformat.v4.new_markdown_cell("# notes"), shown, hidden, picture, stream]
    parts = fragments(nb)
    assert parts[0] == "<p>shown</p>" and len(parts) == 2
    image = lxml.html.fragment_fromstring(parts[1])
    assert image.get("alt") == 'Radar "chart"' and image.get("src").startswith("data:image/png;base64,")


# ------------------------------------------------------------------ a whole report, read back


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Path:
    """BrightPath (three waves, customer feedback) with markup, a formula and control characters in it."""
    folder = tmp_path_factory.mktemp("clients") / "brightpath-software"
    shutil.copytree(CLIENTS / "brightpath-software", folder)
    answers = load_client(folder).responses_file
    with open(answers, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("vision_1:comment")] = f"{FORMULA} {MARKUP} bell\x07"
    with open(answers, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    config = folder / "client.yaml"
    config.write_text(config.read_text().replace("name: BrightPath Software", "name: BrightPath <i>Software</i>"))
    return folder


@pytest.fixture(scope="module")
def run(client, tmp_path_factory):
    return build_report(client, tmp_path_factory.mktemp("reports"), formats=("html", "docx", "xlsx"))


@pytest.fixture(scope="module")
def word(run):
    return docx.Document(str(run.folder / "report.docx"))


@pytest.fixture(scope="module")
def html(run):
    return lxml.html.fromstring((run.folder / "report.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def assessment(client):
    return assess(client)


@pytest.mark.slow
def test_headings_are_the_html_reports_in_order(word, html):
    level = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
    expected = [(level[h.tag], " ".join(h.text_content().split())) for h in html.iter("h1", "h2", "h3", "h4")]
    assert headings(word) == expected
    sections = [text for style, text in expected if style == "Heading 1"]
    assert sections[0] == "1. Executive summary" and sections[-1] == "Appendix: Provenance"
    assert "13. Progress since last assessment" in sections and "14. What your customers say" in sections


@pytest.mark.slow
def test_every_pillar_is_named(word, assessment):
    shown = "\n".join(texts(word))
    assert all(p.name in shown for p in assessment.client.template.pillars)


def _fmt(value, digits: int = 0) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


@pytest.mark.slow
def test_the_scorecard_table_has_the_assessments_figures(word, assessment):
    terms = assessment.client.template.terms
    header = ["Pillar", "Index", terms.target, "Gap", terms.importance, "Maturity", "n", "Agreement (rwg)", "Verdict",
              "95% interval", f"Mean · {terms.target.lower()} (1-5)"]
    table = next(t for t in word.tables if table_rows(t)[0] == header)
    ci = assessment.intervals
    expected = [[p["name"], _fmt(p["index"]), _fmt(p["target_index"]), _fmt(p["gap_index"]),
                 _fmt(p["importance_index"]), p["maturity"] or "–", str(p["n"]), _fmt(p["rwg"], 2),
                 ACTIONS.get(p["action"], "–"), f"{_fmt(ci.at[pid, 'ci_low'])}–{_fmt(ci.at[pid, 'ci_high'])}",
                 f"{_fmt(p['mean'], 2)} · {_fmt(p['target'], 1)}"]
                for pid, p in assessment.verdict_scores.pillars.iterrows()]
    rows = table_rows(table)[1:]
    for row in rows:  # a moved verdict says so under it ("not keep: see below"): the verdict is the cell's start
        row[8] = row[8].split("not ")[0].strip()
        row[3] = row[3].replace("within noise", "").strip()
    assert rows == expected


@pytest.mark.slow
def test_the_action_plan_and_breakdowns_are_word_tables(word, assessment):
    plan = [row for t in word.tables if table_rows(t)[0] == ["Pillar", "Index", "The questions behind it", "Index"]
            for row in table_rows(t)[1:] if len(set(row)) > 1]  # the customers' evidence spans the row
    expected = [[r["pillar"], _fmt(r["pillar_index"]), r["question"] + (
        " (negatively worded: the index rises as people disagree)" if r["reverse"] else ""), _fmt(r["question_index"])]
        for r in assessment.plan.to_dict("records")]
    assert sorted(plan) == sorted(expected)
    for segment, frame in assessment.breakdowns.items():
        labels = [f"{g} (suppressed)" if s else f"{g} (n={n})" for g, n, s in
                  zip(frame["group"], frame["n"], frame["suppressed"])]
        table = next(t for t in word.tables if table_rows(t)[0] == ["Pillar", *labels])
        overall = [_fmt(None if s else v) for v, s in zip(frame["overall_index"], frame["suppressed"])]
        assert table_rows(table)[1] == ["Overall", *overall]


@pytest.mark.slow
def test_contents_page_numbers_and_alt_text(word, html):
    assert [t.text.strip() for t in word.element.body.iter(qn("w:instrText"))] == ['TOC \\o "1-3" \\h \\z \\u']
    footer = word.sections[0].footer._element
    assert "PAGE" in [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    alts = [img.get("alt") for img in html.iter("img")]
    assert [s._inline.docPr.get("descr") for s in word.inline_shapes] == alts and all(alts)


@pytest.mark.slow
def test_the_client_s_markup_formulas_and_control_characters_are_literal_text(word):
    shown = texts(word)
    assert "BrightPath <i>Software</i>" in shown
    assert any(t.startswith(f"{FORMULA} {MARKUP} bell") for t in shown)
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in shown)
    assert not word.element.body.xpath(".//w:hyperlink")


@pytest.mark.slow
def test_a_reference_document_styles_a_whole_report(client, tmp_path):
    reference = reference_document(tmp_path / "house.docx", heading_font="Georgia")
    run = build_report(client, tmp_path / "reports", formats=("docx",), docx_reference=reference)
    document = docx.Document(str(run.folder / "report.docx"))
    assert document.styles["Heading 1"].font.name == "Georgia"
    assert headings(document)[1] == ("Heading 1", "1. Executive summary")
    assert not any("REFERENCE BODY" in t for t in texts(document))


@pytest.mark.slow
@needs_soffice
def test_libreoffice_opens_the_word_report(run, tmp_path):
    from pypdf import PdfReader

    pdf = libreoffice_convert(run.folder / "report.docx", "pdf", tmp_path)
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 5 and "1. Executive summary" in text and "Appendix: Provenance" in text


@pytest.mark.slow
def test_no_table_of_the_report_breaks_a_word_and_the_scorecard_is_on_a_landscape_page(word):
    from docx.enum.section import WD_ORIENT
    from test_docx_tables import cramped

    assert cramped(word) == []
    assert [s.orientation for s in word.sections][:3] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    body = list(word.element.body)
    scorecard = next(t._tbl for t in word.tables if table_rows(t)[0][:2] == ["Pillar", "Index"])
    breaks = [i for i, e in enumerate(body) if e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    assert breaks[0] < body.index(scorecard) < breaks[1]  # between the first section's end and the second's


@pytest.mark.slow
@needs_soffice
def test_libreoffice_prints_the_scorecard_with_whole_words(run, assessment, tmp_path):
    from pypdf import PdfReader

    pdf = libreoffice_convert(run.folder / "report.docx", "pdf", tmp_path)
    page = next(p.extract_text() for p in PdfReader(pdf).pages if "2. Pillar scorecard" in p.extract_text())
    printed = set(page.split())
    words = {w for p in assessment.client.template.pillars for w in p.name.split()}
    assert words <= printed, sorted(words - printed)  # a word broken over two lines would be two other tokens


@pytest.mark.slow
def test_every_format_carries_the_input_files_sha256(run, client, word, html):
    """The provenance appendix: hashes recomputed here with hashlib, found in HTML, Word, workbook and JSON."""
    import hashlib
    import json

    from openpyxl import load_workbook

    from cxassess.analysis.document import validate

    loaded = load_client(client)
    files = [loaded.responses_file, client / "client.yaml", loaded.feedback_file,
             *(w.responses_file for w in loaded.waves), loaded.template_files["client.yaml"]]
    digests = {hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    assert len(digests) == 6  # three waves' answers, client.yaml, feedback, questionnaire
    page = html.text_content()
    document = "\n".join(texts(word))
    about = load_workbook(run.folder / "results.xlsx")["About"]
    cells = "\n".join(str(c.value) for row in about.iter_rows() for c in row if c.value is not None)
    scores = json.loads((run.folder / "scores.json").read_text(encoding="utf-8"))
    validate(scores)
    recorded = {f["sha256"] for f in scores["provenance"]["inputs"]} | {scores["provenance"]["questionnaire"]["sha256"]}
    for digest in digests:
        assert digest in page and digest in document and digest in cells
    assert recorded == digests
    assert scores["provenance"]["parameters"]["client_dir"] == str(client.resolve())
    assert scores["provenance"]["wave"]["id"] == loaded.wave.id
    assert f"{loaded.wave.id} ({loaded.wave.date.isoformat()})" in document  # the appendix's wave line


def test_report_and_batch_refuse_a_bad_reference_before_any_work(tmp_path, capsys):
    from cxassess.cli import main

    fake = tmp_path / "house.docx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "reports"
    assert main(["report", str(CLIENTS / "harbour-hotels"), "--format", "docx", "--docx-reference", str(fake),
                 "--out", str(out)]) == 1
    assert f"{fake}: not a Word document" in capsys.readouterr().err
    assert main(["batch", str(CLIENTS), "--format", "html,docx", "--docx-reference", str(tmp_path / "none.docx"),
                 "--out", str(out)]) == 1
    assert "no such reference document" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_a_batch_hands_the_reference_to_its_workers(tmp_path):
    from cxassess.cli import main

    reference = reference_document(tmp_path / "house.docx", heading_font="Garamond")
    out = tmp_path / "reports"
    assert main(["batch", str(CLIENTS), "--only", "riverside-energy", "--format", "docx", "--workers", "1",
                 "--docx-reference", str(reference), "--out", str(out)]) == 0
    document = docx.Document(str(out / "riverside-energy" / "latest" / "report.docx"))
    assert document.styles["Heading 1"].font.name == "Garamond"
    assert [p.text for p in document.sections[0].footer.paragraphs] == ["Consultancy Ltd, confidential"]


def test_white_space_collapses_as_in_html_and_br_breaks_the_line():
    document = build_document(["<p>\n  one <strong> two </strong>  three<br>\n four  </p>"])
    para = next(p for p in document.paragraphs if "one" in p.text)
    assert para.text == "one two three\nfour"
    assert [r.text for r in para.runs if r.bold] == ["two "]
    assert para.runs[-2]._r.xpath("./w:br")  # a real line break, not a new paragraph


def test_the_document_properties_are_the_report_s_not_the_template_s():
    import datetime as dt

    properties = build_document([BODY], title="Client: assessment").core_properties
    assert (properties.title, properties.author, properties.comments) == ("Client: assessment", "cxassess", "")
    now = dt.datetime.now(dt.timezone.utc)
    for when in (properties.created, properties.modified):  # now, not python-docx's template date (2013)
        assert abs((when.replace(tzinfo=dt.timezone.utc) - now).total_seconds()) < 600


def test_columns_are_as_wide_as_their_texts_need_within_the_page():
    document = build_document([BODY])
    table = document.tables[0]
    widths = [column.width for column in table.columns]
    section = document.sections[0]
    assert sum(widths) == pytest.approx(section.page_width - section.left_margin - section.right_margin, abs=20)
    # "Evidence across the row" spans all three columns, so it widens none of them
    # measured in the font, not counted in characters: bold "Index" is a little wider than bold "Pillar"
    assert widths[2] > widths[1] > widths[0]  # "Question" against "Index"/"51" against "Pillar"/"Alpha"
    assert [c.width for c in table.rows[1].cells] == [widths[0], widths[1], widths[2]]
