"""The HTML report's (and so the PDF's) branding: the page's CSS variables, font and footer, and a banner
with the firm's logo and name above the title block.

report.css reads its colours as ``var(--cx-..., neutral value)``; a branded theme sets those variables
(``render/theme.py``), names its font first and puts the firm's name in the printed pages' footer. The
neutral theme adds nothing, so an unbranded report is exactly what it was.
"""

from __future__ import annotations

import html

from .theme import NEUTRAL, Theme, logo_data_uri

FOOTER = "Confidential: prepared for the client's leadership team"  # report.css's own footer line


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, line breaks and ``<`` escaped (safe in <style>)."""
    out = "".join(f"\\{ord(ch):X} " if ch in '"\\<>\n\r\f' else ch for ch in text)
    return f'"{out}"'


def head_css(theme: Theme) -> str:
    """The CSS a branded page adds after report.css; empty for the neutral theme."""
    if theme == NEUTRAL:
        return ""
    rules = [theme.css(), f"body.cx-report {{ font-family: {theme.html_fonts}; }}",
             ".cx-brand { display: flex; align-items: center; gap: 14px; margin: 0 0 6px; }",
             ".cx-brand img { max-height: 56px; max-width: 220px; width: auto; margin: 0; }",
             f".cx-brand-name {{ font-size: 13pt; font-weight: bold; color: {theme.accent}; }}"]
    if theme.firm_name:
        footer = css_string(f"{theme.firm_name} · {FOOTER}")
        rules.append(f"@page {{ @bottom-left {{ content: {footer}; font-family: {theme.html_fonts}; }} }}")
    return "\n".join(rules)


def banner(theme: Theme) -> str:
    """The logo and firm name above the report's title block (escaped HTML); empty without them."""
    parts = []
    uri = logo_data_uri(theme)
    if uri:
        alt = html.escape(f"{theme.firm_name or 'Firm'} logo", quote=True)
        parts.append(f'<img src="{uri}" alt="{alt}">')
    if theme.firm_name:
        parts.append(f'<span class="cx-brand-name">{html.escape(theme.firm_name)}</span>')
    return f'<header class="cx-brand">{"".join(parts)}</header>' if parts else ""
