"""The thin-data warning as people read it: the box the executive summary opens with.

Renders what the guard found (``Assessment.coverage``, analysis/coverage.py); decides nothing.
The scorecard, deck, workbook and CLI show a thin pillar as ``coverage.NOT_ENOUGH`` from the same
finding, so every deliverable says the same thing about the same pillars.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..analysis.assessment import Assessment
from ..analysis.coverage import NOT_ENOUGH
from .display import Html, render

_BOX = """
{% if warning %}
<div class="cx-data-warning" role="note">
  <p class="cx-data-warning-head">Data quality warning: these results rest on too few answers</p>
  <p>{{ warning }}</p>
</div>
{% endif %}
"""


def warning_box(a: Assessment) -> Html:
    """The data-quality warning box (empty when every pillar has enough answers)."""
    return render(_BOX, warning=a.coverage.warning)


def maturity_label(pillar: object) -> str:
    """A pillar row's maturity band, or "not enough answers" when the guard left it unscored; '–' without a band."""
    get = pillar.get  # type: ignore[attr-defined]
    if not bool(get("enough_answers", True)):
        return NOT_ENOUGH
    band = get("maturity")
    return band if isinstance(band, str) and band else "–"


def maturity_cell(row: Mapping[str, Any]) -> str | None:
    """A workbook row's maturity: the band, "not enough answers" for a thin pillar, "withheld" for a withheld overall."""
    if row.get("withheld_reason"):
        return "withheld"
    if not bool(row.get("enough_answers", True)):
        return NOT_ENOUGH
    band = row.get("maturity")
    return band if isinstance(band, str) and band else None
