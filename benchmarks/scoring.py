"""Scoring at scale: 20,000 respondents x 60 questions with breakdowns by two segments.

Times cxassess's scoring against a straightforward row-by-row Python loop computing the same
pillar indices (measured in the same run, on the same data), checks both agree, and prints
the ratio and the peak memory of the scoring. Target: under 1 s and under 1 GB.

    python benchmarks/scoring.py [--respondents 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from collections import defaultdict

import numpy as np
import pandas as pd

from cxassess.inputs.responses import Responses
from cxassess.analysis.breakdowns import breakdown
from cxassess.analysis.scoring import score
from cxassess.inputs.templates import find_template


def synthetic(template, n: int, seed: int = 0) -> Responses:
    """Answers as validated frames (loading is not what is measured here)."""
    rng = np.random.default_rng(seed)
    qids = template.question_ids
    index = pd.Index([f"R{i:06d}" for i in range(n)], name="respondent_id")
    columns = pd.Index(qids, name="question_id")
    ratings = rng.integers(template.scale.min, template.scale.max + 1, size=(n, len(qids))).astype(float)
    ratings[rng.random(ratings.shape) < 0.05] = np.nan
    importance = rng.integers(template.scale.min, template.scale.max + 1, size=(n, len(qids))).astype(float)
    frame = lambda data, dtype=float: pd.DataFrame(data, index=index, columns=columns, dtype=dtype)
    segments = pd.DataFrame(
        {
            "role": rng.choice(["Leadership", "Manager", "Frontline", "Back office"], n, p=[0.05, 0.15, 0.6, 0.2]),
            "department": rng.choice([f"Dept {i}" for i in range(12)], n),
        },
        index=index,
        dtype="string",
    )
    return Responses(
        ratings=frame(ratings),
        not_applicable=frame(np.zeros(ratings.shape, dtype=bool), bool),
        importance=frame(importance),
        target=frame(np.full(ratings.shape, np.nan)),
        comments=frame(np.full(ratings.shape, None, dtype=object), object),
        segments=segments,
    )


def cxassess_scoring(template, responses):
    scores = score(template, responses)
    return scores, {s: breakdown(template, responses, s, threshold=5) for s in ("role", "department")}


def loop_scoring(template, responses):
    """The same pillar indices (overall and per group) with plain Python loops, row by row."""
    lo, hi = template.scale.min, template.scale.max
    reverse = {q.id for p in template.pillars for q in p.questions if q.reverse}
    qids = template.question_ids
    rows = responses.ratings[qids].to_numpy().tolist()
    seg = {s: responses.segments[s].tolist() for s in ("role", "department")}
    totals = defaultdict(lambda: [0.0, 0])  # (group key, question) -> sum, count
    for r, row in enumerate(rows):
        keys = [("all",)] + [(s, seg[s][r]) for s in seg]
        for q, value in zip(qids, row):
            if value != value:  # NaN
                continue
            if q in reverse:
                value = lo + hi - value
            for key in keys:
                cell = totals[(key, q)]
                cell[0] += value
                cell[1] += 1
    groups = {key for key, _ in totals}
    result = {}
    for key in groups:
        pillar_index = {}
        for pillar in template.pillars:
            num = den = 0.0
            for question in pillar.questions:
                total, count = totals.get((key, question.id), (0.0, 0))
                if count:
                    num += question.weight * total / count
                    den += question.weight
            pillar_index[pillar.id] = (num / den - lo) / (hi - lo) * 100 if den else math.nan
        result[key] = pillar_index
    return result


def timed(function, repeat: int):
    best, value = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    template = find_template("cx_service_strategy")
    responses = synthetic(template, args.respondents)
    answers = int(responses.ratings.notna().to_numpy().sum())
    cxassess_scoring(template, responses.subset(responses.ratings.index[:200]))  # warm imports and caches

    tracemalloc.start()
    fast, (scores, breakdowns) = timed(lambda: cxassess_scoring(template, responses), args.repeat)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    slow, loop = timed(lambda: loop_scoring(template, responses), 1)

    worst = max(abs(scores.pillars.loc[p, "index"] - loop[("all",)][p]) for p in scores.pillars.index)
    for segment, frame in breakdowns.items():
        for row in frame[~frame["suppressed"]].to_dict("records"):
            worst = max(worst, *(abs(row[p] - loop[(segment, row["group"])][p]) for p in scores.pillars.index))
    print(f"respondents {args.respondents:,} x questions {len(template.question_ids)} = {answers:,} answers; "
          f"breakdowns by role and department")
    print(f"cxassess scoring      {fast:8.3f} s   (best of {args.repeat}; target < 1 s)")
    print(f"row-by-row loop       {slow:8.3f} s")
    print(f"ratio loop / cxassess {slow / fast:8.1f} x")
    print(f"peak memory (scoring) {peak / 2**20:8.1f} MiB (target < 1024 MiB)")
    print(f"largest difference between the two methods: {worst:.2e} index points")
    print("targets met" if fast < 1 and peak < 2**30 and worst < 1e-9 else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
