"""Scoring arithmetic against values worked out by hand (see the comments) and invariants."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxassess.inputs.responses import Responses, validate_table
from cxassess.inputs.tables import RawTable
from cxassess.analysis.breakdowns import breakdown
from cxassess.analysis.document import to_document
from cxassess.analysis.scoring import (
    classify,
    cronbach_alpha,
    flip_reversed,
    rwg,
    score,
)
from cxassess.inputs.templates import ActionRules, Template

TEMPLATE = Template.model_validate(
    {
        "id": "hand",
        "name": "Hand-checked",
        "version": 1,
        "scale": {"min": 1, "max": 5, "labels": {1: "Strongly disagree", 5: "Strongly agree"}, "na": ["N/A"]},
        "segments": ["role"],
        "maturity": [
            {"name": "Basic", "min_index": 0},
            {"name": "Developing", "min_index": 40},
            {"name": "Advanced", "min_index": 60},
        ],
        "pillars": [
            {
                "id": "p1",
                "name": "Pillar one",
                "weight": 2,
                "questions": [
                    {"id": "q1", "text": "one", "weight": 2},
                    {"id": "q2", "text": "two"},
                    {"id": "q3", "text": "three", "reverse": True},
                ],
            },
            {"id": "p2", "name": "Pillar two", "questions": [{"id": "q4", "text": "four"}, {"id": "q5", "text": "five"}]},
        ],
    }
)

# q3 is reversed: 1->5, 4->2, 2->4, 5->1, so q3' = [5, 2, 4, 1].
HEADER = ["respondent_id", "role", "q1", "q2", "q3", "q4", "q5", "q1:importance", "q4:importance", "q1:target"]
ROWS = [
    ["r1", "Leadership", "5", "4", "1", "4", "N/A", "5", "3", "5"],
    ["r2", "Frontline", "3", "2", "4", "", "", "4", "2", "4"],
    ["r3", "Frontline", "4", "3", "2", "3", "3", "", "", "5"],
    ["r4", "Manager", "2", "", "5", "5", "4", "3", "4", ""],
]


def load(header=HEADER, rows=ROWS) -> Responses:
    responses, problems = validate_table(RawTable("hand.csv", header, rows, list(range(2, len(rows) + 2))), TEMPLATE)
    assert responses is not None, [str(p) for p in problems]
    return responses


@pytest.fixture(scope="module")
def scores():
    return score(TEMPLATE, load())


def test_question_means_and_counts(scores):
    q = scores.questions
    # q1 [5,3,4,2]; q2 [4,2,3]; q3' [5,2,4,1]; q4 [4,3,5]; q5 [3,4] (N/A and blanks dropped)
    assert q.loc["q1", "mean"] == pytest.approx(3.5)
    assert q.loc["q2", "mean"] == pytest.approx(3.0)
    assert q.loc["q3", "mean"] == pytest.approx(3.0)
    assert q.loc["q4", "mean"] == pytest.approx(4.0)
    assert q.loc["q5", "mean"] == pytest.approx(3.5)
    assert q["n"].tolist() == [4, 3, 4, 3, 2]
    assert q["na"].tolist() == [0, 0, 0, 0, 1]
    assert q.loc["q1", "index"] == pytest.approx(62.5)  # (3.5-1)/4*100


def test_pillar_mean_index_and_overall(scores):
    p = scores.pillars
    # p1 = (2*3.5 + 3 + 3) / 4 = 3.25 -> index 56.25; p2 = (4 + 3.5) / 2 = 3.75 -> index 68.75
    assert p.loc["p1", "mean"] == pytest.approx(3.25)
    assert p.loc["p1", "index"] == pytest.approx(56.25)
    assert p.loc["p2", "mean"] == pytest.approx(3.75)
    assert p.loc["p2", "index"] == pytest.approx(68.75)
    # overall = (2*56.25 + 1*68.75) / 3
    assert scores.overall["index"] == pytest.approx(181.25 / 3)
    assert p["maturity"].tolist() == ["Developing", "Advanced"]
    assert scores.overall["maturity"] == "Advanced"
    # n: everyone rated something in p1; r2 rated nothing in p2
    assert p["n"].tolist() == [4, 3]


def test_importance_target_gap(scores):
    p = scores.pillars
    # importance: q1 [5,4,3] -> 4 (only rated item of p1); q4 [3,2,4] -> 3
    assert p.loc["p1", "importance"] == pytest.approx(4.0)
    assert p.loc["p2", "importance"] == pytest.approx(3.0)
    # target from q1:target [5,4,5] -> 14/3; gap = 14/3 - 3.25 = 17/12 points = 17/12/4*100 index points
    assert p.loc["p1", "target"] == pytest.approx(14 / 3)
    assert p.loc["p1", "gap"] == pytest.approx(17 / 12)
    assert p.loc["p1", "gap_index"] == pytest.approx(17 / 12 / 4 * 100)
    assert p.loc["p1", "target_source"] == "responses"
    assert math.isnan(p.loc["p2", "target"]) and math.isnan(p.loc["p2", "gap"])


def test_priority_is_gap_weighted_by_importance(scores):
    # p1: gap_index 17/12/4*100, importance 4 -> importance index 75 -> priority gap_index * 0.75
    assert scores.pillars.loc["p1", "priority"] == pytest.approx(17 / 12 / 4 * 100 * 0.75)
    assert math.isnan(scores.pillars.loc["p2", "priority"])  # no target, no gap
    # q1: target 14/3, mean 3.5 -> gap_index (7/6)/4*100, importance 4 -> 75
    assert scores.questions.loc["q1", "priority"] == pytest.approx(7 / 6 / 4 * 100 * 0.75)


def test_targets_file_overrides_responses():
    s = score(TEMPLATE, load(), targets={"p1": 4.5, "p2": 4.0})
    assert s.pillars.loc["p1", "target"] == 4.5
    assert s.pillars.loc["p1", "gap"] == pytest.approx(4.5 - 3.25)
    assert s.pillars.loc["p2", "gap_index"] == pytest.approx((4.0 - 3.75) / 4 * 100)
    assert s.pillars["target_source"].tolist() == ["targets", "targets"]


def test_spread_of_respondent_pillar_means(scores):
    # p1 per respondent, weights q1=2, q2=1, q3=1 over what each rated:
    # r1 (10+4+5)/4, r2 (6+2+2)/4, r3 (8+3+4)/4, r4 (4+1)/3 (no q2)
    assert scores.pillars.loc["p1", "sd"] == pytest.approx(statistics.stdev([19 / 4, 10 / 4, 15 / 4, 5 / 3]))
    # p2: r1 4, r3 (3+3)/2, r4 (5+4)/2; r2 rated nothing
    assert scores.pillars.loc["p2", "sd"] == pytest.approx(statistics.stdev([4, 3, 4.5]))


def test_rwg_single_item_and_multi_item(scores):
    # sigma_EU^2 = (5^2 - 1)/12 = 2. Variances: q1 5/3, q2 1, q3' 10/3, q4 1, q5 1/2
    q = scores.questions
    assert q.loc["q1", "rwg"] == pytest.approx(1 - (5 / 3) / 2)
    assert q.loc["q2", "rwg"] == pytest.approx(0.5)
    assert q.loc["q3", "rwg"] == 0.0  # 10/3 > 2: truncated
    # p1: mean variance (5/3 + 1 + 10/3)/3 = 2 = null variance -> 0
    assert scores.pillars.loc["p1", "rwg"] == 0.0
    # p2: mean variance 0.75, ratio 0.375, J=2: 2*0.625 / (2*0.625 + 0.375)
    assert scores.pillars.loc["p2", "rwg"] == pytest.approx(1.25 / 1.625)


def test_rwg_edge_cases():
    assert rwg(pd.Series([0.0, 0.0]), 5) == 1.0  # perfect agreement
    assert math.isnan(rwg(pd.Series([np.nan]), 5))  # fewer than two raters
    assert rwg(pd.Series([3.0]), 5) == 0.0


def test_cronbach_alpha_by_hand(scores):
    # p1 on complete respondents r1 (5,4,5), r2 (3,2,2), r3 (4,3,4): item variances 1, 1, 7/3;
    # totals 14, 7, 11 -> variance 37/3; alpha = 3/2 * (1 - (13/3)/(37/3)) = 36/37
    p = scores.pillars
    assert p.loc["p1", "alpha"] == pytest.approx(36 / 37)
    assert p.loc["p1", "alpha_n"] == 3
    dropped = p.loc["p1", "alpha_if_dropped"]
    assert dropped["q1"] == pytest.approx(18 / 19)
    assert dropped["q2"] == pytest.approx(18 / 19)
    assert dropped["q3"] == pytest.approx(1.0)
    # p2 on r3 (3,3), r4 (5,4): variances 2, 0.5; totals 6, 9 -> 4.5; alpha = 2 * (1 - 2.5/4.5)
    assert p.loc["p2", "alpha"] == pytest.approx(8 / 9)
    assert all(math.isnan(v) for v in p.loc["p2", "alpha_if_dropped"].values())  # one item left


@pytest.mark.slow
def test_cronbach_alpha_matches_pingouin():
    pingouin = pytest.importorskip("pingouin")
    rng = np.random.default_rng(3)
    latent = rng.normal(3, 1, 60)
    items = pd.DataFrame({f"i{j}": np.clip(np.rint(latent + rng.normal(0, 0.8, 60)), 1, 5) for j in range(5)})
    items.iloc[rng.integers(0, 60, 12), rng.integers(0, 5, 12)] = np.nan
    ours, dropped = cronbach_alpha(items)
    theirs = pingouin.cronbach_alpha(items, nan_policy="listwise")[0]
    assert ours == pytest.approx(theirs, rel=1e-9)
    complete = items.dropna()
    for column in items.columns:
        expected = pingouin.cronbach_alpha(complete.drop(columns=column))[0]
        assert dropped[column] == pytest.approx(expected, rel=1e-9)


def _alpha_directly(matrix: np.ndarray) -> float:
    """Cronbach's alpha straight from its definition: item variances against the variance of the sums."""
    n, k = matrix.shape
    if k < 2 or n < 2:
        return math.nan
    total = matrix.sum(axis=1).var(ddof=1)
    if not total > 1e-12:
        return math.nan
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total)


