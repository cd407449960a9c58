"""The portfolio: hand-computed ranks and quartiles, its charts, the overview page and "How you compare"."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from pypdf import PdfReader

from cxassess.analysis import portfolio
from cxassess.render import comparisons, display, overview, plots
from cxassess.run.portfolio import how_you_compare, read_benchmark, write_benchmark
from cxassess.run.batch import run_batch
from cxassess.cli import main
from cxassess.inputs.sample_clients import portfolio as sample_portfolio
from cxassess.inputs.sample_clients import write_sample_client
from cxassess.inputs.templates import find_template

MARKUP_NAME = 'Acme <b>Bold</b> & "Co"'


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A pillar frame from (client, template, pillar_id, index, gap_index, action) rows."""
    out = pd.DataFrame(rows, columns=["client", "template", "pillar_id", "index", "gap_index", "action"])
    out.insert(3, "pillar", out["pillar_id"].str.upper())
    return out[list(portfolio.PILLAR_COLUMNS)]


# Four clients on template t; pillar a: 10, 20, 40, 80; pillar b: 50, 50, 70 and one without an index.
SMALL = frame([
    ("w", "t", "a", 10.0, 30.0, "start"), ("w", "t", "b", 50.0, 10.0, "do_differently"),
    ("x", "t", "a", 20.0, 20.0, "do_differently"), ("x", "t", "b", 50.0, math.nan, "keep"),
    ("y", "t", "a", 40.0, 5.0, "keep"), ("y", "t", "b", 70.0, -5.0, "keep"),
    ("z", "t", "a", 80.0, -10.0, "stop"), ("z", "t", "b", math.nan, math.nan, None),
])


# ------------------------------------------------------------------------------ pure analysis


def test_percentile_rank_is_the_share_at_or_below():
    ranks = portfolio.percentile_rank(pd.Series([40.0, 10.0, 30.0, 30.0, math.nan], index=list("pqrst")))
    # 4 known values: 10 -> 1/4, 30 -> 3/4 (10, 30, 30), 40 -> 4/4; the missing one gets no rank
    assert ranks[["p", "q", "r", "s"]].tolist() == [100.0, 25.0, 75.0, 75.0]
    assert math.isnan(ranks["t"])
    assert portfolio.percentile_rank(pd.Series([math.nan])).isna().all()


def test_pillar_ranks_by_hand():
    ranks = portfolio.pillar_ranks(SMALL).set_index(["client", "pillar_id"])["percentile"]
    assert [ranks[(c, "a")] for c in "wxyz"] == [25.0, 50.0, 75.0, 100.0]
    # b: 50, 50, 70 among 3 clients with an index: ties share the higher rank
    assert [ranks[(c, "b")] for c in "wxy"] == [pytest.approx(200 / 3), pytest.approx(200 / 3), 100.0]
    assert math.isnan(ranks[("z", "b")])


def test_ranks_are_within_a_template():
    other = frame([("v", "u", "a", 0.0, 0.0, "start")])  # a lower index, but another questionnaire
    ranks = portfolio.pillar_ranks(pd.concat([SMALL, other], ignore_index=True))
    assert ranks.loc[ranks["client"] == "w", "percentile"].iloc[0] == 25.0
    assert ranks.loc[ranks["client"] == "v", "percentile"].iloc[0] == 100.0
    clients = pd.DataFrame({"template": ["t", "t", "u"], "overall_index": [50.0, 60.0, 10.0]}, index=["w", "x", "v"])
    assert portfolio.overall_ranks(clients).to_dict() == {"w": 50.0, "x": 100.0, "v": 100.0}


def test_quartiles_by_hand():
    q = portfolio.quartiles(SMALL).set_index("pillar_id")
    # a: sorted 10, 20, 40, 80; positions (n-1)p = 0.75, 1.5, 2.25 -> 17.5, 30, 50
    assert q.loc["a", ["clients", "q1", "median", "q3"]].tolist() == [4, 17.5, 30.0, 50.0]
    # b: 50, 50, 70 -> positions 0.5, 1, 1.5 -> 50, 50, 60
    assert q.loc["b", ["clients", "q1", "median", "q3"]].tolist() == [3, 50.0, 50.0, 60.0]
    assert q.loc["a", "pillar"] == "A"


