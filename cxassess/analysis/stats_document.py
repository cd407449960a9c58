"""The scores document's fields on how far the figures can be trusted, from one client's analysis.

``add_statistics`` writes into a ``document.to_document`` result what ``scores.json`` carries
beyond the scores (schema 1.1): each shown group's tests against the rest (``breakdown``), the
95% interval of every pillar index and of the overall index (``ci_low``, ``ci_high``), and who
answered (``participation``, when client.yaml gives a headcount). Full precision; ``clean``
makes the figures JSON-safe.
"""

from __future__ import annotations

from typing import Any

from .assessment import Assessment
from .document import clean
from .intervals import OVERALL
from .participation import to_document as participation_document
from .significance import tests_document


def add_statistics(document: dict[str, Any], a: Assessment) -> dict[str, Any]:
    """``document`` (changed in place, and returned) with the tests, intervals and participation of ``a``."""
    for segment, groups in document.get("breakdown", {}).items():
        tests = tests_document(a.group_tests[segment]) if segment in a.group_tests else {}
        for group in groups:
            if not group["suppressed"]:
                group["tests"] = clean(tests.get(group["group"], {}))
    bounds = a.intervals
    for pillar in document["pillars"]:
        if pillar["id"] in bounds.index:
            row = bounds.loc[pillar["id"]]
            pillar.update(clean({"ci_low": row["ci_low"], "ci_high": row["ci_high"],
                                 "within_noise": bool(row["within_noise"])}))
    overall = bounds.loc[OVERALL]
    document["overall"].update(clean({"ci_low": overall["ci_low"], "ci_high": overall["ci_high"],
                                      "within_noise": bool(overall["within_noise"])}))
    if a.participation is not None:
        document["participation"] = clean(participation_document(a.participation))
    return document
