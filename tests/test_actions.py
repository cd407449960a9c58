"""The action plan, priorities and roadmap, on score frames written out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxassess.analysis import actions
from cxassess.analysis.scoring import Scores
from cxassess.inputs.templates import Template

NAN = math.nan
TEMPLATE = Template.model_validate(
    {
        "id": "t", "name": "T", "version": "1",
        "scale": {"min": 1, "max": 5},
        "maturity": [{"name": "Low", "min_index": 0}],
        "pillars": [
            {"id": pid, "name": name, "stage": stage, "questions": [{"id": f"{pid}{i}", "text": f"{name} {i}"} for i in (1, 2)]}
            for pid, name, stage in [
                ("a", "Alpha", "know"), ("b", "Beta", "deliver"), ("c", "Gamma", "deliver"),
                ("d", "Delta", "fix"), ("e", "Epsilon", "measure"), ("f", "Phi", None),
            ]
        ],
    }
)

# pillar: index, priority, action, target_index, importance
PILLARS = {
    "a": (30, 40.0, "do_differently", 80, 4.5),
    "b": (15, 10.0, "start", 60, 4.0),
    "c": (45, 40.0, "do_differently", 90, 4.2),
    "d": (80, 0.0, "keep", 75, 4.8),
    "e": (70, NAN, "stop", NAN, 2.0),
    "f": (10, NAN, "start", NAN, NAN),
}
# question: index, action
QUESTIONS = {
    "a1": (20, "do_differently"), "a2": (40, "keep"),
    "b1": (10, "start"), "b2": (20, "start"),
    "c1": (50, "do_differently"), "c2": (40, "do_differently"),
    "d1": (90, "keep"), "d2": (70, "keep"),
    "e1": (70, "stop"), "e2": (70, "stop"),
    "f1": (5, "start"), "f2": (15, "do_differently"),
}


@pytest.fixture
def scores() -> Scores:
    pillars = pd.DataFrame(
        [
            {"pillar_id": pid, "name": TEMPLATE.pillar(pid).name, "stage": TEMPLATE.pillar(pid).stage, "index": i,
             "priority": pr, "action": act, "target_index": ti, "importance": imp, "gap_index": ti - i}
            for pid, (i, pr, act, ti, imp) in PILLARS.items()
        ]
    ).set_index("pillar_id")
    questions = pd.DataFrame(
        [{"question_id": qid, "pillar_id": qid[0], "text": f"{TEMPLATE.pillar(qid[0]).name} {qid[1]}", "index": i,
          "action": act} for qid, (i, act) in QUESTIONS.items()]
    ).set_index("question_id")
    return Scores(TEMPLATE, questions, pillars, {"index": 40.0}, 10)


def test_strongest_and_weakest(scores):
    strongest, weakest = actions.strongest_weakest(scores)
    assert list(strongest.index) == ["d", "e", "c"]
    assert list(weakest.index) == ["f", "b", "a"]


def test_plan_groups_classes_in_order_and_sorts_within(scores):
    plan = actions.action_plan(scores)
    pillars = plan.drop_duplicates("pillar_id")[["action", "pillar_id"]].values.tolist()
    # do differently: a and c tie on priority 40 -> weakest index first (a 30, c 45);
    # start: b (priority 10) before f (no priority); keep: d; stop: e
    assert pillars == [["do_differently", "a"], ["do_differently", "c"], ["start", "b"], ["start", "f"],
                       ["keep", "d"], ["stop", "e"]]


def test_questions_behind_a_pillar(scores):
    plan = actions.action_plan(scores).groupby("pillar_id")["question_id"].apply(list)
    assert plan["a"] == ["a1"]  # only a1 shares the pillar's class
    assert plan["c"] == ["c2", "c1"]  # both share it, weakest first
    assert plan["d"] == ["d1", "d2"]  # keep: strongest first
    assert plan["f"] == ["f1"]


def test_priorities_and_sentences(scores):
    top = actions.priorities(scores)
    assert list(top.index) == ["a", "c", "b", "f"]  # start/do differently only, by priority then index
    sentences = actions.priority_sentences(scores)
    assert sentences[0] == ('Do differently: Alpha stands at 30 against a target of 80, and its importance is 4.5 '
                           'out of 5. Weakest point: "Alpha 1"')
    assert sentences[2].startswith("Start: Beta is barely in place (index 15 against a target of 60)")
    assert sentences[3] == 'Start: Phi is barely in place (index 10). Weakest point: "Phi 1"'


def test_roadmap_follows_the_cycle_with_weakest_pillars(scores):
    road = actions.roadmap(scores)
    assert road[["step", "pillar_id"]].values.tolist() == [[1, "a"], [2, "b"], [2, "c"], [4, "d"], [5, "e"]]
    assert road.set_index("pillar_id").loc["c", "weakest_point"] == "Gamma 2"
    assert "f" not in set(road["pillar_id"])  # no stage in the template


def test_reverse_scored_questions_are_flagged(scores):
    questions = scores.questions.copy()
    questions["reverse"] = questions.index == "d1"
    flagged = Scores(scores.template, questions, scores.pillars, scores.overall, scores.respondents)
    plan = actions.action_plan(flagged).set_index("question_id")
    assert plan.loc["d1", "reverse"] and not plan.loc["d2", "reverse"]
    road = actions.roadmap(flagged).set_index("pillar_id")
    assert not road.loc["d", "weakest_reverse"]  # d's weakest point is d2 (index 70)
