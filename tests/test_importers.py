"""Survey-tool exports converted to canonical responses: each format end to end, matching, labels, ids.

The exports under tests/data/imports/ were written for these tests the way each tool lays them
out (BOM, CRLF, header rows, grid questions, quoted commas and newlines in comments). Their
template (tests/data/imports/template.yaml) has a 1-5 scale labelled Strongly disagree (1),
Disagree, Neither agree nor disagree, Agree, Strongly agree (5); N/A words "N/A" and "Don't
know"; questions vision_1-3 and touchpoints_1-3. Every expected value below was read off the
export file by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from conftest import DATA, TINY_TEMPLATE
from cxassess.cli import main
from cxassess.cli.parser import FORMAT_CHOICES
from cxassess.core.errors import CxError
from cxassess.inputs.exports import FORMATS, normalise_text
from cxassess.inputs.importers import _Answers, import_export, write_import
from cxassess.inputs.matching import load_mapping
from cxassess.inputs.responses import load_responses
from cxassess.inputs.templates import find_template, load_template

IMPORTS = DATA / "imports"
TEMPLATE = IMPORTS / "template.yaml"
QIDS = ["vision_1", "vision_2", "vision_3", "touchpoints_1", "touchpoints_2", "touchpoints_3"]
NA = "N/A"
V1 = "We have a written service vision that describes the specific experience we want customers to have."
V2 = "Our service vision fits our brand and supports the wider business strategy."


@pytest.fixture(scope="module")
def template():
    return load_template(TEMPLATE)


def ratings_of(result, rid: str) -> list:
    """One respondent's ratings in QIDS order, 'N/A' where not applicable, None where blank."""
    r = result.responses
    out = []
    for q in QIDS:
        if r.not_applicable.loc[rid, q]:
            out.append(NA)
        else:
            value = r.ratings.loc[rid, q]
            out.append(None if np.isnan(value) else int(value))
    return out


