"""Charts of how answers differ inside one organisation: between the groups of a segment and across the scale.

``segment_heatmap`` shows each group's pillar indices (suppressed groups hidden), the difference
between two highlighted groups, the spread between the highest and lowest group, and which cells
differ from the rest of the respondents beyond chance; ``distribution_chart`` shows how each pillar's ratings spread over
the answer scale, so consensus and split opinions are told apart.
"""

from __future__ import annotations

import math
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from ...analysis.coverage import NOT_ENOUGH
from ...inputs.templates import Template
from .style import (DIVERGING_CMAP, FONT, GAP_CMAP, INDEX_CMAP, SMALL, TITLE, WIDTH, category_labels, cell_grid,
                     cell_text, clean_axes, figure, fit, heat_cells, legend_below, luminance, row_labels, set_titles,
                     settle, text_color, text_width, wrap)

# ------------------------------------------------------------------------------ segment heatmap

THIN_MARK = "\u2020"  # a dagger after a column without enough answers, explained under the chart


def segment_heatmap(breakdown: pd.DataFrame, template: Template,
                    highlight: tuple[str, str] = ("Leadership", "Frontline"), *, threshold: int | None = None,
                    wrap_at: int = 24, decimals: int = 0, overall: bool = True,
                    significant: pd.DataFrame | None = None, spread: bool = True,
                    thin: Sequence[str] = ()) -> Figure:
    """Pillar index per group of one segment, to show where groups see the strategy differently.

    Rows are the breakdown's groups, columns the pillars (and the overall index first when
    ``overall``). Suppressed groups (below the anonymity ``threshold``) are a grey hatched row
    without figures. When both ``highlight`` groups have figures their rows are in bold and a
    row gives their difference (first minus second) on a diverging scale. With ``spread``, a last
    row gives each column's highest minus lowest shown group (when two or more are shown).
    ``significant`` (group x pillar booleans, ``significance.significant_cells``) outlines the
    cells and stars the figures of groups that differ from the rest of the respondents beyond chance.
    ``thin`` names the columns (pillar ids, ``overall_index``) without enough answers in the whole
    organisation (``coverage.thin_pillars``): their cells are hatched and their labels marked with a
    dagger that the note under the chart explains, never left as blank unlabelled columns.
    """
    pillar_ids = [p.id for p in template.pillars if p.id in breakdown.columns]
    columns = (["overall_index"] if overall and "overall_index" in breakdown.columns else []) + pillar_ids
    names = {p.id: p.name for p in template.pillars} | {"overall_index": "Overall"}
    groups = [str(g) for g in breakdown["group"]]
    suppressed = breakdown["suppressed"].fillna(False).astype(bool).to_numpy()
    values = breakdown[columns].to_numpy(dtype=float)
    values[suppressed] = np.nan
    first, second = highlight
    rows_of = {g: i for i, g in enumerate(groups)}
    has_gap = all(g in rows_of and not suppressed[rows_of[g]] for g in highlight)
    n_rows, n_cols = len(groups), len(columns)
    shown = values[~suppressed]
    counted = (~np.isnan(shown)).sum(axis=0) if len(shown) else np.zeros(n_cols, dtype=int)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column has no spread
        widths = np.where(counted >= 2, np.nanmax(shown, axis=0) - np.nanmin(shown, axis=0), np.nan) \
            if len(shown) else np.full(n_cols, np.nan)
    has_spread = bool(spread and not np.isnan(widths).all())
    marked = np.zeros((n_rows, n_cols), dtype=bool)
    if significant is not None and not significant.empty:
        flags = significant.reindex(index=groups, columns=columns).astype("boolean").fillna(False).to_numpy(dtype=bool)
        marked = flags & ~suppressed[:, None]

    labels = [g if suppressed[i] or pd.isna(n) else f"{g} (n={int(n)})"
              for i, (g, n) in enumerate(zip(groups, breakdown["n"]))]
    labels += [f"{first} - {second}"] if has_gap else []
    labels += ["Spread (highest - lowest)"] if has_spread else []
    bold = [i >= n_rows or (groups[i] in highlight and has_gap) for i in range(len(labels))]
    labels, label_width = row_labels(labels, FONT, bold)
    segment = str(breakdown["segment"].iloc[0]) if len(breakdown) else ""
    title = next((s.title for s in template.segments if s.id == segment), segment.replace("_", " ").capitalize())
    title = f"Pillar index by {title.lower()}"

    rotate = n_cols > 6  # upright column labels when they fit the cell width, else bottom-to-top
    left = max(2.2, 1.1 + label_width)  # inches beside the cells: the group names and the margins
    width = WIDTH if rotate else min(WIDTH, max(left + 0.75 * n_cols, text_width(title, TITLE, "bold") + 0.4))
    fig = figure(width, (2.5 if rotate else 1.4) + 0.38 * (n_rows + has_gap + has_spread) + 0.2 * bool(marked.any()))
    ax = fig.add_subplot()
    cmap = heat_cells(ax, values, INDEX_CMAP, 0, 100, "index")
    unscored = [j for j, c in enumerate(columns) if c in set(thin)]
    for i in range(n_rows):
        for j in unscored if not suppressed[i] else ():
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#F2F2F2", edgecolor="#A0A0A0", hatch="xx",
                                   linewidth=0, gid=f"thin:{groups[i]}:{columns[j]}"))
        if suppressed[i]:
            ax.add_patch(Rectangle((-0.5, i - 0.5), n_cols, 1, facecolor="#E6E6E6", edgecolor="#999999",
                                   hatch="////", linewidth=0))
            why = f"fewer than {threshold}" if threshold is not None else "too few respondents"
            if "reason" in breakdown.columns and breakdown["reason"].iloc[i] in ("complement", "overlap"):
                why = "would reveal a smaller group"  # secondary suppression (docs/scoring.md, section 8)
            cell_text(ax, (n_cols - 1) / 2, i, f"suppressed ({why})", fontsize=FONT, style="italic",
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
            continue
        for j in range(n_cols):
            v = values[i, j]
            if not math.isnan(v):
                star = "*" if marked[i, j] else ""
                cell_text(ax, j, i, f"{v:.{decimals}f}{star}", fontsize=FONT - 0.5, color=text_color(cmap(v / 100)),
                          fontweight="bold" if star else "normal")
            if marked[i, j] and not math.isnan(v):
                ax.add_patch(Rectangle((j - 0.46, i - 0.44), 0.92, 0.88, fill=False, edgecolor=text_color(cmap(v / 100)),
                                       linewidth=1.4, gid=f"significant:{groups[i]}:{columns[j]}"))

    y_end = n_rows - 0.5
    if has_gap:
        diff = values[rows_of[first]] - values[rows_of[second]]
        limit = max(10.0, float(np.nanmax(np.abs(diff)))) if not np.isnan(diff).all() else 10.0
        row = n_rows + 0.15  # a thin white gap separates it from the groups
        gap_cmap = heat_cells(ax, diff[None, :], GAP_CMAP, -limit, limit, "gap", top=row - 0.5)
        for j, v in enumerate(diff):
            if not math.isnan(v):
                cell_text(ax, j, row, f"{v:+.{decimals}f}", fontsize=FONT - 0.5,
                          color=text_color(gap_cmap((v + limit) / (2 * limit))))
        y_end = row + 0.5
    if has_spread:
        row = y_end + 0.65
        limit = max(20.0, float(np.nanmax(widths)))
        spread_cmap = heat_cells(ax, widths[None, :], "Greys", 0, limit * 1.6, "spread", top=row - 0.5)
        for j, v in enumerate(widths):
            if not math.isnan(v):
                cell_text(ax, j, row, f"{v:.{decimals}f}", fontsize=FONT - 0.5,
                          color=text_color(spread_cmap(v / (limit * 1.6))))
        y_end = row + 0.5
    ax.set_ylim(y_end, -0.5)
    ax.set_xlim(-0.5, n_cols - 0.5)

    ticks = list(range(n_rows)) + ([n_rows + 0.15] if has_gap else []) + ([y_end - 0.5] if has_spread else [])
    for text, heavy in zip(category_labels(ax, "y", ticks, labels, fontsize=FONT), bold):
        if heavy:
            text.set_fontweight("bold")
    cell = (width - left) / n_cols  # inches per column, for upright labels
    marked_names = {c: f"{names[c]} {THIN_MARK}" if j in unscored else names[c] for j, c in enumerate(columns)}
    cell_grid(ax, [wrap(marked_names[c], wrap_at) if rotate else fit(marked_names[c], cell - 0.1, SMALL, wrap_at=12)
                   for c in columns], n_rows, rotate=rotate, heavy_first=overall and columns[0] == "overall_index")

    sub = "Cells: index 0-100, darker = higher"
    if unscored:
        sub = f"{THIN_MARK} Hatched: {NOT_ENOUGH} in the whole organisation, so no group figure. " + sub
    if has_gap:
        sub += f". {first} minus {second}: purple = {first} higher, orange = {second} higher"
    if has_spread:
        sub += ". Spread: highest minus lowest group shown"
    if significant is not None:
        sub += (". Outlined, with *: the group differs from the rest beyond chance (Welch t-test, Benjamini-Hochberg "
                "q < 0.05)" if marked.any() else ". No group differs from the rest beyond chance")
    heading = fig.suptitle(fit(title, width - 0.3, TITLE, weight="bold"), fontsize=TITLE, fontweight="bold", x=0.02,
                           ha="left")
    note = fig.supxlabel(textwrap.fill(sub, int(fig.get_figwidth() * 16)), fontsize=SMALL, color="#444444", x=0.02,
                         ha="left")
    settle(fig, ax, heading=heading, note=note)
    return fig


# ---------------------------------------------------------------------------- distribution


def _neutral_grey(others: Sequence[Any]) -> tuple[float, float, float]:
    """A light grey whose greyscale lightness is as far as possible from ``others``'."""
    levels = np.linspace(0.55, 0.88, 34)
    taken = np.array([luminance(c) for c in others]) if len(others) else np.array([0.0])
    best = float(levels[np.argmax(np.abs(levels[:, None] - taken[None, :]).min(axis=1))])
    return (best, best, best)


def distribution_chart(distribution: pd.DataFrame, template: Template, pillars: list[str] | None = None, *,
                       wrap_at: int = 30, min_share_label: float = 0.08, hatch_low: bool = True) -> Figure:
    """How the ratings of each pillar spread over the scale: consensus or split opinions.

    One 100% bar per pillar (template order, top to bottom), one segment per scale point from
    low (left, red) to high (right, blue); shares of at least ``min_share_label`` are printed.
    A diverging map is symmetric in lightness, so with ``hatch_low`` the points below the
    middle of the scale are also hatched: "disagree" and "agree" differ in greyscale too.
    """
    ids = [p.id for p in template.pillars if p.id in distribution.index]
    if pillars is not None:
        unknown = [p for p in pillars if p not in distribution.index]
        if unknown:
            raise KeyError(f"no distribution for pillar(s): {', '.join(unknown)}")
        ids = [p for p in ids if p in pillars]
    scale = template.scale
    points = list(range(scale.min, scale.max + 1))
    shares = distribution.loc[ids].reindex(columns=points).fillna(0.0)
    names = {p.id: p.name for p in template.pillars}
    n = len(ids)
    cmap = matplotlib.colormaps[DIVERGING_CMAP]
    colors: list[Any] = [cmap(0.05 + 0.9 * k / (len(points) - 1)) for k in range(len(points))]
    if len(points) % 2:  # the neutral middle point: a grey, not the near-white of the colormap
        middle = len(points) // 2
        colors[middle] = _neutral_grey(colors[middle + 1:] if hatch_low else colors[:middle] + colors[middle + 1:])

    fig = figure(WIDTH, 1.5 + 0.4 * n)
    ax = fig.add_subplot()
    clean_axes(ax)
    left = np.zeros(n)
    for k, point in enumerate(points):
        width = shares[point].to_numpy(dtype=float)
        label = scale.label(point)
        legend = str(point) if label == str(point) else f"{point} {label}"
        low = hatch_low and point < (scale.min + scale.max) / 2
        bars = ax.barh(range(n), width, left=left, height=0.7, color=colors[k], edgecolor="white", linewidth=0.6,
                       hatch="///" if low else None, label=legend)
        for y, (w, x0) in enumerate(zip(width, left)):
            bars[y].set_gid(f"{ids[y]}:{point}")
            if w >= min_share_label:
                cell_text(ax, x0 + w / 2, y, f"{w:.0%}", fontsize=SMALL, color=text_color(colors[k]),
                          bbox={"facecolor": colors[k], "edgecolor": "none", "pad": 1.0} if low else None)
        left = left + width
    category_labels(ax, "y", range(n), [wrap(names[i], wrap_at) for i in ids], fontsize=FONT - 0.5, linespacing=1.05)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Share of ratings (after reverse scoring)", fontsize=FONT)
    legend_below(fig, *ax.get_legend_handles_labels(), fontsize=SMALL, frameon=False, handlelength=1.0,
                 handletextpad=0.4, columnspacing=0.9)
    set_titles(ax, "How the answers spread, by pillar",
               f"Share of each answer from {scale.min} ({scale.label(scale.min)}) to {scale.max} "
               f"({scale.label(scale.max)})")
    settle(fig, ax)
    return fig
