"""Questionnaire capture: the form driven in-kernel, saves that land (also concurrently), crash safety."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from cxassess.interactive import answers_file, capture
from cxassess.core.resources import EXPLORER_NOTEBOOK as EXPLORER, QUESTIONNAIRE_NOTEBOOK as QUESTIONNAIRE
from cxassess.core.settings import CLIENT_DIR_ENV
from cxassess.interactive.app import app_command
from cxassess.inputs.clients import load_client
from cxassess.core.errors import CxError
from cxassess.inputs.responses import load_responses
from cxassess.inputs.tables import read_table
from cxassess.inputs.templates import find_template

SAMPLE = ROOT / "data" / "clients" / "brightpath-software"
TEMPLATE = find_template("cx_service_strategy")


@pytest.fixture
def client(tmp_path) -> Path:
    """A copy of a sample client (24 respondents, R001-R024), so the committed data never changes."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "brightpath-software"))


def answers(client: Path) -> Path:
    """The client's current answers file (the latest wave's: the sample has three waves)."""
    return load_client(client).responses_file


def rows(client: Path) -> list[dict[str, str]]:
    table = read_table(answers(client))
    return [dict(zip(table.header, r)) for r in table.rows]


def test_form_save_appends_a_valid_row(client):
    form = capture.questionnaire(client)
    assert form.progress_text.value == "0 of 61"
    form.respondent.value = " W001 "
    form.segments["role"].value = "Manager"
    form.segments["department"].value = "Support"
    form.ratings["vision_1"].value = "4"
    form.ratings["vision_2"].value = "N/A"
    form.ratings["hiring_3"].value = "1"
    form.importance["vision_1"].value = "5"
    form.comments["vision_1"].value = 'Clear, but "vision" needs\na second line'
    assert form.progress.value == 3 and form.progress_text.value == "3 of 61"
    form.save_button.click()

    assert "Saved" in form.message.value and "added" in form.message.value and "3 of 61" in form.message.value
    assert form.saves == 1 and form.replace.value  # saving again now updates the same row
    saved = rows(client)
    assert len(saved) == 25 and saved[-1]["respondent_id"] == "W001"
    assert not (client / "responses.csv").exists()  # into the current wave, not a new top-level file
    new = saved[-1]
    assert (new["role"], new["department"], new["vision_1"], new["vision_2"], new["hiring_3"]) == (
        "Manager", "Support", "4", "N/A", "1")
    assert new["vision_1:importance"] == "5" and new["vision_1:comment"] == 'Clear, but "vision" needs\na second line'
    assert new["vision_3"] == "" and new["vision_1:target"] == ""
    assert saved[:24] == rows(SAMPLE)  # the other respondents are untouched
    responses, _ = load_responses(answers(client), TEMPLATE)  # the file passes `cxassess validate`
    assert responses.ratings.loc["W001", "vision_1"] == 4 and responses.not_applicable.loc["W001", "vision_2"]


def test_the_outcome_question_is_asked_last_and_saved(client):
    """The template's outcome question ("Overall", a rating only) lands in its column and comes back on reopening."""
    form = capture.questionnaire(client)
    assert form.pages.titles[-1] == "Overall" and len(form.pages.titles) == len(TEMPLATE.pillars) + 1
    assert TEMPLATE.outcome.text in form.pages.children[-1].children[0].children[0].value
    assert [v for _, v in form.outcome.options] == ["", "1", "2", "3", "4", "5", "N/A"]
    form.respondent.value = "W002"
    form.ratings["vision_1"].value = "3"
    form.outcome.value = "2"
    assert form.progress_text.value == "1 of 61"  # the progress counts the statements
    form.save_button.click()
    assert "Saved" in form.message.value
    new = rows(client)[-1]
    assert (new["respondent_id"], new["vision_1"], new["promise_kept"]) == ("W002", "3", "2")
    responses, _ = load_responses(answers(client), TEMPLATE)
    before, _ = load_responses(answers(SAMPLE), TEMPLATE)
    assert responses.outcome.loc["W002"] == 2 and responses.outcome.iloc[:24].equals(before.outcome)
    again = capture.questionnaire(client)
    again.respondent.value = "W002"
    assert again.reopen() and again.outcome.value == "2"
    assert again.field_name("promise_kept") == "Overall"


def test_duplicate_id_is_refused_unless_replace_is_chosen(client):
    before = (answers(client)).read_bytes()
    original = rows(client)[0]
    form = capture.questionnaire(client)
    form.respondent.value = "R001"
    form.ratings["vision_1"].value = "1"
    form.save_button.click()
    assert "Not saved" in form.message.value
    assert "already saved (row 2)" in form.problems["respondent_id"].value
    assert (answers(client)).read_bytes() == before

    form.replace.value = True
    form.save_button.click()
    assert "replaced" in form.message.value and form.problems["respondent_id"].value == ""
    saved = rows(client)
    assert len(saved) == 24 and saved[0]["respondent_id"] == "R001"
    assert saved[0]["vision_1"] == "1" and saved[0]["vision_3"] == ""  # the form's answers, blanks included
    assert saved[0]["vision_1:target"] == original["vision_1:target"] != ""  # a column the form lacks is kept
    assert saved[1:] == rows(SAMPLE)[1:]


