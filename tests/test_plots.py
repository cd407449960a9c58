"""Charts: each draws exactly the scored figures it is given, styles action classes consistently,
and stays free of I/O and pyplot state.

Set CXPLOTS_DIR to a folder to also keep every rendered PNG there for a visual check.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import itertools
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from cxassess.render import plots
from cxassess.inputs.responses import load_responses
from cxassess.analysis.breakdowns import answer_distribution, breakdown
from cxassess.analysis.scoring import ACTIONS, Scores, score
from cxassess.inputs.templates import ActionRules, find_template

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {
    "cx_service_strategy": ROOT / "data" / "samples" / "cx_service_strategy_responses.csv",
    "servqual": ROOT / "data" / "samples" / "servqual_responses.csv",
}


@dataclasses.dataclass
class Sample:
    scores: Scores
    breakdown: pd.DataFrame  # by role, anonymity threshold 5
    suppressed: pd.DataFrame  # by role, threshold 12: most groups suppressed
    distribution: pd.DataFrame


@functools.cache
def load_sample(name: str) -> Sample:
    template = find_template(ROOT / "data" / "templates" / f"{name}.yaml")
    responses, _ = load_responses(SAMPLES[name], template)
    return Sample(
        score(template, responses),
        breakdown(template, responses, "role"),
        breakdown(template, responses, "role", threshold=12),
        answer_distribution(template, responses),
    )


@pytest.fixture(params=sorted(SAMPLES))
def sample(request) -> Sample:
    return load_sample(request.param)


@pytest.fixture
def cx() -> Sample:
    """The 12-pillar sample, whose Leadership and Frontline groups both pass the threshold of 5."""
    return load_sample("cx_service_strategy")


def all_figures(s: Sample) -> dict[str, Figure]:
    t = s.scores.template
    return {
        "radar": plots.radar(s.scores),
        "gap": plots.gap_chart(s.scores),
        "ipa": plots.importance_performance(s.scores),
        "ipa_questions": plots.importance_performance(s.scores, "questions"),
        "ipa_no_importance": plots.importance_performance(without_importance(s.scores)),
        "heatmap": plots.segment_heatmap(s.breakdown, t, threshold=5),
        "heatmap_suppressed": plots.segment_heatmap(s.suppressed, t, threshold=12),
        "distribution": plots.distribution_chart(s.distribution, t),
    }


def without_importance(scores: Scores) -> Scores:
    """The same scores as if no importance had been collected (action classes kept as they are)."""
    return dataclasses.replace(scores, pillars=scores.pillars.assign(importance=np.nan, importance_index=np.nan),
                               questions=scores.questions.assign(importance=np.nan, importance_index=np.nan))


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


# ------------------------------------------------------------------------------- rendering


@pytest.mark.slow
def test_every_chart_is_a_titled_figure_that_renders(sample, tmp_path):
    keep = os.environ.get("CXPLOTS_DIR")
    for name, fig in all_figures(sample).items():
        assert isinstance(fig, Figure), name
        titles = [fig.get_suptitle()] + [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")]
        assert any(t.strip() for t in titles), f"{name} has no title"
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight")
        assert path.stat().st_size > 5_000, name
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            fig.savefig(Path(keep) / f"{sample.scores.template.id}_{name}.png", dpi=110, bbox_inches="tight")


@pytest.mark.slow
def test_charts_do_no_io_and_leave_pyplot_alone(sample, monkeypatch):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()

    def refuse(*args, **kwargs):
        raise AssertionError(f"a chart tried to open or save a file: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(Figure, "savefig", refuse)
    monkeypatch.setattr(plt, "show", refuse)
    figures = all_figures(sample)
    monkeypatch.undo()
    assert len(figures) == 8
    assert plt.get_fignums() == before  # nothing registered with pyplot's global figure manager


# -------------------------------------------------------------------------------- the style


def test_action_styles_differ_in_greyscale_hatch_and_marker():
    style = plots.ACTION_STYLE
    assert set(style) == set(ACTIONS)
    for a, b in itertools.combinations(style, 2):
        la, lb = plots.luminance(style[a]["color"]), plots.luminance(style[b]["color"])
        assert abs(la - lb) >= 0.1, (a, b, la, lb)
    hatches = [s["hatch"] for s in style.values()]
    assert len(set(hatches)) == len(hatches) and all(hatches)
    markers = [s["marker"] for s in style.values()]
    assert len(set(markers)) == len(markers)
    assert {a: s["label"] for a, s in style.items()} == ACTIONS
    assert plots.action_colors() == {a: s["color"] for a, s in style.items()}
    assert plots.action_style(None) is plots.NO_ACTION_STYLE
    assert plots.action_style(float("nan")) is plots.NO_ACTION_STYLE


def test_luminance_and_wrap():
    assert plots.luminance("white") == pytest.approx(1.0)
    assert plots.luminance("#000000") == pytest.approx(0.0)
    assert plots.luminance((1.0, 0.0, 0.0, 1.0)) == pytest.approx(0.299)
    wrapped = plots.wrap("Continuous improvement & communicating the strategy", 18)
    assert max(len(line) for line in wrapped.split("\n")) <= 18
    assert wrapped.replace("\n", " ") == "Continuous improvement & communicating the strategy"


# -------------------------------------------------------------------------------------- radar


def closed(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.append(values, values[:1])


def test_radar_draws_current_and_target_polygons(sample):
    p = sample.scores.pillars
    fig = plots.radar(sample.scores)
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    assert set(lines) == {"current", "target"}
    np.testing.assert_allclose(lines["current"].get_ydata(), closed(p["index"]))
    np.testing.assert_allclose(lines["target"].get_ydata(), closed(p["target_index"]))
    theta = lines["current"].get_xdata()
    assert len(theta) == len(p) + 1 and theta[0] == theta[-1] == 0
    assert ax.get_ylim() == (0, 100)
    terms = sample.scores.template.terms
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert legend == [terms.rating, terms.target]
    shown = texts(fig)
    for name in p["name"]:
        assert plots.wrap(name, 18) in shown


def test_radar_without_targets_draws_current_only(sample):
    p = sample.scores.pillars.assign(target_index=np.nan)
    fig = plots.radar(dataclasses.replace(sample.scores, pillars=p))
    gids = [line.get_gid() for line in fig.axes[0].get_lines() if line.get_gid()]
    assert gids == ["current"]
    assert [t.get_text() for leg in fig.legends for t in leg.get_texts()] == [sample.scores.template.terms.rating]


# ---------------------------------------------------------------------------------- gap chart


def gap_bars(fig: Figure) -> list[Rectangle]:
    bars = [r for r in fig.axes[0].patches if isinstance(r, Rectangle) and r.get_gid()]
    return sorted(bars, key=lambda r: r.get_y())  # the y axis is inverted: smallest y is on top


def test_gap_chart_orders_bars_by_priority_and_shows_gap_index(sample):
    p = sample.scores.pillars
    bars = gap_bars(plots.gap_chart(sample.scores))
    expected = p.sort_values("priority", ascending=False, kind="stable")
    assert [b.get_gid() for b in bars] == list(expected.index)
    np.testing.assert_allclose([b.get_width() for b in bars], expected["gap_index"])
    for bar in bars:  # style follows the action class
        style = plots.action_style(p.loc[bar.get_gid(), "action"])
        assert bar.get_hatch() == style["hatch"]
        np.testing.assert_allclose(bar.get_facecolor()[:3], to_rgb(style["color"]))


def test_gap_chart_lists_pillars_without_target_last(sample):
    p = sample.scores.pillars.copy()
    first = p.index[0]
    p.loc[first, ["target_index", "gap_index", "priority"]] = np.nan
    fig = plots.gap_chart(dataclasses.replace(sample.scores, pillars=p))
    bars = gap_bars(fig)
    assert first not in [b.get_gid() for b in bars]
    assert len(bars) == len(p) - 1
    ax = fig.axes[0]
    labels = [t.get_text() for t in plots.labels_of(ax, "y")]
    assert labels[-1] == plots.wrap(p.loc[first, "name"], 30)
    assert any("no target" in t for t in texts(fig))


# ---------------------------------------------------------------------- importance-performance


def points(fig: Figure) -> dict[str, np.ndarray]:
    return {c.get_gid(): c.get_offsets() for c in fig.axes[0].collections if isinstance(c, PathCollection)}


def line_at(ax, vertical: bool) -> list[float]:
    """Positions of the dashed straight lines (thresholds) of an axes."""
    out = []
    for line in ax.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if line.get_linestyle() == "--" and (np.ptp(x) == 0 if vertical else np.ptp(y) == 0):
            out.append(float(x[0] if vertical else y[0]))
    return out


def test_importance_performance_places_each_pillar_by_class(sample):
    p = sample.scores.pillars
    fig = plots.importance_performance(sample.scores)
    drawn = points(fig)
    assert sum(len(v) for v in drawn.values()) == len(p)
    for action, group in p.groupby("action"):
        expected = sorted(zip(group["index"], group["importance_index"]))
        np.testing.assert_allclose(sorted(map(tuple, drawn[action])), expected)
    ax = fig.axes[0]
    rules = sample.scores.template.actions
    assert line_at(ax, vertical=True) == [rules.performing_at]
    assert line_at(ax, vertical=False) == [rules.important_at]
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (0, 100)
    shown = texts(fig)
    for label in ACTIONS.values():
        assert label in shown
    for name in p["name"]:
        assert plots.wrap(name, 20) in shown


def test_importance_performance_follows_the_template_thresholds(sample):
    t = sample.scores.template
    rules = ActionRules(important_at=70, performing_at=45, start_below=30, gap_priority_at=15)
    scores = dataclasses.replace(sample.scores, template=t.model_copy(update={"actions": rules}))
    ax = plots.importance_performance(scores).axes[0]
    assert line_at(ax, vertical=True) == [45]
    assert line_at(ax, vertical=False) == [70]


def test_importance_performance_uses_gap_without_importance(sample):
    s = without_importance(sample.scores)
    fig = plots.importance_performance(s)
    ax = fig.axes[0]
    drawn = np.vstack(list(points(fig).values()))
    expected = s.pillars[["index", "gap_index"]].to_numpy()
    np.testing.assert_allclose(sorted(map(tuple, drawn)), sorted(map(tuple, expected)))
    assert line_at(ax, vertical=False) == [s.template.actions.gap_priority_at]
    assert "gap" in ax.get_ylabel().lower() and "no importance" in ax.get_ylabel().lower()


def test_importance_performance_at_question_level(sample):
    q = sample.scores.questions
    fig = plots.importance_performance(sample.scores, "questions")
    drawn = np.vstack(list(points(fig).values()))
    np.testing.assert_allclose(sorted(map(tuple, drawn)), sorted(zip(q["index"], q["importance_index"])))
    assert set(q.index) <= set(texts(fig))
    with pytest.raises(ValueError):
        plots.importance_performance(sample.scores, "respondents")


# ----------------------------------------------------------------------------- segment heatmap


def image(fig: Figure, gid: str):
    found = [im for im in fig.axes[0].get_images() if im.get_gid() == gid]
    return found[0] if found else None


def test_heatmap_cells_are_the_group_indices(sample):
    b = sample.breakdown
    t = sample.scores.template
    fig = plots.segment_heatmap(b, t, threshold=5)
    values = np.ma.filled(image(fig, "index").get_array(), np.nan)
    columns = ["overall_index"] + [p.id for p in t.pillars]
    expected = b[columns].to_numpy(dtype=float)
    np.testing.assert_allclose(values, expected, equal_nan=True)
    labels = [text.get_text() for text in plots.labels_of(fig.axes[0], "y")]
    for group, n, suppressed in zip(b["group"], b["n"], b["suppressed"]):
        assert (group if suppressed else f"{group} (n={n})") in labels


@pytest.mark.slow
def test_heatmap_shows_suppressed_groups_without_figures(sample):
    b = sample.suppressed
    assert b["suppressed"].sum() >= 2
    fig = plots.segment_heatmap(b, sample.scores.template, threshold=12)
    notes = [t for t in texts(fig) if "suppressed" in t]
    assert notes == ["suppressed (fewer than 12)"] * int(b["suppressed"].sum())
    values = np.ma.filled(image(fig, "index").get_array(), np.nan)
    assert np.isnan(values[b["suppressed"].to_numpy()]).all()
    assert image(fig, "gap") is None  # Leadership is suppressed: no gap row
    unknown = plots.segment_heatmap(b, sample.scores.template)
    assert "suppressed (too few respondents)" in texts(unknown)


def test_heatmap_gap_row_is_leadership_minus_frontline(cx):
    b = cx.breakdown.set_index("group")
    assert not b.loc[["Leadership", "Frontline"], "suppressed"].any()
    t = cx.scores.template
    fig = plots.segment_heatmap(cx.breakdown, t, threshold=5)
    columns = ["overall_index"] + [p.id for p in t.pillars]
    expected = b.loc["Leadership", columns].astype(float) - b.loc["Frontline", columns].astype(float)
    gap = image(fig, "gap")
    np.testing.assert_allclose(np.asarray(gap.get_array())[0], expected.to_numpy())
    assert gap.get_cmap().name != image(fig, "index").get_cmap().name  # diverging, not the index colours
    vmin, vmax = gap.get_clim()
    assert vmin == -vmax  # centred on zero
    rows = {text.get_text(): text for text in plots.labels_of(fig.axes[0], "y")}
    assert "Leadership - Frontline" in rows
    assert rows["Leadership (n=6)"].get_fontweight() == "bold"
    assert rows["Back office (n=11)"].get_fontweight() != "bold"
    for value in expected:
        assert f"{value:+.0f}" in texts(fig)


# ----------------------------------------------------------------------------- distribution


def test_distribution_bars_are_whole(sample):
    d = sample.distribution
    t = sample.scores.template
    fig = plots.distribution_chart(d, t)
    widths: dict[str, float] = {}
    for bar in fig.axes[0].patches:
        pillar, point = bar.get_gid().split(":")
        assert bar.get_width() == pytest.approx(d.loc[pillar, int(point)])
        widths[pillar] = widths.get(pillar, 0.0) + bar.get_width()
    assert list(widths) == [p.id for p in t.pillars]
    assert all(w == pytest.approx(1.0) for w in widths.values())
    legend = [x.get_text() for leg in fig.legends for x in leg.get_texts()]
    scale = t.scale
    assert len(legend) == scale.points
    for value, text in zip(range(scale.min, scale.max + 1), legend):
        assert text.startswith(str(value)) and scale.labels.get(value, "") in text


def test_distribution_of_chosen_pillars(sample):
    t = sample.scores.template
    chosen = [t.pillars[-1].id, t.pillars[0].id]
    fig = plots.distribution_chart(sample.distribution, t, chosen)
    assert {bar.get_gid().split(":")[0] for bar in fig.axes[0].patches} == set(chosen)
    with pytest.raises(KeyError):
        plots.distribution_chart(sample.distribution, t, ["no_such_pillar"])


def test_distribution_colours_run_low_to_high(sample):
    t = sample.scores.template
    fig = plots.distribution_chart(sample.distribution, t)
    first = t.pillars[0].id
    bars = [b for b in fig.axes[0].patches if b.get_gid().startswith(f"{first}:")]
    reds = [b.get_facecolor()[0] - b.get_facecolor()[2] for b in bars]  # red minus blue
    assert reds[0] > 0 > reds[-1]
    assert bars[0].get_hatch() and not bars[-1].get_hatch()  # low answers also hatched, for greyscale
    assert math.isclose(sum(b.get_width() for b in bars), 1.0)


@pytest.mark.slow
def test_embedded_chart_is_a_small_palette_png_that_looks_the_same(sample):
    """display.figure keeps 256 colours: against the same drawing in full colour, no visible change."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from cxassess.render import display

    for name, fig in all_figures(sample).items():
        fig.set_dpi(display.FIGURE_DPI)
        fig.patch.set_facecolor("white")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        full = np.asarray(Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
                          .convert("RGB"), dtype=float)
        fig.set_layout_engine("none")  # the second drawing, display.figure's, puts every pixel in the same place
        png = Image.open(io.BytesIO(display.figure(fig).data))
        assert png.mode == "P", name
        error = np.abs(np.asarray(png.convert("RGB"), dtype=float) - full)
        assert error.mean() < 2.5, (name, error.mean())  # on a 0-255 scale: about half a percent on average
        assert np.percentile(error.max(axis=2), 99.5) <= 16, name  # and nowhere a visibly wrong colour
        full_png = io.BytesIO()
        Image.fromarray(full.astype(np.uint8)).save(full_png, format="png", compress_level=3)
        assert len(display.figure(fig).data) < 0.7 * len(full_png.getvalue()), name
