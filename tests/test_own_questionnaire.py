"""A client that brings its own questionnaire file: loaded, reported, batched, explored, put on forms, imported.

The questionnaire is on a seven-point scale whose labels are words (Never ... Always), with pillar
and question ids unlike the bundled ones, a reverse-keyed statement and weighted questions.
client.yaml names it as a file relative to the client folder (``template: my_questionnaire.yaml``
or ``../questionnaires/pulse.yaml``), and every command is run from another folder, so nothing
may resolve the file against the current folder, and nothing may look a template id up again once
the client has been loaded. Expected figures are worked out by hand from the answers
(``conftest.hand_pillar_indices``), not by the scoring code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from conftest import hand_overall_index, hand_pillar_indices
from cxassess.analysis.assessment import compare_waves, progress, assess
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.clients import load_client, load_wave
from cxassess.inputs.forms import ANSWER_COLUMNS, FORM_SHEET, LISTS_SHEET
from cxassess.inputs.responses import load_responses
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import load_template
from cxassess.interactive import answers_file, explore
from cxassess.run.batch import is_unchanged, run_batch, run_client
from cxassess.run.fingerprints import fingerprint
from cxassess.run.report import notebook_parameters

PULSE = """\
id: staff_pulse_seven
name: Staff pulse on service (seven points)
version: "{version}"
scale:
  min: 1
  max: 7
  labels: {{1: Never, 2: Rarely, 3: Seldom, 4: Sometimes, 5: Often, 6: Usually, 7: Always}}
  na: ["Cannot say"]
segments:
  - id: role
    name: Role
    values: [Leadership, Manager, Frontline, Back office]
  - id: site
    name: Site
maturity:
  - {{name: Starting, min_index: 0}}
  - {{name: Growing, min_index: 45}}
  - {{name: Leading, min_index: 75}}
pillars:
  - id: listening
    name: Listening to customers
    stage: know
    questions:
      - {{id: LS01, text: We ask customers what they need before we offer anything.}}
      - {{id: LS02, text: Complaints reach the people who can act on them.}}
      - {{id: LS03, text: We guess what customers want without asking them., reverse: true}}
  - id: promises
    name: Keeping promises
    stage: deliver
    weight: 2
    questions:
      - {{id: KP01, text: "We do what we said we would, when we said we would."}}
      - {{id: KP02, text: Customers seldom have to chase us.}}
  - id: fixing
    name: Putting things right
    stage: fix
    questions:
      - {{id: PR01, text: A customer with a problem gets one person who owns it.}}
      - {{id: PR02, text: We change how we work after a complaint., weight: 2}}
"""
PILLARS = ("listening", "promises", "fixing")
QUESTIONS = ("LS01", "LS02", "LS03", "KP01", "KP02", "PR01", "PR02")
LETTER = {kind: "ABCDEFG"[col - 1] for kind, col in ANSWER_COLUMNS.items()}


def pulse(version: str = "2") -> str:
    return PULSE.format(version=version)


def write_client(folder: Path, template: str, respondents: int = 12, seed: int = 5, extra: str = "",
                 questionnaire: Path | None = None) -> Path:
    """A client folder: client.yaml naming ``template``, and answers generated for the questionnaire file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text(f"name: Acme Ferries\ntemplate: {template}\nassessment_date: 2026-05-01\n"
                                        + extra, encoding="utf-8")
    questionnaire = questionnaire or folder / template
    generate(load_template(questionnaire), Profile(respondents=respondents), seed=seed).to_csv(
        folder / "responses.csv", index=False)
    return folder


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """The current folder for the test: neither the client folder nor the checkout."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("CXASSESS_TEMPLATES", raising=False)
    return folder


@pytest.fixture
def acme(tmp_path) -> Path:
    """A client whose questionnaire sits beside its client.yaml."""
    folder = tmp_path / "clients" / "acme"
    folder.mkdir(parents=True)
    (folder / "my_questionnaire.yaml").write_text(pulse(), encoding="utf-8")
    return write_client(folder, "my_questionnaire.yaml", extra="targets: {listening: 6, fixing: 5.5}\n"
                        "segments: {site: [Dover, Calais]}\n")


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def by_hand(client_dir: Path) -> tuple[dict[str, float], float]:
    """Pillar indices and the overall index of a client's answers, worked out from its files."""
    template = load_template(client_dir / "my_questionnaire.yaml")
    responses, _ = load_responses(client_dir / "responses.csv", template)
    pillars = hand_pillar_indices(template, responses.ratings)
    return pillars, hand_overall_index(template, pillars)


