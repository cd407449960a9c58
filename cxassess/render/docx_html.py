"""The report's HTML fragments as Word content: headings, paragraphs, lists, tables and pictures.

The report's sections are escaped HTML fragments (``display.render``) built from the analysis,
each a small, regular vocabulary: ``h1``-``h4``, ``p``, ``div``, ``ul``/``ol``, ``table`` (with
``thead``, ``rowspan`` and ``colspan``), ``strong``/``em``/``span`` and ``img`` with alt text.
The Word report is written from those same fragments, so its sections and wording are the HTML
report's by construction and a new section needs no Word-specific code. ``add_fragment`` maps
each element to the Word object that means the same: ``h2`` to a Heading 1 paragraph (the
navigation pane and the table of contents read those), tables to Word tables with header rows
and merged cells, list items to list paragraphs, a chart to an inline picture whose alt text
(``descr``) is the image's ``alt``. Text is taken as text: markup in a client's answers arrived
escaped and goes into Word runs literally, and the characters XML cannot hold are dropped.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

import lxml.html
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from PIL import Image

from .display import FIGURE_DPI
from .docx_tables import TABLE_TEXT, Placed, fit, needs, place

# characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/FFFF): a docx refuses them
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 3, "h6": 3}  # HTML level -> Word level (0: Title)
BLOCKS = {"p", "div", "section", "header", "footer", "article", "figure", "figcaption", "details", "summary",
          "table", "ul", "ol", "li", "img", "blockquote", "hr", *HEADINGS}
SKIPPED = {"script", "style", "head", "title", "template"}
BREAK = "<br>"  # a line break among the text pieces (told apart by identity: text from the HTML is never it)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (the rest is kept exactly)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Look:
    """How a run of text looks: what the HTML's elements, classes and inline styles asked for."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None  # "RRGGBB"
    fill: str | None = None  # background, "RRGGBB"


CLASS_LOOKS = {"cx-small": {"size": 8.5}, "cx-note": {"italic": True}, "cx-notes": {"italic": True},
               "cx-big": {"size": 22.0, "bold": True}, "cx-band": {"bold": True}, "cx-warn": {"bold": True},
               "cx-warn-text": {"bold": True}}


def _hex(value: str) -> str | None:
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return value.upper() if re.fullmatch(r"[0-9a-fA-F]{6}", value) else None


def _look(element: Any, look: Look) -> Look:
    """``look`` with what ``element`` adds: bold, italic, class looks, inline colour and background."""
    changes: dict[str, Any] = {}
    if element.tag in ("strong", "b", "th"):
        changes["bold"] = True
    if element.tag in ("em", "i"):
        changes["italic"] = True
    for name in (element.get("class") or "").split():
        changes.update(CLASS_LOOKS.get(name, {}))
    for declaration in (element.get("style") or "").split(";"):
        key, _, value = declaration.partition(":")
        key = key.strip().lower()
        if key in ("background", "background-color") and _hex(value):
            changes["fill"] = _hex(value)
        elif key == "color" and _hex(value):
            changes["color"] = _hex(value)
    return replace(look, **changes) if changes else look


