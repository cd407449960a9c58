"""Charts for the client report and the portfolio overview: scored data in, a matplotlib ``Figure`` out.

Every function here only draws what ``cxassess.scoring`` computed (indices, gaps, priorities,
action classes); none scores, reads or writes anything, and none touches pyplot's global
state: figures are built with ``matplotlib.figure.Figure`` on an Agg canvas, so the caller
decides whether to save, embed or show them.

The report is printed on A4 and often in greyscale, so every chart is about a text column
wide, wraps long pillar names, and tells the action classes apart by lightness *and* by a
hatch pattern or marker shape (``ACTION_STYLE``), never by hue alone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .scoring import ACTIONS, Scores
from .templates import Template

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


def _figure(width: float, height: float) -> Figure:
    """A new figure on its own Agg canvas (no pyplot, no backend switch)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def wrap(text: str, width: int) -> str:
    """Wrap a label onto lines of at most ``width`` characters (long words are kept whole)."""
    return textwrap.fill(str(text), width=width, break_long_words=False, break_on_hyphens=False)


def _set_titles(ax: Axes, title: str, subtitle: str | None = None) -> None:
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


def _clean_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=FONT)


def _action_handles(actions: Sequence[Any], kind: str) -> list[Any]:
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


def _bar_outline(ax: Axes, bar: Rectangle) -> None:
    """Thin dark outline over a bar whose hatch colour is light, so it prints on white paper."""
    ax.add_patch(Rectangle(bar.get_xy(), bar.get_width(), bar.get_height(), fill=False, edgecolor="#222222",
                           linewidth=0.6, zorder=bar.get_zorder() + 0.1))


# -------------------------------------------------------------------------------------- radar


def radar(scores: Scores, *, wrap_at: int = 18, show_target: bool = True) -> Figure:
    """Current index and target index per pillar on a 0-100 radar: where practice falls short.

    Two closed polygons (target only when some pillar has one); the pillar order is the
    template's, clockwise from the top. With fewer than three pillars the "polygon" is a line:
    use ``gap_chart`` for such instruments.
    """
    pillars = scores.pillars
    terms = scores.template.terms
    n = len(pillars)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    closed = np.append(angles, angles[:1])

    fig = _figure(WIDTH, WIDTH * 0.95)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels(["20", "40", "60", "80", "100"], fontsize=SMALL - 0.5, color="#555555",
                       bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.8})
    ax.set_rlabel_position(float(np.degrees(angles[1] / 2)) if n > 1 else 0.0)
    ax.set_xticks(angles)
    ax.set_xticklabels([])
    ax.grid(color="#BBBBBB", linewidth=0.6)
    ax.spines["polar"].set_color("#888888")

    current = pillars["index"].to_numpy(dtype=float)
    line = ax.plot(closed, np.append(current, current[:1]), color=CURRENT_COLOR, linewidth=2.2, marker="o",
                   markersize=5, label=terms.rating, zorder=3)[0]
    line.set_gid("current")
    ax.fill(closed, np.nan_to_num(np.append(current, current[:1])), color=CURRENT_COLOR, alpha=0.12, zorder=2)

    target = pillars["target_index"].to_numpy(dtype=float)
    if show_target and not np.isnan(target).all():
        tline = ax.plot(closed, np.append(target, target[:1]), color=TARGET_COLOR, linewidth=1.6, linestyle="--",
                        marker="s", markersize=4, label=terms.target, zorder=3)[0]
        tline.set_gid("target")

    # Pillar names outside the circle, aligned away from it so long names never cross it.
    for angle, name in zip(angles, pillars["name"]):
        screen = np.pi / 2 - angle  # where the label sits, counter-clockwise from 3 o'clock
        cos, sin = math.cos(screen), math.sin(screen)
        ha = "left" if cos > 0.15 else "right" if cos < -0.15 else "center"
        va = "bottom" if sin > 0.15 else "top" if sin < -0.15 else "center"
        ax.text(angle, 108, wrap(name, wrap_at), ha=ha, va=va, fontsize=FONT - 0.5, linespacing=1.1)

    fig.legend(loc="outside lower center", ncol=2, fontsize=FONT, frameon=False, handlelength=3)
    fig.suptitle(f"{terms.rating} vs {terms.target.lower()} by pillar\n", fontsize=TITLE, fontweight="bold")
    fig.text(0.5, 0.955, "Index 0-100: 0 = every answer at the bottom of the scale, 100 = every answer at the top",
             fontsize=SMALL, color="#444444", ha="center", va="top")
    return fig


# ---------------------------------------------------------------------------------- gap chart


