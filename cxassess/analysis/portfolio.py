"""Figures across the clients of a portfolio: quartiles, percentile ranks, common gaps and actions, codes.

The functions are pure: they take the *pillar frame* (one row per client and pillar,
built by ``pillar_frame`` from each client's ``Scores``) or the *client frame* (one row per
client) and return new frames. Nothing here reads or writes files: ``cxassess.run.portfolio``
writes and reads ``benchmark.json`` and the overview page (``cxassess.render.overview``).

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

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..inputs.tables import column_letter
from ..core.settings import PORTFOLIO_MIN_CLIENTS
from .document import clean
from .scoring import ACTIONS, Scores

MIN_CLIENTS = PORTFOLIO_MIN_CLIENTS  # fewest clients for a comparison to be shown in a client's report
PILLAR_COLUMNS = ("client", "template", "pillar_id", "pillar", "index", "gap_index", "action")
CHANGE = ("do_differently", "start")  # the action classes that ask for a change

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


# -------------------------------------------------------------------- the benchmark quartiles


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
            **{k: (clean(row[k]) if shown else None) for k in ("q1", "median", "q3")},  # full precision
        }
    return {
        "about": "Quartiles of the pillar indices (0-100) of the clients in one cxassess batch, per questionnaire.",
        "method": "Q1, median and Q3 by linear interpolation between the sorted indices; given only for pillars "
                  f"with at least {MIN_CLIENTS} clients.",
        "min_clients": MIN_CLIENTS,
        "templates": templates,
    }


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


__all__ = [
    "MIN_CLIENTS",
    "action_summary",
    "benchmark_document",
    "client_frame",
    "codes",
    "compare",
    "index_matrix",
    "most_common_changes",
    "overall_ranks",
    "percentile_rank",
    "pillar_frame",
    "pillar_ranks",
    "position",
    "quartiles",
    "trend_frame",
]
