"""The results workbook's About sheet: who and what it is about, and the method in plain words.

The method is told here in full (no pointer to a file the client does not have), as are the
response rates (with a headcount), the firm that prepared it and the run's provenance.
"""

from __future__ import annotations

from typing import Any, Mapping

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.assessment import Assessment
from .appendix import rows as provenance_rows
from .workbook_cells import put


DRIVERS_METHOD = ("Each pillar's share of how much of the outcome question's variation the pillars explain together "
                  "(R²), averaged over every order in which the pillars can be added (LMG); Johnson's relative "
                  "weights as a check; the 95% range from 1,000 resamples of the respondents.")
METHOD = ("Each statement's ratings are averaged, leaving out N/A and blanks and turning negatively worded "
          "statements around first. A pillar's mean is the weighted average of its statements' means and its "
          "index puts that mean on 0-100; the overall index is the weighted average of the pillar indices. "
          "Gap = target minus current mean; priority = gap in index points weighted by importance. A pillar with a "
          "high importance and a low index is 'Do differently', a low importance and a low index 'Start', a high "
          "index with a high importance 'Keep' and with a low importance 'Stop' (or do less). Groups under the "
          "anonymity threshold are never shown.")



def about_sheet(ws: Worksheet, a: Assessment) -> None:
    """Who and what the workbook is about, and how to read the figures."""
    c, t = a.client, a.client.template
    lines = [
        ("Client", c.config.name),
        ("Sector", c.config.sector),
        ("Assessed", c.config.assessment_date),
        ("Respondents", a.scores.respondents),
        ("Questionnaire", f"{t.name} (version {t.version})"),
        ("Rating scale", f"{t.scale.min} to {t.scale.max}"),
        ("Anonymity threshold", a.anonymity_threshold),
        ("Index", "A mean placed on 0-100: 0 when everyone gives the lowest rating, 100 when everyone gives the "
                  "highest. Negatively worded statements are reverse-scored first."),
        ("Sheets", "Scorecard: what to read first, one row per pillar (index, target, gap, importance, priority, "
                   "maturity, verdict). Scorecard details: the figures behind each row (respondents, 95% intervals, "
                   "spread, agreement, Cronbach's alpha, the rating-scale figures). Chart: index against target. "
                   "Questions, Segments, Action plan, Roadmap and the rest: as in the report."),
        ("Unit", f"Every figure is on the 0-100 index unless its heading names the {t.scale.min}-{t.scale.max} rating "
                 f"scale: {t.terms.target.lower()}, gap and {t.terms.importance.lower()} are put on it as the mean is."),
        ("Gap", f"{t.terms.target} minus current mean, in index points."),
        ("Verdict", "The importance-performance grid's class, then the customers' blind spots where there is customer "
                    "feedback: a pillar the staff would keep but its customers rate well below them is done "
                    "differently. The Scorecard sheet says why a verdict differs from the grid's class; the "
                    "Scorecard details sheet gives that class."),
        ("Priority", f"The gap in index points weighted by {t.terms.importance.lower()} (index / 100)."),
        ("Method", METHOD),
        ("95% interval", "The range the index would likely take with other respondents like these (bootstrap over "
                         "respondents). A gap whose interval reaches the target is within noise, not a priority."),
    ]
    lines += participation_lines(a)
    for i, (label, value) in enumerate(lines, start=1):
        put(ws, i, 1, label).font = Font(bold=True)
        cell = put(ws, i, 2, value, "yyyy-mm-dd" if label == "Assessed" else None)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 90


def participation_lines(a: Assessment) -> list[tuple[str, Any]]:
    """The About sheet's response rates (none without a headcount); a hidden group shows no count or rate."""
    p = a.participation
    if p is None:
        return []
    flag = f" (low: under {p.low_at:.0%})"
    lines: list[tuple[str, Any]] = [("Invited", p.headcount), ("Response rate", f"{p.respondents} of {p.headcount} "
                                                                                f"({p.rate:.0%}){flag if p.low else ''}")]
    for r in p.groups.to_dict("records"):
        text = ("not shown: too few answered to keep them anonymous" if r["suppressed"] else
                f"{r['respondents']} of {r['headcount']} ({r['rate']:.0%}){flag if r['low'] else ''}")
        lines.append((f"Response rate, {r['segment']}: {r['group']}", text))
    return lines


def provenance_lines(ws: Worksheet, record: Mapping[str, Any]) -> None:
    """The report run's provenance (as the report's appendix shows it) below the About sheet's lines."""
    first = ws.max_row + 2
    put(ws, first, 1, "Provenance").font = Font(bold=True, size=12)
    for i, (label, value) in enumerate(provenance_rows(record), start=first + 1):
        put(ws, i, 1, label).font = Font(bold=True)
        put(ws, i, 2, value).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 32)
