"""Reading and validating responses files, the bad-file corpus, pillar targets, and subsets.

Expected values are worked out by hand from the tiny template (tests/data/tiny_template.yaml):
scale 1-5 with labels Strongly disagree (1), Disagree, Neutral, Agree, Strongly agree (5);
N/A tokens "N/A" and "Don't know"; questions q1-q3 (pillar p1) and q4-q5 (pillar p2);
segments role (declared values) and department (free).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import DATA, ROOT, TINY_TEMPLATE, responses_from_rows
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.responses import Responses, load_responses, validate_table
from cxassess.inputs.tables import RawTable, read_table
from cxassess.inputs.targets import read_targets
from cxassess.inputs.templates import load_template

NAN = np.nan
QIDS = ["q1", "q2", "q3", "q4", "q5"]
BAD = DATA / "bad_responses"
TEMPLATES = {
    "tiny": TINY_TEMPLATE,
    "cx_service_strategy": ROOT / "data" / "templates" / "cx_service_strategy.yaml",
    "servqual": ROOT / "data" / "templates" / "servqual.yaml",
}
FRAMES = ("ratings", "not_applicable", "importance", "target", "comments", "segments")


def raw(header, rows, file="mem.csv") -> RawTable:
    return RawTable(file, header, rows, list(range(2, len(rows) + 2)))


def frame(values, ids, dtype=float) -> pd.DataFrame:
    return pd.DataFrame(
        values,
        index=pd.Index(ids, name="respondent_id"),
        columns=pd.Index(QIDS, name="question_id"),
        dtype=dtype,
    )


def assert_same_responses(a: Responses, b: Responses) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


# ------------------------------------------------------------------------------- 1. parsing

MIXED_HEADER = [
    "respondent_id", "role", "department",
    "q1", "q1:importance", "q1:target", "q1:comment",
    "q2", "q3", "q4", "q5", "q5:comment",
]
MIXED_ROWS = [
    # integers, a label in odd spacing, a label in odd case and spacing, N/A, blank
    ["R1", "Manager", "Sales", "4", "5", "5", "  Good start  ", " agree ", "STRONGLY   disagree", "N/A", "", "well"],
    # blank rating and companions, n/a in lower case, Don't know with a curly apostrophe
    ["R2", "frontline ", "", "", "", "", "", "n/a", "don\u2019t know", "1", "5", ""],
    # label rating, N/A importance (ignored), label target, 4.0, Don't Know, a comment of spaces
    [" R3 ", " BACK   office", "Support ", "Neutral", "N/A", "strongly agree", "", "2", "3", "Don't Know", "4.0", "   "],
]
IDS = ["R1", "R2", "R3"]


def test_mixed_cells_parse_to_exact_frames(tiny_template):
    responses, problems = validate_table(raw(MIXED_HEADER, MIXED_ROWS), tiny_template)
    assert problems == []
    assert responses.respondent_ids == IDS
    pd.testing.assert_frame_equal(
        responses.ratings,
        frame([[4, 4, 1, NAN, NAN], [NAN, NAN, NAN, 1, 5], [3, 2, 3, NAN, 4]], IDS),
    )
    pd.testing.assert_frame_equal(
        responses.not_applicable,
        frame(
            [[False, False, False, True, False], [False, True, True, False, False], [False, False, False, True, False]],
            IDS,
            bool,
        ),
    )
    pd.testing.assert_frame_equal(
        responses.importance, frame([[5, NAN, NAN, NAN, NAN], [NAN] * 5, [NAN] * 5], IDS)
    )
    pd.testing.assert_frame_equal(
        responses.target, frame([[5, NAN, NAN, NAN, NAN], [NAN] * 5, [5, NAN, NAN, NAN, NAN]], IDS)
    )
    pd.testing.assert_frame_equal(
        responses.comments,
        frame([["Good start", None, None, None, "well"], [None] * 5, [None] * 5], IDS, object),
    )
    pd.testing.assert_frame_equal(
        responses.segments,
        pd.DataFrame(
            {"role": ["Manager", "Frontline", "Back office"], "department": ["Sales", pd.NA, "Support"]},
            index=pd.Index(IDS, name="respondent_id"),
            dtype="string",
        ),
    )
    assert responses.source == "mem.csv"
    assert len(responses) == 3


def test_segments_absent_from_the_file_are_absent_from_the_frame(tiny_template):
    responses = responses_from_rows(tiny_template, ["respondent_id", *QIDS], [["R1", 1, 2, 3, 4, 5]])
    assert list(responses.segments.columns) == []
    assert list(responses.segments.index) == ["R1"]


def test_free_segment_values_are_grouped_under_their_first_spelling(tiny_template):
    responses, problems = validate_table(
        raw(["respondent_id", "department", *QIDS], [
            ["R1", "Sales", "3", "3", "3", "3", "3"],
            ["R2", " sales ", "3", "3", "3", "3", "3"],
            ["R3", "SALES", "3", "3", "3", "3", "3"],
            ["R4", "Customer  care", "3", "3", "3", "3", "3"],
        ]),
        tiny_template,
    )
    assert problems == []  # department declares no values: nothing to warn about
    assert list(responses.segments["department"]) == ["Sales", "Sales", "Sales", "Customer care"]


LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}


@settings(max_examples=60, deadline=None)
@given(
    value=st.sampled_from(sorted(LABELS)),
    upper=st.lists(st.booleans(), min_size=20, max_size=20),
    pad=st.tuples(st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from(["", " ", "   "])),
    as_label=st.booleans(),
)
def test_any_case_and_spacing_of_a_label_or_a_number_parses(tiny_template, value, upper, pad, as_label):
    if as_label:
        text = "".join(c.upper() if u else c.lower() for c, u in zip(LABELS[value], upper))
        text = text.replace(" ", pad[1] or " ")
    else:
        text = str(value)
    cell = pad[0] + text + pad[1]
    responses = responses_from_rows(tiny_template, ["respondent_id", *QIDS], [["R1", cell, "", "", "", ""]])
    assert responses.ratings.loc["R1", "q1"] == value


def test_under_half_warning_threshold(tiny_template):
    # 5 questions: 2 answered is under half (warning), 3 is not; N/A counts as answered
    _, problems = validate_table(
        raw(["respondent_id", *QIDS], [
            ["R1", "1", "2", "", "", ""],
            ["R2", "1", "2", "N/A", "", ""],
            ["R3", "", "", "", "", ""],  # answered nothing but has an id: still a respondent
        ]),
        tiny_template,
    )
    assert [(p.row, p.level, p.message) for p in problems] == [
        (2, "warning", "respondent 'R1' answered 2 of 5 questions (under half); their answers are kept"),
        (4, "warning", "respondent 'R3' answered 0 of 5 questions (under half); their answers are kept"),
    ]


def test_exactly_half_answered_is_not_under_half():
    # servqual has 22 questions (an even number): 11 answered is half, 10 is under half
    template = load_template(TEMPLATES["servqual"])
    assert len(template.question_ids) == 22
    header = ["respondent_id", *template.question_ids]
    _, problems = validate_table(
        raw(header, [["half", *["4"] * 11, *[""] * 11], ["under", *["4"] * 10, *[""] * 12]]), template
    )
    assert [str(p) for p in problems] == [
        "mem.csv:3: warning: respondent 'under' answered 10 of 22 questions (under half); their answers are kept"
    ]


def test_invalid_answers_count_as_answers_for_the_under_half_warning(tiny_template):
    # three invalid cells are errors; they must not also make the respondent "answer under half"
    _, problems = validate_table(raw(["respondent_id", *QIDS], [["R1", "9", "x", "0", "4", "4"]]), tiny_template)
    assert [(p.column, p.level) for p in problems] == [("q1", "error"), ("q2", "error"), ("q3", "error")]


def test_blank_rows_are_skipped_but_keep_the_numbering(tiny_template):
    responses, problems = validate_table(
        RawTable("m.csv", ["respondent_id", *QIDS],
                 [["R1", "1", "1", "1", "1", "1"], ["", "", " ", "", "", ""], [], ["R2", "9", "1", "1", "1", "1"]],
                 [2, 3, 4, 5]),
        tiny_template,
    )
    assert responses is None
    assert [(p.row, p.column) for p in problems] == [(5, "q1")]


def test_short_rows_are_padded_with_blanks(tiny_template):
    responses = responses_from_rows(tiny_template, ["respondent_id", *QIDS], [["R1", "2", "3", "4"]])
    assert responses.ratings.loc["R1"].tolist()[:3] == [2.0, 3.0, 4.0]
    assert responses.ratings.loc["R1"].isna().tolist() == [False, False, False, True, True]


def test_responses_from_rows_reports_every_problem(tiny_template):
    with pytest.raises(AssertionError) as info:
        responses_from_rows(tiny_template, ["respondent_id", *QIDS], [["R1", 7, 1, 1, 1, "nope"]])
    assert "mem.csv:2:q1: '7' is outside the scale 1-5" in str(info.value)
    assert "mem.csv:2:q5: 'nope' is not a rating" in str(info.value)


# ------------------------------------------------------------------- 2. encodings and formats

FORMAT_HEADER = ["respondent_id", "role", "department", "q1", "q1:importance", "q1:comment", "q2", "q3", "q4", "q5"]
FORMAT_ROWS = [
    ["R1", "Manager", "Café Nord", "4", "5", "Fine, mostly", "Agree", "N/A", "1", ""],
    ["R2", "frontline", "", "", "", "", "strongly disagree", "3", "Don't know", "5"],
    ["R3", "Back office", "Support", "2", "3", "", "", " neutral", "", "4"],
]


def write_csv(path: Path, delimiter=",", encoding="utf-8", newline="\n") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerows([FORMAT_HEADER, *FORMAT_ROWS])
    return path


def write_xlsx(path: Path, floats: bool, sheets=("responses",)) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title in sheets:
        sheet = book.create_sheet(title)
        if title != "responses":
            sheet.append(["these are notes, not answers"])
            continue
        sheet.append(FORMAT_HEADER)
        for row in FORMAT_ROWS:
            cells = []
            for text in row:
                if text == "":
                    cells.append(None)
                elif text.isdigit():
                    cells.append(float(text) if floats else int(text))
                else:
                    cells.append(text)
            sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture
def plain_csv(tmp_path, tiny_template):
    responses, problems = load_responses(write_csv(tmp_path / "plain.csv"), tiny_template)
    assert problems == []
    return responses


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda d: write_csv(d / "bom_crlf.csv", encoding="utf-8-sig", newline="\r\n"), id="utf8-bom-crlf"),
        pytest.param(lambda d: write_csv(d / "semicolon.csv", delimiter=";"), id="semicolon"),
        pytest.param(lambda d: write_csv(d / "tab.tsv", delimiter="\t"), id="tab"),
        pytest.param(lambda d: write_xlsx(d / "ints.xlsx", floats=False), id="xlsx-ints"),
        pytest.param(lambda d: write_xlsx(d / "floats.xlsx", floats=True), id="xlsx-floats"),
        pytest.param(lambda d: write_xlsx(d / "sheets.xlsx", floats=False, sheets=("notes", "responses")),
                     id="xlsx-responses-sheet-not-first"),
    ],
)
def test_every_format_gives_the_same_responses(tmp_path, tiny_template, plain_csv, make):
    responses, problems = load_responses(make(tmp_path), tiny_template)
    assert problems == []
    assert_same_responses(responses, plain_csv)


def test_plain_csv_content(plain_csv):
    # the reference the other formats are compared with is itself right
    assert plain_csv.respondent_ids == ["R1", "R2", "R3"]
    assert plain_csv.ratings.loc["R1"].tolist()[:2] == [4.0, 4.0]
    assert plain_csv.not_applicable.loc["R1", "q3"] and plain_csv.not_applicable.loc["R2", "q4"]
    assert plain_csv.comments.loc["R1", "q1"] == "Fine, mostly"
    assert plain_csv.segments["department"].tolist()[0] == "Café Nord"
    assert plain_csv.segments["role"].tolist() == ["Manager", "Frontline", "Back office"]


def test_header_cells_are_stripped_and_bom_is_not_part_of_the_first_name(tmp_path, tiny_template):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeff respondent_id , q1 ,q2,q3,q4,q5\r\nR1,1,2,3,4,5\r\n".encode("utf-8"))
    responses, _ = load_responses(path, tiny_template)
    assert responses.ratings.loc["R1"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("answers.xls", b"x", "unsupported file type '.xls'; use .csv or .xlsx"),
        ("broken.xlsx", b"not a zip file", "is not an Excel workbook despite its .xlsx name; open it in the "
         "spreadsheet and save it as .xlsx (or as 'CSV UTF-8 (comma delimited)')"),
        ("cut.xlsx", b"PK\x03\x04cut short", "is not a readable Excel workbook (BadZipFile); re-save it as .xlsx"),
    ],
)
def test_unreadable_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CxError) as info:
        read_table(path)
    assert [str(p) for p in info.value.problems] == [f"{path}: {message}"]


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CxError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(CxError, match="is not a file"):
        read_table(tmp_path)


# ------------------------------------------------------------------------------- 3. the corpus

EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED), "every bad file needs an entry in expected.yaml, and every entry a file"
    tiny_errors = [f for f, e in EXPECTED.items() if e["template"] == "tiny" and e["exit"] == 1]
    warnings_only = [f for f, e in EXPECTED.items() if e["exit"] == 0]
    assert len(tiny_errors) >= 15
    assert sum(e["template"] == "cx_service_strategy" for e in EXPECTED.values()) >= 2
    assert len(warnings_only) >= 2
    assert any(f.endswith(".xlsx") for f in tiny_errors)
    assert (BAD / "empty.csv").stat().st_size == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_responses_corpus(name, capsys):
    expected = EXPECTED[name]
    status = main(["validate", str(TEMPLATES[expected["template"]]), str(BAD / name)])
    out, err = capsys.readouterr()
    lines = [line.replace(str(BAD), "{dir}") for line in out.splitlines()]
    assert lines == expected["lines"]
    assert status == expected["exit"]
    assert err == ""
    # the summary line agrees with the lines above it
    errors = sum(": warning: " not in line for line in lines[:-1])
    warnings = len(lines) - 1 - errors
    assert f"{errors} error(s)" in lines[-1] if status else f"{warnings} warning(s)" in lines[-1]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e["exit"] == 1))
def test_bad_files_raise_cx_error_from_load_responses(name):
    template = load_template(TEMPLATES[EXPECTED[name]["template"]])
    with pytest.raises(CxError) as info:
        load_responses(BAD / name, template)
    assert [str(p).replace(str(BAD), "{dir}") for p in info.value.problems] == EXPECTED[name]["lines"][:-1]


def test_problems_carry_spreadsheet_rows_and_columns(tiny_template):
    # several_errors.csv: BOM, CRLF and a blank line 6; R5 is on spreadsheet row 7
    _, problems = validate_table(read_table(BAD / "several_errors.csv"), tiny_template)
    assert [(p.row, p.column) for p in problems] == [
        (1, "q9"), (3, "q1"), (4, "respondent_id"), (4, "q1:importance"), (4, "q2"), (4, "q5"),
        (5, "respondent_id"), (7, "q2"),
    ]


# ----------------------------------------------------------------------- 4. no traceback, ever


@pytest.mark.slow
def test_command_line_bad_file_exits_1_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "cxassess.cli", "validate", str(TINY_TEMPLATE), str(BAD / "several_errors.csv")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].endswith("several_errors.csv: 8 error(s), 0 warning(s); not valid")


# ------------------------------------------------------------------------------ 5. read_targets


def test_targets_from_yaml_flat_and_nested(tmp_path, tiny_template):
    flat = tmp_path / "flat.yaml"
    flat.write_text("p1: 4\np2: 3.5\n", encoding="utf-8")
    nested = tmp_path / "nested.yaml"
    nested.write_text("# agreed with the client\ntargets:\n  p2: 5\n", encoding="utf-8")
    assert read_targets(flat, tiny_template) == {"p1": 4.0, "p2": 3.5}
    assert read_targets(nested, tiny_template) == {"p2": 5.0}


def test_targets_from_csv(tmp_path, tiny_template):
    path = tmp_path / "targets.csv"
    path.write_bytes("\ufeffpillar_id;target\r\np1;4\r\n\r\np2;5\r\n".encode("utf-8"))
    assert read_targets(path, tiny_template) == {"p1": 4.0, "p2": 5.0}


def problems_of(call) -> list[str]:
    with pytest.raises(CxError) as info:
        call()
    return [str(p) for p in info.value.problems]


def test_target_errors_in_csv_are_all_collected(tmp_path, tiny_template):
    path = tmp_path / "targets.csv"
    path.write_text("pillar_id,target\np1,4\npp2,3\np2,9\np2,high\np1,2\nsomething,1\n", encoding="utf-8")
    assert problems_of(lambda: read_targets(path, tiny_template)) == [
        f"{path}:3:pillar_id: unknown pillar 'pp2'; did you mean 'p2'?",
        f"{path}:4:target: target '9' for 'p2' must be a number from 1 to 5",
        f"{path}:5:pillar_id: a second target for 'p2' (first on row 4); keep one",
        f"{path}:6:pillar_id: a second target for 'p1' (first on row 2); keep one",
        f"{path}:7:pillar_id: unknown pillar 'something'; pillars: p1, p2",
    ]


def test_target_errors_in_yaml_point_at_the_line(tmp_path, tiny_template):
    path = tmp_path / "targets.yaml"
    path.write_text("targets:\n  p1: 0.5\n  pp1: 4\n  p2: Agree\n", encoding="utf-8")
    assert problems_of(lambda: read_targets(path, tiny_template)) == [
        f"{path}:2:p1: target '0.5' for 'p1' must be a number from 1 to 5",
        f"{path}:3:pp1: unknown pillar 'pp1'; did you mean 'p1'?",
        f"{path}:4:p2: target 'Agree' for 'p2' must be a number from 1 to 5",
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("t.csv", "", "the file is empty; expected a header row pillar_id,target and one row per pillar"),
        ("t.csv", "pillar,goal\np1,4\n", "1: expected the columns pillar_id,target (found 'pillar,goal')"),
        ("t.yaml", "- p1\n- p2\n", "expected a YAML mapping of pillar ids to target ratings, e.g. 'vision: 4'"),
    ],
)
def test_unusable_target_files(tmp_path, tiny_template, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    expected = f"{path}:{message}" if message[0].isdigit() else f"{path}: {message}"
    assert problems_of(lambda: read_targets(path, tiny_template)) == [expected]


def test_target_yaml_syntax_error_names_the_line(tmp_path, tiny_template):
    # the wording of YAML syntax errors belongs to yamlfile.read_yaml; here only the place matters
    path = tmp_path / "t.yaml"
    path.write_text("p1: 4\np2: [4\n", encoding="utf-8")
    (problem,) = problems_of(lambda: read_targets(path, tiny_template))
    assert problem.startswith(f"{path}:3: invalid YAML: ")


# ---------------------------------------------------------------------------------- 6. subset

SUBSET_ROWS = [
    ["R1", "", "Sales", "1", "2", "", "A", "1", "1", "1"],
    ["R2", "Manager", "Sales", "2", "", "N/A", "", "2", "2", "2"],
    ["R3", "Manager", "", "3", "4", "3", "C", "3", "3", "3"],
    ["R4", "Frontline", "Support", "4", "5", "4", "", "4", "4", "N/A"],
]
SUBSET_HEADER = ["respondent_id", "role", "department", "q1", "q1:importance", "q1:target", "q1:comment",
                 "q2", "q3", "q4"]


@pytest.fixture
def four(tiny_template):
    return responses_from_rows(tiny_template, SUBSET_HEADER + ["q5"], [r + ["5"] for r in SUBSET_ROWS])


def assert_subset_of(part: Responses, whole: Responses, ids: list[str]) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(part, name), getattr(whole, name).loc[ids], obj=name)
    assert part.respondent_ids == ids
    assert part.source == whole.source


@pytest.mark.parametrize(
    "rows, ids",
    [
        pytest.param([True, False, True, False], ["R1", "R3"], id="list-of-bools"),
        pytest.param(np.array([False, True, False, True]), ["R2", "R4"], id="numpy-mask"),
        pytest.param(["R4", "R1"], ["R4", "R1"], id="id-list-in-given-order"),
        pytest.param(pd.Index(["R2"]), ["R2"], id="index-of-ids"),
        pytest.param([], [], id="empty-list"),
    ],
)
def test_subset_keeps_every_frame_aligned(four, rows, ids):
    assert_subset_of(four.subset(rows), four, ids)


def test_subset_by_a_segment_mask_with_blank_cells(four):
    # role is blank for R1, so the mask starts with <NA>: not selected, no error
    mask = four.segments["role"] == "Manager"
    assert mask.isna().tolist() == [True, False, False, False]
    assert_subset_of(four.subset(mask), four, ["R2", "R3"])
    assert_subset_of(four.subset(list(mask)), four, ["R2", "R3"])


def test_subset_by_a_series_aligns_by_respondent_id(four):
    shuffled = pd.Series([True, False, True, False], index=["R4", "R3", "R2", "R1"])
    assert_subset_of(four.subset(shuffled), four, ["R2", "R4"])
    positional = pd.Series([False, False, True, True])  # a RangeIndex: taken by position
    assert_subset_of(four.subset(positional), four, ["R3", "R4"])


def test_subset_mask_of_the_wrong_length_is_refused(four):
    with pytest.raises(ValueError, match="a mask of 3 values for 4 respondents"):
        four.subset([True, False, True])


def test_subset_values_travel_with_their_respondent(four):
    part = four.subset(["R3"])
    assert part.ratings.loc["R3"].tolist() == [3.0, 3.0, 3.0, 3.0, 5.0]
    assert part.importance.loc["R3", "q1"] == 4.0
    assert part.target.loc["R3", "q1"] == 3.0
    assert part.comments.loc["R3", "q1"] == "C"
    assert part.segments.loc["R3", "role"] == "Manager"
    assert pd.isna(part.segments.loc["R3", "department"])
    part4 = four.subset(["R4", "R2"])
    assert part4.not_applicable.loc["R4", "q4"] and not part4.not_applicable.loc["R2", "q4"]
    assert part4.not_applicable.loc["R2", "q1"] is np.False_ and pd.isna(part4.target.loc["R2", "q1"])
