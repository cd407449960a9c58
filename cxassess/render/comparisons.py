"""The report sections that set the client's staff assessment beside another view of it.

How you compare (the portfolio's quartiles of the same batch, no other client named), progress since
the last assessment (earlier waves, with a significance test and the last plan's follow-through) and
what the customers say (their own measures, blind spots, comments). Each is an escaped HTML fragment
or a PNG, or a one-line note when there is nothing to compare with; ``sections`` holds the sections
drawn from the staff's answers alone.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import customer_findings, waves
from . import plan_views, plots
from ..analysis.assessment import Assessment
from ..core.settings import PORTFOLIO_MIN_CLIENTS
from .display import Html, Png, figure, index_style, num, render, section
from .ahead import ahead


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

    ``comparison`` is what ``cxassess.run.portfolio.how_you_compare`` returns: None when there is
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
                f"{num(overall['before'])} to {num(overall['after'])} "
                f"({STATUS_LABELS.get(overall['status'], 'not comparable').lower()}).")
    plan = p.follow_through
    plan_rows = [dict(r, status_label=STATUS_LABELS.get(r["status"], "–")) for r in plan.to_dict("records")]
    moved = int(plan["moved"].sum())
    plan_summary = (f"{moved} of the {_pillars(len(plan))} the plan of {previous.id} asked to start or do differently "
                    f"improved significantly by {current.id}.")
    shown = [figure(plots.trend_lines(p.trend, last["status"]), "Pillar indices by wave"),
             render(_PROGRESS, headline=headline, wave_ids=wave_ids, rows=rows, previous=previous.id,
                    first=p.waves[0].id, several=len(p.waves) > 2, heat=index_style, plan=plan_rows,
                    plan_summary=plan_summary, alpha=p.alpha)]
    if p.plan is not None:  # the client's own plan (plan.yaml) against this wave
        shown.append(plan_views.against_actual(p.plan, p.plan_wave or "", current.id, p.alpha))
    return shown


# ---------------------------------------------------------------------------- customer voice

_CUSTOMER_CARDS = """
<div class="cx-summary">
  <div class="cx-card"><div class="cx-big">{% if o.nps == o.nps and o.nps is not none %}{{ '%+.0f'|format(o.nps) }}{% else %}–{% endif %}</div>
    <div>Net Promoter Score{% if o.nps_moe == o.nps_moe and o.nps_moe is not none %} (margin of error ±{{ o.nps_moe|num }} points){% endif %}</div>
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
<p>A pillar is listed below when the staff's index and the customers' differ by {{ at|num }} points or more.</p>
{% for key, heading, note, lines in groups %}
<p class="cx-findings-heading"><strong>{{ heading }}</strong></p>
<ul class="cx-findings" data-group="{{ key }}">{% for line in lines %}<li>{{ line }}</li>{% endfor %}</ul>
<p class="cx-small">{{ note }}</p>
{% else %}
<p>{{ none }}</p>
{% endfor %}
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
        render(_BLIND_SPOTS, groups=customer_findings.grouped(a.customer_findings), none=customer_findings.NONE,
               at=s.blind_spot_at),  # the deck's customers slide and the workbook's Customers sheet say the same
        render(_CUSTOMER_COMMENTS, groups=[(names[p], items) for p, items in v.comments.items()]),
    ]
    return parts


@ahead
def customers(a: Assessment, heading: str = "14. What your customers say") -> Html | None:
    """The report section on the customers' own voice; None (nothing shown) without customer feedback."""
    parts = customer_voice(a)
    if parts is None:
        return None
    note = (f"{a.voice.responses} customer responses beside the staff's self-assessment. The customer index of a pillar "
            "comes from its customer questions, or else from the share of its tagged comments that are not critical.")
    return section(heading, parts, note=note)
