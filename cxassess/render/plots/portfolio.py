"""Charts across a portfolio's clients: the spread of overall indices, pillar index by client, one client against all.

The overview page draws ``portfolio_distribution`` and ``portfolio_heatmap`` from every client's
figures; a client's report draws ``portfolio_comparison`` from the portfolio's quartiles only, so
nothing about another client is shown there.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from .style import (CURRENT_COLOR, FONT, INDEX_CMAP, SMALL, TITLE, WIDTH, category_labels, cell_grid, cell_text,
                    clean_axes, figure, fit, row_labels, set_titles, settle, text_color, text_width, wrap)

# ------------------------------------------------------------------------------- portfolio


def portfolio_distribution(overall: pd.Series, *, bin_width: float = 10.0) -> Figure:
    """How the clients' overall indices spread over 0-100: one bar per band of ``bin_width`` points.

    ``overall`` holds one overall index per client (missing values are left out). Each bar is
    labelled with its count; a dashed line marks the median. Bands include their lower edge,
    the last one also 100.
    """
    values = overall.dropna().to_numpy(dtype=float)
    edges = np.arange(0.0, 100.0 + bin_width, bin_width)
    edges[-1] = max(edges[-1], 100.0)
    counts, _ = np.histogram(values, bins=edges)
    fig = figure(WIDTH, 3.4)
    ax = fig.add_subplot()
    clean_axes(ax)
    fill = matplotlib.colormaps[INDEX_CMAP](0.55)  # mid blue: the dark median line reads on it, in grey too
    bars = ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=fill, edgecolor="white",
                  linewidth=1.0, zorder=2)
    for bar, count, left in zip(bars, counts, edges[:-1]):
        bar.set_gid(f"bin:{left:g}")
        if count:
            ax.text(bar.get_x() + bar.get_width() / 2, count, str(int(count)), ha="center", va="bottom",
                    fontsize=FONT - 0.5)
    top = max(int(counts.max()) if counts.size else 0, 1)
    ax.set_ylim(0, top * 1.18 + 0.2)
    ax.set_xlim(0, 100)
    ax.set_xticks(edges if len(edges) <= 21 else edges[::2])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.grid(True, color="#E0E0E0", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("Overall index (0-100)", fontsize=FONT)
    ax.set_ylabel("Clients", fontsize=FONT)
    sub = f"{values.size} client{'s' if values.size != 1 else ''}, in bands of {bin_width:g} index points"
    if values.size:
        median = float(np.median(values))
        line = ax.axvline(median, color="#222222", linestyle="--", linewidth=1.4, zorder=3)
        line.set_gid("median")
        sub += f"; dashed line: the median, {median:.0f}"
    set_titles(ax, "Overall index across the portfolio", sub)
    settle(fig, ax)
    return fig


def portfolio_heatmap(matrix: pd.DataFrame, names: dict[str, str] | None = None, *, title: str | None = None,
                      wrap_at: int = 22, decimals: int = 0) -> Figure:
    """Pillar index per client: rows are clients (the matrix's index, as labelled), columns pillars.

    ``matrix`` holds indices 0-100 (NaN: no index, left blank); ``names`` maps a column (pillar
    id) to the label shown. Client labels are drawn as plain text (no mathtext). With many
    clients the rows get thinner and, below a readable height, lose their figures.
    """
    names = names or {}
    values = matrix.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    row_height = 0.32 if n_rows <= 25 else max(0.12, 8.0 / n_rows)
    rotate = n_cols > 6
    label_size = FONT if row_height >= 0.2 else SMALL - 1.5
    labels, label_width = row_labels([str(label) for label in matrix.index], label_size)
    title = title or "Pillar index by client"
    left = max(2.4, 1.2 + label_width)  # inches beside the cells: the client names and the margins
    width = WIDTH if rotate else min(WIDTH, max(left + 0.8 * n_cols, text_width(title, TITLE, "bold") + 0.4))
    fig = figure(width, (2.6 if rotate else 1.5) + row_height * max(n_rows, 1))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps[INDEX_CMAP]
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=100,
                      aspect="auto", extent=(-0.5, n_cols - 0.5, n_rows - 0.5, -0.5), interpolation="nearest")
    image.set_gid("index")
    if row_height >= 0.2:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if not math.isnan(v):
                    cell_text(ax, j, i, f"{v:.{decimals}f}", fontsize=FONT - 0.5, color=text_color(cmap(v / 100)))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    category_labels(ax, "y", range(n_rows), labels, fontsize=label_size, parse_math=False)
    cell = (width - left) / max(n_cols, 1)  # inches per column, for upright labels
    cell_grid(ax, [wrap(names.get(c, c), wrap_at) if rotate else fit(names.get(c, c), cell - 0.1, SMALL, wrap_at=12)
                   for c in matrix.columns], n_rows, rotate=rotate, row_lines=row_height >= 0.2)
    heading = fig.suptitle(fit(title, width - 0.3, TITLE, weight="bold"), fontsize=TITLE, fontweight="bold", x=0.02,
                           ha="left")
    note = fig.supxlabel("Cells: pillar index 0-100, darker = higher; blank = no index", fontsize=SMALL,
                         color="#444444", x=0.02, ha="left")
    settle(fig, ax, heading=heading, note=note)
    return fig


#: Look of the portfolio's middle half (Q1-Q3) in ``portfolio_comparison``: a light box with a dark median.
RANGE_COLOR = "#D0D5DD"
MEDIAN_COLOR = "#222222"


def portfolio_comparison(comparison: pd.DataFrame, *, wrap_at: int = 30) -> Figure:
    """A client's pillar indices against the portfolio: per pillar the Q1-Q3 box, the median and the client.

    ``comparison`` has one row per pillar (in order, top to bottom) with columns name, index,
    q1, median and q3 (0-100), as ``cxassess.analysis.portfolio.compare`` returns. Nothing about any
    other client is drawn beyond those three figures.
    """
    n = len(comparison)
    fig = figure(WIDTH, 1.5 + 0.4 * n)
    ax = fig.add_subplot()
    clean_axes(ax)
    for y, (pid, row) in enumerate(comparison.iterrows()):
        q1, median, q3 = float(row["q1"]), float(row["median"]), float(row["q3"])
        box = Rectangle((q1, y - 0.3), max(q3 - q1, 0.4), 0.6, facecolor=RANGE_COLOR, edgecolor="#667085",
                        linewidth=0.8, zorder=2)
        box.set_gid(f"{pid}:range")
        ax.add_patch(box)
        ax.plot([median, median], [y - 0.3, y + 0.3], color=MEDIAN_COLOR, linewidth=2.0, zorder=3,
                solid_capstyle="butt")[0].set_gid(f"{pid}:median")
    index = comparison["index"].to_numpy(dtype=float)
    dots = ax.scatter(index, range(n), s=48, marker="o", c=CURRENT_COLOR, edgecolors="white", linewidths=0.9,
                      zorder=4)
    dots.set_gid("client")
    for y, v in enumerate(index):
        if not math.isnan(v):
            ax.text(v, y - 0.36, f"{v:.0f}", ha="center", va="bottom", fontsize=SMALL, color=CURRENT_COLOR,
                    fontweight="bold", zorder=5)
    ax.set_xlim(0, 100)
    ax.set_ylim(n - 0.5, -0.7)
    category_labels(ax, "y", range(n), [wrap(name, wrap_at) for name in comparison["name"]], fontsize=FONT - 0.5,
                    linespacing=1.05)
    ax.xaxis.grid(True, color="#E0E0E0", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("Pillar index (0-100)", fontsize=FONT)
    handles = [
        Patch(facecolor=RANGE_COLOR, edgecolor="#667085", label="Middle half of the portfolio (Q1 to Q3)"),
        Line2D([], [], color=MEDIAN_COLOR, linewidth=2.0, label="Portfolio median"),
        Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=CURRENT_COLOR,
               markeredgecolor="white", label="Your index"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=FONT, frameon=False)
    clients = int(comparison["clients"].max()) if "clients" in comparison and n else 0
    set_titles(ax, "Your pillar indices against the portfolio",
               f"Box: the middle half of the {clients} organisations' indices in this portfolio (yours included); "
               "line: their median; dot: your index")
    settle(fig, ax)
    return fig
