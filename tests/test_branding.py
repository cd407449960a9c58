"""Branding: a consultancy's branding.yaml and client.yaml's block, checked with located errors, merged field
by field, and shown on every deliverable (HTML/PDF report, Word report, deck, workbook); none = neutral."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from matplotlib import pyplot as plt

from conftest import ROOT
from cxassess.core.errors import CxError
from cxassess.inputs import branding as branding_module
from cxassess.inputs.branding import Branding, find_branding, load_branding, merge
from cxassess.render.report_brand import banner, css_string, head_css
from cxassess.render.theme import NEUTRAL, NEUTRAL_FONT, Theme, theme_for

CLIENTS = ROOT / "data" / "clients"
FIRM = "Harbour & Finch Consulting"


def logo(path: Path) -> Path:
    """A small real PNG: a two-colour square."""
    image = np.zeros((40, 80, 3))
    image[:, :40] = (0.04, 0.24, 0.36)
    image[:, 40:] = (0.85, 0.51, 0.17)
    plt.imsave(path, image)
    return path


def branding_file(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "branding.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = f"""branding:
  firm_name: {FIRM}
  logo: logo.png
  primary: "#0b3d5c"
  accent: "#D9822B"
  font: Georgia
"""


@pytest.fixture
def brand(tmp_path) -> Theme:
    logo(tmp_path / "logo.png")
    return theme_for(load_branding(branding_file(tmp_path, GOOD)))


def test_a_good_file_gives_its_fields(tmp_path):
    logo(tmp_path / "logo.png")
    b = load_branding(branding_file(tmp_path, GOOD))
    assert b == Branding(FIRM, (tmp_path / "logo.png").resolve(), "#0B3D5C", "#D9822B", "Georgia")


@pytest.mark.parametrize("line, value, expected", [
    (5, 'accent: "#12345"', r"branding\.yaml:5: branding\.accent: '#12345' is not a colour: write it as \"#RRGGBB\""),
    (4, 'primary: navy', r"branding\.yaml:4: branding\.primary: 'navy' is not a colour"),
    (6, 'font: "Comic; Sans"', r"branding\.yaml:6: branding\.font: 'Comic; Sans' is not a font family name"),
    (6, 'fonts: Georgia', r"branding\.yaml:6: branding\.fonts: unknown key 'fonts'; did you mean 'font'\?"),
])
def test_bad_values_are_located_and_say_how_to_fix(tmp_path, line, value, expected):
    logo(tmp_path / "logo.png")
    lines = GOOD.splitlines()
    lines[line - 1] = "  " + value
    with pytest.raises(CxError, match=expected):
        load_branding(branding_file(tmp_path, "\n".join(lines) + "\n"))


def test_a_missing_logo_is_located(tmp_path):
    with pytest.raises(CxError, match=r"branding\.yaml:3: branding\.logo: logo file 'logo\.png' not found"):
        load_branding(branding_file(tmp_path, GOOD))


def test_a_logo_that_is_not_png_or_jpeg_is_refused(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"GIF89a" + bytes(100))  # named .png, a GIF inside
    with pytest.raises(CxError, match=r"branding\.yaml:3: .*is not a PNG or JPEG image; export the logo as PNG"):
        load_branding(branding_file(tmp_path, GOOD))


def test_a_jpeg_logo_is_accepted(tmp_path):
    plt.imsave(tmp_path / "logo.jpg", np.ones((10, 10, 3)))
    b = load_branding(branding_file(tmp_path, GOOD.replace("logo.png", "logo.jpg")))
    assert branding_module.logo_kind(b.logo_path) == "jpeg"


def test_a_logo_too_large_is_refused(tmp_path, monkeypatch):
    size = logo(tmp_path / "logo.png").stat().st_size
    monkeypatch.setattr(branding_module, "LOGO_MAX_BYTES", size - 1)
    with pytest.raises(CxError, match=r"branding\.yaml:3: .*more than the .* MB allowed; save a smaller PNG"):
        load_branding(branding_file(tmp_path, GOOD))


def copy_client(tmp_path: Path, block: str = "") -> Path:
    folder = tmp_path / "clients" / "northwind-retail"
    shutil.copytree(CLIENTS / "northwind-retail", folder)
    if block:
        with open(folder / "client.yaml", "a", encoding="utf-8") as f:
            f.write("\n" + block)
    return folder


def test_client_yaml_overrides_the_consultancy_field_by_field(tmp_path, monkeypatch):
    monkeypatch.delenv("CXASSESS_BRANDING", raising=False)
    client = copy_client(tmp_path, 'branding:\n  accent: "#00AA00"\n  firm_name: Co-branded Ltd\n')
    logo(tmp_path / "logo.png")
    branding_file(tmp_path, GOOD)  # beside the clients folder: tmp_path/branding.yaml
    b = find_branding(client)
    assert (b.firm_name, b.accent) == ("Co-branded Ltd", "#00AA00")  # the client's
    assert (b.primary, b.font, b.logo_path) == ("#0B3D5C", "Georgia", (tmp_path / "logo.png").resolve())  # the firm's
    assert merge(None, None) is None and merge(b, None) is b


def test_the_file_is_found_by_flag_then_environment_then_beside_the_clients(tmp_path, monkeypatch):
    client = copy_client(tmp_path)
    monkeypatch.delenv("CXASSESS_BRANDING", raising=False)
    assert find_branding(client) is None  # nothing anywhere: the neutral look
    other = tmp_path / "elsewhere"
    logo(tmp_path / "logo.png")
    branding_file(tmp_path, GOOD)
    assert find_branding(client).firm_name == FIRM
    branding_file(other, "branding:\n  firm_name: From the environment\n")
    monkeypatch.setenv("CXASSESS_BRANDING", str(other / "branding.yaml"))
    assert find_branding(client).firm_name == "From the environment"
    flag = branding_file(tmp_path / "flag", "branding:\n  firm_name: From the flag\n")
    assert find_branding(client, flag).firm_name == "From the flag"


def test_a_bad_client_block_is_located_in_client_yaml(tmp_path, monkeypatch):
    monkeypatch.delenv("CXASSESS_BRANDING", raising=False)
    client = copy_client(tmp_path, 'branding:\n  primary: "#GGGGGG"\n')
    line = (client / "client.yaml").read_text().splitlines().index('  primary: "#GGGGGG"') + 1
    with pytest.raises(CxError, match=rf"client\.yaml:{line}: branding\.primary: '#GGGGGG' is not a colour"):
        find_branding(client)
    from cxassess.inputs.clients import load_client
    with pytest.raises(CxError, match=rf"client\.yaml:{line}: branding\.primary"):  # `cxassess validate` too
        load_client(client)


def test_no_branding_is_the_neutral_look():
    assert theme_for(None) is NEUTRAL
    assert head_css(NEUTRAL) == "" and banner(NEUTRAL) == ""  # the HTML page exactly as before
    assert NEUTRAL.font == NEUTRAL_FONT and NEUTRAL.firm_name is None and NEUTRAL.logo is None


def test_html_brand_css_and_banner(brand):
    css = head_css(brand)
    assert "--cx-ink: #0B3D5C" in css and "--cx-head: #0B3D5C" in css and "--cx-accent: #D9822B" in css
    assert 'font-family: "Georgia", "DejaVu Sans"' in css
    assert f'content: "{FIRM} · Confidential' in css  # the printed pages' footer
    html = banner(brand)
    assert "Harbour &amp; Finch Consulting" in html and 'src="data:image/png;base64,' in html


def test_css_strings_cannot_break_out_of_the_style_element():
    assert css_string('A "B" </style>') == '"A \\22 B\\22  \\3C /style\\3E "'


def test_workbook_takes_the_brand(brand):
    from cxassess.analysis.assessment import assess
    from cxassess.render.workbook import build_workbook

    wb = build_workbook(assess(CLIENTS / "northwind-retail"), theme=brand)
    head = wb["Scorecard"]["A1"]
    assert head.fill.fgColor.rgb == "000B3D5C" and head.font.name == "Georgia"
    assert wb["Questions"]["B2"].font.name == "Georgia"
    assert wb["Scorecard"].oddHeader.left.text == FIRM.replace("&", "&&")  # a lone "&" starts a header code
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Prepared by"] == FIRM


@pytest.mark.slow  # builds a deck
def test_deck_title_slide_has_logo_and_firm_and_fonts_are_named(brand):
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    from cxassess.analysis.assessment import assess
    from cxassess.render.deck import build_deck

    buffer = io.BytesIO()
    build_deck(assess(CLIENTS / "northwind-retail"), brand).save(buffer)
    from pptx import Presentation
    prs = Presentation(io.BytesIO(buffer.getvalue()))
    title = prs.slides[0]
    assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in title.shapes)
    assert any(s.has_text_frame and s.text_frame.text == FIRM for s in title.shapes)
    theme_xml = prs.slide_master.part.part_related_by(RT.THEME).blob.decode()
    assert re.findall(r'<a:(major|minor)Font>\s*<a:latin typeface="([^"]*)"', theme_xml) == [
        ("major", "Georgia"), ("minor", "Georgia")]
    assert re.search(r'<a:accent1>\s*<a:srgbClr val="0B3D5C"', theme_xml)  # tables' banding tinted from it
    assert re.search(r'<a:accent2>\s*<a:srgbClr val="D9822B"', theme_xml)
    runs = [r for slide in prs.slides for s in slide.shapes if s.has_text_frame
            for p in s.text_frame.paragraphs for r in p.runs]
    assert runs and {r.font.name for r in runs} == {"Georgia"}
    assert title.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb == (0x0B, 0x3D, 0x5C)


@pytest.mark.slow  # builds a deck
def test_an_unbranded_deck_names_its_font():
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    from cxassess.analysis.assessment import assess
    from cxassess.render.deck import build_deck

    prs = build_deck(assess(CLIENTS / "northwind-retail"))
    theme_xml = prs.slide_master.part.part_related_by(RT.THEME).blob.decode()
    assert f'<a:latin typeface="{NEUTRAL_FONT}"' in theme_xml
    assert {r.font.name for slide in prs.slides for s in slide.shapes if s.has_text_frame
            for p in s.text_frame.paragraphs for r in p.runs} == {NEUTRAL_FONT}
    assert len(prs.slides[0].shapes) == 2  # title and subtitle only: no logo, no firm
    assert re.search(r'<a:accent1>\s*<a:srgbClr val="4F81BD"', theme_xml)  # python-pptx template's own colours


def test_word_report_takes_the_brand(brand, tmp_path):
    from docx import Document

    from cxassess.render.docx_report import build_document

    path = tmp_path / "r.docx"
    build_document(["<h1>Northwind</h1>", "<h2>1. Summary</h2><p>Text.</p>"], title="T", theme=brand).save(path)
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())  # the logo's image part
    doc = Document(path)
    assert FIRM in doc.paragraphs[0].text
    assert doc.styles["Normal"].font.name == "Georgia"
    assert doc.styles["Heading 1"].font.color.rgb == (0x0B, 0x3D, 0x5C)
    assert FIRM in doc.sections[0].footer.paragraphs[0].text
    assert doc.core_properties.author == FIRM


@pytest.mark.slow  # runs the notebook, prints a PDF, writes every format
def test_a_branded_report_shows_the_firm_on_every_deliverable(tmp_path, monkeypatch):
    import docx
    from openpyxl import load_workbook
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pypdf import PdfReader

    from cxassess.run.report import build_report

    monkeypatch.delenv("CXASSESS_BRANDING", raising=False)
    client = copy_client(tmp_path)
    logo(tmp_path / "logo.png")
    firm_file = branding_file(tmp_path / "firm", GOOD.replace("logo: logo.png", "logo: ../logo.png"))
    run = build_report(client, tmp_path / "out", ("html", "pdf", "docx", "xlsx", "pptx"), branding=firm_file)
    page = (run.folder / "report.html").read_text(encoding="utf-8")
    assert '<header class="cx-brand"><img src="data:image/png;base64,' in page
    assert "Harbour &amp; Finch Consulting</span>" in page and "--cx-ink: #0B3D5C" in page
    first = PdfReader(run.folder / "report.pdf").pages[0].extract_text()
    assert FIRM in first
    word = docx.Document(str(run.folder / "report.docx"))
    assert FIRM in word.paragraphs[0].text and FIRM in word.sections[0].footer.paragraphs[0].text
    title = Presentation(str(run.folder / "deck.pptx")).slides[0]
    assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in title.shapes)
    assert any(s.has_text_frame and s.text_frame.text == FIRM for s in title.shapes)
    wb = load_workbook(run.folder / "results.xlsx")
    assert wb["Scorecard"]["A1"].fill.fgColor.rgb == "000B3D5C" and wb["Scorecard"]["A1"].font.name == "Georgia"


@pytest.mark.slow  # runs the notebook
def test_a_bad_branding_stops_the_run_before_anything_is_written(tmp_path, monkeypatch):
    from cxassess.run.report import build_report

    monkeypatch.delenv("CXASSESS_BRANDING", raising=False)
    client = copy_client(tmp_path)
    bad = branding_file(tmp_path / "firm", 'branding:\n  primary: "#12"\n')
    with pytest.raises(CxError, match=r"branding\.yaml:2: branding\.primary: '#12' is not a colour"):
        build_report(client, tmp_path / "out", ("html",), branding=bad)
    assert not any((tmp_path / "out").rglob("report.html"))
