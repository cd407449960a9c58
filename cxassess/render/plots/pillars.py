"""Charts of one client's pillars: the radar, the gap chart and the importance-performance grid.

These are the report's (and the deck's) core charts, drawn from ``Scores``: current against target
index per pillar, the gaps to target by priority, and each pillar or question placed by its index
and importance in the regions of its action class.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ...analysis.coverage import NOT_ENOUGH
from ...analysis.scoring import ACTIONS, Scores
from .labels import place_labels
from .style import (ACTION_STYLE, CURRENT_COLOR, FONT, SMALL, TARGET_COLOR, TITLE, WIDTH, action_handles,
                    action_style, category_labels, clean_axes, figure, legend_below, set_titles, settle, wrap)

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

    fig = figure(WIDTH, WIDTH * 0.95)
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
    _fill_scored(ax, angles, current)

    target = pillars["target_index"].to_numpy(dtype=float)
    if show_target and not np.isnan(target).all():
        tline = ax.plot(closed, np.append(target, target[:1]), color=TARGET_COLOR, linewidth=1.6, linestyle="--",
                        marker="s", markersize=4, label=terms.target, zorder=3)[0]
        tline.set_gid("target")

    # Pillar names outside the circle, aligned away from it so long names never cross it.
    for angle, name in zip(angles, _names_marking_thin(pillars)):
        screen = np.pi / 2 - angle  # where the label sits, counter-clockwise from 3 o'clock
        cos, sin = math.cos(screen), math.sin(screen)
        ha = "left" if cos > 0.15 else "right" if cos < -0.15 else "center"
        va = "bottom" if sin > 0.15 else "top" if sin < -0.15 else "center"
        ax.text(angle, 108, wrap(name, wrap_at), ha=ha, va=va, fontsize=FONT - 0.5, linespacing=1.1)

    handles, labels = ax.get_legend_handles_labels()
    if np.isnan(current).any():  # the spokes marked "(not enough answers)" have no point: say why the line breaks
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(f"{NOT_ENOUGH.capitalize()}: no point, the line breaks")
    legend_below(fig, handles, labels, fontsize=FONT, frameon=False, handlelength=3)
    heading = fig.suptitle(f"{terms.rating} vs {terms.target.lower()} by pillar\n", fontsize=TITLE, fontweight="bold")
    fig.text(0.5, 0.955, "Index 0-100: 0 = every answer at the bottom of the scale, 100 = every answer at the top",
             fontsize=SMALL, color="#444444", ha="center", va="top")
    settle(fig, ax, heading=heading)
    return fig


def _fill_scored(ax: Any, angles: np.ndarray, current: np.ndarray) -> None:
    """Shade the area inside the current line, leaving out every pillar without an index.

    With every pillar scored, the one closed polygon. Otherwise each run of neighbouring scored
    pillars is shaded from the centre out to its line (a lone scored pillar has no area), so the
    shading never runs down to 0 at a pillar that has "not enough answers" (no point either).
    """
    scored = ~np.isnan(current)
    if scored.all():
        closed = np.append(angles, angles[:1])
        ax.fill(closed, np.append(current, current[:1]), color=CURRENT_COLOR, alpha=0.12, zorder=2, gid="current-area")
        return
    n = len(current)
    if not scored.any():
        return
    start = int(np.argmin(scored))  # a pillar without an index: every run begins after one
    run: list[int] = []
    for step in range(1, n + 1):
        i = (start + step) % n
        if scored[i]:
            run.append(i)
            continue
        if len(run) >= 2:
            theta = angles[run].copy()
            theta[theta < theta[0]] += 2 * np.pi  # a run across the top keeps going clockwise
            ax.fill(np.concatenate([[theta[0]], theta, [theta[-1]]]), np.concatenate([[0.0], current[run], [0.0]]),
                    color=CURRENT_COLOR, alpha=0.12, zorder=2, gid="current-area")
        run = []


def _names_marking_thin(pillars: pd.DataFrame) -> list[str]:
    """Pillar names, with "(not enough answers)" after those the thin-data guard left unscored."""
    if "enough_answers" not in pillars:
        return list(pillars["name"])
    return [name if enough else f"{name} ({NOT_ENOUGH})"
            for name, enough in zip(pillars["name"], pillars["enough_answers"].astype(bool))]


# ---------------------------------------------------------------------------------- gap chart


def gap_chart(scores: Scores, *, wrap_at: int = 30, decimals: int = 0, intervals: pd.DataFrame | None = None) -> Figure:
    """Gap to target per pillar, highest priority on top: which gaps to close first.

    Bars are the pillars' ``gap_index`` ordered by ``priority`` (gap weighted by importance,
    docs/scoring.md section 9); bar style is the pillar's action class. Pillars without a
    target have no gap and no priority and are listed at the bottom as "no target". With
    ``intervals`` (``Assessment.intervals``: ``ci_low``, ``ci_high``, ``within_noise`` per pillar)
    each bar gets the 95% interval of its gap as a whisker (the target minus the index's
    interval), and a gap within noise says so instead of its priority.
    """
    pillars = scores.pillars.sort_values("priority", ascending=False, na_position="last", kind="stable")
    n = len(pillars)
    fig = figure(WIDTH, 1.2 + 0.42 * n)
    ax = fig.add_subplot()
    clean_axes(ax)

    gaps = pillars["gap_index"].to_numpy(dtype=float)
    whiskers = None
    if intervals is not None:
        bounds = intervals.reindex(pillars.index)
        target = pillars["target_index"].to_numpy(dtype=float)
        whiskers = np.column_stack([target - bounds["ci_high"].to_numpy(dtype=float),
                                    target - bounds["ci_low"].to_numpy(dtype=float)])
        noise = bounds["within_noise"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    known = np.concatenate([gaps, whiskers.ravel()] if whiskers is not None else [gaps])
    known = known[~np.isnan(known)]
    low = min(0.0, float(known.min())) if known.size else 0.0
    high = max(0.0, float(known.max())) if known.size else 10.0
    span = (high - low) or 10.0
    ax.set_xlim(low - (0.05 * span if low < 0 else 0), high + 0.32 * span)

    shown = np.flatnonzero(~np.isnan(gaps))  # one artist per series below: an artist per pillar costs its own set-up
    styles = [action_style(pillars["action"].iloc[y]) for y in shown]
    bars = ax.barh(shown, gaps[shown], height=0.66, color=[st["color"] for st in styles],
                   edgecolor=[st["edge"] for st in styles], hatch=[st["hatch"] for st in styles], linewidth=0.0,
                   zorder=2)
    for bar, y in zip(bars, shown):
        bar.set_gid(str(pillars.index[y]))
    ax.barh(shown, gaps[shown], height=0.66, fill=False, edgecolor="#222222", linewidth=0.6, zorder=2.1)
    ends = np.maximum(gaps, 0.0)
    noisy = np.zeros(n, dtype=bool)  # a gap whose whisker is drawn and reaches 0
    if whiskers is not None:
        drawn = shown[~np.isnan(whiskers[shown]).any(axis=1)]
        lines = ax.hlines(drawn, whiskers[drawn, 0], whiskers[drawn, 1], colors="#222222", linewidth=1.0, zorder=4)
        lines.set_gid("intervals")
        ax.plot(whiskers[drawn].ravel(), np.repeat(drawn, 2), linestyle="none", marker="|", markersize=6,
                markeredgewidth=1.0, color="#222222", zorder=4)  # the caps
        ends[drawn] = np.maximum(ends[drawn], whiskers[drawn, 1])
        noisy[drawn] = noise[drawn]
    for y, (pid, row) in enumerate(pillars.iterrows()):
        gap = float(row["gap_index"])
        if math.isnan(gap):
            missing = "  not enough answers" if not bool(row.get("enough_answers", True)) else "  no target"
            ax.text(0, y, missing, va="center", ha="left", fontsize=FONT - 0.5, style="italic", color="#555555")
            continue
        prio = float(row["priority"])
        text = f"{gap:.{decimals}f}" + ("" if math.isnan(prio) else f"  (priority {prio:.0f})")
        if noisy[y]:
            text = f"{gap:.{decimals}f}  (within noise)"
        # Always right of the bar's (or whisker's) outer end or of zero, so a label never hits the names.
        ax.text(ends[y] + 0.01 * span, y, text, va="center", ha="left", fontsize=FONT - 0.5)

    category_labels(ax, "y", range(n), [wrap(name, wrap_at) for name in pillars["name"]], fontsize=FONT - 0.5,
                    linespacing=1.05)
    ax.set_ylim(n - 0.5, -0.5)  # first (highest priority) on top
    ax.axvline(0, color="#222222", linewidth=0.8, zorder=3)
    ax.xaxis.grid(True, color="#E0E0E0", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Gap: {scores.template.terms.target.lower()} minus {scores.template.terms.rating.lower()} "
                  "(index points)", fontsize=FONT)
    handles = action_handles(list(pillars.loc[~np.isnan(gaps), "action"]), "bar")
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=FONT, frameon=False,
                   handlelength=2.2, handleheight=1.2)
    sub = "Priority = gap weighted by importance; bar style = action class"
    if whiskers is not None:
        sub += "; whiskers: 95% interval (a gap whose interval reaches 0 is within noise)"
    set_titles(ax, f"Gaps to {scores.template.terms.target.lower()}, highest priority first", sub)
    settle(fig, ax)
    return fig


# -------------------------------------------------------------------- importance-performance


def _span(low: float, high: float, minimum: float) -> tuple[float, float]:
    """``low``-``high`` widened about its centre to at least ``minimum``, kept within 0-100."""
    if high - low < minimum:
        centre = (low + high) / 2
        low, high = centre - minimum / 2, centre + minimum / 2
    shift = max(0.0, -low) - max(0.0, high - 100.0)
    return max(0.0, low + shift), min(100.0, high + shift)


def importance_performance(scores: Scores, level: str = "pillars", *, wrap_at: int = 20,
                           annotate: bool = True, zoom: bool | None = None,
                           importance_label: str | None = None) -> Figure:
    """Importance-performance grid: each pillar (or question) placed by its index and importance.

    The dashed lines are the template's action thresholds, so a point's region is its action
    class (docs/scoring.md section 7). Without importance answers the gap to target decides
    what matters, so the y axis shows ``gap_index`` against ``gap_priority_at`` instead.
    ``zoom`` (default: on for questions, off for pillars) trims the axes to the points and the
    threshold lines, so dozens of labelled points stay legible. ``importance_label`` names the y axis
    when the importance is not the stated one (derived importance, ``Assessment.grid_scores``).
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

    fig = figure(WIDTH, WIDTH * (1.0 if level == "questions" else 0.92))
    ax = fig.add_subplot()
    clean_axes(ax)
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
        ax.set_ylabel(importance_label or f"{terms.importance} index (0-100)", fontsize=FONT)
    handles = action_handles(list(frame.loc[ok, "action"]), "marker")
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=FONT, frameon=False)
    what = "pillar" if level == "pillars" else "question"
    skipped = int((~ok).sum())
    note = f"; {skipped} {what}{'s' if skipped != 1 else ''} without figures not shown" if skipped else ""
    note += "; axes zoomed to the points" if zoom else ""
    set_titles(ax, f"Importance and performance by {what}",
               f"Dashed lines: action thresholds ({'gap' if use_gap else 'importance'} {y_line:g}, "
               f"performance {rules.performing_at:g}; start at or below {rules.start_below:g}){note}")
    settle(fig, ax)  # labels last: their placement needs the axes where they will be drawn
    if annotate and ok.any():
        if level == "pillars":
            labels = [wrap(name, wrap_at) for name in frame.loc[ok, "name"]]
        else:
            labels = [str(q) for q in frame.index[ok]]
        fontsize = SMALL - 0.5 if level == "pillars" else SMALL - 1.5
        marker_px = math.sqrt(size) / 2 * fig.dpi / 72
        thresholds = [(rules.performing_at, y0, rules.performing_at, y1), (x0, y_line, x1, y_line),
                      (rules.start_below, y_line, rules.start_below, y1)]
        place_labels(ax, x[ok], y[ok], labels, fontsize=fontsize, marker_px=marker_px, obstacles=names,
                     lines=thresholds)
    return fig
