"""The outcome question: declared in a template, answered in its own column, generated for the samples,
and the key drivers of a client worked out from the respondents' own pillar indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, responses_from_rows
from cxassess.analysis import drivers as d
from cxassess.core.errors import CxError
from cxassess.inputs.outcomes import Outcome
from cxassess.inputs.responses import load_responses, validate_table
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.tables import RawTable
from cxassess.inputs.templates import find_template, load_template

MINIMAL = """\
id: mini
name: Mini
version: "1.0"
scale: {min: 1, max: 5}
maturity: [{name: Low, min_index: 0}]
outcome:
  id: OUTCOME_ID
  text: All in all, customers get what we promise.
pillars:
  - id: p1
    name: Pillar one
    questions: [{id: q1, text: Question one.}]
"""


@pytest.fixture
def with_outcome(tiny_template):
    return tiny_template.model_copy(update={"outcome": Outcome(id="promise", text="Customers get what we promise.")})


def test_a_template_declares_one_outcome_and_its_id_is_a_column_of_its_own(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(MINIMAL.replace("OUTCOME_ID", "promise"), encoding="utf-8")
    assert load_template(path).outcome == Outcome(id="promise", text="All in all, customers get what we promise.")
    path.write_text(MINIMAL.replace("OUTCOME_ID", "q1"), encoding="utf-8")
    with pytest.raises(CxError) as info:
        load_template(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:7: outcome.id: outcome id 'q1' is already a column name; rename it"]
    assert find_template("cx_service_strategy").outcome.id == "promise_kept"
    assert find_template("servqual").outcome is None


def test_the_outcome_column_is_read_on_the_scale_and_checked(with_outcome, tiny_template):
    header = ["respondent_id", "q1", "q2", "q3", "q4", "q5", "promise"]
    rows = [["a", 1, 2, 3, 4, 5, "Agree"], ["b", 2, 2, 2, 2, 2, "N/A"], ["c", 3, 3, 3, 3, 3, None],
            ["d", 4, 4, 4, 4, 4, 5]]
    responses = responses_from_rows(with_outcome, header, rows)
    assert responses.outcome.name == "promise"
    assert responses.outcome.tolist()[::3] == [4.0, 5.0] and responses.outcome.iloc[1:3].isna().all()
    assert responses.subset(["d", "a"]).outcome.tolist() == [5.0, 4.0]
    bad = RawTable("mem.csv", header, [["a", "1", "2", "3", "4", "5", "9"]], [2])
    _, problems = validate_table(bad, with_outcome)
    assert [(p.row, p.column) for p in problems if p.level == "error"] == [(2, "promise")]
    assert responses_from_rows(with_outcome, header[:-1], [r[:-1] for r in rows]).outcome is None  # optional
    _, problems = validate_table(RawTable("mem.csv", header, [["a", "1", "2", "3", "4", "5", "3"]], [2]),
                                 tiny_template)
    assert "unknown column 'promise'" in problems[0].message  # a template without one knows no such column


def test_samples_carry_an_outcome_that_leaves_every_other_column_as_it_was():
    template = find_template("cx_service_strategy")
    fresh = generate(template, Profile(respondents=48), seed=7)
    committed = pd.read_csv(ROOT / "data" / "samples" / "cx_service_strategy_responses.csv", dtype=str,
                            keep_default_na=False)
    pd.testing.assert_frame_equal(fresh, committed)
    assert list(fresh.columns)[-1] == "promise_kept"
    without = generate(template.model_copy(update={"outcome": None}), Profile(respondents=48), seed=7)
    pd.testing.assert_frame_equal(without, committed.drop(columns="promise_kept"))


def test_the_samples_outcome_follows_the_pillars_it_is_drawn_from():
    """With one pillar as the only driver, that pillar comes out on top by a wide margin."""
    template = find_template("cx_service_strategy")
    table = generate(template, Profile(respondents=150, drivers={"recovery": 1.0}), seed=3)
    rows = table.astype(str).values.tolist()
    responses = responses_from_rows(template, list(table.columns), rows)
    result = d.client_drivers(template, responses, draws=100)
    assert result.computed and result.table["rank"].idxmin() == "recovery"
    assert result.table.loc["recovery", "share_pct"] > 30


def hand_index(row: pd.Series, questions: list[tuple[str, float, bool]]) -> float:
    """A respondent's pillar index by hand: reverse, weight-average what they rated, put on 0-100."""
    pairs = [((6 - row[q]) if rev else row[q], w) for q, w, rev in questions if not np.isnan(row[q])]
    mean = sum(v * w for v, w in pairs) / sum(w for _, w in pairs)
    return (mean - 1) / 4 * 100


