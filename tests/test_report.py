"""End-to-end report runs: what the client receives (HTML, PDF, JSON), and how runs fail safely."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.cli import main
from cxassess.inputs.clients import load_client
from cxassess.core.errors import CxError
from cxassess.run.report import NOTEBOOK, build_report, scores_document
from cxassess.run.runner import runner_mode
from cxassess.analysis.document import to_document

CLIENTS = ROOT / "data" / "clients"
SCRIPT = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory) -> Path:
    """A sample client whose comment and name carry markup that must come out as text."""
    folder = tmp_path_factory.mktemp("clients") / "brightpath-software"
    shutil.copytree(CLIENTS / "brightpath-software", folder)
    answers = load_client(folder).responses_file  # the current wave's answers
    with open(answers, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("vision_1:comment")
    rows[1][column] = SCRIPT
    with open(answers, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    config = folder / "client.yaml"
    config.write_text(config.read_text().replace("name: BrightPath Software", "name: BrightPath <b>Software</b>"))
    with open(folder / "customer_feedback.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("comment")] = f"Expert support. {SCRIPT} Reach me at jane.doe@example.org"
    with open(folder / "customer_feedback.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return folder


@pytest.fixture(scope="module")
def run(hostile_client, tmp_path_factory):
    return build_report(hostile_client, tmp_path_factory.mktemp("reports"))


@pytest.mark.slow
def test_run_writes_every_artefact_and_points_latest_at_it(run):
    assert sorted(run.files) == ["assessment.ipynb", "fingerprint.json", "provenance.json", "report.html", "report.pdf",
                                 "scores.json"]
    latest = run.folder.parent / "latest"
    assert latest.resolve() == run.folder.resolve()
    assert not list(run.folder.parent.glob(".*partial"))
    recorded = json.loads((run.folder / "provenance.json").read_text(encoding="utf-8"))["parameters"]
    assert recorded["output_dir"] == str(run.folder.resolve())  # the run folder, never its staging name
    assert "draw_ahead" not in recorded  # how the notebook ran, not what it shows: a batch's report reads the same


@pytest.mark.slow
def test_html_is_self_contained_and_has_no_code(run):
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.replace("&lt;script", "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "jp-CodeMirrorEditor" not in html and "assess(client_dir" not in html and "import " not in html
    assert html.count("data:image/png;base64,") >= 6  # radar, gap, matrix, two heatmaps, distribution


@pytest.mark.slow
def test_html_and_pdf_name_every_pillar(run, hostile_client):
    client = assess(hostile_client).client
    html = words((run.folder / "report.html").read_text(encoding="utf-8")).replace("&amp;", "&")
    pdf = words(" ".join(page.extract_text() for page in PdfReader(run.folder / "report.pdf").pages))
    for pillar in client.template.pillars:
        assert pillar.name in html
        assert pillar.name in pdf, pillar.name


@pytest.mark.slow
def test_pdf_page_count_is_plausible(run):
    pages = len(PdfReader(run.folder / "report.pdf").pages)
    assert 6 <= pages <= 25


@pytest.mark.slow
def test_user_text_is_escaped(run):
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert re.search(r"&lt;script&gt;alert\((&#34;|&quot;|\")x(&#34;|&quot;|\")\)&lt;/script&gt; &amp; "
                     r"&lt;img src=x onerror=alert\(1\)&gt;", html)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "BrightPath &lt;b&gt;Software&lt;/b&gt;" in html and "<b>Software</b>" not in html
    pdf = words(" ".join(page.extract_text() for page in PdfReader(run.folder / "report.pdf").pages))
    assert '<script>alert("x")</script>' in pdf  # shown as the text it is


@pytest.mark.slow
def test_sections_appear_in_order(run):
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(\d+)\. ", html)
    assert headings == [str(i) for i in range(1, 15)]  # 13: its waves; 14: the client has customer feedback
    assert "No portfolio comparison" in html  # a report run alone has no portfolio to compare with


@pytest.mark.slow
def test_scores_json_is_the_score_document(run, hostile_client):
    saved = json.loads((run.folder / "scores.json").read_text())
    a = assess(hostile_client)
    expected = scores_document(a)  # the scores with their intervals, tests and the rest of the analysis
    assert saved["pillars"] == expected["pillars"] and saved["breakdown"] == expected["breakdown"]
    assert {k: saved["pillars"][0][k] for k in to_document(a.scores)["pillars"][0]} == to_document(a.scores)["pillars"][0]
    assert saved["overall"] == expected["overall"]
    assert saved["client"]["id"] == "brightpath-software"


@pytest.mark.slow
def test_people_read_rounded_figures_programs_full_ones(run):
    """scores.json carries the overall index at full precision; the report shows it rounded, and no long decimals."""
    saved = json.loads((run.folder / "scores.json").read_text())
    index = saved["overall"]["index"]
    assert index != round(index, 4)
    html = re.sub(r"<style.*?</style>|<script.*?</script>|data:[^\"')]+", " ",
                  (run.folder / "report.html").read_text(encoding="utf-8"), flags=re.S)
    text = words(re.sub(r"<[^>]+>", " ", html))
    assert f"Executive summary {index:.0f} overall index (0-100)" in text
    assert not re.findall(r"\d\.\d{3,}", text)
    assert not re.findall(r"\d\.\d{3,}", words(" ".join(page.extract_text() for page in
                                                         PdfReader(run.folder / "report.pdf").pages)))


@pytest.mark.slow
def test_executed_notebook_is_kept_with_the_client_parameters(run, hostile_client):
    nb = nbformat.read(run.folder / "assessment.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(hostile_client.resolve()) in injected[0].source
    # a single report in fast mode draws its slowest sections ahead (render/ahead.py); plain mode never forks
    assert ("draw_ahead = True" in injected[0].source) == (runner_mode(None) == "fast")
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_a_second_run_keeps_the_first(run, hostile_client):
    second = build_report(hostile_client, run.folder.parent.parent, formats=("html",))
    assert second.folder != run.folder and run.folder.is_dir()
    assert (run.folder / "report.pdf").is_file()
    assert sorted(second.files) == ["assessment.ipynb", "fingerprint.json", "provenance.json", "report.html",
                                    "scores.json"]
    assert (run.folder.parent / "latest").resolve() == second.folder.resolve()


def test_bad_answers_stop_before_anything_runs(tmp_path):
    folder = tmp_path / "clients" / "riverside-energy"
    shutil.copytree(CLIENTS / "riverside-energy", folder)
    text = (folder / "responses.csv").read_text()
    (folder / "responses.csv").write_text(text.replace("respondent_id,", "respondent,", 1))
    with pytest.raises(CxError) as exc:
        build_report(folder, tmp_path / "reports")
    assert "missing required column 'respondent_id'" in str(exc.value)
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_failing_cell_keeps_the_partial_notebook_and_names_the_cell(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    broken_at = next(i for i, c in enumerate(nb.cells) if "sections.scorecard" in c.source)
    nb.cells[broken_at].source = "raise RuntimeError('chart engine on fire')"
    broken = tmp_path / "notebooks" / "assessment.ipynb"
    broken.parent.mkdir()
    nbformat.write(nb, broken)
    with pytest.raises(CxError) as exc:
        build_report(CLIENTS / "harbour-hotels", tmp_path / "reports", notebook=broken)
    message = str(exc.value)
    assert "RuntimeError: chart engine on fire" in message and "cell" in message
    failed = list((tmp_path / "reports" / "harbour-hotels").glob("*-failed"))
    assert len(failed) == 1 and (failed[0] / "assessment.ipynb").is_file()
    assert not (tmp_path / "reports" / "harbour-hotels" / "latest").exists()


def test_cli_report_rejects_a_bad_client_id_and_format(tmp_path, capsys):
    bad = tmp_path / "Not.Valid"
    shutil.copytree(CLIENTS / "harbour-hotels", bad)
    assert main(["report", str(bad), "--out", str(tmp_path / "r")]) == 1
    assert "is not a valid client id" in capsys.readouterr().err
    assert main(["report", str(CLIENTS / "harbour-hotels"), "--format", "odt", "--out", str(tmp_path / "r")]) == 1
    assert "unknown format odt" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_a_multi_wave_client_gets_its_progress_section(run):
    html = words((run.folder / "report.html").read_text(encoding="utf-8")).replace("&amp;", "&")
    section = html[html.index("13. Progress since last assessment"):]
    assert 'alt="Pillar indices by wave"' in section  # the trend chart
    # BrightPath's story: customer insight, a top priority in 2026-h1, improved; training declined
    assert "Since the previous assessment (2026-h1, 04 May 2026), 1 pillar improved, 1 declined and 10 show" in section
    assert re.search(r"Knowing the real customer need</td>.*?Improved", section)
    assert re.search(r"Service training & standards</td>.*?Declined", section)
    assert "Did the last plan move its pillars?" in section
    assert "1 of the 9 pillars the plan of 2026-h1 asked to start or do differently improved significantly" in section
    saved = json.loads((run.folder / "scores.json").read_text())
    assert saved["wave"] == {"id": "2026-h2", "date": "2026-11-02"}
    assert [w["id"] for w in saved["waves"]] == ["2025-h2", "2026-h1", "2026-h2"]


@pytest.mark.slow
def test_customers_section_names_the_blind_spot_and_hides_contact_details(run):
    html = words((run.folder / "report.html").read_text(encoding="utf-8"))
    section = html[html.index("14. What your customers say"):]
    assert "Net Promoter Score" in section and "Blind spots" in section
    assert "Knowing the real customer need: staff 71, customers 36. Verdict: Do differently, not keep." in section
    # customers rate training above the staff, but it is a top priority: listed as such, not as a strength
    assert "Customers rate these above the staff, but the plan still acts on them" in section
    assert "Undersold strengths" not in section
    assert "Service training &amp; standards: staff 40, customers 76. Verdict: Do differently, top priority" in section
    assert "Customers&#39; evidence:" in html or "Customers' evidence:" in html
    assert "jane.doe" not in html and "example.org" not in html and "[e-mail removed]" in section
    assert "Expert support. &lt;script&gt;" in section
    saved = json.loads((run.folder / "scores.json").read_text())
    assert saved["customers"]["blind_spots"] == ["customer_need"]
