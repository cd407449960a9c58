"""Student's t tail (analysis/student_t.py) against closed forms and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from cxassess.analysis.student_t import incomplete_beta, lower_tail


@pytest.mark.parametrize("t", [-50.0, -6.3, -2.0, -0.7, -1e-6, 0.0, 0.3, 1.0, 4.2, 30.0])
def test_one_and_two_degrees_of_freedom_by_their_closed_forms(t):
    assert lower_tail(t, 1.0) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-12)  # Cauchy
    assert lower_tail(t, 2.0) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), rel=1e-12)


def test_agrees_with_scipy_across_a_survey_s_degrees_of_freedom():
    rng = np.random.default_rng(7)
    for df in np.concatenate([rng.uniform(0.5, 10, 150), rng.uniform(10, 2000, 150)]):
        for t in np.concatenate([rng.normal(0, 4, 20), rng.normal(0, 0.01, 3), [-40.0, 40.0]]):
            assert lower_tail(float(t), float(df)) == pytest.approx(special.stdtr(df, t), rel=1e-10, abs=1e-300)


def test_a_far_tail_keeps_its_relative_precision():
    assert lower_tail(-12.0, 30.0) == pytest.approx(special.stdtr(30.0, -12.0), rel=1e-10)  # about 3e-13


def test_the_edges():
    assert lower_tail(0.0, 7.5) == 0.5
    assert lower_tail(-math.inf, 3.0) == 0.0 and lower_tail(math.inf, 3.0) == 1.0
    assert math.isnan(lower_tail(math.nan, 3.0)) and math.isnan(lower_tail(1.0, math.nan))
    assert math.isnan(lower_tail(1.0, 0.0))
    assert incomplete_beta(2.0, 3.0, 0.0, 1.0) == 0.0 and incomplete_beta(2.0, 3.0, 1.0, 0.0) == 1.0
    # I_x(a, 1) = x**a and I_x(1, b) = 1 - (1 - x)**b
    assert incomplete_beta(2.5, 1.0, 0.3, 0.7) == pytest.approx(0.3**2.5, rel=1e-12)
    assert incomplete_beta(1.0, 4.0, 0.2, 0.8) == pytest.approx(1 - 0.8**4, rel=1e-12)
