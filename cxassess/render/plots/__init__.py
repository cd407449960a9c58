"""Charts for the client report and the portfolio overview: scored data in, a matplotlib ``Figure`` out.

This package's namespace is the charts' public face: every chart function and the shared public
style names are presented here, so callers write ``from ..render import plots`` and then
``plots.radar(...)`` or ``plots.ACTION_STYLE`` without knowing which module draws what. The
charts live by family in ``pillars`` (radar, gaps, importance-performance, with label placement
in ``labels``), ``groups`` (segments, answer spread), ``portfolio``, ``waves``, ``customers`` and
``drivers`` (stated against derived importance);
``roadmap`` (the client's plan);
their shared look is in ``style``.

Every chart only draws what ``cxassess.analysis.scoring`` computed (indices, gaps, priorities,
action classes); none scores, reads or writes anything, and none touches pyplot's global
state: figures are built with ``matplotlib.figure.Figure`` on an Agg canvas, so the caller
decides whether to save, embed or show them.

The report is printed on A4 and often in greyscale, so every chart is about a text column
wide, wraps long pillar names, and tells the action classes apart by lightness *and* by a
hatch pattern or marker shape (``ACTION_STYLE``), never by hue alone.
"""

from __future__ import annotations

from .customers import customer_trend, staff_vs_customer, touchpoint_heatmap
from .drivers import stated_vs_derived
from .groups import distribution_chart, segment_heatmap
from .pillars import gap_chart, importance_performance, radar
from .portfolio import portfolio_comparison, portfolio_distribution, portfolio_heatmap
from .sentiment import comment_sentiment
from .roadmap import roadmap_chart
from .style import (ACTION_STYLE, CURRENT_COLOR, DIVERGING_CMAP, FONT, GAP_CMAP, INDEX_CMAP, NO_ACTION_STYLE, SMALL,
                    TARGET_COLOR, TITLE, WIDTH, action_colors, action_style, labels_of, luminance, wrap)
from .waves import trend_lines

__all__ = [
    "ACTION_STYLE",
    "CURRENT_COLOR",
    "DIVERGING_CMAP",
    "FONT",
    "GAP_CMAP",
    "INDEX_CMAP",
    "NO_ACTION_STYLE",
    "SMALL",
    "TARGET_COLOR",
    "TITLE",
    "WIDTH",
    "action_colors",
    "action_style",
    "comment_sentiment",
    "customer_trend",
    "distribution_chart",
    "gap_chart",
    "importance_performance",
    "labels_of",
    "luminance",
    "portfolio_comparison",
    "portfolio_distribution",
    "portfolio_heatmap",
    "radar",
    "roadmap_chart",
    "segment_heatmap",
    "staff_vs_customer",
    "stated_vs_derived",
    "touchpoint_heatmap",
    "trend_lines",
    "wrap",
]
