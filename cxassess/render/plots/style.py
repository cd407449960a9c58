"""The charts' shared look: action-class style, colours, font sizes, figure width and drawing helpers.

Every chart in ``cxassess.render.plots`` takes its look from here, so the report's figures (and the
tables that match them) agree: the report is printed on A4 and often in greyscale, hence a text
column's width, wrapped labels, and action classes told apart by lightness *and* hatch or marker
(``ACTION_STYLE``); the helpers build a figure on its own Agg canvas, title it and tidy its axes.
Client text (pillar, group and client names, scale labels) can be of any length: ``text_width``
measures it before anything is drawn, so a chart wraps it (``fit``, ``row_labels``) and sizes its
legend (``legend_below``) and label column to what it has to hold.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.transforms import ScaledTranslation

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
DPI = 110  # the report's pictures: a chart measures its texts at the resolution it is drawn at
LABEL_ROOM = 2.4  # inches: the widest a row label (group, client) grows before it wraps, leaving the cells room
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
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


#: inches of air at the figure's edges and between a figure's title and its axes, as the
#: constrained layout leaves them
PAD = 3 / 72


def extent(texts: Sequence[Any], renderer: Any) -> tuple[float, float]:
    """Widest and tallest of ``texts`` (matplotlib Text artists), in inches, as drawn (rotation included)."""
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
    dpi = renderer.dpi
    return max((b.width for b in boxes), default=0.0) / dpi, max((b.height for b in boxes), default=0.0) / dpi


def tick_room(axis: Any) -> float:
    """Inches between an axis' spine and its tick labels: the ticks' length outside and their label pad."""
    ticks = axis.get_major_ticks()
    return ((ticks[0].get_pad() if ticks else 0.0) + axis.get_tick_padding()) / 72


def shown_ticklabels(axis: Any) -> list[Text]:
    """The tick labels ``axis`` draws: those of the ticks within its view limits."""
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-9
    return [label for location, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
            if low - slack <= location <= high + slack]


def category_labels(ax: Axes, axis: str, positions: Sequence[float], labels: Sequence[str],
                    **kwargs: Any) -> list[Text]:
    """Name a chart's rows (``axis="y"``, left of the plot area) or columns (``"x"``, above it) with
    plain texts where tick labels would stand, and take the axis' ticks away.

    A tick is two lines and two texts, built and laid out at every drawing; a row's name needs only
    its text, and a report names some two hundred rows and columns. ``settle`` measures these texts
    as it does every text on the axes. They carry the gid ``"y labels"`` or ``"x labels"``, by which
    ``labels_of`` finds them. ``kwargs`` are the texts' properties (font size, rotation...).
    """
    pad = matplotlib.rcParams[f"{axis}tick.major.pad"] / 72
    if axis == "y":
        ax.set_yticks([])
        shift, place = (-pad, 0.0), {"ha": "right", "va": "center_baseline"}
        at = [(0.0, p) for p in positions]
        transform = ax.get_yaxis_transform()
    else:
        ax.set_xticks([])
        shift, place = (0.0, pad), {"ha": "center", "va": "bottom"}
        at = [(p, 1.0) for p in positions]
        transform = ax.get_xaxis_transform()
    transform = transform + ScaledTranslation(*shift, ax.figure.dpi_scale_trans)
    return [ax.text(x, y, label, transform=transform, gid=f"{axis} labels", **(place | kwargs))
            for (x, y), label in zip(at, labels)]


def labels_of(ax: Axes, axis: str) -> list[Text]:
    """The row (``"y"``) or column (``"x"``) names that ``category_labels`` put on ``ax``, in order."""
    return [text for text in ax.texts if text.get_gid() == f"{axis} labels"]


def _overhang(ax: Axes, renderer: Any) -> tuple[float, float, float, float]:
    """How far (inches) the texts of ``ax`` reach beyond it, left, right, above and below.

    The titles and the notes set at the axes' top-left corner (``set_titles``) move with its left
    edge: they count above it only (their width is fitted to the figure when they are written).
    """
    dpi = renderer.dpi
    texts = [child for child in ax.get_children() if isinstance(child, Text) and child.get_in_layout()]
    headings = [t for t in texts if t not in ax.texts or getattr(t, "xycoords", None) == "axes fraction"]
    ax.apply_aspect()  # a round (polar) plot area takes its square inside the place it is given
    frame = ax.get_window_extent(renderer)
    ticks = {ax.xaxis: shown_ticklabels(ax.xaxis), ax.yaxis: shown_ticklabels(ax.yaxis)}
    boxes = [text.get_window_extent(renderer) for text in (*ticks[ax.xaxis], *ticks[ax.yaxis], *texts)
             if text.get_visible() and text.get_text() and text not in headings]
    tops = [text.get_window_extent(renderer).y1 for text in headings if text.get_visible() and text.get_text()]
    left = max((frame.x0 - b.x0 for b in boxes), default=0.0) / dpi
    right = max((b.x1 - frame.x1 for b in boxes), default=0.0) / dpi
    top = max([b.y1 - frame.y1 for b in boxes] + [y - frame.y1 for y in tops], default=0.0) / dpi
    bottom = max((frame.y0 - b.y0 for b in boxes), default=0.0) / dpi
    for label, axis in ((ax.xaxis.label, ax.xaxis), (ax.yaxis.label, ax.yaxis)):
        if label.get_visible() and label.get_text():
            wide, tall = extent(ticks[axis], renderer)
            size = label.get_window_extent(renderer)
            room = tick_room(axis) + axis.labelpad / 72
            if axis is ax.xaxis:
                bottom = max(bottom, room + tall + size.height / dpi)
            else:
                left = max(left, room + wide + size.width / dpi)
    return max(left, 0.0), max(right, 0.0), max(top, 0.0), max(bottom, 0.0)


def settle(fig: Figure, axes: Axes | Sequence[Axes], *, heading: Text | None = None,
           note: Text | None = None) -> None:
    """Place a chart's plot areas by their own texts: titles above, row labels left, axis and legend below.

    ``axes`` is one plot area, or several stacked top to bottom (equal heights, aligned left
    edges). Only the texts that make the margins are measured (tick labels, axis labels, titles,
    the texts on the axes, the figure's legends, a figure-wide ``heading`` and ``note``), against
    where the axes are; the axes are placed, then measured once more, as a title anchored at an
    axes' left edge moves with it. The constrained layout, which measures every artist twice each
    time the figure is drawn, is switched off. ``heading`` goes at the figure's top, ``note`` at
    its bottom, under the legends.
    """
    stack = [axes] if isinstance(axes, Axes) else list(axes)
    renderer = fig.canvas.get_renderer()
    dpi = renderer.dpi
    width, height = fig.get_size_inches()
    above = below = 0.0
    if note is not None:
        note.set(y=PAD / height, verticalalignment="bottom")
        below = extent([note], renderer)[1] + PAD
    if heading is not None:
        heading.set(y=1 - PAD / height, verticalalignment="top")
        above = extent([heading], renderer)[1] + PAD
    for legend in fig.legends:
        if note is not None:
            legend.set_bbox_to_anchor((0, below / height, 1, 1 - below / height), transform=fig.transFigure)
        below = max(below, legend.get_window_extent(renderer).y1 / dpi + PAD)
    fig.set_layout_engine("none")
    for _ in range(2):
        reach = [_overhang(ax, renderer) for ax in stack]
        left = PAD + max(r[0] for r in reach)
        right = PAD + max(r[1] for r in reach)
        free = height - 2 * PAD - above - below - sum(r[2] + r[3] for r in reach) - PAD * (len(stack) - 1)
        each = max(free / len(stack), 0.1)
        y = height - PAD - above
        for ax, (_, _, top, bottom) in zip(stack, reach):
            y -= top + each
            ax.set_position((left / width, y / height, max(width - left - right, 0.1) / width, each / height))
            y -= bottom + PAD


def wrap(text: str, width: int) -> str:
    """Wrap a label onto lines of at most ``width`` characters (long words are kept whole)."""
    return textwrap.fill(str(text), width=width, break_long_words=False, break_on_hyphens=False)


@functools.lru_cache(maxsize=8192)
def _word_width(word: str, size: float, weight: str) -> float:
    """Advance width of one word (or a space) in points: measuring a text costs, its words repeat."""
    return text_to_path.get_text_width_height_descent(word, FontProperties(size=size, weight=weight), ismath=False)[0]


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of ``text`` (its widest line) in the charts' font at ``size`` points.

    Summed from its words' widths (kerning aside, within a few per cent of the drawn text), so
    a chart can size itself to its labels before anything is drawn.
    """
    space = _word_width(" ", size, weight)
    widths = [sum(_word_width(w, size, weight) for w in words) + space * max(len(words) - 1, 0)
              for words in (line.split() for line in str(text).split("\n"))]
    return max(widths, default=0.0) / 72


def fit(text: str, inches: float, size: float, *, weight: str = "normal", wrap_at: int | None = None) -> str:
    """``text`` wrapped onto lines at most ``inches`` wide (and ``wrap_at`` characters, when given).

    The wrap at ``wrap_at`` is kept when it fits, so short labels look as they always did; a
    longer label gets narrower lines until it fits. A word wider than ``inches`` stays whole.
    """
    text = str(text)
    start = min(wrap_at or len(text), len(text))
    for width in range(max(start, 1), 0, -1):
        wrapped = wrap(text, width)
        if text_width(wrapped, size, weight) <= inches:
            return wrapped
    return wrap(text, 1)


def row_labels(labels: Sequence[str], size: float, bold: Sequence[bool] = ()) -> tuple[list[str], float]:
    """Row labels wrapped to at most ``LABEL_ROOM`` inches, and the width of the widest in inches.

    ``bold`` marks the labels drawn in bold (wider). A chart sizes its label column from this.
    """
    weights = ["bold" if b else "normal" for b in bold] + ["normal"] * (len(labels) - len(bold))
    fitted = [fit(label, LABEL_ROOM, size, weight=w) for label, w in zip(labels, weights)]
    return fitted, max((text_width(f, size, w) for f, w in zip(fitted, weights)), default=0.0)


def legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str], *, fontsize: float,
                 handlelength: float = 2.0, handletextpad: float = 0.8, columnspacing: float = 2.0,
                 **kwargs: Any) -> Legend:
    """A legend under the chart, in as few rows as fit the figure's width, labels wrapped if need be.

    One row with the labels as written when they fit (as on the bundled questionnaires); else
    the widest labels are wrapped onto narrower lines (up to three), and when even that is too
    wide the entries go on two rows, three, ...: always in reading order, left to right, then down.
    """
    n = len(handles)
    room = fig.get_figwidth() - 0.25  # the layout's padding and a little air
    em = fontsize / 72
    widest = max((text_width(label, fontsize) for label in labels), default=0.0)
    shown, columns = list(labels), max(n, 1)
    for rows in range(1, n + 1):
        columns = math.ceil(n / rows)
        fixed = columns * (handlelength + handletextpad) * em + (columns - 1) * columnspacing * em
        found = None
        cap = widest
        while cap > 0.3 and found is None:  # narrower and narrower lines, down to a few characters
            fitted = [fit(label, cap, fontsize) for label in labels]
            widths = [text_width(f, fontsize) for f in fitted]
            total = fixed + sum(max(widths[c::columns]) for c in range(columns))  # column c: entries c, c + columns...
            if total <= room and max(widths) <= cap and max(f.count("\n") for f in fitted) < 3:
                found = fitted
            cap -= 0.05
        if found is not None or columns == 1:
            shown = found or [fit(label, room - fixed, fontsize) for label in labels]
            break
    rows = math.ceil(n / columns) if n else 1
    # matplotlib fills a legend column by column: reorder so that the entries read row by row.
    order = [r * columns + c for c in range(columns) for r in range(rows) if r * columns + c < n]
    return fig.legend([handles[i] for i in order], [shown[i] for i in order], loc="outside lower center",
                      ncols=columns, fontsize=fontsize, handlelength=handlelength, handletextpad=handletextpad,
                      columnspacing=columnspacing, **kwargs)


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


