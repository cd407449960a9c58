"""A segment breakdown as a table: the figures behind a perception-gap heatmap, for reading and editing.

The heatmap (``plots.segment_heatmap``) shows a segment's groups at a glance; this is the same
breakdown, pillar by group, as an HTML table inside a ``details`` element (closed in the page,
so the report reads as before, open to a screen reader or a click). The Word report shows it
as a Word table, where a consultant can edit or restyle the figures. Suppressed groups keep
their column without figures, as in the heatmap.
"""

from __future__ import annotations

import pandas as pd

from ..inputs.templates import Template
from .display import Html, index_style, render

_TABLE = """
<details class="cx-figures"><summary>The figures behind the chart: index by {{ segment }} (0-100)</summary>
<table class="cx-table cx-breakdown">
  <thead><tr><th>Pillar</th>{% for label in labels %}<th>{{ label }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for name, cells in rows %}
  <tr><td class="cx-name">{{ name }}</td>{% for v in cells %}<td style="{{ heat(v) }}">{{ v|num }}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>
</table>
</details>
"""


def breakdown_table(breakdown: pd.DataFrame, template: Template) -> Html:
    """One segment's breakdown as a table: a row per pillar (overall first), a column per group."""
    segment = str(breakdown["segment"].iloc[0]) if len(breakdown) else ""
    suppressed = breakdown["suppressed"].fillna(False).astype(bool).tolist()
    labels = [f"{g} (suppressed)" if hidden or pd.isna(n) else f"{g} (n={int(n)})"
              for g, n, hidden in zip(breakdown["group"], breakdown["n"], suppressed)]
    columns = [("Overall", "overall_index")] + [(p.name, p.id) for p in template.pillars if p.id in breakdown]
    rows = [(name, [None if hidden else value for value, hidden in zip(breakdown[key], suppressed)])
            for name, key in columns if key in breakdown]
    return render(_TABLE, segment=segment, labels=labels, rows=rows, heat=index_style)
