"""Charts of a client with pillars the thin-data guard left unscored ("not enough answers", analysis/coverage.py).

Northwind with every answer to two pillars removed, assessed as any client is: the radar has no point (and no
shading) at 0 for those pillars and names them "(not enough answers)"; the segment heatmap hatches their columns,
marks their labels and says why under the chart, instead of leaving blank columns without a word.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from matplotlib.patches import Polygon, Rectangle

from conftest import ROOT
from cxassess.analysis import coverage
from cxassess.analysis.assessment import assess
from cxassess.render import plots, sections
from cxassess.render.plots.groups import THIN_MARK

pytestmark = pytest.mark.slow  # a sample client assessed, charts drawn

THIN = ("recognition", "anticipation")  # service recovery between them: a lone scored spoke, a point without shading


@pytest.fixture(scope="module")
def thinned():
    a = assess(ROOT / "data" / "clients" / "northwind-retail")
    ratings = a.client.responses.ratings.copy()
    for pillar in THIN:
        ratings[[q.id for q in a.client.template.pillar(pillar).questions]] = math.nan
    client = dataclasses.replace(a.client, responses=dataclasses.replace(a.client.responses, ratings=ratings))
    found = assess(client)
    assert coverage.thin_pillars(found.scores) == list(THIN)
    return found


def test_the_radar_leaves_a_thin_pillar_unplotted_and_says_so(thinned):
    pillars = thinned.scores.pillars
    fig = plots.radar(thinned.scores)
    ax = fig.axes[0]
    n = len(pillars)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    thin_at = [list(pillars.index).index(p) for p in THIN]
    (line,) = [l for l in ax.get_lines() if l.get_gid() == "current"]
    radii = np.asarray(line.get_ydata(), dtype=float)[:n]
    assert np.isnan(radii[thin_at]).all()  # no point at 0 (nor anywhere) for a thin pillar: the line breaks
    scored = [i for i in range(n) if i not in thin_at]
    np.testing.assert_allclose(radii[scored], pillars["index"].to_numpy(dtype=float)[scored])
    # the shading: no vertex on a thin pillar's spoke; the only points at the centre close a run of scored spokes
    areas = [p for p in ax.patches if isinstance(p, Polygon)]  # the shading under the current line
    assert areas
    for area in areas:
        theta, r = area.get_xy().T
        at = np.mod(theta, 2 * np.pi)
        for i in thin_at:
            assert not np.isclose(at, angles[i]).any(), (pillars.index[i], r[np.isclose(at, angles[i])])
        inner = r[1:-2]  # the run's own points, between the centre at its start and at its end
        assert (inner > 0).all()
    fig.canvas.draw()
    labels = [t.get_text().replace("\n", " ") for t in ax.texts]
    for pid in THIN:
        assert any(t.startswith(pillars.at[pid, "name"].split()[0]) and t.endswith("(not enough answers)")
                   for t in labels), pid
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "Not enough answers: no point, the line breaks" in legend


def test_the_radar_of_a_fully_scored_client_is_one_shaded_polygon():
    a = assess(ROOT / "data" / "clients" / "northwind-retail")
    ax = plots.radar(a.scores).axes[0]
    (area,) = [p for p in ax.patches if isinstance(p, Polygon)]
    closed = np.append(a.scores.pillars["index"].to_numpy(dtype=float), a.scores.pillars["index"].iloc[0])
    np.testing.assert_allclose(area.get_xy()[: len(closed), 1], closed)


def test_the_segment_heatmap_labels_the_thin_columns(thinned):
    frame = thinned.breakdowns["role"]
    assert frame[list(THIN)].isna().all().all()  # the guard blanked them: what the chart has to explain
    fig = plots.segment_heatmap(frame, thinned.client.template, threshold=5,
                                thin=coverage.hidden_columns(thinned.scores))
    ax = fig.axes[0]
    shown = [str(g) for g, hidden in zip(frame["group"], frame["suppressed"].astype(bool)) if not hidden]
    hatched = {p.get_gid() for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("thin:")}
    assert hatched == {f"thin:{g}:{pid}" for g in shown for pid in THIN}
    fig.canvas.draw()
    columns = [" ".join(t.get_text().split()) for t in plots.labels_of(ax, "x")]
    names = {p.id: p.name for p in thinned.client.template.pillars}
    marked = [c for c in columns if c.endswith(THIN_MARK)]
    assert marked == [f"{names[pid]} {THIN_MARK}" for pid in THIN]  # in the questionnaire's order
    note = " ".join(fig.get_supxlabel().split())
    assert note.startswith(f"{THIN_MARK} Hatched: not enough answers in the whole organisation")
    # no figure is printed in a thin column
    thin_x = [columns.index(m) for m in marked]
    cells = [t for t in ax.texts if t not in plots.labels_of(ax, "x")]
    assert not [t for t in cells if t.get_position()[0] in thin_x and any(ch.isdigit() for ch in t.get_text())]


def test_the_report_passes_the_thin_columns_to_its_heatmaps(thinned, monkeypatch):
    seen = []
    drawn = plots.segment_heatmap

    def spy(*args, **kwargs):
        seen.append(kwargs.get("thin"))
        return drawn(*args, **kwargs)

    monkeypatch.setattr(plots, "segment_heatmap", spy)
    sections.segment_heatmaps(thinned)
    assert seen and all(list(s) == list(THIN) for s in seen)
