"""`cxassess form --out statements.txt`: the questionnaire as a text list to build an online survey from.

The test builds the survey a consultant would build from the list alone (a choice question per
segment, a grid per pillar titled with its name, an importance grid), answers it as Google Forms
exports it, and imports the export: every statement and answer must come back. The expected answers
are drawn by index into the list's own choices, not by the code under test.
"""

from __future__ import annotations

import csv

import pytest

from cxassess.cli import main
from cxassess.inputs.responses import load_responses
from cxassess.inputs.templates import find_template


def _parse(text: str) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """Segments (title -> values), rating choices and pillar statements (title -> rows) read from the list."""
    blocks = [block.splitlines() for block in text.split("\n\n")]
    segments = next({line.split(": ", 1)[0]: line.split(": ", 1)[1].split(" | ") for line in b[1:]}
                    for b in blocks if b[0] == "Segments:")
    choices = next(b[1:] for b in blocks if b[0].startswith("Rating choices"))
    pillars = {b[0].split(". ", 1)[1]: b[1:] for b in blocks if b[0][:1].isdigit()}
    return segments, choices, pillars


def _overall(text: str) -> list[str]:
    """The statements listed under "Overall" (the questionnaire's outcome question), if any."""
    return next((b.splitlines()[1:] for b in text.split("\n\n") if b.startswith("Overall")), [])


@pytest.mark.slow
def test_the_list_builds_a_survey_whose_export_imports_back(tmp_path, capsys):
    template = find_template("cx_service_strategy")
    client = tmp_path / "acme"
    client.mkdir()
    (client / "client.yaml").write_text("name: Acme Retail\ntemplate: cx_service_strategy\nassessment_date: "
                                        "2026-11-20\nsegments: {department: [Stores, Online]}\n", encoding="utf-8")
    assert main(["form", "--client", str(client), "--out", str(tmp_path / "statements.txt")]) == 0
    assert "the 61 statements of template 'cx_service_strategy' as text" in capsys.readouterr().out
    text = (tmp_path / "statements.txt").read_text(encoding="utf-8")
    assert text.startswith("Customer Service Strategy Self-Assessment - Acme Retail\n")
    segments, choices, pillars = _parse(text)
    assert segments == {"Role": ["Leadership", "Manager", "Frontline", "Back office"],
                        "Department": ["Stores", "Online"]}  # the client's own departments
    assert choices == ["1 - Strongly disagree", "2 - Disagree", "3 - Neither agree nor disagree", "4 - Agree",
                       "5 - Strongly agree", "N/A", "Don't know", "Not applicable"]
    assert list(pillars) == [p.name for p in template.pillars]
    statements = [s for rows in pillars.values() for s in rows]
    assert len(statements) == 61
    [overall] = _overall(text)  # the outcome question, asked as one more choice question titled with it
    assert overall == template.outcome.text and overall not in statements

    header = ["Timestamp", "Role", "Department"]
    header += [f"{title} [{s}]" for title, rows in pillars.items() for s in rows]
    header += [f"Importance to customers [{s}]" for s in statements] + [overall]
    answers = []
    for r in range(5):  # respondent r answers statement i with choice (i + r) % 6 (a rating, or N/A)
        answers.append([choices[(i + r) % 6] for i in range(61)] + [choices[(i + 2 * r) % 5] for i in range(61)]
                       + [choices[(r + 3) % 6]])  # overall: 4, 5, N/A, 1, 2
    export = tmp_path / "Survey (Responses).csv"
    with open(export, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header] + [[f"2026/11/2{r} 10:00:00", segments["Role"][r % 4],
                                                  segments["Department"][r % 2], *row]
                                                 for r, row in enumerate(answers)])
    out = tmp_path / "responses.csv"
    assert main(["import", "--from", "google-forms", str(export), "--template", "cx_service_strategy",
                 "--out", str(out)]) == 0
    assert "5 respondents, 61 of 61 questions" in capsys.readouterr().out
    responses, _ = load_responses(out, template)
    ids = template.question_ids
    for r in range(5):
        row = responses.ratings.iloc[r]
        for i, qid in enumerate(ids):
            k = (i + r) % 6
            if k == 5:
                assert responses.not_applicable.iloc[r][qid]
            else:
                assert row[qid] == k + 1, (r, qid)
            assert responses.importance.iloc[r][qid] == (i + 2 * r) % 5 + 1
    assert responses.outcome.tolist()[:2] == [4.0, 5.0] and responses.outcome.tolist()[3:] == [1.0, 2.0]
    assert responses.outcome.isna().tolist() == [False, False, True, False, False]


def test_a_scale_with_unlabelled_points_lists_every_point(tmp_path, capsys):
    assert main(["form", "servqual", "--out", str(tmp_path / "sq.txt")]) == 0
    _, choices, pillars = _parse((tmp_path / "sq.txt").read_text(encoding="utf-8"))
    assert choices == ["1 - Strongly disagree", "2", "3", "4 - Neutral", "5", "6", "7 - Strongly agree", "N/A",
                       "Don't know"]
    assert sum(len(rows) for rows in pillars.values()) == 22
    assert _overall((tmp_path / "sq.txt").read_text(encoding="utf-8")) == []  # servqual asks no outcome question
    assert main(["form", "servqual", "--out", str(tmp_path / "sq.txt")]) == 1  # not replaced without --force
    assert "already exists" in capsys.readouterr().err


def test_form_messages_count_the_questionnaires_own_statements(tmp_path, capsys):
    """`cxassess form` says how many statements the questionnaire it wrote has (SERVQUAL's, not the default's 61)."""
    assert main(["form", "servqual", "--out", str(tmp_path / "servqual.txt")]) == 0
    said = capsys.readouterr().out
    _, _, pillars = _parse((tmp_path / "servqual.txt").read_text(encoding="utf-8"))
    count = sum(len(rows) for rows in pillars.values())  # counted in the list it wrote, not by the code under test
    assert count != 61
    assert f"the {count} statements of template 'servqual' as text" in said
    assert main(["form", "servqual", "--out", str(tmp_path / "servqual.xlsx")]) == 0
    assert f"questionnaire form for template 'servqual' ({count} questions)" in capsys.readouterr().out
