"""The portfolio overview page as HTML: clients and links, overall distribution, heatmap, ranks, actions.

Draws what ``cxassess.analysis.portfolio`` computes across the clients, with the report's
section, figure and table helpers (``display``) and charts (``plots``), so the page looks like
a client report; each multi-wave client gets a small trend line (``sparkline``). Every name a
client typed is escaped. ``cxassess.run.portfolio`` writes the page (and its PDF).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
from markupsafe import Markup

from . import display, plots
from ..analysis.portfolio import action_summary, codes, index_matrix, most_common_changes, overall_ranks, pillar_ranks

RANK_COLUMNS = 6  # clients per percentile-rank table on the overview (an A4 page's width)


def sparkline(values: Sequence[float], width: int = 84, height: int = 22) -> Markup:
    """A tiny inline SVG line of indices on the fixed 0-100 scale (so clients compare), last point marked.

    Built from numbers only, so nothing a client typed can reach the markup.
    """
    points = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not points:
        return Markup("")
    step = (width - 6) / max(len(points) - 1, 1)
    coords = [(3 + i * step, 2 + (100 - v) / 100 * (height - 4)) for i, v in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    x, y = coords[-1]
    return Markup(
        f'<svg class="cx-spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="overall index by wave"><line x1="0" y1="{height / 2:.1f}" x2="{width}" y2="{height / 2:.1f}" '
        f'stroke="#D0D5DD" stroke-width="0.8" stroke-dasharray="2,2"/><polyline points="{path}" fill="none" '
        f'stroke="#1F4E79" stroke-width="1.6"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="#1F4E79"/></svg>'
    )


def client_trends(trends: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """Per client with two or more waves: its sparkline, the indices as text, the change since the previous
    wave and that wave's id."""
    out: dict[str, dict[str, Any]] = {}
    if trends is None or trends.empty:
        return out
    for client, part in trends.groupby("client", sort=False):
        part = part.sort_values("date", kind="stable")
        if len(part) < 2:
            continue
        values = part["overall_index"].to_list()
        out[str(client)] = {"spark": sparkline(values), "change": values[-1] - values[-2],
                            "since": part["wave"].iloc[-2], "waves": len(part),
                            "path": " → ".join(f"{v:.0f}" for v in values)}
    return out


# ----------------------------------------------------------------------------- overview page

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="cxassess">
<title>Portfolio overview</title>
<style type="text/css">
{{ css }}
@page { @bottom-left { content: "Confidential: portfolio overview"; } }
table.cx-ranks td, table.cx-ranks th { text-align: center; }
table.cx-ranks td.cx-name, table.cx-ranks th:first-child { text-align: left; }
</style>
</head>
<body class="cx-report">
<main>
<header class="cx-title">
  <p class="cx-kicker">Customer-service strategy assessment</p>
  <h1>Portfolio overview</h1>
  <p class="cx-meta">{{ clients|length }} client{{ '' if clients|length == 1 else 's' }} with a report{% if started %} · batch started {{ started }}{% endif %}{% if anonymised %} · client names replaced by codes{% endif %}</p>
</header>
{% for part in sections %}{{ part }}{% endfor %}
</main>
</body>
</html>
"""

_CLIENTS = """
<table class="cx-table">
  <thead><tr><th>Client</th><th>Questionnaire</th><th>Respondents</th><th>Overall index</th><th>Maturity</th>
  <th>Percentile rank</th>{% if links %}<th>Report</th>{% endif %}</tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td class="cx-name" style="white-space:nowrap">{{ r.label }}</td><td>{{ r.template_name }}</td><td>{{ r.respondents }}</td>
  <td style="{{ heat(r.overall_index) }}">{{ r.overall_index|num }}</td><td>{{ r.maturity if r.maturity is string and r.maturity else '–' }}</td>
  <td>{{ r.rank|num }}</td>{% if links %}<td>{% if r.link %}<a href="{{ r.link }}">{{ r.link_text }}</a>{% else %}–{% endif %}</td>{% endif %}</tr>
  {% endfor %}
  </tbody>
