"""The report sections drawn from the staff's own answers, each as an escaped HTML fragment or a PNG.

Title, executive summary, scorecard, action plan, roadmap, perception gaps between segments,
disagreement, comments and method: what the notebook shows of one assessment on its own. Each
function takes an ``Assessment`` and returns what ``display.section`` lays out; the sections that set
the client beside something else (the portfolio, earlier waves, customers) are in ``comparisons``.
The radar, gap and importance-performance sections come whole (heading, chart, note): a chart with
nothing to show on this questionnaire or client is left out with one sentence saying why.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup
from matplotlib.figure import Figure

from ..analysis import actions
from . import data_quality, plan_views, plots, statistics
from ..analysis.assessment import Assessment
from ..analysis.coverage import hidden_columns
from ..analysis.significance import significant_cells
from ..analysis.scoring import Scores
from ..core.settings import TARGET_DECIMALS
from .display import Html, Png, figure, index_style, render, section
from .ahead import ahead
from .breakdown_table import breakdown_table
from .verdict_notes import left_out_of_strongest, moved_note

LOW_AGREEMENT = 0.7
LOW_ALPHA = 0.6


_TITLE = """
<header class="cx-title">
  <p class="cx-kicker">{{ t.heading }}</p>
  <h1>{{ c.config.name }}</h1>
  <p class="cx-meta">{{ c.config.sector }}{% if c.config.sector %} · {% endif %}assessed {{ c.config.assessment_date.strftime('%d %B %Y') }}{% if c.waves|length > 1 %} (wave {{ c.wave.id }}){% endif %}
   · {{ a.scores.respondents }} respondents · questionnaire: {{ t.name }} (v{{ t.version }})</p>
  {% if c.config.notes %}<p class="cx-notes">{{ c.config.notes }}</p>{% endif %}
