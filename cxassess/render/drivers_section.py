"""The report's key-driver section: what staff say matters beside what goes with the outcome question.

Stated importance is the ``:importance`` answers; derived importance is each pillar's share of the
outcome question's explained variance (``Assessment.drivers``, docs/scoring.md section 17). The
section draws both, names the hidden drivers (derived high, stated low) and the overrated pillars
(the reverse), or says in one sentence why no drivers were worked out. Renders; never scores.
"""

from __future__ import annotations

from ..analysis.assessment import Assessment
from . import plots
from .display import Html, figure, render, section

_TEXT = """
{% if hidden %}<p><strong>Hidden drivers:</strong> {{ hidden|join(', ') }}. Staff rate {{ 'it' if hidden|length == 1 else 'them' }} among the least important, yet {{ 'it goes' if hidden|length == 1 else 'they go' }} most closely with whether {{ outcome_text }}: worth more attention than the stated importance suggests.</p>{% endif %}
{% if overrated %}<p><strong>Overrated:</strong> {{ overrated|join(', ') }}. Staff rate {{ 'it' if overrated|length == 1 else 'them' }} among the most important, but {{ 'it explains' if overrated|length == 1 else 'they explain' }} little of the outcome beyond the other pillars.</p>{% endif %}
{% if not hidden and not overrated %}<p>{% if stated %}Stated and derived importance broadly agree: no pillar is in the top third of one and the bottom third of the other.{% else %}No importance was asked, so derived importance stands alone.{% endif %}</p>{% endif %}
<p class="cx-note">The outcome question: "{{ question }}" ({{ n }} respondents who answered it and every pillar; the pillars together explain {{ r2_pct }}% of its variance). A share is how much of that a pillar accounts for, averaged over every order of adding the pillars (LMG); the line is its 95% bootstrap interval. Derived importance shows association, not cause.</p>
"""


def key_drivers(a: Assessment, heading: str) -> Html:
    """The section: the stated-and-derived chart with the hidden drivers and overrated pillars, or the reason there is none."""
    found = a.drivers
    if not found.computed:
        return section(heading, render('<p class="cx-note">{{ text }}</p>',
                                       text=f"Key drivers were not worked out: {found.reason}."))
    frame = a.stated_vs_derived
    template = a.client.template
    outcome = template.outcome if template.outcome and template.outcome.id == found.outcome else None
    question = outcome.text if outcome else next(
        (q.text for p in template.pillars for q in p.questions if q.id == found.outcome), found.outcome)
    names = lambda status: list(frame.loc[frame["status"] == status, "name"])
    text = render(_TEXT, hidden=names("hidden driver"), overrated=names("overrated"),
                  stated=bool(frame["stated"].notna().any()), question=question, n=found.n,
                  r2_pct=f"{found.r2 * 100:.0f}", outcome_text=f"“{question.rstrip('.')}”")
    chart = plots.stated_vs_derived(frame, found.outcome, found.n, found.r2)
    return section(heading, figure(chart, "Stated and derived importance by pillar"), text,
                   note="What staff say matters, beside what goes together with the outcome in their answers.")
