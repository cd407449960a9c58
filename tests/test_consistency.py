"""One client, one set of figures: every output of a batch shows the same indices for a client.

A client with pillar weights (client.yaml ``weights:``) and two waves with their own targets (one
dated under ``waves:`` in client.yaml, the other by its ``wave.yaml``) runs in one batch with four
other clients on the same questionnaire, in every format. Its overall and pillar indices (and the
overall gap to target) are read back from the files written (scores.json, the portfolio's
index.html and benchmark.json, results.xlsx, deck.pptx, the report's sections 1, 2, 12 and 13) and
from ``cxassess compare`` and ``cxassess score CLIENT_DIR``, and compared with figures worked out
here by hand from the answers, to the rounding each output shows.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook
from pptx import Presentation

from conftest import hand_pillar_indices
from cxassess.cli import main
from cxassess.inputs.responses import load_responses
from cxassess.inputs.sample_clients import SampleClient, SampleWave, portfolio, write_sample_client
from cxassess.inputs.samples import Profile
from cxassess.inputs.templates import find_template
from cxassess.run.batch import run_batch

pytestmark = pytest.mark.slow  # one batch of five clients with every format

CLIENT = "weighted-wharf"
NAME = "Weighted Wharf"
WEIGHTS = {"recovery": 10, "touchpoints": 5}  # the client's own pillar weights, replacing the template's
EARLIER, CURRENT = "2026-h1", "2026-h2"
TARGETS = {"vision": 4.0, "customer_need": 4.0, "touchpoints": 4.2, "hiring": 3.8, "training": 4.0, "goals": 3.9,
           "accountability": 3.8, "recognition": 3.7, "recovery": 4.3, "anticipation": 3.8,
           "employee_experience": 4.0, "improvement": 4.0}  # client.yaml, every pillar
WAVE_TARGETS = {EARLIER: {"recovery": 3.6, "vision": 3.5},  # under waves: in client.yaml
                CURRENT: {"recovery": 4.6, "goals": 4.4}}  # in waves/2026-h2/wave.yaml
DATES = {EARLIER: "2026-04-01", CURRENT: "2026-10-01"}
OVERALL = "overall"


# ------------------------------------------------------------------------------- the clients


@pytest.fixture(scope="module")
def template():
    return find_template("cx_service_strategy")


@pytest.fixture(scope="module")
def clients_dir(tmp_path_factory, template) -> Path:
    """The weighted two-wave client and four plain clients: five on one questionnaire, enough for quartiles."""
    root = tmp_path_factory.mktemp("clients")
    sample = SampleClient(
        CLIENT, {"name": NAME, "template": template.id, "assessment_date": DATES[CURRENT]},
        # strong where the weights are heavy, so the weighted overall index is far from the unweighted one
        Profile(respondents=22, level=2.9, pillar_shift={"recovery": 1.0, "touchpoints": 0.8, "recognition": -0.6}),
        seed=7, history=(SampleWave(EARLIER, DATES[EARLIER], 18, {"recovery": 0.5, "touchpoints": 0.2}, 8),),
        current_wave=CURRENT)
    folder = write_sample_client(sample, root, template)
    config = {"name": NAME, "template": template.id, "targets": TARGETS, "weights": WEIGHTS,
              "waves": {EARLIER: {"date": DATES[EARLIER], "targets": WAVE_TARGETS[EARLIER]}}}
    (folder / "client.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (folder / "waves" / CURRENT / "wave.yaml").write_text(
        yaml.safe_dump({"date": DATES[CURRENT], "targets": WAVE_TARGETS[CURRENT]}), encoding="utf-8")
    for other in portfolio(4, respondents=16, seed=3):
        write_sample_client(other, root, template)
    return root


@pytest.fixture(scope="module")
def batch(clients_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_batch(clients_dir, out, workers=2, formats=("html", "pdf", "xlsx", "pptx"))
    assert result.counts["ok"] == 5, [(r.client, r.error) for r in result.results]
    assert result.overview is not None, result.overview_error
    return out, result


# ----------------------------------------------------------------------- figures worked out by hand


def answers_file(clients_dir: Path, client: str, wave: str | None) -> Path:
    folder = clients_dir / client / ("waves/" + wave if wave else "")
    return next(folder / name for name in ("responses.csv", "responses.xlsx") if (folder / name).is_file())


def by_hand(clients_dir: Path, template, client: str, wave: str | None = None) -> dict[str, float]:
    """Pillar indices from the answers, the overall index with the client's weights, and the overall gap index."""
    responses, _ = load_responses(answers_file(clients_dir, client, wave), template)
    pillars = hand_pillar_indices(template, responses.ratings)
    weights = {p.id: float((WEIGHTS if client == CLIENT else {}).get(p.id, p.weight)) for p in template.pillars}
    rated = [p for p in pillars if not math.isnan(pillars[p])]
    figures = dict(pillars)
    figures[OVERALL] = sum(weights[p] * pillars[p] for p in rated) / sum(weights[p] for p in rated)
    if client == CLIENT:  # every pillar has a target: client.yaml's, overridden by the wave's
        targets = {**TARGETS, **WAVE_TARGETS[wave]}
        scale = template.scale
        gaps = {p: (targets[p] - scale.min) / (scale.max - scale.min) * 100 - pillars[p] for p in rated}
        figures["gap_index"] = sum(weights[p] * gaps[p] for p in rated) / sum(weights[p] for p in rated)
    return figures