def gap_chart(scores: Scores, *, wrap_at: int = 30, decimals: int = 0) -> Figure:
    """Gap to target per pillar, highest priority on top: which gaps to close first.

    Bars are the pillars' ``gap_index`` ordered by ``priority`` (gap weighted by importance,
    docs/scoring.md section 9); bar style is the pillar's action class. Pillars without a
    target have no gap and no priority and are listed at the bottom as "no target".
    """
    pillars = scores.pillars.sort_values("priority", ascending=False, na_position="last", kind="stable")
    n = len(pillars)
    fig = _figure(WIDTH, 1.2 + 0.42 * n)
    ax = fig.add_subplot()
    _clean_axes(ax)

    gaps = pillars["gap_index"].to_numpy(dtype=float)
    known = gaps[~np.isnan(gaps)]
    low = min(0.0, float(known.min())) if known.size else 0.0
    high = max(0.0, float(known.max())) if known.size else 10.0
    span = (high - low) or 10.0
    ax.set_xlim(low - (0.05 * span if low < 0 else 0), high + 0.32 * span)

    for y, (pid, row) in enumerate(pillars.iterrows()):
        gap = float(row["gap_index"])
        if math.isnan(gap):
            ax.text(0, y, "  no target", va="center", ha="left", fontsize=FONT - 0.5, style="italic", color="#555555")
            continue
        st = action_style(row["action"])
        bar = ax.barh(y, gap, height=0.66, color=st["color"], edgecolor=st["edge"], hatch=st["hatch"],
                      linewidth=0.0, zorder=2)[0]
        bar.set_gid(str(pid))
        _bar_outline(ax, bar)
        prio = float(row["priority"])
        text = f"{gap:.{decimals}f}" + ("" if math.isnan(prio) else f"  (priority {prio:.0f})")
        # Always right of the bar's outer end or of zero, so a negative bar's label never hits the names.
        ax.text(max(gap, 0.0) + 0.01 * span, y, text, va="center", ha="left", fontsize=FONT - 0.5)

    ax.set_yticks(range(n))
    ax.set_yticklabels([wrap(name, wrap_at) for name in pillars["name"]], fontsize=FONT - 0.5, linespacing=1.05)
    ax.set_ylim(n - 0.5, -0.5)  # first (highest priority) on top
    ax.axvline(0, color="#222222", linewidth=0.8, zorder=3)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True, color="#E0E0E0", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Gap: {scores.template.terms.target.lower()} minus {scores.template.terms.rating.lower()} "
                  "(index points)", fontsize=FONT)
    handles = _action_handles(list(pillars.loc[~np.isnan(gaps), "action"]), "bar")
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=FONT, frameon=False,
                   handlelength=2.2, handleheight=1.2)
    _set_titles(ax, f"Gaps to {scores.template.terms.target.lower()}, highest priority first",
                "Priority = gap weighted by importance; bar style = action class")
    return fig


# -------------------------------------------------------------------- importance-performance


LEADER_FROM = 4.0  # px between a label and its point beyond which a leader line is drawn


