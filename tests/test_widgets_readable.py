"""The questionnaire and the explorer as people read them: problems listed at Save, labels whole, sliders with room.

Driven in Python as a person would (values set, buttons clicked); figures checked against the sample
clients' answers by hand: northwind-retail has 64 respondents, its largest group is 30 (Frontline),
its hiring target (the mean of the respondents' target answers) is 4.09.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import ipywidgets as w
import pytest

from conftest import ROOT
from cxassess.inputs.clients import load_client
from cxassess.interactive import capture, controls, explore

BRIGHTPATH = ROOT / "data" / "clients" / "brightpath-software"
NORTHWIND = ROOT / "data" / "clients" / "northwind-retail"


@pytest.fixture
def form(tmp_path):
    folder = Path(shutil.copytree(BRIGHTPATH, tmp_path / "brightpath-software"))
    return capture.questionnaire(folder)


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    folder = Path(shutil.copytree(NORTHWIND, tmp_path_factory.mktemp("x") / "northwind-retail"))
    return explore.Explorer(folder, delay=0, charts=("summary", "scorecard"))


def listed(form) -> list[str]:
    """The items of the problem list beside the Save button, as text."""
    return [re.sub(r"<[^>]+>", "", item).replace("&amp;", "&").replace("&#x27;", "'")
            for item in re.findall(r"<li>(.*?)</li>", form.problem_list.value)]


def marked(form) -> set[str]:
    return {field for field, label in form.problems.items() if label.value}


def answers_file_bytes(form) -> bytes:
    return load_client(form.folder).responses_file.read_bytes()


# ------------------------------------------------------------------------------------------- capture


def test_an_empty_form_is_listed_beside_save(form):
    before = answers_file_bytes(form)
    form.save_button.click()
    assert listed(form) == ["nothing to save: the form is empty; type your id and answer at least one question"]
    assert "Not saved:</b> 1 problem(s), listed below." in form.message.value and "marked" not in form.message.value
    assert marked(form) == set() and form.saves == 0 and answers_file_bytes(form) == before


def test_a_missing_id_is_listed_beside_save_and_marked_at_the_id(form):
    form.ratings["vision_1"].value = "3"
    form.save_button.click()
    assert listed(form) == ["Your id: missing respondent id; give every row a unique id"]
    assert marked(form) == {"respondent_id"} and "listed below, and marked at its field." in form.message.value


def test_every_error_is_listed_and_each_is_marked_at_its_field(form, monkeypatch):
    """Cells a dropdown cannot produce (typed into the file's columns elsewhere) take the same path."""
    bad = {**form.answers(), "vision_1": "7", "goals_2:importance": "very", "respondent_id": ""}
    monkeypatch.setattr(form, "answers", lambda: bad)
    form.save_button.click()
    found = sorted(item.split(":")[0] + ":" + item.split(":")[1] for item in listed(form))  # field: message head
    assert found == ["Goals & measurement, question 2 (importance to customers): 'very' is not a number",
                     "Service vision & leadership, question 1: '7' is outside the scale 1-5",
                     "Your id: missing respondent id; give every row a unique id"]
    assert len(listed(form)) == 3  # the warning (under half answered) is not a reason to refuse
    assert marked(form) == {"respondent_id", "vision_1", "goals_2"}
    assert "3 problem(s), listed below, and marked at their fields" in form.message.value

    monkeypatch.setattr(form, "answers", lambda: {**bad, "respondent_id": "W1", "vision_1": "4",
                                                  "goals_2:importance": "5"})
    form.save_button.click()  # fixed: saved, and the list and the marks are cleared
    assert "Saved" in form.message.value and form.problem_list.value == "" and marked(form) == set()


def test_a_taken_id_is_listed_with_its_file_and_row(form):
    form.respondent.value = "R001"
    form.ratings["vision_1"].value = "2"
    form.save_button.click()
    (item,) = listed(form)
    assert item.endswith("responses.csv:2:respondent_id: respondent id 'R001' is already saved (row 2); use another "
                         "id, or choose to replace the saved answers")
    assert marked(form) == {"respondent_id"}


def label_text(box: w.HBox) -> str:
    label, _ = box.children
    assert "white-space: normal" in label.value and "ellipsis" not in label.value
    return re.sub(r"<[^>]+>", "", label.value).replace("&amp;", "&")


def test_the_forms_labels_stand_whole_beside_their_controls(form):
    t = form.template
    boxes = [b for b in walk(form.widget) if isinstance(b, w.HBox) and "cx-label" in getattr(
        b.children[0], "_dom_classes", ())]
    texts = {label_text(b) for b in boxes}
    assert {s.title for s in t.segments} | {t.terms.rating, t.terms.importance} <= texts
    assert all(b.children[1].description == "" for b in boxes)  # nothing left for ipywidgets to cut


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


# ------------------------------------------------------------------------------------------ explorer


def rows(explorer, tab: int) -> list[w.HBox]:
    return [b for b in explorer.widget.children[0].children[tab].children if isinstance(b, w.HBox)]


@pytest.mark.slow
def test_pillar_names_stand_whole_beside_their_sliders(explorer):
    names = list(explorer.assessment.scores.pillars["name"])
    assert "Employee experience & internal customers" in names
    for tab, sliders in ((0, explorer.targets), (1, explorer.weights)):
        found = rows(explorer, tab)
        assert [label_text(b) for b in found] == names
        assert [b.children[1] for b in found] == list(sliders.values())
        assert all(s.description == "" for s in sliders.values())
        assert all(b.children[0].layout.width == controls.LABEL_WIDTH for b in found)


def track(slider) -> float:
    return float(slider.layout.width.removesuffix("px")) - controls.READOUT_PX


@pytest.mark.slow
def test_every_slider_gives_each_step_four_pixels_or_more(explorer):
    vision = explorer.targets["vision"]
    assert (vision.min, vision.max, vision.step) == (1, 5, 0.1)  # 40 steps
    assert track(vision) >= 40 * 4
    assert explorer.threshold.min == 5 and explorer.threshold.max == 31  # the largest group (30) + 1: none offered
    assert track(explorer.threshold) >= 26 * 4
    for slider in [*explorer.targets.values(), *explorer.weights.values(), explorer.threshold]:
        steps = round((slider.max - slider.min) / slider.step)
        assert track(slider) / steps >= 4, slider


def scorecard_targets(explorer) -> dict[str, str]:
    """Pillar name -> the target on the rating scale in the explorer's scorecard (last column: "mean · target")."""
    table = explorer.outputs["scorecard"].outputs[0]["data"]["text/html"]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:  # the header row has th cells only
            out[cells[0].replace("&amp;", "&")] = cells[-1].split("·")[1].strip()
    return out


@pytest.mark.slow
def test_the_scorecard_gives_a_target_as_its_slider_does(explorer):
    names = explorer.assessment.scores.pillars["name"]
    assert explorer.assessment.scores.pillars.loc["hiring", "target"] == pytest.approx(4.09, abs=0.005)
    shown = scorecard_targets(explorer)
    assert shown["Hiring for service"] == "4.1" == format(explorer.targets["hiring"].value, ".1f")
    for pillar, slider in explorer.targets.items():
        assert shown[names[pillar]] == format(slider.value, slider.readout_format), pillar
    explorer.targets["hiring"].value = 4.3
    assert scorecard_targets(explorer)["Hiring for service"] == "4.3"
    explorer.targets["hiring"].value = 4.1  # back where it started: not a moved target


@pytest.mark.slow
def test_the_summary_says_whose_answers_once(explorer):
    def summary() -> str:
        html = explorer.outputs["summary"].outputs[0]["data"]["text/html"]
        return re.sub(r"<[^>]+>", "", html.split("</style>")[1]).strip()

    assert summary().startswith("Everyone, 64 respondents: overall index 49 (Defined)")
    assert summary().count("respondents") == 1 and dict(explorer.segment.options)["Everyone"] == ()
    explorer.segment.value = ("role", "Manager")
    assert summary().startswith("Role: Manager, 11 respondents: overall index ")
    explorer.segment.value = explore.EVERYONE