def injected_parameters(executed: Path) -> dict:
    """The parameters Papermill wrote into an executed notebook (read back as Python literals)."""
    import ast

    cells = nbformat.read(executed, as_version=4).cells
    cell = next(c for c in cells if "injected-parameters" in c.metadata.get("tags", []))
    return {target.id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
            for target in node.targets}


# ------------------------------------------------------------------------------ naming the questionnaire


def test_a_questionnaire_beside_client_yaml_is_found_from_any_folder(acme, elsewhere):
    client = load_client(acme)
    assert client.template.id == "staff_pulse_seven" and client.template.scale.max == 7
    assert client.template_file == (acme / "my_questionnaire.yaml").resolve()
    assert client.template_files == {"client.yaml": client.template_file, "2026-05-01": client.template_file}
    assert client.targets == {"listening": 6.0, "fixing": 5.5}
    pillars, overall = by_hand(acme)
    a = assess(acme)
    for pillar_id in PILLARS:
        assert a.scores.pillars.loc[pillar_id, "index"] == pytest.approx(pillars[pillar_id], abs=1e-9)
    assert a.scores.overall["index"] == pytest.approx(overall, abs=1e-9)


def test_a_shared_questionnaire_is_named_relative_to_the_client_folder(tmp_path, elsewhere):
    shared = tmp_path / "clients" / "questionnaires" / "pulse.yaml"
    shared.parent.mkdir(parents=True)
    shared.write_text(pulse(), encoding="utf-8")
    folder = write_client(tmp_path / "clients" / "acme", "../questionnaires/pulse.yaml", questionnaire=shared)
    assert load_client(folder).template_file == shared.resolve()
    moved = tmp_path / "moved"
    shutil.copytree(tmp_path / "clients", moved)  # the folders travel together: the name still holds
    assert load_client(moved / "acme").template_file == (moved / "questionnaires" / "pulse.yaml").resolve()


def test_a_missing_questionnaire_names_the_file_looked_for(tmp_path, elsewhere, capsys):
    folder = write_client(tmp_path / "clients" / "acme", "../questionnaire.yaml",
                          questionnaire=_written(tmp_path / "pulse.yaml", pulse()))
    assert main(["report", str(folder), "--out", str(tmp_path / "out"), "--format", "html"]) == 1
    expected = f"{folder / 'client.yaml'}:2: template: {tmp_path / 'clients' / 'questionnaire.yaml'}: file not found"
    assert capsys.readouterr().err.splitlines() == [expected]
    assert not (tmp_path / "out").exists()


def test_a_wave_names_its_own_questionnaire_relative_to_the_file_naming_it(tmp_path, elsewhere):
    client = tmp_path / "clients" / "acme"
    (client / "waves" / "2025-11").mkdir(parents=True)
    (client / "waves" / "2026-05").mkdir(parents=True)
    _written(client / "my_questionnaire.yaml", pulse("2"))
    _written(client / "waves" / "2025-11" / "first_pulse.yaml", pulse("1").replace(
        "      - {id: PR02, text: We change how we work after a complaint., weight: 2}\n", ""))
    _written(client / "client.yaml", "name: Acme\ntemplate: my_questionnaire.yaml\ntargets: {listening: 6}\n")
    _written(client / "waves" / "2025-11" / "wave.yaml", "date: 2025-11-03\ntemplate: first_pulse.yaml\n")
    _written(client / "waves" / "2026-05" / "wave.yaml", "date: 2026-05-04\n")
    for wave, version, seed in (("2025-11", "first_pulse.yaml", 1), ("2026-05", "my_questionnaire.yaml", 2)):
        questionnaire = client / "waves" / wave / version if wave == "2025-11" else client / version
        generate(load_template(questionnaire), Profile(respondents=10), seed=seed).to_csv(
            client / "waves" / wave / "responses.csv", index=False)

    current = load_client(client)
    assert current.wave.id == "2026-05" and current.template.version == "2"
    first = load_wave(current, "2025-11")
    assert first.template.version == "1" and "PR02" not in first.template.question_ids
    assert first.template_file == (client / "waves" / "2025-11" / "first_pulse.yaml").resolve()
    assert set(current.template_files) == {"client.yaml", "2025-11", "2026-05"}
    before, after, changes = compare_waves(client, "2025-11", "2026-05")
    assert before.scores.template.version == "1" and after.scores.template.version == "2"
    assert list(changes.index) == [*PILLARS, "overall"]
    assert [r.id for r in progress(assess(client)).waves] == ["2025-11", "2026-05"]

    # client.yaml's targets hold in every wave, so they must fit a wave's own questionnaire too
    _written(client / "client.yaml", "name: Acme\ntemplate: my_questionnaire.yaml\ntargets: {listening: 6.5}\n")
    (client / "waves" / "2025-11" / "first_pulse.yaml").write_text(
        pulse("1").replace("max: 7", "max: 6").replace(", 7: Always", ""), encoding="utf-8")
    with pytest.raises(CxError) as info:
        load_client(client)
    [problem] = info.value.problems
    assert problem.location() == f"{client / 'client.yaml'}:3:listening"
    assert "must be a number from 1 to 6" in problem.message and "in wave 2025-11's questionnaire" in problem.message


