"""Writing one workbook cell safely: text stays text (never a formula), missing values stay empty.

Every text cell is a string cell; text that a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return first) also carries Excel's quote prefix, so it never runs,
not even after editing. Shared by every sheet of the results workbook.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_missing(value: Any) -> bool:
    """True for None, pandas' NA and NaN: what a sheet shows as an empty cell."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Any:
    """Write one cell; text is always a string cell, and formula-like text gets the quote prefix."""
    cell = ws.cell(row=row, column=column)
    if is_missing(value):
        return cell
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters: a sheet cannot hold them
        cell.data_type = "s"  # openpyxl would otherwise store text starting with "=" as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # Excel shows it as text, also once the cell is edited
        return cell
    cell.value = value.item() if hasattr(value, "item") else value  # numpy scalars to Python
    if number_format:
        cell.number_format = number_format
    return cell
