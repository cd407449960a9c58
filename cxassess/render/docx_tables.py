"""How wide a Word table's columns are: the HTML table's grid, and widths from its texts measured in a real font.

A browser lays out an automatic table so that every column is at least as wide as its longest
word and, room permitting, as wide as its whole text; Word needs the widths written down (and
LibreOffice honours them exactly). Texts are measured with the font's own metrics (Pillow reading
DejaVu Sans, the font matplotlib ships): it is wider than Calibri or Arial, so a column wide
enough for it is wide enough wherever the report is opened. When the longest words do not fit,
the table's text gets smaller (down to ``SMALLEST_TEXT``); ``least_width`` tells the Word report
when a table needs a landscape page instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import matplotlib
from PIL import ImageFont

TABLE_TEXT = 9.0  # points: the report's tables are wide (eleven columns in the scorecard)
SMALLER_TEXT = (8.5, 8.0)  # tried in turn when the longest words do not fit at TABLE_TEXT
SMALLEST_TEXT = SMALLER_TEXT[-1]
CELL_MARGIN = 3.6  # points on each side of a cell's text (0.05 in, the tables' tblCellMar)
SLACK = 2.0  # points: rounding to twips and a renderer's own spacing
WIDEST_TEXT = 200.0  # points: a column with a longer text wraps it (a longer word breaks) rather than widen
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Placed:
    """One HTML cell on the table's grid: first row and column, how many it spans, the element."""

    row: int
    column: int
    rows: int
    columns: int
    cell: Any


def place(table: Any) -> tuple[list[tuple[Any, bool]], list[Placed], int]:
    """The HTML table's rows (each with "is a header row"), its cells on the grid, and the number of columns."""
    rows = [(tr, tr.getparent().tag == "thead") for tr in table.iter("tr")]
    placed, taken, width = [], set(), 0
    for r, (tr, _) in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            span_r = max(1, min(int(cell.get("rowspan") or 1), len(rows) - r))
            span_c = max(1, int(cell.get("colspan") or 1))
            taken.update((r + i, c + j) for i in range(span_r) for j in range(span_c))
            placed.append(Placed(r, c, span_r, span_c, cell))
            c += span_c
        width = max([width, *(k[1] + 1 for k in taken if k[0] == r)])
    return rows, placed, width


@lru_cache(maxsize=None)
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_FONTS / name), 100)  # measured at 100 px, scaled to the asked size


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` is in points at ``size`` points (DejaVu Sans, bold or regular)."""
    return _font(bold).getlength(text) * size / 100


def needs(cells: Iterable[tuple[int, int, str, bool]], count: int, size: float) -> tuple[list[float], list[float]]:
    """Each column's least width (its longest word) and the width it would like (its whole text), in points.

    ``cells``: (column, columns spanned, text, bold); a cell spanning columns widens none of them.
    """
    least = [text_width("000", size)] * count
    most = list(least)
    for column, span, text, bold in cells:
        words = text.split()
        if span == 1 and words:
            longest = max(text_width(w, size, bold) for w in words)  # a digest or a path breaks anyway
            least[column] = max(least[column], min(longest, WIDEST_TEXT))
            most[column] = max(most[column], min(text_width(" ".join(words), size, bold), WIDEST_TEXT))
    pad = 2 * CELL_MARGIN + SLACK
    return [n + pad for n in least], [max(a, b) + pad for a, b in zip(least, most)]


def fit(cells: Sequence[tuple[int, int, str, bool]], count: int, room: float) -> tuple[float, list[float]]:
    """The table's text size and its column widths in points, filling ``room`` (the text width, points).

    Every column gets at least its longest word and the room left is shared in proportion to what
    each would like beyond that; the text gets smaller when the longest words do not fit.
    """
    for size in (TABLE_TEXT, *SMALLER_TEXT):
        low, high = needs(cells, count, size)
        if sum(low) <= room:
            break
    if sum(high) <= room:
        return size, [n * room / sum(high) for n in high]
    if sum(low) >= room:  # too many columns even at the smallest text: words will break
        return size, [n * room / sum(low) for n in low]
    share = (room - sum(low)) / (sum(high) - sum(low))
    return size, [a + (b - a) * share for a, b in zip(low, high)]