def source_rows(path: Path, header_rows: int) -> list[list[str]]:
    """The export's answer rows as the csv module reads them (an independent reading)."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))[header_rows:]


def expected_id(cells: list[str], drop: set[int]) -> str:
    joined = "\x1f".join(c for i, c in enumerate(cells) if i not in drop).replace("\r\n", "\n")
    return "R" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:10]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------------------ google forms


def test_google_forms_end_to_end(template):
    mapping = load_mapping(IMPORTS / "google_forms_mapping.yaml", template)
    result = import_export("google-forms", IMPORTS / "google_forms.csv", template, mapping)
    rows = source_rows(IMPORTS / "google_forms.csv", 1)
    ids = [expected_id(r, drop={1}) for r in rows]  # column B (Email address) is not hashed
    assert result.responses.respondent_ids == ids
    a, b, c, d = ids
    assert ratings_of(result, a) == [4, 5, 3, 2, 4, 1]
    assert ratings_of(result, b) == [2, NA, 2, 4, 3, 4]
    assert ratings_of(result, c) == [NA, 4, 5, 5, 4, 2]  # "Don't know" is an N/A word
    assert ratings_of(result, d) == [5, 5, 4, 4, 5, 3]
    imp = result.responses.importance
    assert imp.loc[[a, b, c, d], "vision_1"].tolist() == [5, 4, 3, 5]
    assert imp.loc[[a, c, d], "vision_2"].tolist() == [4, 5, 5] and np.isnan(imp.loc[b, "vision_2"])
    target = result.responses.target
    assert target.loc[[a, b, d], "vision_1"].tolist() == [5, 4, 5] and np.isnan(target.loc[c, "vision_1"])
    comments = result.responses.comments["vision_1"]
    assert comments[a] == "Good vision, but nobody reads it.\nWe need it on the wall."
    assert comments[c] == 'Commas, "quotes" and more'
    assert comments[b] is None and comments[d] is None
    segments = result.responses.segments
    assert segments["role"].tolist() == ["Manager", "Frontline", "Frontline", "Leadership"]  # "frontline" spelt as declared
    assert segments["department"].tolist() == ["Stores", "Online", "Customer care", "Head office"]
    assert "anna.berg@example.com" not in "".join(",".join(r) for r in result.rows)
    assert result.identity_header == []
    assert result.matched == {"id": 1, "mapping": 2, "text": 9}  # role by id; V3 has a curly apostrophe; K, L reworded
    assert result.warnings == []


def test_google_forms_cli_writes_a_valid_file_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "answers" / "responses.csv"
    args = ["import", "--from", "google-forms", IMPORTS / "google_forms.csv", "--template", TEMPLATE,
            "--mapping", IMPORTS / "google_forms_mapping.yaml", "--out", out]
    code, stdout, _ = cli(capsys, *args)
    assert code == 0 and "4 respondents, 6 of 6 questions" in stdout
    template = load_template(TEMPLATE)
    responses, warnings = load_responses(out, template)
    assert len(responses) == 4 and warnings == []
    assert cli(capsys, "validate", TEMPLATE, out)[0] == 0
    before = out.read_bytes()
    code, _, err = cli(capsys, *args)
    assert code == 1 and "already exists" in err and "--force" in err
    assert out.read_bytes() == before
    assert cli(capsys, *args, "--force")[0] == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["responses.csv"]  # no temp file left


def test_unmatched_columns_are_listed_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "responses.csv"
    code, _, err = cli(capsys, "import", "--from", "google-forms", IMPORTS / "google_forms.csv",
                       "--template", TEMPLATE, "--out", out)
    assert code == 1 and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{IMPORTS / 'google_forms.csv'}:1:D: column 'Which department do you work in?' "
                               "matches no question")
    assert lines[1].startswith(f"{IMPORTS / 'google_forms.csv'}:1:N: column 'Any comments on our service vision?'")
    assert "--allow-unmatched" in lines[0]


def test_allow_unmatched_leaves_them_out_with_warnings(template):
    result = import_export("google-forms", IMPORTS / "google_forms.csv", template, allow_unmatched=True)
    assert [(p.column, p.level) for p in result.warnings] == [("D", "warning"), ("N", "warning")]
    assert "department" not in result.header and "vision_1:comment" not in result.header
    assert list(result.responses.segments.columns) == ["role"]
    assert result.responses.comments.isna().all().all()


# ------------------------------------------------------------------------------ ms forms


MS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Role", "Department",
             V1, V2, "Our leaders' own behaviour matches the service standards they ask of staff.",
             "For each main channel, such as phone, website, e-mail and in person, we have defined what a good "
             "interaction looks like.",
             "Customers get a consistent experience whichever department they deal with.",
             "New services are often launched on the basis of internal opinion without checking with customers first.",
             "Comments"]
MS_ROWS = [
    [1, dt.datetime(2026, 10, 9, 8, 1, 2), dt.datetime(2026, 10, 9, 8, 6, 40), "anonymous", None, None,
     "Frontline", "Stores", "4 - Agree", "2 - Disagree", "N/A", "5 - Strongly agree",
     "3 - Neither agree nor disagree", "1 - Strongly disagree", "n/a"],
    [2, dt.datetime(2026, 10, 9, 9, 30, 0), dt.datetime(2026, 10, 9, 9, 41, 15), "jo.smith@contoso.com", "Jo Smith",
     None, "Manager", "Online", "Agree", 5, "Don't know", 2, 4, 3, "Too many initiatives, too little follow-up."],
    [3, dt.datetime(2026, 10, 10, 14, 2, 9), dt.datetime(2026, 10, 10, 14, 9, 58), "sam.patel@contoso.com",
     "Sam Patel", None, "back office", "Finance", "Strongly disagree", "Disagree", 3, None, "Agree", "Agree", None],
]


def write_ms_forms(path: Path) -> Path:
    """A Microsoft Forms export as Forms writes it: one sheet, real dates, numbers for numeric answers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(MS_HEADER)
    for row in MS_ROWS:
        sheet.append(row)
    book.save(path)
    return path


