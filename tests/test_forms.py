"""Excel questionnaire forms: their structure, and filled forms read back without loss.

The round trip: fictional answers from the seeded generator are typed into one form per
respondent the way a respondent would (drop-down text such as "4 - Agree", numbers for
importance), the folder is imported and validated, and every frame equals the frames
validated straight from the generated table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from conftest import TINY_TEMPLATE
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.forms import (
    ANSWER_COLUMNS,
    FORM_SHEET,
    LISTS_SHEET,
    build_form,
    rating_choices,
    write_form,
)
from cxassess.inputs.importers import import_export
from cxassess.inputs.responses import load_responses, validate_table
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.tables import RawTable
from cxassess.inputs.templates import find_template, load_template

FRAMES = ("ratings", "not_applicable", "importance", "target", "comments", "segments")
LETTER = {kind: "ABCDEFG"[col - 1] for kind, col in ANSWER_COLUMNS.items()}


@pytest.fixture(scope="module")
def template():
    return find_template("cx_service_strategy")


@pytest.fixture(scope="module")
def blank_form(template, tmp_path_factory) -> Path:
    return write_form(build_form(template), tmp_path_factory.mktemp("form") / "questionnaire.xlsx")


def rows_by_key(sheet) -> dict[str, int]:
    return {row[0].value: row[0].row for row in sheet.iter_rows(min_col=1, max_col=1) if row[0].value}


# ------------------------------------------------------------------------------ structure


def test_form_layout_protection_and_drop_downs(template, blank_form):
    book = load_workbook(blank_form)
    assert book.sheetnames == ["Instructions", FORM_SHEET, LISTS_SHEET, "cxassess"]
    assert [s.sheet_state for s in book.worksheets] == ["visible", "visible", "hidden", "veryHidden"]
    assert book.security.lockStructure
    sheet = book[FORM_SHEET]
    assert sheet.protection.sheet and book["Instructions"].protection.sheet
    assert sheet.column_dimensions["A"].hidden
    keys = rows_by_key(sheet)
    question_rows = [keys[f"question:{q}"] for q in template.question_ids]
    assert len(question_rows) == 61
    # questions in template order, each pillar under its own heading row
    assert question_rows == sorted(question_rows)
    assert sheet.cell(question_rows[0] - 1, 2).value == "1. Service vision & leadership"
    assert sheet.cell(question_rows[0], 3).value == template.pillars[0].questions[0].text
    headings = [c.value for c in sheet["B"] if isinstance(c.value, str) and re.match(r"\d+\. ", c.value)]
    assert headings == [f"{i}. {p.name}" for i, p in enumerate(template.pillars, start=1)]
    for r in question_rows:
        assert all(not sheet.cell(r, col).protection.locked for col in ANSWER_COLUMNS.values())
        assert sheet.cell(r, 2).protection.locked and sheet.cell(r, 3).protection.locked
    assert sheet.cell(question_rows[0] - 1, ANSWER_COLUMNS["rating"]).protection.locked  # the pillar heading

    def choices(validation) -> list:
        sheet_name, cells = validation.formula1.lstrip("=").split("!")
        return [c.value for row in book[sheet_name][cells.replace("$", "")] for c in row]

    validations = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for row, col in cell_range.cells:
                validations[sheet.cell(row, col).coordinate] = dv
    for r in question_rows:
        assert choices(validations[f"D{r}"]) == ["1 - Strongly disagree", "2 - Disagree", "3 - Neither agree nor disagree",
                                                  "4 - Agree", "5 - Strongly agree", "N/A", "Don't know", "Not applicable"]
        assert choices(validations[f"E{r}"]) == choices(validations[f"D{r}"])
        assert choices(validations[f"F{r}"]) == [1, 2, 3, 4, 5]
        assert f"G{r}" not in validations  # comments are free text
    assert choices(validations[f"D{keys['segment:role']}"]) == ["Leadership", "Manager", "Frontline", "Back office"]
    assert f"D{keys['segment:department']}" not in validations  # the template leaves departments open
    # the outcome question closes the form under "Overall": a rating on the same list, nothing else to fill in
    outcome = keys[f"outcome:{template.outcome.id}"]
    assert outcome > question_rows[-1] and sheet.cell(outcome - 1, 2).value == "Overall"
    assert sheet.cell(outcome, 3).value == "All things considered, our customers get the service we promise them."
    assert choices(validations[f"D{outcome}"]) == choices(validations[f"D{question_rows[0]}"])
    assert not sheet.cell(outcome, 4).protection.locked
    assert all(sheet.cell(outcome, col).protection.locked and sheet.cell(outcome, col).coordinate not in validations
               for col in (5, 6, 7))
    assert all(dv.showErrorMessage and dv.errorStyle == "stop" for dv in sheet.data_validations.dataValidation)


def test_rating_choices_label_every_point():
    tiny = load_template(TINY_TEMPLATE)
    assert rating_choices(tiny) == ["1 - Strongly disagree", "2 - Disagree", "3 - Neutral", "4 - Agree",
                                    "5 - Strongly agree", "N/A", "Don't know"]


def make_client(root: Path, template_id: str = "cx_service_strategy", segments: str = "") -> Path:
    folder = root / "acme-stores"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "client.yaml").write_text(
        f"name: Acme Stores\ntemplate: {template_id}\nassessment_date: 2026-11-01\n{segments}", encoding="utf-8")
    return folder


def test_client_name_and_departments_come_from_the_client_folder(tmp_path, capsys):
    client = make_client(tmp_path, segments="segments:\n  department: [Stores, Online, Head office]\n")
    out = tmp_path / "form.xlsx"
    assert main(["form", "cx_service_strategy", "--out", str(out), "--client", str(client)]) == 0
    assert "client Acme Stores" in capsys.readouterr().out
    book = load_workbook(out)
    sheet = book[FORM_SHEET]
    assert sheet["B1"].value == "Customer Service Strategy Self-Assessment - Acme Stores"
    row = rows_by_key(sheet)["segment:department"]
    [dv] = [dv for dv in sheet.data_validations.dataValidation if f"D{row}" in dv.sqref]
    sheet_name, cells = dv.formula1.lstrip("=").split("!")
    assert [c.value for r in book[sheet_name][cells.replace("$", "")] for c in r] == ["Stores", "Online", "Head office"]


def test_client_settings_are_checked(tmp_path, capsys):
    client = make_client(tmp_path / "a", template_id="servqual")
    assert main(["form", "cx_service_strategy", "--out", str(tmp_path / "f.xlsx"), "--client", str(client)]) == 1
    assert "uses template 'servqual', not 'cx_service_strategy'" in capsys.readouterr().err
    client = make_client(tmp_path / "b", segments="segments:\n  team: [Red, Blue]\n")
    assert main(["form", "cx_service_strategy", "--out", str(tmp_path / "f.xlsx"), "--client", str(client)]) == 1
    err = capsys.readouterr().err
    assert f"{client / 'client.yaml'}:5: segments: 'team' is not a segment" in err
    assert not (tmp_path / "f.xlsx").exists()


def test_form_is_not_overwritten_without_force(template, tmp_path, capsys):
    out = tmp_path / "q.xlsx"
    out.write_bytes(b"keep me")
    assert main(["form", "cx_service_strategy", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"keep me"
    assert main(["form", "cx_service_strategy", "--out", str(out), "--force"]) == 0
    assert load_workbook(out).sheetnames[1] == FORM_SHEET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.xlsx"]
    with pytest.raises(CxError, match="must be an .xlsx file"):
        write_form(build_form(template), tmp_path / "q.xls")


# ------------------------------------------------------------------------------ round trip


def fill(blank: Path, out: Path, answers: dict[str, str], template) -> None:
    """Type one respondent's canonical answers into a copy of the form, as Excel would store them."""
    choice = {c.split(" - ")[0]: c for c in rating_choices(template) if " - " in c}
    book = load_workbook(blank)
    sheet = book[FORM_SHEET]
    keys = rows_by_key(sheet)
    for column, text in answers.items():
        if not text:
            continue
        qid, _, kind = column.partition(":")
        if column == "respondent_id" or column in template.segment_ids:
            key = column if column == "respondent_id" else f"segment:{column}"
            sheet[f"D{keys[key]}"] = text
            continue
        key = f"outcome:{qid}" if template.outcome and qid == template.outcome.id else f"question:{qid}"
        cell = sheet[f"{LETTER[kind or 'rating']}{keys[key]}"]
        if kind == "importance":
            cell.value = int(text)
        elif kind in ("", "target"):
            cell.value = choice.get(text, text)  # "4" -> "4 - Agree"; N/A words as they are
        else:
            cell.value = text
    book.save(out)


