"""The ``cxassess score --json`` document: a client's scores (and breakdowns) as plain, JSON-safe data.

Kept apart from the arithmetic so that what is published, field by field, is decided in one
place; ``clean`` (numpy scalars to Python, NaN and infinities to null) is shared with the
customers' JSON of ``cxassess.analysis.voice`` and the portfolio's quartiles. Figures keep full
float precision: the document is for programs, and rounding belongs to what people read.

The document's shape is the JSON Schema shipped with the package
(``cxassess/resources/schemas/scores.schema.json``, ``schema()``); ``schema_version`` in every
document names the schema it follows, and ``validate`` checks a document against it. Nothing
here writes files; the only file read is that schema, from the package.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..core.errors import CxError, Problem
from .scoring import Scores

#: The version of the document's JSON Schema, written into every document as ``schema_version``.
#: "MAJOR.MINOR": MINOR grows when a field is added, MAJOR when one is removed, renamed or
#: changes its type or meaning (docs/scoring.md, "The scores document").
SCHEMA_VERSION = "1.2"
SCHEMA_RESOURCE = "resources/schemas/scores.schema.json"  # inside the cxassess package


def clean(value: Any) -> Any:
    """JSON-safe at full precision: numpy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


PILLAR_FIELDS = ("id", "name", "mean", "index", "target", "gap", "gap_index", "importance", "priority", "maturity",
                 "n", "sd", "rwg", "alpha", "alpha_n", "alpha_if_dropped", "action", "target_source", "weight",
                 "stage")
QUESTION_FIELDS = ("id", "text", "reverse", "weight", "n", "na", "mean", "sd", "index", "target", "gap",
                   "gap_index", "importance", "rwg", "action")


def to_document(scores: Scores, breakdowns: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The ``cxassess score --json`` document (null where a figure cannot be computed).

    Pass ``Assessment.verdict_scores`` so that each pillar's ``action`` is its final verdict; plain
    scores give the importance-performance class as both ``action`` and ``action_ipa``.
    """
    t = scores.template
    questions = {qid: {"id": qid, **q} for qid, q in scores.questions.to_dict("index").items()}
    pillars = []
    for pid, row in scores.pillars.to_dict("index").items():
        item = {"id": pid, **row}
        entry = {k: item.get(k) for k in PILLAR_FIELDS}
        # the final verdict is ``action``; the grid's class beside it, and why they differ when they do (1.2)
        entry["action_ipa"] = item.get("action_ipa", item.get("action"))
        if isinstance(item.get("action_reason"), str):
            entry["action_reason"] = item["action_reason"]
        entry["questions"] = [{k: q.get(k) for k in QUESTION_FIELDS} for q in questions.values()
                              if q["pillar_id"] == pid]
        if "enough_answers" in item:  # the thin-data guard's verdict (analysis/coverage.py)
            entry["enough_answers"], entry["thin_reason"] = bool(item["enough_answers"]), item["thin_reason"]
        pillars.append(entry)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "template": {"id": t.id, "name": t.name, "version": t.version},
        "scale": {"min": t.scale.min, "max": t.scale.max},
        "respondents": scores.respondents,
        "overall": scores.overall,
        "pillars": pillars,
    }
    if breakdowns:
        document["breakdown"] = {
            segment: [
                {
                    "group": r["group"],
                    "n": r["n"],
                    "suppressed": r["suppressed"],
                    "overall_index": r["overall_index"],
                    "pillars": {p.id: r[p.id] for p in t.pillars},
                }
                for r in frame.to_dict("records")
            ]
            for segment, frame in breakdowns.items()
        }
    return clean(document)


@functools.cache
def _schema_text() -> str:
    return resources.files("cxassess").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the scores document, as shipped in the package (a fresh copy)."""
    return json.loads(_schema_text())


def validate(document: Any, where: str = "scores document") -> None:
    """Check a scores document (as read from JSON) against ``schema()``; a CxError names every problem.

    ``where`` names the document in the messages (e.g. the path of a scores.json). Each problem
    gives the field's path inside the document (``pillars/0/alpha``) and what the schema expects.
    """
    from jsonschema import Draft202012Validator  # imported only when a document is checked

    errors = Draft202012Validator(schema()).iter_errors(document)
    located = sorted(("/".join(str(p) for p in e.absolute_path) or "(top level)", e.message) for e in errors)
    if located:
        raise CxError(Problem(str(where), f"{path}: {message} (scores schema {SCHEMA_VERSION})")
                      for path, message in located)
