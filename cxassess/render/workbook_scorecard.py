"""The results workbook's two scorecard sheets: what the client reads, and the figures behind it.

"Scorecard" holds what a client's leadership reads (pillar, index, target, gap, importance,
priority, maturity, the final verdict and why it moved), few enough columns to print at a readable
size on one landscape page width; "Scorecard details" holds the statistics behind them (ids,
respondents, weights, 95% intervals, spread, agreement, Cronbach's alpha, the importance-performance
class and the figures on the rating scale) in the same row order. Both read every figure from the
client's ``Assessment``; nothing is worked out here.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.assessment import Assessment
from ..analysis.scoring import to_index
from . import data_quality
from .workbook_cells import is_missing
from .workbook_layout import chart_sheet
from .workbook_table import COUNT, INDEX, SCALE, Column, action, field, index_colours, table

DETAILS = "Scorecard details"


def scorecard_rows(a: Assessment) -> list[dict[str, Any]]:
    """One row per pillar (final verdict, 95% interval) and the overall row last, as both sheets show them."""
    bounds = a.intervals[["ci_low", "ci_high", "within_noise"]]
    pillars = [{"id": pid, **row.to_dict(), **bounds.loc[pid].to_dict()}
               for pid, row in a.verdict_scores.pillars.iterrows()]
    overall = {"id": "overall", "name": "Overall", "n": a.scores.respondents, "stage": None, "weight": None,
               **a.scores.overall, "target_index": None, "importance": None, "importance_index": None,
               "priority": None, "sd": None, "rwg": None, "alpha": None, "action": None, "action_ipa": None,
               "action_reason": None, **bounds.loc["overall"].to_dict()}
    if not is_missing(a.scores.overall["target"]):
        overall["target_index"] = to_index(a.scores.overall["target"], a.client.template.scale)
    return pillars + [overall]


def scorecard_sheet(ws: Worksheet, a: Assessment) -> None:
    """One row per pillar on the 0-100 index, the overall row last; the chart on a sheet of its own."""
    terms = a.client.template.terms
    columns = [
        Column("Pillar", field("name"), width=32, wrap=True),
        Column("Index (0-100)", field("index"), INDEX, width=10),
        Column(f"{terms.target} (0-100)", field("target_index"), INDEX, width=10),
        Column("Gap (index points)", field("gap_index"), INDEX, width=11),
        Column(f"{terms.importance} (0-100)", field("importance_index"), INDEX, width=11),
        Column("Priority", field("priority"), INDEX, width=9),
        Column("Maturity", data_quality.maturity_cell, width=14),
        Column("Verdict", lambda r: action(r["action"]), width=15),
        Column("Why the verdict differs", field("action_reason"), width=28, wrap=True),
    ]
    rows = scorecard_rows(a)
    table(ws, columns, rows, freeze="B2")
    ws.cell(row=len(rows) + 1, column=1).font = Font(bold=True)
    index_colours(ws, 2, 2, len(rows))
    chart_sheet(ws.parent, _chart(ws, len(rows) - 1, terms.target), after=ws.title)  # prints on one page


def _chart(ws: Worksheet, pillars: int, target: str) -> BarChart:
    """A bar chart of the Scorecard's index (column B) against target (column C), pillar names as categories."""
    chart = BarChart()
    chart.type, chart.grouping = "bar", "clustered"
    chart.title = f"Pillar index against {target.lower()} (0-100)"
    for column in (2, 3):  # index, target index
        chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=pillars + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=pillars + 1))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max, chart.y_axis.majorUnit = 0, 100, 20
    chart.y_axis.number_format, chart.x_axis.tickLblSkip = "0", 1  # every pillar named
    chart.x_axis.scaling.orientation = "maxMin"  # first pillar on top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl otherwise hides both axes
    chart.height, chart.width = 4 + 0.9 * pillars, 22  # centimetres
    return chart


def scorecard_details_sheet(ws: Worksheet, a: Assessment) -> None:
    """The Scorecard's rows with the statistics behind them: ids, counts, intervals, agreement, the rating scale."""
    terms, scale = a.client.template.terms, a.client.template.scale
    on_scale = f"({scale.min}-{scale.max} scale)"
    columns = [
        Column("Pillar id", field("id"), width=15),
        Column("Pillar", field("name"), width=22, wrap=True),
        Column("Stage", field("stage"), width=9),
        Column("Weight", field("weight"), SCALE, width=7),
        Column("Respondents", field("n"), COUNT, width=12),
        Column("Index 95% interval: low", field("ci_low"), INDEX, width=9),
        Column("Index 95% interval: high", field("ci_high"), INDEX, width=9),
        Column("Gap within noise", lambda r: "yes" if r["within_noise"] else "no", width=8),
        Column("Spread (sd)", field("sd"), SCALE, width=8),
        Column("Agreement (rwg)", field("rwg"), SCALE, width=11),
        Column("Cronbach's alpha", field("alpha"), SCALE, width=11),
        Column("Importance-performance class", lambda r: action(r["action_ipa"]), width=12, wrap=True),
        Column(f"Mean {on_scale}", field("mean"), SCALE, width=8),
        Column(f"{terms.target} {on_scale}", field("target"), SCALE, width=8),
        Column(f"Gap {on_scale}", field("gap"), SCALE, width=8),
        Column(f"{terms.importance} {on_scale}", field("importance"), SCALE, width=12),
    ]
    rows = scorecard_rows(a)
    table(ws, columns, rows)
    ws.cell(row=len(rows) + 1, column=2).font = Font(bold=True)
