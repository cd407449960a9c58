"""The results workbook (``results.xlsx``): a client's scores as Excel sheets a consultant can sort and reuse.

Sheets: Scorecard (what the client reads: pillars with their final verdict, on the 0-100 index),
Chart (index against target), Scorecard details (the statistics behind the scorecard, in
``workbook_scorecard.py``), Questions, Segments (groups below the anonymity threshold shown as suppressed,
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
from pathlib import Path
from typing import Any, Callable, Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import quality_sheet
from ..analysis.assessment import Assessment, plan_against_actual
from .sections import comments_by_pillar
from .theme import NEUTRAL, Theme
from .workbook_layout import finish, header_row
from .workbook_cells import put
from .workbook_about import DRIVERS_METHOD, about_sheet, provenance_lines
from .workbook_scorecard import DETAILS, scorecard_details_sheet, scorecard_sheet
from .workbook_table import COUNT, INDEX, SCALE, Column
from .workbook_table import action as _action, field as _field, index_colours as _index_colours, table as _table
from .workbook_customers import SHEET as CUSTOMERS, customers_sheet
from ..core.errors import CxError
from ..core.files import write_bytes_atomically
from ..analysis.scoring import ACTIONS, to_index

SUPPRESSED = "suppressed"

_SUPPRESSED_FONT = Font(italic=True, color="808080")


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


# -------------------------------------------------------------------------------------- sheets


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


SHEETS = {"Scorecard": scorecard_sheet, DETAILS: scorecard_details_sheet, "Questions": questions_sheet,
          "Segments": segments_sheet,
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
