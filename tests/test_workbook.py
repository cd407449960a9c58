"""The results workbook: values read back from the file agree with figures worked out by hand, small
groups stay suppressed, and no text can turn into a formula."""

from __future__ import annotations

import csv
import dataclasses
import math
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from conftest import (ROOT, hand_overall_index, hand_pillar_indices, libreoffice_convert, needs_libreoffice,
                      written_workbook)
from cxassess.analysis.assessment import assess
from cxassess.inputs.clients import load_client
from cxassess.core.errors import CxError
from cxassess.analysis.scoring import ACTIONS
from cxassess.render.workbook import SUPPRESSED, write_workbook
from cxassess.render.workbook_cells import put

CLIENTS = ROOT / "data" / "clients"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=2+2"]


def table(ws) -> list[dict]:
    """The sheet's rows as dicts keyed by the header row."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def scorecard(wb) -> list[dict]:
    """The Scorecard's rows with their Scorecard details beside them (both sheets list the pillars in one order)."""
    card, details = table(wb["Scorecard"]), table(wb["Scorecard details"])
    assert [r["Pillar"] for r in card] == [r["Pillar"] for r in details]
    return [{**c, **d} for c, d in zip(card, details)]


@pytest.fixture(scope="module")
def assessment():
    return assess(CLIENTS / "brightpath-software")  # its role breakdown has groups under the threshold


@pytest.fixture(scope="module")
def book(assessment, tmp_path_factory):
    return written_workbook(assessment, tmp_path_factory.mktemp("xlsx"))


def test_sheets_in_order(book):
    _, wb = book
    assert wb.sheetnames == ["Scorecard", "Chart", "Scorecard details", "Questions", "Segments", "Customers",
                             "Action plan", "Roadmap", "Comments", "Comment tone", "Drivers", "About"]


def test_scorecard_agrees_with_a_hand_computation(assessment, book):
    _, wb = book
    client = assessment.client
    by_hand = hand_pillar_indices(client.template, client.responses.ratings)
    rows = scorecard(wb)
    assert [r["Pillar id"] for r in rows] == [p.id for p in client.template.pillars] + ["overall"]
    for row in rows[:-1]:
        assert row["Index (0-100)"] == pytest.approx(by_hand[row["Pillar id"]], abs=1e-9)
        pillar = assessment.scores.pillars.loc[row["Pillar id"]]
        assert row["Pillar"] == pillar["name"]
        assert row["Importance-performance class"] == ACTIONS[pillar["action"]]
        assert row["Verdict"] == ACTIONS[assessment.verdicts.at[row["Pillar id"], "action"]]
        if client.targets.get(row["Pillar id"]) is not None:  # a client target is the pillar's target as set
            assert row["Target (1-5 scale)"] == pytest.approx(client.targets[row["Pillar id"]])
        if row["Target (1-5 scale)"] is not None:
            mean = (by_hand[row["Pillar id"]] / 100) * (client.template.scale.max - client.template.scale.min) \
                + client.template.scale.min
            assert row["Gap (1-5 scale)"] == pytest.approx(row["Target (1-5 scale)"] - mean, abs=1e-9)
            # the same target and gap on the 0-100 index: (t - 1) / 4 * 100 on the 1-5 scale
            assert row["Target (0-100)"] == pytest.approx((row["Target (1-5 scale)"] - 1) / 4 * 100, abs=1e-9)
            assert row["Gap (index points)"] == pytest.approx(row["Target (0-100)"] - row["Index (0-100)"], abs=1e-9)
    overall = rows[-1]
    assert overall["Pillar"] == "Overall"
    assert overall["Index (0-100)"] == pytest.approx(hand_overall_index(client.template, by_hand), abs=1e-9)
    assert overall["Respondents"] == len(client.responses.ratings)
    targets = [(p.weight, r["Target (1-5 scale)"]) for p, r in zip(client.template.pillars, rows)
               if r["Target (1-5 scale)"] is not None]
    overall_target = sum(w * t for w, t in targets) / sum(w for w, _ in targets)
    assert overall["Target (1-5 scale)"] == pytest.approx(overall_target, abs=1e-9)
    assert overall["Target (0-100)"] == pytest.approx((overall_target - 1) / 4 * 100, abs=1e-9)  # 1-5 scale