def test_ms_forms_end_to_end(template, tmp_path):
    export = write_ms_forms(tmp_path / "Service pulse(1-3).xlsx")
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("Comments: skip\n", encoding="utf-8")
    result = import_export("ms-forms", export, template, load_mapping(mapping_file, template))
    assert result.responses.respondent_ids == ["1", "2", "3"]  # the ID column
    assert ratings_of(result, "1") == [4, 2, NA, 5, 3, 1]
    assert ratings_of(result, "2") == [4, 5, NA, 2, 4, 3]
    assert ratings_of(result, "3") == [1, 2, 3, None, 4, 4]
    assert result.responses.segments["role"].tolist() == ["Frontline", "Manager", "Back office"]
    flat = "\n".join(",".join(r) for r in result.rows)
    assert "Jo Smith" not in flat and "contoso" not in flat and "2026" not in flat
    assert result.matched == {"response id": 1, "id": 2, "text": 6, "skipped": 1}


def test_keep_identity_writes_names_beside_the_answers(template, tmp_path):
    export = write_ms_forms(tmp_path / "export.xlsx")
    result = import_export("ms-forms", export, template, allow_unmatched=True, keep_identity=True)
    assert result.identity_header == ["respondent_id", "Email", "Name"]
    assert result.identity_rows == [["1", "anonymous", ""], ["2", "jo.smith@contoso.com", "Jo Smith"],
                                    ["3", "sam.patel@contoso.com", "Sam Patel"]]
    assert "Email" not in result.header and "Name" not in result.header
    written = write_import(result, tmp_path / "out" / "responses.csv")
    assert [p.name for p in written] == ["responses.csv", "responses.identity.csv"]
    assert "jo.smith@contoso.com" not in written[0].read_text(encoding="utf-8")
    assert "jo.smith@contoso.com,Jo Smith" in written[1].read_text(encoding="utf-8")
    with pytest.raises(CxError, match="responses.csv: already exists; choose another --out or pass --force"):
        write_import(result, tmp_path / "out" / "responses.csv")


# ------------------------------------------------------------------------------ qualtrics


def test_qualtrics_end_to_end(template):
    mapping = load_mapping(IMPORTS / "qualtrics_mapping.yaml", template)  # by export tag and by ImportId
    result = import_export("qualtrics", IMPORTS / "qualtrics.csv", template, mapping)
    ids = ["R_2aXbQ7kLmP3nVwE", "R_1dGh5TyUi8oPqRs", "R_3zZkW9eRt6yUiOp"]
    assert result.responses.respondent_ids == ids
    assert ratings_of(result, ids[0]) == [4, 4, 2, 4, 4, 2]
    assert ratings_of(result, ids[1]) == [1, None, None, None, None, None]
    assert ratings_of(result, ids[2]) == [3, NA, 5, 5, 2, 4]
    r = result.responses
    assert r.importance.loc[ids, "vision_1"].tolist() == [4, 2, 5]
    assert r.importance.loc[[ids[0], ids[2]], "vision_2"].tolist() == [5, 3]
    assert r.target.loc[[ids[0], ids[2]], "vision_1"].tolist() == [4, 5]  # "... Target - <statement>"
    assert r.comments.loc[ids[0], "vision_1"] == (
        'Our vision statement is from 2019.\nIt mentions "delight", but nobody knows what that means.')
    assert r.segments["department"].tolist() == ["Finance", "Stores", "Online"]
    assert r.segments["role"].tolist() == ["Back office", "Frontline", "Manager"]
    flat = "\n".join(",".join(row) for row in result.rows)
    assert "203.0.113.7" not in flat and "51.5072" not in flat
    # the half-finished response is kept, with the validator's warning pointing at its export row (row 5)
    assert [(p.row, p.level) for p in result.warnings] == [(5, "warning")]
    assert "answered 1 of 6" in result.warnings[0].message