def _shade(properties: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    properties.append(shd)


class Writer:
    """Adds HTML fragments to a python-docx Document (or a table cell in it), element by element."""

    def __init__(self, document: Document, width: float):
        self.document, self.width = document, width  # the text width, in inches, for pictures
        self.styles = {s.name: s.style_id for s in document.styles}  # looked up once: python-docx's lookup is slow

    # ------------------------------------------------------------------ paragraphs and runs

    def style(self, name: str) -> str | None:
        return name if name in self.styles else None

    def heading_style(self, level: int) -> str:
        """``Heading N`` (``Title`` for 0), added with its outline level when the reference lacks it."""
        name = "Title" if level == 0 else f"Heading {level}"
        if name not in self.styles:
            style = self.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.document.styles["Normal"]
            style.font.bold, style.font.size = True, Pt({0: 24, 1: 16, 2: 13}.get(level, 11))
            style.paragraph_format.keep_with_next = True
            if level:
                outline = OxmlElement("w:outlineLvl")
                outline.set(qn("w:val"), str(level - 1))
                style.element.get_or_add_pPr().append(outline)  # what the navigation pane reads
            self.styles[name] = style.style_id
        return name

    def paragraph(self, container: Any, style: str | None = None) -> Paragraph:
        if isinstance(container, _Cell) and len(container.paragraphs) == 1 and not container.paragraphs[0].runs \
                and not getattr(container, "_used", False):
            container._used = True  # a new cell's own empty paragraph is the first one written
            para = container.paragraphs[0]
        else:
            para = container.add_paragraph()
        if style:
            para._p.style = self.styles[style]
        return para

    def runs(self, para: Paragraph, pieces: list[tuple[str, Look]]) -> None:
        """Add text pieces as runs: white space collapsed as HTML does, trimmed at the ends of each line."""
        ended = True  # at the start of a line, or after a space: a space here would be a second one
        for raw, look in pieces:
            if raw is BREAK:
                para.add_run().add_break()
                ended = True
                continue
            text = _SPACE.sub(" ", xml_safe(raw))
            text = text.lstrip() if ended else text
            if not text:
                continue
            ended = text.endswith(" ")
            run = para.add_run(text)
            run.bold, run.italic = look.bold or None, look.italic or None
            if look.size:
                run.font.size = Pt(look.size)
            if look.color:
                run.font.color.rgb = RGBColor.from_string(look.color)
            if look.fill:
                _shade(run._r.get_or_add_rPr(), look.fill)
        if para.runs and para.runs[-1].text.endswith(" "):
            para.runs[-1].text = para.runs[-1].text.rstrip()

    # ------------------------------------------------------------------ the element walk

    def add(self, html: str, container: Any = None) -> None:
        """One HTML fragment, added at the end of ``container`` (default: the document)."""
        root = lxml.html.fragment_fromstring(xml_safe(html) or "<div></div>", create_parent="div")
        self.flow(root, container if container is not None else self.document, Look(), style=None)

    def flow(self, element: Any, container: Any, look: Look, style: str | None, level: int = 0) -> None:
        """The children of ``element``: inline content gathered into paragraphs, blocks handled in turn."""
        pieces: list[tuple[str, Look]] = []

        def flush() -> None:
            if "".join(t for t, _ in pieces).strip():
                self.runs(self.paragraph(container, style), pieces)
            pieces.clear()

        if element.text:
            pieces.append((element.text, look))
        for child in element:
            if not isinstance(child.tag, str) or child.tag in SKIPPED:
                pass
            elif child.tag in BLOCKS:
                flush()
                self.block(child, container, look, style, level)
            else:
                self.inline(child, look, pieces)
            if child.tail:
                pieces.append((child.tail, look))
        flush()

    def inline(self, element: Any, look: Look, pieces: list[tuple[str, Look]]) -> None:
        if element.tag == "br":
            pieces.append((BREAK, look))
            return
        inner = _look(element, look)
        if element.text:
            pieces.append((element.text, inner))
        for child in element:
            if isinstance(child.tag, str) and child.tag not in SKIPPED:
                self.inline(child, inner, pieces)
            if child.tail:
                pieces.append((child.tail, inner))

    def block(self, element: Any, container: Any, look: Look, style: str | None, level: int) -> None:
        tag, inner = element.tag, _look(element, look)
        if tag in HEADINGS:
            pieces: list[tuple[str, Look]] = []
            self.inline(element, replace(inner, size=None), pieces)
            self.runs(self.paragraph(container, self.heading_style(HEADINGS[tag])), pieces)
        elif tag in ("ul", "ol"):
            self.items(element, container, inner, ordered=tag == "ol", level=level + 1)
        elif tag == "table":
            self.table(element, container, inner)
        elif tag == "img":
            self.picture(element, container)
        elif tag == "hr":
            return
        else:
            self.flow(element, container, inner, style, level)

    def items(self, element: Any, container: Any, look: Look, ordered: bool, level: int) -> None:
        """A list: bullets in the List Bullet styles, numbers written out (each list counts from 1)."""
        bullet = self.style("List Bullet" + (f" {level}" if level > 1 else ""))
        number = 0
        for item in element:
            if item.tag != "li":
                continue
            number += 1
            marker = f"{number}. " if ordered else ("" if bullet else "• ")
            para = self.paragraph(container, None if ordered else bullet)
            if marker:  # written out: indented by hand (a List Bullet style indents its own)
                para.paragraph_format.left_indent = Inches(0.3 * level)
                para.paragraph_format.first_line_indent = Inches(-0.25)
                para.add_run(marker)
            pieces: list[tuple[str, Look]] = [(item.text or "", look)]
            nested = []
            for child in item:
                if isinstance(child.tag, str) and child.tag in BLOCKS:
                    nested.append(child)
                elif isinstance(child.tag, str) and child.tag not in SKIPPED:
                    self.inline(child, look, pieces)
                if child.tail and not nested:
                    pieces.append((child.tail, look))
            self.runs(para, pieces)
            for child in nested:
                self.block(child, container, look, None, level)

    def table(self, element: Any, container: Any, look: Look) -> None:
        """A Word table: the HTML grid with its merged cells, header rows repeated on every page."""
        rows, placed, width = place(element)
        if not placed:
            return
        table = container.add_table(rows=len(rows), cols=width)
        if self.style("Table Grid"):
            table._tbl.tblStyle_val = self.styles["Table Grid"]
        else:
            _borders(table)
        _margins(table)
        grid = table._cells  # once: python-docx's table.cell(r, c) walks the whole table each time
        text = self.widths(table, grid, placed, width)
        for r, (_, header) in enumerate(rows):
            if header:
                table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        size = replace(look, size=look.size or text)
        for r, c, span_r, span_c, cell in ((p.row, p.column, p.rows, p.columns, p.cell) for p in placed):
            target = grid[r * width + c]
            if span_r > 1 or span_c > 1:
                target = target.merge(grid[(r + span_r - 1) * width + c + span_c - 1])
            cell_look = _look(cell, size)
            if cell_look.fill:
                _shade(target._tc.get_or_add_tcPr(), cell_look.fill)
            self.flow(cell, target, replace(cell_look, fill=None), None)

    def widths(self, table: Any, grid: list, placed: list[Placed], width: int) -> float:
        """Column widths from their texts measured in a font (``docx_tables.fit``), filling the text width;
        returns the table's text size in points.

        python-docx would give every column the same width, which breaks a scorecard's words
        where the widths are honoured (LibreOffice).
        """
        size, points = fit(cells(placed), width, self.width * 72)
        edges = [round(20 * x) for x in accumulate(points, initial=0)]  # Word keeps widths in twips: no drift
        twips = [Twips(b - a) for a, b in zip(edges, edges[1:])]
        for i, column in enumerate(table.columns):
            column.width = twips[i]
        for i, cell in enumerate(grid):
            cell.width = twips[i % width]
        return size

    def picture(self, element: Any, container: Any) -> None:
        """A chart (a PNG data URI) as an inline picture sized as in the HTML report, with its alt text."""
        source = element.get("src") or ""
        if not source.startswith("data:image/png;base64,"):
            return
        data = base64.b64decode(source.split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as image:
            inches = image.width / FIGURE_DPI
        run = self.paragraph(container).add_run()
        shape = run.add_picture(io.BytesIO(data), width=Inches(min(inches, self.width)))
        alt = xml_safe(element.get("alt") or "")
        shape._inline.docPr.set("descr", alt)  # Word's alt text; screen readers read it
        shape._inline.docPr.set("title", alt)


def cells(placed: list[Placed]) -> list[tuple[int, int, str, bool]]:
    """Each placed cell as ``docx_tables`` measures it: column, columns spanned, text, bold or not."""
    def bold(cell: Any) -> bool:
        return any(isinstance(e.tag, str) and _look(e, Look()).bold for e in cell.iter())

    return [(p.column, p.columns, p.cell.text_content(), bold(p.cell)) for p in placed]


def least_width(html: str) -> float:
    """The width in points the fragment's widest table needs for its longest words at the usual table text size."""
    root = lxml.html.fragment_fromstring(xml_safe(html) or "<div></div>", create_parent="div")
    widest = 0.0
    for table in root.iter("table"):
        _, placed, count = place(table)
        widest = max(widest, sum(needs(cells(placed), count, TABLE_TEXT)[0]))
    return widest


def _before_look(table: Any, element: Any) -> None:
    """Put ``element`` into the table's properties before those the schema orders after it."""
    properties = table._tbl.tblPr
    later = [child for child in properties if child.tag in {qn("w:tblCellMar"), qn("w:tblLook"), qn("w:tblCaption"),
                                                           qn("w:tblDescription")} and child.tag != element.tag]
    if later:
        later[0].addprevious(element)
    else:
        properties.append(element)


def _margins(table: Any) -> None:
    """Narrow left and right cell margins (0.05 in): the report's wide tables need the room."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "72")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _before_look(table, margins)


def _borders(table: Any) -> None:
    """Thin grey borders on every cell, for a reference document without the Table Grid style."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "A0A0A0")):
            edge.set(qn(f"w:{key}"), value)
        borders.append(edge)
    properties = table._tbl.tblPr
    later = [child for child in properties if child.tag in {qn("w:shd"), qn("w:tblLayout"), qn("w:tblCellMar"),
                                                           qn("w:tblLook"), qn("w:tblCaption")}]
    if later:
        later[0].addprevious(borders)
    else:
        properties.append(borders)
