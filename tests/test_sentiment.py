"""The tone of staff comments (analysis/sentiment.py): VADER's known answers, the cut-offs at exactly
+-0.05, per-pillar counts worked out by hand on a tiny answers table, nothing attributed, and the
result unchanged when the respondents come in another order."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import responses_from_rows
from cxassess.analysis import sentiment
from cxassess.analysis.sentiment import NEGATIVE_AT, POSITIVE_AT, analyse, sentiment_of, to_document, vader_scores

HEADER = ["respondent_id", "role", "q1", "q2", "q3", "q4", "q5", "q1:comment", "q3:comment", "q4:comment"]


def table(comments: list[tuple[str | None, str | None, str | None]]) -> list[list[object]]:
    """One row per respondent (r1, r2, ...): ratings 3, role Frontline, comments on q1, q3 and q4."""
    return [[f"r{i}", "Frontline", 3, 3, 3, 3, 3, *texts] for i, texts in enumerate(comments, start=1)]


def fixed(scores: dict[str, float]) -> sentiment.Scorer:
    """A scorer that gives the scores chosen by hand (and refuses a text it was not told about)."""
    return lambda texts: [scores[t] for t in texts]


# -------------------------------------------------------------------------------- VADER itself


def test_vaders_published_known_answers():
    assert vader_scores(["VADER is smart, handsome, and funny.", "VADER is not smart, handsome, nor funny."]) == \
        [0.8316, -0.7424]


def test_one_lexicon_word_follows_the_normalisation_formula():
    """"good" is rated 1.9 in VADER's word list; the compound score is x / sqrt(x^2 + 15), to four places."""
    assert vader_scores(["Good."]) == [round(1.9 / math.sqrt(1.9 ** 2 + 15), 4)] == [0.4404]
    assert vader_scores(["The form has three pages."]) == [0.0]  # no rated word: neutral