def text_color(color: Any) -> str:
    """Black or white, whichever reads better on ``color``."""
    return "white" if luminance(color) < 0.5 else "black"


def heat_cells(ax: Axes, values: Any, cmap_name: str, vmin: float, vmax: float, gid: str,
               top: float = -0.5) -> Any:
    """Draw a table of ``values`` (rows x columns) as coloured cells from row edge ``top`` down, NaN left blank.

    The image gets ``gid`` (the chart tests find it by that name); returns the colour map, for the
    cell texts' colour (``text_color``).
    """
    import numpy as np

    values = np.atleast_2d(values)
    cmap = matplotlib.colormaps[cmap_name]
    rows, cols = values.shape
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
                      extent=(-0.5, cols - 0.5, top + rows, top), interpolation="nearest")
    image.set_gid(gid)
    return cmap


def cell_text(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> Any:
    """A text centred in a cell (a heatmap's, or a segment of a bar): it never leaves the cell, so no layout measures it."""
    artist = ax.text(x, y, text, ha="center", va="center", **kwargs)
    artist.set_in_layout(False)
    return artist


def cell_grid(ax: Axes, column_labels: Sequence[str], n_rows: int, *, rotate: bool,
              heavy_first: bool = False, row_lines: bool = True) -> None:
    """Heatmap furniture: column labels on top (as plain text), no spines, white lines between cells."""
    category_labels(ax, "x", range(len(column_labels)), column_labels, fontsize=SMALL, linespacing=1.0,
                    rotation=90 if rotate else 0, parse_math=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # One artist for all the lines between columns, one for those between rows (a line each costs)
    columns = [j + 0.5 for j in range(len(column_labels) - 1)]
    ax.vlines(columns, 0, 1, transform=ax.get_xaxis_transform(), colors="white",
              linewidths=[2.5 if heavy_first and j == 0 else 1 for j in range(len(columns))])  # heavier after "overall"
    if row_lines and n_rows > 1:
        ax.hlines([i + 0.5 for i in range(n_rows - 1)], 0, 1, transform=ax.get_yaxis_transform(), colors="white",
                  linewidths=1)