@pytest.mark.parametrize("case", ["random", "constant item", "items that cancel", "two items", "one row"])
def test_alpha_from_one_covariance_matrix_equals_the_definition(case):
    rng = np.random.default_rng(11)
    block = np.clip(np.rint(rng.normal(3, 1.2, (40, 5))), 1, 5)
    block[rng.integers(0, 40, 8), rng.integers(0, 5, 8)] = np.nan
    if case == "constant item":
        block[:, 2] = 4.0
    elif case == "items that cancel":  # q0 + q1 is the same for everyone: dropping the others leaves no variance
        block = block[:, :3]
        block[:, 1] = 6 - block[:, 0]
    elif case == "two items":
        block = block[:, :2]
    elif case == "one row":
        block = block[:1]
    alpha, dropped = cronbach_alpha(pd.DataFrame(block))
    complete = block[~np.isnan(block).any(axis=1)]
    expected = [_alpha_directly(np.delete(complete, j, axis=1)) for j in range(block.shape[1])]
    assert alpha == pytest.approx(_alpha_directly(complete), rel=1e-9, nan_ok=True)
    assert dropped.tolist() == pytest.approx(expected, rel=1e-9, nan_ok=True)


def test_action_classes(scores):
    # p1: importance 4 -> index 75 (important), performance 56.25 < 60 -> do differently
    # p2: importance 3 -> index 50 (not important) -> stop / reduce
    assert scores.pillars["action"].tolist() == ["do_differently", "stop"]
    # q1: important (75), index 62.5 -> keep; q2, q5: no importance, no target -> treated as important;
    # q2 index 50 -> do differently, q5 index 62.5 -> keep; q4 importance 3 -> stop; q3 (index 50) -> do differently
    assert scores.questions["action"].tolist() == ["keep", "do_differently", "do_differently", "stop", "keep"]


