"""The text that ``cxassess`` prints: scorecards, segment breakdowns, customers' measures, wave changes.

Plain-text tables (pandas ``to_string``) of the library's results, with missing figures as '-':
what ``cxassess score`` and ``cxassess compare`` show on a terminal, apart from the commands that
load and compute them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis import coverage, drivers, voice
from ..analysis.scoring import ACTIONS, Scores
from ..inputs.templates import Template

if TYPE_CHECKING:
    from ..inputs.importers import ImportResult


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def scorecard_text(scores: Scores) -> str:
    """The readable table printed by ``cxassess score``."""
    p = scores.pillars
    table = pd.DataFrame(
        {
            "Pillar": p["name"],
            "Mean": p["mean"].map(_fmt),
            "Index": p["index"].map(lambda v: _fmt(v, 1)),
            "Target": p["target"].map(_fmt),
            "Gap": p["gap"].map(_fmt),
            "Importance": p["importance"].map(_fmt),
            "Maturity": _maturity(p),
            "n": p["n"],
            "rwg": p["rwg"].map(_fmt),
            "alpha": p["alpha"].map(_fmt),
            "Action": p["action"].map(lambda a: ACTIONS.get(a, "-")),
        }
    )
    o = scores.overall
    overall = (f"Overall index withheld ({o['withheld_reason']})" if o.get("withheld_reason")
               else f"Overall index {_fmt(o['index'], 1)} ({o['maturity'] or '-'})")
    return (
        table.to_string(index=False)
        + f"\n\n{overall}, "
        f"{scores.respondents} respondents, template {scores.template.id!r}"
    )


def _maturity(pillars: pd.DataFrame) -> pd.Series:
    """The maturity band, or "not enough answers" for a pillar the thin-data guard left unscored."""
    bands = pillars["maturity"].map(_fmt)
    if "enough_answers" not in pillars:
        return bands
    return bands.where(pillars["enough_answers"].astype(bool), coverage.NOT_ENOUGH)


def data_quality_text(found: coverage.Coverage) -> str:
    """The thin-data warning printed above a scorecard (empty when every pillar has enough answers)."""
    return f"Data quality warning: {found.warning}\n\n" if found.warning else ""


def breakdown_text(frame: pd.DataFrame, pillar_ids: list[str]) -> str:
    """A segment breakdown as a table: one row per group, 'suppressed' for small groups."""
    rows = {}
    for record in frame.to_dict("records"):
        if record["suppressed"]:
            rows[record["group"]] = ["suppressed"] * (len(pillar_ids) + 2)
        else:
            rows[record["group"]] = [int(record["n"]), _fmt(record["overall_index"], 1)] + [
                _fmt(record[p], 1) for p in pillar_ids
            ]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["n", "overall", *pillar_ids]).to_string()


def customers_text(customers: voice.CustomerVoice) -> str:
    """The customers' measures as printed by ``cxassess score --feedback``."""
    o, s = customers.overall, customers.settings
    lines = [
        f"Customers: {customers.responses} responses. NPS {_fmt(o['nps'], 1)} (± {_fmt(o['nps_moe'], 1)}, n={o['nps_n']}), "
        f"CSAT {_fmt(o['csat'], 1)}% (n={o['csat_n']}), ease {_fmt(o['ces'], 2)} of 7 (n={o['ces_n']}); "
        f"word of mouth ≈ {_fmt(o['word_of_mouth'], 0)} people ({o['unhappy']} unhappy x {s.word_of_mouth:g}). "
        f"Figures on fewer than {s.min_answers} answers show as '-'.",
        "",
        customers.touchpoints[["responses", "nps", "nps_moe", "csat", "ces", "word_of_mouth"]]
        .map(lambda v: _fmt(v, 1) if isinstance(v, float) else v).to_string(),
        "",
    ]
    table = customers.pillars[["staff_index", "customer_index", "source", "gap", "kind"]].copy()
    table["kind"] = table["kind"].map({"blind_spot": "BLIND SPOT", "undersold": "undersold"}).fillna("")
    lines.append(table.map(lambda v: _fmt(v, 1) if isinstance(v, float) else v).to_string())
    return "\n".join(lines)


