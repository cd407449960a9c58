"""The results workbook (``results.xlsx``): a client's scores as Excel sheets a consultant can sort and reuse.

Sheets: Scorecard (pillars with their final verdict, on the 0-100 index, with a chart of index
against target), Questions, Segments (groups below the anonymity threshold shown as suppressed,
exactly as in the report), Customers (with customer feedback: where staff and customers part, as
the deck and report say it), Action plan, Roadmap (every priority in order, as the report), Plan
(the client's own plan.yaml, when it has one), Comments (as the report shows them), Comment tone
(per pillar), Drivers (derived importance: the key drivers of the outcome question) and About.
Every text cell is written as a string cell, and
text that Excel would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first)
also carries Excel's quote prefix, so a comment can never run as a formula, not even after editing.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import data_quality, quality_sheet
from ..analysis.assessment import Assessment, plan_against_actual
from .sections import comments_by_pillar
from .theme import NEUTRAL, Theme
from .workbook_layout import chart_sheet, finish, header_lines, header_row
from .workbook_cells import is_missing, put
from .workbook_about import DRIVERS_METHOD, about_sheet, provenance_lines
from .workbook_customers import SHEET as CUSTOMERS, customers_sheet
from ..core.errors import CxError
from ..core.files import write_bytes_atomically
from ..analysis.scoring import ACTIONS, to_index

SUPPRESSED = "suppressed"
INDEX = "0.0"  # 0-100 indices, gaps in index points, priorities
SCALE = "0.00"  # means, targets and gaps on the rating scale, agreement, alpha
COUNT = "0"

_SUPPRESSED_FONT = Font(italic=True, color="808080")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: heading, how to get its value from a row, number format, width."""

    heading: str
    value: Callable[[Any], Any]
    number_format: str | None = None
    width: float = 12
    wrap: bool = False


def save_atomically(path: str | os.PathLike, document: Any, overwrite: bool = False) -> Path:
    """Save a document (anything with ``save(stream)``: a workbook, a presentation) to ``path``.

    It is written to a temporary file first, then renamed; an existing file is replaced only with
    ``overwrite``.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise CxError.at(path, "already exists; choose another file name or remove it first")
    buffer = io.BytesIO()
    document.save(buffer)
    return write_bytes_atomically(path, buffer.getvalue())


def _table(ws: Worksheet, columns: Sequence[Column], rows: Sequence[Any], freeze: str = "C2") -> None:
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
                lines = max(lines, _lines(value, column.width))
        if lines > 1:  # neither openpyxl nor every spreadsheet program fits row heights to wrapped text
            ws.row_dimensions[i].height = 15 * lines
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def _lines(value: Any, width: float) -> int:
    """About how many lines a wrapped text needs in a column ``width`` characters wide."""
    if not isinstance(value, str):
        return 1
    return sum(header_lines(part, width) for part in value.splitlines() or [""])  # wrapped at word boundaries


def _index_colours(ws: Worksheet, first_column: int, last_column: int, rows: int) -> None:
    """The report's index colouring (light to dark blue over 0-100) as a conditional colour scale."""
    if rows < 1:
        return
    area = f"{get_column_letter(first_column)}2:{get_column_letter(last_column)}{rows + 1}"
    ws.conditional_formatting.add(area, ColorScaleRule(start_type="num", start_value=0, start_color="F7FBFF",
                                                       end_type="num", end_value=100, end_color="6BAED6"))


def _action(value: Any) -> str | None:
    return ACTIONS.get(value) if isinstance(value, str) else None


def _field(name: str) -> Callable[[Any], Any]:
    return lambda row: row[name]


# -------------------------------------------------------------------------------------- sheets