def test_qualtrics_without_importid_row_is_refused(template, tmp_path):
    lines = (IMPORTS / "qualtrics.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("\r\n".join(lines[:2] + lines[3:]), encoding="utf-8")
    with pytest.raises(CxError) as info:
        import_export("qualtrics", legacy, template)
    assert info.value.problems[0].row == 3 and "ImportId" in info.value.problems[0].message


# ------------------------------------------------------------------------------ surveymonkey


def test_surveymonkey_end_to_end(template):
    mapping = load_mapping(IMPORTS / "surveymonkey_mapping.yaml", template)
    result = import_export("surveymonkey", IMPORTS / "surveymonkey.csv", template, mapping, allow_unmatched=True)
    ids = ["118345670011", "118345670022", "118345670033"]
    assert result.responses.respondent_ids == ids
    assert ratings_of(result, ids[0]) == [4, 4, 5, 2, 3, 4]
    assert ratings_of(result, ids[1]) == [5, 5, 4, 4, 4, 1]
    assert ratings_of(result, ids[2]) == [2, NA, 2, 3, 2, 4]
    imp = result.responses.importance
    # "5 - Extremely important": the leading number counts, the tool's own wording is ignored
    assert imp.loc[ids, "vision_1"].tolist() == [5, 5, 4]
    assert imp.loc[ids, "vision_2"].tolist() == [4, 5, 3]
    assert imp.loc[[ids[0], ids[2]], "vision_3"].tolist() == [3, 2] and np.isnan(imp.loc[ids[1], "vision_3"])
    assert result.responses.comments.loc[ids[0], "vision_1"] == (
        'We say "customer first", yet targets are all about call length.\nLeaders should listen in on calls, too.')
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.level) == (1, "U", "warning")
    assert "How long have you worked here?" in warning.message


def test_surveymonkey_xlsx_gives_the_same_table_as_csv(template, tmp_path):
    mapping = load_mapping(IMPORTS / "surveymonkey_mapping.yaml", template)
    book = Workbook()
    for row in csv.reader(io.StringIO((IMPORTS / "surveymonkey.csv").read_text(encoding="utf-8"), newline="")):
        book.active.append([cell or None for cell in row])
    book.save(tmp_path / "export.xlsx")
    from_csv = import_export("surveymonkey", IMPORTS / "surveymonkey.csv", template, mapping, allow_unmatched=True)
    from_xlsx = import_export("surveymonkey", tmp_path / "export.xlsx", template, mapping, allow_unmatched=True)
    assert from_xlsx.header == from_csv.header and from_xlsx.rows == from_csv.rows


# ------------------------------------------------------------------------------ matching


def write_google(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "export.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_two_columns_for_one_question_are_both_reported(template, tmp_path):
    export = write_google(tmp_path, ["Timestamp", f"Current practice [{V1}]", V1.upper(), V2],
                          [["2026/10/01 10:00:00", "Agree", "Agree", "Agree"]])
    with pytest.raises(CxError) as info:
        import_export("google-forms", export, template)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "B"), (1, "C")]
    assert all("columns B and C both match vision_1" in p.message for p in info.value.problems)
    result = import_export("google-forms", export, template, allow_unmatched=True)
    assert "vision_1" in result.header and result.rows[0][result.header.index("vision_1")] == ""
    assert result.rows[0][result.header.index("vision_2")] == "4"


def test_a_header_that_fits_two_questions_is_ambiguous(tmp_path):
    text = TINY_TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("text: Fourth question.", "text: Service is fast.").replace(
        "text: Fifth question.", "text: 'Service is fast!'")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    tiny = load_template(tmp_path / "t.yaml")
    export = write_google(tmp_path, ["Timestamp", "service is FAST", "First question"], [["x", "3", "4"]])
    with pytest.raises(CxError) as info:
        import_export("google-forms", export, tiny)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (1, "B")
    assert "ambiguous: it could be q4 or q5" in problem.message


def test_a_near_miss_names_the_closest_question(template, tmp_path):
    export = write_google(tmp_path, ["Timestamp", V1, V2.replace("wider", "wide")], [["x", "3", "4"]])
    with pytest.raises(CxError, match=r"export.csv:1:C: column .* \(closest question: vision_2\)"):
        import_export("google-forms", export, template)


