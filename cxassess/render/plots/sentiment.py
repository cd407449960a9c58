"""What staff say, at a glance: the tone of their comments per pillar as one 100% bar each.

Draws ``Assessment.sentiment.pillars`` (``cxassess.analysis.sentiment``): the share of each pillar's
comments scored negative, neutral and positive. Told apart in greyscale too: negative is a
mid-light red with a hatch, neutral a light grey, positive a darker blue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .style import (FONT, SMALL, TITLE, WIDTH, category_labels, cell_text, clean_axes, figure, fit, legend_below,
                    row_labels, set_titles, settle, text_color, text_width)

#: Fill, hatch and legend label per tone (greyscale lightness about 0.50, 0.85 and 0.35).
TONE_STYLE: dict[str, dict[str, str]] = {
    "negative": {"label": "Negative", "color": "#D6604D", "hatch": "///"},
    "neutral": {"label": "Neutral", "color": "#D9D9D9", "hatch": ""},
    "positive": {"label": "Positive", "color": "#2166AC", "hatch": ""},
}


def comment_sentiment(pillars: pd.DataFrame, *, min_share_label: float = 0.1) -> Figure:
    """One bar per pillar with comments (template order, top down), split into negative, neutral and
    positive shares; each label gives the pillar's number of comments, a segment of at least
    ``min_share_label`` its count. ``pillars`` is ``CommentSentiment.pillars``.
    """
    shown = pillars[pillars["count"] > 0]
    if shown.empty:
        raise ValueError("no pillar has comments: there is no tone to chart")
    labels, label_width = row_labels([f"{name} (n\u00a0=\u00a0{count})" for name, count in zip(shown["name"], shown["count"])],
                                     FONT)
    lines = sum(label.count("\n") + 1 for label in labels)
    n = len(shown)
    fig = figure(WIDTH, 1.5 + 0.1 * n + 0.17 * lines)  # a compact chart: about a third of a page for 12 pillars
    ax = fig.add_subplot()
    clean_axes(ax)
    left = np.zeros(n)
    for tone, style in TONE_STYLE.items():
        width = shown[f"{tone}_share"].to_numpy(dtype=float)
        counts = shown[tone].to_numpy(dtype=int)
        bars = ax.barh(range(n), width, left=left, height=0.75, color=style["color"], edgecolor="white",
                       linewidth=0.6, hatch=style["hatch"] or None, label=style["label"])
        for y, (w, x0, k) in enumerate(zip(width, left, counts)):
            bars[y].set_gid(f"{shown.index[y]}:{tone}")
            if w >= min_share_label and text_width(str(k), SMALL) < w * (WIDTH - label_width - 0.6):
                cell_text(ax, x0 + w / 2, y, str(k), fontsize=SMALL, color=text_color(style["color"]),
                          bbox={"facecolor": style["color"], "edgecolor": "none", "pad": 1.0} if style["hatch"] else None)
        left = left + width
    category_labels(ax, "y", range(n), labels, fontsize=FONT, linespacing=1.05)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines["left"].set_visible(False)
    # the note goes under the bars, wrapped to their width (the row labels take the left of the figure)
    ax.set_xlabel(fit("Share of the pillar's comments, each scored with VADER's English word list. n = comments on "
                      "the pillar; numbers in the bars = comments of that tone.", WIDTH - label_width - 0.8, SMALL),
                  fontsize=SMALL, color="#444444")
    legend_below(fig, *ax.get_legend_handles_labels(), fontsize=SMALL, frameon=False, handlelength=1.2,
                 handletextpad=0.4, columnspacing=1.2)
    set_titles(ax, fit("The tone of the comments, by pillar", WIDTH - label_width - 0.8, TITLE, weight="bold"))
    settle(fig, ax)
    return fig
