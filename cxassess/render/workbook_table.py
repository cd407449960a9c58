"""One table on a results-workbook sheet: its columns, header row, rows, number formats and colours.

Shared by the sheets of ``workbook.py`` and ``workbook_scorecard.py``: a sheet lists its columns
(heading, how to read the value from a row, number format, width) and ``table`` writes them, so
every table has the same frozen, filterable header and the same wrapped-row heights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.scoring import ACTIONS
from .workbook_cells import put
from .workbook_layout import header_lines, header_row

INDEX = "0.0"  # 0-100 indices, gaps in index points, priorities
SCALE = "0.00"  # means, targets and gaps on the rating scale, agreement, alpha
COUNT = "0"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: heading, how to get its value from a row, number format, width."""

    heading: str
    value: Callable[[Any], Any]
    number_format: str | None = None
    width: float = 12
    wrap: bool = False


def table(ws: Worksheet, columns: Sequence[Column], rows: Sequence[Any], freeze: str = "C2") -> None:
    """Header row (frozen, filterable), one row per item, widths and number formats.

    ``freeze`` is the first cell that scrolls: by default the header and the two naming columns stay.
    """
    for j, column in enumerate(columns, start=1):
        put(ws, 1, j, column.heading)
        ws.column_dimensions[get_column_letter(j)].width = column.width
    header_row(ws, 1, [(c.heading, c.width) for c in columns])
    for i, item in enumerate(rows, start=2):
        lines = 1
        for j, column in enumerate(columns, start=1):
            value = column.value(item)
            cell = put(ws, i, j, value, column.number_format)
            if column.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                lines = max(lines, text_lines(value, column.width))
        if lines > 1:  # neither openpyxl nor every spreadsheet program fits row heights to wrapped text
            ws.row_dimensions[i].height = 15 * lines
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def text_lines(value: Any, width: float) -> int:
    """About how many lines a wrapped text needs in a column ``width`` characters wide."""
    if not isinstance(value, str):
        return 1
    return sum(header_lines(part, width) for part in value.splitlines() or [""])  # wrapped at word boundaries


def index_colours(ws: Worksheet, first_column: int, last_column: int, rows: int) -> None:
    """The report's index colouring (light to dark blue over 0-100) as a conditional colour scale."""
    if rows < 1:
        return
    area = f"{get_column_letter(first_column)}2:{get_column_letter(last_column)}{rows + 1}"
    ws.conditional_formatting.add(area, ColorScaleRule(start_type="num", start_value=0, start_color="F7FBFF",
                                                       end_type="num", end_value=100, end_color="6BAED6"))


def action(value: Any) -> str | None:
    """A verdict's label ("Do differently") from its key, nothing for a missing one."""
    return ACTIONS.get(value) if isinstance(value, str) else None


def field(name: str) -> Callable[[Any], Any]:
    """A column's value: the row's ``name`` entry."""
    return lambda row: row[name]