@pytest.mark.slow
def test_filled_forms_import_back_losslessly(template, blank_form, tmp_path, capsys):
    table = generate(template, Profile(respondents=7, comment_rate=0.4, na_rate=0.08, blank_rate=0.08), seed=11)
    assert template.outcome is not None and template.outcome.id in table  # the outcome question comes back too
    table.loc[2, "vision_1:comment"] = "Two lines, one comma:\nsecond line"
    table.loc[3, "department"] = "Customer care"
    expected, problems = validate_table(
        RawTable("generated", list(table.columns), table.astype(str).values.tolist(), list(range(2, 9))), template)
    assert expected is not None and not [p for p in problems if p.level == "error"]
    folder = tmp_path / "returned"
    folder.mkdir()
    for i, record in enumerate(table.to_dict("records"), start=1):
        fill(blank_form, folder / f"form-{i:02d}.xlsx", record, template)
    (folder / "~$form-01.xlsx").write_bytes(b"an Office lock file")  # ignored
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")

    out = tmp_path / "responses.csv"
    assert main(["import", "--from", "xlsx-forms", str(folder), "--template", "cx_service_strategy",
                 "--out", str(out)]) == 0
    assert "7 respondents, 61 of 61 questions" in capsys.readouterr().out
    assert main(["validate", "cx_service_strategy", str(out)]) == 0
    imported, _ = load_responses(out, template)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(imported, name), getattr(expected, name), obj=name)
    pd.testing.assert_series_equal(imported.outcome, expected.outcome)
    assert imported.outcome.notna().sum() > 0
    assert imported.comments.loc["R003", "vision_1"] == "Two lines, one comma:\nsecond line"
    assert int(expected.not_applicable.values.sum()) > 0 and int(expected.ratings.isna().values.sum()) > 0


