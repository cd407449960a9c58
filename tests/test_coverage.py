"""The thin-data guard (analysis/coverage.py), worked by hand on the tiny questionnaire, and its reach:
every output reads the same verdict, the charts draw thin pillars, the bundled samples are untouched."""

from __future__ import annotations

import math

import pytest

from cxassess.analysis import actions, coverage
from cxassess.analysis.document import to_document, validate
from cxassess.analysis.scoring import score
from cxassess.cli.text import scorecard_text
from cxassess.core.settings import DEFAULT_MIN_ANSWERED_SHARE, DEFAULT_MIN_RESPONDENTS
from cxassess.inputs.templates import DataQuality
from cxassess.render import plots
from conftest import responses_from_rows

HEADER = ["respondent_id", "q1", "q2", "q3", "q4", "q5"]


def _rows():
    """Six respondents rate p1 fully; four of them rate q4 (one of p2's two statements), nobody q5.

    p1 by hand: q1 (weight 2) mean (5+5+5+3+3+3)/6 = 4; q2 mean 2; q3 is reverse-scored, rated 4 by all,
    flipped to 1 + 5 - 4 = 2. Pillar mean (2*4 + 2 + 2) / 4 = 3, index (3 - 1) / 4 * 100 = 50 (band Middle).
    """
    q1 = [5, 5, 5, 3, 3, 3]
    return [[f"r{i}", q1[i], 2, 4, 4 if i < 4 else None, None] for i in range(6)]


@pytest.fixture()
def raw(tiny_template):
    return score(tiny_template, responses_from_rows(tiny_template, HEADER, _rows()))


def test_defaults_are_five_respondents_and_half_the_statements(tiny_template):
    assert coverage.rules_for(tiny_template) == coverage.Rules(5, 0.5)
    assert (DEFAULT_MIN_RESPONDENTS, DEFAULT_MIN_ANSWERED_SHARE) == (5, 0.5)


def test_client_settings_override_the_questionnaire_field_by_field(tiny_template):
    template = tiny_template.model_copy(update={"data_quality": DataQuality(min_respondents=3, min_answered_share=0.8)})
    assert coverage.rules_for(template) == coverage.Rules(3, 0.8)
    assert coverage.rules_for(template, DataQuality(min_respondents=10)) == coverage.Rules(10, 0.8)


def test_a_pillar_rated_by_too_few_is_not_scored_and_the_overall_rests_on_the_rest(raw):
    g = coverage.guard(raw, coverage.Rules(5, 0.5))
    p1, p2 = g.pillars.loc["p1"], g.pillars.loc["p2"]
    assert p1["enough_answers"] and p1["thin_reason"] is None
    assert p1["index"] == pytest.approx(50.0) and p1["maturity"] == "Middle"
    # p2: 4 people rated 1 of its 2 statements: the share (1/2) is enough, the people (4 < 5) are not
    assert not p2["enough_answers"] and p2["thin_reason"] == "4 respondents, fewer than 5"
    assert (p2["answered"], p2["answered_share"], p2["n"]) == (1, 0.5, 4)
    for column in coverage.THIN_BLANKED:
        assert math.isnan(p2[column]), column
    assert p2["maturity"] is None and p2["action"] is None
    assert raw.pillars.at["p2", "index"] == pytest.approx(75.0)  # what it would have shown: q4 mean 4
    # one of two pillars scored is half: the overall index is shown, over p1 alone
    assert g.overall["withheld_reason"] is None
    assert g.overall["index"] == pytest.approx(50.0) and g.overall["maturity"] == "Middle"
    assert raw.overall["index"] != pytest.approx(50.0)  # unguarded, p2's 75 pulled it up


def test_both_minimums_give_their_reasons_and_the_overall_is_withheld(raw):
    g = coverage.guard(raw, coverage.Rules(7, 0.6))
    assert g.pillars["thin_reason"].tolist() == [
        "6 respondents, fewer than 7",
        "4 respondents, fewer than 7; 1 of 2 statements answered, fewer than 60%",
    ]
    assert math.isnan(g.overall["index"]) and g.overall["maturity"] is None
    assert g.overall["withheld_reason"] == ("only 0 of 2 pillars have enough answers; the overall index needs at "
                                            "least half (1)")
    found = coverage.summarise(g, coverage.Rules(7, 0.6))
    assert found.thin == ["p1", "p2"] and found.is_thin
    assert "Pillar one (6 respondents, fewer than 7)" in found.warning
    assert "The overall index is withheld" in found.warning
    error = found.error("clients/acme: client 'acme'")
    assert "clients/acme: client 'acme'" in str(error) and "Pillar two" in str(error)


def test_the_overall_needs_half_of_the_pillars():
    assert coverage.overall_withheld_reason(_flags(6, 12)) is None
    assert coverage.overall_withheld_reason(_flags(5, 12)).startswith("only 5 of 12 pillars")
    assert coverage.overall_withheld_reason(_flags(1, 1)) is None
    assert coverage.overall_withheld_reason(_flags(0, 1)) is not None


