"""How the results workbook looks and prints: header cells, fonts, page setup, the chart's own sheet.

The sheets' contents are ``workbook.py``'s; this module only lays them out so that each sheet prints
landscape on A4, one page wide (as many pages down as it needs, fitToHeight 0), with its header row
repeated on every page, header cells tall enough for their wrapped text, one named font in every
cell, and the branding's colours and firm name (``render/theme.py``) in the headers and footers.
"""

from __future__ import annotations

import textwrap
from copy import copy
from typing import Sequence

from openpyxl.chart import BarChart
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Font as TextFont, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .theme import NEUTRAL, Theme

LINE_HEIGHT = 15  # points per line of 11-point text, what Excel gives a one-line row
CHART_SHEET = "Chart"
_HEADER_MARK = "00C0FFEE"  # the header fill while sheets are written; ``finish`` paints it in the theme's accent


def header_lines(text: str, width: float) -> int:
    """Lines a header text takes when wrapped at word boundaries in a column ``width`` characters wide.

    Bold text is a little wider than the digit "0" Excel measures widths in, hence two characters spare.
    """
    return max(1, len(textwrap.wrap(str(text), max(1, int(width) - 2), break_long_words=True)))


def header_row(ws: Worksheet, row: int, headings: Sequence[tuple[str, float]]) -> None:
    """Style ``row`` as a header of (text, column width) cells and make it tall enough for each wrapped text."""
    for j, (text, width) in enumerate(headings, start=1):
        cell = ws.cell(row=row, column=j)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=_HEADER_MARK)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = max((header_lines(text, width) for text, width in headings), default=1)
    ws.row_dimensions[row].height = LINE_HEIGHT * lines + 2


def chart_sheet(wb: Workbook, chart: BarChart, after: str) -> None:
    """Put ``chart`` on a sheet of its own right after the sheet ``after``, fitted to print on one page.

    An ordinary worksheet rather than a chart sheet: openpyxl numbers the print titles' defined names by
    worksheet only, so a chart sheet among them would move every later sheet's print titles by one.
    """
    sheet = wb.create_sheet(CHART_SHEET, wb.sheetnames.index(after) + 1)
    sheet.add_chart(chart, "A1")
    sheet.sheet_view.showGridLines = False


def chart_font(chart: BarChart, font: str) -> None:
    """The chart's title, axes and legend in ``font`` (10 points), so no program picks a font of its own."""
    properties = CharacterProperties(latin=TextFont(typeface=font), sz=1000)

    def rich() -> RichText:
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)])

    for part in (chart.x_axis, chart.y_axis, chart.legend):
        if part is not None:
            part.txPr = rich()
    if chart.title is not None and chart.title.tx is not None and chart.title.tx.rich is not None:
        for paragraph in chart.title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(latin=TextFont(typeface=font), sz=1200,
                                                                           b=True))


def _is_header(cell: object) -> bool:
    fill = getattr(cell, "fill", None)
    return fill is not None and fill.fill_type == "solid" and fill.fgColor.rgb == _HEADER_MARK


def _page(ws: Worksheet, title: str, theme: Theme, header: bool) -> None:
    """Landscape A4, one page wide, the header row repeated, firm (or title), sheet and page in the margins."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages down as needed
    if ws.title == CHART_SHEET:
        ws.page_setup.fitToHeight = 1  # the chart on one page
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3, footer=0.3)
    if header:
        ws.print_title_rows = "1:1"
    for part in (ws.oddHeader, ws.oddFooter):
        for side in (part.left, part.center, part.right):
            side.font = f"{theme.font},Regular"
            side.size = 8
    ws.oddHeader.left.text = (theme.firm_name or "").replace("&", "&&")  # "&" starts a code there
    ws.oddHeader.right.text = title.replace("&", "&&")
    ws.oddFooter.left.text = "&A"  # the sheet's name
    ws.oddFooter.right.text = "Page &P of &N"


def fit_rows(ws: Worksheet) -> None:
    """Rows with wrapped text made tall enough for it (spreadsheet programs do not grow them when printing)."""
    for row in ws.iter_rows():
        lines = max((sum(header_lines(part, ws.column_dimensions[c.column_letter].width or 13)
                         for part in c.value.splitlines() or [""])
                     for c in row if isinstance(c.value, str) and c.alignment.wrap_text), default=1)
        height = ws.row_dimensions[row[0].row].height
        if lines > 1 and (height is None or height < LINE_HEIGHT * lines):
            ws.row_dimensions[row[0].row].height = LINE_HEIGHT * lines
        if lines > 1:
            for c in row:  # labels and figures beside a tall text at its first line, not at the bottom
                if c.value is not None and c.alignment.vertical is None:
                    aligned = copy(c.alignment)
                    aligned.vertical = "top"
                    c.alignment = aligned


def finish(wb: Workbook, title: str, theme: Theme = NEUTRAL) -> None:
    """Apply the theme (font in every cell, header colours) and the print settings to every sheet."""
    fill = PatternFill("solid", fgColor=theme.hex(theme.primary))  # white bold text on it, as in the report
    for ws in wb.worksheets:
        header = any(_is_header(c) for c in ws[1])
        for row in ws.iter_rows():
            for cell in row:
                if _is_header(cell):
                    cell.fill = copy(fill)
                if cell.value is not None or _is_header(cell):
                    font = copy(cell.font)
                    font.name = theme.font
                    cell.font = font
        fit_rows(ws)
        _page(ws, title, theme, header)
        for chart in ws._charts:  # openpyxl keeps a sheet's charts here only
            chart_font(chart, theme.font)


def widths(ws: Worksheet, count: int) -> list[float]:
    """The widths of the first ``count`` columns (openpyxl's default 13 where none is set)."""
    return [ws.column_dimensions[get_column_letter(j)].width or 13 for j in range(1, count + 1)]