def _crossings(px: float, py: float, cx: np.ndarray, cy: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """For each candidate segment (px, py)-(cx, cy), how many of ``segments`` (x0, y0, x1, y1) it crosses."""

    def orient(ax_: Any, ay: Any, bx: Any, by: Any, qx: Any, qy: Any) -> Any:
        return np.sign((bx - ax_) * (qy - ay) - (by - ay) * (qx - ax_))

    x0, y0, x1, y1 = (segments[:, k][None, :] for k in range(4))
    cx, cy = cx[:, None], cy[:, None]
    d1, d2 = orient(px, py, cx, cy, x0, y0), orient(px, py, cx, cy, x1, y1)
    d3, d4 = orient(x0, y0, x1, y1, px, py), orient(x0, y0, x1, y1, cx, cy)
    return ((d1 * d2 < 0) & (d3 * d4 < 0)).sum(axis=1)


def _place_labels(ax: Axes, xs: np.ndarray, ys: np.ndarray, labels: Sequence[str], *, fontsize: float,
                  marker_px: float, obstacles: Sequence[Any] = (),
                  lines: Sequence[tuple[float, float, float, float]] = (), passes: int = 3) -> list[Any]:
    """Annotate points with labels placed where they collide least.

    Candidate spots ring each point at growing distances. Each label takes the cheapest spot:
    overlapping a marker, another label or an ``obstacles`` artist costs most, a leader line
    through another label a lot, crossing one of the ``lines`` (data-coordinate segments
    x0, y0, x1, y1, e.g. thresholds) or sitting on its other side from the point (in another
    region) somewhat, and distance from the point a little. A greedy first pass (crowded
    points first) is refined by re-placing each label against all the others. Labels away
    from their point get a thin leader line.
    """
    fig = ax.figure
    fig.draw_without_rendering()  # settles the layout so pixel positions are final
    renderer = fig.canvas.get_renderer()
    to_pt = 72.0 / fig.dpi
    frame = ax.get_window_extent(renderer)
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    n, r = len(labels), marker_px
    markers = np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r, pts[:, 1] + r])
    fixed = np.array([[b.x0 - 3, b.y0 - 3, b.x1 + 3, b.y1 + 3]
                      for b in (o.get_window_extent(renderer) for o in obstacles)]).reshape(-1, 4)
    soft = []
    for x0, y0, x1, y1 in lines:
        (a, b), (c, d) = ax.transData.transform([(x0, y0), (x1, y1)])
        soft.append((min(a, c) - 1, min(b, d) - 1, max(a, c) + 1, max(b, d) + 1))
    soft_boxes = np.array(soft).reshape(-1, 4)
    sizes = []
    for text in labels:
        probe = ax.text(0, 0, text, fontsize=fontsize, linespacing=1.0)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        sizes.append((ext.width + 6, ext.height + 4))  # a little air around each label
    directions = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0.5),
                           (-1, 0.5), (1, -0.5), (-1, -0.5), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1)])
    gaps = np.array([1.0, 8.0, 18.0, 30.0, 44.0, 60.0, 80.0, 100.0, 125.0, 150.0])
    cand_gap = np.repeat(gaps, len(directions))
    cand_dir = np.tile(directions, (len(gaps), 1))
    along = np.linspace(0.15, 0.85, 8)
    vertical = (soft_boxes[:, 2] - soft_boxes[:, 0]) < (soft_boxes[:, 3] - soft_boxes[:, 1])

    def overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Overlap area of each box with all ``others`` together."""
        if not len(others):
            return np.zeros(len(boxes))
        w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
        h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
        return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)

    def best_spot(i: int, others: np.ndarray, leaders: np.ndarray) -> tuple[float, float, float]:
        w, h = sizes[i]
        px, py = pts[i]
        cx = px + cand_dir[:, 0] * (r + cand_gap + w / 2)
        cy = py + cand_dir[:, 1] * (r + cand_gap + h / 2)
        boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        inside_frame = ((boxes[:, 0] >= frame.x0) & (boxes[:, 2] <= frame.x1) & (boxes[:, 1] >= frame.y0)
                        & (boxes[:, 3] <= frame.y1))
        if not inside_frame.any():
            return px + r + w / 2, py, 0.0
        other_markers = np.delete(markers, i, axis=0)
        cost = 4 * overlaps(boxes, np.vstack([other_markers, fixed, others])) + overlaps(boxes, soft_boxes)
        # Beside the point reads best, then above or below, then at a corner; near beats far.
        cost += 2.5 * cand_gap + 3 * (cand_dir[:, 1] != 0) + 3 * ((cand_dir[:, 0] != 0) & (cand_dir[:, 1] != 0))
        # A label centre on the other side of a threshold line from its point: another region.
        if len(soft_boxes):
            lx0, ly0, lx1, ly1 = (soft_boxes[:, k][None, :] for k in range(4))
            spans_y = ((ly0 <= py) & (py <= ly1)) | ((ly0 <= cy[:, None]) & (cy[:, None] <= ly1))
            spans_x = ((lx0 <= px) & (px <= lx1)) | ((lx0 <= cx[:, None]) & (cx[:, None] <= lx1))
            side_x = (cx[:, None] - lx0) * (px - lx0) < 0
            side_y = (cy[:, None] - ly0) * (py - ly0) < 0
            across = np.where(vertical[None, :], spans_y & side_x, spans_x & side_y)
            cost += 300 * across.sum(axis=1)
        # A leader line (drawn beyond LEADER_FROM px) through another label or marker.
        crossed = np.vstack([others, other_markers])
        if len(crossed):
            sx = px + along[None, :] * (cx[:, None] - px)  # (candidates, samples)
            sy = py + along[None, :] * (cy[:, None] - py)
            hit = ((sx[:, :, None] > crossed[:, 0]) & (sx[:, :, None] < crossed[:, 2])
                   & (sy[:, :, None] > crossed[:, 1]) & (sy[:, :, None] < crossed[:, 3]))
            cost += 200 * (hit.any(axis=1).sum(axis=1) * (cand_gap > LEADER_FROM))
        if len(leaders):  # two leader lines crossing each other
            cost += 200 * (_crossings(px, py, cx, cy, leaders) * (cand_gap > LEADER_FROM))
        cost[~inside_frame] = np.inf
        k = int(np.argmin(cost))
        return float(cx[k]), float(cy[k]), float(cand_gap[k])

    # Crowded points first: they have the fewest good spots.
    dist = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    order = np.argsort(-(dist < 60).sum(axis=1), kind="stable")
    spots: dict[int, tuple[float, float, float]] = {}

    def boxes(exclude: int) -> np.ndarray:
        return np.array([(cx - sizes[j][0] / 2, cy - sizes[j][1] / 2, cx + sizes[j][0] / 2, cy + sizes[j][1] / 2)
                         for j, (cx, cy, _) in spots.items() if j != exclude]).reshape(-1, 4)

    def leaders(exclude: int) -> np.ndarray:
        return np.array([(*pts[j], cx, cy) for j, (cx, cy, gap) in spots.items()
                         if j != exclude and gap > LEADER_FROM]).reshape(-1, 4)

    for _ in range(max(1, passes)):
        for i in order:
            spots[i] = best_spot(i, boxes(i), leaders(i))

    annotations: list[Any] = []
    for i in range(n):
        cx, cy, gap = spots[i]
        arrow = {"arrowstyle": "-", "color": "#777777", "linewidth": 0.5, "shrinkA": 0, "shrinkB": r * to_pt}
        note = ax.annotate(
            labels[i], xy=(xs[i], ys[i]), xytext=((cx - pts[i, 0]) * to_pt, (cy - pts[i, 1]) * to_pt),
            textcoords="offset points", ha="center", va="center", fontsize=fontsize, linespacing=1.0,
            arrowprops=arrow if gap > LEADER_FROM else None, zorder=5, annotation_clip=False,
        )
        note.set_in_layout(False)
        annotations.append(note)
    return annotations


def _span(low: float, high: float, minimum: float) -> tuple[float, float]:
    """``low``-``high`` widened about its centre to at least ``minimum``, kept within 0-100."""
    if high - low < minimum:
        centre = (low + high) / 2
        low, high = centre - minimum / 2, centre + minimum / 2
    shift = max(0.0, -low) - max(0.0, high - 100.0)
    return max(0.0, low + shift), min(100.0, high + shift)


def importance_performance(scores: Scores, level: str = "pillars", *, wrap_at: int = 20,
                           annotate: bool = True, zoom: bool | None = None) -> Figure:
    """Importance-performance grid: each pillar (or question) placed by its index and importance.

    The dashed lines are the template's action thresholds, so a point's region is its action
    class (docs/scoring.md section 7). Without importance answers the gap to target decides
    what matters, so the y axis shows ``gap_index`` against ``gap_priority_at`` instead.
    ``zoom`` (default: on for questions, off for pillars) trims the axes to the points and the
    threshold lines, so dozens of labelled points stay legible.
    """
    if level not in ("pillars", "questions"):
        raise ValueError(f"level must be 'pillars' or 'questions', not {level!r}")
    frame = scores.pillars if level == "pillars" else scores.questions
    rules = scores.template.actions
    terms = scores.template.terms
    use_gap = bool(frame["importance_index"].isna().all())
    y_col = "gap_index" if use_gap else "importance_index"
    x = frame["index"].to_numpy(dtype=float)
    y = frame[y_col].to_numpy(dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    y_line = rules.gap_priority_at if use_gap else rules.important_at

    if zoom is None:
        zoom = level == "questions"
    zoom = bool(zoom and ok.any())

    fig = _figure(WIDTH, WIDTH * (1.0 if level == "questions" else 0.92))
    ax = fig.add_subplot()
    _clean_axes(ax)
    if zoom:
        margin = 6.0
        ax.set_xlim(*_span(min(float(x[ok].min()), rules.performing_at) - margin,
                           max(float(x[ok].max()), rules.performing_at) + margin, 40.0))
    else:
        ax.set_xlim(0, 100)
    if use_gap or zoom:
        known = y[ok]
        low_default = min(0.0, float(known.min()) - 5) if known.size else 0.0
        y_low = min(float(known.min()), y_line) - 5 if zoom else low_default
        y_high = max(y_line + 10, float(known.max()) + 5) if known.size else y_line + 10
        if not use_gap:
            y_low, y_high = _span(y_low, y_high, 25.0)
        ax.set_ylim(y_low, y_high)
    else:
        ax.set_ylim(0, 100)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()

    # Regions: faint tint of each class colour, then the class name in its corner.
    def region(x_from: float, x_to: float, y_from: float, y_to: float, action: str) -> None:
        ax.add_patch(Rectangle((x_from, y_from), x_to - x_from, y_to - y_from, facecolor=ACTION_STYLE[action]["color"],
                               alpha=0.10, edgecolor="none", zorder=0))

    region(rules.performing_at, x1, y_line, y1, "keep")
    region(rules.start_below, rules.performing_at, y_line, y1, "do_differently")
    region(x0, rules.start_below, y_line, y1, "start")
    region(x0, x1, y0, y_line, "stop")
    ax.axvline(rules.performing_at, color="#444444", linestyle="--", linewidth=1.0, zorder=1)
    ax.axhline(y_line, color="#444444", linestyle="--", linewidth=1.0, zorder=1)
    ax.plot([rules.start_below, rules.start_below], [y_line, y1], color="#444444", linestyle=":", linewidth=1.0,
            zorder=1)
    corner = {"fontsize": FONT, "fontweight": "bold", "color": "#333333", "zorder": 1}
    inset, x_inset = 0.015 * (y1 - y0), 0.01 * (x1 - x0)
    names = [
        ax.text(x1 - x_inset, y1 - inset, ACTIONS["keep"], ha="right", va="top", **corner),
        ax.text(max(x0, rules.start_below) + x_inset, y1 - inset, ACTIONS["do_differently"], ha="left", va="top",
                **corner),
        ax.text(x1 - x_inset, y0 + inset, ACTIONS["stop"], ha="right", va="bottom", **corner),
    ]
    if rules.start_below > x0:
        names.append(ax.text((x0 + rules.start_below) / 2, y1 - inset, ACTIONS["start"], ha="center", va="top",
                             **corner))

    size = 55 if level == "pillars" else 30
    for action in list(ACTION_STYLE) + [None]:
        mask = ok & np.array([action_style(a) is action_style(action) for a in frame["action"]])
        if not mask.any():
            continue
        st = action_style(action)
        pts = ax.scatter(x[mask], y[mask], s=size, marker=st["marker"], c=st["color"], edgecolors="#222222",
                         linewidths=0.8, zorder=4, label=st["label"])
        pts.set_gid(action or "none")

    ax.set_xlabel(f"Performance: {terms.rating.lower()} index (0-100)", fontsize=FONT)
    if use_gap:
        ax.set_ylabel("Gap to target (index points)\nno importance collected: the gap decides priority",
                      fontsize=FONT)
    else:
        ax.set_ylabel(f"{terms.importance} index (0-100)", fontsize=FONT)
    handles = _action_handles(list(frame.loc[ok, "action"]), "marker")
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=FONT, frameon=False)
    what = "pillar" if level == "pillars" else "question"
    skipped = int((~ok).sum())
    note = f"; {skipped} {what}{'s' if skipped != 1 else ''} without figures not shown" if skipped else ""
    note += "; axes zoomed to the points" if zoom else ""
    _set_titles(ax, f"Importance and performance by {what}",
                f"Dashed lines: action thresholds ({'gap' if use_gap else 'importance'} {y_line:g}, "
                f"performance {rules.performing_at:g}; start at or below {rules.start_below:g}){note}")
    # Labels last: their placement needs the final layout (titles, legend, axis labels).
    if annotate and ok.any():
        if level == "pillars":
            labels = [wrap(name, wrap_at) for name in frame.loc[ok, "name"]]
        else:
            labels = [str(q) for q in frame.index[ok]]
        fontsize = SMALL - 0.5 if level == "pillars" else SMALL - 1.5
        marker_px = math.sqrt(size) / 2 * fig.dpi / 72
        thresholds = [(rules.performing_at, y0, rules.performing_at, y1), (x0, y_line, x1, y_line),
                      (rules.start_below, y_line, rules.start_below, y1)]
        _place_labels(ax, x[ok], y[ok], labels, fontsize=fontsize, marker_px=marker_px, obstacles=names,
                      lines=thresholds)
        fig.set_layout_engine("none")  # settled while placing the labels (which stay out of it): keep it
    return fig


# ------------------------------------------------------------------------------ segment heatmap


def _text_color(color: Any) -> str:
    """Black or white, whichever reads better on ``color``."""
    return "white" if luminance(color) < 0.5 else "black"


def _cell_grid(ax: Axes, column_labels: Sequence[str], n_rows: int, *, rotate: bool,
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


def segment_heatmap(breakdown: pd.DataFrame, template: Template,
                    highlight: tuple[str, str] = ("Leadership", "Frontline"), *, threshold: int | None = None,
                    wrap_at: int = 24, decimals: int = 0, overall: bool = True) -> Figure:
    """Pillar index per group of one segment, to show where groups see the strategy differently.

    Rows are the breakdown's groups, columns the pillars (and the overall index first when
    ``overall``). Suppressed groups (below the anonymity ``threshold``) are a grey hatched row
    without figures. When both ``highlight`` groups have figures their rows are in bold and a
    last row gives their difference (first minus second) on a diverging scale.
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

    rotate = n_cols > 6  # upright column labels when they fit the cell width, else bottom-to-top
    fig = _figure(WIDTH if rotate else 2.2 + 0.75 * n_cols, (2.5 if rotate else 1.4) + 0.38 * (n_rows + has_gap))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps[INDEX_CMAP]
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=100, aspect="auto",
                      extent=(-0.5, n_cols - 0.5, n_rows - 0.5, -0.5), interpolation="nearest")
    image.set_gid("index")
    for i in range(n_rows):
        if suppressed[i]:
            ax.add_patch(Rectangle((-0.5, i - 0.5), n_cols, 1, facecolor="#E6E6E6", edgecolor="#999999",
                                   hatch="////", linewidth=0))
            why = f"fewer than {threshold}" if threshold is not None else "too few respondents"
            if "reason" in breakdown.columns and breakdown["reason"].iloc[i] in ("complement", "overlap"):
                why = "would reveal a smaller group"  # secondary suppression (docs/scoring.md, section 8)
            ax.text((n_cols - 1) / 2, i, f"suppressed ({why})", ha="center", va="center", fontsize=FONT,
                    style="italic", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
            continue
        for j in range(n_cols):
            v = values[i, j]
            if not math.isnan(v):
                ax.text(j, i, f"{v:.{decimals}f}", ha="center", va="center", fontsize=FONT - 0.5,
                        color=_text_color(cmap(v / 100)))

    labels = []
    for i, g in enumerate(groups):
        n = breakdown["n"].iloc[i]
        labels.append(g if suppressed[i] or pd.isna(n) else f"{g} (n={int(n)})")
    y_end = n_rows - 0.5
    if has_gap:
        diff = values[rows_of[first]] - values[rows_of[second]]
        limit = max(10.0, float(np.nanmax(np.abs(diff)))) if not np.isnan(diff).all() else 10.0
        gap_cmap = matplotlib.colormaps[GAP_CMAP]
        row = n_rows + 0.15  # a thin white gap separates it from the groups
        gap_image = ax.imshow(np.ma.masked_invalid(diff[None, :]), cmap=gap_cmap, vmin=-limit, vmax=limit,
                              aspect="auto", extent=(-0.5, n_cols - 0.5, row + 0.5, row - 0.5),
                              interpolation="nearest")
        gap_image.set_gid("gap")
        for j, v in enumerate(diff):
            if not math.isnan(v):
                ax.text(j, row, f"{v:+.{decimals}f}", ha="center", va="center", fontsize=FONT - 0.5,
                        color=_text_color(gap_cmap((v + limit) / (2 * limit))))
        labels.append(f"Gap ({first} - {second})")
        y_end = row + 0.5
    ax.set_ylim(y_end, -0.5)
    ax.set_xlim(-0.5, n_cols - 0.5)

    ticks = list(range(n_rows)) + ([n_rows + 0.15] if has_gap else [])
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels, fontsize=FONT)
    for i, tick in enumerate(ax.get_yticklabels()):
        if (i < n_rows and groups[i] in highlight and has_gap) or i == n_rows:
            tick.set_fontweight("bold")
    _cell_grid(ax, [wrap(names[c], wrap_at if rotate else 12) for c in columns], n_rows, rotate=rotate,
               heavy_first=overall and columns[0] == "overall_index")

    segment = str(breakdown["segment"].iloc[0]) if len(breakdown) else ""
    title = next((s.title for s in template.segments if s.id == segment), segment.replace("_", " ").capitalize())
    sub = "Cells: index 0-100, darker = higher"
    if has_gap:
        sub += f". Last row: {first} minus {second} (purple = {first} higher, orange = {second} higher)"
    fig.suptitle(f"Pillar index by {title.lower()}", fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
    fig.supxlabel(textwrap.fill(sub, int(fig.get_figwidth() * 16)), fontsize=SMALL, color="#444444", x=0.02,
                  ha="left")
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

    fig = _figure(WIDTH, 1.5 + 0.4 * n)
    ax = fig.add_subplot()
    _clean_axes(ax)
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
                ax.text(x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=SMALL,
                        color=_text_color(colors[k]),
                        bbox={"facecolor": colors[k], "edgecolor": "none", "pad": 1.0} if low else None)
        left = left + width
    ax.set_yticks(range(n))
    ax.set_yticklabels([wrap(names[i], wrap_at) for i in ids], fontsize=FONT - 0.5, linespacing=1.05)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Share of ratings (after reverse scoring)", fontsize=FONT)
    fig.legend(loc="outside lower center", ncol=len(points), fontsize=SMALL, frameon=False, handlelength=1.0,
               handletextpad=0.4, columnspacing=0.9)
    _set_titles(ax, "How the answers spread, by pillar",
                f"Share of each answer from {scale.min} ({scale.label(scale.min)}) to {scale.max} "
                f"({scale.label(scale.max)})")
    return fig


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
    fig = _figure(WIDTH, 3.4)
    ax = fig.add_subplot()
    _clean_axes(ax)
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
    _set_titles(ax, "Overall index across the portfolio", sub)
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
    fig = _figure(WIDTH if rotate else 2.4 + 0.8 * n_cols, (2.6 if rotate else 1.5) + row_height * max(n_rows, 1))
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
                    ax.text(j, i, f"{v:.{decimals}f}", ha="center", va="center", fontsize=FONT - 0.5,
                            color=_text_color(cmap(v / 100)))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels([str(label) for label in matrix.index], fontsize=FONT if row_height >= 0.2 else SMALL - 1.5,
                       parse_math=False)
    _cell_grid(ax, [wrap(names.get(c, c), wrap_at if rotate else 12) for c in matrix.columns], n_rows,
               rotate=rotate, row_lines=row_height >= 0.2)
    fig.suptitle(title or "Pillar index by client", fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
    fig.supxlabel("Cells: pillar index 0-100, darker = higher; blank = no index", fontsize=SMALL, color="#444444",
                  x=0.02, ha="left")
    return fig


#: Look of the portfolio's middle half (Q1-Q3) in ``portfolio_comparison``: a light box with a dark median.
RANGE_COLOR = "#D0D5DD"
MEDIAN_COLOR = "#222222"


def portfolio_comparison(comparison: pd.DataFrame, *, wrap_at: int = 30) -> Figure:
    """A client's pillar indices against the portfolio: per pillar the Q1-Q3 box, the median and the client.

    ``comparison`` has one row per pillar (in order, top to bottom) with columns name, index,
    q1, median and q3 (0-100), as ``cxassess.portfolio.compare`` returns. Nothing about any
    other client is drawn beyond those three figures.
    """
    n = len(comparison)
    fig = _figure(WIDTH, 1.5 + 0.4 * n)
    ax = fig.add_subplot()
    _clean_axes(ax)
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
    ax.set_yticks(range(n))
    ax.set_yticklabels([wrap(name, wrap_at) for name in comparison["name"]], fontsize=FONT - 0.5, linespacing=1.05)
    ax.tick_params(axis="y", length=0)
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
    _set_titles(ax, "Your pillar indices against the portfolio",
                f"Box: the middle half of the {clients} organisations' indices in this portfolio (yours included); "
                "line: their median; dot: your index")
    return fig


__all__ = [
    "ACTION_STYLE",
    "NO_ACTION_STYLE",
    "action_colors",
    "action_style",
    "distribution_chart",
    "gap_chart",
    "importance_performance",
    "luminance",
    "portfolio_comparison",
    "portfolio_distribution",
    "portfolio_heatmap",
    "radar",
    "segment_heatmap",
    "wrap",
]


# ------------------------------------------------------------------------------------ waves

#: How a pillar's line looks by its change since the previous wave: colour *and* line style and
#: marker, so improved / declined / unchanged stay apart in greyscale.
CHANGE_STYLE: dict[str, dict[str, Any]] = {
    "improved": {"label": "Improved", "color": "#1F4E79", "linestyle": "-", "marker": "^", "linewidth": 2.0},
    "declined": {"label": "Declined", "color": "#B5541A", "linestyle": "-", "marker": "v", "linewidth": 2.0},
    "unchanged": {"label": "No significant change", "color": "#8A8A8A", "linestyle": "--", "marker": "o",
                  "linewidth": 1.2},
}


def trend_lines(trend: pd.DataFrame, status: Any = None, *, columns: int = 4, wrap_at: int = 24) -> Figure:
    """Each pillar's index wave by wave, one small panel per pillar, the overall index first.

    ``trend`` is ``cxassess.waves.trend``'s long frame (wave, date, pillar_id, pillar, index);
    ``status`` maps pillar id (and ``overall``) to improved / declined / unchanged (the change
    since the previous wave) and picks the line's style. Every panel shares the 0-100 scale and
    the waves along the x axis (spaced by date, labelled with the wave id); the last value is
    written at the end of the line.
    """
    status = dict(status) if status is not None else {}
    order = list(dict.fromkeys(trend["pillar_id"]))
    if "overall" in order:
        order = ["overall"] + [p for p in order if p != "overall"]
    waves = trend.drop_duplicates("wave").sort_values("date", kind="stable")
    dates = pd.to_datetime(waves["date"])
    x_of = dict(zip(waves["wave"], (dates - dates.min()).dt.days.to_numpy(dtype=float)))
    span = max(max(x_of.values(), default=0.0), 1.0)
    rows = max(1, math.ceil(len(order) / columns))
    fig = _figure(WIDTH, 1.55 * rows + 0.7)
    grid = fig.subplots(rows, columns, sharey=True, squeeze=False)
    names = trend.drop_duplicates("pillar_id").set_index("pillar_id")["pillar"]
    for ax, pillar_id in zip(grid.flat, order):
        part = trend[trend["pillar_id"] == pillar_id].copy()
        part["x"] = part["wave"].map(x_of)
        part = part.dropna(subset=["index"]).sort_values("x")
        style = CHANGE_STYLE.get(status.get(pillar_id), CHANGE_STYLE["unchanged"])
        line, = ax.plot(part["x"], part["index"], color=style["color"], linestyle=style["linestyle"],
                        linewidth=style["linewidth"] + (0.6 if pillar_id == "overall" else 0),
                        marker=style["marker"], markersize=4)
        line.set_gid(f"trend:{pillar_id}")
        if not part.empty:
            ax.annotate(f"{part['index'].iloc[-1]:.0f}", xy=(part["x"].iloc[-1], part["index"].iloc[-1]),
                        xytext=(3, 0), textcoords="offset points", fontsize=SMALL, va="center", color=style["color"])
        ax.set_title(wrap(names.get(pillar_id, pillar_id), wrap_at), fontsize=SMALL,
                     fontweight="bold" if pillar_id == "overall" else "normal", loc="left")
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 50, 100])
        ax.set_xlim(-0.08 * span, 1.2 * span)
        ax.set_xticks(list(x_of.values()))
        ax.set_xticklabels(list(x_of), fontsize=SMALL - 1.5, rotation=30, ha="right")
        ax.yaxis.grid(True, color="#E6E6E6", linewidth=0.6)
        _clean_axes(ax)
        ax.tick_params(labelsize=SMALL - 1)
    for ax in list(grid.flat)[len(order):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=s["color"], linestyle=s["linestyle"], marker=s["marker"], label=s["label"])
               for key, s in CHANGE_STYLE.items() if key in set(status.values()) or not status]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=SMALL, frameon=False)
    fig.suptitle("Index by wave (0-100); the line shows the change since the previous wave", fontsize=FONT + 1, fontweight="bold", x=0.01, ha="left")
    return fig