def test_missing_id_is_shown_next_to_the_id_field(client):
    before = (answers(client)).read_bytes()
    form = capture.questionnaire(client)
    form.ratings["vision_1"].value = "3"
    form.save_button.click()
    assert "missing respondent id" in form.problems["respondent_id"].value
    assert "Not saved" in form.message.value and form.saves == 0
    assert (answers(client)).read_bytes() == before


def test_a_bad_cell_is_located_and_shown_next_to_its_question(client):
    answers = {"respondent_id": "W9", "vision_1": "7", "goals_2:importance": "very"}
    with pytest.raises(CxError) as caught:
        answers_file.save_response(client, answers)
    found = {(p.column, p.message.split(":")[0]) for p in caught.value.problems}
    assert ("vision_1", "'7' is outside the scale 1-5") in found
    assert ("goals_2:importance", "'very' is not a number") in found

    form = capture.questionnaire(client)
    rest = form._show(answers_file.check_answers(TEMPLATE, answers))
    assert "outside the scale" in form.problems["vision_1"].value
    assert "not a number" in form.problems["goals_2"].value
    assert form.problems["vision_2"].value == ""
    assert [p.level for p in rest] == ["warning"] and "under half" in rest[0].message  # belongs to no field


def test_problems_in_the_file_itself_are_listed_with_their_rows(client):
    path = answers(client)
    path.write_text(path.read_text(encoding="utf-8").replace("R003,", "R002,", 1), encoding="utf-8")
    form = capture.questionnaire(client)
    form.respondent.value = "W5"
    form.ratings["vision_1"].value = "3"
    form.save_button.click()
    assert "Not saved" in form.message.value and "responses.csv:4:respondent_id: duplicate respondent id" in (
        form.problem_list.value.replace("&#x27;", "'"))  # listed under the Save button
    assert all(label.value == "" for label in form.problems.values())


@pytest.mark.slow
def test_partial_response_can_be_reopened_and_finished(client):
    form = capture.questionnaire(client)
    form.respondent.value = "P7"
    form.segments["role"].value = "Frontline"
    form.ratings["vision_1"].value = "2"
    form.ratings["recovery_4"].value = "5"
    form.comments["recovery_4"].value = "we fix things fast"
    form.save_button.click()
    assert "2 of 61 answered" in form.message.value

    later = capture.questionnaire(client)  # a new kernel: everything comes back from the file
    later.respondent.value = "P7"
    later.open_button.click()
    assert "Opened the saved answers of P7" in later.message.value
    assert later.ratings["vision_1"].value == "2" and later.ratings["recovery_4"].value == "5"
    assert later.comments["recovery_4"].value == "we fix things fast" and later.segments["role"].value == "Frontline"
    assert later.progress.value == 2 and later.replace.value
    later.ratings["vision_2"].value = "4"
    later.save_button.click()
    assert "replaced" in later.message.value and "3 of 61" in later.message.value
    saved = [r for r in rows(client) if r["respondent_id"] == "P7"]
    assert len(saved) == 1 and (saved[0]["vision_1"], saved[0]["vision_2"], saved[0]["recovery_4"]) == ("2", "4", "5")


def test_client_segment_values_become_a_dropdown(client):
    path = client / "client.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "segments:\n  department: [Support, Product, Sales]\n",
                    encoding="utf-8")
    form = capture.questionnaire(client)
    assert [v for _, v in form.segments["department"].options] == ["", "Support", "Product", "Sales"]
    assert [v for _, v in form.segments["role"].options][1:] == ["Leadership", "Manager", "Frontline", "Back office"]


def test_reopening_an_unknown_id_says_so(client):
    form = capture.questionnaire(client)
    form.respondent.value = "nobody"
    assert not form.reopen()
    assert "No saved answers for nobody" in form.message.value


def test_saved_labels_and_numbers_reload_into_the_dropdowns(client):
    answers_file.save_response(client, {"respondent_id": "L1", "vision_1": "Agree", "vision_2": "Don't know",
                                        "vision_3": "4.0"})
    form = capture.questionnaire(client)
    form.set_answers(answers_file.load_response(client, "L1"))
    assert (form.ratings["vision_1"].value, form.ratings["vision_2"].value, form.ratings["vision_3"].value) == (
        "4", "N/A", "4")


def test_threads_saving_at_once_all_land(client):
    barrier = threading.Barrier(6)
    errors = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            answers_file.save_response(client, {"respondent_id": f"T{i}", "vision_1": str(1 + i % 5)})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    saved = {r["respondent_id"]: r["vision_1"] for r in rows(client)}
    assert {f"T{i}": str(1 + i % 5) for i in range(6)}.items() <= saved.items()
    assert len(saved) == 30
    load_responses(answers(client), TEMPLATE)


