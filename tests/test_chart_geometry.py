"""Every chart holds on any questionnaire: no text falls outside its figure, and none of its margins' texts collide.

The bundled samples have short pillar names and a 5- or 7-point scale. Here each chart of
``cxassess.render.plots`` is drawn on generated questionnaires with 40-character pillar names and
25-character scale labels, on 4-, 6-, 7- and 10-point scales with 1 to 20 pillars, from responses
made by the project's own generator and scored by ``analysis.scoring.score``. After the figure is
drawn on the Agg canvas (as the report draws it), every text that was drawn must lie inside the
figure: a label cut at the page edge is a defect a reader sees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from contextlib import contextmanager
from typing import Callable, Iterator
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from cxassess.analysis import intervals, portfolio, sentiment, significance, voice, waves
from cxassess.analysis.breakdowns import answer_distribution, breakdowns
from cxassess.analysis.scoring import Scores, score
from cxassess.inputs.feedback import validate_feedback
from cxassess.inputs.responses import Responses
from cxassess.inputs.samples import CustomerProfile, Profile, generate, generate_feedback
from cxassess.inputs.tables import RawTable
from cxassess.inputs.templates import Template
from cxassess.render import display, plots
from conftest import responses_from_rows

pytestmark = pytest.mark.slow  # every chart drawn on many questionnaires: about 30 s of CPU

#: 25 characters each, low to high: the first ``points`` of them label a scale.
SCALE_LABELS = [
    "Not at all in place today", "Hardly ever seen in teams", "Present in only few teams", "Seen now and then, patchy",
    "Sometimes there, unevenly", "Present in about half now", "Mostly in place, few gaps", "Present in most teams now",
    "Consistently in place now", "Fully embedded everywhere",
]
#: 40 characters each.
PILLAR_NAMES = [
    "Understanding what customers really need", "Leaders visibly committed to the service",
    "Recruiting people for service attitudes.", "Training and coaching of frontline teams",
    "Consistent standards at every touchpoint", "Recovering well when things go wrong now",
    "Empowering staff to solve problems alone", "Measuring service quality and acting now",
    "Recognising and rewarding great service.", "Continuous improvement of every process.",
    "Anticipating needs before customers ask.", "Joined-up hand-overs between departments",
    "Keeping the promises made in sales & ads", "Communicating the strategy to every team",
    "Digital self-service that actually helps", "Listening to complaints and learning now",
    "Making it easy for customers to reach us", "Owning outcomes across the whole journey",
    "Personal service for every single client", "Accountability for service, at the board",
]
DEPARTMENTS = ("Regional operations and field services", "Customer contact centre (inbound)", "Sales")
TOUCHPOINTS = {"Contact centre, telephone and callbacks": 0.5, "Online self-service portal": 0.3,
               "Branch counter": 0.2}
CLIENT_NAMES = ["Harbour Line Hotels and Conference Centres", "Northwind Retail", "Brightpath Software Group Ltd",
                "A", "Municipal Water & Waste Services Authority"]

TOLERANCE = 1.0  # pixels


def test_the_generated_text_has_the_lengths_asked_for():
    assert {len(label) for label in SCALE_LABELS} == {25}
    assert {len(name) for name in PILLAR_NAMES} == {40}


def questionnaire(points: int, pillars: int) -> Template:
    """A questionnaire of ``pillars`` pillars (two statements each, one reverse-scored) on a 1-``points`` scale."""
    return Template.model_validate({
        "id": f"geometry_{points}_{pillars}",
        "name": "Service geometry check",
        "version": "1",
        "scale": {"min": 1, "max": points, "labels": dict(zip(range(1, points + 1), SCALE_LABELS[:points]))},
        "terms": {"rating": "Current practice", "target": "Target", "importance": "Importance to customers"},
        "segments": [{"id": "role", "values": ["Leadership", "Manager", "Frontline", "Back office"]},
                     {"id": "department"}],
        "maturity": [{"name": "Early", "min_index": 0}, {"name": "Established", "min_index": 50}],
        "pillars": [
            {"id": f"p{i}", "name": PILLAR_NAMES[i],
             "questions": [{"id": f"p{i}a", "text": f"Statement A of pillar {i}."},
                           {"id": f"p{i}b", "text": f"Statement B of pillar {i}.", "reverse": i % 2 == 1}],
             "customer": {"questions": [{"id": f"c{i}", "text": f"Customers on pillar {i}."}]}}
            for i in range(pillars)
        ],
    })


def responses(template: Template, seed: int, **profile: object) -> Responses:
    table = generate(template, Profile(respondents=45, departments=DEPARTMENTS, **profile), seed=seed)
    return responses_from_rows(template, list(table.columns), table.to_numpy().tolist())


@contextmanager
def recording_texts() -> Iterator[list[Text]]:
    """Collects every text artist that draws itself (a visible text with content) while active."""
    drawn: list[Text] = []
    draw = Text.draw

    def record(self: Text, renderer: object) -> None:
        draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)

    with mock.patch.object(Text, "draw", record):
        yield drawn


def outside(fig: Figure) -> list[str]:
    """The drawn texts whose extent leaves the figure, with by how many pixels on which side."""
    fig.set_dpi(display.FIGURE_DPI)  # as the report draws it
    with recording_texts() as drawn:
        fig.canvas.draw()
    assert fig.get_suptitle() in [t.get_text() for t in drawn] or any(t is ax.title or t.get_text() == ax.get_title(
        loc="left") for ax in fig.axes for t in drawn), "the chart's title was not among the texts drawn"
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    problems = []
    for text in drawn:
        ext = text.get_window_extent(renderer)
        over = {"left": box.x0 - ext.x0, "right": ext.x1 - box.x1, "bottom": box.y0 - ext.y0, "top": ext.y1 - box.y1}
        sides = {side: px for side, px in over.items() if px > TOLERANCE}
        if sides:
            where = ", ".join(f"{px:.0f} px {side}" for side, px in sides.items())
            problems.append(f"{text.get_text()!r} ({where})")
    return problems


def collisions(fig: Figure) -> list[str]:
    """The texts that make a chart's margins and overlap one of another kind, as drawn by ``outside``.

    Kinds: the figure's titles and notes, each legend, each axes' titles and notes at its corner,
    each axis label, and the drawn tick labels of each axis (with the row or column names drawn as
    texts in their place, ``plots.labels_of``). The layout (matplotlib's or a chart's
    own) must keep them apart; the texts inside the plot (values, names on points) are the chart's.
    """
    renderer = fig.canvas.get_renderer()
    kinds: list[tuple[str, list]] = [("figure text", list(fig.texts))]
    kinds += [(f"legend {i}", [legend]) for i, legend in enumerate(fig.legends)]
    for n, ax in enumerate(fig.axes):
        corner = [t for t in ax.get_children() if isinstance(t, Text)
                  and (t not in ax.texts or getattr(t, "xycoords", None) == "axes fraction")]
        kinds.append((f"axes {n} title", corner))
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)) if ax.axison else ():
            if not axis.get_visible():
                continue
            kinds.append((f"axes {n} {name} label", [axis.label]))
            low, high = sorted(axis.get_view_interval())
            shown = [label for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
                     if low - 1e-9 <= loc <= high + 1e-9]
            kinds.append((f"axes {n} {name} ticks", shown + plots.labels_of(ax, name)))  # ticks, or names as texts
    boxes = [(kind, artist, artist.get_window_extent(renderer)) for kind, artists in kinds for artist in artists
             if artist.get_visible() and (not isinstance(artist, Text) or artist.get_text().strip())]
    found = []
    for i, (kind, artist, box) in enumerate(boxes):
        for other_kind, other, other_box in boxes[i + 1:]:
            if kind == other_kind:
                continue
            wide = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            tall = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if wide > TOLERANCE and tall > TOLERANCE:
                name = lambda a: repr(a.get_text()[:40]) if isinstance(a, Text) else "the legend"  # noqa: E731
                found.append(f"{kind} {name(artist)} overlaps {other_kind} {name(other)} ({wide:.0f} x {tall:.0f} px)")
    return found


def test_the_check_finds_a_text_outside_its_figure():
    fig = plots.portfolio_distribution(pd.Series([40.0, 60.0]))
    fig.text(0.5, 0.5, "inside")
    fig.text(0.98, 0.5, "runs off the right edge", ha="left")
    fig.axes[0].annotate("below the figure", (50, 0), xytext=(0, -400), textcoords="offset points").set_in_layout(False)
    problems = sorted(outside(fig))
    assert len(problems) == 2
    assert problems[0].startswith("'below the figure' (") and problems[0].endswith(" px bottom)")
    assert problems[1].startswith("'runs off the right edge' (") and problems[1].endswith(" px right)")


def test_the_check_finds_colliding_margin_texts():
    fig = plots.portfolio_distribution(pd.Series([40.0, 60.0]))
    assert collisions(fig) == []
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tick = next(t for t in fig.axes[0].get_xticklabels() if t.get_text() == "50")
    centre = fig.transFigure.inverted().transform(tick.get_window_extent(renderer).get_points().mean(axis=0))
    fig.text(*centre, "on the tick", ha="center", va="center")
    found = collisions(fig)
    assert len(found) == 1 and found[0].startswith("figure text 'on the tick' overlaps axes 0 x ticks '50' (")


def test_the_check_finds_a_text_on_a_row_name():
    fig = plots.portfolio_heatmap(pd.DataFrame({"a": [10.0, 20.0]}, index=["Client one", "Client two"]))
    assert collisions(fig) == []
    fig.canvas.draw()
    (name,) = [t for t in plots.labels_of(fig.axes[0], "y") if t.get_text() == "Client two"]
    centre = fig.transFigure.inverted().transform(name.get_window_extent().get_points().mean(axis=0))
    fig.text(*centre, "on the name", ha="center", va="center")
    found = collisions(fig)
    assert len(found) == 1 and found[0].startswith("figure text 'on the name' overlaps axes 0 y ticks 'Client two' (")


@dataclasses.dataclass(frozen=True)
class Client:
    """A generated client on one questionnaire, with its portfolio, its waves and its customers."""

    scores: Scores
    breakdowns: dict[str, pd.DataFrame]
    distribution: pd.DataFrame
    without_importance: Scores
    overall: pd.Series  # the portfolio's overall indices
    matrix: pd.DataFrame  # client x pillar indices of the portfolio
    comparison: pd.DataFrame
    progress: waves.Progress
    customers: voice.CustomerVoice
    comments: pd.DataFrame  # the tone of the staff's comments per pillar
    intervals: pd.DataFrame  # the pillar indices' 95% intervals
    tests: dict[str, pd.DataFrame]  # each shown group against the rest, per segment


@functools.cache
def client(points: int, n_pillars: int) -> Client:
    template = questionnaire(points, n_pillars)
    answers = responses(template, seed=points * 100 + n_pillars)
    scores = score(template, answers)

    # A portfolio of five clients on the same questionnaire: its quartiles and the first one against them.
    others = {f"client-{k}": score(template, responses(template, seed=k, level=2.4 + 0.4 * k)) for k in range(1, 5)}
    clients: dict[str, Scores] = {"client-0": scores, **others}
    frame = portfolio.pillar_frame(clients)
    comparison = portfolio.compare(scores.pillars, template.id, portfolio.benchmark_document(frame))
    assert comparison is not None

    # Three waves: the earlier ones from other answers.
    earlier = [responses(template, seed=s, level=2.6) for s in (11, 12)]
    results = [waves.wave_result(f"{year}-annual-review", dt.date(year, 3, 1), score(template, r), r)
               for year, r in zip((2024, 2025), earlier)]
    results.append(waves.wave_result("2026-annual-review", dt.date(2026, 3, 1), scores, answers))

    # The customers' view.
    table = generate_feedback(template, CustomerProfile(responses=240, touchpoints=TOUCHPOINTS,
                                                        views={f"p{i}": 2.0 + (i % 4) for i in range(n_pillars)}))
    raw = RawTable("feedback.csv", list(table.columns), table.to_numpy().tolist(), list(range(2, len(table) + 2)))
    feedback, problems = validate_feedback(raw, template)
    assert feedback is not None, problems

    frames = breakdowns(template, answers, ["role", "department"], threshold=5)
    return Client(
        scores=scores,
        breakdowns=frames,
        distribution=answer_distribution(template, answers),
        without_importance=score(template, responses(template, seed=1, importance=False)),
        overall=pd.Series({k: s.overall["index"] for k, s in clients.items()}),
        matrix=portfolio.index_matrix(frame, template.id).rename(index=dict(zip(clients, CLIENT_NAMES))),
        comparison=comparison,
        progress=waves.progress(results),
        customers=voice.analyse(template, feedback, scores.pillars, voice.VoiceSettings(blind_spot_at=5)),
        comments=sentiment.pillar_summary(template, _toned(template)),
        intervals=intervals.index_intervals(template, answers, scores.pillars, scores.overall),
        tests=significance.segment_tests(answers, waves.respondent_indices(template, answers), frames,
                                         [p.id for p in template.pillars]),
    )


def _toned(template: Template) -> pd.DataFrame:
    """Comments on every pillar (1 to 30 of them, every tone and a missing one), as ``sentiment.analyse`` scores them."""
    rows = [(p.id, p.questions[0].id, f"comment {k}", tone)
            for i, p in enumerate(template.pillars) for k, tone in enumerate(
                (-0.5, 0.0, 0.5, -0.2)[: 1 + i % 4] * (1 + 7 * (i % 2)))]
    frame = pd.DataFrame(rows, columns=["pillar_id", "question_id", "text", "compound"])
    frame["sentiment"] = frame["compound"].map(sentiment.sentiment_of)
    return frame
def _roadmap(c: Client) -> Figure:
    """The roadmap of a plan with long phase names that raises every other pillar, over three phases."""
    from pathlib import Path

    from cxassess.analysis import roadmap
    from cxassess.inputs.plan import Plan, PlanFile

    phases = [{"n": 1, "name": "Quick wins in every contact centre", "end": "2026-06-30"},
              {"n": 2, "name": "Build", "end": "2026-12-31"}, {"n": 3, "name": "Embed", "end": "2027-06-30"}]
    ids = list(c.scores.pillars.index)
    spec = PlanFile.model_validate({"phases": phases, "targets": {p: {1: 55, 3: 80} for p in ids[::2]}})
    return plots.roadmap_chart(roadmap.projection(c.scores, Plan(Path("plan.yaml"), "w", dt.date(2026, 3, 1), spec)))


def _names(c: Client) -> dict[str, str]:
    return {p.id: p.name for p in c.scores.template.pillars}


def _stated_vs_derived(c: Client) -> Figure:
    """Stated beside derived importance for every pillar, made-up shares with intervals and both labels."""
    p = c.scores.pillars
    k = len(p)
    derived = pd.Series([100 / k] * k, index=p.index) * np.linspace(1.6, 0.4, k) / np.linspace(1.6, 0.4, k).mean()
    frame = pd.DataFrame({"name": p["name"], "stated": p["importance_index"], "derived_pct": derived,
                          "ci_low_pct": derived * 0.5, "ci_high_pct": derived * 1.8,
                          "status": [("hidden driver" if i == 0 else "overrated" if i == k - 1 else None)
                                     for i in range(k)]})
    return plots.stated_vs_derived(frame, "promise_kept", 144, 0.51)


def _thin_ids(c: Client) -> list[str]:
    """Every third pillar, the first included: as if the thin-data guard had found too few answers for them."""
    return list(c.scores.pillars.index[::3])


def _thin_scores(c: Client) -> Scores:
    p = c.scores.pillars.copy()
    p["enough_answers"] = ~p.index.isin(_thin_ids(c))
    p.loc[_thin_ids(c), ["index", "gap_index", "priority"]] = np.nan
    return dataclasses.replace(c.scores, pillars=p)


def _thin_heatmap(c: Client) -> Figure:
    frame = c.breakdowns["role"].copy()
    frame[_thin_ids(c)] = np.nan  # as ``coverage.mask_breakdowns`` leaves them
    return plots.segment_heatmap(frame, c.scores.template, threshold=5, thin=_thin_ids(c))


#: Every public chart of ``plots`` (some in more than one form), drawn from a generated client.
CHARTS: dict[str, Callable[[Client], Figure]] = {
    "radar": lambda c: plots.radar(c.scores),
    "radar:thin": lambda c: plots.radar(_thin_scores(c)),
    "gap_chart": lambda c: plots.gap_chart(c.scores),
    "gap_chart:intervals": lambda c: plots.gap_chart(c.scores, intervals=c.intervals),
    "importance_performance": lambda c: plots.importance_performance(c.scores),
    "importance_performance:questions": lambda c: plots.importance_performance(c.scores, "questions"),
    "importance_performance:no importance": lambda c: plots.importance_performance(c.without_importance),
    "segment_heatmap:role": lambda c: plots.segment_heatmap(c.breakdowns["role"], c.scores.template, threshold=5),
    "segment_heatmap:tests": lambda c: plots.segment_heatmap(
        c.breakdowns["role"], c.scores.template, threshold=5, significant=significance.significant_cells(c.tests["role"])),
    "segment_heatmap:department": lambda c: plots.segment_heatmap(
        c.breakdowns["department"], c.scores.template, DEPARTMENTS[:2], threshold=5),
    "segment_heatmap:thin": _thin_heatmap,
    "distribution_chart": lambda c: plots.distribution_chart(c.distribution, c.scores.template),
    "portfolio_distribution": lambda c: plots.portfolio_distribution(c.overall),
    "portfolio_heatmap": lambda c: plots.portfolio_heatmap(
        c.matrix, _names(c), title=f"Pillar index by client: {c.scores.template.name}"),
    "portfolio_comparison": lambda c: plots.portfolio_comparison(c.comparison),
    "trend_lines": lambda c: plots.trend_lines(c.progress.trend, c.progress.since_previous["status"]),
    "touchpoint_heatmap": lambda c: plots.touchpoint_heatmap(c.customers.touchpoints, min_answers=10),
    "customer_trend": lambda c: plots.customer_trend(c.customers.months),
    "staff_vs_customer": lambda c: plots.staff_vs_customer(c.customers.pillars, threshold=5),
    "comment_sentiment": lambda c: plots.comment_sentiment(c.comments),
    "roadmap_chart": _roadmap,
    "stated_vs_derived": _stated_vs_derived,
}

#: (scale points, pillars): every scale, and pillar counts from 1 to 20 spread over them.
GRID = [(4, 1), (6, 2), (7, 3), (10, 5), (6, 8), (4, 12), (7, 20)]
#: Charts whose text does not change with the questionnaire's size, or changes in the same way
#: at every size (one panel per pillar), are drawn on fewer questionnaires: the test stays fast.
FEWER = {
    "importance_performance:questions": [(7, 3), (7, 20)],  # labelled with question ids
    "importance_performance:no importance": [(10, 5)],
    "segment_heatmap:role": [(4, 1), (4, 12)],
    "radar:thin": [(7, 3), (4, 12), (7, 20)],
    "segment_heatmap:thin": [(10, 5), (4, 12), (7, 20)],  # upright column labels, then turned ones
    "portfolio_distribution": [(10, 5)],
    "trend_lines": [(6, 2), (4, 12)],
    "touchpoint_heatmap": [(10, 5)],
    "customer_trend": [(10, 5)],
    "roadmap_chart": [(4, 1), (10, 5), (7, 20)],
}
CASES = [(chart, grid) for chart in CHARTS for grid in FEWER.get(chart, GRID)]


def test_every_public_chart_is_drawn_here():
    """A new chart in ``plots`` must join this test: every public function that draws is listed."""
    helpers = {"action_colors", "action_style", "labels_of", "luminance", "wrap"}
    public = {name for name in plots.__all__ if name.islower() and name not in helpers}
    assert public == {name.split(":")[0] for name in CHARTS}


@pytest.mark.parametrize(("chart", "grid"), CASES, ids=[f"{chart}-{p}pt-{n}p" for chart, (p, n) in CASES])
def test_every_text_lies_inside_its_figure(chart, grid):
    fig = CHARTS[chart](client(*grid))
    problems = outside(fig) + collisions(fig)
    assert not problems, f"{chart} on a {grid[0]}-point scale with {grid[1]} pillars: " + "; ".join(problems)
