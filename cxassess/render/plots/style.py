"""The charts' shared look: action-class style, colours, font sizes, figure width and drawing helpers.

Every chart in ``cxassess.render.plots`` takes its look from here, so the report's figures (and the
tables that match them) agree: the report is printed on A4 and often in greyscale, hence a text
column's width, wrapped labels, and action classes told apart by lightness *and* hatch or marker
(``ACTION_STYLE``); the helpers build a figure on its own Agg canvas, title it and tidy its axes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ...analysis.scoring import ACTIONS

# Client text (department names, questions, pillar and client names) is drawn as it is written:
# "$" is a character, never the start of mathtext, which could render it otherwise or fail the chart.
# Tick labels are made when a figure is drawn, outside these functions, hence the process-wide setting.
matplotlib.rcParams["text.parse_math"] = False

# ------------------------------------------------------------------------------------ style

#: One look per action class, shared by every chart and by the report's tables. Greyscale
#: luminance (0.299 R + 0.587 G + 0.114 B) runs start 0.26 < keep 0.41 < do differently 0.67
#: < stop 0.87, so the classes stay apart when printed without colour; the hatch (bars) and
#: marker (scatter points) tell them apart a second way. ``edge`` is the outline and hatch
#: colour, light on the dark fills so the pattern stays visible.
ACTION_STYLE: dict[str, dict[str, str]] = {
    "keep": {"label": ACTIONS["keep"], "color": "#2E8B57", "edge": "#FFFFFF", "hatch": "\\\\\\", "marker": "o"},
    "do_differently": {
        "label": ACTIONS["do_differently"], "color": "#F0A030", "edge": "#333333", "hatch": "///", "marker": "s",
    },
    "start": {"label": ACTIONS["start"], "color": "#9E1B1B", "edge": "#FFFFFF", "hatch": "xxx", "marker": "^"},
    "stop": {"label": ACTIONS["stop"], "color": "#DDDDDD", "edge": "#333333", "hatch": "...", "marker": "v"},
}
#: Look of an item with no action class (no index to classify).
NO_ACTION_STYLE: dict[str, str] = {"label": "Not classified", "color": "#FFFFFF", "edge": "#333333", "hatch": "",
                                   "marker": "D"}

FONT = 9  # body text, in points
SMALL = 7.5  # annotations, tick labels of dense charts
TITLE = 11
WIDTH = 6.7  # inches: an A4 text column with 2 cm margins
CURRENT_COLOR = "#1F4E79"
TARGET_COLOR = "#555555"
INDEX_CMAP = "Blues"  # sequential, monotonic in lightness: reads in greyscale
DIVERGING_CMAP = "RdBu"  # answer distributions: red = low, blue = high
GAP_CMAP = "PuOr"  # differences between groups: unlike the Blues of the index cells


def action_colors() -> dict[str, str]:
    """Fill colour per action class id, for tables that should match the charts."""
    return {action: style["color"] for action, style in ACTION_STYLE.items()}


def action_style(action: Any) -> dict[str, str]:
    """The style of an action class id; ``NO_ACTION_STYLE`` for None/NaN or an unknown id."""
    return ACTION_STYLE.get(action, NO_ACTION_STYLE) if isinstance(action, str) else NO_ACTION_STYLE


def luminance(color: Any) -> float:
    """Greyscale lightness of a colour, 0 (black) to 1 (white), as a printer would render it."""
    r, g, b = to_rgb(color)  # accepts names, hex and RGB(A) tuples
    return 0.299 * r + 0.587 * g + 0.114 * b


# ---------------------------------------------------------------------------------- helpers


def figure(width: float, height: float) -> Figure:
    """A new figure on its own Agg canvas (no pyplot, no backend switch)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def wrap(text: str, width: int) -> str:
    """Wrap a label onto lines of at most ``width`` characters (long words are kept whole)."""
    return textwrap.fill(str(text), width=width, break_long_words=False, break_on_hyphens=False)


def set_titles(ax: Axes, title: str, subtitle: str | None = None) -> None:
    """Bold chart title with an optional grey explanatory line under it, left-aligned.

    The subtitle is wrapped to about the width of the figure so it never squeezes the axes.
    """
    if subtitle:
        subtitle = textwrap.fill(subtitle, max(40, int((ax.figure.get_figwidth() - 0.9) * 15)))
    lines = subtitle.count("\n") + 1 if subtitle else 0
    ax.set_title(title, fontsize=TITLE, fontweight="bold", loc="left", pad=8 + 10 * lines)
    if subtitle:
        ax.annotate(subtitle, xy=(0, 1), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                    fontsize=SMALL, color="#444444", ha="left", va="bottom")


def clean_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=FONT)


def action_handles(actions: Sequence[Any], kind: str) -> list[Any]:
    """Legend entries for the action classes present, in the fixed order of ``ACTION_STYLE``."""
    present = [a for a in ACTION_STYLE if a in set(actions)]
    if any(not isinstance(a, str) for a in actions):
        present.append(None)
    handles = []
    for action in present:
        st = action_style(action)
        if kind == "bar":
            handles.append(Patch(facecolor=st["color"], edgecolor=st["edge"], hatch=st["hatch"], label=st["label"],
                                 linewidth=0.8))
        else:
            handles.append(Line2D([], [], linestyle="none", marker=st["marker"], markersize=7,
                                  markerfacecolor=st["color"], markeredgecolor="#222222", label=st["label"]))
    return handles


def bar_outline(ax: Axes, bar: Rectangle) -> None:
    """Thin dark outline over a bar whose hatch colour is light, so it prints on white paper."""
    ax.add_patch(Rectangle(bar.get_xy(), bar.get_width(), bar.get_height(), fill=False, edgecolor="#222222",
                           linewidth=0.6, zorder=bar.get_zorder() + 0.1))


def text_color(color: Any) -> str:
    """Black or white, whichever reads better on ``color``."""
    return "white" if luminance(color) < 0.5 else "black"


def cell_grid(ax: Axes, column_labels: Sequence[str], n_rows: int, *, rotate: bool,
              heavy_first: bool = False, row_lines: bool = True) -> None:
    """Heatmap furniture: column labels on top (as plain text), no spines, white lines between cells."""
    ax.set_xticks(range(len(column_labels)))
    ax.set_xticklabels(column_labels, fontsize=SMALL, linespacing=1.0, rotation=90 if rotate else 0,
                       va="bottom", ha="center", parse_math=False)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for j in range(len(column_labels) - 1):  # a heavier line after an "overall" first column
        ax.axvline(j + 0.5, color="white", linewidth=2.5 if heavy_first and j == 0 else 1)
    if row_lines:
        for i in range(n_rows - 1):
            ax.axhline(i + 0.5, color="white", linewidth=1)
