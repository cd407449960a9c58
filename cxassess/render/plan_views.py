"""The client's own plan in the report: its roadmap (section 9) and the plan against what happened (section 13).

HTML fragments and the roadmap chart from what ``analysis.roadmap`` computed for an
``Assessment`` (``projection``, ``plan_against_actual``); nothing is scored here. Shown only
when the client folder has a plan.yaml that applies to the assessed wave.
"""

from __future__ import annotations

import math

import pandas as pd

from . import plots
from ..analysis.assessment import Assessment
from ..analysis.scoring import ACTIONS
from .display import Html, Png, figure, index_style, render

CHANGE_LABELS = {"improved": "Improved", "declined": "Declined", "unchanged": "Unchanged"}

_PLAN = """
<h3>The client's plan</h3>
<p>{{ summary }}</p>
<table class="cx-table">
  <thead><tr><th>Phase</th><th>Ends</th><th>Actions</th><th>Overall index after it</th></tr></thead>
  <tbody>
  <tr><td class="cx-name">As-is ({{ wave }})</td><td></td><td></td><td style="{{ heat(overall['as_is']) }}">{{ overall['as_is']|num }}</td></tr>
  {% for ph in phases %}
  <tr><td class="cx-name">{{ ph.n }}. {{ ph.name }}</td><td>{{ ph.end.strftime('%d %b %Y') }}</td><td>{{ counts.get(ph.n, 0) }}</td>
  <td style="{{ heat(overall[ph.n]) }}">{{ overall[ph.n]|num }}</td></tr>
  {% endfor %}
  <tr><td class="cx-name">To-be</td><td></td><td></td><td style="{{ heat(overall['to_be']) }}">{{ overall['to_be']|num }}</td></tr>
  </tbody>
</table>
"""

_ACTIONS = """
<table class="cx-table">
  <thead><tr><th>Phase</th><th>Pillar</th><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td>{{ r.phase }}</td><td class="cx-name">{{ r.pillar }}<br><span class="cx-small">{{ classes.get(r['class'], r['class']) }}</span></td>
  <td>{{ r.action }}{% if r.notes %}<br><span class="cx-small">{{ r.notes }}</span>{% endif %}</td>
  <td>{{ r.owner or '–' }}</td><td>{{ r.due.strftime('%d %b %Y') if r.due else '–' }}</td><td class="cx-action">{{ r.status }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<h3>The roadmap from this assessment's priorities</h3>
"""


def client_plan(a: Assessment) -> list[Html | Png]:
    """Section 9 with a plan: the phases with the projected overall index, the roadmap chart, the actions."""
    plan, p = a.client_plan, a.projection
    if plan is None or p is None:
        return []
    frame = a.plan_actions
    counts = frame.groupby("phase").size().to_dict()
    done = int((frame["status"] == "done").sum())
    summary = (f"Agreed from the assessment of {plan.date.strftime('%d %B %Y')} (wave {plan.wave}): "
               f"{len(frame)} action{'' if len(frame) == 1 else 's'} over {len(p.phases)} phase"
               f"{'' if len(p.phases) == 1 else 's'}, {done} done. Projected: the overall index "
               f"from {p.overall['as_is']:.0f} now to {p.overall[p.phases[-1].n]:.0f} after the last phase.")
    return [render(_PLAN, summary=summary, wave=a.client.wave.id if a.client.wave else plan.wave, phases=p.phases,
                   counts=counts, overall=p.overall, heat=index_style),
            figure(plots.roadmap_chart(p), "Roadmap: the projected index per pillar after each phase of the plan"),
            render(_ACTIONS, rows=frame.to_dict("records"), classes=ACTIONS)]


_AGAINST = """
<h3>The plan of {{ wave }} against what happened</h3>
<p>{{ summary }}</p>
<table class="cx-table">
  <thead><tr><th>Pillar</th><th>Action</th><th>Status</th><th>Planned</th><th>Index then</th><th>Index now</th><th>Change</th><th>Result</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td class="cx-name">{{ r.pillar }}</td><td>{{ r.action }}<br><span class="cx-small">phase {{ r.phase }}{% if r.owner %} · {{ r.owner }}{% endif %}</span></td>
  <td class="cx-action">{{ r.status }}</td><td>{{ r.planned|num }}</td><td style="{{ heat(r.before) }}">{{ r.before|num }}</td>
  <td style="{{ heat(r.reached) }}">{{ r.reached|num }}</td><td>{{ r.change|signed }}</td>
  <td class="cx-action">{{ r.result }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p class="cx-small">Planned: the target the action's phase set for its pillar in plan.yaml. Result: the change since {{ wave }} by
Welch's t-test (beyond chance at p &lt; {{ alpha }}), and whether the index reached the planned target.</p>
"""


def _result(row: dict) -> str:
    change = CHANGE_LABELS.get(row["change_status"], "–")
    if row["met"] is None or (isinstance(row["planned"], float) and math.isnan(row["planned"])):
        return change
    return f"{change}; {'target reached' if row['met'] else 'target not reached'}"


def against_actual(table: pd.DataFrame, wave: str, current: str, alpha: float) -> Html:
    """Section 13's table: each action of the plan made at ``wave`` against the ``current`` wave."""
    rows = [dict(r, result=_result(r)) for r in table.to_dict("records")]
    met = int(table["met"].eq(True).sum())
    aimed = int(table["planned"].notna().sum())
    done = int(table["done"].sum())
    moved = int((table["change_status"] == "improved").sum())
    summary = (f"By {current}, {done} of {len(table)} action{'' if len(table) == 1 else 's'} were marked done; "
               f"{met} of the {aimed} with a planned target reached it, and {moved} improved beyond chance.")
    return render(_AGAINST, wave=wave, summary=summary, rows=rows, heat=index_style, alpha=alpha)
