"""How sure each index is: the bootstrap intervals by hand, against a slow loop and the normal approximation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, responses_from_rows
from cxassess.analysis import actions, intervals
from cxassess.analysis.assessment import assess
from cxassess.analysis.scoring import score
from cxassess.render import plots, sections
from cxassess.run.report import scores_document

CLIENTS = ROOT / "data" / "clients"
HEADER = ["respondent_id", "q1", "q2", "q3", "q4", "q5"]


def random_rows(n: int, seed: int, missing: float = 0.15) -> list[list]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        cells = [int(v) for v in rng.integers(1, 6, size=5)]
        row: list = [f"r{i}"] + cells
        for k in range(1, 6):
            if rng.uniform() < missing:
                row[k] = None if rng.uniform() < 0.5 else "N/A"
        rows.append(row)
    return rows


def test_two_opposite_respondents_give_the_whole_scale(tiny_template):
    """a answers at the bottom, b at the top: a draw holds 0, 1 or 2 b's (index 0, 50, 100 with chances
    1/4, 1/2, 1/4), so the 2.5th percentile is 0 and the 97.5th is 100."""
    rows = [["a", 1, 1, 5, 1, 1], ["b", 5, 5, 1, 5, 5]]  # q3 is reverse-scored
    responses = responses_from_rows(tiny_template, HEADER, rows)
    draws = intervals.bootstrap_indices(tiny_template, responses)
    assert len(draws) == 1000
    assert set(np.unique(draws.to_numpy())) == {0.0, 50.0, 100.0}
    assert (draws["p1"] == draws["p2"]).all() and (draws["overall"] == draws["p1"]).all()
    share = (draws["p1"] == 50).mean()
    assert 0.45 < share < 0.55
    bounds = intervals.percentile_interval(draws)
    assert bounds.loc["p1"].tolist() == [0.0, 100.0]


def test_everyone_alike_gives_an_interval_of_one_point(tiny_template):
    rows = [[f"r{i}", 4, 4, 2, 3, 3] for i in range(8)]
    responses = responses_from_rows(tiny_template, HEADER, rows)
    scores = score(tiny_template, responses)
    frame = intervals.index_intervals(tiny_template, responses, scores.pillars, scores.overall)
    assert frame.loc["p1", ["index", "ci_low", "ci_high"]].tolist() == pytest.approx([75.0, 75.0, 75.0])
    assert frame.loc["p2", ["ci_low", "ci_high"]].tolist() == pytest.approx([50.0, 50.0])
    assert frame.loc["overall", "ci_low"] == pytest.approx(62.5)


def test_every_draw_is_the_scoring_of_that_resample(tiny_template):
    """An independent slow loop: each draw's respondents (same seed) scored by ``score`` itself."""
    rows = random_rows(25, seed=5)
    responses = responses_from_rows(tiny_template, HEADER, rows)
    weights = {"p1": 3.0, "p2": 1.0}
    fast = intervals.bootstrap_indices(tiny_template, responses, weights, draws=20, seed=11)
    positions = np.vstack(list(intervals.resamples(len(rows), 20, 11)))
    for b, drawn in enumerate(positions):
        resample = dataclasses.replace(
            responses, **{f.name: getattr(responses, f.name).iloc[drawn] for f in dataclasses.fields(responses)
                          if isinstance(getattr(responses, f.name), pd.DataFrame)})
        slow = score(tiny_template, resample, weights=weights)
        expected = list(slow.pillars["index"]) + [slow.overall["index"]]
        np.testing.assert_allclose(fast.iloc[b].to_numpy(), expected, rtol=1e-12, atol=1e-9)


def test_the_interval_is_close_to_the_normal_approximation(tiny_template):
    """Many respondents, no gaps: the pillar mean is the mean of each person's pillar mean, so its
    interval is about index +- 1.96 x sd / sqrt(n) (in index points, 25 per scale point)."""
    rows = random_rows(400, seed=9, missing=0.0)
    responses = responses_from_rows(tiny_template, HEADER, rows)
    scores = score(tiny_template, responses)
    frame = intervals.index_intervals(tiny_template, responses, scores.pillars, scores.overall)
    person = responses.ratings[["q4", "q5"]].mean(axis=1)
    half = 1.96 * person.std(ddof=1) / math.sqrt(len(person)) * 25
    low, high = frame.loc["p2", ["ci_low", "ci_high"]]
    index = scores.pillars.at["p2", "index"]
    assert low == pytest.approx(index - half, abs=0.15 * half)
    assert high == pytest.approx(index + half, abs=0.15 * half)


