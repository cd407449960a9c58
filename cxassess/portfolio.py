"""The portfolio across clients: quartiles, percentile ranks, common gaps and actions, the overview page.

The analysis functions are pure: they take the *pillar frame* (one row per client and pillar,
built by ``pillar_frame`` from each client's ``Scores``) or the *client frame* (one row per
client) and return new frames. Files are touched only by ``write_benchmark``,
``read_benchmark`` and ``write_overview``.

Definitions (also shown on the overview page):

- **quartiles**: Q1, median and Q3 of the clients' indices of a pillar, by linear
  interpolation between the sorted values (numpy's and pandas' default; Hyndman-Fan type 7).
  With indices 10, 20, 40, 80: Q1 = 17.5, median = 30, Q3 = 50.
- **percentile rank** of a client on a pillar: the share of the portfolio's clients, the
  client itself included, whose index is at or below the client's:
  ``100 * #{clients j: index_j <= index_i} / n``. The lowest of n clients gets 100/n, the
  highest 100; tied clients share the higher rank. Clients without an index for the pillar
  are left out of n and get no rank.

Clients are compared only with clients of the same questionnaire (template): every figure is
computed per template. A client report's "How you compare" section reads only the quartiles
in ``benchmark.json`` (no client is named there) and only when at least ``MIN_CLIENTS``
clients had an index for the pillar.
"""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from markupsafe import Markup

from . import display, plots
from .errors import CxError
from .pdf import render_pdf
from .files import write_text_atomically
from .report import HTML_TEMPLATE
from .responses import column_letter
from .scoring import ACTIONS, PORTFOLIO_MIN_CLIENTS, Scores

MIN_CLIENTS = PORTFOLIO_MIN_CLIENTS  # fewest clients for a comparison to be shown in a client's report
PILLAR_COLUMNS = ("client", "template", "pillar_id", "pillar", "index", "gap_index", "action")
CHANGE = ("do_differently", "start")  # the action classes that ask for a change
RANK_COLUMNS = 6  # clients per percentile-rank table on the overview (an A4 page's width)

# ------------------------------------------------------------------------------------ frames


