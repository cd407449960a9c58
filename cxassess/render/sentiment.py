"""The tone of what staff wrote, for the report's "In their own words": a chart and two quotes per pillar.

Reads ``Assessment.sentiment`` (``cxassess.analysis.sentiment``): the share of each pillar's comments
that reads negative, neutral and positive (``plots.comment_sentiment``), then per pillar the most
negative and the most positive comment, quoted as written and never attributed. ``sections.comments``
lists every comment after it. Every text goes through ``display.render`` and shows as text.
"""

from __future__ import annotations

from ..analysis.assessment import Assessment
from ..analysis.sentiment import NEGATIVE_AT, POSITIVE_AT
from . import plots
from .display import Html, Png, figure, render
from .ahead import ahead

_QUOTES = """
<p class="cx-small">Tone is VADER's compound score, from −1 (most negative) to +1 (most positive): a comment is
negative at or below {{ neg|signed(2) }}, positive at or above {{ pos|signed(2) }} and neutral in between. It reads
words, not meaning, so irony, jargon and other languages are missed: read it as a pointer to the comments below.
The chart counts every comment written; the list below gives each wording once.</p>
{% if rows %}
<table class="cx-table cx-quotes">
  <thead><tr><th>Pillar</th><th>Most negative comment</th><th>Most positive comment</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td class="cx-name">{{ r['name'] }}</td>
  <td>{% if r['most_negative'] is not none %}“{{ r['most_negative'] }}” <span class="cx-small">({{ r['most_negative_compound']|signed(2) }})</span>{% else %}–{% endif %}</td>
  <td>{% if r['most_positive'] is not none %}“{{ r['most_positive'] }}” <span class="cx-small">({{ r['most_positive_compound']|signed(2) }})</span>{% else %}–{% endif %}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% else %}
<p>No comment reads as clearly negative or positive: every one scored as neutral.</p>
{% endif %}
"""


@ahead
def comment_tone(a: Assessment) -> list[Png | Html]:
    """The tone chart and the most negative and positive comment per pillar; nothing without comments
    (the comment list then says that none were written)."""
    result = a.sentiment
    if result.count == 0:
        return []
    p = result.pillars
    quoted = p[p["most_negative"].notna() | p["most_positive"].notna()]
    return [figure(plots.comment_sentiment(p), "The tone of the comments, by pillar"),
            render(_QUOTES, rows=quoted.to_dict("records"), neg=NEGATIVE_AT, pos=POSITIVE_AT)]
