"""Charts of the customers' own view: touchpoints, months, and staff against customers by pillar.

Draws ``cxassess.analysis.voice``'s measures (NPS, CSAT, ease, word of mouth) per touchpoint and
month, and each pillar's staff index beside its customer index with blind spots marked; cells
resting on too few answers are shown as such, never as figures.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from .style import (CURRENT_COLOR, FONT, INDEX_CMAP, SMALL, TITLE, WIDTH, category_labels, cell_grid, cell_text,
                    clean_axes, figure, set_titles, settle, text_color, text_width, wrap)

# -------------------------------------------------------------------------- customer voice

#: The customer measures of a touchpoint table: column, label, and the range its colour spans.
CUSTOMER_MEASURES = (("nps", "NPS\n(-100 to 100)", -100.0, 100.0), ("csat", "CSAT\n(% satisfied)", 0.0, 100.0),
                     ("ces", "Ease\n(1-7)", 1.0, 7.0))
CUSTOMER_COLOR = "#B45F06"  # customers' marks: an orange apart from the staff's dark blue, lighter in greyscale


def touchpoint_heatmap(touchpoints: pd.DataFrame, *, min_answers: int | None = None, wrap_at: int = 22) -> Figure:
    """NPS, CSAT and ease per touchpoint, one row each, with the estimated word-of-mouth reach.

    ``touchpoints`` is ``cxassess.analysis.voice.measures`` by touchpoint. Each measure column is coloured
    on its own range (darker = better); a cell resting on too few answers is grey and hatched.
    """
    groups = [str(g) for g in touchpoints.index]
    n_rows = len(groups)
    columns = [m for m in CUSTOMER_MEASURES if m[0] in touchpoints.columns]
    fig = figure(WIDTH, 1.7 + 0.38 * n_rows)
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps[INDEX_CMAP]
    for j, (column, _, low, high) in enumerate(columns):
        for i, group in enumerate(groups):
            value = float(touchpoints[column].iloc[i])
            if math.isnan(value):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#E6E6E6", edgecolor="#999999",
                                       hatch="////", linewidth=0))
                count = touchpoints.get(f"{column}_n", pd.Series([None] * n_rows)).iloc[i]
                cell_text(ax, j, i, f"n={int(count)}" if count is not None and not pd.isna(count) else "–",
                          fontsize=SMALL, style="italic", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
                continue
            color = cmap(0.1 + 0.75 * (value - low) / (high - low))
            cell = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=color, linewidth=0)
            cell.set_gid(f"{group}:{column}")
            ax.add_patch(cell)
            text = f"{value:+.0f}" if column == "nps" else f"{value:.0f}%" if column == "csat" else f"{value:.1f}"
            cell_text(ax, j, i, text, fontsize=FONT - 0.5, color=text_color(color))
    j = len(columns)
    for i in range(n_rows):  # word of mouth: an estimate, shown as text on white
        value = float(touchpoints["word_of_mouth"].iloc[i]) if "word_of_mouth" in touchpoints else math.nan
        cell_text(ax, j, i, "–" if math.isnan(value) else f"≈{value:,.0f}", fontsize=FONT - 0.5)
    labels = [wrap(f"{g} (n={int(touchpoints['responses'].iloc[i])})", wrap_at) for i, g in enumerate(groups)]
    ax.set_xlim(-0.5, j + 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    category_labels(ax, "y", range(n_rows), labels, fontsize=FONT)
    cell_grid(ax, [c[1] for c in columns] + ["People told\nof a bad visit"], n_rows, rotate=False)
    heading = fig.suptitle("How customers rate each touchpoint", fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
    sub = "Darker = better on each measure's own range."
    if min_answers:
        sub += f" Grey cells rest on fewer than {min_answers} answers: too few to read."
    note = fig.supxlabel(textwrap.fill(sub, int(fig.get_figwidth() * 16)), fontsize=SMALL, color="#444444", x=0.02,
                         ha="left")
    settle(fig, ax, heading=heading, note=note)
    return fig


def customer_trend(months: pd.DataFrame) -> Figure:
    """NPS (with its 95% margin), CSAT and ease month by month: one small panel per measure given.

    ``months`` is ``cxassess.analysis.voice.measures`` by month; hidden months (too few answers) are gaps.
    """
    shown = [m for m in CUSTOMER_MEASURES if m[0] in months.columns and months[m[0]].notna().any()]
    fig = figure(WIDTH, 1.0 + 1.45 * max(len(shown), 1))
    axes = fig.subplots(max(len(shown), 1), 1, sharex=True, squeeze=False)[:, 0]
    x = np.arange(len(months))
    for ax, (column, label, low, high) in zip(axes, shown):
        clean_axes(ax)
        values = months[column].to_numpy(dtype=float)
        if column == "nps" and "nps_moe" in months:
            moe = months["nps_moe"].to_numpy(dtype=float)
            ax.fill_between(x, values - moe, values + moe, color=CURRENT_COLOR, alpha=0.15, linewidth=0,
                            label="95% margin")
        ax.plot(x, values, marker="o", color=CURRENT_COLOR, linewidth=1.5, markersize=4)
        for xi, v in zip(x, values):
            if not math.isnan(v):
                ax.annotate(f"{v:.0f}" if column != "ces" else f"{v:.1f}", (xi, v), xytext=(0, 5),
                            textcoords="offset points", ha="center", fontsize=SMALL)
        ax.set_ylabel(label.replace("\n", " "), fontsize=SMALL)
        span = max(high - low, 1)
        finite = values[~np.isnan(values)]
        ax.set_ylim(max(low, float(finite.min()) - 0.15 * span) if finite.size else low,
                    min(high, float(finite.max()) + 0.2 * span) if finite.size else high)
        ax.yaxis.set_major_locator(MaxNLocator(4))
    axes[-1].set_xticks(x)
    axes[-1].set_xticklabels([str(m) for m in months.index], fontsize=SMALL)
    set_titles(axes[0], "Customers' view month by month",
               "Months with too few answers are left blank; the band around NPS is its 95% margin of error")
    settle(fig, axes)
    return fig


XMAX = 135  # the index axis runs past 100, leaving room for the notes on blind spots


def staff_vs_customer(pillars: pd.DataFrame, *, threshold: float | None = None, wrap_at: int = 30) -> Figure:
    """Each pillar's staff index beside its customer index, with blind spots and the reverse marked.

    ``pillars`` is ``CustomerVoice.pillars``: name, staff_index, customer_index, kind. A blind
    spot (staff well above customers) has a hatched band and a bold label; a pillar customers rate well
    above the staff a dotted band and an italic one, never called a strength here: whether it is one is the
    plan's verdict (``analysis/customer_findings.py``). Pillars without a customer figure show the staff point only.
    """
    n = len(pillars)
    fig = figure(WIDTH, 1.6 + 0.36 * n)
    ax = fig.add_subplot()
    clean_axes(ax)
    y = np.arange(n)
    kinds = list(pillars["kind"])
    names = [wrap(name, wrap_at) for name in pillars["name"]]
    # About how wide the plot is (the figure less the pillar names and margins), to keep each note on it.
    plot_inches = WIDTH - max((text_width(t, FONT - 0.5, "bold") for t in names), default=0.0) - 0.5
    staff, customer = pillars["staff_index"].to_numpy(dtype=float), pillars["customer_index"].to_numpy(dtype=float)
    heard = ~np.isnan(customer)
    ax.hlines(y[heard], staff[heard], customer[heard], color="#555555", linewidth=1.2, zorder=1)
    ax.scatter(customer[heard], y[heard], marker="D", s=42, facecolor=CUSTOMER_COLOR, edgecolor="#222222",
               zorder=3, gid="customer")
    ax.scatter(staff, y, marker="o", s=42, facecolor=CURRENT_COLOR, edgecolor="#222222", zorder=3, gid="staff")
    for i, (pid, row) in enumerate(pillars.iterrows()):
        if kinds[i] not in ("blind_spot", "undersold"):
            continue
        band = Rectangle((0, i - 0.45), 100, 0.9, facecolor="#F2F2F2", edgecolor="#888888", linewidth=0,
                         hatch="///" if kinds[i] == "blind_spot" else "..", zorder=0)
        band.set_gid(f"{pid}:{kinds[i]}")
        ax.add_patch(band)
        if heard[i]:
            gap = float(row["gap"])
            word = (f"blind spot: staff {gap:+.0f}" if kinds[i] == "blind_spot"
                    else f"customers higher: {-gap:+.0f}")
            # Right of the pair; on two lines, or left of it, when the plot's right edge is too near.
            room = (XMAX - max(staff[i], customer[i])) / XMAX * plot_inches - 0.15
            x, dx, ha = max(staff[i], customer[i]), 8, "left"
            if text_width(word, SMALL, "bold") > room:
                word = word.replace(": ", ":\n")
                if text_width(word, SMALL, "bold") > room:
                    x, dx, ha = min(staff[i], customer[i]), -8, "right"
            ax.annotate(word, (x, i), xytext=(dx, 0), textcoords="offset points", va="center", ha=ha,
                        fontsize=SMALL, fontweight="bold", linespacing=1.0,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    for text, kind in zip(category_labels(ax, "y", y, names, fontsize=FONT - 0.5, linespacing=1.05), kinds):
        if kind == "blind_spot":
            text.set_fontweight("bold")
        elif kind == "undersold":
            text.set_fontstyle("italic")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, XMAX)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Index (0-100)", fontsize=FONT)
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=CURRENT_COLOR,
               markeredgecolor="#222222", label="Staff self-assessment"),
        Line2D([], [], linestyle="none", marker="D", markersize=6, markerfacecolor=CUSTOMER_COLOR,
               markeredgecolor="#222222", label="Customers"),
        Patch(facecolor="#F2F2F2", edgecolor="#888888", hatch="///", label="Blind spot"),
        Patch(facecolor="#F2F2F2", edgecolor="#888888", hatch="..", label="Customers rate it higher"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=SMALL, frameon=False)
    rule = f" by {threshold:g} points or more" if threshold else ""
    set_titles(ax, "Staff view against customers' view, by pillar",
               f"Blind spot: staff rate the pillar above their customers{rule}; dotted: customers rate it higher")
    settle(fig, ax)
    return fig
