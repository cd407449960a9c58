"""Key-driver analysis (cxassess.analysis.drivers): LMG shares, relative weights and their intervals,
against published answers, brute-force OLS and hand-worked correlation matrices."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from cxassess.analysis import drivers as d

MTCARS = DATA / "mtcars_rwa.csv"  # R's mtcars (Henderson & Velleman 1981), the five columns the rwa example uses


def corr_of(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return d.correlations(frame[columns].to_numpy(dtype=float))


def ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of an OLS fit with intercept, by least squares (independent of the correlation route)."""
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()


# ------------------------------------------------------------------------------- known answers


def test_lmg_shares_of_pingouins_mediation_data():
    """Y ~ X + M: pingouin's relimp and R's relaimpo (lmg) both give 0.05778011 and 0.31521913."""
    shares, r2 = d.lmg(corr_of(pingouin.read_dataset("mediation"), ["X", "M", "Y"]))
    assert shares == pytest.approx([0.05778011, 0.31521913], abs=5e-9)
    assert float(r2) == pytest.approx(shares.sum(), abs=1e-12)


def test_relative_weights_of_mtcars_as_rs_rwa_gives_them():
    """rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear"))$result$Raw.RelWeight."""
    cars = pd.read_csv(MTCARS)
    assert len(cars) == 32 and cars["mpg"].sum() == pytest.approx(642.9)
    weights = d.relative_weights(corr_of(cars, ["cyl", "disp", "hp", "gear", "mpg"]))
    assert weights == pytest.approx([0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8)
    x = cars[["cyl", "disp", "hp", "gear"]].to_numpy(dtype=float)
    assert weights.sum() == pytest.approx(ols_r2(x, cars["mpg"].to_numpy(dtype=float)), abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lmg_agrees_with_pingouins_relimp_on_random_data(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, 5)) @ rng.normal(size=(5, 5))  # correlated predictors
    y = x @ rng.normal(size=5) + rng.normal(scale=3, size=80)
    frame = pd.DataFrame(x, columns=list("abcde"))
    expected = pingouin.linear_regression(frame, y, relimp=True)["relimp"].to_numpy()[1:]
    shares, _ = d.lmg(d.correlations(np.column_stack([x, y])))
    assert shares == pytest.approx(expected, abs=1e-10)


# ------------------------------------------------------------------------------- by hand


def corr_matrix(r12: float, r1y: float, r2y: float) -> np.ndarray:
    return np.array([[1, r12, r1y], [r12, 1, r2y], [r1y, r2y, 1]], dtype=float)


def test_uncorrelated_predictors_each_keep_their_own_r2():
    shares, r2 = d.lmg(corr_matrix(0.0, 0.3, 0.4))
    assert shares == pytest.approx([0.09, 0.16]) and float(r2) == pytest.approx(0.25)
    assert d.relative_weights(corr_matrix(0.0, 0.3, 0.4)) == pytest.approx([0.09, 0.16])


def test_correlated_predictors_split_the_overlap_over_both_orders():
    """r12 = .5, r1y = .6, r2y = .3: R²(1) = .36, R²(2) = .09, R²(1,2) = (.36 + .09 - .18) / .75 = .36.
    Share 1 = (.36 + (.36 - .09)) / 2 = .315; share 2 = (.09 + 0) / 2 = .045."""
    r2 = d.subset_r2(corr_matrix(0.5, 0.6, 0.3))
    assert r2 == pytest.approx([0.0, 0.36, 0.09, 0.36])  # subsets {}, {1}, {2}, {1, 2}
    shares, full = d.lmg(corr_matrix(0.5, 0.6, 0.3))
    assert shares == pytest.approx([0.315, 0.045]) and float(full) == pytest.approx(0.36)


def test_a_constant_or_duplicated_predictor_adds_nothing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 2))
    y = x[:, 0] + rng.normal(size=50)
    twice = d.lmg(d.correlations(np.column_stack([x[:, 0], x[:, 0], y])))[0]
    assert twice[0] == pytest.approx(twice[1]) and twice.sum() == pytest.approx(ols_r2(x[:, :1], y))
    flat = d.lmg(d.correlations(np.column_stack([x[:, 0], np.ones(50), y])))[0]
    assert flat[1] == 0 and flat[0] == pytest.approx(ols_r2(x[:, :1], y))


def test_every_subset_r2_matches_least_squares():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4)) @ rng.normal(size=(4, 4))
    y = x @ rng.normal(size=4) + rng.normal(size=40)
    r2 = d.subset_r2(d.correlations(np.column_stack([x, y])))
    for s in range(16):
        columns = [j for j in range(4) if s >> j & 1]
        assert r2[s] == pytest.approx(ols_r2(x[:, columns], y) if columns else 0.0, abs=1e-12), s


def test_a_batch_of_matrices_gives_each_its_own_shares():
    batch = np.stack([corr_matrix(0.0, 0.3, 0.4), corr_matrix(0.5, 0.6, 0.3)])
    shares, r2 = d.lmg(batch)
    assert shares == pytest.approx(np.array([[0.09, 0.16], [0.315, 0.045]])) and r2 == pytest.approx([0.25, 0.36])


