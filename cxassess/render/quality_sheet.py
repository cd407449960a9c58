"""The workbook's "Data quality" sheet: the thin-data warning and, per pillar, why it is or is not scored.

Written first in the workbook only when the guard (``Assessment.coverage``) found thin data, from
the same finding the report's warning box and the deck's warning slide show.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.assessment import Assessment
from ..analysis.coverage import NOT_ENOUGH

WARNING_FILL = PatternFill("solid", fgColor="FFF6ED")


def warning_sheet(ws: Worksheet, a: Assessment) -> None:
    """The warning text, the minimums, and one row per pillar: respondents, statements answered, verdict."""
    found = a.coverage
    ws["A1"] = "Data quality warning: these results rest on too few answers"
    ws["A1"].font = Font(bold=True, size=13, color="7A2E0E")
    ws["A2"] = found.warning
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws["A2"].fill = WARNING_FILL
    ws.merge_cells("A2:E2")
    ws.row_dimensions[2].height = 15 * (2 + len(found.warning or "") // 110)
    ws["A4"] = (f"Minimums: {found.rules.min_respondents} respondents per pillar and "
                f"{found.rules.min_answered_share:.0%} of its statements answered.")
    headings = ("Pillar", "Respondents", "Statements answered", "Statements", "Scored")
    for j, heading in enumerate(headings, start=1):
        ws.cell(row=6, column=j, value=heading).font = Font(bold=True)
    for i, (_, row) in enumerate(found.pillars.iterrows(), start=7):
        values = (row["name"], int(row["respondents"]), int(row["answered"]), int(row["statements"]),
                  "yes" if row["enough_answers"] else f"{NOT_ENOUGH}: {row['thin_reason']}")
        for j, value in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=value)
    for column, width in zip("ABCDE", (48, 13, 20, 12, 70)):
        ws.column_dimensions[column].width = width