</header>
"""


def title(a: Assessment) -> Html:
    """The report's title block: the questionnaire's heading, client, sector, date, respondents."""
    return render(_TITLE, a=a, c=a.client, t=a.client.template)


# ------------------------------------------------------------------ charts that may be left out
#
# A chart with nothing to show is left out of the report (and the deck) with one sentence saying why.


def radar_left_out(scores: Scores) -> str | None:
    """Why the radar is left out (fewer than three pillars with an index), or None when it is drawn."""
    shown = int(scores.pillars["index"].notna().sum())
    if shown >= 3:
        return None
    if len(scores.pillars) < 3:
        count = f"{len(scores.pillars)} pillar{'s' if len(scores.pillars) != 1 else ''}"
        return f"This questionnaire has {count}, and a radar needs three or more: the scorecard gives each index."
    return (f"Only {shown} pillar{'s' if shown != 1 else ''} had enough ratings, and a radar needs three or more: "
            "the scorecard gives each index.")


def gaps_left_out(scores: Scores) -> str | None:
    """Why the gap chart is left out (no pillar has a gap to its target), or None when it is drawn."""
    if scores.pillars["gap_index"].notna().any():
        return None
    return (f"No {scores.template.terms.target.lower()} was set for this client's pillars, neither in its targets "
            "nor in the answers, so there are no gaps to chart.")


def matrix_left_out(scores: Scores) -> str | None:
    """Why the importance-performance grid is left out (no pillar can be placed), or None when it is drawn.

    A pillar is placed by its index and its importance, or its gap when no importance was asked
    (as ``plots.importance_performance`` does).
    """
    p = scores.pillars
    y = p["gap_index"] if p["importance_index"].isna().all() else p["importance_index"]
    if (p["index"].notna() & y.notna()).any():
        return None
    terms = scores.template.terms
    if p["importance_index"].isna().all() and p["gap_index"].isna().all():
        return (f"Neither {terms.importance.lower()} nor a {terms.target.lower()} was given for any pillar, so no "
                "pillar can be placed by how much it matters: the action plan counts every pillar as important "
                "and classes it by its index alone.")
    return (f"No pillar has both a {terms.rating.lower()} index and {terms.importance.lower()} answers, so there is "
            "nothing to place on the grid.")


def _chart_or_reason(heading: str, reason: str | None, draw: Callable[[], Figure], alt: str,
                     note: str | None = None) -> Html:
    if reason:
        return section(heading, render('<p class="cx-note">{{ text }}</p>', text=reason))
    return section(heading, figure(draw(), alt), note=note)


def radar(a: Assessment, heading: str) -> Html:
    """The section with the radar of current practice against target, or the sentence saying why there is none."""
    return _chart_or_reason(heading, radar_left_out(a.scores), lambda: plots.radar(a.scores),
                            "Current practice against target by pillar")


def gaps(a: Assessment, heading: str) -> Html:
    """The section with the gap chart, or the sentence saying why there is none."""
    return _chart_or_reason(heading, gaps_left_out(a.scores),
                            lambda: plots.gap_chart(a.verdict_scores, intervals=a.intervals),
                            "Gaps to target, highest priority first",
                            note="Pillars in order of priority: the gap to target, weighted by how much the pillar "
                                 "matters. Whiskers show the 95% interval of each gap; a gap whose interval reaches "
                                 "zero is within noise, not a priority.")


def importance_performance(a: Assessment, heading: str) -> Html:
    """The section with the importance-performance grid, or the sentence saying why there is none.

    With ``importance: derived`` in client.yaml the grid places the pillars by derived importance (key drivers).
    """
    scores = a.grid_scores
    derived = scores is not a.scores
    label = "Derived importance (an equal share of the outcome at the line)" if derived else None
    return _chart_or_reason(heading, matrix_left_out(scores),
                            lambda: plots.importance_performance(scores, importance_label=label),
                            "Importance and performance by pillar",
                            note="Each pillar placed by how well it is done today and how much it matters; the "
                                 "regions give the four answers: keep, do differently, start, stop."
                                 + (" How much a pillar matters is derived from the outcome question (section 5b); "
                                    "the action plan keeps the stated importance." if derived else "")
                                 + moved_note(a))



_SUMMARY = """
{{ data_warning }}
<div class="cx-summary">
  <div class="cx-card cx-overall">
    {% if o.withheld_reason %}<div class="cx-big">–</div>
    <div>overall index withheld</div>
    <div class="cx-small">{{ o.withheld_reason }}</div>{% else %}
    <div class="cx-big">{{ o.index|num }}</div>
    <div>overall index (0-100)</div>
    <div class="cx-band">{{ o.maturity or '–' }}</div>{% endif %}
    {% if o.gap_index == o.gap_index and o.gap_index is not none %}<div class="cx-small">average gap to target: {{ o.gap_index|num }} points</div>{% endif %}
  </div>
  <div class="cx-card">
    <h3>Strongest pillars</h3>
    <table class="cx-ranked">{% for name, row in strongest.iterrows() %}<tr><td>{{ loop.index }}.</td><td>{{ row['name'] }}</td><td class="cx-score">{{ row['index']|num }}</td></tr>{% endfor %}</table>
    {% if left_out %}<p class="cx-small">Not listed, though the staff rate {{ 'it' if left_out|length == 1 else 'them' }} highly: {{ left_out|join(', ') }} (customers' blind spot{{ 's' if left_out|length > 1 }}).</p>{% endif %}
    {% if strongest.empty %}<p class="cx-small">Too few pillars with enough answers to rank.</p>{% endif %}
  </div>
  <div class="cx-card">
    <h3>Weakest pillars</h3>
    <table class="cx-ranked">{% for name, row in weakest.iterrows() %}<tr><td>{{ loop.index }}.</td><td>{{ row['name'] }}</td><td class="cx-score">{{ row['index']|num }}</td></tr>{% endfor %}</table>
    {% if weakest.empty %}<p class="cx-small">Too few pillars with enough answers to rank.</p>{% endif %}
  </div>
</div>
<h3>Top priorities</h3>
{% if sentences %}
<ol class="cx-priorities">{% for s in sentences %}<li>{{ s }}</li>{% endfor %}</ol>
{% elif o.withheld_reason %}
<p>Too few pillars have enough answers to set priorities.</p>
{% else %}
<p>No pillar needs to be started or done differently: every pillar is performing or not a priority.</p>
{% endif %}
{{ noise }}
"""


def executive_summary(a: Assessment) -> Html:
    """Overall index and band, three strongest and weakest pillars, top five priorities (by final verdict).

    A pillar the customers rate a blind spot is never among the strongest (``Assessment.strongest_weakest``).
    """
    strongest, weakest = a.strongest_weakest
    return render(
        _SUMMARY, o=a.scores.overall, strongest=strongest, weakest=weakest, left_out=left_out_of_strongest(a),
        data_warning=Markup(data_quality.warning_box(a).html),  # thin data: the summary opens with the warning
        sentences=a.priority_sentences,
        noise=Markup(statistics.noise_note(a).html),
    )


_SCORECARD = """
<table class="cx-table cx-scorecard">
  <thead><tr><th>Pillar</th><th>Index</th><th>{{ terms.target }}</th><th>Gap</th>
  <th>{{ terms.importance }}</th><th>Maturity</th><th>n</th><th>Agreement (rwg)</th><th>Verdict</th><th>95% interval</th>
  <th>Mean · {{ terms.target|lower }} ({{ scale.min }}-{{ scale.max }})</th></tr></thead>
  <tbody>
  {% for pid, p in pillars.iterrows() %}
  <tr>
    <td class="cx-name">{{ p['name'] }}</td>
    <td style="{{ heat(p['index']) }}">{{ p['index']|num }}</td>
    <td>{{ p['target_index']|num }}</td>
    <td>{{ p['gap_index']|num }}{% if ci.at[pid, 'within_noise'] %} <span class="cx-small">within noise</span>{% endif %}</td>
    <td>{{ p['importance_index']|num }}</td>
    <td>{{ maturity(p) }}</td>
    <td>{{ p['n'] }}</td>
    <td{% if p['rwg'] < low %} class="cx-warn"{% endif %}>{{ p['rwg']|num(2) }}</td>
    <td class="cx-action" style="{{ action_style(p['action']) }}">{{ ACTIONS.get(p['action'], '–') }}{% if p['action_reason'] %}<br><span class="cx-small">not {{ ACTIONS.get(p['action_ipa'], '–')|lower }}: see below</span>{% endif %}</td>
    <td>{% if ci.at[pid, 'ci_low'] == ci.at[pid, 'ci_low'] %}{{ ci.at[pid, 'ci_low']|num }}–{{ ci.at[pid, 'ci_high']|num }}{% else %}–{% endif %}</td>
    <td style="white-space:nowrap">{{ p['mean']|num(2) }} · {{ p['target']|num(target_digits) }}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
{% for pid, p in moved.iterrows() %}<p class="cx-small"><strong>{{ p['name'] }}: {{ ACTIONS.get(p['action'], '–')|lower }}, not {{ ACTIONS.get(p['action_ipa'], '–')|lower }}.</strong> {{ p['action_reason'] }}</p>{% endfor %}
<p class="cx-small">Every figure in this report is on the 0-100 index unless it says otherwise: the index puts the mean rating
on 0-100 (0 when everyone gives {{ scale.min }}, 100 when everyone gives {{ scale.max }}), and {{ terms.target|lower }},
gap and {{ terms.importance|lower }} are put on it the same way. The last column gives the mean and {{ terms.target|lower }}
on the {{ scale.min }}-{{ scale.max }} rating scale, as the explorer's {{ terms.target|lower }} sliders set them.
The verdict is the importance-performance grid's, then the customers' blind spots where there is customer feedback.
Agreement below {{ low }} (marked) means respondents see the pillar very differently.
The 95% interval is the range the index would likely take with other respondents like these (bootstrap); a gap whose
interval reaches the {{ terms.target|lower }} is within noise, not a priority. {% if overall['index'] == overall['index'] %}Overall index: {{ overall['index']|num }}
(95% interval {{ overall['ci_low']|num }}–{{ overall['ci_high']|num }}).{% else %}Overall index withheld: too few pillars have enough answers.{% endif %}
{% if thin %} A pillar marked "not enough answers" was rated by too few people, or too few of its statements were answered, to be scored (see the warning above the summary).{% endif %}</p>
"""


def scorecard(a: Assessment) -> Html:
    """The pillar scorecard on the 0-100 index, colour-coded by index and final verdict (and why it moved).

    The secondary column gives mean and target on the rating scale; targets there show as many
    decimals as the explorer's target sliders move by (``TARGET_DECIMALS``), so the scorecard and
    the slider beside it give a target as the same figure.
    """
    t = a.client.template
    pillars = a.verdict_scores.pillars
    return render(_SCORECARD, pillars=pillars, moved=pillars[pillars["action_reason"].notna()], terms=t.terms,
                  scale=t.scale, heat=index_style, low=LOW_AGREEMENT, ci=a.intervals, overall=a.intervals.loc["overall"],
                  target_digits=TARGET_DECIMALS, maturity=data_quality.maturity_label, thin=a.coverage.thin)


_PLAN = """
{% for action, group in groups %}
<h3 class="cx-plan-head"><span class="cx-chip" style="{{ action_style(action) }}">{{ ACTIONS[action] }}</span> {{ blurbs[action] }}</h3>
<table class="cx-table cx-plan">
  <thead><tr><th>Pillar</th><th>Index</th><th>The questions behind it</th><th>Index</th></tr></thead>
  <tbody>
  {% for pillar, rows in group %}
    {% for r in rows %}
    <tr>{% if loop.first %}<td rowspan="{{ rows|length }}" class="cx-name">{{ pillar }}{% if r['pillar_id'] in noise %}<br><span class="cx-small">gap to target within noise: not a priority</span>{% endif %}</td><td rowspan="{{ rows|length }}">{{ r['pillar_index']|num }}</td>{% endif %}
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
    return render(_PLAN, groups=groups, blurbs=PLAN_BLURBS, noise=a.within_noise)


_ROADMAP = """
{% if steps %}
<ol class="cx-roadmap">
{% for r in steps %}
  <li><strong>{{ ACTIONS.get(r['action'], '–') }}: {{ r['pillar'] }}</strong> (index {{ r['index']|num }}{% if r['target_index'] == r['target_index'] and r['target_index'] is not none %}, {{ term }} {{ r['target_index']|num }}{% endif %}){% if r['title'] %} · {{ r['title']|lower }}{% endif %}{% if r['weakest_point'] %}: weakest point “{{ r['weakest_point'] }}”{% if r['weakest_reverse'] %} <span class="cx-small">{{ REVERSED }}</span>{% endif %}{% endif %}</li>
{% endfor %}
</ol>
{% else %}
<p>No pillar needs to be started or done differently: the roadmap has no step.</p>
{% endif %}
"""


def roadmap(a: Assessment) -> Html | list[Html | Png]:
    """The improvement roadmap: every priority in order, one step each (``Assessment.roadmap_steps``).

    With the client's own plan (plan.yaml), the plan comes first: phases, roadmap chart, actions.
    """
    cycle = render(_ROADMAP, steps=a.roadmap_steps.to_dict("records"), term=a.client.template.terms.target.lower())
    return [*plan_views.client_plan(a), cycle] if a.projection is not None else cycle


_SEGMENT_NOTE = """
<p class="cx-small">Index by {{ segment }} (0-100). Groups with fewer than {{ threshold }} respondents are
suppressed to protect anonymity, and so are groups whose figures would let a suppressed group be worked
out{% if suppressed %}: {{ suppressed|length }} group(s) here{% endif %}.</p>
"""


def segment_note(a: Assessment, segment: str) -> Html:
    frame = a.breakdowns[segment]
    suppressed = frame.loc[frame["suppressed"], "group"].tolist()
    return render(_SEGMENT_NOTE, segment=segment, threshold=a.anonymity_threshold, suppressed=suppressed)


@ahead
def segment_heatmaps(a: Assessment) -> list[Png | Html]:
    """Perception gaps: one heatmap per segment (role first), small groups suppressed."""
    out: list[Png | Html] = []
    for segment in sorted(a.breakdowns, key=lambda s: (s != "role", s)):
        fig = plots.segment_heatmap(a.breakdowns[segment], a.client.template, threshold=a.anonymity_threshold,
                                    significant=significant_cells(a.group_tests[segment]),
                                    thin=hidden_columns(a.scores))
        out += [figure(fig, f"Index by {segment}"), statistics.gaps_beyond_chance(a, segment), segment_note(a, segment),
                breakdown_table(a.breakdowns[segment], a.client.template)]
    return out


@ahead
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
importance answers. A gap is the target minus the current level; a priority is that gap in index points weighted by importance.
The tone of comments is scored with VADER, whose sentiment word list is English: comments in other languages mostly score as neutral.</p>
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
{{ participation }}
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
        warnings=[p.message for p in a.client.warnings], participation=Markup(statistics.participation(a).html),
    )
