"""The Word report's page orientation: a landscape section for a section whose table is too wide to read upright.

A scorecard of eleven columns does not fit a portrait page's text width without breaking its
words; on a landscape page (the page turned, margins no wider than 0.75 in) it does. Each change of orientation is
a new Word section starting on a new page; the footer (page numbers) carries over from the first
section, and a section after the wide one turns back to the first section's page.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.section import Section
from docx.shared import Inches

EMU_PER_INCH = 914400
LANDSCAPE_MARGIN = Inches(0.75)  # at most, all round: a wide table and its notes on one turned page


def text_width(section: Section) -> float:
    """The width between the section's margins, in inches."""
    return (section.page_width - section.left_margin - section.right_margin) / EMU_PER_INCH


def is_portrait(section: Section) -> bool:
    return section.page_width <= section.page_height


def landscape(document: Document) -> float:
    """Start a landscape section on a new page (the last section's page turned); returns its text width in inches."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = max(width, height), min(width, height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, min(getattr(section, side), LANDSCAPE_MARGIN))
    return text_width(section)


def like_first(document: Document) -> float:
    """Start a section on a new page set up as the first section's page; returns its text width in inches."""
    first = document.sections[0]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = first.orientation
    section.page_width, section.page_height = first.page_width, first.page_height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, getattr(first, side))
    return text_width(section)