def test_the_seed_fixes_the_intervals(tiny_template):
    responses = responses_from_rows(tiny_template, HEADER, random_rows(30, seed=2))
    one = intervals.bootstrap_indices(tiny_template, responses)
    two = intervals.bootstrap_indices(tiny_template, responses)
    other = intervals.bootstrap_indices(tiny_template, responses, seed=1)
    pd.testing.assert_frame_equal(one, two)
    assert not one.equals(other)


def test_within_noise_by_hand():
    pillars = pd.DataFrame({"gap_index": [5.0, 5.0, -3.0, math.nan], "target_index": [70.0, 70.0, 60.0, math.nan]},
                           index=["a", "b", "c", "d"])
    bounds = pd.DataFrame({"ci_low": [60.0, 58.0, 58.0, 40.0], "ci_high": [71.0, 69.0, 68.0, 50.0]},
                          index=["a", "b", "c", "d"])
    # a: 65 short of 70, interval reaches 71; b: interval stops at 69; c: above target; d: no target
    assert intervals.within_noise(pillars, bounds).tolist() == [True, False, False, False]


def test_priorities_leave_out_gaps_within_noise():
    a = assess(CLIENTS / "northwind-retail")
    top = list(actions.priorities(a.scores, 3).index)
    assert list(actions.priorities(a.scores, 3, within_noise=top[:1]).index) == \
        list(actions.priorities(a.scores, 4).index)[1:]
    assert actions.priority_sentences(a.scores, 3, within_noise=top) != actions.priority_sentences(a.scores, 3)


@pytest.fixture(scope="module")
def noisy():
    """Riverside's anticipation target (2.75, index 43.75) is just above its index (41.8), inside its interval."""
    return assess(CLIENTS / "riverside-energy")


def test_scores_json_and_the_report_carry_the_intervals(noisy):
    document = scores_document(noisy)
    frame = noisy.intervals
    for pillar in document["pillars"]:
        assert pillar["ci_low"] == frame.at[pillar["id"], "ci_low"] <= pillar["index"] <= pillar["ci_high"]
        assert pillar["within_noise"] == (pillar["id"] == "anticipation")
    assert document["overall"]["ci_low"] < document["overall"]["index"] < document["overall"]["ci_high"]
    summary = sections.executive_summary(noisy).html
    assert "Within noise:" in summary and "Anticipating needs" in summary.split("Within noise:")[1]
    assert "within noise" in sections.scorecard(noisy).html
    assert "within noise: not a priority" in sections.action_plan(noisy).html


def test_gap_chart_whiskers_are_the_target_minus_the_interval(noisy):
    fig = plots.gap_chart(noisy.scores, intervals=noisy.intervals)
    ax = fig.axes[0]
    pillars = noisy.scores.pillars
    names = {plots.wrap(name, 30): pid for pid, name in pillars["name"].items()}
    rows = [names[label.get_text()] for label in plots.labels_of(ax, "y")]  # the pillar on each row, top first
    (lines,) = [c for c in ax.collections if c.get_gid() == "intervals"]
    found = {}
    for segment in lines.get_segments():
        (y0, y1) = segment[:, 1]
        assert y0 == y1
        found[rows[int(y0)]] = sorted(segment[:, 0])
    assert set(found) == set(pillars.index[pillars["gap_index"].notna()])
    for pid, ends in found.items():
        target = pillars.at[pid, "target_index"]
        assert ends == pytest.approx([target - noisy.intervals.at[pid, "ci_high"],
                                      target - noisy.intervals.at[pid, "ci_low"]])
    assert any("(within noise)" in t.get_text() for t in ax.texts)
