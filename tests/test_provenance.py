"""The provenance record (run/provenance.py), its appendix rows, scores.json and the workbook's About sheet.

Every digest is recomputed here with hashlib over the file's bytes; the whole-report check (the
hashes found in the HTML, Word, workbook and JSON of one run) is in tests/test_docx_report.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.analysis.document import SCHEMA_VERSION, validate
from cxassess.inputs.clients import load_client
from cxassess.render import appendix
from cxassess.render.workbook import build_workbook
from cxassess.run import provenance
from cxassess.run.report import save_scores

CLIENTS = ROOT / "data" / "clients"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def brightpath(tmp_path) -> Path:
    folder = tmp_path / "brightpath-software"
    shutil.copytree(CLIENTS / "brightpath-software", folder)
    return folder


def test_every_input_file_is_hashed_with_what_it_is(brightpath):
    client = load_client(brightpath)
    (brightpath / "plan.yaml").write_text("actions: []\n", encoding="utf-8")  # the client's plan, once it keeps one
    when = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.timezone.utc)
    record = provenance.collect(client, {"client_dir": str(brightpath), "anonymity_threshold": 5}, when)
    inputs = {f["role"]: (f["file"], f["sha256"]) for f in record["inputs"]}
    current = client.wave.id
    earlier = [w for w in client.waves if w.id != current]
    assert inputs["answers"] == (f"waves/{current}/responses.csv", digest(client.responses_file))
    assert inputs["client settings"] == ("client.yaml", digest(brightpath / "client.yaml"))
    assert inputs["plan"] == ("plan.yaml", digest(brightpath / "plan.yaml"))
    assert inputs["customer feedback"] == ("customer_feedback.csv", digest(brightpath / "customer_feedback.csv"))
    for wave in earlier:
        assert inputs[f"answers of wave {wave.id}"] == (f"waves/{wave.id}/responses.csv", digest(wave.responses_file))
    assert len(inputs) == 4 + len(earlier)
    template = client.template_files["client.yaml"]
    assert record["questionnaire"] == {"id": client.template.id, "version": str(client.template.version),
                                       "file": template.name, "sha256": digest(template)}
    assert record["run_at"] == "2026-12-01T15:30:00+00:00"
    assert record["wave"] == {"id": current, "date": client.wave.date.isoformat()}
    assert record["parameters"] == {"client_dir": str(brightpath), "anonymity_threshold": 5}
    assert record["packages"]["pandas"] == __import__("pandas").__version__
    json.dumps(record)  # plain data


def test_the_appendix_rows_show_every_hash_whole_and_say_when_nothing_was_injected():
    client = load_client(CLIENTS / "northwind-retail")
    record = provenance.collect(client)
    rows = dict(appendix.rows(record))
    assert rows["Input: answers"] == f"responses.csv · SHA-256 {digest(client.responses_file)}"
    assert rows["Notebook parameters"] == appendix.NOT_INJECTED
    assert rows["Questionnaire"] == f"{client.template.id}, version {client.template.version}"
    with_parameters = dict(appendix.rows({**record, "parameters": {"template": {"client.yaml": "/t.yaml"}}}))
    assert with_parameters["Parameter: template"] == '{"client.yaml": "/t.yaml"}'
    html = appendix.provenance({**record, "client": "<b>x</b>"}).html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and digest(client.responses_file) in html


@pytest.mark.slow  # scores a whole client (and writes its workbook)
def test_a_run_s_record_reaches_scores_json_and_the_about_sheet(tmp_path):
    a = assess(CLIENTS / "northwind-retail")
    record = provenance.collect(a.client, {"output_dir": str(tmp_path)})
    provenance.write(record, tmp_path)
    assert provenance.for_report(a, tmp_path) == record  # the notebook reads the run's own record
    document = json.loads(save_scores(a, tmp_path).read_text(encoding="utf-8"))
    validate(document)
    assert document["schema_version"] == SCHEMA_VERSION and document["provenance"] == record
    about = build_workbook(a, record)["About"]
    values = [(r[0].value, r[1].value) for r in about.iter_rows(min_col=1, max_col=2)]
    assert ("Input: answers", f"responses.csv · SHA-256 {digest(a.client.responses_file)}") in values
    assert ("Parameter: output_dir", str(tmp_path)) in values


@pytest.mark.slow  # scores a whole client (and writes its workbook)
def test_without_a_run_the_notebook_collects_it_and_scores_json_has_none(tmp_path):
    a = assess(CLIENTS / "northwind-retail")
    assert provenance.for_report(a, None)["parameters"] is None
    document = json.loads(save_scores(a, tmp_path).read_text(encoding="utf-8"))
    assert "provenance" not in document
    validate(document)
