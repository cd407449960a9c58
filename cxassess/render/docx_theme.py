"""The Word report's branding (``render/theme.py``): fonts and heading colours in its styles, the firm's
logo and name above the report, the firm's name in the footer.

Styles rather than direct formatting, so a consultant who edits the report keeps the look: the
Normal style names the font (also for East Asian text, which Word otherwise takes from the theme),
Title and Heading 1-3 take the font and the primary colour.
"""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .theme import Theme

HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")
LOGO_HEIGHT = Cm(1.6)


def _font(style: object, name: str) -> None:
    style.font.name = name  # type: ignore[attr-defined]
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def style_document(document: Document, theme: Theme) -> None:
    """The theme's font in Normal and the headings, the primary colour in the headings."""
    names = {s.name for s in document.styles}
    _font(document.styles["Normal"], theme.font)
    for name in HEADING_STYLES:
        if name in names:
            style = document.styles[name]
            _font(style, theme.font)
            style.font.color.rgb = RGBColor.from_string(theme.hex(theme.primary))


def brand_block(document: Document, theme: Theme) -> None:
    """The logo and the firm's name at the top of the report, before its title (nothing without a brand)."""
    if theme.logo is None and not theme.firm_name:
        return
    paragraph = document.add_paragraph()
    if theme.logo is not None:
        paragraph.add_run().add_picture(str(theme.logo), height=LOGO_HEIGHT)
    if theme.firm_name:
        if theme.logo is not None:
            paragraph.add_run("   ")
        run = paragraph.add_run(theme.firm_name)
        run.bold, run.font.size = True, Pt(14)
        run.font.color.rgb = RGBColor.from_string(theme.hex(theme.accent))