def scorecard_sheet(ws: Worksheet, a: Assessment) -> None:
    """One row per pillar, the overall row last, and a bar chart of index against target."""
    terms, scale = a.client.template.terms, a.client.template.scale
    bounds = a.intervals[["ci_low", "ci_high", "within_noise"]]
    pillars = [{"id": pid, **row.to_dict(), **bounds.loc[pid].to_dict()}
               for pid, row in a.verdict_scores.pillars.iterrows()]
    overall = {"id": "overall", "name": "Overall", "n": a.scores.respondents, "stage": None, "weight": None,
               **a.scores.overall, "target_index": None, "importance": None, "importance_index": None,
               "priority": None, "sd": None, "rwg": None, "alpha": None, "action": None, "action_ipa": None,
               "action_reason": None, **bounds.loc["overall"].to_dict()}
    if not is_missing(a.scores.overall["target"]):
        overall["target_index"] = to_index(a.scores.overall["target"], a.client.template.scale)
    on_scale = f"({scale.min}-{scale.max} scale)"
    columns = [
        Column("Pillar id", _field("id"), width=20),
        Column("Pillar", _field("name"), width=50),
        Column("Stage", _field("stage"), width=11),
        Column("Weight", _field("weight"), SCALE, width=8),
        Column("Respondents", _field("n"), COUNT, width=12),
        Column("Verdict", lambda r: _action(r["action"]), width=15),
        Column("Index (0-100)", _field("index"), INDEX, width=10),
        Column(f"{terms.target} (0-100)", _field("target_index"), INDEX, width=10),
        Column("Gap (index points)", _field("gap_index"), INDEX, width=11),
        Column(f"{terms.importance} (0-100)", _field("importance_index"), INDEX, width=11),
        Column("Priority", _field("priority"), INDEX, width=9),
        Column("Maturity", data_quality.maturity_cell, width=14),
        Column("Spread (sd)", _field("sd"), SCALE, width=9),
        Column("Agreement (rwg)", _field("rwg"), SCALE, width=11),
        Column("Cronbach's alpha", _field("alpha"), SCALE, width=10),
        Column("Importance-performance class", lambda r: _action(r["action_ipa"]), width=15),
        Column("Why the verdict differs", _field("action_reason"), width=40, wrap=True),
        Column("Index 95% interval: low", _field("ci_low"), INDEX, width=11),
        Column("Index 95% interval: high", _field("ci_high"), INDEX, width=11),
        Column("Gap within noise", lambda r: "yes" if r["within_noise"] else "no", width=10),
        Column(f"Mean {on_scale}", _field("mean"), SCALE, width=9),
        Column(f"{terms.target} {on_scale}", _field("target"), SCALE, width=10),
        Column(f"Gap {on_scale}", _field("gap"), SCALE, width=9),
        Column(f"{terms.importance} {on_scale}", _field("importance"), SCALE, width=11),
    ]
    _table(ws, columns, pillars + [overall])
    ws.cell(row=len(pillars) + 2, column=2).font = Font(bold=True)
    _index_colours(ws, 7, 7, len(pillars) + 1)
    chart = BarChart()
    chart.type, chart.grouping = "bar", "clustered"
    chart.title = f"Pillar index against {terms.target.lower()} (0-100)"
    for column in (7, 8):  # index, target index
        chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=len(pillars) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=len(pillars) + 1))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max, chart.y_axis.majorUnit = 0, 100, 20
    chart.y_axis.number_format, chart.x_axis.tickLblSkip = "0", 1  # every pillar named
    chart.x_axis.scaling.orientation = "maxMin"  # first pillar on top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl otherwise hides both axes
    chart.height, chart.width = 4 + 0.9 * len(pillars), 22  # centimetres
    chart_sheet(ws.parent, chart, after=ws.title)  # its own sheet: it prints on one page