@pytest.mark.parametrize(
    "index, importance_index, gap_index, expected",
    [
        (15, 80, math.nan, "start"),  # important and in the bottom fifth
        (20, 80, math.nan, "start"),  # the bottom fifth includes 20
        (21, 80, math.nan, "do_differently"),
        (60, 60, math.nan, "keep"),  # thresholds are inclusive
        (90, 30, math.nan, "stop"),  # unimportant, over-invested
        (50, math.nan, 15, "do_differently"),  # no importance: a large gap makes it a priority
        (50, math.nan, 5, "stop"),  # small gap, no importance: not a priority
        (10, math.nan, math.nan, "start"),  # nothing to weigh by: everything counts as important
        (math.nan, 80, 10, None),
    ],
)
def test_classify_rules(index, importance_index, gap_index, expected):
    assert classify(index, importance_index, gap_index, ActionRules()) == expected


def test_breakdown_suppresses_small_groups():
    frame = breakdown(TEMPLATE, load(), "role", threshold=2).set_index("group")
    assert frame.loc["Frontline", "n"] == 2 and not frame.loc["Frontline", "suppressed"]
    # Frontline = r2, r3: q1 [3,4] 3.5, q2 [2,3] 2.5, q3' [2,4] 3 -> p1 (7+2.5+3)/4 = 3.125 -> 53.125
    # p2: q4 [3], q5 [3] -> 3 -> 50; overall (2*53.125 + 50)/3
    assert frame.loc["Frontline", "p1"] == pytest.approx(53.125)
    assert frame.loc["Frontline", "p2"] == pytest.approx(50.0)
    assert frame.loc["Frontline", "overall_index"] == pytest.approx(156.25 / 3)
    for group in ("Leadership", "Manager"):
        row = frame.loc[group]
        assert row["suppressed"] and pd.isna(row["n"])
        assert row[["overall_index", "p1", "p2"]].isna().all()


