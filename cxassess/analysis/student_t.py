"""The tail of Student's t distribution, for Welch's test (waves and groups), without scipy.

``scipy.special.stdtr`` gives the same numbers (``tests/test_student_t.py`` checks both across
degrees of freedom and t values), but importing it cost about 0.3 s in every kernel's start-up,
on the path of every report, for one function. The tail is the regularized incomplete beta
function, evaluated by its continued fraction (modified Lentz), which converges in a few dozen
steps for the degrees of freedom a survey gives.
"""

from __future__ import annotations

import math

_TINY = 1e-300  # keeps the continued fraction's divisions off zero
_EPSILON = 1e-15
_STEPS = 500


def lower_tail(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (> 0, may be fractional) degrees of freedom."""
    if math.isnan(t) or math.isnan(df) or df <= 0:
        return math.nan
    if math.isinf(t):
        return 0.0 if t < 0 else 1.0
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t), t * t / (df + t * t))  # P(T <= -|t|)
    return tail if t <= 0 else 1.0 - tail


def incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0, 0 <= x <= 1 and y = 1 - x.

    ``y`` is passed rather than computed: near x = 1 the subtraction would lose its digits.
    """
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y))
    if x < (a + 1) / (a + b + 2):  # where the fraction converges fast; else by symmetry
        return front * _fraction(a, b, x) / a
    return 1.0 - front * _fraction(b, a, y) / b


def _fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), by the modified Lentz method."""

    def off_zero(value: float) -> float:
        return value if abs(value) >= _TINY else _TINY

    c, d = 1.0, 1.0 / off_zero(1.0 - (a + b) * x / (a + 1))
    result = d
    for m in range(1, _STEPS + 1):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 / off_zero(1.0 + even * d)
        c = off_zero(1.0 + even / c)
        result *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 / off_zero(1.0 + odd * d)
        c = off_zero(1.0 + odd / c)
        step = d * c
        result *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return result