</table>
{% if failed %}
<p class="cx-warn-text">{{ failed|length }} client{{ '' if failed|length == 1 else 's' }} failed and {{ 'is' if failed|length == 1 else 'are' }} not included{% if anonymised %}.{% else %}:{% endif %}</p>
{% if not anonymised %}<ul class="cx-small">{% for client, error in failed %}<li><strong>{{ client }}</strong>: {{ error }}</li>{% endfor %}</ul>{% endif %}
{% endif %}
<p class="cx-small">Percentile rank: the share of the portfolio's clients (with the same questionnaire, the client
included) whose overall index is at or below the client's.</p>
{% if trends %}
<h3>Trend over assessment waves</h3>
<table class="cx-table">
  <thead><tr><th>Client</th><th>Waves</th><th>Overall index by wave</th><th>Trend</th><th>Change since the previous wave</th></tr></thead>
  <tbody>
  {% for r in rows if r.trend %}
  <tr><td class="cx-name">{{ r.label }}</td><td>{{ r.trend.waves }}</td><td>{{ r.trend.path }}</td><td>{{ r.trend.spark }}</td>
  <td>{{ '%+.0f'|format(r.trend.change) }} (since {{ r.trend.since }})</td></tr>
  {% endfor %}
  </tbody>
</table>
<p class="cx-small">The overall index of each assessment wave, oldest first; the line is drawn on the full 0-100 scale (dashed:
50). Whether a change is beyond chance, pillar by pillar, is in each client's report.</p>
{% endif %}
"""

_RANKS = """
{% if several %}<h3>{{ title }}</h3>{% endif %}
{% for clients, rows in chunks %}
<table class="cx-table cx-ranks">
  <thead><tr><th>Pillar</th>{% for label in clients %}<th>{{ label }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for name, values in rows %}
  <tr><td class="cx-name">{{ name }}</td>{% for v in values %}<td>{{ v|num }}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>
</table>
{% endfor %}
"""

_RANK_NOTE = """
<p class="cx-small">Each cell is the client's (column) percentile rank on the pillar (row): 100 x the share of the portfolio's
clients (same questionnaire, the client included) whose pillar index is at or below the client's. With n clients the
lowest gets 100/n and the highest 100; tied clients share the higher rank. Quartiles elsewhere are by linear
interpolation between the sorted indices.</p>
"""

_ACTIONS = """
{% if several %}<h3>{{ title }}</h3>{% endif %}
{% if top %}
<p>Most often classed <em>do differently</em> or <em>start</em>:
{% for r in top %}<strong>{{ r['pillar'] }}</strong> ({{ r['change'] }} of {{ r['clients'] }} clients){% if not loop.last %}, {% endif %}{% endfor %}.</p>
{% else %}
<p>No pillar is classed do differently or start for any client.</p>
{% endif %}
<table class="cx-table">
  <thead><tr><th>Pillar</th><th>Median index</th><th>Median gap</th>
  {% for a in ACTIONS %}<th><span class="cx-chip" style="{{ action_style(a) }}">{{ ACTIONS[a] }}</span></th>{% endfor %}
  <th>Not classified</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td class="cx-name">{{ r['pillar'] }}</td><td>{{ r['median_index']|num }}</td><td>{{ r['median_gap']|num }}</td>
  {% for a in ACTIONS %}<td>{{ r[a] }}</td>{% endfor %}<td>{{ r['unclassified'] }}</td></tr>
  {% endfor %}
  </tbody>