def compare_text(before, after, changes: pd.DataFrame, alpha: float) -> str:
    """The change table printed by ``cxassess compare``: indices, change, Welch p, result."""
    from ..analysis.waves import counts

    table = pd.DataFrame({
        "Pillar": changes["name"],
        before.id: changes["before"].map(lambda v: _fmt(v, 1)),
        after.id: changes["after"].map(lambda v: _fmt(v, 1)),
        "Change": changes["change"].map(lambda v: "-" if pd.isna(v) else f"{v:+.1f}"),
        "p": changes["p"].map(lambda v: "-" if pd.isna(v) else ("<0.001" if v < 0.001 else f"{v:.3f}")),
        "Result": changes["status"].map(lambda v: v or "-"),
    })
    c = counts(changes)
    return (
        f"Change from wave {before.id!r} ({before.date}, {before.scores.respondents} respondents) to wave "
        f"{after.id!r} ({after.date}, {after.scores.respondents} respondents), index points 0-100\n\n"
        + table.to_string(index=False)
        + f"\n\n{c['improved']} improved, {c['declined']} declined, {c['unchanged']} unchanged "
        f"(Welch's t-test on respondents' pillar scores, alpha {alpha:g}; see docs/scoring.md)"
    )


def import_summary(result: ImportResult, template: Template) -> str:
    """What ``cxassess import`` did, in counts that add up: questions answered, export columns used and how."""
    answered = {column for row in result.rows for column, cell in zip(result.header, row) if cell.strip()}
    questions = sum(q in answered for q in template.question_ids)
    used = {rule: n for rule, n in result.matched.items() if rule != "skipped"}
    how = ", ".join(f"{n} {rule}" if rule == "response id" else f"{n} by {rule}" for rule, n in sorted(used.items()))
    skipped = result.matched.get("skipped", 0)
    return (f"{questions} of {len(template.question_ids)} questions of template {template.id!r} answered; "
            f"{sum(used.values())} export columns used ({how})" + (f", {skipped} skipped" if skipped else ""))


def drivers_text(found: drivers.Drivers, template: Template) -> str:
    """The key drivers of the outcome question, largest share first, or why there are none."""
    if not found.computed:
        return f"Key drivers: not computed: {found.reason}."
    names = {p.id: p.name for p in template.pillars}
    t = found.table.sort_values("rank")
    table = pd.DataFrame({
        "Pillar": [names[i] for i in t.index],
        "Share %": t["share_pct"].map(lambda v: _fmt(v, 1)),
        "95% interval (% of R²)": [f"{lo * 100 / found.r2:.1f}-{hi * 100 / found.r2:.1f}" for lo, hi in zip(t["ci_low"], t["ci_high"])],
        "Rel. weight": t["relative_weight"].map(lambda v: _fmt(v, 3)),
    })
    return (f"Key drivers of {found.outcome!r} ({found.n} respondents, R² {found.r2:.2f}; share of R² by LMG)\n"
            + table.to_string(index=False))


def plan_against_text(table: pd.DataFrame, wave: str, later: str) -> str:
    """The client's plan (plan.yaml, made at ``wave``) against the ``later`` wave, printed by ``cxassess compare``."""
    shown = pd.DataFrame({
        "Phase": table["phase"],
        "Pillar": table["pillar"],
        "Status": table["status"],
        "Owner": table["owner"].map(lambda v: v or "-"),
        "Planned": table["planned"].map(lambda v: _fmt(v, 0)),
        "Reached": table["reached"].map(lambda v: _fmt(v, 1)),
        "Change": table["change"].map(lambda v: "-" if pd.isna(v) else f"{v:+.1f}"),
        "Result": table["change_status"].map(lambda v: v or "-"),
        "Target": table["met"].map(lambda v: "-" if v is None else ("reached" if v else "not reached")),
    })
    done = int(table["done"].sum())
    return (f"The plan of wave {wave!r} (plan.yaml) against wave {later!r}: {done} of {len(table)} actions done\n\n"
            + shown.to_string(index=False))