def test_hidden_drivers_and_overrated_pillars_by_thirds():
    derived = pd.Series({"a": 0.30, "b": 0.20, "c": 0.10, "d": 0.05, "e": 0.03, "f": 0.01})
    stated = pd.Series({"a": 50.0, "b": 90.0, "c": 70.0, "d": 60.0, "e": 95.0, "f": 40.0})
    # derived top third: a, b; bottom third: e, f. stated top third: e, b; bottom third: f, a
    assert d.hidden_and_overrated(derived, stated) == (["a"], ["e"])
    assert d.hidden_and_overrated(derived[:2], stated[:2]) == ([], [])


# ------------------------------------------------------------------------------- the analysis


def sample(n: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(50, 15, size=(n, p)), columns=[f"p{j}" for j in range(p)])
    y = pd.Series(x.to_numpy() @ np.arange(1, p + 1) / 50 + rng.normal(size=n), name="outcome")
    return x, y


def test_key_drivers_table_sums_to_r2_and_ranks_by_share():
    x, y = sample(60, 3)
    result = d.key_drivers(x, y, draws=200)
    assert result.computed and result.n == 60 and result.outcome == "outcome"
    assert result.r2 == pytest.approx(ols_r2(x.to_numpy(), y.to_numpy()), abs=1e-12)
    assert result.table["share"].sum() == pytest.approx(result.r2, abs=1e-10)
    assert result.table["share_pct"].sum() == pytest.approx(100, abs=1e-9)
    assert result.table["relative_weight"].sum() == pytest.approx(result.r2, abs=1e-10)
    assert list(result.table["rank"]) == list(result.table["share"].rank(ascending=False).astype(int))
    assert (result.table["ci_low"] <= result.table["share"]).all()
    assert (result.table["share"] <= result.table["ci_high"]).all()


def test_the_bootstrap_is_seeded_and_its_interval_is_the_percentiles_of_the_draws():
    x, y = sample(40, 2, seed=3)
    first, again = d.key_drivers(x, y, draws=300), d.key_drivers(x, y, draws=300)
    pd.testing.assert_frame_equal(first.table, again.table)
    values = pd.concat([x, y], axis=1).to_numpy()
    values = values[np.lexsort(values.T[::-1])]
    rows = np.random.default_rng(d.SEED).integers(40, size=(300, 40))
    by_hand = np.array([d.lmg(d.correlations(values[r]))[0] for r in rows])
    assert first.table["ci_low"].to_numpy() == pytest.approx(np.percentile(by_hand, 2.5, axis=0), abs=1e-12)
    assert first.table["ci_high"].to_numpy() == pytest.approx(np.percentile(by_hand, 97.5, axis=0), abs=1e-12)


def test_respondents_missing_an_answer_are_left_out_and_counted():
    x, y = sample(50, 2)
    x.iloc[0, 0] = np.nan
    y.iloc[1] = np.nan
    result = d.key_drivers(x, y, draws=50)
    assert result.n == 48
    full = d.key_drivers(x.iloc[2:], y.iloc[2:], draws=50)
    pd.testing.assert_frame_equal(result.table, full.table)


def test_too_few_respondents_give_a_reason_not_drivers():
    x, y = sample(29, 3)
    result = d.key_drivers(x, y)
    assert not result.computed and result.table.empty and math.isnan(result.r2) and result.n == 29
    assert result.reason == ("29 respondents answered the outcome question and every pillar; drivers need at "
                             "least 10 per pillar (30 for 3 pillars)")
    assert d.to_document(result) == {"drivers": None, "drivers_reason": result.reason}
    flat = d.key_drivers(x.iloc[:20, :1], pd.Series(3.0, index=x.index[:20]), "q")
    assert "same answer" in flat.reason


def test_the_document_lists_each_pillar_in_order():
    x, y = sample(40, 2)
    document = d.to_document(d.key_drivers(x, y, "promise", draws=50))["drivers"]
    assert document["outcome"] == "promise" and document["method"] == "lmg" and document["n"] == 40
    assert [p["id"] for p in document["pillars"]] == ["p0", "p1"]
    assert set(document["pillars"][0]) == {"id", *d.COLUMNS}


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(p=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_shares_sum_to_r2_and_the_order_of_respondents_never_matters(p, seed, data):
    n = data.draw(st.integers(10 * p, 60))
    x, y = sample(n, p, seed)
    x = x.round(data.draw(st.sampled_from([0, 1, 6])))  # ties and repeated rows too
    result = d.key_drivers(x, y, draws=40)
    assert result.table["share"].sum() == pytest.approx(result.r2, abs=1e-10)
    order = np.random.default_rng(seed).permutation(n)
    shuffled = d.key_drivers(x.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True), draws=40)
    pd.testing.assert_frame_equal(result.table, shuffled.table, check_exact=False, rtol=0, atol=1e-10)


def test_subset_r2_visits_subsets_in_bit_order():
    """Entry s of subset_r2 is the subset whose bits are set in s, for every size of subset."""
    rng = np.random.default_rng(9)
    x = rng.normal(size=(30, 3))
    y = x[:, 2] * 2 + rng.normal(size=30) * 0.1
    r2 = d.subset_r2(d.correlations(np.column_stack([x, y])))
    best = max(range(8), key=lambda s: r2[s] if s in (1, 2, 4) else -1)
    assert best == 4  # the predictor that carries y is bit 2
    assert all(r2[a] <= r2[a | b] + 1e-12 for a, b in itertools.product(range(8), repeat=2))