def questions_sheet(ws: Worksheet, a: Assessment) -> None:
    """One row per statement, in template order, with every figure the report's tables draw on (0-100 index first)."""
    terms, scale = a.client.template.terms, a.client.template.scale
    on_scale = f"({scale.min}-{scale.max} scale)"
    names = a.scores.pillars["name"]
    rows = [{"id": qid, "pillar": names[q["pillar_id"]], **q.to_dict()} for qid, q in a.scores.questions.iterrows()]
    columns = [
        Column("Question id", _field("id"), width=16),
        Column("Statement", _field("text"), width=60, wrap=True),
        Column("Pillar", _field("pillar"), width=28, wrap=True),
        Column("Negatively worded", lambda r: "yes" if r["reverse"] else "no", width=10),
        Column("Weight", _field("weight"), SCALE, width=8),
        Column("Ratings", _field("n"), COUNT, width=8),
        Column("N/A", _field("na"), COUNT, width=6),
        Column(f"Mean {on_scale}", _field("mean"), SCALE, width=9),
        Column(f"Spread (sd) {on_scale}", _field("sd"), SCALE, width=9),
        Column("Index (0-100)", _field("index"), INDEX, width=10),
        Column(f"{terms.target} (0-100)", lambda r: to_index(r["target"], scale), INDEX, width=10),
        Column("Gap (index points)", _field("gap_index"), INDEX, width=11),
        Column(f"{terms.importance} (0-100)", lambda r: to_index(r["importance"], scale), INDEX, width=11),
        Column("Priority", _field("priority"), INDEX, width=9),
        Column("Agreement (rwg)", _field("rwg"), SCALE, width=11),
        Column("Action (the statement's own class)", lambda r: _action(r["action"]), width=15),
        Column(f"{terms.target} {on_scale}", _field("target"), SCALE, width=10),
        Column(f"Gap {on_scale}", _field("gap"), SCALE, width=9),
        Column(f"{terms.importance} {on_scale}", _field("importance"), SCALE, width=11),
    ]
    _table(ws, columns, rows, freeze="B2")
    _index_colours(ws, 10, 10, len(rows))


def segments_sheet(ws: Worksheet, a: Assessment) -> None:
    """Overall and pillar index per group of every segment; small groups say "suppressed" and nothing else."""
    pillars = a.client.template.pillars
    order = sorted(a.breakdowns, key=lambda s: (s != "role", s))  # the report's order: role first
    rows = [r for segment in order for r in a.breakdowns[segment].to_dict("records")]

    def shown(key: str) -> Callable[[Any], Any]:
        return lambda r: SUPPRESSED if r["suppressed"] else r[key]

    columns = [Column("Segment", _field("segment"), width=14), Column("Group", _field("group"), width=22),
               Column("Respondents", shown("n"), COUNT, width=12)]
    columns += [Column(heading, shown(key), INDEX, width=14)
                for key, heading in [("overall_index", "Overall index")] + [(p.id, p.name) for p in pillars]]
    _table(ws, columns, rows)
    for i, row in enumerate(rows, start=2):
        if row["suppressed"]:
            for j in range(3, len(columns) + 1):
                ws.cell(row=i, column=j).font = _SUPPRESSED_FONT
    _index_colours(ws, 4, len(columns), len(rows))
    note = len(rows) + 3
    put(ws, note, 1, f"Groups with fewer than {a.anonymity_threshold} respondents are suppressed to protect "
                     "anonymity: neither their figures nor their size are shown. So are groups whose figures "
                     "would let a suppressed group be worked out from the others.")
    if not rows:
        put(ws, note + 1, 1, "The answers carry no segment (role, department, ...) to break the scores down by.")


def plan_sheet(ws: Worksheet, a: Assessment) -> None:
    """The action plan of the report: per final verdict and pillar, the questions behind it (and why a verdict moved)."""
    rows = a.plan.to_dict("records")
    reasons = a.verdicts["action_reason"]
    columns = [
        Column("Action", _field("action_label"), width=15),
        Column("Pillar", _field("pillar"), width=30, wrap=True),
        Column("Pillar index", _field("pillar_index"), INDEX, width=10),
        Column("Gap (index points)", _field("pillar_gap_index"), INDEX, width=11),
        Column("Priority", _field("priority"), INDEX, width=9),
        Column("Question id", _field("question_id"), width=16),
        Column("Statement behind it", _field("question"), width=60, wrap=True),
        Column("Negatively worded", lambda r: "yes" if r["reverse"] else "no", width=10),
        Column("Question index", _field("question_index"), INDEX, width=10),
        Column("Question's own action", lambda r: _action(r["question_action"]), width=15),
        Column("Why the verdict differs", lambda r: reasons.get(r["pillar_id"]), width=40, wrap=True),
    ]
    _table(ws, columns, rows)