def test_index_matrix_keeps_client_and_pillar_order():
    m = portfolio.index_matrix(SMALL, "t")
    assert list(m.index) == list("wxyz") and list(m.columns) == ["a", "b"]
    assert m.loc["z", "a"] == 80.0 and math.isnan(m.loc["z", "b"])


def test_action_summary_counts_and_most_common_changes():
    s = portfolio.action_summary(SMALL).set_index("pillar_id")
    counts = ["keep", "do_differently", "start", "stop", "unclassified", "change"]
    assert s.loc["a", counts].tolist() == [1, 1, 1, 1, 0, 2]
    assert s.loc["b", counts].tolist() == [2, 1, 0, 0, 1, 1]
    assert s.loc["a", "median_gap"] == 12.5  # 30, 20, 5, -10 -> (5 + 20) / 2
    assert s.loc["b", "median_gap"] == 2.5  # 10, -5 (two without a gap) -> 2.5
    assert s.loc["a", "median_index"] == 30.0
    top = portfolio.most_common_changes(s.reset_index(), top=3)
    assert top["pillar_id"].tolist() == ["a", "b"]


def test_codes_follow_the_sorted_ids():
    assert portfolio.codes(["b-co", "a-co", "c-co"]) == {"a-co": "Client A", "b-co": "Client B", "c-co": "Client C"}
    many = portfolio.codes([f"c{i:02d}" for i in range(28)])
    assert many["c25"] == "Client Z" and many["c26"] == "Client AA" and many["c27"] == "Client AB"


def five_clients() -> pd.DataFrame:
    """Five clients on pillar a with 10, 20, 30, 40, 90, and only four with an index on pillar b."""
    rows = [(c, "t", "a", v, 0.0, "keep") for c, v in zip("pqrst", (10.0, 20.0, 30.0, 40.0, 90.0))]
    rows += [(c, "t", "b", v, 0.0, "keep") for c, v in zip("pqrs", (10.0, 20.0, 30.0, 40.0))]
    rows += [("t", "t", "b", math.nan, math.nan, None)]
    return frame(rows)


def test_benchmark_names_no_client_and_hides_small_groups(tmp_path):
    document = portfolio.benchmark_document(five_clients())
    group = document["templates"]["t"]
    assert group["clients"] == 5
    assert group["pillars"]["a"] == {"clients": 5, "q1": 20.0, "median": 30.0, "q3": 40.0}
    assert group["pillars"]["b"] == {"clients": 4, "q1": None, "median": None, "q3": None}  # under 5 clients
    path = write_benchmark(document, tmp_path / "benchmark.json")
    text = path.read_text()
    assert not re.search(r'"[pqrs]"', text)  # no client id anywhere
    assert read_benchmark(path) == document


def test_benchmark_keeps_full_precision(tmp_path):
    """Five indices 200/7, 100/3, 50, 70, 90: with n = 5 the quartiles fall on the 2nd, 3rd and 4th value."""
    rows = [(c, "t", "a", v, 0.0, "keep") for c, v in zip("pqrst", (90.0, 100 / 3, 50.0, 200 / 7, 70.0))]
    document = portfolio.benchmark_document(frame(rows))
    assert document["templates"]["t"]["pillars"]["a"] == {"clients": 5, "q1": 100 / 3, "median": 50.0, "q3": 70.0}
    text = write_benchmark(document, tmp_path / "benchmark.json").read_text()
    assert json.loads(text, parse_float=str)["templates"]["t"]["pillars"]["a"]["q1"] == repr(100 / 3)
    assert read_benchmark(tmp_path / "benchmark.json") == document


def test_compare_places_the_client_against_the_quartiles():
    document = portfolio.benchmark_document(five_clients())
    pillars = pd.DataFrame({"name": ["Pillar A", "Pillar B"], "index": [45.0, 20.0]}, index=["a", "b"])
    c = portfolio.compare(pillars, "t", document)
    assert list(c.index) == ["a"]  # b has too few clients to compare with
    assert c.loc["a", ["index", "q1", "median", "q3", "clients"]].tolist() == [45.0, 20.0, 30.0, 40.0, 5]
    assert c.loc["a", "position"] == "top quarter (above Q3)"
    assert portfolio.position(20.0, 20.0, 30.0, 40.0) == "below the median"
    assert portfolio.position(30.0, 20.0, 30.0, 40.0) == "at or above the median"
    assert portfolio.position(19.9, 20.0, 30.0, 40.0) == "bottom quarter (below Q1)"
    assert portfolio.compare(pillars, "other-template", document) is None
    four = portfolio.benchmark_document(five_clients().query("client != 't'"))
    assert portfolio.compare(pillars, "t", four) is None


