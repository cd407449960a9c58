"""The executive deck (``deck.pptx``): the assessment's story on seven slides, for a client meeting.

Title, executive summary, radar, gap chart, importance-performance matrix, action plan and
roadmap; a customers slide (NPS, CSAT, blind spots) before the plan when the client has customer
feedback, and a last one with the client's own plan (roadmap chart, owners and dates) when it has
one. Every slide shows each pillar's final verdict (``Assessment.verdicts``) and every figure on
the 0-100 index, as the report and the workbook do. The charts are the report's own (``cxassess.render.plots``), rendered to PNG in memory; the
speaker notes of every slide say how its figures were computed, so a presenter can answer
"where does this number come from?" without the report at hand.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any, Callable, Sequence

from matplotlib.figure import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from ..analysis import customer_findings
from . import display, plots, sections, verdict_notes
from ..analysis.assessment import Assessment
from ..analysis.scoring import ACTIONS
from .workbook import save_atomically
from .deck_theme import apply_deck_theme
from .theme import NEUTRAL, Theme

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
TITLE_HEIGHT = Inches(0.9)
PNG_DPI = 160
ACCENT = RGBColor.from_string(plots.CURRENT_COLOR.lstrip("#"))
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5  # in python-pptx's default template


UNIT = "Every figure on these slides is on the 0-100 index unless it says otherwise."


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _png(fig: Figure) -> tuple[io.BytesIO, float]:
    """A figure as PNG bytes (drawn as the report draws it, at a projector's resolution), and its width / height ratio."""
    width, height = fig.get_size_inches()
    return io.BytesIO(display.figure(fig, dpi=PNG_DPI).data), width / height


def _slide(prs: Any, title: str, notes: str) -> Any:
    """A title-only slide with the title across the top and the speaker notes filled in."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.3), SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT
    shape.text = title
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.font.size, paragraph.font.bold, paragraph.font.color.rgb = Pt(30), True, ACCENT
    slide.notes_slide.notes_text_frame.text = notes
    return slide


def _body_top() -> int:
    return Inches(0.3) + TITLE_HEIGHT + Inches(0.15)


def _chart_slide(prs: Any, title: str, notes: str, draw: Callable[[], Figure], left_out: str | None = None) -> Any:
    """A slide holding one of the report's charts under its title, or the sentence saying why it has none."""
    slide = _slide(prs, title, notes)
    if left_out:
        top = _body_top()
        _text(slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - top - MARGIN, [(left_out, 20, False)])
    else:
        _picture(slide, draw())
    return slide


def _picture(slide: Any, fig: Figure) -> Any:
    """The figure as large as the space under the title allows, centred, its proportions kept."""
    stream, ratio = _png(fig)
    top = _body_top()
    box_w, box_h = SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - top - Inches(0.3)
    width, height = (box_w, int(box_w / ratio)) if box_w / ratio <= box_h else (int(box_h * ratio), box_h)
    return slide.shapes.add_picture(stream, Emu(int((SLIDE_WIDTH - width) / 2)), top, Emu(width), Emu(height))


def _text(slide: Any, left: int, top: int, width: int, height: int,
          paragraphs: Sequence[tuple[str, int, bool]]) -> Any:
    """A text box of (text, size in points, bold) paragraphs, wrapped to its width."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, (text, size, bold) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = text
        paragraph.font.size, paragraph.font.bold = Pt(size), bold
        paragraph.space_after = Pt(4)
    return box


def _table(slide: Any, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           size: int = 12) -> Any:
    """A table under the title: a header row, then one row per item, columns ``widths`` inches wide."""
    top = _body_top()
    shape = slide.shapes.add_table(len(rows) + 1, len(headings), MARGIN, top, Inches(sum(widths)),
                                   Inches(0.4) * (len(rows) + 1))
    table = shape.table
    for j, width in enumerate(widths):
        table.columns[j].width = Inches(width)
    for i, values in enumerate([headings, *rows]):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(size)
                paragraph.font.bold = i == 0
    return shape


# -------------------------------------------------------------------------------------- slides


def title_slide(prs: Any, a: Assessment) -> Any:
    c, t = a.client, a.client.template
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    for shape, top, height in ((title, Inches(2.0), Inches(1.6)), (subtitle, Inches(3.8), Inches(1.6))):
        shape.left, shape.top, shape.width, shape.height = MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height
    title.text = c.config.name
    title.text_frame.paragraphs[0].font.color.rgb = ACCENT
    sector = f"{c.config.sector} · " if c.config.sector else ""
    subtitle.text = (f"{t.heading}\n{sector}assessed "
                     f"{c.config.assessment_date.strftime('%d %B %Y')} · {a.scores.respondents} respondents")
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.font.size = Pt(22)
    slide.notes_slide.notes_text_frame.text = (
        f"{a.scores.respondents} members of staff answered the {t.name} questionnaire (version {t.version}): "
        f"{len(t.question_ids)} statements in {len(t.pillars)} pillars, each rated on a {t.scale.min}-{t.scale.max} "
        f"scale for current practice, with {t.terms.importance.lower()} and {t.terms.target.lower()} asked alongside. "
        "Answers are anonymous; breakdowns by group hide any group smaller than "
        f"{a.anonymity_threshold} people."
    )
    return slide


def summary_slide(prs: Any, a: Assessment) -> Any:
    o = a.scores.overall
    strongest, weakest = a.strongest_weakest
    slide = _slide(prs, "Executive summary", (
        "The overall index is the weighted average of the pillar indices. A pillar's index places its mean "
        f"rating on 0-100: 0 when everyone answers {a.client.template.scale.min}, 100 when everyone answers "
        f"{a.client.template.scale.max}; negatively worded statements are reverse-scored first. "
        "Strongest and weakest are the three highest and lowest pillar indices; a pillar the customers rate as a "
        "blind spot is never listed among the strongest. The priorities are the pillars to start or do "
        "differently (the final verdict, after the customers' blind spots), ordered by the gap to target weighted "
        "by importance. Target, gap and importance are put on the same 0-100 index as the pillar indices."
    ))
    gap = f"average gap to {a.client.template.terms.target.lower()}: {_num(o['gap_index'])} points" \
        if not math.isnan(o["gap_index"]) else "no targets set"
    headline = [(f"{_num(o['index'])} / 100", 40, True), (f"{o['maturity'] or '–'} · {gap}", 14, False)]
    if o.get("withheld_reason"):  # the thin-data guard (analysis/coverage.py)
        headline = [("withheld", 40, True), (f"not enough answers: {o['withheld_reason']}", 12, False)]
    left = [("Overall index", 16, True), *headline, ("Strongest pillars", 16, True)]
    left += [(f"{row['name']}: {_num(row['index'])}", 13, False) for _, row in strongest.iterrows()]
    left += [(f"Not listed: {name} (customers' blind spot)", 11, False) for name in verdict_notes.left_out_of_strongest(a)]
    left += [("Weakest pillars", 16, True)]
    left += [(f"{row['name']}: {_num(row['index'])}", 13, False) for _, row in weakest.iterrows()]
    left += [(UNIT, 11, False)]
    top = _body_top()
    _text(slide, MARGIN, top, Inches(4.6), SLIDE_HEIGHT - top - MARGIN, left)
    sentences = a.priority_sentences
    right = [("Top priorities", 16, True)]
    right += [(f"{i}. {s}", 13, False) for i, s in enumerate(sentences, start=1)] or [
        ("No pillar needs to be started or done differently.", 13, False)]
    _text(slide, MARGIN + Inches(5.0), top, SLIDE_WIDTH - 2 * MARGIN - Inches(5.0), SLIDE_HEIGHT - top - MARGIN,
          right)
    return slide


def data_quality_slide(prs: Any, a: Assessment) -> Any:
    """The thin-data warning (``Assessment.coverage``) on its own slide, before any figure."""
    slide = _slide(prs, "Data quality warning", (
        "Each pillar needs a minimum number of respondents and a minimum share of its statements answered before "
        "its index, maturity band and action are shown; below that it reads \"not enough answers\". The overall index "
        "is withheld when fewer than half of the pillars are scored."))
    top = _body_top()
    _text(slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - top - MARGIN,
          [("These results rest on too few answers", 24, True), (a.coverage.warning or "", 16, False)])
    return slide


def radar_slide(prs: Any, a: Assessment) -> Any:
    return _chart_slide(prs, "Current practice against target", (
        "Each spoke is a pillar; the solid line is today's index (0-100), the dashed line the target placed on the "
        "same index. Targets come from " + ("the client's agreed pillar targets where set, else from " if
        a.client.targets else "") + "respondents' own target answers. Where the lines are far apart, practice "
        "falls furthest short of ambition."
    ), lambda: plots.radar(a.scores), sections.radar_left_out(a.scores))


def gap_slide(prs: Any, a: Assessment) -> Any:
    terms = a.client.template.terms
    return _chart_slide(prs, "Where the gaps are", (
        f"A gap is the {terms.target.lower()} minus the current mean, put on the 0-100 index scale. Pillars are "
        f"ordered by priority: the gap weighted by {terms.importance.lower()} (its index divided by 100), so a "
        "large gap on something that matters comes first. Bar patterns show each pillar's action class."
    ), lambda: plots.gap_chart(a.verdict_scores, intervals=a.intervals), sections.gaps_left_out(a.scores))


def matrix_slide(prs: Any, a: Assessment) -> Any:
    rules, terms = a.client.template.actions, a.client.template.terms
    return _chart_slide(prs, "Importance and performance", (
        f"Each pillar is placed by its index (across) and its {terms.importance.lower()} index (up). A pillar is "
        f"important from {_num(rules.important_at)} up (without importance answers: from a gap of "
        f"{_num(rules.gap_priority_at)} points). Important pillars at or above {_num(rules.performing_at)} are "
        f"kept, those at or below {_num(rules.start_below)} are to be started, those in between done "
        "differently; pillars that are not important are candidates to stop or reduce." + verdict_notes.moved_note(a)
    ), lambda: plots.importance_performance(a.scores), sections.matrix_left_out(a.scores))


def customers_slide(prs: Any, a: Assessment) -> Any:
    """What the customers say: NPS, CSAT and effort, and the blind spots with the verdict they give. None without
    customer feedback."""
    v = a.voice
    if v is None:
        return None
    o, s = v.overall, v.settings
    slide = _slide(prs, "What your customers say", (
        f"{v.responses} customer responses beside the staff's self-assessment. NPS is the share of promoters (9-10) "
        "minus the share of detractors (0-6); CSAT the share answering 4 or 5 of 5; effort (CES) the mean on 1-7, "
        f"7 = very easy. A figure resting on fewer than {s.min_answers} answers is not shown. A pillar's customer "
        "index puts its customer questions (or its tagged comments) on the same 0-100 index as the staff's; a blind "
        f"spot is a pillar the staff rate {_num(s.blind_spot_at)} or more points above their customers, and a blind "
        "spot the staff would keep is done differently in the action plan. A pillar the customers rate that much "
        "above the staff is an undersold strength only when the plan keeps it; when the plan acts on it (its own "
        "index falls short of its target) it is listed as such, with its verdict and priority, never as a strength."
    ))
    nps = "–" if _missing(o["nps"]) else f"{o['nps']:+.0f}"
    csat = "–" if _missing(o["csat"]) else f"{o['csat']:.0f}%"
    left = [("Net Promoter Score", 16, True), (nps, 40, True),
            (f"{o['promoters']} promoters, {o['passives']} passives, {o['detractors']} detractors", 12, False),
            ("Satisfied (CSAT, 4 or 5 of 5)", 16, True), (csat, 32, True),
            (f"Effort (CES, 1-7, 7 = very easy): {_num(o['ces'], 1)}", 13, False)]
    right: list[tuple[str, int, bool]] = []
    for _, heading, note, lines in customer_findings.grouped(a.customer_findings):  # as the report and workbook
        right += [(heading, 16, True), *[(line, 13, False) for line in lines], (note, 11, False)]
    right = right or [(customer_findings.NONE, 13, False)]
    top = _body_top()
    _text(slide, MARGIN, top, Inches(4.6), SLIDE_HEIGHT - top - MARGIN, left)
    _text(slide, MARGIN + Inches(5.0), top, SLIDE_WIDTH - 2 * MARGIN - Inches(5.0), SLIDE_HEIGHT - top - MARGIN, right)
    return slide


def plan_slide(prs: Any, a: Assessment) -> Any:
    slide = _slide(prs, "Action plan", (
        "Every pillar gets one verdict: the importance-performance grid's (keep, do differently, start, stop or "
        "reduce), then, where there is customer feedback, a blind spot the staff would keep is done differently. "
        "Within an action, pillars come by priority. The statement shown is the one that explains the verdict "
        "best: the weakest statement sharing it (the strongest for pillars to keep). Index and gap are on the 0-100 "
        "index. The full plan, with every statement behind each pillar, is in the report and in the results workbook."
    ))
    first = a.plan.drop_duplicates("pillar_id")
    reasons = a.verdicts["action_reason"]
    rows = [[r["action_label"], r["pillar"], _num(r["pillar_index"]), _num(r["pillar_gap_index"]),
             (f"Why not {ACTIONS.get(a.verdicts.at[r['pillar_id'], 'action_ipa'], '–').lower()}: "
              f"{reasons[r['pillar_id']]} Look first at: " if reasons[r["pillar_id"]] else "") + r["question"]]
            for r in first.to_dict("records")]
    _table(slide, ["Action", "Pillar", "Index", "Gap", "Statement to look at first"], rows,
           [1.7, 3.0, 0.8, 0.8, 6.03], size=11 if len(rows) <= 10 else 10)
    return slide


def roadmap_slide(prs: Any, a: Assessment) -> Any:
    slide = _slide(prs, "Improvement roadmap", (
        "One step per priority, first priority first: every pillar to start or do differently (its final verdict), "
        "ordered by the gap to target weighted by importance, none whose gap is within noise. Each step names the "
        "stage of the improvement cycle it serves (know the real need, deliver on it, examine every touchpoint, fix "
        "what you find, measure the results, reinforce continuously) and the statement that scored lowest. The "
        "report's roadmap and the workbook's Roadmap sheet list the same steps."
    ))
    target = a.client.template.terms.target
    rows = [[f"{r['step']}. {ACTIONS.get(r['action'], '–')}", r["pillar"], _num(r["index"]), _num(r["target_index"]),
             r["title"] or "–", r["weakest_point"] or "–"] for r in a.roadmap_steps.to_dict("records")]
    if not rows:
        top = _body_top()
        _text(slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Inches(1), [
            ("No pillar needs to be started or done differently: the roadmap has no step.", 20, False)])
        return slide
    _table(slide, ["Step", "Pillar", "Index", target, "Cycle stage", "Weakest point"], rows,
           [2.0, 2.8, 0.7, 0.8, 1.8, 4.23], size=11 if len(rows) <= 8 else 9 if len(rows) <= 11 else 8)
    return slide


def client_plan_slide(prs: Any, a: Assessment) -> Any:
    """The client's own plan (plan.yaml): the roadmap chart beside who does what by when. None without a plan."""
    p = a.projection
    if p is None:
        return None
    frame = a.plan_actions
    slide = _slide(prs, "The plan: roadmap, owners and dates", (
        f"The client's plan (plan.yaml, from the assessment of {a.client_plan.date.strftime('%d %B %Y')}). After a "
        "phase, each pillar stands at the target the plan names for it from that phase on, else where it is now; "
        "the overall index is computed from those with the same pillar weights as today's. To-be is the client's "
        "own target where it has one. The actions: "
        + " ".join(f"{r['pillar']}: {r['action']}" for r in frame.to_dict("records"))
    ))
    widths = [0.6, 2.0, 1.5, 1.0, 0.9]  # the table on the right, the chart in the room left of it
    stream, ratio = _png(plots.roadmap_chart(p))
    top = _body_top()
    room = SLIDE_WIDTH - 2 * MARGIN - Inches(sum(widths)) - Inches(0.2)
    width = min(int((SLIDE_HEIGHT - top - Inches(0.3)) * ratio), room)
    slide.shapes.add_picture(stream, MARGIN, top, Emu(width), Emu(int(width / ratio)))
    rows = [[str(r["phase"]), r["pillar"], r["owner"] or "–", r["due"].strftime("%d %b %Y") if r["due"] else "–",
             r["status"]] for r in frame.to_dict("records")]
    shape = _table(slide, ["Phase", "Pillar", "Owner", "Due", "Status"], rows, widths,
                   size=10 if len(rows) <= 12 else 8)
    shape.left = SLIDE_WIDTH - MARGIN - shape.width
    return slide


SLIDES = (title_slide, summary_slide, radar_slide, gap_slide, matrix_slide, customers_slide, plan_slide, roadmap_slide,
          client_plan_slide)


def build_deck(a: Assessment, theme: Theme = NEUTRAL) -> Any:
    """The executive deck of an assessment (a python-pptx Presentation, not yet saved), in ``theme``'s look."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    for make in SLIDES:
        make(prs, a)
        if make is title_slide and a.coverage.warning:  # thin data: the warning comes before any figure
            data_quality_slide(prs, a)
    prs.core_properties.title = a.client.document_title
    prs.core_properties.author = "cxassess"
    apply_deck_theme(prs, theme)
    return prs


def write_deck(a: Assessment, path: str | os.PathLike, overwrite: bool = False, theme: Theme = NEUTRAL) -> Path:
    """Write the executive deck to ``path`` (atomically; an existing file only with ``overwrite``)."""
    return save_atomically(path, build_deck(a, theme), overwrite)