SAVER = """
import sys
from cxassess.interactive.answers_file import save_response
for i in range(4):
    save_response(sys.argv[1], {"respondent_id": f"{sys.argv[2]}{i}", "goals_1": "3"})
"""


@pytest.mark.slow
def test_processes_saving_at_once_all_land(client):
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(client), prefix]) for prefix in ("A", "B")]
    assert [p.wait(120) for p in procs] == [0, 0]
    ids = [r["respondent_id"] for r in rows(client)]
    assert sorted(ids[24:]) == ["A0", "A1", "A2", "A3", "B0", "B1", "B2", "B3"]


CRASH = """
import os, sys
from cxassess.interactive import answers_file
def crash(src, dst):
    assert os.path.getsize(src) > 0   # the new file is fully written...
    os._exit(3)                       # ...and the process dies before the rename
answers_file.os.replace = crash
answers_file.save_response(sys.argv[1], {"respondent_id": "CRASH", "vision_1": "5"})
"""


@pytest.mark.slow
def test_a_crash_between_temp_write_and_rename_leaves_the_old_file(client):
    before = (answers(client)).read_bytes()
    crashed = subprocess.run([sys.executable, "-c", CRASH, str(client)])
    assert crashed.returncode == 3
    assert (answers(client)).read_bytes() == before
    leftovers = list(answers(client).parent.glob(".responses.csv.*.tmp"))
    assert len(leftovers) == 1 and b"CRASH" in leftovers[0].read_bytes()  # the unrenamed temp file
    result = answers_file.save_response(client, {"respondent_id": "AFTER", "vision_1": "5"})  # the lock died too
    assert result.row == 26 and rows(client)[-1]["respondent_id"] == "AFTER"


def test_a_failed_rename_in_process_cleans_up(client, monkeypatch):
    before = (answers(client)).read_bytes()

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(answers_file.os, "replace", refuse)
    with pytest.raises(OSError):
        answers_file.save_response(client, {"respondent_id": "X", "vision_1": "5"})
    monkeypatch.undo()
    assert (answers(client)).read_bytes() == before and not list(answers(client).parent.glob("*.tmp"))
    assert answers_file.save_response(client, {"respondent_id": "X", "vision_1": "5"}).row == 26


def test_file_mode_and_layout_are_kept(client):
    path = answers(client)
    table = read_table(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:  # the same answers, as a European Excel saves them
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows([table.header, *table.rows])
    path.chmod(0o640)
    answers_file.save_response(client, {"respondent_id": "S1", "vision_1": "2"})
    data = path.read_bytes()
    assert data.count(b"\r\n") == 26 and data.splitlines()[-1].startswith(b"S1;")
    assert path.stat().st_mode & 0o777 == 0o640


def test_first_response_creates_the_file(tmp_path):
    folder = tmp_path / "newco"
    folder.mkdir()
    shutil.copy(SAMPLE / "client.yaml", folder / "client.yaml")
    answers_file.save_response(folder, {"respondent_id": "N1", "role": "Leadership", "vision_1": "5"})
    table = read_table(folder / "responses.csv")
    assert table.header == answers_file.form_columns(TEMPLATE)
    responses, warnings = load_responses(folder / "responses.csv", TEMPLATE)
    assert responses.respondent_ids == ["N1"] and "under half" in warnings[0].message


def test_an_excel_client_is_refused_with_a_way_out(tmp_path):
    folder = Path(shutil.copytree(ROOT / "data" / "clients" / "harbour-hotels", tmp_path / "harbour-hotels"))
    with pytest.raises(CxError, match="saves to responses.csv"):
        answers_file.save_response(folder, {"respondent_id": "H1", "vision_1": "3"})
    with pytest.raises(CxError, match="saves to responses.csv"):
        app_command(folder)


def test_app_command_serves_on_loopback_with_culling(client):
    argv, env = app_command(client, port=9123, cull_idle=300)
    assert argv[1:4] == ["-m", "voila", str(QUESTIONNAIRE)]
    assert {"--port=9123", "--Voila.ip=127.0.0.1", "--strip_sources=True",
            "--MappingKernelManager.cull_idle_timeout=300"} <= set(argv)
    assert any(a.startswith("--MappingKernelManager.cull_interval=") for a in argv)
    assert env[CLIENT_DIR_ENV] == str(client.resolve())
    assert app_command(client, explorer=True)[0][3] == str(EXPLORER)


def test_client_dir_from_environment(monkeypatch, client):
    monkeypatch.delenv(CLIENT_DIR_ENV, raising=False)
    assert answers_file.client_dir_from_environment("x/y") == Path("x/y")
    monkeypatch.setenv(CLIENT_DIR_ENV, str(client))
    assert answers_file.client_dir_from_environment("x/y") == client


def test_app_refuses_a_bad_client_folder_before_serving(tmp_path, capsys):
    from cxassess.cli import main

    assert main(["app", str(tmp_path / "missing")]) == 1
    assert "client folder not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["app", str(SAMPLE), "--port", "70000"])
    assert "not a port number" in capsys.readouterr().err