def test_how_you_compare_section(tmp_path):
    note = comparisons.how_you_compare(None)
    assert "No portfolio comparison" in note.html and "at least 5 organisations" in note.html
    assert how_you_compare(None, None) is None
    pillars = pd.DataFrame({"name": ["Pillar <A>"], "index": [45.0]}, index=["a"])
    c = portfolio.compare(pillars, "t", portfolio.benchmark_document(five_clients()))
    parts = comparisons.how_you_compare(c)
    assert isinstance(parts[0], display.Png) and parts[0].data.startswith(b"\x89PNG")
    html = display.section("12. How you compare", parts).html
    assert "Pillar &lt;A&gt;" in html and "<A>" not in html
    assert re.search(r">45</td>\s*<td>20</td><td>30</td><td>40</td><td>top quarter", html)
    assert "the 5 organisations" in html
    with pytest.raises(Exception, match="benchmark file not found"):
        read_benchmark(tmp_path / "missing.json")


def test_overview_of_two_questionnaires_compares_within_each():
    pillars = pd.concat([SMALL, frame([("v", "u", "a", 0.0, 0.0, "start")])], ignore_index=True)
    clients = pd.DataFrame({
        "name": ["W <i>co</i>", "X", "Y", "Z", "V"], "template": ["t"] * 4 + ["u"],
        "template_name": ["Tee"] * 4 + ["You"], "respondents": [10] * 5,
        "overall_index": [20.0, 40.0, 60.0, 80.0, 5.0], "maturity": ["Basic"] * 5,
    }, index=list("wxyzv"))
    html = overview.overview_html(clients, pillars, links={"w": "../../w/1/report.html"},
                                  failed=[("bad", "responses.csv:1: <missing>")])
    assert "Questionnaire: Tee" in html and "Questionnaire: You" in html
    assert html.count("data:image/png;base64,") == 3  # one distribution, a heatmap per questionnaire
    assert "W &lt;i&gt;co&lt;/i&gt;" in html and "<i>co</i>" not in html
    assert "responses.csv:1: &lt;missing&gt;" in html
    assert '<a href="../../w/1/report.html">report.html</a>' in html
    first = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)  # the clients table, sorted by id
    assert re.findall(r'<td class="cx-name"[^>]*>([^<]*)</td>', first) == ["V", "W &lt;i&gt;co&lt;/i&gt;", "X", "Y", "Z"]
    ranks = re.findall(r"<td>(\d+)</td>(?:<td>(?:–|<a[^<]*</a>)</td>)?</tr>", first)
    assert ranks == ["100", "25", "50", "75", "100"]  # V alone on its questionnaire


# ------------------------------------------------------------------------------------ charts


def test_distribution_bars_count_the_clients_per_band():
    fig = plots.portfolio_distribution(pd.Series([5.0, 15.0, 19.9, 95.0, 100.0, math.nan]))
    assert isinstance(fig, Figure)
    bars = {r.get_gid(): r.get_height() for r in fig.axes[0].patches if r.get_gid()}
    assert bars["bin:0"] == 1 and bars["bin:10"] == 2 and bars["bin:90"] == 2  # 100 falls in the last band
    assert sum(bars.values()) == 5
    median = next(line for line in fig.axes[0].lines if line.get_gid() == "median")
    assert median.get_xdata()[0] == 19.9


def test_heatmap_cells_are_the_matrix_and_names_stay_plain_text():
    matrix = pd.DataFrame([[10.0, 90.0], [math.nan, 50.0]], index=["Cost $5 $ co", MARKUP_NAME], columns=["a", "b"])
    fig = plots.portfolio_heatmap(matrix, {"a": "Pillar A", "b": "Pillar B"})
    image = next(i for i in fig.axes[0].get_images() if i.get_gid() == "index")
    assert isinstance(image, AxesImage)
    data = image.get_array()
    assert data[0].tolist() == [10.0, 90.0] and bool(data.mask[1, 0]) and data[1, 1] == 50.0
    fig.savefig(io.BytesIO(), format="png")  # the "$...$" label must not be parsed as maths
    labels = [t.get_text() for t in plots.labels_of(fig.axes[0], "y")]
    assert labels == ["Cost $5 $ co", MARKUP_NAME]


