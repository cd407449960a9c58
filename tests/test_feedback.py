"""Customer feedback: validation, NPS/CSAT/effort by hand, tags, customer index, blind spots, plan, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import DATA, ROOT
from cxassess.analysis import actions, voice
from cxassess.analysis.assessment import assess
from cxassess.inputs.clients import load_client
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.feedback import Feedback, load_feedback, validate_feedback
from cxassess.inputs.sample_clients import SAMPLE_CLIENTS, write_sample_client
from cxassess.inputs.tables import RawTable
from cxassess.inputs.templates import find_template, load_template

CLIENTS = ROOT / "data" / "clients"


@pytest.fixture(scope="module")
def tiny() -> object:
    return load_template(DATA / "tiny_customer_template.yaml")


@pytest.fixture(scope="module")
def default_template() -> object:
    return find_template("cx_service_strategy")


def table(header: list[str], rows: list[list[object]], file: str = "fb.csv") -> RawTable:
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    return RawTable(file, header, cells, list(range(2, len(rows) + 2)))


def feedback_of(template, header, rows) -> Feedback:
    fb, problems = validate_feedback(table(header, rows), template)
    assert fb is not None, [str(p) for p in problems]
    return fb


# ------------------------------------------------------------------------------ known answers


def test_nps_of_100_promoters_30_passives_80_detractors_is_9_52():
    result = voice.nps([10] * 50 + [9] * 50 + [7, 8] * 15 + [0, 3, 6, 5] * 20)
    assert (result["promoters"], result["passives"], result["detractors"], result["n"]) == (100, 30, 80, 210)
    assert round(result["nps"], 2) == 9.52
    # margin: 1.96 x the standard error of the +1/0/-1 scores (population sd / sqrt n), computed independently
    scores = np.array([1] * 100 + [0] * 30 + [-1] * 80)
    assert result["moe"] == pytest.approx(100 * 1.96 * scores.std() / math.sqrt(len(scores)))
    assert round(result["moe"], 2) == 12.46


def test_nps_of_one_answer_of_each_score_is_minus_45_45():
    result = voice.nps(range(11))
    assert round(result["nps"], 2) == -45.45
    assert (result["promoters"], result["passives"], result["detractors"]) == (2, 2, 7)


def test_nps_of_nothing_is_nan_and_blanks_do_not_count():
    assert math.isnan(voice.nps([])["nps"])
    assert voice.nps([10, float("nan"), 0])["nps"] == 0.0


def test_csat_and_ces_by_hand():
    # 4 and 5 are satisfied: 3 of 7 -> 42.857 %
    assert voice.csat([5, 4, 3, 2, 1, 4, 3])["csat"] == pytest.approx(300 / 7)
    assert voice.csat([5, 4, 3, 2, 1, 4, 3])["satisfied"] == 3
    # (1 + 7 + 4 + 5 + 6) / 5 = 4.6
    assert voice.ces([1, 7, 4, 5, 6, float("nan")]) == {"n": 5, "ces": pytest.approx(4.6)}


def test_unhappy_takes_nps_first_then_csat_then_effort():
    answers = pd.DataFrame({"nps": [6, 7, None, None, None, None, 9], "csat": [5, 1, 2, 3, None, None, 1],
                            "ces": [7, 7, 7, 1, 3, 4, 1]}, dtype=float)
    assert voice.unhappy(answers).tolist() == [True, False, True, False, True, False, False]
    assert voice.unhappy(pd.DataFrame({"nps": [None], "csat": [None], "ces": [None]}, dtype=float)).isna().all()


def test_measures_per_touchpoint_hide_small_cells_and_estimate_word_of_mouth(tiny):
    rows = [["2026-01-05", "Phone", 0, 1, 2, None]] * 8 + [["2026-01-20", "Phone", 10, 5, 7, None]] * 4
    rows += [["2026-02-03", "Web", 9, None, None, None]] * 5
    fb = feedback_of(tiny, ["date", "touchpoint", "nps", "csat", "ces", "comment"], rows)
    settings = voice.VoiceSettings(min_answers=10, word_of_mouth=11)
    by = voice.measures(fb.answers, fb.answers["touchpoint"], settings)
    phone, web = by.loc["Phone"], by.loc["Web"]
    assert phone["nps"] == pytest.approx(100 * (4 - 8) / 12)
    assert phone["csat"] == pytest.approx(100 * 4 / 12)
    assert phone["ces"] == pytest.approx((8 * 2 + 4 * 7) / 12)
    assert phone["unhappy"] == 8 and phone["word_of_mouth"] == 88
    assert web["nps_n"] == 5 and math.isnan(web["nps"]) and math.isnan(web["nps_moe"])  # 5 < 10: hidden
    assert math.isnan(web["word_of_mouth"])
    assert web["csat_n"] == 0 and math.isnan(web["csat"])
    overall = voice.measures(fb.answers, None, voice.VoiceSettings(min_answers=10, word_of_mouth=3)).iloc[0]
    assert overall["nps"] == pytest.approx(100 * (9 - 8) / 17) and overall["word_of_mouth"] == 24
    monthly = voice.measures(fb.answers, voice.months(fb.answers), voice.VoiceSettings(min_answers=5))
    assert list(monthly.index) == ["2026-01", "2026-02"] and monthly.loc["2026-02", "nps"] == 100


# ----------------------------------------------------------------------------------- tagging


HAND_LABELLED = [  # comment, the pillars a reader would tag it with (default template)
    ("The refund took five weeks to arrive.", {"recovery"}),
    ("I was on hold on the phone for forty minutes.", {"touchpoints"}),
    ("A very knowledgeable engineer sorted it in one visit.", {"training", "recovery"}),
    ("Refunds are processed quickly these days.", {"recovery"}),
    ("Lovely carrots and fresh bread.", set()),
    ("They suggested a cheaper tariff before I asked.", {"anticipation"}),
    ("Our ticket was passed around and nobody took ownership.", {"accountability"}),
    ("The cashier was rude.", {"hiring"}),
    ("The household account page is fine.", set()),  # 'hold' is a whole word only
]


def test_comment_tagging_matches_a_hand_labelled_set(default_template):
    comments = pd.Series([c for c, _ in HAND_LABELLED])
    tags = voice.tag_comments(comments, default_template)
    found = [set(tags.columns[tags.loc[i]]) for i in range(len(HAND_LABELLED))]
    assert found == [labels for _, labels in HAND_LABELLED]


def test_keywords_are_whole_words_with_star_for_endings():
    pattern = voice.word_pattern(["refund*", "on hold", "app"])
    assert pattern.search("REFUNDED at last") and pattern.search("put ON   HOLD again")
    assert not pattern.search("an apple a day") and pattern.search("the app crashed")
    assert voice.word_pattern([]) is None


def test_a_comment_is_negative_by_its_own_score_else_by_negative_words(tiny):
    fb = feedback_of(tiny, ["nps", "csat", "comment"], [
        [3, None, "Friendly staff"],  # detractor: negative whatever the words
        [10, None, "Slow but friendly"],  # promoter: not negative despite 'slow'
        [None, None, "Very slow refund"],  # no score: the negative word decides
        [None, None, "Friendly and quick"],
        [None, 1, "All good"],  # CSAT 1, no NPS: negative
        [9, None, None],  # no comment: never negative
    ])
    assert voice.negative_comments(fb.answers, tiny).tolist() == [True, False, True, False, True, False]


def test_scrub_removes_contact_details_and_introduced_names():
    text = voice.scrub("Call me on +44 (0)20 7946 0958 or mail jo.bloggs+cx@example.co.uk. Regards, Joanna")
    assert "7946" not in text and "example" not in text and "Joanna" not in text
    assert text == "Call me on [number removed] or mail [e-mail removed]. Regards, [name removed]"
    assert voice.scrub("My name is Sam and the refund is late") == "My name is [name removed] and the refund is late"
    assert voice.scrub("Fine, thanks") == "Fine, thanks"


# ------------------------------------------------------------------------ customer index


def test_customer_index_from_questions_else_from_comments(tiny):
    # c1 (weight 2) mean 4 -> 75 on 0-100; c2 mean 2 -> 25; weighted (2 x 4 + 1 x 2) / 3 = 3.333 -> 58.33
    rows = [[4, 2, 9, "refund was fine, friendly"]] * 6 + [[4, 2, 2, "rude about my refund"]] * 4
    fb = feedback_of(tiny, ["c1", "c2", "nps", "comment"], rows)
    tags = voice.tag_comments(fb.answers["comment"], tiny)
    negative = voice.negative_comments(fb.answers, tiny)
    index = voice.customer_index(tiny, fb, tags, negative, voice.VoiceSettings(min_answers=10))
    assert index.loc["p1", "source"] == "questions" and index.loc["p1", "n"] == 10
    assert index.loc["p1", "customer_index"] == pytest.approx((10 / 3 - 1) / 4 * 100)
    # p2: 10 tagged comments, 4 from detractors -> 100 x (1 - 0.4) = 60
    assert index.loc["p2", "source"] == "comments" and index.loc["p2", "tagged_comments"] == 10
    assert index.loc["p2", "negative_comments"] == 4 and index.loc["p2", "customer_index"] == pytest.approx(60)
    hidden = voice.customer_index(tiny, fb, tags, negative, voice.VoiceSettings(min_answers=11))
    assert hidden["customer_index"].isna().all()


def test_blind_spots_and_undersold_strengths_on_constructed_data():
    staff = pd.DataFrame({"name": list("ABCDEF"), "index": [80, 60, 40, 50, 70, 55.0],
                          "action": ["keep"] * 6}, index=list("abcdef"))
    customers = pd.DataFrame({"customer_index": [50, 45.1, 55, 65, math.nan, 40.0], "source": ["questions"] * 6,
                              "n": [30] * 6}, index=list("abcdef"))
    out = voice.blind_spots(staff, customers, threshold=15)
    assert out["gap"].round(1).tolist()[:4] == [30, 14.9, -15, -15]
    assert out["kind"].tolist() == ["blind_spot", None, "undersold", "undersold", None, "blind_spot"]


# -------------------------------------------------------------------------------- validation


def test_validation_reports_every_problem_with_row_and_column(default_template):
    header = ["date", "Channel", "NPS", "csat", "ces", "comment", "E-mail", "cv_need_1", "nsp", "", "response_id"]
    rows = [
        ["2026-13-01", "Web", "11", "4", "3", "ok", "a@b.example", "6", "", "", "r1"],
        ["31/10/2026", "Web", "7.5", "4", "8", "", "", "", "", "x", "r1"],
        ["2026-10-31", "", "", "", "", "", "", "", "", "", "r2"],
        ["2026-10-30", "Web", "9,5", "Agree", "", "", "", "", "", "", ""],
    ]
    fb, problems = validate_feedback(table(header, rows), default_template)
    assert fb is None
    assert [str(p) for p in problems] == [
        "fb.csv:1:E-mail: warning: column 'E-mail' looks like a customer's identity; it is not read and never "
        "reaches a report (delete it from the file to silence this)",
        "fb.csv:1:nsp: unknown column 'nsp'; did you mean 'nps'?",
        "fb.csv:1:J: this column holds values but has no name in row 1; name it or delete it",
        "fb.csv:2:date: '2026-13-01' is not a real date (month must be in 1..12); write it as YYYY-MM-DD",
        "fb.csv:2:NPS: '11' is outside the scale 0-10: use a whole number from 0 to 10, N/A / Don't know / "
        "Not applicable, or leave it blank",
        "fb.csv:2:cv_need_1: '6' is outside the scale 1-5: use a whole number from 1 to 5, a label (Strongly "
        "disagree … Strongly agree), N/A / Don't know / Not applicable, or leave it blank",
        "fb.csv:3:date: '31/10/2026' is not a date in the form YYYY-MM-DD (a day-first or month-first date is "
        "ambiguous); format the column as a date or write 2026-10-31",
        "fb.csv:3:NPS: '7.5' is not a whole number: use a whole number from 0 to 10, N/A / Don't know / "
        "Not applicable, or leave it blank",
        "fb.csv:3:ces: '8' is outside the scale 1-7: use a whole number from 1 to 7, N/A / Don't know / "
        "Not applicable, or leave it blank",
        "fb.csv:3:response_id: duplicate response id 'r1' (first on row 2); each customer response needs its own id",
        "fb.csv:4: warning: this row holds no answer (no score, rating or comment); it is left out",
        "fb.csv:5:NPS: '9,5' has a decimal comma; ratings are whole numbers: use a whole number from 0 to 10, "
        "N/A / Don't know / Not applicable, or leave it blank",
        "fb.csv:5:csat: 'Agree' is not a number: use a whole number from 1 to 5, N/A / Don't know / "
        "Not applicable, or leave it blank",
    ]


def test_a_file_without_answer_columns_or_rows_is_refused(tiny):
    _, problems = validate_feedback(table(["date", "touchpoint"], [["2026-01-01", "Web"]]), tiny)
    assert "no answer column" in str(problems[0])
    _, problems = validate_feedback(table(["nps"], []), tiny)
    assert [str(p) for p in problems] == ["fb.csv:2: no customer answers: the file has a header but no rows; add one "
                                          "row per customer response"]


def test_valid_file_keeps_spellings_dates_and_leaves_out_personal_columns(tiny):
    fb, problems = validate_feedback(table(
        ["date", "touchpoint", "nps", "c1", "name", "comment"],
        [["2026-03-04", "Web  shop", "N/A", "Agree", "Ann Smith", "fine"],
         ["2026-03-05T10:30:00", "web shop", "8", "", "Bob", ""]]), tiny)
    assert [p.level for p in problems] == ["warning"]
    assert fb.answers["touchpoint"].tolist() == ["Web shop", "Web shop"]
    assert fb.answers["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-04", "2026-03-05"]
    assert np.isnan(fb.answers["nps"].iloc[0]) and fb.answers["nps"].iloc[1] == 8
    assert fb.ratings["c1"].iloc[0] == 4 and list(fb.ratings.columns) == ["c1", "c2"]
    assert "Ann Smith" not in fb.answers.to_string() and "name" not in fb.answers.columns


def test_xlsx_feedback_is_read_like_csv(tiny, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "touchpoint", "nps", "comment"])
    import datetime as dt

    sheet.append([dt.datetime(2026, 5, 1), "Store", 10, "friendly"])
    sheet.append([dt.datetime(2026, 5, 2), "Store", 42, ""])
    book.save(tmp_path / "customer_feedback.xlsx")
    with pytest.raises(CxError) as exc:
        load_feedback(tmp_path / "customer_feedback.xlsx", tiny)
    assert [str(p) for p in exc.value.problems] == [
        f"{tmp_path / 'customer_feedback.xlsx'}:3:nps: '42' is outside the scale 0-10: use a whole number from 0 "
        "to 10, N/A / Don't know, or leave it blank"]


def test_template_refuses_customer_question_ids_that_clash(tmp_path):
    text = (DATA / "tiny_customer_template.yaml").read_text().replace("- id: c2", "- id: q2").replace(
        "- id: c1", "- id: comment")
    (tmp_path / "t.yaml").write_text(text)
    with pytest.raises(CxError) as exc:
        load_template(tmp_path / "t.yaml")
    messages = [p.message for p in exc.value.problems]
    assert any("'comment' is a reserved column of customer feedback files" in m for m in messages)
    assert any("customer question id 'q2' is also a staff question id (pillars[0].questions[1])" in m for m in messages)


def test_old_templates_without_a_customer_side_stay_valid():
    template = load_template(DATA / "tiny_template.yaml")
    assert template.customer_question_ids == [] and template.customer_voice.negative_words == []


# -------------------------------------------------------------------------- clients and plan


def test_client_with_both_feedback_files_is_refused(tmp_path):
    import shutil

    folder = tmp_path / "northwind-retail"
    shutil.copytree(CLIENTS / "northwind-retail", folder)
    (folder / "customer_feedback.xlsx").write_bytes(b"")
    with pytest.raises(CxError, match="both customer_feedback.csv and customer_feedback.xlsx exist"):
        load_client(folder)


@pytest.mark.slow
def test_sample_feedback_matches_the_seeded_generator(tmp_path):
    with_feedback = [s for s in SAMPLE_CLIENTS if s.customers is not None]
    assert len(with_feedback) >= 2
    for sample in SAMPLE_CLIENTS:
        fresh = write_sample_client(sample, tmp_path, find_template(sample.config["template"]))
        committed = CLIENTS / sample.id
        assert (fresh / "customer_feedback.csv").is_file() == (sample.customers is not None)
        assert (committed / "customer_feedback.csv").is_file() == (sample.customers is not None)
        if sample.customers is not None:
            assert (fresh / "customer_feedback.csv").read_text() == (committed / "customer_feedback.csv").read_text()


@pytest.mark.parametrize("client_id, blind, undersold", [
    ("northwind-retail", "recovery", "anticipation"), ("brightpath-software", "customer_need", "training")])
def test_sample_blind_spot_the_staff_would_keep_becomes_do_differently(client_id, blind, undersold):
    a = assess(CLIENTS / client_id)
    assert a.voice is not None
    assert blind in a.voice.blind.index and undersold in a.voice.undersold.index
    assert a.scores.pillars.at[blind, "action"] == "keep"  # the staff alone would keep it
    rows = a.plan[a.plan["pillar_id"] == blind]
    assert set(rows["action"]) == {"do_differently"}
    row = a.voice.pillars.loc[blind]
    assert rows["evidence"].iloc[0] == (
        f"Customers rate this pillar {row['customer_index']:.0f} against the staff's {row['staff_index']:.0f} "
        f"({row['gap']:.0f} points lower), from {row['n']} answers to its customer questions. "
        "The staff's view alone would keep it as it is.")
    assert a.plan.loc[a.plan["pillar_id"] != blind, "evidence"].isna().all()
    others = a.plan[a.plan["pillar_id"] != blind][["pillar_id", "action"]].drop_duplicates()
    assert (others.set_index("pillar_id")["action"] == a.scores.pillars.loc[others["pillar_id"], "action"]).all()


def test_without_feedback_the_plan_is_the_staff_plan():
    a = assess(CLIENTS / "harbour-hotels")
    assert a.voice is None
    pd.testing.assert_frame_equal(a.plan.drop(columns="evidence"), actions.action_plan(a.scores))


def test_client_settings_change_the_customer_figures(tmp_path):
    import shutil

    folder = tmp_path / "brightpath-software"
    shutil.copytree(CLIENTS / "brightpath-software", folder)
    with open(folder / "client.yaml", "a", encoding="utf-8") as f:
        f.write("customer_feedback:\n  min_answers: 50\n  word_of_mouth_factor: 5\n  blind_spot_at: 40\n")
    a = assess(folder)
    assert a.voice.overall["word_of_mouth"] == 5 * a.voice.overall["unhappy"]
    assert a.voice.touchpoints["nps"].isna().sum() == (a.voice.touchpoints["nps_n"] < 50).sum() > 0
    assert a.voice.blind.empty  # no gap reaches 40 points
    assert (a.plan["evidence"].isna()).all()


# ------------------------------------------------------------------------------ report, CLI


@pytest.mark.slow
def test_report_section_shows_only_with_feedback():
    from cxassess.render import comparisons

    a = assess(CLIENTS / "northwind-retail")
    html = comparisons.customers(a).html
    assert "14. What your customers say" in html and "Net Promoter Score" in html
    assert html.count("data:image/png;base64,") == 3  # touchpoints, trend, staff vs customers
    assert "<li>Service recovery: staff 66, customers 27. Verdict: Do differently, not keep.</li>" in html
    assert "07700" not in html and "[number removed]" in html
    assert comparisons.customers(assess(CLIENTS / "harbour-hotels")) is None


@pytest.mark.slow
def test_cli_score_json_gains_the_customer_measures(capsys):
    folder = CLIENTS / "brightpath-software"
    code = main(["score", "cx_service_strategy", str(load_client(folder).responses_file), "--json",
                 "--feedback", str(folder / "customer_feedback.csv"), "--word-of-mouth", "2"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    customers = document["customers"]
    a = assess(folder)
    assert customers["overall"]["nps"] == a.voice.overall["nps"]  # full precision
    assert customers["overall"]["word_of_mouth"] == 2 * a.voice.overall["unhappy"]
    assert customers["blind_spots"] == ["customer_need"] and customers["undersold"] == ["training"]
    assert {t["group"] for t in customers["touchpoints"]} == {"Support chat", "E-mail", "Account manager", "Onboarding"}
    assert customers["settings"] == {"min_answers": 10, "word_of_mouth_factor": 2.0, "blind_spot_at": 15.0}


def test_cli_validate_feedback_lists_problems_and_fails(tmp_path, capsys):
    bad = tmp_path / "customer_feedback.csv"
    bad.write_text("date,nps\n2026-01-01,12\n", encoding="utf-8")
    responses = str(load_client(CLIENTS / "brightpath-software").responses_file)  # the current wave's answers
    assert main(["validate", "cx_service_strategy", responses, "--feedback", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:2:nps: '12' is outside the scale 0-10" in out and "1 error(s), 0 warning(s); not valid" in out
    good = str(CLIENTS / "brightpath-software" / "customer_feedback.csv")
    assert main(["validate", "cx_service_strategy", responses, "--feedback", good]) == 0
    assert "valid customer feedback for template 'cx_service_strategy': 220 responses" in capsys.readouterr().out


# ---------------------------------------------------------------------------------- charts


@pytest.mark.slow
def test_customer_charts_draw_the_figures_they_are_given():
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    from cxassess.render import plots

    before = plt.get_fignums()
    v = assess(CLIENTS / "northwind-retail").voice
    fig = plots.staff_vs_customer(v.pillars, threshold=15)
    points = {c.get_gid(): np.asarray(c.get_offsets()) for c in fig.findobj(PathCollection)}
    rows = list(enumerate(v.pillars.itertuples()))
    assert any(math.isnan(row.customer_index) for _, row in rows)  # a pillar without customers: no diamond
    assert np.allclose(points["staff"], [[row.staff_index, i] for i, row in rows])
    assert np.allclose(points["customer"], [[row.customer_index, i] for i, row in rows
                                            if not math.isnan(row.customer_index)])
    bands = {r.get_gid() for r in fig.findobj(Rectangle) if r.get_gid()}
    assert bands == {"recovery:blind_spot", "anticipation:undersold", "hiring:undersold"}

    small = v.touchpoints.copy()
    small.loc["E-mail", "nps"] = math.nan  # as if hidden
    heat = plots.touchpoint_heatmap(small, min_answers=10)
    cells = {r.get_gid() for r in heat.findobj(Rectangle) if r.get_gid()}
    assert "Store:nps" in cells and "E-mail:csat" in cells and "E-mail:nps" not in cells
    assert len(cells) == 3 * len(small) - 1
    trend = plots.customer_trend(v.months)
    assert len(trend.axes) == 3 and trend.axes[0].lines[0].get_ydata().tolist() == pytest.approx(v.months["nps"].tolist())
    assert plt.get_fignums() == before