def test_a_form_without_a_code_gets_a_stable_generated_id(template, blank_form, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    fill(blank_form, folder / "a.xlsx", {"vision_1": "4", "vision_2": "N/A", "role": "Manager"}, template)
    first = import_export("xlsx-forms", folder, template).responses.respondent_ids
    (folder / "a.xlsx").rename(folder / "renamed.xlsx")
    second = import_export("xlsx-forms", folder, template)
    assert first == second.responses.respondent_ids and re.fullmatch(r"R[0-9a-f]{10}", first[0])
    assert second.responses.ratings.loc[first[0], "vision_1"] == 4
    assert second.responses.not_applicable.loc[first[0], "vision_2"]


def test_a_typed_answer_off_the_list_is_located_in_its_form(template, blank_form, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    fill(blank_form, folder / "a.xlsx", {"vision_1": "4", "vision_2:importance": "9"}, template)
    row = rows_by_key(load_workbook(blank_form)[FORM_SHEET])["question:vision_2"]
    with pytest.raises(CxError) as info:
        import_export("xlsx-forms", folder, template)
    [problem] = info.value.problems
    assert problem.location() == f"{folder / 'a.xlsx'}:{row}:F" and "outside the scale 1-5" in problem.message


def test_forms_of_another_template_or_other_workbooks_are_refused(template, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    write_form(build_form(load_template(TINY_TEMPLATE)), folder / "tiny.xlsx")
    Workbook().save(folder / "plain.xlsx")
    with pytest.raises(CxError) as info:
        import_export("xlsx-forms", folder, template)
    messages = {Path(p.file).name: p.message for p in info.value.problems}
    assert "made for template 'tiny', not 'cx_service_strategy'" in messages["tiny.xlsx"]
    assert "is not a cxassess questionnaire form" in messages["plain.xlsx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CxError, match="holds no .xlsx forms"):
        import_export("xlsx-forms", empty, template)