def roadmap_sheet(ws: Worksheet, a: Assessment) -> None:
    """The report's improvement roadmap: every priority in order, one step each."""
    terms = a.client.template.terms
    rows = a.roadmap_steps.to_dict("records")
    columns = [
        Column("Step", _field("step"), COUNT, width=6),
        Column("Action", lambda r: _action(r["action"]), width=15),
        Column("Pillar", _field("pillar"), width=30, wrap=True),
        Column("Index (0-100)", _field("index"), INDEX, width=10),
        Column(f"{terms.target} (0-100)", _field("target_index"), INDEX, width=10),
        Column("Gap (index points)", _field("gap_index"), INDEX, width=11),
        Column("Cycle stage", _field("title"), width=22),
        Column("Weakest point", _field("weakest_point"), width=60, wrap=True),
    ]
    _table(ws, columns, rows)
    if not rows:
        put(ws, 3, 1, "No pillar needs to be started or done differently: the roadmap has no step.")


def client_plan_sheet(ws: Worksheet, a: Assessment) -> None:
    """The client's own plan (plan.yaml): projected indices per phase, then the actions (and, at a later wave,
    each against what happened)."""
    p = a.projection
    columns = p.columns()
    names = [("Overall", p.overall)] + [(p.names[r], p.pillars.loc[r]) for r in p.pillars.index]
    _table(ws, [Column("Pillar", lambda r: r[0], width=34, wrap=True)]
           + [Column(p.label(c), (lambda c: lambda r: r[1][c])(c), INDEX, width=14, wrap=True) for c in columns],
           names, freeze="B2")
    _index_colours(ws, 2, len(columns) + 1, len(names))
    ws.auto_filter.ref = None  # two tables on one sheet: no filter over the first only
    against = plan_against_actual(a)
    actions = a.plan_actions.to_dict("records")
    if against is not None:
        actions = [dict(x, **y) for x, y in zip(actions, against.to_dict("records"))]
    headings = [("Phase", 8), ("Pillar", 30), ("Class", 15), ("Action", 60), ("Owner", 22), ("Due", 12),
                ("Status", 12), ("Notes", 40)]
    if against is not None:
        headings += [("Planned target", 10), ("Index then", 10), ("Index now", 10), ("Change", 10), ("p", 8),
                     ("Result", 12), ("Target reached", 10)]
    top = len(names) + 3
    for j, (heading, width) in enumerate(headings, start=1):
        put(ws, top, j, heading)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    header_row(ws, top, [(h, ws.column_dimensions[get_column_letter(j)].width) for j, (h, _) in
                         enumerate(headings, start=1)])
    for i, r in enumerate(actions, start=top + 1):
        values = [r["phase"], r["pillar"], ACTIONS.get(r["class"], r["class"]), r["action"], r["owner"], r["due"],
                  r["status"], r["notes"]]
        if against is not None:
            values += [r["planned"], r["before"], r["reached"], r["change"], r["p"], r["change_status"],
                       None if r["met"] is None else ("yes" if r["met"] else "no")]
        for j, value in enumerate(values, start=1):
            fmt = {1: COUNT, 6: "yyyy-mm-dd", 13: "0.000"}.get(j, INDEX)
            put(ws, i, j, value, fmt).alignment = Alignment(wrap_text=True, vertical="top")


def comments_sheet(ws: Worksheet, a: Assessment) -> None:
    """The comments exactly as the report lists them: by pillar, never attributed."""
    rows = [(pillar, text) for pillar, texts in comments_by_pillar(a) for text in texts]
    _table(ws, [Column("Pillar", lambda r: r[0], width=30, wrap=True),
                Column("Comment", lambda r: r[1], width=90, wrap=True)], rows, freeze="A2")


def comment_tone_sheet(ws: Worksheet, a: Assessment) -> None:
    """The tone of the comments per pillar, as the report charts it: counts, shares, the two quotes."""
    rows = a.sentiment.pillars.to_dict("records")
    columns = [Column("Pillar", _field("name"), width=30, wrap=True),
               Column("Comments", _field("count"), COUNT, width=10)]
    columns += [Column(kind.capitalize(), _field(kind), COUNT, width=9) for kind in ("negative", "neutral", "positive")]
    columns += [Column(f"{kind.capitalize()} share", _field(f"{kind}_share"), "0%", width=9)
                for kind in ("negative", "neutral", "positive")]
    for kind in ("negative", "positive"):
        columns += [Column(f"Most {kind} comment", _field(f"most_{kind}"), width=50, wrap=True),
                    Column(f"Tone of the most {kind} (-1 to 1)", _field(f"most_{kind}_compound"), "0.00",
                           width=12)]
    _table(ws, columns, rows, freeze="B2")


