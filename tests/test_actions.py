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
             "priority": pr, "action": act, "target_index": ti, "importance": imp, "gap_index": ti - i,
             "importance_index": (imp - 1) / 4 * 100}
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
    # a pillar whose verdict a later rule moved (a blind spot) is never among the strongest, and the
    # strongest never reach into the weakest: with d left out only e and c remain above them
    strongest, weakest = actions.strongest_weakest(scores, not_strongest=["d"])
    assert list(strongest.index) == ["e", "c"] and list(weakest.index) == ["f", "b", "a"]


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
    # every figure on the 0-100 index: importance 4.5 of 1-5 is (4.5 - 1) / 4 * 100 = 87.5 -> 88
    assert sentences[0] == ('Do differently: Alpha falls short (index 30, target 80, gap 50, importance 88). '
                            'Weakest point: "Alpha 1"')
    assert sentences[2] == 'Start: Beta is barely in place (index 15, target 60, gap 45, importance 75). ' \
                           'Weakest point: "Beta 1"'
    assert not any(" out of " in s or "4.5" in s for s in sentences)
    assert sentences[3] == 'Start: Phi is barely in place (index 10). Weakest point: "Phi 1"'


def test_roadmap_is_every_priority_in_order_one_step_each(scores):
    road = actions.roadmap(scores)
    # the priorities a, c, b, f (keep d and stop e are not steps), each once, numbered 1..4
    assert road[["step", "pillar_id"]].values.tolist() == [[1, "a"], [2, "c"], [3, "b"], [4, "f"]]
    assert list(road["pillar_id"]) == list(actions.priorities(scores, 6).index)
    assert list(road["title"]) == ["Know the real need", "Deliver on it", "Deliver on it", None]
    assert road.set_index("pillar_id").loc["c", "weakest_point"] == "Gamma 2"
    assert list(actions.roadmap(scores, within_noise=["c"])["pillar_id"]) == ["a", "b", "f"]


def test_reverse_scored_questions_are_flagged(scores):
    questions = scores.questions.copy()
    questions["reverse"] = questions.index == "d1"
    flagged = Scores(scores.template, questions, scores.pillars, scores.overall, scores.respondents)
    plan = actions.action_plan(flagged).set_index("question_id")
    assert plan.loc["d1", "reverse"] and not plan.loc["d2", "reverse"]
    road = actions.roadmap(flagged).set_index("pillar_id")
    assert not road["weakest_reverse"].any()  # d1 is d's, and d (keep) is no step
    questions["reverse"] = questions.index == "c2"
    flagged = Scores(scores.template, questions, scores.pillars, scores.overall, scores.respondents)
    assert actions.roadmap(flagged).set_index("pillar_id").loc["c", "weakest_reverse"]  # c's weakest point is c2


class _Customers:
    """A stand-in for the customers' view: only its blind spots (what the verdict rule reads)."""

    def __init__(self, blind: pd.DataFrame):
        self.blind = blind


def test_blind_spot_moves_a_kept_pillar_and_says_why(scores):
    from cxassess.analysis import verdicts

    blind = pd.DataFrame({"pillar_id": ["d", "e"], "staff_index": [80.0, 70.0], "customer_index": [41.0, 30.0]}
                         ).set_index("pillar_id")
    found = verdicts.final_verdicts(scores, _Customers(blind))
    assert found.loc["d", ["action_ipa", "action"]].tolist() == ["keep", "do_differently"]
    assert found.loc["d", "action_reason"].startswith("Customers rate it 41 against the staff's 80 (0-100)")
    assert found.loc["e", "action"] == "stop" and found.loc["e", "action_reason"] is None  # only "keep" moves
    assert (found.drop("d")["action"] == scores.pillars.drop("d")["action"]).all()
    assert verdicts.moved(found) == ["d"]
    final = verdicts.with_verdicts(scores, found)
    assert final.pillars.at["d", "action"] == "do_differently" and final.pillars.at["d", "action_ipa"] == "keep"
    # the roadmap follows the final verdict: d is now a step, by its priority 0 (above f, which has none)
    assert list(actions.roadmap(final)["pillar_id"]) == ["a", "c", "b", "d", "f"]
    assert verdicts.final_verdicts(scores)["action_reason"].isna().all()  # no customer feedback, nothing moves