# -------------------------------------------------------------------------- customer voice

#: The customer measures of a touchpoint table: column, label, and the range its colour spans.
CUSTOMER_MEASURES = (("nps", "NPS\n(-100 to 100)", -100.0, 100.0), ("csat", "CSAT\n(% satisfied)", 0.0, 100.0),
                     ("ces", "Ease\n(1-7)", 1.0, 7.0))
CUSTOMER_COLOR = "#B45F06"  # customers' marks: an orange apart from the staff's dark blue, lighter in greyscale


def touchpoint_heatmap(touchpoints: pd.DataFrame, *, min_answers: int | None = None, wrap_at: int = 22) -> Figure:
    """NPS, CSAT and ease per touchpoint, one row each, with the estimated word-of-mouth reach.

    ``touchpoints`` is ``cxassess.voice.measures`` by touchpoint. Each measure column is coloured
    on its own range (darker = better); a cell resting on too few answers is grey and hatched.
    """
    groups = [str(g) for g in touchpoints.index]
    n_rows = len(groups)
    columns = [m for m in CUSTOMER_MEASURES if m[0] in touchpoints.columns]
    fig = _figure(WIDTH, 1.7 + 0.38 * n_rows)
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps[INDEX_CMAP]
    for j, (column, _, low, high) in enumerate(columns):
        for i, group in enumerate(groups):
            value = float(touchpoints[column].iloc[i])
            if math.isnan(value):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#E6E6E6", edgecolor="#999999",
                                       hatch="////", linewidth=0))
                count = touchpoints.get(f"{column}_n", pd.Series([None] * n_rows)).iloc[i]
                ax.text(j, i, f"n={int(count)}" if count is not None and not pd.isna(count) else "–", ha="center",
                        va="center", fontsize=SMALL, style="italic",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
                continue
            color = cmap(0.1 + 0.75 * (value - low) / (high - low))
            cell = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=color, linewidth=0)
            cell.set_gid(f"{group}:{column}")
            ax.add_patch(cell)
            text = f"{value:+.0f}" if column == "nps" else f"{value:.0f}%" if column == "csat" else f"{value:.1f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=FONT - 0.5, color=_text_color(color))
    j = len(columns)
    for i in range(n_rows):  # word of mouth: an estimate, shown as text on white
        value = float(touchpoints["word_of_mouth"].iloc[i]) if "word_of_mouth" in touchpoints else math.nan
        ax.text(j, i, "–" if math.isnan(value) else f"≈{value:,.0f}", ha="center", va="center", fontsize=FONT - 0.5)
    labels = [wrap(f"{g} (n={int(touchpoints['responses'].iloc[i])})", wrap_at) for i, g in enumerate(groups)]
    ax.set_xlim(-0.5, j + 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels(labels, fontsize=FONT)
    _cell_grid(ax, [c[1] for c in columns] + ["People told\nof a bad visit"], n_rows, rotate=False)
    fig.suptitle("How customers rate each touchpoint", fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
    sub = "Darker = better on each measure's own range."
    if min_answers:
        sub += f" Grey cells rest on fewer than {min_answers} answers: too few to read."
    fig.supxlabel(textwrap.fill(sub, int(fig.get_figwidth() * 16)), fontsize=SMALL, color="#444444", x=0.02, ha="left")
    return fig


def customer_trend(months: pd.DataFrame) -> Figure:
    """NPS (with its 95% margin), CSAT and ease month by month: one small panel per measure given.

    ``months`` is ``cxassess.voice.measures`` by month; hidden months (too few answers) are gaps.
    """
    shown = [m for m in CUSTOMER_MEASURES if m[0] in months.columns and months[m[0]].notna().any()]
    fig = _figure(WIDTH, 1.0 + 1.45 * max(len(shown), 1))
    axes = fig.subplots(max(len(shown), 1), 1, sharex=True, squeeze=False)[:, 0]
    x = np.arange(len(months))
    for ax, (column, label, low, high) in zip(axes, shown):
        _clean_axes(ax)
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
    _set_titles(axes[0], "Customers' view month by month",
                "Months with too few answers are left blank; the band around NPS is its 95% margin of error")
    return fig


def staff_vs_customer(pillars: pd.DataFrame, *, threshold: float | None = None, wrap_at: int = 30) -> Figure:
    """Each pillar's staff index beside its customer index, with blind spots and undersold strengths marked.

    ``pillars`` is ``CustomerVoice.pillars``: name, staff_index, customer_index, kind. A blind
    spot (staff well above customers) has a hatched band and a bold label; an undersold strength
    a dotted band and an italic one. Pillars without a customer figure show the staff point only.
    """
    n = len(pillars)
    fig = _figure(WIDTH, 1.6 + 0.36 * n)
    ax = fig.add_subplot()
    _clean_axes(ax)
    y = np.arange(n)
    kinds = list(pillars["kind"])
    for i, (pid, row) in enumerate(pillars.iterrows()):
        staff, customer = float(row["staff_index"]), float(row["customer_index"])
        if kinds[i] in ("blind_spot", "undersold"):
            band = Rectangle((0, i - 0.45), 100, 0.9, facecolor="#F2F2F2", edgecolor="#888888", linewidth=0,
                             hatch="///" if kinds[i] == "blind_spot" else "..", zorder=0)
            band.set_gid(f"{pid}:{kinds[i]}")
            ax.add_patch(band)
        if not math.isnan(customer):
            ax.plot([staff, customer], [i, i], color="#555555", linewidth=1.2, zorder=1)
            marker = ax.scatter([customer], [i], marker="D", s=42, facecolor=CUSTOMER_COLOR, edgecolor="#222222",
                                zorder=3)
            marker.set_gid(f"{pid}:customer")
            if kinds[i] in ("blind_spot", "undersold"):
                gap = float(row["gap"])
                word = (f"blind spot: staff {gap:+.0f}" if kinds[i] == "blind_spot"
                        else f"undersold: customers {-gap:+.0f}")
                ax.annotate(word, (max(staff, customer), i), xytext=(8, 0), textcoords="offset points", va="center",
                            fontsize=SMALL, fontweight="bold",
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
        point = ax.scatter([staff], [i], marker="o", s=42, facecolor=CURRENT_COLOR, edgecolor="#222222", zorder=3)
        point.set_gid(f"{pid}:staff")
    ax.set_yticks(y)
    ax.set_yticklabels([wrap(name, wrap_at) for name in pillars["name"]], fontsize=FONT - 0.5, linespacing=1.05)
    for tick, kind in zip(ax.get_yticklabels(), kinds):
        if kind == "blind_spot":
            tick.set_fontweight("bold")
        elif kind == "undersold":
            tick.set_fontstyle("italic")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 135)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Index (0-100)", fontsize=FONT)
    ax.tick_params(axis="y", length=0)
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=CURRENT_COLOR,
               markeredgecolor="#222222", label="Staff self-assessment"),
        Line2D([], [], linestyle="none", marker="D", markersize=6, markerfacecolor=CUSTOMER_COLOR,
               markeredgecolor="#222222", label="Customers"),
        Patch(facecolor="#F2F2F2", edgecolor="#888888", hatch="///", label="Blind spot"),
        Patch(facecolor="#F2F2F2", edgecolor="#888888", hatch="..", label="Undersold strength"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=SMALL, frameon=False)
    rule = f" by {threshold:g} points or more" if threshold else ""
    _set_titles(ax, "Staff view against customers' view, by pillar",
                f"Blind spot: staff rate the pillar above their customers{rule}; undersold: the reverse")
    return fig