def pillar_frame(scores: Mapping[str, Scores]) -> pd.DataFrame:
    """One row per client and pillar: client, template, pillar_id, pillar (name), index, gap_index, action.

    Clients come in the mapping's order, pillars in their template's order.
    """
    parts = []
    for client, s in scores.items():
        p = s.pillars
        parts.append(pd.DataFrame({
            "client": client, "template": s.template.id, "pillar_id": p.index, "pillar": p["name"].to_numpy(),
            "index": p["index"].to_numpy(dtype=float), "gap_index": p["gap_index"].to_numpy(dtype=float),
            "action": p["action"].to_numpy(dtype=object),
        }))
    if not parts:
        return pd.DataFrame(columns=list(PILLAR_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(PILLAR_COLUMNS)]


def client_frame(scores: Mapping[str, Scores], names: Mapping[str, str]) -> pd.DataFrame:
    """One row per client (index: client id): name, template, template_name, respondents, overall_index, maturity."""
    rows = [
        {"client": client, "name": names.get(client, client), "template": s.template.id,
         "template_name": s.template.name, "respondents": s.respondents,
         "overall_index": float(s.overall["index"]), "maturity": s.overall["maturity"]}
        for client, s in scores.items()
    ]
    columns = ["client", "name", "template", "template_name", "respondents", "overall_index", "maturity"]
    return pd.DataFrame(rows, columns=columns).set_index("client")


def trend_frame(history: Mapping[str, Sequence[tuple[str, Any, float]]]) -> pd.DataFrame:
    """One row per client and wave, oldest wave first: client, wave, date, overall_index.

    ``history`` maps a client id to its (wave id, date, overall index) triples.
    """
    rows = [{"client": client, "wave": wave, "date": date, "overall_index": float(index)}
            for client, waves in history.items() for wave, date, index in sorted(waves, key=lambda w: w[1])]
    return pd.DataFrame(rows, columns=["client", "wave", "date", "overall_index"])


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


# ---------------------------------------------------------------------------------- analysis


def percentile_rank(values: pd.Series) -> pd.Series:
    """Per value: 100 x the share of the (non-missing) values at or below it; NaN stays NaN."""
    known = np.sort(values.dropna().to_numpy(dtype=float))
    if not known.size:
        return pd.Series(np.nan, index=values.index, dtype=float)
    at_or_below = np.searchsorted(known, values.to_numpy(dtype=float), side="right")
    ranks = 100.0 * at_or_below / known.size
    return pd.Series(np.where(values.isna(), np.nan, ranks), index=values.index, dtype=float)


def pillar_ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """The pillar frame with a ``percentile`` column: each client's rank among the clients of its template."""
    out = frame.copy()
    out["percentile"] = frame.groupby(["template", "pillar_id"], sort=False)["index"].transform(percentile_rank)
    return out


def overall_ranks(clients: pd.DataFrame) -> pd.Series:
    """Each client's percentile rank of the overall index among the clients of its template."""
    return clients.groupby("template", sort=False)["overall_index"].transform(percentile_rank)


def _q(values: pd.Series, q: float) -> float:
    known = values.dropna()
    return float(known.quantile(q)) if len(known) else math.nan


def quartiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Per template and pillar (template order): pillar name, clients (with an index), q1, median, q3."""
    rows = []
    for (template, pillar_id), group in frame.groupby(["template", "pillar_id"], sort=False):
        index = group["index"]
        rows.append({"template": template, "pillar_id": pillar_id, "pillar": group["pillar"].iloc[0],
                     "clients": int(index.notna().sum()), "q1": _q(index, 0.25), "median": _q(index, 0.5),
                     "q3": _q(index, 0.75)})
    return pd.DataFrame(rows, columns=["template", "pillar_id", "pillar", "clients", "q1", "median", "q3"])


def index_matrix(frame: pd.DataFrame, template: str, column: str = "index") -> pd.DataFrame:
    """Clients (rows, in frame order) x pillars (columns, template order) of one template's ``column``."""
    part = frame[frame["template"] == template]
    matrix = part.pivot(index="client", columns="pillar_id", values=column)
    return matrix.reindex(index=part["client"].unique(), columns=part["pillar_id"].unique())


def action_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per template and pillar: clients, median index and gap, how many clients have each action class.

    ``change`` counts the clients classed do differently or start; ``unclassified`` those with no class.
    """
    rows = []
    for (template, pillar_id), group in frame.groupby(["template", "pillar_id"], sort=False):
        counts = group["action"].value_counts()
        row = {"template": template, "pillar_id": pillar_id, "pillar": group["pillar"].iloc[0],
               "clients": len(group), "median_index": _q(group["index"], 0.5),
               "median_gap": _q(group["gap_index"], 0.5)}
        row |= {action: int(counts.get(action, 0)) for action in ACTIONS}
        row["unclassified"] = int(group["action"].isna().sum())
        row["change"] = sum(row[a] for a in CHANGE)
        rows.append(row)
    columns = ["template", "pillar_id", "pillar", "clients", "median_index", "median_gap", *ACTIONS,
               "unclassified", "change"]
    return pd.DataFrame(rows, columns=columns)


def most_common_changes(summary: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The pillars most often classed do differently or start (most clients first, then the larger median gap)."""
    wanted = summary[summary["change"] > 0]
    return wanted.sort_values(["change", "median_gap"], ascending=[False, False], na_position="last",
                              kind="stable").head(top)


def codes(client_ids: Sequence[str]) -> dict[str, str]:
    """Stable anonymous labels by sorted client id: "Client A" ... "Client Z", "Client AA", ..."""
    return {client: f"Client {column_letter(k)}" for k, client in enumerate(sorted(set(client_ids)))}


# ------------------------------------------------------------------------- the benchmark file


def benchmark_document(frame: pd.DataFrame) -> dict[str, Any]:
    """The per-pillar quartiles each client report may compare with; names no client.

    Quartiles are given only for pillars with at least ``MIN_CLIENTS`` clients (else null).
    """
    templates: dict[str, Any] = {}
    clients = frame.groupby("template", sort=False)["client"].nunique()
    for row in quartiles(frame).to_dict("records"):
        entry = templates.setdefault(row["template"], {"clients": int(clients[row["template"]]), "pillars": {}})
        shown = row["clients"] >= MIN_CLIENTS
        entry["pillars"][row["pillar_id"]] = {
            "clients": row["clients"],
            **{k: (round(row[k], 4) if shown and not math.isnan(row[k]) else None) for k in ("q1", "median", "q3")},
        }
    return {
        "about": "Quartiles of the pillar indices (0-100) of the clients in one cxassess batch, per questionnaire.",
        "method": "Q1, median and Q3 by linear interpolation between the sorted indices; given only for pillars "
                  f"with at least {MIN_CLIENTS} clients.",
        "min_clients": MIN_CLIENTS,
        "templates": templates,
    }


def write_benchmark(document: Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write the benchmark document as JSON."""
    return write_text_atomically(path, json.dumps(document, indent=2, ensure_ascii=False))


def read_benchmark(path: str | os.PathLike) -> dict[str, Any]:
    """Read a benchmark file written by ``write_benchmark``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CxError.at(path, "benchmark file not found") from None
    except (OSError, ValueError) as exc:
        raise CxError.at(path, f"cannot read the benchmark file: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("templates"), dict):
        raise CxError.at(path, "is not a cxassess benchmark file (no 'templates' mapping)")
    return document


def position(index: float, q1: float, median: float, q3: float) -> str:
    """Where an index stands against the quartiles, in words."""
    if index is None or math.isnan(index):
        return "no index"
    if index > q3:
        return "top quarter (above Q3)"
    if index < q1:
        return "bottom quarter (below Q1)"
    return "at or above the median" if index >= median else "below the median"


def compare(pillars: pd.DataFrame, template: str, benchmark: Mapping[str, Any]) -> pd.DataFrame | None:
    """A client's pillar indices beside the portfolio's quartiles; None when there is nothing to compare.

    ``pillars`` is ``Scores.pillars`` (index pillar_id, columns name and index). Returns one row
    per pillar the benchmark has quartiles for (columns name, index, q1, median, q3, clients,
    position), or None when the client's template has fewer than ``MIN_CLIENTS`` clients.
    """
    group = benchmark.get("templates", {}).get(template)
    if not group or group.get("clients", 0) < MIN_CLIENTS:
        return None
    rows = []
    for pillar_id, row in pillars.iterrows():
        bench = group["pillars"].get(pillar_id)
        if not bench or bench.get("q1") is None or bench.get("clients", 0) < MIN_CLIENTS:
            continue
        index = float(row["index"])
        rows.append({"pillar_id": pillar_id, "name": row["name"], "index": index, "q1": bench["q1"],
                     "median": bench["median"], "q3": bench["q3"], "clients": bench["clients"],
                     "position": position(index, bench["q1"], bench["median"], bench["q3"])})
    return pd.DataFrame(rows).set_index("pillar_id") if rows else None


def how_you_compare(scores: Scores, benchmark_file: str | os.PathLike | None) -> pd.DataFrame | None:
    """``compare`` for a scored client against a benchmark file; None without a file or enough clients."""
    if not benchmark_file:
        return None
    return compare(scores.pillars, scores.template.id, read_benchmark(benchmark_file))


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
  <td style="{{ heat(r.overall_index) }}">{{ r.overall_index|num }}</td><td>{{ r.maturity or '–' }}</td>
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


def write_overview(
    folder: str | os.PathLike,
    clients: pd.DataFrame,
    frame: pd.DataFrame,
    reports: Mapping[str, str | os.PathLike] | None = None,
    failed: Sequence[tuple[str, str]] = (),
    anonymise: bool = False,
    started: str | None = None,
    pdf: bool = True,
    pdf_engine: str | None = None,
    render: Callable[[str, Path], object] | None = None,
    trends: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write ``index.html`` (and ``index.pdf``, with ``pdf_engine``) of the portfolio overview into ``folder``.

    ``render(html, target)`` prints the PDF elsewhere (a batch hands it to a worker whose engine is running).

    ``reports`` maps a client id to its report file; the page links to it by a relative
    address (``../../<client>/<run>/report.html``), so the output folder can be moved whole.
    """
    folder = Path(folder)
    links = {client: Path(os.path.relpath(Path(path).resolve(), folder.resolve())).as_posix()
             for client, path in (reports or {}).items()}
    css = (HTML_TEMPLATE / "report.css").read_text(encoding="utf-8")
    html = overview_html(clients, frame, links, failed, anonymise, started, css, trends)
    files = {"index.html": folder / "index.html"}
    write_text_atomically(files["index.html"], html)
    if pdf:
        files["index.pdf"] = folder / "index.pdf"
        (render or functools.partial(render_pdf, requested=pdf_engine))(html, files["index.pdf"])
    return files


__all__ = [
    "MIN_CLIENTS",
    "action_summary",
    "benchmark_document",
    "client_frame",
    "client_trends",
    "codes",
    "compare",
    "how_you_compare",
    "index_matrix",
    "labels",
    "most_common_changes",
    "overall_ranks",
    "overview_html",
    "percentile_rank",
    "pillar_frame",
    "pillar_ranks",
    "position",
    "quartiles",
    "read_benchmark",
    "sparkline",
    "trend_frame",
    "write_benchmark",
    "write_overview",
]