def drivers_sheet(ws: Worksheet, a: Assessment) -> None:
    """Derived importance per pillar (key drivers of the outcome question) beside the stated, or why there is none."""
    found = a.drivers
    if not found.computed:
        put(ws, 1, 1, f"Key drivers were not worked out: {found.reason}.")
        ws.column_dimensions["A"].width = 100
        return
    frame = a.stated_vs_derived.join(found.table)
    rows = [{"id": pid, **row} for pid, row in frame.to_dict("index").items()]
    _table(ws, [Column("Pillar id", _field("id"), width=18), Column("Pillar", _field("name"), width=30, wrap=True),
                Column("Share of R²", _field("share"), "0.0000", width=10),
                Column("Share %", _field("share_pct"), INDEX, width=9),
                Column("95% low (share)", _field("ci_low"), "0.0000", width=10),
                Column("95% high (share)", _field("ci_high"), "0.0000", width=10),
                Column("Relative weight", _field("relative_weight"), "0.0000", width=10),
                Column("Rank", _field("rank"), COUNT, width=7),
                Column(f"Stated {a.client.template.terms.importance.lower()} (0-100)", _field("stated"), INDEX, width=12),
                Column("Stated against derived", _field("status"), width=14)], rows)
    below = len(rows) + 3
    for i, (label, value) in enumerate((("Outcome question", found.outcome), ("Respondents used", found.n),
                                        ("R²", found.r2), ("Method", DRIVERS_METHOD))):
        put(ws, below + i, 1, label).font = Font(bold=True)
        put(ws, below + i, 2, value, "0.0000" if label == "R²" else None)


SHEETS = {"Scorecard": scorecard_sheet, "Questions": questions_sheet, "Segments": segments_sheet,
          "Action plan": plan_sheet, "Roadmap": roadmap_sheet, "Comments": comments_sheet, "Comment tone": comment_tone_sheet,
          "Drivers": drivers_sheet, "About": about_sheet}


def build_workbook(a: Assessment, provenance: Mapping[str, Any] | None = None, theme: Theme = NEUTRAL) -> Workbook:
    """The results workbook of an assessment (an openpyxl Workbook, not yet saved).

    ``provenance``: a report run's record (``cxassess.run.provenance``), added to the About sheet;
    ``theme``: the branding's colours, font and firm name (``render/theme.py``), else the neutral look.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, fill in SHEETS.items():
        fill(wb.create_sheet(name), a)
    if a.coverage.warning:  # thin data: the warning is the first sheet
        quality_sheet.warning_sheet(wb.create_sheet("Data quality", 0), a)
    if a.voice is not None:  # customer feedback: where staff and customers part, as the deck and report say it
        customers_sheet(wb.create_sheet(CUSTOMERS, wb.sheetnames.index("Action plan")), a)
    if a.projection is not None:  # the client's own plan (plan.yaml), after the generated action plan
        client_plan_sheet(wb.create_sheet("Plan", wb.sheetnames.index("Action plan") + 1), a)
    if theme.firm_name:
        about = wb["About"]
        put(about, about.max_row + 1, 1, "Prepared by").font = Font(bold=True)
        put(about, about.max_row, 2, theme.firm_name)
    if provenance is not None:
        provenance_lines(wb["About"], provenance)
    wb.properties.title = f"{a.client.document_title}, results"
    wb.properties.creator = theme.firm_name or "cxassess"
    finish(wb, wb.properties.title, theme)
    return wb


def write_workbook(a: Assessment, path: str | os.PathLike, overwrite: bool = False,
                   provenance: Mapping[str, Any] | None = None, theme: Theme = NEUTRAL) -> Path:
    """Write the results workbook to ``path`` (atomically; an existing file only with ``overwrite``)."""
    return save_atomically(path, build_workbook(a, provenance, theme), overwrite)
