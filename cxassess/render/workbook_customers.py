"""The workbook's "Customers" sheet: where staff and customers part, in the words of the deck and report.

One row per pillar of ``Assessment.customer_findings`` (the one analysis the deck's customers slide
and the report's customers section show too): its group's heading, both indices, the final verdict,
its rank among the top priorities and the very line the deck and report print. Below them, what each
group means and the customers' headline measures. Written only when the client has customer feedback.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis import customer_findings
from ..analysis.assessment import Assessment
from ..analysis.scoring import ACTIONS
from .workbook_cells import put
from .workbook_layout import header_row

SHEET = "Customers"
INDEX = "0.0"
COLUMNS = (("Finding", 34), ("Pillar", 28), ("Staff index (0-100)", 10), ("Customers' index (0-100)", 12),
           ("Staff minus customers (points)", 12), ("Verdict", 15), ("Top priority", 9), ("What it says", 60))


def customers_sheet(ws: Worksheet, a: Assessment) -> None:
    """The findings table (header in row 1), then each group's meaning and the NPS, CSAT and effort figures."""
    found = a.customer_findings
    for j, (heading, width) in enumerate(COLUMNS, start=1):
        put(ws, 1, j, heading)
        ws.column_dimensions[get_column_letter(j)].width = width
    header_row(ws, 1, COLUMNS)
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    for pillar_id, r in found.iterrows():
        row += 1
        values = (customer_findings.HEADINGS[r["group"]], r["name"], r["staff_index"], r["customer_index"], r["gap"],
                  ACTIONS.get(r["action"]), r["priority_rank"], r["text"])
        for j, value in enumerate(values, start=1):
            cell = put(ws, row, j, value, INDEX if j in (3, 4, 5) else "0" if j == 7 else None)
            if j in (1, 2, 8):
                cell.alignment = wrap
    if found.empty:
        row += 1
        put(ws, row, 1, customer_findings.NONE)
    row += 2
    for _, heading, note, _lines in customer_findings.grouped(found):
        title = put(ws, row, 1, heading)
        title.font, title.alignment = Font(bold=True), wrap
        put(ws, row, len(COLUMNS), note).alignment = wrap  # under "What it says"
        row += 1
    v = a.voice
    o = v.overall
    row += 1
    for label, value, fmt in (("Customer responses", v.responses, "0"), ("Net Promoter Score", o["nps"], "+0;-0;0"),
                              ("NPS margin of error (±points)", o["nps_moe"], "0"),
                              ("Satisfied, CSAT (% answering 4 or 5 of 5)", o["csat"], "0"),
                              ("Effort, CES (mean 1-7, 7 = very easy)", o["ces"], "0.0"),
                              ("Points apart that count", v.settings.blind_spot_at, "0")):
        title = put(ws, row, 1, label)
        title.font, title.alignment = Font(bold=True), wrap
        put(ws, row, 2, value, fmt).alignment = Alignment(horizontal="left", vertical="top")
        row += 1
    ws.freeze_panes = "C2"
