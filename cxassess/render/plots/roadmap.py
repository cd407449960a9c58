"""The client's roadmap: where its plan takes each pillar and the overall index, phase by phase.

A grid read left to right: the index now (as-is), after each phase of plan.yaml, and the to-be;
one row per pillar under the overall index. A figure that the plan moves from the column before
is drawn in bold, so the rows the plan works on stand out.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure

from ...analysis.roadmap import OVERALL, Projection
from .style import (FONT, INDEX_CMAP, SMALL, TITLE, WIDTH, category_labels, cell_grid, cell_text, figure, fit,
                    heat_cells, row_labels, settle, text_color)


def roadmap_chart(p: Projection, title: str = "Roadmap: where the plan takes each pillar") -> Figure:
    """Projected index (0-100) per pillar and overall: as-is, after each phase, to-be."""
    columns = p.columns()
    pillar_ids = list(p.pillars.index)
    rows = [OVERALL, *pillar_ids]
    values = np.array([[p.overall[c] for c in columns]] + [[p.pillars.at[r, c] for c in columns] for r in pillar_ids],
                      dtype=float)
    names = ["Overall", *(str(p.names.get(r, r)) for r in pillar_ids)]
    labels, label_width = row_labels(names, FONT, [True] + [False] * len(pillar_ids))
    n_rows, n_cols = len(rows), len(columns)
    left = max(2.2, 1.1 + label_width)
    cell = (WIDTH - left) / n_cols
    rotate = cell < 0.55
    headers = []
    for c in columns:
        text = p.label(c)
        if c not in ("as_is", "to_be"):
            phase = next(x for x in p.phases if x.n == c)
            text = f"{text}\nto {phase.end.strftime('%b %Y')}"
        headers.append(text if rotate else "\n".join(fit(line, cell - 0.08, SMALL, wrap_at=14)
                                                     for line in text.split("\n")))
    header_lines = max(h.count("\n") + 1 for h in headers)
    top = (max(len(h) for h in headers) * 0.065 if rotate else 0.16 * header_lines) + 0.9
    fig = figure(WIDTH, top + 0.8 + 0.3 * n_rows)
    ax = fig.add_subplot()
    cmap = heat_cells(ax, values, INDEX_CMAP, 0, 100, "index")
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if math.isnan(v):
                continue
            moved = j > 0 and not math.isnan(values[i, j - 1]) and round(v, 1) != round(values[i, j - 1], 1)
            cell_text(ax, j, i, f"{v:.0f}", fontsize=FONT - 0.5, fontweight="bold" if moved or i == 0 else "normal",
                      color=text_color(cmap(v / 100)))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    category_labels(ax, "y", range(n_rows), labels, fontsize=FONT)[0].set_fontweight("bold")
    cell_grid(ax, headers, n_rows, rotate=rotate, heavy_first=True)
    ax.axhline(0.5, color="white", linewidth=2.5)  # the overall row apart from the pillars
    sub = ("Index 0-100, darker = higher. After a phase a pillar stands at the target the plan names for it (from "
           "that phase on), else where it is now; bold: moved by the plan. To-be: the client's own target where it "
           "has one, else the end of the plan.")
    heading = fig.suptitle(fit(title, WIDTH - 0.3, TITLE, weight="bold"), fontsize=TITLE, fontweight="bold", x=0.02,
                           ha="left")
    note = fig.supxlabel(textwrap.fill(sub, int(WIDTH * 16)), fontsize=SMALL, color="#444444", x=0.02, ha="left")
    settle(fig, ax, heading=heading, note=note)
    return fig
