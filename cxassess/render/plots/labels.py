"""Label placement for scatter charts: each point's label put where it collides least.

``importance_performance`` can show dozens of labelled points; matplotlib places none of them, so
this module scores candidate spots around each point (overlaps with markers, other labels and
obstacles, leader lines crossing, threshold lines between label and point, distance) and keeps
the cheapest, drawing a thin leader line to labels set away from their point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

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


def place_labels(ax: Axes, xs: np.ndarray, ys: np.ndarray, labels: Sequence[str], *, fontsize: float,
                 marker_px: float, obstacles: Sequence[Any] = (),
                 lines: Sequence[tuple[float, float, float, float]] = (), passes: int = 3) -> list[Any]:
    """Annotate points with labels placed where they collide least.

    Candidate spots ring each point at growing distances. Each label takes the cheapest spot:
    overlapping a marker, another label or an ``obstacles`` artist costs most, a leader line
    through another label a lot, crossing one of the ``lines`` (data-coordinate segments
    x0, y0, x1, y1, e.g. thresholds) or sitting on its other side from the point (in another
    region) somewhat, and distance from the point a little. A greedy first pass (crowded
    points first) is refined by re-placing each label against all the others. Labels away
    from their point get a thin leader line. The axes must be where they will be drawn (``style.settle``):
    the spots are chosen in pixels.
    """
    fig = ax.figure
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