def test_number_formats_frozen_headers_and_widths(book):
    _, wb = book
    ws, details = wb["Scorecard"], wb["Scorecard details"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Index (0-100)") + 1).number_format == "0.0"
    header = [c.value for c in details[1]]
    assert details.cell(row=2, column=header.index("Mean (1-5 scale)") + 1).number_format == "0.00"
    assert details.cell(row=2, column=header.index("Respondents") + 1).number_format == "0"
    assert ws.cell(row=1, column=1).font.bold
    assert ws.column_dimensions["A"].width > 20  # the pillar's name
    for name, frozen in [("Scorecard", "B2"), ("Scorecard details", "C2"), ("Questions", "B2"), ("Segments", "C2"),
                         ("Action plan", "C2"), ("Comments", "A2")]:
        assert wb[name].freeze_panes == frozen
        assert name == "Scorecard" or wb[name].column_dimensions["B"].width > 20  # names and statements get room


def test_scorecard_carries_a_bar_chart_of_index_and_target(book):
    path, wb = book
    pillars = len(table(wb["Scorecard"])) - 1
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<barChart>" in xml and '<barDir val="bar"/>' in xml
    header = [c.value for c in wb["Scorecard"][1]]
    assert header[1:3] == ["Index (0-100)", "Target (0-100)"]  # the two series
    assert f"'Scorecard'!$B$2:$B${pillars + 1}" in xml and f"'Scorecard'!$C$2:$C${pillars + 1}" in xml
    assert f"'Scorecard'!$A$2:$A${pillars + 1}" in xml  # pillar names as categories


def test_questions_sheet_matches_the_scores(assessment, book):
    _, wb = book
    rows = table(wb["Questions"])
    questions = assessment.scores.questions
    assert [r["Question id"] for r in rows] == list(questions.index)
    for row in rows:
        q = questions.loc[row["Question id"]]
        assert row["Statement"] == q["text"]
        assert row["Ratings"] == q["n"]
        expected = assessment.client.responses.ratings[row["Question id"]].mean()
        if q["reverse"]:
            expected = 6 - expected  # 1-5 scale
        assert row["Mean (1-5 scale)"] == pytest.approx(expected, abs=1e-9)
        if q["target"] == q["target"]:  # the statement's target on the 0-100 index as on the 1-5 scale
            assert row["Target (0-100)"] == pytest.approx((row["Target (1-5 scale)"] - 1) / 4 * 100, abs=1e-9)


def _group_sizes(assessment, segment: str) -> pd.Series:
    return assessment.client.responses.segments[segment].astype(str).value_counts()


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [None, 10])
def test_segments_suppress_exactly_the_small_groups(threshold, tmp_path):
    a = assess(CLIENTS / "brightpath-software", threshold)
    limit = threshold or 5
    rows = table(load_workbook(write_workbook(a, tmp_path / "r.xlsx"))["Segments"])
    rows = [r for r in rows if r["Group"] is not None]
    expected = {(s, g) for s in a.client.responses.segments.columns for g in _group_sizes(a, s).index}
    assert {(r["Segment"], r["Group"]) for r in rows} == expected
    ratings = a.client.responses.ratings
    for row in rows:
        size = _group_sizes(a, row["Segment"])[row["Group"]]
        figures = {k: v for k, v in row.items() if k not in ("Segment", "Group")}
        if size < limit:
            assert set(figures.values()) == {SUPPRESSED}  # no figure and no size
        else:
            members = a.client.responses.segments[row["Segment"]].astype(str) == row["Group"]
            by_hand = hand_pillar_indices(a.client.template, ratings[members])
            assert row["Respondents"] == size
            assert row["Overall index"] == pytest.approx(hand_overall_index(a.client.template, by_hand), abs=1e-9)
            for pillar in a.client.template.pillars:
                assert row[pillar.name] == pytest.approx(by_hand[pillar.id], abs=1e-9)
    assert any(r["Respondents"] == SUPPRESSED for r in rows)


