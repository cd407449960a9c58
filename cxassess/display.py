"""Notebook rendering of an assessment: each report section as an HTML fragment or a PNG.

Every piece of client text (names, comments, question text, segment values) goes through
Jinja2's autoescaping, so it shows as text and never runs in a browser or a PDF renderer.
Figures are embedded as PNG, so a report opens offline and nbval can skip them.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from typing import Any

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from . import actions, plots, waves
from .assessment import Assessment
from .scoring import ACTIONS, PORTFOLIO_MIN_CLIENTS

FIGURE_DPI = 110
LOW_AGREEMENT = 0.7
LOW_ALPHA = 0.6

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _num(value: Any, digits: int = 0) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


_env.filters["num"] = _num
_env.globals["ACTIONS"] = ACTIONS
_env.globals["REVERSED"] = "(negatively worded: the index rises as people disagree)"


def _cell_colours(color: Any) -> str:
    text = "#000" if plots.luminance(color) > 0.5 else "#fff"
    return f"background:{to_hex(color)};color:{text}"


def _action_style(action: str | None) -> str:
    return _cell_colours(plots.action_style(action)["color"]) if action in plots.ACTION_STYLE else ""


_env.globals["action_style"] = _action_style


class Html:
    """An HTML fragment that Jupyter displays as such (``text/html``) and nbval compares as text."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<Html fragment, {len(self.html)} characters>"


