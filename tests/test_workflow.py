"""The README's consultant workflow: a Google Forms export to a client deck in three commands."""

from __future__ import annotations

import csv

import pytest
from pptx import Presentation

from cxassess.cli import main
from cxassess.inputs.clients import load_client
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import find_template


def _google_forms_export(path, template) -> dict[str, dict[str, str]]:
    """A Google Forms responses CSV (labels, grids as ``Title [Statement]``) from sample answers; returns them by row."""
    answers = generate(template, Profile(respondents=12, importance=True, targets=False, comment_rate=0), seed=3)
    labels = template.scale.labels
    questions = [q for p in template.pillars for q in p.questions]
    header = ["Timestamp", "Role", "Department"]
    header += [f"Current practice [{q.text}]" for q in questions]
    header += [f"Importance to customers [{q.text}]" for q in questions]
    rows, expected = [], {}
    for i, row in answers.iterrows():
        def label(value: str) -> str:
            return labels[int(value)] if value.isdigit() else value  # "N/A" and blanks as given
        cells = [f"2026/11/{10 + i % 9} 09:{i:02d}:00", row["role"], row["department"]]
        cells += [label(row[q.id]) for q in questions]
        cells += [label(row[f"{q.id}:importance"]) for q in questions]
        rows.append(cells)
        expected[str(i)] = {q.id: row[q.id] for q in questions}
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return expected


@pytest.mark.slow
def test_google_forms_export_to_client_deck_in_three_commands(tmp_path, capsys):
    template = find_template("cx_service_strategy")
    export = tmp_path / "Service survey (Responses).csv"
    expected = _google_forms_export(export, template)
    client = tmp_path / "clients" / "acme-retail"  # not there yet: the import makes it

    # 1. the export becomes the client's answers file
    assert main(["import", "--from", "google-forms", str(export), "--template", "cx_service_strategy",
                 "--out", str(client / "responses.csv")]) == 0
    # 2. the client's details (the README shows this as one printf)
    (client / "client.yaml").write_text("name: Acme Retail\ntemplate: cx_service_strategy\n"
                                        "assessment_date: 2026-11-20\n", encoding="utf-8")
    # 3. the deck
    assert main(["report", str(client), "--out", str(tmp_path / "reports"), "--format", "pptx"]) == 0
    capsys.readouterr()

    loaded = load_client(client)
    ratings = loaded.responses.ratings
    assert len(ratings) == len(expected)
    answered = {q: v for q, v in next(iter(expected.values())).items() if v.isdigit()}
    first = ratings.iloc[0]
    assert {q: str(int(first[q])) for q in answered} == answered  # labels came back as scale values
    deck = Presentation(tmp_path / "reports" / "acme-retail" / "latest" / "deck.pptx")
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title is not None]
    assert len(deck.slides) == 7 and "Acme Retail" in " ".join(
        shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert "Action plan" in titles
