"""The look every deliverable shares: firm name, logo, colours and font, read by all four writers.

One ``Theme`` value is made from a consultancy's branding (``inputs/branding.py``) or, without one,
is the neutral look the reports have always had. The HTML report, the Word report, the deck and the
workbook all take their colours, font, firm name and logo from here, so a brand is applied once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from ..inputs.branding import Branding

NEUTRAL_PRIMARY = "#16324F"  # report.css's ink: headings, rules, table headers (white text on it), titles
NEUTRAL_ACCENT = "#1F4E79"  # the charts' current-wave colour (plots.CURRENT_COLOR): the firm's name, highlights
NEUTRAL_FONT = "Calibri"  # named in every Office file, so no program falls back to a font of its own
HTML_FONTS = '"DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif'  # report.css's stack


@dataclass(frozen=True)
class Theme:
    """Colours as ``#RRGGBB``, a font family name, and the firm's name and logo (both optional)."""

    primary: str = NEUTRAL_PRIMARY
    accent: str = NEUTRAL_ACCENT
    font: str = NEUTRAL_FONT
    firm_name: str | None = None
    logo: Path | None = None
    branded_font: bool = False  # True when the font came from the branding (HTML puts it before its stack)

    def hex(self, colour: str) -> str:
        """A colour without its ``#``, as openpyxl and python-pptx/-docx want it."""
        return colour.lstrip("#").upper()

    @property
    def html_fonts(self) -> str:
        """The CSS font-family list: the brand's font first, then the report's usual stack."""
        return f'"{self.font}", {HTML_FONTS}' if self.branded_font else HTML_FONTS

    def css(self) -> str:
        """CSS custom properties report.css reads (``var(--cx-...)``) for this theme."""
        return (f":root {{ --cx-ink: {self.primary}; --cx-head: {self.primary}; --cx-brand: {self.primary}; "
                f"--cx-accent: {self.accent}; --cx-font: {self.html_fonts}; }}")


NEUTRAL = Theme()


def theme_for(branding: Branding | None) -> Theme:
    """The theme of a (merged, checked) branding; the neutral theme without one."""
    if branding is None:
        return NEUTRAL
    return Theme(primary=branding.primary or NEUTRAL_PRIMARY, accent=branding.accent or NEUTRAL_ACCENT,
                 font=branding.font or NEUTRAL_FONT, firm_name=branding.firm_name, logo=branding.logo_path,
                 branded_font=branding.font is not None)


def logo_data_uri(theme: Theme) -> str | None:
    """The logo as a ``data:`` URI, so a self-contained page (and its PDF) carries it; None without one."""
    if theme.logo is None:
        return None
    data = theme.logo.read_bytes()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