class Png:
    """A rendered figure: Jupyter displays the PNG; its text form carries no volatile data."""

    def __init__(self, data: bytes, title: str = "chart"):
        self.data, self.title = data, title

    def _repr_png_(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        return f"<{self.title}>"


_SECTION = """
<section class="cx-section">
<div{% if keep %} class="cx-keep"{% endif %}><h2>{{ heading }}</h2>{% if note %}<p class="cx-note">{{ note }}</p>{% endif %}{{ first }}</div>
{% for part in rest %}{{ part }}{% endfor %}
</section>
"""


def _as_html(item: "Html | Png") -> Markup:
    if isinstance(item, Png):
        data = base64.b64encode(item.data).decode("ascii")
        return Markup('<img class="cx-chart" alt="{}" src="data:image/png;base64,{}">').format(item.title, data)
    return Markup(item.html)


def section(heading: str, *items: "Html | Png | list", note: str | None = None) -> Html:
    """A report section: heading, optional note, then the content.

    When the first block is a chart, heading and chart are kept on one page (PDF renderers
    otherwise leave a heading alone at the foot of a page); text and tables flow normally.
    """
    flat = [i for item in items for i in (item if isinstance(item, list) else [item])]
    parts = [_as_html(i) for i in flat] or [Markup("")]
    keep = bool(flat) and isinstance(flat[0], Png)
    return render(_SECTION, heading=heading, note=note, first=parts[0], rest=parts[1:], keep=keep)


@functools.lru_cache(maxsize=None)
def _compiled(template: str) -> Any:
    return _env.from_string(template)  # compiling costs more than rendering: once per process


def precompile() -> None:
    """Compile this module's section templates now (a kernel zygote does it once for all its kernels)."""
    for value in list(globals().values()):
        if isinstance(value, str) and "{{" in value:
            _compiled(value)


def render(template: str, **context: Any) -> Html:
    """An escaped HTML fragment from a Jinja2 template string."""
    return Html(_compiled(template).render(**context))


def figure(fig: Figure, title: str | None = None, dpi: float = FIGURE_DPI) -> Png:
    """A matplotlib Figure as an embedded PNG (no backend or pyplot state involved).

    Drawn once on an Agg canvas and saved opaque (a PDF renderer must split an alpha channel out
    of every RGBA image) with a palette of 256 colours: a chart has a few flat colours and their
    anti-aliased edges, so the picture looks the same at a third of the bytes, which every later
    step (notebook, HTML, PDF) then carries. The charts lay themselves out (no tight bounding box).
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    fig.patch.set_facecolor("white")
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=3)  # nearly as small as the default, a third faster
    return Png(buffer.getvalue(), title or (fig.axes[0].get_title() if fig.axes else "chart") or "chart")


# ----------------------------------------------------------------------------------- sections

_TITLE = """
<header class="cx-title">
  <p class="cx-kicker">Customer-service strategy assessment</p>
  <h1>{{ c.config.name }}</h1>
  <p class="cx-meta">{{ c.config.sector }}{% if c.config.sector %} · {% endif %}assessed {{ c.config.assessment_date.strftime('%d %B %Y') }}{% if c.waves|length > 1 %} (wave {{ c.wave.id }}){% endif %}
   · {{ a.scores.respondents }} respondents · questionnaire: {{ t.name }} (v{{ t.version }})</p>
  {% if c.config.notes %}<p class="cx-notes">{{ c.config.notes }}</p>{% endif %}
</header>
"""


def title(a: Assessment) -> Html:
    """The report's title block: client, sector, date, respondents, questionnaire."""
    return render(_TITLE, a=a, c=a.client, t=a.client.template)


_SUMMARY = """
<div class="cx-summary">
  <div class="cx-card cx-overall">
    <div class="cx-big">{{ o.index|num }}</div>
    <div>overall index (0-100)</div>
    <div class="cx-band">{{ o.maturity or '–' }}</div>
    {% if o.gap_index == o.gap_index and o.gap_index is not none %}<div class="cx-small">average gap to target: {{ o.gap_index|num }} points</div>{% endif %}
  </div>
  <div class="cx-card">
    <h3>Strongest pillars</h3>
    <table class="cx-ranked">{% for name, row in strongest.iterrows() %}<tr><td>{{ loop.index }}.</td><td>{{ row['name'] }}</td><td class="cx-score">{{ row['index']|num }}</td></tr>{% endfor %}</table>
  </div>
  <div class="cx-card">
    <h3>Weakest pillars</h3>
    <table class="cx-ranked">{% for name, row in weakest.iterrows() %}<tr><td>{{ loop.index }}.</td><td>{{ row['name'] }}</td><td class="cx-score">{{ row['index']|num }}</td></tr>{% endfor %}</table>
  </div>
</div>
<h3>Top priorities</h3>
{% if sentences %}
<ol class="cx-priorities">{% for s in sentences %}<li>{{ s }}</li>{% endfor %}</ol>
{% else %}
<p>No pillar needs to be started or done differently: every pillar is performing or not a priority.</p>
{% endif %}
"""


def executive_summary(a: Assessment) -> Html:
    """Overall index and band, three strongest and weakest pillars, top five priorities."""
    strongest, weakest = actions.strongest_weakest(a.scores)
    return render(
        _SUMMARY, o=a.scores.overall, strongest=strongest, weakest=weakest,
        sentences=actions.priority_sentences(a.scores),
    )


_SCORECARD = """
<table class="cx-table cx-scorecard">
  <thead><tr><th>Pillar</th><th>Mean</th><th>Index</th><th>{{ terms.target }}</th><th>Gap</th>
  <th>{{ terms.importance }}</th><th>Maturity</th><th>n</th><th>Agreement (rwg)</th><th>Action</th></tr></thead>
  <tbody>
  {% for pid, p in pillars.iterrows() %}
  <tr>
    <td class="cx-name">{{ p['name'] }}</td>
    <td>{{ p['mean']|num(2) }}</td>
    <td style="{{ heat(p['index']) }}">{{ p['index']|num }}</td>
    <td>{{ p['target']|num(2) }}</td>
    <td>{{ p['gap']|num(2) }}</td>
    <td>{{ p['importance']|num(2) }}</td>
    <td>{{ p['maturity'] or '–' }}</td>
    <td>{{ p['n'] }}</td>
    <td{% if p['rwg'] < low %} class="cx-warn"{% endif %}>{{ p['rwg']|num(2) }}</td>
    <td class="cx-action" style="{{ action_style(p['action']) }}">{{ ACTIONS.get(p['action'], '–') }}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
<p class="cx-small">Mean, {{ terms.target|lower }}, gap and {{ terms.importance|lower }} are on the {{ scale.min }}-{{ scale.max }} scale;
the index puts the mean on 0-100. Agreement below {{ low }} (marked) means respondents see the pillar very differently.</p>
"""


def index_style(index: float) -> str:
    """Inline style of a table cell holding a 0-100 index: the charts' index colour, readable text."""
    if index is None or math.isnan(index):
        return ""
    return _cell_colours(colormaps[plots.INDEX_CMAP](0.1 + 0.75 * index / 100))



def scorecard(a: Assessment) -> Html:
    """The pillar scorecard, colour-coded by index and action class."""
    t = a.client.template
    return render(_SCORECARD, pillars=a.scores.pillars, terms=t.terms, scale=t.scale, heat=index_style,
                  low=LOW_AGREEMENT)


_PLAN = """
{% for action, group in groups %}
<h3 class="cx-plan-head"><span class="cx-chip" style="{{ action_style(action) }}">{{ ACTIONS[action] }}</span> {{ blurbs[action] }}</h3>
<table class="cx-table cx-plan">
  <thead><tr><th>Pillar</th><th>Index</th><th>The questions behind it</th><th>Index</th></tr></thead>
  <tbody>
  {% for pillar, rows in group %}
    {% for r in rows %}
    <tr>{% if loop.first %}<td rowspan="{{ rows|length }}" class="cx-name">{{ pillar }}</td><td rowspan="{{ rows|length }}">{{ r['pillar_index']|num }}</td>{% endif %}
    <td>{{ r['question'] }}{% if r['reverse'] %} <span class="cx-small">{{ REVERSED }}</span>{% endif %}</td><td>{{ r['question_index']|num }}</td></tr>
    {% endfor %}
    {% if rows[0].get('evidence') %}<tr><td colspan="4" class="cx-small"><strong>Customers' evidence:</strong> {{ rows[0]['evidence'] }}</td></tr>{% endif %}
  {% endfor %}
  </tbody>
</table>
{% else %}
<p>No pillar could be classified (no ratings).</p>
{% endfor %}
"""

PLAN_BLURBS = {
    "do_differently": "important and under-performing: change how it is done",
    "start": "important and barely in place: start doing it",
    "keep": "important and performing: keep doing it",
    "stop": "not a priority: stop or reduce the effort",
}


def action_plan(a: Assessment) -> Html:
    """For each of do differently, start, keep and stop: the pillars and the questions behind them."""
    groups = []
    for action in actions.PLAN_ORDER:
        part = a.plan[a.plan["action"] == action]
        if part.empty:
            continue
        by_pillar = [(name, rows.to_dict("records")) for name, rows in part.groupby("pillar", sort=False)]
        groups.append((action, by_pillar))
    return render(_PLAN, groups=groups, blurbs=PLAN_BLURBS)


_ROADMAP = """
<ol class="cx-roadmap">
{% for step, rows in steps %}
  <li><strong>{{ rows[0]['title'] }}</strong>
  <ul>{% for r in rows %}<li>{{ r['pillar'] }} (index {{ r['index']|num }}, {{ ACTIONS.get(r['action'], '–')|lower }}){% if r['weakest_point'] %}: weakest point “{{ r['weakest_point'] }}”{% if r['weakest_reverse'] %} <span class="cx-small">{{ REVERSED }}</span>{% endif %}{% endif %}</li>{% endfor %}</ul>
  </li>
{% endfor %}
</ol>
"""


def roadmap(a: Assessment) -> Html:
    """The improvement cycle, stage by stage, with the weakest pillars of each stage."""
    frame = actions.roadmap(a.scores)
    steps = [(step, rows.to_dict("records")) for step, rows in frame.groupby("step", sort=True)]
    return render(_ROADMAP, steps=steps)


_SEGMENT_NOTE = """
<p class="cx-small">Index by {{ segment }} (0-100). Groups with fewer than {{ threshold }} respondents are
suppressed to protect anonymity, and so are groups whose figures would let a suppressed group be worked
out{% if suppressed %}: {{ suppressed|length }} group(s) here{% endif %}.</p>
"""


def segment_note(a: Assessment, segment: str) -> Html:
    frame = a.breakdowns[segment]
    suppressed = frame.loc[frame["suppressed"], "group"].tolist()
    return render(_SEGMENT_NOTE, segment=segment, threshold=a.anonymity_threshold, suppressed=suppressed)


def segment_heatmaps(a: Assessment) -> list[Png | Html]:
    """Perception gaps: one heatmap per segment (role first), small groups suppressed."""
    out: list[Png | Html] = []
    for segment in sorted(a.breakdowns, key=lambda s: (s != "role", s)):
        fig = plots.segment_heatmap(a.breakdowns[segment], a.client.template, threshold=a.anonymity_threshold)
        out += [figure(fig, f"Index by {segment}"), segment_note(a, segment)]
    return out


def disagreement(a: Assessment) -> list[Png | Html]:
    """Pillars where staff disagree (rwg below 0.7), with how their answers spread."""
    low = a.scores.pillars[a.scores.pillars["rwg"] < LOW_AGREEMENT]
    if low.empty:
        return [render("<p>Staff broadly agree on every pillar (agreement rwg of {{ low }} or more).</p>",
                       low=LOW_AGREEMENT)]
    note = render(
        "<p>Agreement is low (rwg under {{ low }}) on: {% for n, p in rows.iterrows() %}<strong>{{ p['name'] }}</strong> "
        "(rwg {{ p['rwg']|num(2) }}){% if not loop.last %}, {% endif %}{% endfor %}. A mean here hides different experiences: "
        "look at who answers what before acting.</p>",
        rows=low, low=LOW_AGREEMENT,
    )
    return [note, figure(plots.distribution_chart(a.distribution, a.client.template, list(low.index)),
                         "Answer distribution")]


_COMMENTS = """
{% for pillar, items in groups %}
<h3>{{ pillar }}</h3>
<ul class="cx-comments">{% for text in items %}<li>{{ text }}</li>{% endfor %}</ul>
{% else %}
<p>No comments were written.</p>
{% endfor %}
"""


def comments_by_pillar(a: Assessment) -> list[tuple[str, list[str]]]:
    """Comments grouped by pillar, in template order, without anything that names who wrote them.

    Within a pillar they are in alphabetical order: the order of the answers file (often sorted by
    role or department) would otherwise hint at who wrote which.
    """
    comments = a.client.responses.comments
    out = []
    for pillar in a.client.template.pillars:
        texts = [
            text
            for q in pillar.questions
            for text in comments[q.id].dropna().tolist()
            if str(text).strip()
        ]
        if texts:
            out.append((pillar.name, sorted(set(texts), key=lambda t: (str(t).casefold(), str(t)))))
    return out


def comments(a: Assessment) -> Html:
    """Verbatim comments grouped by pillar, never attributed, shown as text."""
    return render(_COMMENTS, groups=comments_by_pillar(a))


_METHOD = """
<p>{{ n }} people answered {{ q }} statements in {{ p }} pillars on a {{ scale.min }}-{{ scale.max }} scale
({{ labels }}). N/A and blank answers are left out; negatively worded statements are reverse-scored.
A pillar's mean is the weighted average of its statements' means; its index places that mean on 0-100;
the overall index is the weighted average of the pillar indices. Targets come from
{% if targets %}the client's pillar targets{% else %}respondents' target answers{% endif %}; importance from respondents'
importance answers. The full arithmetic is in the cxassess documentation (docs/scoring.md).</p>
<table class="cx-table">
  <thead><tr><th>Pillar</th><th>Answered by</th><th>Ratings</th><th>N/A</th><th>Cronbach's alpha</th><th>on n complete</th></tr></thead>
  <tbody>
  {% for pid, r in rows.iterrows() %}
  <tr><td class="cx-name">{{ r['name'] }}</td><td>{{ r['n'] }}</td><td>{{ r['ratings'] }}</td><td>{{ r['na'] }}</td>
  <td{% if r['alpha'] < low %} class="cx-warn"{% endif %}>{{ r['alpha']|num(2) }}{% if r['alpha'] < low %} ⚠ below {{ low }}{% endif %}</td><td>{{ r['alpha_n'] }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% if weak %}<p class="cx-warn-text">Alpha under {{ low }} means the statements of {{ weak|join(', ') }} do not hang together well:
read those pillars statement by statement.</p>{% endif %}
{% if warnings %}<p class="cx-small">Data notes: {{ warnings|length }} warning(s) when the answers were checked, e.g. {{ warnings[0] }}.</p>{% endif %}
"""


def method(a: Assessment) -> Html:
    """Respondents, answer counts and reliability per pillar, and how the scores are computed."""
    t, scores = a.client.template, a.scores
    q = scores.questions.groupby("pillar_id", sort=False)[["n", "na"]].sum()
    rows = scores.pillars[["name", "n", "alpha", "alpha_n"]].join(q.rename(columns={"n": "ratings"}))
    labels = ", ".join(f"{k} = {v}" for k, v in sorted(t.scale.labels.items()))
    weak = rows.loc[rows["alpha"] < LOW_ALPHA, "name"].tolist()
    return render(
        _METHOD, n=scores.respondents, q=len(t.question_ids), p=len(t.pillars), scale=t.scale, labels=labels,
        targets=bool(a.client.targets), rows=rows, low=LOW_ALPHA, weak=weak,
        warnings=[p.message for p in a.client.warnings],
    )


_COMPARE = """
<table class="cx-table">
  <thead><tr><th>Pillar</th><th>Your index</th><th>Portfolio Q1</th><th>Median</th><th>Q3</th><th>Where you stand</th></tr></thead>
  <tbody>
  {% for pid, r in rows.iterrows() %}
  <tr><td class="cx-name">{{ r['name'] }}</td><td style="{{ heat(r['index']) }}">{{ r['index']|num }}</td>
  <td>{{ r['q1']|num }}</td><td>{{ r['median']|num }}</td><td>{{ r['q3']|num }}</td><td>{{ r['position'] }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p class="cx-small">The portfolio: the {{ clients }} organisations assessed in the same batch with this questionnaire,
yours included. Q1, median and Q3 split their pillar indices into quarters (linear interpolation); no other
organisation is named or shown.</p>
"""

NO_COMPARISON = ("No portfolio comparison: this report was not produced in a batch of at least "
                 f"{PORTFOLIO_MIN_CLIENTS} organisations assessed with the same questionnaire.")


def how_you_compare(comparison: pd.DataFrame | None) -> Html | list[Png | Html]:
    """The client's pillar indices against the portfolio's quartiles (chart and table), or a one-line note.

    ``comparison`` is what ``cxassess.portfolio.how_you_compare`` returns: None when there is
    no benchmark or too few clients.
    """
    if comparison is None or comparison.empty:
        return render("<p class=\"cx-note\">{{ text }}</p>", text=NO_COMPARISON)
    clients = int(comparison["clients"].max())
    return [figure(plots.portfolio_comparison(comparison), "Your pillar indices against the portfolio"),
            render(_COMPARE, rows=comparison, clients=clients, heat=index_style)]


_PROGRESS = """
<p>{{ headline }}</p>
<table class="cx-table">
  <thead><tr><th>Pillar</th>{% for w in wave_ids %}<th>{{ w }}</th>{% endfor %}<th>Change since {{ previous }}</th><th>Result</th>
  {% if several %}<th>Change since {{ first }}</th><th>Result</th>{% endif %}</tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td class="cx-name">{% if r.overall %}<strong>{{ r.name }}</strong>{% else %}{{ r.name }}{% endif %}</td>
  {% for v in r.cells %}<td style="{{ heat(v) }}">{{ v|num }}</td>{% endfor %}
  <td>{{ r.change|signed }}</td><td class="cx-action">{{ r.status_label }}</td>
  {% if several %}<td>{{ r.change_first|signed }}</td><td class="cx-action">{{ r.status_first_label }}</td>{% endif %}</tr>
  {% endfor %}
  </tbody>
</table>
<h3>Did the last plan move its pillars?</h3>
{% if plan %}
<p>{{ plan_summary }}</p>
<table class="cx-table">
  <thead><tr><th>Pillar</th><th>Plan of {{ previous }}</th><th>Index then</th><th>Index now</th><th>Change</th><th>Result</th></tr></thead>
  <tbody>
  {% for r in plan %}
  <tr><td class="cx-name">{{ r.name }}</td><td><span class="cx-chip" style="{{ action_style(r.action) }}">{{ r.action_label }}</span>{% if r.priority %} · top priority{% endif %}</td>
  <td>{{ r.before|num }}</td><td>{{ r.after|num }}</td><td>{{ r.change|signed }}</td><td class="cx-action">{{ r.status_label }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% else %}
<p>The plan of {{ previous }} asked no pillar to start or to be done differently.</p>
{% endif %}
<p class="cx-small">Change: index points, the later wave minus the earlier one. A change counts as improved or declined only
when Welch's t-test on the respondents' own pillar scores puts it beyond chance (p &lt; {{ alpha }}); each wave is a new
group of respondents, so a few points up or down can be noise. Unchanged means no change beyond chance.</p>
"""

STATUS_LABELS = {"improved": "Improved", "declined": "Declined", "unchanged": "Unchanged"}


def _signed(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+.{digits}f}"
    return "±0" if text.lstrip("+-") == f"{0:.{digits}f}" else text.replace("-", "−")


_env.filters["signed"] = _signed


def _pillars(count: int) -> str:
    return f"{count} pillar{'' if count == 1 else 's'}"


def progress_note(p: "waves.Progress | None") -> str:
    """The one line shown instead of the section when there is no earlier wave."""
    if p is None or not p.waves:
        return "This is the client's first assessment: progress is shown from the second wave on."
    w = p.current
    return (f"This is the client's first assessment (wave {w.id}, {w.date.strftime('%d %B %Y')}): "
            "progress is shown from the second wave on.")


def progress(p: "waves.Progress | None") -> Html | list[Png | Html]:
    """Progress since the last assessment: trend lines, the change table and the plan follow-through.

    With fewer than two waves, a one-line note instead.
    """
    if p is None or not p.has_history:
        return render("<p class=\"cx-note\">{{ text }}</p>", text=progress_note(p))
    last, since_first = p.since_previous, p.since_first
    trend = p.trend.pivot(index="pillar_id", columns="wave", values="index")
    wave_ids = [w.id for w in p.waves]
    rows = [
        {"name": r["name"], "overall": key == waves.OVERALL, "cells": [trend.at[key, w] for w in wave_ids],
         "change": r["change"], "status_label": STATUS_LABELS.get(r["status"], "–"),
         "change_first": since_first.at[key, "change"],
         "status_first_label": STATUS_LABELS.get(since_first.at[key, "status"], "–")}
        for key, r in last.iterrows()
    ]
    counted = waves.counts(last)
    previous, current = p.waves[-2], p.current
    overall = last.loc[waves.OVERALL]
    headline = (f"Since the previous assessment ({previous.id}, {previous.date.strftime('%d %B %Y')}), "
                f"{_pillars(counted['improved'])} improved, {counted['declined']} declined and "
                f"{counted['unchanged']} show no significant change; the overall index went from "
                f"{_num(overall['before'])} to {_num(overall['after'])} "
                f"({STATUS_LABELS.get(overall['status'], 'not comparable').lower()}).")
    plan = p.follow_through
    plan_rows = [dict(r, status_label=STATUS_LABELS.get(r["status"], "–")) for r in plan.to_dict("records")]
    moved = int(plan["moved"].sum())
    plan_summary = (f"{moved} of the {_pillars(len(plan))} the plan of {previous.id} asked to start or do differently "
                    f"improved significantly by {current.id}.")
    return [figure(plots.trend_lines(p.trend, last["status"]), "Pillar indices by wave"),
            render(_PROGRESS, headline=headline, wave_ids=wave_ids, rows=rows, previous=previous.id,
                   first=p.waves[0].id, several=len(p.waves) > 2, heat=index_style, plan=plan_rows,
                   plan_summary=plan_summary, alpha=p.alpha)]


# ---------------------------------------------------------------------------- customer voice

_CUSTOMER_CARDS = """
<div class="cx-summary">
  <div class="cx-card"><div class="cx-big">{% if o.nps == o.nps and o.nps is not none %}{{ '%+.0f'|format(o.nps) }}{% else %}–{% endif %}</div>
    <div>Net Promoter Score{% if o.nps_moe == o.nps_moe and o.nps_moe is not none %} ± {{ o.nps_moe|num }}{% endif %}</div>
    <div class="cx-small">{{ o.promoters }} promoters, {{ o.passives }} passives, {{ o.detractors }} detractors of {{ o.nps_n }}</div></div>
  <div class="cx-card"><div class="cx-big">{% if o.csat == o.csat and o.csat is not none %}{{ o.csat|num }}%{% else %}–{% endif %}</div>
    <div>satisfied (CSAT: 4 or 5 of 5)</div><div class="cx-small">{{ o.csat_n }} answers</div></div>
  <div class="cx-card"><div class="cx-big">{{ o.ces|num(1) }}</div>
    <div>ease (CES, 1-7, 7 = very easy)</div><div class="cx-small">{{ o.ces_n }} answers</div></div>
</div>
<p>{% if o.word_of_mouth == o.word_of_mouth and o.word_of_mouth is not none %}Word of mouth: {{ o.unhappy }} unhappy customers
× {{ factor|num }} people each ≈ <strong>{{ '{:,.0f}'.format(o.word_of_mouth) }} people</strong> who may have heard about a bad
experience. This is an estimate resting on one assumption: that an unhappy customer tells about {{ factor|num }} others.
{% endif %}Figures resting on fewer than {{ low }} answers are not shown.</p>
"""

_BLIND_SPOTS = """
{% if blind.empty and undersold.empty %}
<p>Staff and customers broadly agree: no pillar's two indices differ by {{ at|num }} points or more.</p>
{% endif %}
{% if not blind.empty %}<p><strong>Blind spots</strong> (staff rate themselves {{ at|num }}+ points above their customers):
{% for pid, r in blind.iterrows() %}<strong>{{ r['name'] }}</strong> (staff {{ r['staff_index']|num }}, customers {{ r['customer_index']|num }}){% if not loop.last %}; {% endif %}{% endfor %}.
These move to “do differently” in the action plan wherever the staff alone would keep them.</p>{% endif %}
{% if not undersold.empty %}<p><strong>Undersold strengths</strong> (customers rate these {{ at|num }}+ points above the staff):
{% for pid, r in undersold.iterrows() %}<strong>{{ r['name'] }}</strong> (staff {{ r['staff_index']|num }}, customers {{ r['customer_index']|num }}){% if not loop.last %}; {% endif %}{% endfor %}.
Tell the teams: customers value this more than they think.</p>{% endif %}
"""

_CUSTOMER_COMMENTS = """
<h3>In customers' words</h3>
{% for name, items in groups %}
<h4>{{ name }}</h4>
<ul class="cx-comments">{% for c in items %}<li>{{ c.text }}{% if c.negative %} <span class="cx-small">(critical)</span>{% endif %}</li>{% endfor %}</ul>
{% else %}
<p>No customer comment matched a pillar's keywords.</p>
{% endfor %}
<p class="cx-small">Comments are tagged to a pillar by the template's keywords and shown without e-mail addresses,
phone numbers or names given in the text; a comment counts as critical when its own score is low.</p>
"""


def customer_voice(a: Assessment) -> list[Png | Html] | None:
    """The parts of "What your customers say": cards, touchpoint heatmap, trend, staff vs customers, comments."""
    v = a.voice
    if v is None:
        return None
    s = v.settings
    names = {p.id: p.name for p in a.client.template.pillars}
    parts: list[Png | Html] = [
        render(_CUSTOMER_CARDS, o=v.overall, factor=s.word_of_mouth, low=s.min_answers),
        figure(plots.touchpoint_heatmap(v.touchpoints, min_answers=s.min_answers), "Customers by touchpoint"),
    ]
    if len(v.months):
        parts.append(figure(plots.customer_trend(v.months), "Customers' view month by month"))
    parts += [
        figure(plots.staff_vs_customer(v.pillars, threshold=s.blind_spot_at), "Staff against customers by pillar"),
        render(_BLIND_SPOTS, blind=v.blind, undersold=v.undersold, at=s.blind_spot_at),
        render(_CUSTOMER_COMMENTS, groups=[(names[p], items) for p, items in v.comments.items()]),
    ]
    return parts


def customers(a: Assessment, heading: str = "14. What your customers say") -> Html | None:
    """The report section on the customers' own voice; None (nothing shown) without customer feedback."""
    parts = customer_voice(a)
    if parts is None:
        return None
    note = (f"{a.voice.responses} customer responses beside the staff's self-assessment. The customer index of a pillar "
            "comes from its customer questions, or else from the share of its tagged comments that are not critical.")
    return section(heading, parts, note=note)
