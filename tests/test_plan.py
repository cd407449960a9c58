"""The client's own plan (plan.yaml): drafting, checking, projected scores, planned against actual."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, responses_from_rows
from cxassess.analysis import roadmap
from cxassess.analysis.assessment import assess, compare_waves, plan_against_actual
from cxassess.analysis.scoring import score
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.clients import load_client
from cxassess.inputs.plan import load_plan
from cxassess.run.plan_file import init_plan
from cxassess.inputs.yamlfile import read_yaml

CLIENTS = ROOT / "data" / "clients"
WAVES = [SimpleNamespace(id="2026-04", date=dt.date(2026, 4, 22), template_file=None),
         SimpleNamespace(id="2026-10", date=dt.date(2026, 10, 20), template_file=None)]
PILLARS = ["p1", "p2", "recovery"]

GOOD = """\
wave: 2026-04
phases:
  - {n: 1, name: Quick wins, end: 2026-06-30}
  - {n: 2, name: Build, end: 2026-12-31}
targets:
  p1: {1: 62.5}
  p2: {2: 87.5}
actions:
  - pillar: p1
    class: do_differently
    action: Change how the first pillar is done.
    owner: Operations
    due: 2026-06-30
    phase: 1
    status: in progress
"""


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "plan.yaml"
    file.write_text(textwrap.dedent(text), encoding="utf-8")
    return file


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# ---------------------------------------------------------------------------------- checking


def test_a_good_plan_loads_with_its_wave_phases_targets_and_actions(tmp_path):
    plan = load_plan(write(tmp_path, GOOD), WAVES, PILLARS)
    assert (plan.wave, plan.date) == ("2026-04", dt.date(2026, 4, 22))
    assert [p.n for p in plan.phases] == [1, 2]
    assert plan.targets == {"p1": {1: 62.5}, "p2": {2: 87.5}}
    assert plan.actions[0].status == "in progress" and plan.actions[0].action_class == "do_differently"


def test_a_plan_without_wave_starts_from_the_latest(tmp_path):
    earlier = [SimpleNamespace(id="2025-10", date=dt.date(2025, 10, 21), template_file=None), WAVES[0]]
    plan = load_plan(write(tmp_path, GOOD.replace("wave: 2026-04\n", "")), earlier, PILLARS)
    assert (plan.wave, plan.date) == ("2026-04", dt.date(2026, 4, 22))
    with pytest.raises(CxError) as exc:  # against a later wave, its dates are in the past
        load_plan(write(tmp_path, GOOD.replace("wave: 2026-04\n", "")), WAVES, PILLARS)
    assert [p.row for p in exc.value.problems] == [2, 12]


@pytest.mark.parametrize("old, new, line, message", [
    ("  p2: {2: 87.5}", "  p9: {2: 87.5}", 7,
     "targets.p9: unknown pillar 'p9'; pillars: p1, p2, recovery"),
    ("  - pillar: p1", "  - pillar: recovry", 9, "actions[0].pillar: unknown pillar 'recovry'; did you mean 'recovery'?"),
    ("  p1: {1: 62.5}", "  p1: {1: 62.5, 2: 50}", 6,
     "targets.p1[2]: 50 is lower than phase 1's target 62.5; a target may not go down from one phase to the next: "
     "raise it to at least 62.5 or lower the earlier one"),
    ("    due: 2026-06-30", "    due: 2026-03-01", 13,
     "actions[0].due: 2026-03-01 is before the assessment the plan starts from (2026-04-22); give a date after it"),
    ("    owner: Operations", "    owner: ''", 15,
     "actions[0].status: the action is in progress but has no owner; add 'owner:' with the person or team who carries it"),
    ("    status: in progress", "    status: finished", 15,
     "actions[0].status: must be 'planned', 'in progress', 'done' or 'dropped' (found 'finished')"),
    ("    class: do_differently", "    class: fix", 10,
     "actions[0].class: must be 'do_differently', 'start', 'keep' or 'stop' (found 'fix')"),
    ("    phase: 1", "    phase: 3", 14,
     "actions[0].phase: phase 3 is not declared under phases: (phases: 1, 2); add it there or use one of those "
     "numbers"),
    ("  p2: {2: 87.5}", "  p2: {4: 87.5}", 7,
     "targets.p2[4]: phase 4 is not declared under phases: (phases: 1, 2); add it there or use one of those numbers"),
    ("  p2: {2: 87.5}", "  p2: {2: 120}", 7,
     "targets.p2[2]: must be less than or equal to 100 (found 120)"),
    ("wave: 2026-04", "wave: 2025-01", 1,
     "wave: no wave '2025-01' in this client; name one of 2026-04, 2026-10 (the assessment the plan starts from), "
     "or remove the line to start from the latest"),
    ("    owner: Operations", "    onwer: Operations", 12, "actions[0].onwer: unknown key 'onwer'; did you mean 'owner'?"),
])
def test_each_problem_is_located_and_says_how_to_fix_it(tmp_path, old, new, line, message):
    assert old in GOOD
    file = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(CxError) as exc:
        load_plan(file, WAVES, PILLARS)
    assert messages(exc) == [f"{file}:{line}: {message}"]


def test_every_problem_of_a_plan_comes_at_once(tmp_path):
    text = GOOD.replace("  p2: {2: 87.5}", "  p9: {2: 87.5}").replace("    phase: 1", "    phase: 7")
    with pytest.raises(CxError) as exc:
        load_plan(write(tmp_path, text), WAVES, PILLARS)
    assert [p.row for p in exc.value.problems] == [7, 14]


@pytest.mark.slow
def test_a_client_without_a_plan_has_none_and_a_broken_plan_stops_loading(tmp_path):
    folder = Path(shutil.copytree(CLIENTS / "riverside-energy", tmp_path / "riverside-energy"))
    assert load_client(folder).plan is None
    assert assess(folder).projection is None
    (folder / "plan.yaml").write_text("phases:\n  - {n: 1, name: One, end: 2027-01-01}\ntargets:\n  nope: {1: 50}\n")
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc)[0].startswith(f"{folder / 'plan.yaml'}:4: targets.nope: unknown pillar 'nope'")


# -------------------------------------------------------------------------------- projection

HEADER = ["respondent_id", "q1", "q2", "q3", "q4", "q5"]


def test_projection_by_hand(tiny_template, tmp_path):
    # now: p1 from q1 (w2) = [5, 3] -> 4, q2 = [4, 2] -> 3, q3 reversed [1, 4] -> [5, 2] -> 3.5:
    # mean (2*4 + 3 + 3.5) / 4 = 3.625 -> index 65.625; p2: q4 = [2, 2], q5 = [3, 1] -> (2 + 2) / 2 = 2 -> 25.
    responses = responses_from_rows(tiny_template, HEADER, [["r1", 5, 4, 1, 2, 3], ["r2", 3, 2, 4, 2, 1]])
    scores = score(tiny_template, responses, weights={"p1": 3, "p2": 1})
    assert scores.pillars["index"].tolist() == pytest.approx([65.625, 25.0])
    plan = load_plan(write(tmp_path, GOOD), WAVES, PILLARS)
    p = roadmap.projection(scores, plan)
    assert p.columns() == ["as_is", 1, 2, "to_be"]
    assert p.pillars.loc["p1"].tolist() == pytest.approx([65.625, 62.5, 62.5, 62.5])  # the target holds, even lower
    assert p.pillars.loc["p2"].tolist() == pytest.approx([25.0, 25.0, 87.5, 87.5])  # no target yet in phase 1
    assert p.overall[1] == pytest.approx((3 * 62.5 + 25) / 4)
    assert p.overall[2] == pytest.approx((3 * 62.5 + 87.5) / 4)
    assert p.overall["as_is"] == pytest.approx(scores.overall["index"])
    document = roadmap.projection_document(p)
    assert document[1] == {"phase": 2, "name": "Build", "end": "2026-12-31", "overall_index": p.overall[2],
                           "pillars": {"p1": 62.5, "p2": 87.5}}


def test_projected_overall_equals_scoring_answers_that_reach_the_projected_indices(tiny_template, tmp_path):
    responses = responses_from_rows(tiny_template, HEADER, [["r1", 5, 4, 1, 2, 3], ["r2", 3, 2, 4, 2, 1]])
    weights = {"p1": 3, "p2": 1}
    scores = score(tiny_template, responses, weights=weights)
    p = roadmap.projection(scores, load_plan(write(tmp_path, GOOD), WAVES, PILLARS))
    # answers reaching phase 1: p1 at 62.5 (every item's mean 3.5; q3 reversed: 3 and 2 count as 3 and 4), p2 as now
    phase1 = responses_from_rows(tiny_template, HEADER, [["r1", 3, 3, 3, 2, 3], ["r2", 4, 4, 2, 2, 1]])
    # answers reaching phase 2: p1 at 62.5, p2 at 87.5 (every item's mean 4.5)
    phase2 = responses_from_rows(tiny_template, HEADER, [["r1", 3, 3, 3, 4, 5], ["r2", 4, 4, 2, 5, 4]])
    for phase, answers in ((1, phase1), (2, phase2)):
        reached = score(tiny_template, answers, weights=weights)
        assert reached.pillars["index"].tolist() == pytest.approx(p.pillars[phase].tolist())
        assert reached.overall["index"] == pytest.approx(p.overall[phase], abs=1e-12)


# ----------------------------------------------------------------------------- plan init


@pytest.fixture
def northwind(tmp_path) -> Path:
    return Path(shutil.copytree(CLIENTS / "northwind-retail", tmp_path / "northwind-retail"))


@pytest.mark.slow
def test_plan_init_drafts_the_plan_from_the_analysis(northwind):
    file, backup = init_plan(northwind, today=dt.date(2026, 12, 1))
    assert backup is None and file == northwind / "plan.yaml"
    a = assess(northwind)
    plan = a.client.plan
    assert plan is not None and plan.wave == "2026-10-12" and [p.name for p in plan.phases] == ["Quick wins", "Build",
                                                                                               "Embed"]
    assert [p.end for p in plan.phases] == [dt.date(2026, 12, 31), dt.date(2027, 3, 31), dt.date(2027, 9, 30)]
    classes = a.plan.drop_duplicates("pillar_id").set_index("pillar_id")["action"]
    wanted = classes[classes.isin(["start", "do_differently", "stop"])]
    assert {x.pillar: x.action_class for x in plan.actions} == wanted.to_dict()
    pillars = a.scores.pillars
    for x in plan.actions:
        assert x.owner == "" and x.status == "planned" and x.due == plan.phases[x.phase - 1].end
        assert pillars.at[x.pillar, "name"] in x.action
        steps = plan.targets[x.pillar]
        assert list(steps) == list(range(1, x.phase + 1))  # a target for every phase up to the action's
        now, wanted_index = pillars.at[x.pillar, "index"], pillars.at[x.pillar, "target_index"]
        goal = wanted_index if wanted_index > now else max(60.0, now)
        assert steps[x.phase] == round(goal)
        assert list(steps.values()) == sorted(steps.values())
    # the most urgent pillar (highest priority) is in the first phase
    top = pillars[pillars.index.isin(plan.targets)]["priority"].idxmax()
    assert next(x.phase for x in plan.actions if x.pillar == top) == 1
    text = file.read_text(encoding="utf-8")
    assert text.startswith("# The action plan of Northwind Home & Garden")
    for x in plan.actions:
        assert f"# {pillars.at[x.pillar, 'name']}" in text
    # the customers' evidence behind a blind spot comes along as notes
    recovery = next(x for x in plan.actions if x.pillar == "recovery")
    assert recovery.notes.startswith("Customers rate this pillar")


@pytest.mark.slow
def test_plan_init_never_overwrites_and_force_keeps_a_dated_backup(northwind, capsys):
    assert main(["plan", "init", str(northwind)]) == 0
    file = northwind / "plan.yaml"
    edited = file.read_text(encoding="utf-8").replace("owner: ''", "owner: Store operations", 1)
    file.write_text(edited, encoding="utf-8")
    assert main(["plan", "init", str(northwind)]) == 1
    assert "already exists and is never overwritten" in capsys.readouterr().err
    assert file.read_text(encoding="utf-8") == edited
    first, backup = init_plan(northwind, force=True, today=dt.date(2026, 12, 1))
    assert backup == northwind / "plan.backup-2026-12-01.yaml" and backup.read_text(encoding="utf-8") == edited
    _, second = init_plan(northwind, force=True, today=dt.date(2026, 12, 1))
    assert second == northwind / "plan.backup-2026-12-01-2.yaml"
    assert "Store operations" not in file.read_text(encoding="utf-8")


@pytest.mark.slow
def test_plan_init_puts_a_broken_plan_back_when_no_draft_can_be_made(northwind):
    (northwind / "plan.yaml").write_text("targets: [oops\n", encoding="utf-8")
    (northwind / "responses.csv").write_text("respondent_id\n", encoding="utf-8")  # no usable answers
    with pytest.raises(CxError):
        init_plan(northwind, force=True)
    assert (northwind / "plan.yaml").read_text(encoding="utf-8") == "targets: [oops\n"


@pytest.mark.slow
def test_plan_init_from_an_earlier_wave_reads_back(tmp_path):
    folder = Path(shutil.copytree(CLIENTS / "harbour-hotels", tmp_path / "harbour-hotels"))
    file, backup = init_plan(folder, force=True, wave="2026-04", today=dt.date(2026, 5, 1))
    data, _ = read_yaml(file)
    assert data["wave"] == "2026-04" and backup is not None
    assert load_client(folder).plan.date == dt.date(2026, 4, 22)


# ------------------------------------------------------------------- planned against actual


@pytest.mark.slow
def test_planned_against_actual_on_the_sample_client():
    a = assess(CLIENTS / "harbour-hotels")
    table = plan_against_actual(a).set_index("pillar_id")
    _, _, changes = compare_waves(CLIENTS / "harbour-hotels", "2026-04", "2026-10")
    assert list(table.index) == ["employee_experience", "improvement", "goals", "accountability", "recognition",
                                 "recovery"]
    # planned: the target the action's phase sets (plan.yaml), by hand
    assert table["planned"].iloc[:5].tolist() == [70, 65, 60, 65, 65] and math.isnan(table.at["recovery", "planned"])
    for pillar, row in table.iterrows():
        assert row["before"] == changes.at[pillar, "before"] and row["reached"] == changes.at[pillar, "after"]
        assert row["change"] == changes.at[pillar, "change"] and row["change_status"] == changes.at[pillar, "status"]
        assert row["beyond_chance"] == (changes.at[pillar, "p"] < 0.05)
    assert table["done"].tolist() == [True, True, False, False, False, True]
    # the story: the first priority reached its target beyond chance; goals fell back while in progress
    assert table.at["employee_experience", "met"] and table.at["employee_experience", "change_status"] == "improved"
    assert table.at["goals", "status"] == "in progress" and table.at["goals", "change_status"] == "declined"
    assert not table.at["goals", "met"] and table.at["recovery", "met"] is None


@pytest.mark.slow
def test_a_plan_applies_from_its_own_wave_on():
    earliest = assess(CLIENTS / "harbour-hotels", wave="2025-10")
    assert earliest.client_plan is None and earliest.projection is None
    own = assess(CLIENTS / "harbour-hotels", wave="2026-04")
    assert own.client_plan is not None and plan_against_actual(own) is None
    assert own.projection.pillars.at["employee_experience", 1] == 70


@pytest.mark.slow
def test_the_committed_sample_plan_is_the_generators(tmp_path):
    from cxassess.inputs.sample_clients import SAMPLE_CLIENTS, write_sample_client
    from cxassess.inputs.templates import find_template

    with_plan = [s for s in SAMPLE_CLIENTS if s.plan]
    assert [s.id for s in with_plan] == ["harbour-hotels"]
    for sample in SAMPLE_CLIENTS:
        fresh = write_sample_client(sample, tmp_path, find_template(sample.config["template"]))
        committed = CLIENTS / sample.id / "plan.yaml"
        assert (fresh / "plan.yaml").is_file() == committed.is_file()
        if sample.plan:
            assert (fresh / "plan.yaml").read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


# ------------------------------------------------------------------ report, workbook, deck


@pytest.fixture(scope="module")
def harbour():
    return assess(CLIENTS / "harbour-hotels")


@pytest.mark.slow
def test_section_9_shows_the_clients_plan_and_section_13_the_plan_against_actual(harbour):
    from cxassess.analysis.assessment import progress
    from cxassess.render import comparisons, display, sections

    nine = display.section("9. Improvement roadmap", sections.roadmap(harbour)).html
    assert "The client's plan" in nine and "The roadmap from this assessment's priorities" in nine
    assert "Head of Operations" in nine and "30 Jun 2026" in nine and "in progress" in nine
    assert nine.count('<img class="cx-chart" alt="Roadmap') == 1
    thirteen = display.section("13.", comparisons.progress(progress(harbour))).html
    assert "The plan of 2026-04 against what happened" in thirteen
    assert "By 2026-10, 3 of 6 actions were marked done; 1 of the 5 with a planned target reached it" in thirteen
    assert "Improved; target reached" in thirteen and "Declined; target not reached" in thirteen
    # without a plan: the cycle alone, as before
    riverside = sections.roadmap(assess(CLIENTS / "riverside-energy"))
    assert isinstance(riverside, display.Html) and "The client's plan" not in riverside.html


@pytest.mark.slow
def test_hostile_text_in_a_plan_stays_text(tmp_path):
    from cxassess.render import display, sections
    from cxassess.render.workbook import build_workbook

    folder = Path(shutil.copytree(CLIENTS / "harbour-hotels", tmp_path / "harbour-hotels"))
    plan = folder / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "owner: Head of Operations", "owner: '<script>alert(1)</script>'").replace(
        "owner: Quality Manager", "owner: '=HYPERLINK(\"http://x\")'"), encoding="utf-8")
    a = assess(folder)
    html = display.section("9.", sections.roadmap(a)).html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ws = build_workbook(a)["Plan"]
    owners = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert len(owners) == 1 and owners[0].data_type == "s" and owners[0].quotePrefix


@pytest.mark.slow
def test_the_workbook_has_a_plan_sheet_with_the_projection_and_the_actions(harbour, tmp_path):
    from openpyxl import load_workbook

    from cxassess.render.workbook import write_workbook

    wb = load_workbook(write_workbook(harbour, tmp_path / "results.xlsx"))
    assert wb.sheetnames.index("Plan") == wb.sheetnames.index("Action plan") + 1
    rows = list(wb["Plan"].iter_rows(values_only=True))
    assert rows[0][:6] == ("Pillar", "As-is", "Phase 1: Quick wins", "Phase 2: Build", "Phase 3: Embed", "To-be")
    p = harbour.projection
    assert rows[1][0] == "Overall" and list(rows[1][1:6]) == pytest.approx(p.overall.tolist(), rel=1e-13)
    goals = next(r for r in rows if r[0] == "Goals & measurement")
    assert list(goals[1:6]) == pytest.approx([p.pillars.at["goals", "as_is"], 39.49, 60, 70, 70], abs=0.01)
    header = rows.index(next(r for r in rows if r[0] == "Phase"))
    actions = rows[header + 1:]
    assert [r[4] for r in actions] == ["Head of Operations", "Quality Manager", "Revenue & Guest Experience Director",
                                       "HR Business Partner", None, "General Managers"]
    assert [r[14] for r in actions] == ["yes", "no", "no", "no", "no", None]  # target reached
    assert "Plan" not in load_workbook(write_workbook(assess(CLIENTS / "riverside-energy"),
                                                      tmp_path / "r.xlsx")).sheetnames


@pytest.mark.slow
def test_the_deck_has_a_roadmap_slide_with_owners_and_dates(harbour, tmp_path):
    from pptx import Presentation

    from cxassess.render.deck import SLIDE_WIDTH, write_deck

    slide = list(Presentation(write_deck(harbour, tmp_path / "deck.pptx")).slides)[-1]
    assert slide.shapes.title.text == "The plan: roadmap, owners and dates"
    table = next(s.table for s in slide.shapes if s.has_table)
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Phase", "Pillar", "Owner", "Due", "Status"]
    assert rows[1] == ["1", "Employee experience & internal customers", "Head of Operations", "30 Jun 2026", "done"]
    picture = next(s for s in slide.shapes if s.shape_type == 13)
    table_shape = next(s for s in slide.shapes if s.has_table)
    assert picture.left + picture.width < table_shape.left and table_shape.left + table_shape.width <= SLIDE_WIDTH
    assert "stands at the target the plan names" in slide.notes_slide.notes_text_frame.text


@pytest.mark.slow
def test_compare_prints_the_plan_against_what_happened(capsys):
    assert main(["compare", str(CLIENTS / "harbour-hotels")]) == 0  # 2026-04 (the plan's wave) against 2026-10
    out = capsys.readouterr().out
    assert "The plan of wave '2026-04' (plan.yaml) against wave '2026-10': 3 of 6 actions done" in out
    line = next(x for x in out.splitlines() if "Employee experience & internal customers" in x and "Head of" in x)
    assert line.split()[-5:] == ["70", "71.2", "+15.0", "improved", "reached"]
    assert main(["compare", str(CLIENTS / "harbour-hotels"), "--waves", "2025-10", "2026-04"]) == 0
    out = capsys.readouterr().out
    assert "against wave" not in out and "starts from wave '2026-04'" in out
