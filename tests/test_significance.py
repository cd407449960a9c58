"""Differences beyond chance: Benjamini-Hochberg q-values, each group against the rest, scores.json and the heatmap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from conftest import ROOT, responses_from_rows
from cxassess.analysis import significance
from cxassess.analysis.assessment import assess
from cxassess.analysis.breakdowns import breakdowns
from cxassess.analysis.waves import respondent_indices
from cxassess.render import plots
from cxassess.run.report import scores_document

CLIENTS = ROOT / "data" / "clients"


# ------------------------------------------------------------------------------ Benjamini-Hochberg


def test_bh_known_answer():
    q = significance.bh_qvalues([0.50, 0.003, 0.32, 0.054, 0.0003])
    np.testing.assert_allclose(q, [0.5, 0.0075, 0.4, 0.09, 0.0015], rtol=1e-12)


def test_bh_by_hand_with_a_running_minimum_and_untested_entries():
    # sorted: .01 (x4/1 = .04), .02 (x4/2 = .04), .03 (x4/3 = .04), .9 (x4/4 = .9); NaN is not a test
    q = significance.bh_qvalues([0.03, math.nan, 0.9, 0.01, 0.02])
    np.testing.assert_allclose(q, [0.04, math.nan, 0.9, 0.04, 0.04], rtol=1e-12)
    # the running minimum: .04 x 2/1 = .08 would exceed the next one's .05 x 2/2 = .05
    np.testing.assert_allclose(significance.bh_qvalues([0.04, 0.05]), [0.05, 0.05])
    assert significance.bh_qvalues([]).shape == (0,)
    assert np.isnan(significance.bh_qvalues([math.nan])).all()


def test_bh_agrees_with_scipy():
    p = np.random.default_rng(7).uniform(size=200) ** 4
    np.testing.assert_allclose(significance.bh_qvalues(p), stats.false_discovery_control(p, method="bh"),
                               rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=40))
def test_bh_q_is_never_below_p_and_keeps_its_order(p):
    values = np.array(p)
    q = significance.bh_qvalues(values)
    assert (q >= values - 1e-15).all() and (q <= 1).all()
    order = np.argsort(values, kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()  # monotone in p
    shuffled = np.random.default_rng(len(p)).permutation(len(p))
    np.testing.assert_allclose(significance.bh_qvalues(values[shuffled]), q[shuffled])


# ------------------------------------------------------------------------- a group against the rest


def test_group_against_rest_by_hand():
    """Group A: 50, 60, 70 (mean 60, variance 100); the rest: 40, 45, 50 (mean 45, variance 25)."""
    indices = pd.DataFrame({"p1": [50.0, 60, 70, 40, 45, 50], "p2": [10.0, 20, 30, 10, 20, 30]},
                           index=list("abcdef"))
    groups = pd.Series(["A", "A", "A", "B", "B", "B"], index=indices.index)
    tests = significance.group_tests(indices, groups, ["A"], ["p1", "p2"]).set_index("pillar_id")
    se2 = 100 / 3 + 25 / 3
    t = 15 / math.sqrt(se2)
    df = se2**2 / ((100 / 3) ** 2 / 2 + (25 / 3) ** 2 / 2)
    assert tests.loc["p1", "diff"] == pytest.approx(15.0)
    assert tests.loc["p1", "t"] == pytest.approx(t, rel=1e-12) and tests.loc["p1", "df"] == pytest.approx(df, rel=1e-12)
    assert tests.loc["p1", "p"] == pytest.approx(2 * stats.t.sf(t, df), rel=1e-9)
    assert tests.loc["p2", "diff"] == 0 and tests.loc["p2", "p"] == pytest.approx(1.0)
    # two tests: q of the smaller p is p x 2, of the larger p x 2/2
    assert tests.loc["p1", "q"] == pytest.approx(tests.loc["p1", "p"] * 2)
    assert tests.loc["p2", "q"] == pytest.approx(1.0)
    assert list(tests["n"]) == [3, 3] and list(tests["n_rest"]) == [3, 3]
    assert not tests["significant"].any()  # p1: p 0.08, q 0.16


def test_a_clear_difference_is_significant_and_an_untestable_one_is_not():
    indices = pd.DataFrame({"p1": [80.0, 82, 84, 86, 20, 22, 24, 26, 28, 30]})
    groups = pd.Series(["A"] * 4 + ["B"] * 6)
    tests = significance.group_tests(indices, groups, ["A", "B", "C"], ["p1"])
    a, b, c = tests.to_dict("records")
    assert a["diff"] == pytest.approx(83 - 25) and b["diff"] == pytest.approx(25 - 83)
    assert a["significant"] and b["significant"] and a["q"] < 0.05
    assert c["n"] == 0 and math.isnan(c["diff"]) and math.isnan(c["p"]) and math.isnan(c["q"])
    assert not c["significant"]


def test_suppressed_groups_get_no_test_and_the_rest_is_everyone_else(tiny_template):
    header = ["respondent_id", "role", "q1", "q2", "q3", "q4", "q5"]
    rows = [[f"r{i}", "Frontline", 2 + i % 3, 3, 3, 2, 3] for i in range(6)]
    rows += [[f"l{i}", "Leadership", 4 + i % 2, 5, 1, 4, 5] for i in range(5)]
    rows += [["x1", "Manager", 3, 3, 3, 3, 3], ["x2", None, 4, 4, 2, 4, 4]]
    rows += [[f"b{i}", "Back office", 3, 4, 2, 3, 4 - i] for i in range(3)]  # the hidden rest: 5, so no complement
    responses = responses_from_rows(tiny_template, header, rows)
    frames = breakdowns(tiny_template, responses, ["role"], threshold=5)
    hidden = set(frames["role"].loc[frames["role"]["suppressed"], "group"])
    assert hidden == {"Manager", "Back office", "(not given)"}
    indices = respondent_indices(tiny_template, responses)
    tests = significance.segment_tests(responses, indices, frames, ["p1", "p2"])["role"]
    assert not set(tests["group"]) & hidden
    assert set(tests["group"]) == set(frames["role"].loc[~frames["role"]["suppressed"], "group"])
    assert (tests["n"] + tests["n_rest"] == len(rows)).all()  # the rest: every other respondent, hidden or not
    lead = tests[(tests["group"] == "Leadership") & (tests["pillar_id"] == "p1")].iloc[0]
    expected = indices.loc[[f"l{i}" for i in range(5)], "p1"].mean() - indices.drop(
        [f"l{i}" for i in range(5)])["p1"].mean()
    assert lead["diff"] == pytest.approx(expected)


def test_permuting_respondents_changes_nothing():
    rng = np.random.default_rng(3)
    indices = pd.DataFrame(rng.uniform(0, 100, size=(40, 3)), columns=["a", "b", "c"])
    groups = pd.Series(rng.choice(["x", "y", "z"], size=40))
    before = significance.group_tests(indices, groups, ["x", "y", "z"], ["a", "b", "c"])
    order = rng.permutation(40)
    after = significance.group_tests(indices.iloc[order], groups.iloc[order], ["x", "y", "z"], ["a", "b", "c"])
    pd.testing.assert_frame_equal(before, after)


# ---------------------------------------------------------------------------------- the outputs


@pytest.fixture(scope="module")
def brightpath():
    return assess(CLIENTS / "brightpath-software")


def test_scores_json_tests_every_shown_group_and_pillar(brightpath):
    document = scores_document(brightpath)
    pillars = [p["id"] for p in document["pillars"]]
    seen = 0
    for segment, groups in document["breakdown"].items():
        frame = brightpath.group_tests[segment]
        for g in groups:
            if g["suppressed"]:
                assert "tests" not in g
                continue
            assert list(g["tests"]) == pillars
            for pid, test in g["tests"].items():
                row = frame[(frame["group"] == g["group"]) & (frame["pillar_id"] == pid)].iloc[0]
                assert test["diff"] == row["diff"] and test["p"] == row["p"] and test["q"] == row["q"]
                assert test["q"] >= test["p"] and test["significant"] == (test["q"] < 0.05)
                seen += 1
        shown = [g for g in groups if not g["suppressed"]]
        q = np.array([t["q"] for g in shown for t in g["tests"].values()])
        p = np.array([t["p"] for g in shown for t in g["tests"].values()])
        np.testing.assert_allclose(q, significance.bh_qvalues(p))  # adjusted over the whole segment
    assert seen > 20


def test_heatmap_marks_significant_cells_and_shows_the_spread():
    a = assess(CLIENTS / "northwind-retail")
    frame = a.breakdowns["role"]
    cells = significance.significant_cells(a.group_tests["role"])
    fig = plots.segment_heatmap(frame, a.client.template, threshold=5, significant=cells)
    ax = fig.axes[0]
    marked = {p.get_gid() for p in ax.patches if str(p.get_gid()).startswith("significant:")}
    expected = {f"significant:{g}:{pid}" for g, row in cells.iterrows() for pid, flag in row.items() if flag}
    assert marked == expected and expected
    spread = next(im for im in ax.get_images() if im.get_gid() == "spread")
    shown = frame[~frame["suppressed"]]
    columns = ["overall_index"] + [p.id for p in a.client.template.pillars]
    np.testing.assert_allclose(np.asarray(spread.get_array())[0],
                               (shown[columns].max() - shown[columns].min()).to_numpy(dtype=float))
    labels = [t.get_text() for t in plots.labels_of(ax, "y")]
    assert labels[-1] == "Spread (highest - lowest)"
    assert "beyond chance" in fig._supxlabel.get_text()