@pytest.fixture(scope="module")
def expected(clients_dir, template) -> dict[str, dict[str, float]]:
    """By hand: the weighted client per wave (keys EARLIER, CURRENT), every other client by id."""
    figures = {wave: by_hand(clients_dir, template, CLIENT, wave) for wave in (EARLIER, CURRENT)}
    for folder in sorted(clients_dir.iterdir()):
        if folder.name != CLIENT:
            figures[folder.name] = by_hand(clients_dir, template, folder.name)
    return figures


def current(expected: dict, client: str) -> dict[str, float]:
    return expected[CURRENT] if client == CLIENT else expected[client]


def shown(value: float, digits: int = 0) -> str:
    """A figure as an output rounds it."""
    return f"{value:.{digits}f}"


def test_the_weights_make_a_difference(expected, template):
    """Guard: the client's weights move its overall index by more than any output's rounding."""
    for wave in (EARLIER, CURRENT):
        figures = expected[wave]
        plain = (sum(p.weight * figures[p.id] for p in template.pillars) / sum(p.weight for p in template.pillars))
        assert abs(figures[OVERALL] - plain) > 2


# --------------------------------------------------------------------------------- read-back helpers


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts, with the section heading (h2) it stands under."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.heading, self._in_heading = "", False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading, self._in_heading = "", True
        elif tag == "table":
            self.tables.append((self.heading, []))
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1][1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_heading = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in_heading:
            self.heading += data
        if self._cell is not None:
            self._cell.append(data)

    def under(self, heading: str) -> list[list[str]]:
        """The first table under the section whose heading starts with ``heading``, header row first."""
        return next(rows for h, rows in self.tables if h.strip().startswith(heading))

    def starting(self, *headings: str) -> list[list[str]]:
        """The first table whose header row starts with ``headings``."""
        return next(rows for _, rows in self.tables if rows and tuple(rows[0][:len(headings)]) == headings)


def records(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """Table rows keyed by their first cell, each a mapping of column heading to cell."""
    header = rows[0]
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


def run(*argv: object) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    assert code == 0, err.getvalue()
    return out.getvalue()


def names(template) -> dict[str, str]:
    return {p.id: p.name for p in template.pillars} | {OVERALL: "Overall"}


def scores_json(out: Path, client: str) -> dict:
    return json.loads((out / client / "latest" / "scores.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------- the outputs


def test_scores_json(batch, expected, template):
    out, _ = batch
    for client in [CLIENT, *(c for c in expected if c not in (EARLIER, CURRENT))]:
        document, figures = scores_json(out, client), current(expected, client)
        assert document["overall"]["index"] == pytest.approx(figures[OVERALL], abs=1e-4), client
        assert {p["id"]: p["index"] for p in document["pillars"]} == pytest.approx(
            {p.id: figures[p.id] for p in template.pillars}, abs=1e-4)
    document = scores_json(out, CLIENT)
    assert document["overall"]["gap_index"] == pytest.approx(expected[CURRENT]["gap_index"], abs=1e-4)
    assert document["wave"]["id"] == CURRENT


def test_portfolio_overview(batch, expected):
    out, result = batch
    page = Tables(Path(result.overview).read_text(encoding="utf-8"))
    rows = records(page.starting("Client", "Questionnaire", "Respondents", "Overall index"))
    overall = {c: current(expected, c)[OVERALL] for c in [CLIENT, *(c for c in expected if c not in (EARLIER, CURRENT))]}
    labels = {CLIENT: NAME} | {c: f"Client {c.split('-')[1]}" for c in overall if c != CLIENT}
    for client, index in overall.items():
        row = rows[labels[client]]
        assert row["Overall index"] == shown(index), client
        rank = 100 * sum(other <= index for other in overall.values()) / len(overall)
        assert row["Percentile rank"] == shown(rank), client
    trend = records(page.starting("Client", "Waves", "Overall index by wave"))
    assert trend[NAME]["Overall index by wave"] == " → ".join(shown(expected[w][OVERALL]) for w in (EARLIER, CURRENT))
    change = expected[CURRENT][OVERALL] - expected[EARLIER][OVERALL]
    assert trend[NAME]["Change since the previous wave"] == f"{change:+.0f} (since {EARLIER})"


@pytest.fixture(scope="module")
def quartiles(batch, template, expected) -> dict[str, list[float]]:
    """Q1, median, Q3 per pillar, recomputed with numpy over the indices in every client's scores.json."""
    out, _ = batch
    indices = {p.id: [] for p in template.pillars}
    for client in [CLIENT, *(c for c in expected if c not in (EARLIER, CURRENT))]:
        for pillar in scores_json(out, client)["pillars"]:
            indices[pillar["id"]].append(pillar["index"])
    assert all(len(v) == 5 for v in indices.values())
    return {p: list(np.percentile(v, [25, 50, 75])) for p, v in indices.items()}


def test_benchmark_json(batch, quartiles):
    _, result = batch
    document = json.loads(Path(result.benchmark_file).read_text(encoding="utf-8"))
    group = document["templates"]["cx_service_strategy"]
    assert group["clients"] == 5
    for pillar_id, values in quartiles.items():
        entry = group["pillars"][pillar_id]
        assert entry["clients"] == 5
        assert [entry["q1"], entry["median"], entry["q3"]] == pytest.approx(values, abs=1e-3), pillar_id


def test_results_workbook(batch, expected):
    out, _ = batch
    book = load_workbook(out / CLIENT / "latest" / "results.xlsx")
    rows = list(book["Scorecard"].iter_rows(values_only=True))
    ids = [row[0] for row in book["Scorecard details"].iter_rows(min_row=2, values_only=True)]  # same row order
    header = rows[0]
    table = {pillar: dict(zip(header, row)) for pillar, row in zip(ids, rows[1:]) if pillar}
    figures = expected[CURRENT]
    assert {k: v["Index (0-100)"] for k, v in table.items()} == pytest.approx(
        {k: v for k, v in figures.items() if k != "gap_index"}, abs=1e-6)
    assert table[OVERALL]["Gap (index points)"] == pytest.approx(figures["gap_index"], abs=1e-6)


def test_deck(batch, expected, template):
    out, _ = batch
    prs = Presentation(out / CLIENT / "latest" / "deck.pptx")
    slides = {slide.shapes.title.text: slide for slide in prs.slides if slide.shapes.title is not None}
    summary = "\n".join(s.text_frame.text for s in slides["Executive summary"].shapes if s.has_text_frame)
    figures = expected[CURRENT]
    assert f"\n{shown(figures[OVERALL])} / 100\n" in summary
    assert f"average gap to target: {shown(figures['gap_index'])} points" in summary
    table = next(s.table for s in slides["Action plan"].shapes if s.has_table)
    header, *rows = [[cell.text for cell in row.cells] for row in table.rows]
    plan = {row[header.index("Pillar")]: row[header.index("Index")] for row in rows}  # one row per pillar
    assert len(plan) == len(template.pillars)
    for pillar in template.pillars:
        assert plan[pillar.name] == shown(figures[pillar.id]), pillar.id


def test_compare_command(clients_dir, expected, template):
    text = run("compare", clients_dir / CLIENT)
    lines = text.splitlines()
    assert lines[2].split() == ["Pillar", EARLIER, CURRENT, "Change", "p", "Result"]
    for key, name in names(template).items():
        line = next(line for line in lines[3:] if line.strip().startswith(name + " "))
        before, after, change = line.strip()[len(name):].split()[:3]
        assert before == shown(expected[EARLIER][key], 1), key
        assert after == shown(expected[CURRENT][key], 1), key


def score_table(text: str, template) -> dict[str, list[str]]:
    """``cxassess score``'s scorecard: per pillar id the figures after the name; the overall index."""
    lines = text.splitlines()
    table = {}
    for pillar in template.pillars:
        line = next(line for line in lines if line.strip().startswith(pillar.name + " "))
        table[pillar.id] = line.strip()[len(pillar.name):].split()
    table[OVERALL] = [re.search(r"^Overall index (\S+)", text, re.M).group(1)]
    return table


@pytest.mark.parametrize("wave", [CURRENT, EARLIER])
def test_score_client_dir(clients_dir, expected, template, wave):
    argv = ["score", clients_dir / CLIENT] + (["--wave", wave] if wave != CURRENT else [])
    table = score_table(run(*argv), template)
    figures = expected[wave]
    targets = {**TARGETS, **WAVE_TARGETS[wave]}
    for pillar in template.pillars:
        _, index, target = table[pillar.id][:3]
        assert index == shown(figures[pillar.id], 1), pillar.id
        assert target == shown(targets[pillar.id], 2), pillar.id
    assert table[OVERALL] == [shown(figures[OVERALL], 1)]


def test_score_client_dir_json_is_the_reports_document(batch, clients_dir):
    out, _ = batch
    document = json.loads(run("score", clients_dir / CLIENT, "--json"))
    written = scores_json(out, CLIENT)
    assert document["overall"] == written["overall"]
    assert document["pillars"] == written["pillars"]
    assert document["breakdown"] == written["breakdown"]


@pytest.fixture(scope="module")
def report(batch) -> tuple[str, Tables]:
    out, _ = batch
    page = (out / CLIENT / "latest" / "report.html").read_text(encoding="utf-8")
    return page, Tables(page)


def test_report_summary_and_scorecard(report, expected, template):
    page, tables = report
    figures = expected[CURRENT]
    summary = page[page.index("1. Executive summary"):]
    assert re.search(r'<div class="cx-big">([^<]*)</div>', summary).group(1) == shown(figures[OVERALL])
    assert f"average gap to target: {shown(figures['gap_index'])} points" in summary
    rows = records(tables.under("2. Pillar scorecard"))
    for pillar in template.pillars:
        assert rows[pillar.name]["Index"] == shown(figures[pillar.id]), pillar.id


def test_report_how_you_compare(report, expected, template):
    _, tables = report
    rows = records(tables.under("12. How you compare"))
    # the quartiles of the indices worked out by hand, independently of any file
    others = [c for c in expected if c not in (EARLIER, CURRENT)]
    for pillar in template.pillars:
        values = [expected[CURRENT][pillar.id]] + [expected[c][pillar.id] for c in others]
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        row = rows[pillar.name]
        assert row["Your index"] == shown(expected[CURRENT][pillar.id]), pillar.id
        assert [row["Portfolio Q1"], row["Median"], row["Q3"]] == [shown(q1), shown(median), shown(q3)], pillar.id


def test_report_progress_section(report, expected, template):
    _, tables = report
    rows = records(tables.under("13. Progress since last assessment"))
    for key, name in names(template).items():
        row = rows[name]
        assert row[EARLIER] == shown(expected[EARLIER][key]), key
        assert row[CURRENT] == shown(expected[CURRENT][key]), key