def test_json_document_nulls_and_fields(scores):
    doc = to_document(scores, {"role": breakdown(TEMPLATE, load(), "role", threshold=2)})
    p2 = doc["pillars"][1]
    assert p2["target"] is None and p2["gap"] is None and p2["gap_index"] is None
    assert doc["overall"]["index"] == pytest.approx(181.25 / 3, rel=1e-12)  # full precision, not rounded
    leaders = next(g for g in doc["breakdown"]["role"] if g["group"] == "Leadership")
    assert leaders == {"group": "Leadership", "n": None, "suppressed": True, "overall_index": None,
                       "pillars": {"p1": None, "p2": None}}


# ------------------------------------------------------------------------------- invariants

cell = st.one_of(st.integers(1, 5).map(float), st.just(np.nan))
matrix = st.integers(2, 10).flatmap(lambda n: st.lists(st.lists(cell, min_size=5, max_size=5), min_size=n, max_size=n))


def frames(rows: list[list[float]]) -> Responses:
    ids = pd.Index([f"r{i}" for i in range(len(rows))], name="respondent_id")
    cols = pd.Index(TEMPLATE.question_ids, name="question_id")
    ratings = pd.DataFrame(rows, index=ids, columns=cols, dtype=float)
    blank = pd.DataFrame(np.nan, index=ids, columns=cols)
    return Responses(
        ratings=ratings,
        not_applicable=pd.DataFrame(False, index=ids, columns=cols),
        importance=blank,
        target=blank.copy(),
        comments=pd.DataFrame(None, index=ids, columns=cols, dtype=object),
        segments=pd.DataFrame(index=ids),
    )


def comparable(s) -> pd.DataFrame:
    return s.pillars.drop(columns=["alpha_if_dropped"])


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(matrix)
def test_index_stays_within_0_and_100(rows):
    s = score(TEMPLATE, frames(rows))
    values = pd.concat([s.pillars["index"], s.questions["index"]]).dropna()
    assert ((values >= 0) & (values <= 100)).all()
    if not math.isnan(s.overall["index"]):
        assert 0 <= s.overall["index"] <= 100


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(matrix)
def test_an_all_blank_respondent_changes_nothing(rows):
    before = score(TEMPLATE, frames(rows))
    after = score(TEMPLATE, frames(rows + [[np.nan] * 5]))
    pd.testing.assert_frame_equal(comparable(before), comparable(after))
    pd.testing.assert_frame_equal(before.questions, after.questions)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(matrix, st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(rows, rnd):
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    a, b = score(TEMPLATE, frames(rows)), score(TEMPLATE, frames(shuffled))
    pd.testing.assert_frame_equal(comparable(a), comparable(b), check_exact=False, rtol=1e-9)
    for pid in a.pillars.index:
        np.testing.assert_allclose(
            list(a.pillars.loc[pid, "alpha_if_dropped"].values()),
            list(b.pillars.loc[pid, "alpha_if_dropped"].values()),
            rtol=1e-9,
        )


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(matrix)
def test_reverse_scoring_twice_is_identity(rows):
    ratings = frames(rows).ratings
    pd.testing.assert_frame_equal(flip_reversed(flip_reversed(ratings, TEMPLATE), TEMPLATE), ratings)
    once = flip_reversed(ratings, TEMPLATE)
    pd.testing.assert_series_equal(once["q3"], 6 - ratings["q3"])
    pd.testing.assert_frame_equal(once.drop(columns="q3"), ratings.drop(columns="q3"))


def test_breakdown_equals_scoring_each_group_on_its_own():
    from conftest import ROOT
    from cxassess.inputs.clients import load_client

    client = load_client(ROOT / "data" / "clients" / "northwind-retail")
    for segment in ("role", "department"):
        frame = breakdown(client.template, client.responses, segment, threshold=1).set_index("group")
        for group, row in frame.iterrows():
            alone = score(client.template, client.responses.subset(client.responses.segments[segment] == group))
            assert row["overall_index"] == pytest.approx(alone.overall["index"])
            for pid, value in alone.pillars["index"].items():
                assert row[pid] == pytest.approx(value, nan_ok=True)