def test_comparison_chart_draws_the_quartiles_and_the_client():
    c = pd.DataFrame({"name": ["A", "B"], "index": [45.0, 12.0], "q1": [20.0, 30.0], "median": [30.0, 35.0],
                      "q3": [40.0, 50.0], "clients": [5, 5]}, index=["a", "b"])
    fig = plots.portfolio_comparison(c)
    ax = fig.axes[0]
    boxes = {r.get_gid(): r for r in ax.patches if isinstance(r, Rectangle) and r.get_gid()}
    assert (boxes["a:range"].get_x(), boxes["a:range"].get_width()) == (20.0, 20.0)
    assert (boxes["b:range"].get_x(), boxes["b:range"].get_width()) == (30.0, 20.0)
    medians = {line.get_gid(): line.get_xdata()[0] for line in ax.lines}
    assert medians == {"a:median": 30.0, "b:median": 35.0}
    dots = next(col for col in ax.collections if isinstance(col, PathCollection) and col.get_gid() == "client")
    assert dots.get_offsets().tolist() == [[45.0, 0.0], [12.0, 1.0]]


# ------------------------------------------------------------------------- a real batch of six


@pytest.fixture(scope="module")
def clients_dir(tmp_path_factory) -> Path:
    """Six fictional clients of 20 respondents; one has markup in its name."""
    root = tmp_path_factory.mktemp("clients")
    template = find_template("cx_service_strategy")
    for sample in sample_portfolio(6, respondents=20, seed=11):
        write_sample_client(sample, root, template)
    config = root / "client-0003" / "client.yaml"
    config.write_text(config.read_text().replace("name: Client 0003", f"name: '{MARKUP_NAME}'"))
    return root


NAMES = {f"client-{i:04d}": f"Client {i:04d}" for i in range(1, 7)} | {"client-0003": MARKUP_NAME}
ESCAPED = "Acme &lt;b&gt;Bold&lt;/b&gt; &amp; &#34;Co&#34;"


@pytest.fixture(scope="module")
def batch(clients_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, run_batch(clients_dir, out, workers=2, formats=("html",))


@pytest.mark.slow
def test_overview_links_every_client_report(batch):
    out, result = batch
    assert result.counts["ok"] == 6 and result.overview == result.summary_file.parent / "index.html"
    html = result.overview.read_text(encoding="utf-8")
    assert not (result.overview.parent / "index.pdf").exists()  # HTML-only batch
    for client, name in NAMES.items():
        assert (ESCAPED if client == "client-0003" else name) in html, name
    assert "<b>Bold</b>" not in html
    links = re.findall(r'href="([^"]+)"', html)
    assert len(links) == 6
    for link in links:
        assert link.startswith("../../client-") and link.endswith("/report.html")
        assert (result.overview.parent / link).resolve().is_file()
    assert {Path(link).parts[2] for link in links} == set(NAMES)
    assert html.count("data:image/png;base64,") == 2  # the distribution and the heatmap
    assert "<script" not in html
    for heading in ("1. Clients", "2. Overall index across the portfolio", "3. Pillar index by client",
                    "4. Percentile ranks by pillar", "5. Common gaps and actions"):
        assert heading in html
    assert json.loads(result.summary_file.read_text())["overview"] == "index.html"


@pytest.mark.slow
def test_overview_ranks_match_the_clients_scores(batch):
    out, result = batch
    overall = {c: json.loads((out / c / "latest" / "scores.json").read_text())["overall"]["index"] for c in NAMES}
    html = result.overview.read_text(encoding="utf-8")
    for client, index in overall.items():
        rank = 100 * sum(v <= index for v in overall.values()) / len(overall)
        name = ESCAPED if client == "client-0003" else NAMES[client]
        row = re.search(r"<tr><td class=\"cx-name\"[^>]*>" + re.escape(name) + r"</td>.*?</tr>", html, re.S).group(0)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)  # name, questionnaire, respondents, index, band, rank
        assert cells[3] == f"{index:.0f}" and cells[5] == f"{rank:.0f}", (client, cells)


