"""Stated against derived importance: what staff say matters beside what goes with the outcome question."""

from __future__ import annotations


import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import (CURRENT_COLOR, FONT, SMALL, TITLE, WIDTH, clean_axes, figure, fit, legend_below, row_labels,
                    text_width)

STATED_COLOR = "#9A9A9A"  # mid grey: apart from the derived bars in greyscale too


def stated_vs_derived(frame: pd.DataFrame, outcome: str, n: int, r2: float) -> Figure:
    """Two bar panels sharing the pillars, the largest derived share on top: stated importance (index 0-100)
    on the left, derived importance (% of the outcome's explained variance, with its 95% interval) on the right.

    ``frame`` is ``Assessment.stated_vs_derived``; a pillar's ``status`` (hidden driver, overrated) is
    written beside its derived bar. Without stated importance only the derived panel is drawn.
    """
    rows = frame.sort_values(["derived_pct"], ascending=False, kind="stable")
    k = len(rows)
    stated = rows["stated"].to_numpy(dtype=float)
    has_stated = bool(np.isfinite(stated).any())
    labels, label_width = row_labels([str(name) for name in rows["name"]], FONT - 0.5)
    room = WIDTH - label_width - 0.45  # inches right of the pillar names: both panels, and the titles above them
    subtitle = fit(f"Derived: each pillar's share of R\u00b2 = {r2:.2f} when the answers to {outcome!r} are explained "
                   f"by the pillar indices ({n} respondents; LMG, 95% bootstrap interval)", room, SMALL)
    fig = figure(WIDTH, 1.9 + 0.36 * k + 0.12 * subtitle.count("\n"))
    grid = fig.add_gridspec(2, 2 if has_stated else 1, height_ratios=[0.001, 1],
                            width_ratios=[1, 2] if has_stated else [1])
    heading = fig.add_subplot(grid[0, :])
    heading.axis("off")
    heading.set_title(fit("Stated and derived importance by pillar", room, TITLE, weight="bold"), fontsize=TITLE,
                      fontweight="bold", loc="left", pad=8 + 10 * (subtitle.count("\n") + 1))
    heading.annotate(subtitle, xy=(0, 1), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                     fontsize=SMALL, color="#444444", ha="left", va="bottom")
    y = np.arange(k)
    derived_ax = fig.add_subplot(grid[1, -1])
    axes = [fig.add_subplot(grid[1, 0], sharey=derived_ax), derived_ax] if has_stated else [derived_ax]
    for ax in axes:
        clean_axes(ax)
        ax.xaxis.grid(True, color="#E0E0E0", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
    first = axes[0]
    first.set_yticks(y)
    first.set_yticklabels(labels, fontsize=FONT - 0.5, linespacing=1.05)
    first.set_ylim(k - 0.5, -0.5)
    if has_stated:
        ax = axes[0]
        ok = np.isfinite(stated)
        ax.barh(y[ok], stated[ok], height=0.62, color=STATED_COLOR, zorder=2)
        for yi, value in zip(y[ok], stated[ok]):
            ax.text(value + 2, yi, f"{value:.0f}", va="center", ha="left", fontsize=SMALL)
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 50, 100])
        ax.set_xlabel("Stated: importance\nindex (0-100)", fontsize=FONT)
        derived_ax.tick_params(axis="y", labelleft=False)

    share = rows["derived_pct"].to_numpy(dtype=float)
    low, high = rows["ci_low_pct"].to_numpy(dtype=float), rows["ci_high_pct"].to_numpy(dtype=float)
    derived_ax.barh(y, share, height=0.62, color=CURRENT_COLOR, zorder=2)
    errors = np.vstack([np.clip(share - low, 0, None), np.clip(high - share, 0, None)])
    derived_ax.errorbar(share, y, xerr=errors, fmt="none", ecolor="#222222", elinewidth=0.9, capsize=2.5, zorder=3)
    ends = np.fmax(share, np.nan_to_num(high, nan=0.0))
    notes = [f"{value:.0f}%" + (f" {status}" if isinstance(status, str) else "") for value, status in
             zip(share, rows["status"])]
    # the panel's width in inches (its share of the room, less the gap between panels), then an x range in
    # which every bar, interval and note ends inside it
    panel = room * (2 / 3 if has_stated else 1.0) - (0.35 if has_stated else 0.1)
    reach = max((end / max(panel - text_width(note, SMALL, "bold") - 0.1, 0.3) * panel
                 for end, note in zip(ends, notes)), default=10.0)
    gap = reach * 0.02
    for yi, end, note, status in zip(y, ends, notes, rows["status"]):
        derived_ax.text(end + gap, yi, note, va="center", ha="left", fontsize=SMALL,
                        fontweight="bold" if isinstance(status, str) else "normal")
    derived_ax.set_xlim(0, max(reach * 1.08, 1.0))
    derived_ax.set_xlabel("Derived: share of\nexplained variance (%)", fontsize=FONT)
    handles = [Patch(color=CURRENT_COLOR), Patch(color=STATED_COLOR)] if has_stated else [Patch(color=CURRENT_COLOR)]
    names = ["Derived (line: 95% interval)", "Stated"] if has_stated else ["Derived (line: 95% interval)"]
    legend_below(fig, handles, names, fontsize=FONT, frameon=False)
    return fig