# ------------------------------------------------------------------------------ reports and batches


@pytest.mark.slow
def test_report_from_another_folder_in_every_format(acme, elsewhere, capsys):
    """The issue's case: `cxassess report` on a client with its own questionnaire, run from elsewhere."""
    assert main(["report", str(acme), "--out", "reports", "--format", "html,xlsx,pptx"]) == 0
    run = elsewhere / "reports" / "acme" / "latest"
    assert sorted(p.name for p in run.iterdir()) == ["assessment.ipynb", "deck.pptx", "fingerprint.json",
                                                      "provenance.json", "report.html", "results.xlsx", "scores.json"]
    scores = json.loads((run / "scores.json").read_text(encoding="utf-8"))
    pillars, overall = by_hand(acme)
    assert scores["template"]["id"] == "staff_pulse_seven" and scores["scale"] == {"min": 1, "max": 7}
    assert {p["id"]: p["index"] for p in scores["pillars"]} == pytest.approx(pillars, abs=1e-3)
    assert scores["overall"]["index"] == pytest.approx(overall, abs=1e-3)
    html = (run / "report.html").read_text(encoding="utf-8")
    for name in ("Listening to customers", "Keeping promises", "Putting things right"):
        assert name in html
    assert injected_parameters(run / "assessment.ipynb")["template"] == {
        "client.yaml": str((acme / "my_questionnaire.yaml").resolve()),
        "2026-05-01": str((acme / "my_questionnaire.yaml").resolve())}
    book = load_workbook(run / "results.xlsx")
    assert "Listening to customers" in [c.value for row in book.worksheets[0].iter_rows() for c in row]


@pytest.mark.slow
def test_a_worker_handed_the_files_looks_no_id_up(tmp_path, elsewhere, monkeypatch):
    """client.yaml names the questionnaire by id, found through $CXASSESS_TEMPLATES in the batch's process.

    A worker (here on a machine without that variable) builds the report from the files the batch
    resolved: its kernel, which would fail to find the id, never looks it up.
    """
    templates = tmp_path / "questionnaires"
    templates.mkdir()
    _written(templates / "staff_pulse_seven.yaml", pulse())
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(templates))
    folder = write_client(tmp_path / "clients" / "acme", "staff_pulse_seven",
                          questionnaire=templates / "staff_pulse_seven.yaml")
    files = load_client(folder).template_files
    assert set(files.values()) == {(templates / "staff_pulse_seven.yaml").resolve()}
    monkeypatch.delenv("CXASSESS_TEMPLATES")
    with pytest.raises(CxError, match="no template with this id"):
        load_client(folder)
    result = run_client(folder, tmp_path / "out", ("html",), templates=files)
    assert result.status == "ok", result.error
    run = tmp_path / "out" / "acme" / "latest"
    recorded = json.loads((run / "fingerprint.json").read_text())["inputs"]["templates"]
    digest = hashlib.sha256((templates / "staff_pulse_seven.yaml").read_bytes()).hexdigest()
    assert recorded == {"client.yaml": digest, "2026-05-01": digest}