@pytest.mark.slow
def test_every_report_compares_with_the_portfolio_and_names_no_other_client(batch, clients_dir):
    out, result = batch
    benchmark = json.loads(result.benchmark_file.read_text())
    assert benchmark["templates"]["cx_service_strategy"]["clients"] == 6
    for client in NAMES:
        assert client not in result.benchmark_file.read_text()
    vision = sorted(json.loads((out / c / "latest" / "scores.json").read_text())["pillars"][0]["index"] for c in NAMES)
    q1, median, q3 = np.percentile(vision, [25, 50, 75])
    for client in ("client-0001", "client-0003"):
        html = (out / client / "latest" / "report.html").read_text(encoding="utf-8")
        assert re.findall(r"<h2[^>]*>(\d+)\. ", html) == [str(i) for i in range(1, 14)]
        assert "12. How you compare" in html and "No portfolio comparison" not in html
        assert 'alt="Your pillar indices against the portfolio"' in html
        row = re.search(r"Service vision &amp; leadership</td>.*?</tr>", html.split("12. How you compare")[1], re.S)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(0))
        assert cells[1:4] == [f"{q1:.0f}", f"{median:.0f}", f"{q3:.0f}"]
        others = [name for c, name in NAMES.items() if c != client]
        assert not [name for name in others if name in html or name.replace("&", "&amp;") in html]
        assert "Acme" not in html or client == "client-0003"


@pytest.mark.slow
def test_anonymised_overview_names_no_client(batch, clients_dir, capsys):
    out, _ = batch
    assert main(["batch", str(clients_dir), "--out", str(out), "--changed", "--anonymise", "--workers", "2",
                 "--format", "html"]) == 0
    printed = capsys.readouterr().out
    assert "0 ok, 0 failed, 6 unchanged" in printed
    index = Path(re.search(r"portfolio overview: (\S+)", printed).group(1))
    html = index.read_text(encoding="utf-8")
    from cxassess.render.pdf import render_pdf  # an HTML-only batch prints no index.pdf: print the same page here

    render_pdf(html, index.parent / "index.pdf")
    pdf = " ".join(page.extract_text() for page in PdfReader(index.parent / "index.pdf").pages)
    for text in (html, pdf):
        for code in ("Client A", "Client B", "Client F"):
            assert code in text
        for client, name in NAMES.items():
            assert client not in text and name not in text and "Acme" not in text
    assert "href=" not in html and "client names replaced by codes" in html
    assert html.count("data:image/png;base64,") == 2


@pytest.mark.slow
def test_under_five_clients_the_section_says_there_is_no_comparison(clients_dir, tmp_path):
    result = run_batch(clients_dir, tmp_path, workers=2, formats=("html",), only=["client-0001", "client-0002"])
    assert result.counts["ok"] == 2
    assert json.loads(result.benchmark_file.read_text())["templates"]["cx_service_strategy"]["clients"] == 2
    html = (tmp_path / "client-0001" / "latest" / "report.html").read_text(encoding="utf-8")
    assert "12. How you compare" in html and "No portfolio comparison" in html
    assert "Your pillar indices against the portfolio" not in html
    overview = result.overview.read_text(encoding="utf-8")
    assert "Client 0001" in overview and "Client 0002" in overview and "Client 0003" not in overview


def test_overview_pdf_is_replaced_whole_or_not_at_all(tmp_path):
    """A print that fails half-way leaves the earlier index.pdf as it was and no temporary file."""
    from cxassess.run.portfolio import write_overview

    clients = pd.DataFrame({"name": ["W"], "template": ["t"], "template_name": ["Tee"], "respondents": [10],
                            "overall_index": [20.0], "maturity": ["Basic"]}, index=["w"])
    (tmp_path / "index.pdf").write_bytes(b"%PDF earlier run")

    def broken(html: str, target: Path) -> None:
        target.write_bytes(b"%PDF half")
        raise RuntimeError("printer died")

    with pytest.raises(RuntimeError, match="printer died"):
        write_overview(tmp_path, clients, SMALL, render=broken)
    assert (tmp_path / "index.pdf").read_bytes() == b"%PDF earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "index.pdf"]

    write_overview(tmp_path, clients, SMALL, render=lambda html, target: target.write_bytes(b"%PDF new"))
    assert (tmp_path / "index.pdf").read_bytes() == b"%PDF new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "index.pdf"]
