"""Chart of one client's assessment waves: each pillar's index wave by wave, styled by its latest change.

Draws ``cxassess.analysis.waves``' trend frame as small panels, one per pillar, so a client sees
which pillars improved, declined or held since the previous wave (``CHANGE_STYLE``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .style import FONT, SMALL, WIDTH, clean_axes, figure, fit, wrap

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

    ``trend`` is ``cxassess.analysis.waves.trend``'s long frame (wave, date, pillar_id, pillar, index);
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
    fig = figure(WIDTH, 1.55 * rows + 0.7)
    grid = fig.subplots(rows, columns, sharey=True, squeeze=False)
    names = trend.drop_duplicates("pillar_id").set_index("pillar_id")["pillar"]
    titles: dict[Any, tuple[str, str]] = {}  # panel -> its name and font weight
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
        titles[ax] = (str(names.get(pillar_id, pillar_id)), "bold" if pillar_id == "overall" else "normal")
        ax.set_title(wrap(titles[ax][0], wrap_at), fontsize=SMALL, fontweight=titles[ax][1], loc="left")
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 50, 100])
        ax.set_xlim(-0.08 * span, 1.2 * span)
        ax.set_xticks(list(x_of.values()))
        ax.set_xticklabels(list(x_of), fontsize=SMALL - 1.5, rotation=30, ha="right")
        ax.yaxis.grid(True, color="#E6E6E6", linewidth=0.6)
        clean_axes(ax)
        ax.tick_params(labelsize=SMALL - 1)
    for ax in list(grid.flat)[len(order):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=s["color"], linestyle=s["linestyle"], marker=s["marker"], label=s["label"])
               for key, s in CHANGE_STYLE.items() if key in set(status.values()) or not status]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=SMALL, frameon=False)
    fig.suptitle("Index by wave (0-100); the line shows the change since the previous wave", fontsize=FONT + 1, fontweight="bold", x=0.01, ha="left")
    # A title's width is left out of the layout (a long one never squeezes its panel): once the layout
    # has placed the panels, each title is wrapped to its room, up to the next panel or the figure's edge.
    fig.get_layout_engine().execute(fig)
    for row in grid:
        for k, ax in enumerate(row):
            if ax.get_visible() and ax in titles:
                right = row[k + 1].get_position().x0 if k + 1 < len(row) else 1.0
                room = (right - ax.get_position().x0) * fig.get_figwidth() - 0.1
                name, weight = titles[ax]
                ax.set_title(fit(name, room, SMALL, weight=weight, wrap_at=wrap_at), fontsize=SMALL,
                             fontweight=weight, loc="left")
    return fig