def test_the_word_list_loads_from_the_installed_package(monkeypatch):
    """The lexicon ships inside the wheel: it is read from the package folder, with no network."""
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("VADER must not reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    sentiment._analyser.cache_clear()
    analyser = sentiment._analyser()
    assert len(analyser.lexicon) > 7000 and analyser.lexicon["good"] == 1.9


# ------------------------------------------------------------------------------- the cut-offs


@pytest.mark.parametrize("compound, expected", [
    (-1.0, "negative"), (NEGATIVE_AT, "negative"), (-0.0500001, "negative"), (-0.0499, "neutral"), (0.0, "neutral"),
    (0.0499, "neutral"), (POSITIVE_AT, "positive"), (0.0500001, "positive"), (1.0, "positive"),
])
def test_cut_offs(compound, expected):
    assert (NEGATIVE_AT, POSITIVE_AT) == (-0.05, 0.05)
    assert sentiment_of(compound) == expected


def test_comments_scored_at_exactly_the_cut_offs_are_counted_as_negative_and_positive(tiny_template):
    texts = ["at minus", "just above minus", "just below plus", "at plus"]
    responses = responses_from_rows(tiny_template, HEADER, table([(t, None, None) for t in texts]))
    result = analyse(tiny_template, responses.comments,
                     fixed({"at minus": -0.05, "just above minus": -0.0499, "just below plus": 0.0499, "at plus": 0.05}))
    p1 = result.pillars.loc["p1"]
    assert (p1["negative"], p1["neutral"], p1["positive"]) == (1, 2, 1)
    assert (p1["most_negative"], p1["most_negative_compound"]) == ("at minus", -0.05)
    assert (p1["most_positive"], p1["most_positive_compound"]) == ("at plus", 0.05)


# ------------------------------------------------------------------------ counts worked by hand


HAND = {
    "Great people, awful tools.": -0.3,  # negative
    "Customers love the new app.": 0.6,  # positive
    "We use a ticket system.": 0.0,  # neutral
    "Nobody answers the phone after five.": -0.6,  # negative, the most negative of p1
    "I am proud of this team.": 0.6,  # positive, ties with the app comment: alphabetical order decides
    "Training is fine.": 0.2,  # positive
}


@pytest.fixture()
def hand_result(tiny_template):
    rows = table([
        ("Customers love the new app.", "We use a ticket system.", "Training is fine."),
        (None, "Nobody answers the phone after five.", None),
        ("Great people, awful tools.", "   ", "We use a ticket system."),  # a blank comment is no comment
        ("I am proud of this team.", None, None),
        (None, None, None),
    ])
    return analyse(tiny_template, responses_from_rows(tiny_template, HEADER, rows).comments, fixed(HAND))


def test_per_pillar_counts_shares_and_quotes_worked_by_hand(hand_result):
    # p1 (q1, q2, q3): app +0.6, ticket 0, phone -0.6, awful -0.3, proud +0.6 -> 2 negative, 1 neutral, 2 positive
    # p2 (q4, q5): training +0.2, ticket 0 -> 0 negative, 1 neutral, 1 positive
    p = hand_result.pillars
    assert list(p.index) == ["p1", "p2"] and list(p["name"]) == ["Pillar one", "Pillar two"]
    assert p.loc["p1", ["count", "negative", "neutral", "positive"]].tolist() == [5, 2, 1, 2]
    assert p.loc["p2", ["count", "negative", "neutral", "positive"]].tolist() == [2, 0, 1, 1]
    assert p.loc["p1", ["negative_share", "neutral_share", "positive_share"]].tolist() == [0.4, 0.2, 0.4]
    assert p.loc["p2", ["negative_share", "neutral_share", "positive_share"]].tolist() == [0.0, 0.5, 0.5]
    assert (p.loc["p1", "most_negative"], p.loc["p1", "most_negative_compound"]) == \
        ("Nobody answers the phone after five.", -0.6)
    assert p.loc["p1", "most_positive"] == "Customers love the new app."  # 0.6 like "I am proud...", C < I
    assert p.loc["p2", "most_negative"] is None and math.isnan(p.loc["p2", "most_negative_compound"])
    assert (p.loc["p2", "most_positive"], p.loc["p2", "most_positive_compound"]) == ("Training is fine.", 0.2)
    assert hand_result.count == 7


def test_nothing_names_who_wrote_a_comment(hand_result):
    frame = hand_result.comments
    assert list(frame.columns) == ["pillar_id", "question_id", "text", "compound", "sentiment"]
    assert isinstance(frame.index, pd.RangeIndex)
    text = json.dumps(to_document(hand_result))
    assert not any(f'"r{i}"' in text for i in range(1, 6)) and "Frontline" not in text


def test_the_document_part(hand_result):
    document = to_document(hand_result)
    assert {k: document[k] for k in ("method", "lexicon", "negative_at", "positive_at", "count")} == \
        {"method": "vader", "lexicon": "English", "negative_at": -0.05, "positive_at": 0.05, "count": 7}
    p1, p2 = document["pillars"]
    assert p1 == {"id": "p1", "name": "Pillar one", "count": 5, "negative": 2, "neutral": 1, "positive": 2,
                  "negative_share": 0.4, "neutral_share": 0.2, "positive_share": 0.4,
                  "most_negative": {"text": "Nobody answers the phone after five.", "compound": -0.6},
                  "most_positive": {"text": "Customers love the new app.", "compound": 0.6}}
    assert p2["most_negative"] is None and p2["most_positive"] == {"text": "Training is fine.", "compound": 0.2}


def test_each_distinct_text_is_scored_once(tiny_template):
    seen: list[str] = []

    def scorer(texts):
        seen.extend(texts)
        return [0.0] * len(texts)

    rows = table([("Same words.", "Same words.", "Same words."), ("Same words.", None, "Other words.")])
    result = analyse(tiny_template, responses_from_rows(tiny_template, HEADER, rows).comments, scorer)
    assert sorted(seen) == ["Other words.", "Same words."] and result.count == 5


def test_without_comments_vader_is_never_loaded(tiny_template, monkeypatch):
    def refuse():
        raise AssertionError("no comment to score, yet VADER was loaded")

    monkeypatch.setattr(sentiment, "_analyser", refuse)
    result = analyse(tiny_template, responses_from_rows(tiny_template, HEADER, table([(None, None, None)])).comments)
    assert result.count == 0 and result.comments.empty
    assert result.pillars[["count", "negative", "neutral", "positive"]].to_numpy().sum() == 0
    assert result.pillars["negative_share"].isna().all()
    assert to_document(result)["pillars"][0] == {
        "id": "p1", "name": "Pillar one", "count": 0, "negative": 0, "neutral": 0, "positive": 0,
        "negative_share": None, "neutral_share": None, "positive_share": None, "most_negative": None,
        "most_positive": None}


def test_a_scorer_that_loses_a_text_is_refused(tiny_template):
    comments = responses_from_rows(tiny_template, HEADER, table([("One.", "Two.", None)])).comments
    with pytest.raises(ValueError, match="1 scores for 2 texts"):
        analyse(tiny_template, comments, lambda texts: [0.0])


def test_hostile_text_is_scored_as_any_text():
    texts = ['<script>alert("x")</script>', "=HYPERLINK(\"http://x\",\"click\")", "{{ 7*7 }} $x$ \x00 ☃"]
    assert [-1 <= s <= 1 for s in vader_scores(texts)] == [True, True, True]


# ------------------------------------------------------------------------------- invariants


TEXTS = sorted(HAND) + ["Terrible queue times.", "Good!", "ok"]


@pytest.mark.slow  # a property-based hunt
@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.tuples(*[st.one_of(st.none(), st.just(" "), st.sampled_from(TEXTS))] * 3),
                      min_size=1, max_size=12),
       order=st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing_and_counts_add_up(tiny_template, cells, order):
    responses = responses_from_rows(tiny_template, HEADER, table(cells))
    shuffled = responses.comments.sample(frac=1.0, random_state=order.randrange(2 ** 32))
    first, second = analyse(tiny_template, responses.comments), analyse(tiny_template, shuffled)
    pd.testing.assert_frame_equal(first.pillars, second.pillars)
    pd.testing.assert_frame_equal(first.comments, second.comments)
    assert to_document(first) == to_document(second)

    written = sum(1 for row in cells for text in row if text is not None and text.strip())
    p = first.pillars
    assert first.count == p["count"].sum() == written
    assert (p["negative"] + p["neutral"] + p["positive"] == p["count"]).all()
    shares = p.loc[p["count"] > 0, ["negative_share", "neutral_share", "positive_share"]].sum(axis=1)
    assert ((shares - 1.0).abs() < 1e-12).all()
