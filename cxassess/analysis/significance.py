"""Differences beyond chance between the groups of a segment: each shown group against the rest.

Pure functions (docs/scoring.md, section 13). For every shown group of a segment and every
pillar: the difference in index points between the group's respondents and everyone else
(``diff``, the mean of their own pillar indices minus the rest's), Welch's t-test on those
indices (``waves.welch``: the groups differ in size and spread, so the pooled-variance test
would be wrong), and Benjamini-Hochberg q-values over all the tests of the segment, so that
testing every group against every pillar does not turn chance into findings. A difference is
*significant*, and may be called a gap, when its q-value is below 0.05. Suppressed groups
(anonymity) get no test at all.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..inputs.responses import NOT_GIVEN, Responses
from .scoring import given
from .waves import ALPHA, welch

TEST_COLUMNS = ("group", "pillar_id", "n", "n_rest", "diff", "t", "df", "p", "q", "significant")


def bh_qvalues(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given.

    Sorted ascending, the k-th of m p-values becomes ``p * m / k``, then the running minimum
    from the largest down, capped at 1 (so q >= p, and q keeps p's order). NaN p-values (tests
    that could not be run) stay NaN and do not count among the m tests. This is what scipy's
    ``stats.false_discovery_control(p, method="bh")`` computes (the tests check it against that);
    it is written out here because importing ``scipy.stats`` costs well over a second per
    process, for six lines of numpy.
    """
    values = np.asarray(p, dtype=float)
    q = np.full(values.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(values))
    if len(ok):
        order = ok[np.argsort(values[ok], kind="stable")]
        scaled = values[order] * len(order) / np.arange(1, len(order) + 1)
        q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


def group_tests(indices: pd.DataFrame, groups: pd.Series, shown: Sequence[str], pillars: Sequence[str],
                alpha: float = ALPHA) -> pd.DataFrame:
    """Every shown group against the rest of the respondents, pillar by pillar, with q-values over them all.

    ``indices`` holds each respondent's own pillar indices (rows: respondents, as ``groups``);
    ``groups`` each respondent's group. ``n`` and ``n_rest`` count the respondents with an
    index on the pillar. A test that cannot be run (fewer than two people on a side, or no
    spread) has NaN ``t``/``p``/``q`` and is not significant.
    """
    labels = groups.reindex(indices.index).to_numpy()
    columns = {pillar: indices[pillar].to_numpy(dtype=float, na_value=np.nan) for pillar in pillars}
    rows = []
    for group in shown:
        inside = labels == group
        for pillar in pillars:
            values = columns[pillar]
            mine, rest = given(values[inside]), given(values[~inside])
            t, df, p = welch(rest, mine)  # t of the group minus the rest
            diff = float(mine.mean() - rest.mean()) if len(mine) and len(rest) else math.nan
            rows.append({"group": group, "pillar_id": pillar, "n": len(mine), "n_rest": len(rest), "diff": diff,
                         "t": t, "df": df, "p": p})
    frame = pd.DataFrame(rows, columns=list(TEST_COLUMNS[:-2]))
    frame["q"] = bh_qvalues(frame["p"].to_numpy(dtype=float))
    frame["significant"] = (frame["q"] < alpha).astype(bool)  # NaN compares False: untested is not significant
    return frame


def segment_tests(responses: Responses, indices: pd.DataFrame, breakdowns: Mapping[str, pd.DataFrame],
                  pillars: Sequence[str], alpha: float = ALPHA) -> dict[str, pd.DataFrame]:
    """``group_tests`` for every segment of ``breakdowns``, on its shown (not suppressed) groups.

    Respondents without a group fall in the breakdowns' "not given" group, as there.
    """
    out = {}
    for segment, frame in breakdowns.items():
        groups = responses.segments[segment].fillna(NOT_GIVEN).astype(str)
        shown = [str(g) for g, hidden in zip(frame["group"], frame["suppressed"]) if not hidden]
        out[segment] = group_tests(indices, groups, shown, pillars, alpha)
    return out


def significant_cells(tests: pd.DataFrame) -> pd.DataFrame:
    """Group x pillar table of booleans: True where the group differs from the rest beyond chance."""
    if tests.empty:
        return pd.DataFrame(dtype=bool)
    cells = tests.pivot(index="group", columns="pillar_id", values="significant")
    return cells.astype("boolean").fillna(False).astype(bool)


def tests_document(tests: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """group -> pillar id -> {diff, p, q, significant}: what scores.json carries per shown group."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in tests.to_dict("records"):
        out.setdefault(r["group"], {})[r["pillar_id"]] = {"diff": r["diff"], "p": r["p"], "q": r["q"],
                                                          "significant": bool(r["significant"])}
    return out