def test_client_drivers_use_each_respondents_own_pillar_indices(with_outcome):
    rng = np.random.default_rng(4)
    ratings = rng.integers(1, 6, size=(30, 5)).astype(float)
    ratings[0, 1] = np.nan  # a respondent who skipped one statement keeps the others
    promise = np.clip(np.rint(np.nanmean(ratings[:, :2], axis=1) + rng.normal(0, 0.7, 30)), 1, 5)
    promise[5] = np.nan
    header = ["respondent_id", "q1", "q2", "q3", "q4", "q5", "promise"]
    rows = [[f"r{i}", *(None if np.isnan(v) else int(v) for v in ratings[i]),
             None if np.isnan(promise[i]) else int(promise[i])] for i in range(30)]
    responses = responses_from_rows(with_outcome, header, rows)
    frame = pd.DataFrame(ratings, columns=["q1", "q2", "q3", "q4", "q5"], index=responses.ratings.index)
    p1 = frame.apply(hand_index, axis=1, questions=[("q1", 2.0, False), ("q2", 1.0, False), ("q3", 1.0, True)])
    p2 = frame.apply(hand_index, axis=1, questions=[("q4", 1.0, False), ("q5", 1.0, False)])
    expected = d.key_drivers(pd.DataFrame({"p1": p1, "p2": p2}), pd.Series(promise, index=p1.index), "promise",
                             draws=100)
    result = d.client_drivers(with_outcome, responses, draws=100)
    assert result.n == 29 and result.outcome == "promise"
    pd.testing.assert_frame_equal(result.table, expected.table, check_exact=False, rtol=1e-12)
    # a statement named as the outcome: read reversed if it is, and left out of its own pillar's index
    named = d.client_drivers(with_outcome, responses, outcome="q3", draws=100)
    p1_without = frame.apply(hand_index, axis=1, questions=[("q1", 2.0, False), ("q2", 1.0, False)])
    by_hand = d.key_drivers(pd.DataFrame({"p1": p1_without, "p2": p2}), 6 - frame["q3"], "q3", draws=100)
    assert named.outcome == "q3" and named.n == 30
    pd.testing.assert_frame_equal(named.table, by_hand.table, check_exact=False, rtol=1e-12)
    assert "not a question" in d.client_drivers(with_outcome, responses, outcome="nope").reason
    without = responses_from_rows(with_outcome, header[:-1], [r[:-1] for r in rows])
    assert d.client_drivers(with_outcome, without).reason == "the answers have no column 'promise' for the outcome question"


def test_without_an_outcome_question_the_reason_says_so(tiny_template):
    responses, _ = load_responses(ROOT / "data" / "samples" / "servqual_responses.csv", find_template("servqual"))
    result = d.client_drivers(find_template("servqual"), responses)
    assert not result.computed and result.reason == "the questionnaire asks no outcome question"


def run_cli(*argv: object) -> tuple[int, str, str]:
    import contextlib
    import io

    from cxassess.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_score_names_another_outcome_or_says_which_it_does_not_know():
    client = ROOT / "data" / "clients" / "northwind-retail"
    code, out, _ = run_cli("score", client, "--outcome", "vision_1")
    answered = load_responses(client / "responses.csv", find_template("cx_service_strategy"))[0].ratings["vision_1"]
    assert code == 0 and out.rstrip().endswith(
        f"Key drivers: not computed: {answered.notna().sum()} respondents answered the outcome question and every "
        "pillar; drivers need at least 10 per pillar (120 for 12 pillars).")
    code, _, err = run_cli("score", client, "--outcome", "nope")
    assert code == 1 and "--outcome: 'nope' is not a question of questionnaire 'cx_service_strategy'" in err


@pytest.mark.slow
def test_score_prints_the_key_drivers_largest_first(tmp_path):
    template = find_template("cx_service_strategy")
    answers = tmp_path / "answers.csv"
    generate(template, Profile(respondents=150, drivers={"recovery": 1.0}), seed=3).to_csv(answers, index=False)
    code, out, _ = run_cli("score", "cx_service_strategy", answers, "--outcome", "promise_kept")
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("Key drivers of 'promise_kept'"))
    assert code == 0 and lines[heading + 2].split()[:2] == ["Service", "recovery"]
