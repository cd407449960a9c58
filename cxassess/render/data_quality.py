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


def maturity_cell(row: Mapping[str, Any]) -> str | None:
    """A row's maturity: its band, "not enough answers" (thin pillar), "withheld" (withheld overall), else None."""
    if row.get("withheld_reason"):
        return "withheld"
    if not bool(row.get("enough_answers", True)):
        return NOT_ENOUGH
    band = row.get("maturity")
    return band if isinstance(band, str) and band else None


def maturity_label(pillar: Mapping[str, Any]) -> str:
    """The scorecard's maturity cell: ``maturity_cell``, '–' where there is none."""
    return maturity_cell(pillar) or "–"