@pytest.mark.slow
def test_batch_of_own_questionnaires_with_changed(tmp_path, elsewhere):
    clients = tmp_path / "clients"
    (clients / "questionnaires").mkdir(parents=True)
    shared = _written(clients / "questionnaires" / "pulse.yaml", pulse())
    write_client(clients / "acme", "../questionnaires/pulse.yaml", questionnaire=shared)
    six = clients / "bayside" / "six_point.yaml"
    six.parent.mkdir()
    _written(six, pulse().replace("max: 7", "max: 6").replace(", 7: Always", "").replace("Usually", "Mostly"))
    write_client(clients / "bayside", "six_point.yaml", seed=8)
    batch = run_batch(clients, tmp_path / "out", workers=2, formats=("html",))
    assert [(r.client, r.status) for r in batch.results] == [("acme", "ok"), ("bayside", "ok")], batch.results
    for name, file in (("acme", shared), ("bayside", six)):
        executed = tmp_path / "out" / name / "latest" / "assessment.ipynb"
        assert set(injected_parameters(executed)["template"].values()) == {str(file.resolve())}
    scale = json.loads((tmp_path / "out" / "bayside" / "latest" / "scores.json").read_text())["scale"]
    assert scale == {"min": 1, "max": 6}

    again = run_batch(clients, tmp_path / "out", formats=("html",), changed=True)
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    shared.write_text(pulse().replace("Keeping promises", "Keeping our promises"), encoding="utf-8")
    assert not is_unchanged(load_client(clients / "acme"), tmp_path / "out", ("html",))  # its questionnaire changed
    assert is_unchanged(load_client(clients / "bayside"), tmp_path / "out", ("html",))


@pytest.mark.slow
def test_a_dask_task_receives_the_resolved_files(acme, tmp_path, elsewhere):
    pytest.importorskip("distributed")
    batch = run_batch(acme.parent, tmp_path / "dask", formats=("html",), dask_local=1)
    assert [(r.client, r.status) for r in batch.results] == [("acme", "ok")], batch.results
    executed = tmp_path / "dask" / "acme" / "latest" / "assessment.ipynb"
    assert set(injected_parameters(executed)["template"].values()) == {str((acme / "my_questionnaire.yaml").resolve())}


def test_notebook_parameters_take_a_mapping_of_text_only():
    files = {"client.yaml": "/q/pulse.yaml", "2026-05": "/q/it's \"quoted\".yaml"}
    assert notebook_parameters(template=files) == {"template": files}
    with pytest.raises(TypeError):
        notebook_parameters(template={"client.yaml": Path("/q/pulse.yaml")})


def test_the_fingerprint_reads_the_files_not_the_names(acme, elsewhere):
    client = load_client(acme)
    before = fingerprint(client)["digest"]
    (acme / "my_questionnaire.yaml").write_text(pulse("3"), encoding="utf-8")
    assert fingerprint(load_client(acme))["digest"] != before


# ------------------------------------------------------------------------------ explorer, forms, import, capture


def test_the_explorer_works_on_the_clients_questionnaire(acme, elsewhere):
    x = explore.Explorer(acme, delay=0, charts=("summary",))
    assert list(x.weights) == list(PILLARS)
    pillars, _ = by_hand(acme)
    x.weights["promises"].value = 3.0
    x.weights["listening"].value = 0.5
    weights = {"listening": 0.5, "promises": 3.0, "fixing": 1.0}
    expected = sum(weights[p] * pillars[p] for p in PILLARS) / sum(weights.values())
    assert x.scores.overall["index"] == pytest.approx(expected, abs=1e-9)
    x.targets["fixing"].value = 6.5
    x.save_button.click()
    assert "Saved" in x.message.value
    saved = load_client(acme)
    assert saved.weights == {"listening": 0.5, "promises": 3.0} and saved.targets["fixing"] == 6.5
    assert assess(acme).scores.overall["index"] == pytest.approx(expected, abs=1e-9)