def _flags(scored: int, total: int):
    import pandas as pd

    return pd.Series([True] * scored + [False] * (total - scored))


def test_enough_answers_everywhere_keeps_every_figure(raw):
    g = coverage.guard(raw, coverage.Rules(1, 0.5))
    assert g.pillars["enough_answers"].all()
    assert g.pillars["index"].tolist() == pytest.approx(raw.pillars["index"].tolist())
    assert g.overall["index"] == raw.overall["index"]
    assert coverage.summarise(g, coverage.Rules(1, 0.5)).warning is None


def test_the_scores_document_carries_the_verdict_and_validates(raw):
    g = coverage.guard(raw, coverage.Rules(5, 0.5))
    document = to_document(g)
    document["wave"] = None
    document["data_quality"] = coverage.summarise(g, coverage.Rules(5, 0.5)).to_document()
    validate(document)
    p2 = document["pillars"][1]
    assert (p2["enough_answers"], p2["thin_reason"], p2["index"], p2["maturity"]) == (
        False, "4 respondents, fewer than 5", None, None)
    assert document["overall"]["withheld_reason"] is None
    assert document["data_quality"]["thin_pillars"] == ["p2"] and document["data_quality"]["scored_pillars"] == 1


def test_the_scorecard_text_says_not_enough_answers(raw):
    text = scorecard_text(coverage.guard(raw, coverage.Rules(5, 0.5)))
    line = next(line for line in text.splitlines() if "Pillar two" in line)
    assert "not enough answers" in line and "nan" not in text.lower().split()


def test_strongest_and_weakest_never_share_a_pillar(raw):
    g = coverage.guard(raw, coverage.Rules(5, 0.5))  # one pillar scored: neither list can hold it alone
    strongest, weakest = actions.strongest_weakest(g)
    assert strongest.empty and weakest.empty
    both = actions.strongest_weakest(raw)  # two pillars: one each
    assert list(both[0].index) == ["p2"] and list(both[1].index) == ["p1"]


@pytest.mark.slow  # three charts drawn
def test_charts_draw_a_thin_pillar_and_say_so(raw):
    g = coverage.guard(raw, coverage.Rules(5, 0.5))
    texts = []
    for fig in (plots.radar(g), plots.gap_chart(g), plots.importance_performance(g)):
        fig.canvas.draw()
        texts += [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any("not enough answers" in t for t in texts)
    assert not any("nan" in t.lower().split() for t in texts)


@pytest.mark.parametrize("count", range(1, 8))
def test_strongest_and_weakest_are_disjoint_for_any_number_of_pillars(raw, count):
    import dataclasses

    import pandas as pd

    rows = pd.concat([raw.pillars.iloc[[0]]] * count)
    rows.index = [f"p{i}" for i in range(count)]
    rows["index"] = [float(10 * i) for i in range(count)]
    strongest, weakest = actions.strongest_weakest(dataclasses.replace(raw, pillars=rows))
    assert not set(strongest.index) & set(weakest.index)
    assert len(strongest) == len(weakest) == min(3, count // 2)
    assert list(weakest.index) == [f"p{i}" for i in range(len(weakest))]  # the lowest indices


def test_the_overall_target_and_gap_leave_a_thin_pillar_out(tiny_template):
    with_targets = score(tiny_template, responses_from_rows(tiny_template, HEADER, _rows()), {"p1": 4.0, "p2": 5.0})
    g = coverage.guard(with_targets, coverage.Rules(5, 0.5))
    assert g.pillars.at["p2", "target"] == 5.0  # the client's target stays on the thin pillar
    # p1 alone: target 4, mean 3 (see _rows), gap 1 scale point = 25 index points
    assert (g.overall["target"], g.overall["mean"], g.overall["gap"]) == pytest.approx((4.0, 3.0, 1.0))
    assert g.overall["gap_index"] == pytest.approx(25.0)


@pytest.mark.slow  # a sample client scored, three charts drawn
def test_charts_with_thin_pillars_keep_every_text_inside(tmp_path):
    """Northwind with two long-named pillars thinned: the radar's longer labels and the gap chart's note fit."""
    import dataclasses

    from cxassess.analysis.assessment import assess
    from test_chart_geometry import outside

    from conftest import ROOT

    a = assess(ROOT / "data" / "clients" / "northwind-retail")
    ratings = a.client.responses.ratings.copy()
    for pillar in ("anticipation", "employee_experience"):
        ratings[[q.id for q in a.client.template.pillar(pillar).questions]] = math.nan
    thin = dataclasses.replace(a.client, responses=dataclasses.replace(a.client.responses, ratings=ratings))
    g = assess(thin).scores
    assert coverage.thin_pillars(g) == ["anticipation", "employee_experience"]
    for fig in (plots.radar(g), plots.gap_chart(g), plots.importance_performance(g)):
        assert not outside(fig)
