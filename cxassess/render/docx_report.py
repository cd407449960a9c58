"""The editable Word report (``report.docx``, ``--format docx``): the HTML report's sections in Word.

Consultants edit and repackage a report before it goes to the client, so the Word report is
made of real Word parts: heading styles (the navigation pane works), a table-of-contents field,
Word tables, pictures with alt text and a page number in the footer. Its content is what the
executed notebook showed, cell by cell (``fragments``: exactly the outputs the HTML report is
made of), written by ``docx_html``: a section added to the notebook appears in the Word report
with no further change.

A reference document (``--docx-reference``) works as pandoc's does: the report is written into
a copy of it with its body emptied, so its styles, page set-up, header and footer apply and its
text does not. Built with python-docx rather than docxtpl: docxtpl fills placeholders in a
hand-made Word template, which would hold a second copy of every section's wording; here the
sections are generated (variable tables and lists), so python-docx writes them directly.
"""

from __future__ import annotations

import datetime as dt
import html as html_text
import os
import zipfile
from pathlib import Path
from typing import Any, Iterable

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..core.errors import CxError
from .docx_html import Writer, least_width, xml_safe
from .docx_pages import is_portrait, landscape, like_first, text_width
from .workbook import save_atomically
from .docx_theme import brand_block, style_document
from .theme import NEUTRAL, Theme

REMOVED_TAGS = ("remove", "injected-parameters", "parameters")  # cells the HTML report leaves out too
FOOTER = "Confidential: prepared for the client's leadership team"  # as the PDF's pages say (report.css)
TOC_LEVELS = "1-3"
TOC_PLACEHOLDER = ("The table of contents fills in when Word updates the document's fields (Word offers to on "
                   "opening; else right-click here and choose Update Field, or press F9).")
# settings.xml children that must come after w:updateFields (the schema fixes their order)
_AFTER_UPDATE_FIELDS = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator"}


def fragments(notebook: Any) -> list[str]:
    """The HTML the report shows, one fragment per output, from an executed notebook (nbformat node).

    The cells the HTML export removes (tags ``remove``, ``parameters``) are left out; a figure
    shown on its own becomes an ``img`` with its alt text.
    """
    out = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or set(cell.metadata.get("tags", ())) & set(REMOVED_TAGS):
            continue
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                out.append("".join(html) if isinstance(html, list) else html)
            elif "image/png" in data:
                png = "".join(data["image/png"]).replace("\n", "")
                alt = "".join(data.get("text/plain", "chart"))
                alt = alt[1:-1] if alt.startswith("<") and alt.endswith(">") else alt  # display.Png's text: <title>
                out.append(f'<img alt="{html_text.escape(alt)}" src="data:image/png;base64,{png}">')
    return out


def check_reference(path: str | os.PathLike | None) -> Path | None:
    """The reference document as an absolute path, refused (CxError) when Word styles cannot be read from it."""
    if path is None:
        return None
    path = Path(path)
    hint = "give a Word document (.docx) saved by Word or LibreOffice, or leave --docx-reference out"
    if not path.is_file():
        raise CxError.at(path, f"no such reference document; {hint}")
    try:
        docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CxError.at(path, f"not a Word document python-docx can read ({type(exc).__name__}); {hint}") from None
    return path.resolve()


def base_document(reference: str | os.PathLike | None = None) -> Document:
    """python-docx's default document, or the reference with its body emptied (its section settings kept)."""
    document = docx.Document(str(reference) if reference else None)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _field(paragraph: Any, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC ...) in ``paragraph``, marked for Word to update."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(element)

    char("begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def add_contents(document: Document) -> None:
    """A table-of-contents field over the heading levels, then a page break."""
    styles = {s.name for s in document.styles}
    heading = document.add_paragraph("Contents", style="TOC Heading" if "TOC Heading" in styles else None)
    if "TOC Heading" not in styles:
        heading.runs[0].bold = True
    _field(document.add_paragraph(), f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u', TOC_PLACEHOLDER)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def add_page_numbers(document: Document, firm: str | None = None) -> None:
    """The PDF's footer line and "Page N of M", centred, unless the reference document brings its own footer."""
    for i, section in enumerate(document.sections):
        footer = section.footer
        if i and footer.is_linked_to_previous:  # a later section (a landscape page) shows the first one's footer
            continue
        if not footer.is_linked_to_previous and any(p.text.strip() or p._p.xpath(".//w:fldChar")
                                                     for p in footer.paragraphs):
            continue
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(f"{firm + ' · ' if firm else ''}{FOOTER} · Page ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" of ")
        _field(paragraph, "NUMPAGES", "1")


def _update_fields_on_open(document: Document) -> None:
    settings = document.settings.element
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    later = [child for child in settings if child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS]
    if later:
        later[0].addprevious(element)
    else:
        settings.append(element)


def build_document(parts: Iterable[str], reference: str | os.PathLike | None = None,
                   title: str | None = None, theme: Theme = NEUTRAL) -> Document:
    """The Word report of the report's HTML fragments: contents before the first section, page numbers.

    A section whose table is too wide for an upright page is set on landscape pages (``docx_pages``).

    ``theme``: the branding's font, colours, logo and firm name (``render/theme.py``); a reference
    document keeps its own styles unless a branding names them.
    """
    document = base_document(reference)
    if reference is None or theme is not NEUTRAL:
        style_document(document, theme)
    brand_block(document, theme)
    upright = is_portrait(document.sections[0])
    width = text_width(document.sections[0])
    writer = Writer(document, width)
    contents = turned = False
    for html in parts:
        if not contents and "<h2" in html:
            add_contents(document)
            contents = True
        wide = upright and least_width(html) > width * 72  # a table whose longest words do not fit upright
        if wide != turned:
            writer.width = landscape(document) if wide else like_first(document)
            turned = wide
        writer.add(html)
    add_page_numbers(document, theme.firm_name)
    _update_fields_on_open(document)
    properties = document.core_properties  # the template's own ("python-docx", 2013) would show in Word
    if title:
        properties.title = xml_safe(title)
    properties.author = properties.last_modified_by = theme.firm_name or "cxassess"
    properties.comments = ""
    properties.created = properties.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return document


def write_word_report(executed: str | os.PathLike, path: str | os.PathLike,
                      reference: str | os.PathLike | None = None, title: str | None = None,
                      theme: Theme = NEUTRAL) -> Path:
    """``report.docx`` from the executed notebook at ``executed`` (what the HTML report shows)."""
    import nbformat

    notebook = nbformat.read(str(executed), as_version=4)
    return save_atomically(path, build_document(fragments(notebook), reference, title, theme))
