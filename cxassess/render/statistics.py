"""The report's words for how far the figures can be trusted: gaps beyond chance, noise, who answered.

Escaped HTML fragments for the notebook's sections (``sections`` and the notebook call them): the
differences between groups that are beyond chance (the only ones the report calls gaps), the
pillars whose gap to target lies within the noise of their index, and the response rates.
Renders what the analysis computed (``Assessment.group_tests``, ``.intervals``,
``.participation``); never computes a figure.
"""

from __future__ import annotations

from ..analysis.assessment import Assessment
from .display import Html, render

MOST_PILLARS = 4  # pillars named per group in the gaps sentence; the rest are counted

_GAPS = """
{% if rows %}
<p>Gaps beyond chance (each group against everyone else; Welch t-test, Benjamini-Hochberg q under 0.05 over
all {{ tests }} tests of this {{ segment }} breakdown):</p>
<ul class="cx-gaps">{% for group, items, more in rows %}<li><strong>{{ group }}</strong>:
{% for name, diff in items %}{{ name }} {{ diff|signed }}{% if not loop.last %}, {% endif %}{% endfor %}{% if more %} and {{ more }} more pillar(s){% endif %} (index points against the rest)</li>{% endfor %}</ul>
<p class="cx-small">Every other difference in the chart is within what chance alone would give with groups this size:
not a gap.</p>
{% elif tests %}
<p>No group's view differs from everyone else's beyond chance ({{ tests }} tests, Benjamini-Hochberg q under 0.05):
the differences in the chart are within noise, not gaps.</p>
{% endif %}
"""


def gaps_beyond_chance(a: Assessment, segment: str) -> Html:
    """The groups of a segment that differ from the rest beyond chance, largest differences first."""
    tests = a.group_tests.get(segment)
    if tests is None or tests.empty:
        return render(_GAPS, rows=[], tests=0, segment=segment)
    names = a.scores.pillars["name"]
    found = tests[tests["significant"]]
    rows = []
    for group, part in found.groupby("group", sort=True):
        part = part.reindex(part["diff"].abs().sort_values(ascending=False, kind="stable").index)
        items = [(names[r["pillar_id"]], r["diff"]) for r in part.head(MOST_PILLARS).to_dict("records")]
        rows.append((group, items, max(0, len(part) - MOST_PILLARS)))
    return render(_GAPS, rows=rows, tests=int(tests["p"].notna().sum()), segment=segment)


_NOISE = """
{% if rows %}
<p class="cx-small"><strong>Within noise:</strong> {% for name, low, high, target in rows %}{{ name }} (index
{{ low|num }}–{{ high|num }} at 95%, {{ term }} {{ target|num }}){% if not loop.last %}, {% endif %}{% endfor %} {{ 'falls' if rows|length == 1 else 'fall' }} short of the {{ term }}, but by less than the index's own uncertainty:
{{ 'it is' if rows|length == 1 else 'they are' }} not counted among the priorities.</p>
{% endif %}
"""


def noise_note(a: Assessment) -> Html:
    """The pillars whose gap to target is within noise, with their interval (empty when there are none)."""
    pillars, bounds = a.scores.pillars, a.intervals
    rows = [(pillars.at[p, "name"], bounds.at[p, "ci_low"], bounds.at[p, "ci_high"], pillars.at[p, "target_index"])
            for p in a.within_noise]
    return render(_NOISE, rows=rows, term=a.client.template.terms.target.lower())


_PARTICIPATION = """
{% if p %}
<p><strong>Who answered:</strong> {{ p.respondents }} of the {{ p.headcount }} people invited, a response rate of
{{ (p.rate * 100)|num }}%{% if p.low %} <span class="cx-warn">(low: under {{ (p.low_at * 100)|num }}%)</span>{% endif %}.</p>
{% if rows %}
<table class="cx-table cx-participation">
  <thead><tr><th>Segment</th><th>Group</th><th>Invited</th><th>Answered</th><th>Response rate</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td>{{ r['segment'] }}</td><td class="cx-name">{{ r['group'] }}</td><td>{{ r['headcount'] }}</td>
  {% if r['suppressed'] %}<td colspan="2" class="cx-small">not shown: too few answered to keep them anonymous</td>
  {% else %}<td>{{ r['respondents'] }}</td><td{% if r['low'] %} class="cx-warn"{% endif %}>{{ (r['rate'] * 100)|num }}%{% if r['low'] %} ⚠ low{% endif %}</td>{% endif %}</tr>
  {% endfor %}
  </tbody>
</table>
<p class="cx-small">A response rate under {{ (p.low_at * 100)|num }}% is flagged: the figures of such a group may not speak
for everyone in it. Groups too small to show anonymously give neither their count nor their rate.</p>
{% endif %}
{% endif %}
"""


def participation(a: Assessment) -> Html:
    """Who answered against client.yaml's headcount, overall and per group (empty without a headcount)."""
    p = a.participation
    return render(_PARTICIPATION, p=p, rows=[] if p is None else p.groups.to_dict("records"))