</table>
"""

_ACTION_NOTE = """
<p class="cx-small">Median gap: the median over clients of the gap to target in index points (clients without a
target are left out). The counts are how many clients have each action class on the pillar.</p>
"""


def labels(clients: pd.DataFrame, anonymise: bool = False) -> pd.Series:
    """What each client is called on the overview: its name, or its code when anonymised."""
    if anonymise:
        return pd.Series(codes(list(clients.index)), dtype=object).reindex(clients.index)
    return clients["name"].astype(str)


def overview_html(
    clients: pd.DataFrame,
    frame: pd.DataFrame,
    links: Mapping[str, str] | None = None,
    failed: Sequence[tuple[str, str]] = (),
    anonymise: bool = False,
    started: str | None = None,
    css: str = "",
    trends: pd.DataFrame | None = None,
) -> str:
    """The overview page: clients and links, overall distribution, heatmap, percentile ranks, gaps and actions.

    ``clients`` and ``frame`` hold only the clients to show; ``links`` maps a client id to the
    relative address of its report; ``failed`` lists (client id, error) pairs. Anonymised, the
    page names no client and links to no report. ``trends`` (``trend_frame``) adds a column with
    each multi-wave client's overall index by wave.
    """
    links = {} if anonymise else dict(links or {})
    clients = clients.sort_index()  # by client id: the order of the codes too
    names = labels(clients, anonymise)
    ranks = overall_ranks(clients)
    by_client = client_trends(trends)
    rows = [
        {"label": names[c], "template_name": r["template_name"], "respondents": r["respondents"],
         "overall_index": r["overall_index"], "maturity": r["maturity"], "rank": ranks[c], "link": links.get(c),
         "link_text": Path(links[c]).name if c in links else "", "trend": by_client.get(c)}
        for c, r in clients.iterrows()
    ]
    sections = [display.section("1. Clients", display.render(
        _CLIENTS, rows=rows, links=not anonymise, failed=list(failed), anonymised=anonymise,
        heat=display.index_style, trends=any(c in by_client for c in clients.index)))]
    if len(clients):
        overall = pd.Series(clients["overall_index"].to_numpy(), index=list(names))
        sections.append(display.section(
            "2. Overall index across the portfolio",
            display.figure(plots.portfolio_distribution(overall), "Distribution of the overall index")))
        templates = list(dict.fromkeys(frame["template"]))
        titles = clients.drop_duplicates("template").set_index("template")["template_name"].to_dict()
        several = len(templates) > 1
        heatmaps, rank_tables, action_tables = [], [], []
        ranked = pillar_ranks(frame)
        summary = action_summary(frame)
        for template in templates:
            title = f"Questionnaire: {titles.get(template, template)}"
            members = set(frame.loc[frame["template"] == template, "client"])
            matrix = index_matrix(frame, template).reindex([c for c in clients.index if c in members])
            pillar_names = frame[frame["template"] == template].drop_duplicates("pillar_id")
            pillar_names = dict(zip(pillar_names["pillar_id"], pillar_names["pillar"]))
            shown = matrix.rename(index=names.to_dict())
            heatmaps.append(display.figure(plots.portfolio_heatmap(shown, pillar_names,
                                                                   title=title if several else None),
                                           "Pillar index by client"))
            percent = index_matrix(ranked, template, "percentile").reindex(matrix.index)
            chunks = []
            for start in range(0, len(percent), RANK_COLUMNS):  # clients across, a few per table
                part = percent.iloc[start:start + RANK_COLUMNS]
                chunks.append(([names[c] for c in part.index],
                               [(pillar_names[p], list(part[p])) for p in part.columns]))
            rank_tables.append(display.render(_RANKS, several=several, title=title, chunks=chunks))
            part = summary[summary["template"] == template]
            action_tables.append(display.render(
                _ACTIONS, several=several, title=title, rows=part.to_dict("records"),
                top=most_common_changes(part).to_dict("records")))
        sections.append(display.section("3. Pillar index by client", heatmaps,
                                        note="Each row a client, each column a pillar; darker = higher index."))
        sections.append(display.section("4. Percentile ranks by pillar", rank_tables, display.render(_RANK_NOTE)))
        sections.append(display.section("5. Common gaps and actions", action_tables, display.render(_ACTION_NOTE)))
    return display.render(_PAGE, clients=rows, sections=[Markup(part.html) for part in sections],
                          anonymised=anonymise, started=started, css=Markup(css)).html


__all__ = [
    "client_trends",
    "labels",
    "overview_html",
    "sparkline",
]
