"""The deck's branding (``render/theme.py``) laid over a built presentation: fonts, colours, logo, firm name.

Applied after every slide is made, so the slides' content (``deck.py``) knows nothing of it: the
slide master's theme names the font for headings and body (no program falls back to one of its
own), every run of text names it too, the slide titles and table headers take the primary colour,
and the title slide carries the firm's logo (top right) and name (bottom left).
"""

from __future__ import annotations

import re
from typing import Any

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Inches, Pt

from .theme import NEUTRAL, Theme

LOGO_HEIGHT = Inches(0.9)
_THEME_FONT = re.compile(rb'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*(")')
_THEME_COLOUR = r'(<a:{}>\s*<a:srgbClr val=")[0-9A-Fa-f]{{6}}(")'  # accent1, accent2 of the colour scheme


def name_theme_fonts(prs: Any, font: str, colours: dict[str, str] | None = None) -> None:
    """The slide master's theme: headings (major) and body (minor) fonts named ``font``; ``colours``
    (e.g. ``{"accent1": "0B3D5C"}``) replace those of its colour scheme, which tables' banding is tinted from."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    safe = font.replace("&", "&amp;").replace('"', "&quot;").encode()
    blob = _THEME_FONT.sub(lambda m: m.group(1) + safe + m.group(2), part.blob)
    for name, value in (colours or {}).items():
        blob = re.sub(_THEME_COLOUR.format(name).encode(), lambda m: m.group(1) + value.encode() + m.group(2), blob)
    part._blob = blob


def _frames(shape: Any):
    if shape.has_text_frame:
        yield shape.text_frame, shape
    if getattr(shape, "has_table", False):
        for row in shape.table.rows:
            for cell in row.cells:
                yield cell.text_frame, shape


def _style_runs(slide: Any, theme: Theme, colours: bool) -> None:
    primary = RGBColor.from_string(theme.hex(theme.primary))
    for shape in slide.shapes:
        is_title = shape.is_placeholder and shape.placeholder_format.type is not None and \
            "TITLE" in str(shape.placeholder_format.type) and "SUB" not in str(shape.placeholder_format.type)
        for frame, _ in _frames(shape):
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    run.font.name = theme.font
                    if is_title and colours:
                        run.font.color.rgb = primary
        if colours and getattr(shape, "has_table", False):
            head = RGBColor.from_string(theme.hex(theme.primary))
            for cell in shape.table.rows[0].cells:
                cell.fill.solid()
                cell.fill.fore_color.rgb = head


def brand_title_slide(slide: Any, width: int, height: int, theme: Theme) -> None:
    """The logo in the title slide's top right corner, an accent bar above the title, the firm's name at the
    bottom left (nothing for the neutral theme)."""
    margin = Inches(0.5)
    if theme.logo is None and not theme.firm_name:
        return
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, int((width - Inches(2.5)) / 2), Inches(1.75), Inches(2.5),
                                 Inches(0.08))  # centred over the title, as the title slide's layout centres it
    bar.name = "Accent bar"
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor.from_string(theme.hex(theme.accent))
    bar.line.fill.background()
    if theme.logo is not None:
        picture = slide.shapes.add_picture(str(theme.logo), 0, margin, height=LOGO_HEIGHT)
        picture.left = width - margin - picture.width
        picture.name = "Logo"
    if theme.firm_name:
        box = slide.shapes.add_textbox(margin, height - margin - Inches(0.6), width - 2 * margin, Inches(0.6))
        box.name = "Firm name"
        paragraph = box.text_frame.paragraphs[0]
        paragraph.text = theme.firm_name
        paragraph.alignment = PP_ALIGN.CENTER
        paragraph.font.size, paragraph.font.bold = Pt(18), True
        paragraph.font.color.rgb = RGBColor.from_string(theme.hex(theme.accent))


def apply_deck_theme(prs: Any, theme: Theme) -> None:
    """Brand a built deck: theme fonts, every run's font, title and table-header colours, title slide.

    The neutral theme only names the font: the deck's colours stay as they have always been.
    """
    branded = theme != NEUTRAL
    name_theme_fonts(prs, theme.font, {"accent1": theme.hex(theme.primary), "accent2": theme.hex(theme.accent)}
                     if branded else None)
    slides = list(prs.slides)
    if slides:
        brand_title_slide(slides[0], prs.slide_width, prs.slide_height, theme)
    for slide in slides:
        _style_runs(slide, theme, branded)
    if theme.firm_name:
        prs.core_properties.author = theme.firm_name