def test_action_plan_sheet_is_the_plan(assessment, book):
    _, wb = book
    rows = table(wb["Action plan"])
    plan = assessment.plan
    assert [(r["Action"], r["Pillar"], r["Question id"]) for r in rows] == list(
        zip(plan["action_label"], plan["pillar"], plan["question_id"]))


def test_comments_are_the_reports_unattributed_comments(assessment, book):
    _, wb = book
    rows = table(wb["Comments"])
    with open(assessment.client.responses_file, newline="", encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    written = {row[k].strip() for row in raw for k in row if k.endswith(":comment") and row[k].strip()}
    assert {r["Comment"] for r in rows} == written
    assert len(rows) == len({(r["Pillar"], r["Comment"]) for r in rows})  # each comment once per pillar
    ids = {row["respondent_id"] for row in raw}
    assert not any(v in ids for r in rows for v in r.values())  # never attributed
    assert set(rows[0]) == {"Pillar", "Comment"}


def _cell_xml(path: Path, sheet: int) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return {m.group(1): m.group(0) for m in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', xml)}


def test_formula_like_text_stays_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    for i, text in enumerate(HOSTILE + ["plain", 3.5], start=1):
        put(ws, i, 1, text)
    wb.save(tmp_path / "t.xlsx")
    cells = _cell_xml(tmp_path / "t.xlsx", 1)
    for i in range(1, len(HOSTILE) + 2):
        assert "<f>" not in cells[f"A{i}"] and re.search(r't="(inlineStr|s)"', cells[f"A{i}"])
    assert 't="n"' in cells[f"A{len(HOSTILE) + 2}"]  # a number stays a number
    back = load_workbook(tmp_path / "t.xlsx").active
    assert [back.cell(row=i, column=1).value for i in range(1, len(HOSTILE) + 1)] == HOSTILE
    assert all(back.cell(row=i, column=1).quotePrefix for i in range(1, len(HOSTILE) + 1))
    assert not back.cell(row=len(HOSTILE) + 1, column=1).quotePrefix


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_shows_formula_like_text_as_written(tmp_path):
    wb = Workbook()
    for i, text in enumerate(HOSTILE, start=1):
        put(wb.active, i, 1, text)
    wb.save(tmp_path / "hostile.xlsx")
    with open(libreoffice_convert(tmp_path / "hostile.xlsx", "csv", tmp_path), newline="", encoding="utf-8") as f:
        shown = [row[0] for row in csv.reader(f)]
    assert shown == HOSTILE  # evaluated, they would read y, 1, -1, an error...


def copy_client(name: str, tmp_path: Path, pattern: str, replacement: str) -> Path:
    """A copy of a sample client whose client.yaml has ``pattern`` replaced."""
    folder = tmp_path / name
    shutil.copytree(CLIENTS / name, folder)
    config = folder / "client.yaml"
    config.write_text(re.sub(pattern, replacement, config.read_text()))
    return folder


def test_hostile_comments_and_names_never_become_formulas(tmp_path):
    folder = copy_client("brightpath-software", tmp_path, r"(?m)^name: .*$", f"name: '{HOSTILE[0]}'")
    client = load_client(folder)
    comments = client.responses.comments.copy()
    for row, text in enumerate(HOSTILE):  # tab and CR would not survive the CSV reader's trimming: set directly
        comments.iloc[row, 0] = text
    client = dataclasses.replace(client, responses=dataclasses.replace(client.responses, comments=comments))
    path = write_workbook(assess(client), tmp_path / "results.xlsx")
    wb = load_workbook(path)
    comment_cells = {c.value: c for c in wb["Comments"]["B"]}
    for text in HOSTILE:
        assert comment_cells[text].data_type == "s" and comment_cells[text].quotePrefix
    about = wb["About"]
    assert about["B1"].value == '=HYPERLINK("http://x","y")' and about["B1"].data_type == "s"
    for sheet in range(1, len(wb.worksheets) + 1):
        assert not any("<f>" in xml for xml in _cell_xml(path, sheet).values())


def test_nothing_is_overwritten_unasked(assessment, tmp_path):
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(CxError, match="already exists"):
        write_workbook(assessment, target)
    assert target.read_bytes() == b"keep me"
    write_workbook(assessment, target, overwrite=True)
    assert load_workbook(target).sheetnames[0] == "Scorecard"
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]  # no temporary file left behind


@pytest.mark.slow
def test_a_client_without_targets_or_segments_still_gets_a_workbook(tmp_path):
    a = assess(copy_client("harbour-hotels", tmp_path, r"(?ms)^targets:\n(  .*\n)*", ""))
    assert a.client.targets == {}
    answers = a.client.responses  # the same answers without their segment columns (role, department)
    answers = dataclasses.replace(answers, segments=answers.segments.iloc[:, :0])
    a = dataclasses.replace(a, client=dataclasses.replace(a.client, responses=answers))
    assert a.breakdowns == {}
    wb = load_workbook(write_workbook(a, tmp_path / "r.xlsx"))
    assert len(table(wb["Scorecard"])) == len(a.client.template.pillars) + 1
    notes = [c.value for c in wb["Segments"]["A"] if c.value]
    assert any("no segment" in str(v) for v in notes)
    assert all(not math.isnan(v) for v in [r["Index (0-100)"] for r in table(wb["Scorecard"])])


def test_comment_tone_counts_every_comment_under_its_pillar(assessment, book):
    """Per pillar, the comments counted straight from the answers file; the split adds up; quotes are comments."""
    _, wb = book
    rows = table(wb["Comment tone"])
    template = assessment.client.template
    with open(assessment.client.responses_file, newline="", encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    written = {p.id: [row[f"{q.id}:comment"].strip() for row in raw for q in p.questions
                      if row.get(f"{q.id}:comment", "").strip()] for p in template.pillars}
    assert [r["Pillar"] for r in rows] == [p.name for p in template.pillars]
    for r, pillar in zip(rows, template.pillars):
        assert r["Comments"] == len(written[pillar.id]) == r["Negative"] + r["Neutral"] + r["Positive"]
        if r["Comments"]:
            assert r["Negative share"] == pytest.approx(r["Negative"] / r["Comments"], abs=1e-12)
        for kind in ("negative", "positive"):
            quote, tone = r[f"Most {kind} comment"], r[f"Tone of the most {kind} (-1 to 1)"]
            assert (quote is None) == (tone is None) == (r[kind.capitalize()] == 0)
            assert quote is None or quote in written[pillar.id]
    assert sum(r["Comments"] for r in rows) > 0


def test_a_quoted_formula_like_comment_stays_text(tmp_path):
    client = load_client(CLIENTS / "brightpath-software")
    comments = client.responses.comments.copy()
    comments.iloc[0, 0] = '=HYPERLINK("http://x","Great, I love it")'  # positive: quoted as the pillar's most positive
    client = dataclasses.replace(client, responses=dataclasses.replace(client.responses, comments=comments))
    path = write_workbook(assess(client), tmp_path / "results.xlsx")
    ws = load_workbook(path)["Comment tone"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == comments.iloc[0, 0]]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    sheet = load_workbook(path).sheetnames.index("Comment tone") + 1
    assert not any("<f>" in xml for xml in _cell_xml(path, sheet).values())
def test_the_drivers_sheet_says_why_a_small_client_has_none(book):
    _, wb = book
    assert wb["Drivers"]["A1"].value == ("Key drivers were not worked out: 23 respondents answered the outcome "
                                         "question and every pillar; drivers need at least 10 per pillar (120 for 12 "
                                         "pillars).")