def test_form_for_the_client_then_import_the_filled_forms(acme, tmp_path, elsewhere, capsys):
    blank = tmp_path / "form.xlsx"
    assert main(["form", "--client", str(acme), "--out", str(blank)]) == 0
    assert "template 'staff_pulse_seven' (7 questions, client Acme Ferries)" in capsys.readouterr().out
    book = load_workbook(blank)
    lists = [c.value for row in book[LISTS_SHEET].iter_rows() for c in row if c.value is not None]
    assert {"7 - Always", "1 - Never", "Cannot say", "Dover", "Calais"} <= set(lists)

    assert main(["form", "cx_service_strategy", "--client", str(acme), "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "uses template 'staff_pulse_seven', not 'cx_service_strategy'" in capsys.readouterr().err
    assert main(["form", "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "--client" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()

    answers = {"F1": {"LS01": "6 - Usually", "LS03": "2 - Rarely", "KP01": "Cannot say", "PR02": "7 - Always"},
               "F2": {"LS01": "1 - Never", "KP02": "5 - Often", "PR01": "4 - Sometimes"}}
    returned = tmp_path / "returned"
    returned.mkdir()
    for respondent, cells in answers.items():
        book = load_workbook(blank)
        sheet = book[FORM_SHEET]
        rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_col=1, max_col=1) if row[0].value}
        sheet[f"D{rows['respondent_id']}"] = respondent
        sheet[f"D{rows['segment:site']}"] = "Calais"
        for qid, text in cells.items():
            sheet[f"{LETTER['rating']}{rows['question:' + qid]}"] = text
        book.save(returned / f"{respondent}.xlsx")
    out = tmp_path / "responses.csv"
    questionnaire = str(acme / "my_questionnaire.yaml")
    assert main(["import", str(returned), "--from", "xlsx-forms", "--template", questionnaire, "--out", str(out)]) == 0
    assert main(["validate", questionnaire, str(out)]) == 0
    responses, _ = load_responses(out, load_template(acme / "my_questionnaire.yaml"))
    assert responses.ratings.loc["F1", ["LS01", "LS03", "PR02"]].tolist() == [6, 2, 7]
    assert bool(responses.not_applicable.loc["F1", "KP01"])
    assert responses.ratings.loc["F2", ["LS01", "KP02", "PR01"]].tolist() == [1, 5, 4]
    assert responses.segments["site"].tolist() == ["Calais", "Calais"]


def test_import_a_survey_export_with_the_questionnaires_labels(acme, tmp_path, elsewhere, capsys):
    template = load_template(acme / "my_questionnaire.yaml")
    texts = {q.id: q.text for p in template.pillars for q in p.questions}
    export = tmp_path / "export.csv"
    header = ["Timestamp", "Role", *(texts[q] for q in QUESTIONS)]
    rows = [["2026/05/02 10:01:00", "Frontline", "Usually", "Always", "Never", "Sometimes", "Cannot say", "Often",
             "Seldom"],
            ["2026/05/02 10:07:00", "Manager", "Rarely", "Often", "Usually", "Always", "Always", "Never", "Often"]]
    with export.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    out = acme / "responses.csv"
    args = ["import", str(export), "--from", "google-forms", "--template", str(acme / "my_questionnaire.yaml"),
            "--out", str(out), "--force"]
    assert main(args) == 0
    assert "2 respondents, 7 of 7 questions of template 'staff_pulse_seven'" in capsys.readouterr().out
    responses, _ = load_responses(out, template)
    first, second = responses.respondent_ids
    assert responses.ratings.loc[first, ["LS01", "LS02", "LS03", "KP01", "PR01", "PR02"]].tolist() == [6, 7, 1, 4, 5, 3]
    assert bool(responses.not_applicable.loc[first, "KP02"])
    assert responses.ratings.loc[second, list(QUESTIONS)].tolist() == [2, 5, 6, 7, 7, 1, 5]
    # the imported answers are the client's: its report figures follow from them
    pillars = hand_pillar_indices(template, responses.ratings)
    config = acme / "client.yaml"  # two respondents: below the thin-data guard's default minimum of five
    config.write_text(config.read_text(encoding="utf-8") + "data_quality:\n  min_respondents: 1\n", encoding="utf-8")
    a = assess(acme)
    assert a.scores.pillars.loc["listening", "index"] == pytest.approx(pillars["listening"], abs=1e-9)
    # listening for the second respondent by hand: (2 + 5 + (8 - 6)) / 3 = 3 -> (3 - 1) / 6 * 100
    assert hand_pillar_indices(template, responses.ratings.loc[[second]])["listening"] == pytest.approx(100 / 3)


def test_the_questionnaire_form_saves_on_the_clients_scale(acme, elsewhere):
    folder, template = answers_file.client_template(acme)
    assert template.id == "staff_pulse_seven"
    saved = answers_file.save_response(acme, {"respondent_id": "W1", "LS01": "Always", "KP01": "6", "site": "Dover"})
    assert saved.answered == 2 and saved.total == 7
    responses, _ = load_responses(acme / "responses.csv", template)
    assert responses.ratings.loc["W1", ["LS01", "KP01"]].tolist() == [7, 6]