def test_columns_named_by_template_id_need_no_text(template, tmp_path):
    export = write_google(tmp_path, ["Timestamp", "respondent_id", "Vision_1", "vision_1:importance", "ROLE"],
                          [["x", "P-7", "Strongly agree", "5", "manager"]])
    result = import_export("google-forms", export, template)
    assert result.header[:4] == ["respondent_id", "role", "vision_1", "vision_1:importance"]
    assert result.rows == [["P-7", "Manager", "5", "5", "", "", "", "", ""]]
    assert result.matched == {"id": 4}


def test_nothing_matching_is_the_wrong_template(tmp_path):
    tiny = load_template(TINY_TEMPLATE)
    with pytest.raises(CxError) as info:
        import_export("google-forms", IMPORTS / "google_forms.csv", tiny, allow_unmatched=True)
    assert any("no column matched a question of template 'tiny'" in p.message for p in info.value.problems)


def test_bad_mapping_entries_are_reported_with_their_lines(template, tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("columns:\n  Which department: departmnt\n  Comments: vision_9:comment\n  Q1: role\n",
                    encoding="utf-8")
    with pytest.raises(CxError) as info:
        load_mapping(path, template)
    assert [p.row for p in info.value.problems] == [2, 3]
    assert "did you mean 'department'?" in info.value.problems[0].message


def test_unused_mapping_entries_are_warned_about(template, tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text('"Which department do you work in?": department\n"Any comments on our service vision?": skip\n'
                    "Favourite colour: skip\n", encoding="utf-8")
    result = import_export("google-forms", IMPORTS / "google_forms.csv", template, load_mapping(path, template))
    [warning] = result.warnings
    assert (warning.file, warning.row, warning.level) == (str(path), 3, "warning")
    assert "'Favourite colour' matches no column" in warning.message


@pytest.mark.parametrize("text, expected", [
    ("  We have a WRITTEN service vision, that describes the specific experience we want customers to have ",
     normalise_text(V1)),
    ("3. Our service vision fits our brand and supports the wider business strategy", normalise_text(V2)),
    ("Q12) Our leaders\u2019 own behaviour", "our leaders own behaviour"),
    ("e-mail\u00a0and in person", "e mail and in person"),
])
def test_normalised_question_text(text, expected):
    assert normalise_text(text) == expected


# ------------------------------------------------------------------------------ answers


@pytest.mark.parametrize("text, expected", [
    ("Strongly agree", "5"), (" strongly   AGREE ", "5"), ("4 - Agree", "4"), ("4. Agree", "4"), ("(2) Disagree", "2"),
    ("Agree (4)", "4"), ("5 - Extremely important", "5"), ("3", "3"), ("N/A", "N/A"), ("don\u2019t know", "N/A"),
    ("", ""), ("   ", ""),
])
def test_answer_labels_become_scale_values(template, text, expected):
    assert _Answers(template).convert(text) == (expected, None)


@pytest.mark.parametrize("text, message", [
    ("4 - Strongly agree", "the number 4 and the label 'Strongly agree' (5) disagree"),
    ("6", "outside the scale 1-5"),
    ("4.5", "not a whole number"),
    ("Agre", "did you mean 'Agree'?"),
    ("7 - Very much", "not a rating"),
])
def test_answers_off_the_scale_are_errors(template, text, message):
    value, error = _Answers(template).convert(text)
    assert value == "" and message in error


def test_a_bad_answer_is_located_in_the_export(template, tmp_path):
    export = write_google(tmp_path, ["Timestamp", V1, V2], [["a", "Agree", "Agree"], ["b", "Agree", "Very much"]])
    with pytest.raises(CxError) as info:
        import_export("google-forms", export, template)
    [problem] = info.value.problems
    assert problem.location() == f"{export}:3:C" and "'Very much' is not a rating" in problem.message


# ------------------------------------------------------------------------------ respondent ids


def test_generated_ids_survive_reordering_and_new_rows(template, tmp_path):
    header, *rows = list(csv.reader(io.StringIO((IMPORTS / "google_forms.csv").read_text(encoding="utf-8-sig"),
                                                newline="")))
    mapping = load_mapping(IMPORTS / "google_forms_mapping.yaml", template)
    first = import_export("google-forms", IMPORTS / "google_forms.csv", template, mapping)
    new = ["2026/10/04 12:00:00 GMT+1", "", "Manager", "Stores"] + ["Agree"] * 3 + ["4", "4"] + ["Agree"] * 4 + [""]
    shuffled = write_google(tmp_path, header, [rows[2], new, rows[0], rows[3], rows[1]])
    second = import_export("google-forms", shuffled, template, mapping)
    by_stamp = lambda result, rows_: dict(zip((r[0] for r in rows_), result.responses.respondent_ids))
    before = by_stamp(first, rows)
    after = by_stamp(second, [rows[2], new, rows[0], rows[3], rows[1]])
    assert all(after[stamp] == rid for stamp, rid in before.items())
    assert len(set(after.values())) == 5


def test_identical_rows_get_numbered_ids_and_a_warning(template, tmp_path):
    row = ["", "Agree", "Agree"]
    export = write_google(tmp_path, ["Timestamp", V1, V2], [row, row])
    result = import_export("google-forms", export, template)
    base = expected_id(row, drop=set())
    assert result.responses.respondent_ids == [base, f"{base}-2"]
    [warning] = [w for w in result.warnings if "same answers" in w.message]
    assert warning.row == 3 and f"the same answers as {export}:2 (sent twice?)" in warning.message


def test_cli_format_list_matches_the_importers():
    assert FORMAT_CHOICES == FORMATS


def test_out_must_be_csv(template, tmp_path):
    result = import_export("google-forms", IMPORTS / "google_forms.csv", template, allow_unmatched=True)
    with pytest.raises(CxError, match="ending in .csv"):
        write_import(result, tmp_path / "responses.xlsx")


def test_importers_and_forms_use_nothing_to_their_right():
    import ast

    allowed = {"importers.py": {"..core.errors", "..core.files", ".exports", ".forms", ".matching", ".ratings",
                                ".responses", ".tables", ".templates"},
               "matching.py": {"..core.errors", ".exports", ".tables", ".templates", ".yamlfile"},
               "exports.py": {"..core.errors", ".tables"},
               "forms.py": {"..core.errors", "..core.files", ".tables", ".templates"}}
    for name, modules in allowed.items():
        tree = ast.parse((Path(__file__).parents[1] / "cxassess" / "inputs" / name).read_text(encoding="utf-8"))
        used = {"." * node.level + (node.module or "") for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.level}
        assert used <= modules, (name, used - modules)


def test_cli_keep_identity_and_help(tmp_path, capsys):
    out = tmp_path / "responses.csv"
    code, stdout, _ = cli(capsys, "import", "--from", "surveymonkey", IMPORTS / "surveymonkey.csv", "--template",
                          TEMPLATE, "--mapping", IMPORTS / "surveymonkey_mapping.yaml", "--allow-unmatched",
                          "--keep-identity", "--out", out)
    assert code == 0 and f"{tmp_path / 'responses.identity.csv'}: names and e-mail addresses" in stdout
    assert (tmp_path / "responses.identity.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "respondent_id,IP Address,Email Address,First Name,Last Name")
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = capsys.readouterr().out
    assert all(word in text for word in ("--from FORMAT", "--mapping", "--allow-unmatched", "--keep-identity",
                                         "google-forms", "xlsx-forms", "--force"))


def test_columns_left_out_for_a_clash_are_not_counted_as_matched(template, tmp_path):
    export = write_google(tmp_path, ["Timestamp", f"Current practice [{V1}]", V1.upper(), V2],
                          [["2026/10/01 10:00:00", "Agree", "Agree", "Agree"]])
    assert import_export("google-forms", export, template, allow_unmatched=True).matched == {"text": 1}


def test_import_summary_counts_add_up_on_a_partly_answered_questionnaire(tmp_path, capsys):
    """A wider questionnaire (10 questions) of which the export answers 3: the printed counts are what happened."""
    wide = tmp_path / "wide.yaml"
    text = TEMPLATE.read_text(encoding="utf-8")
    extra = "".join(f"      - id: extra_{i}\n        text: An extra statement number {i} for this test.\n"
                    for i in range(4))
    wide.write_text(text.replace("      - id: touchpoints_3", extra + "      - id: touchpoints_3", 1), encoding="utf-8")
    template = load_template(wide)
    assert len(template.question_ids) == 10
    export = tmp_path / "export.csv"
    export.write_text("Timestamp,Role,vision_1,vision_2,Notes\n"
                      "2026/10/01 09:14:03,Manager,Agree,Disagree,x\n"
                      "2026/10/01 09:20:00,Agent,Strongly agree,,y\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Notes: skip\n  Role: role\n", encoding="utf-8")
    assert main(["import", "--from", "google-forms", str(export), "--template", str(wide), "--mapping",
                 str(mapping), "--out", str(tmp_path / "out.csv")]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    # vision_1 and vision_2 hold answers; the other 8 questions none. Role by mapping, two by id, Notes skipped.
    assert "2 of 10 questions of template" in line
    assert "3 export columns used (2 by id, 1 by mapping), 1 skipped" in line


# ------------------------------------------------------------------------------ the outcome question

PROMISE = "All things considered, our customers get the service we promise them."


@pytest.mark.parametrize("header", [PROMISE, f"Overall [{PROMISE}]", PROMISE.upper().rstrip("."), "Promise_Kept"])
def test_the_outcome_question_is_matched_by_its_text_or_id(tmp_path, header):
    """A Google Forms export asking the default questionnaire's outcome statement (as a question, a one-row
    grid, in other capitals, or by id): its answers land in ``promise_kept``, read as scale values."""
    strategy = find_template("cx_service_strategy")
    assert strategy.outcome is not None and strategy.outcome.text == PROMISE
    export = write_google(tmp_path, ["Timestamp", "Role", f"Service vision & leadership [{V1}]", header],
                          [["2026/11/20 10:00:00", "Manager", "Agree", "Strongly agree"],
                           ["2026/11/20 10:05:00", "Frontline", "2 - Disagree", "2 - Disagree"],
                           ["2026/11/20 10:09:00", "Frontline", "Agree", "N/A"],
                           ["2026/11/20 10:12:00", "Manager", "", ""]])
    result = import_export("google-forms", export, strategy)
    assert result.header[:3] == ["respondent_id", "role", "vision_1"] and result.header[-1] == "promise_kept"
    assert len(result.header) == 3 + 60 + 1  # every question of the template, then the outcome
    assert [[row[2], row[-1]] for row in result.rows] == [["4", "5"], ["2", "2"], ["4", "N/A"], ["", ""]]
    assert not [p for p in result.warnings if "promise" in p.message.casefold()]
    out = tmp_path / "responses.csv"
    write_import(result, out)
    responses, _ = load_responses(out, strategy)
    assert responses.outcome.tolist()[:2] == [5.0, 2.0] and responses.outcome.iloc[2:].isna().all()


def test_the_outcome_question_has_no_importance_or_target(tmp_path):
    """The answers file holds the outcome's rating only: an importance grid row for it matches nothing."""
    strategy = find_template("cx_service_strategy")
    export = write_google(tmp_path, ["Timestamp", f"Current practice [{V1}]", PROMISE,
                                     f"Importance to customers [{PROMISE}]"], [["x", "Agree", "Agree", "5"]])
    with pytest.raises(CxError) as info:
        import_export("google-forms", export, strategy)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (1, "D") and "matches no question" in problem.message
    (tmp_path / "map.yaml").write_text(f"'Importance to customers [{PROMISE}]': skip\n'{PROMISE}': PROMISE_KEPT\n",
                                       encoding="utf-8")
    result = import_export("google-forms", export, strategy, mapping=load_mapping(tmp_path / "map.yaml", strategy))
    assert result.header[-1] == "promise_kept" and [result.rows[0][1], result.rows[0][-1]] == ["4", "4"]
