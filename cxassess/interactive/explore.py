"""What-if explorer: move pillar weights and targets, filter by segment, watch the charts follow.

``what_if`` is the pure part (an assessment and the chosen settings in, new scores out);
``Explorer`` wires it to ipywidgets and redraws once per change (debounced) by replacing the
contents of its Output widgets, so figures never pile up. ``save_settings`` writes the chosen
targets and weights into the client's ``client.yaml`` with ruamel.yaml, keeping its comments,
quoting and other keys, so the next report uses them.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import math
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as w
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ..render import display, plots, sections
from ..analysis.assessment import Assessment, assess, client_scores
from .answers_file import client_dir_from_environment, write_atomic  # noqa: F401 (the first for explore.ipynb)
from ..inputs.clients import check_weights, client_folder
from ..core.errors import CxError, Problem
from ..core.settings import TARGET_DECIMALS
from ..inputs.responses import NOT_GIVEN
from ..inputs.targets import check_targets
from ..analysis.breakdowns import suppressed_groups
from ..analysis.scoring import Scores
from ..inputs.templates import Template
from .controls import labelled, sized

ALL = "Everyone"  # the segment filter's choice of no filter, and whose answers the summary then shows
EVERYONE = ()  # the segment filter's value for no filter (a Dropdown treats None as "nothing chosen")
WEIGHT_RANGE = (0.1, 3.0)  # a pillar weight must stay above 0 (client.yaml schema)
DEBOUNCE_SECONDS = 0.3
MAX_THRESHOLD_STEPS = 150  # the threshold slider goes at most this far above the client's threshold


# ------------------------------------------------------------------------------ pure part


def group_sizes(a: Assessment) -> dict[tuple[str, str], int]:
    """Respondents per (segment, group); blank segment cells form the group '(not given)'."""
    sizes = {}
    for segment in a.client.responses.segments.columns:
        counts = a.client.responses.segments[segment].fillna(NOT_GIVEN).astype(str).value_counts()
        sizes.update({(segment, str(g)): int(n) for g, n in counts.items()})
    return sizes


def shown_groups(a: Assessment, threshold: int | None = None) -> set[tuple[str, str]]:
    """The (segment, group) pairs whose figures may be shown at ``threshold`` (else the assessment's):
    not under it, and not giving a smaller group away by subtraction (docs/scoring.md, section 8)."""
    segments = a.client.responses.segments
    labels = {s: segments[s].fillna(NOT_GIVEN).astype(str) for s in segments.columns}
    hidden = suppressed_groups(labels, threshold or a.anonymity_threshold)
    return {key for key in group_sizes(a) if key[1] not in hidden[key[0]]}


def what_if(
    a: Assessment,
    targets: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    segment: tuple[str, str] | None = None,
    threshold: int | None = None,
) -> Scores:
    """The client's scores with other pillar targets and weights, optionally for one segment group.

    Each pillar's ``action`` is its final verdict, as in the report: the grid's class (``action_ipa``),
    then the customers' blind spots against these scores (``action_reason`` says why one moved).
    A group smaller than the anonymity threshold (``threshold``, else the assessment's) is
    refused: its figures could identify people.
    """
    responses = a.client.responses
    if segment is not None:
        name, group = segment
        threshold = threshold or a.anonymity_threshold
        size = group_sizes(a).get((name, group), 0)
        if size < threshold:
            raise CxError(Problem(name, f"group {group!r} has fewer than {threshold} respondents; "
                                  "its figures are not shown (anonymity threshold)"))
        if (name, group) not in shown_groups(a, threshold):
            raise CxError(Problem(name, f"group {group!r} is not shown: with the overall figures it would give "
                                  f"away a group of fewer than {threshold} respondents (anonymity threshold)"))
        responses = responses.subset(responses.segments[name].fillna(NOT_GIVEN).astype(str) == group)
    return a.with_scores(client_scores(a.client, responses, targets, weights)).verdict_scores


def _round(value: float) -> float:
    return round(float(value), 2)


def _set_block(yaml: YAML, text: str, key: str, values: Mapping[str, float]) -> str:
    """``text`` with the top-level mapping ``key`` updated; only that block's lines are rewritten.

    ruamel.yaml keeps the block's comments; every other line stays byte for byte (a full
    round-trip dump would re-wrap long values such as ``notes``).
    """
    data = yaml.load(text)
    block = data.get(key)
    if not isinstance(block, CommentedMap):
        block = CommentedMap()
    for pillar_id, value in values.items():
        block[pillar_id] = value
    wrapper = CommentedMap([(key, block)])
    if key in data.ca.items:
        wrapper.ca.items[key] = data.ca.items[key]
    buffer = io.StringIO()
    yaml.dump(wrapper, buffer)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if key in data:
        start = data.lc.key(key)[0]
        later = [data.lc.key(k)[0] for k in data if data.lc.key(k)[0] > start]
        end = min(later) if later else len(lines)
        lines[start:end] = [buffer.getvalue()]
    else:
        lines.append(buffer.getvalue())
    return "".join(lines)


def save_settings(
    client_dir: str | os.PathLike,
    template: Template,
    targets: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
) -> Path:
    """Set pillar targets and weights in ``client.yaml``; every other line and comment stays.

    Values are rounded to 2 decimals and checked (known pillars, targets on the scale,
    weights above 0) before the file is replaced atomically.
    """
    _, folder = client_folder(client_dir)
    path = folder / "client.yaml"
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    data = yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(data, CommentedMap):
        raise CxError.at(path, "expected a YAML mapping (name, template, assessment_date, ...)")
    targets = {k: _round(v) for k, v in (targets or {}).items()}
    weights = {k: _round(v) for k, v in (weights or {}).items()}
    check_targets([(k, str(v), None, k, k) for k, v in targets.items()], template, str(path))
    check_weights(weights, template, str(path))
    bad = [Problem(str(path), f"weights: {k} must be above 0 (got {v})", None, k) for k, v in weights.items() if v <= 0]
    if bad:
        raise CxError(bad)
    text = path.read_text(encoding="utf-8")
    for key, values in (("targets", targets), ("weights", weights)):
        if values:
            text = _set_block(yaml, text, key, values)
    write_atomic(path, text)
    return path


# -------------------------------------------------------------------------------- widgets


class Debouncer:
    """Calls ``func`` once, ``delay`` seconds after the last of a burst of calls.

    ``call_later(delay, callback)`` schedules (default: the running asyncio loop, which is the
    kernel's); with no loop, or ``delay`` 0, ``func`` runs at once.
    """

    def __init__(self, func: Callable[[], None], delay: float = DEBOUNCE_SECONDS,
                 call_later: Callable[[float, Callable[[], None]], Any] | None = None):
        self.func, self.delay, self._call_later = func, delay, call_later
        self._pending: Any = None

    def __call__(self, *_: Any) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        call_later = self._call_later
        if call_later is None and self.delay > 0:
            try:
                call_later = asyncio.get_running_loop().call_later
            except RuntimeError:
                call_later = None
        if call_later is None or self.delay <= 0:
            self.func()
        else:
            self._pending = call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self.func()

    @property
    def pending(self) -> bool:
        return self._pending is not None


def group_name(a: Assessment, segment: tuple[str, str] | tuple[()] | None) -> str:
    """Whose answers a view shows: "Everyone", or the segment's title and the group ("Role: Manager")."""
    if not segment:
        return ALL
    titles = {s.id: s.title for s in a.client.template.segments}
    name, group = segment
    return f"{titles.get(name, name)}: {group}"


def overall_line(scores: Scores, who: str) -> display.Html:
    """One line above the charts: whose answers and how many people, the overall index and band, the average gap."""
    o = scores.overall
    gap = "" if o["gap_index"] is None or math.isnan(o["gap_index"]) else f"; average gap to target {o['gap_index']:.0f} points"
    index = "–" if math.isnan(o["index"]) else f"{o['index']:.0f}"
    people = f"{scores.respondents} respondent{'' if scores.respondents == 1 else 's'}"
    if o.get("withheld_reason"):  # the thin-data guard (analysis/coverage.py), as in the report
        return display.Html(f"<p><b>{html.escape(who)}</b>, {people}: overall index <b>withheld</b> "
                            f"(not enough answers: {html.escape(o['withheld_reason'])}).</p>")
    return display.Html(f"<p><b>{html.escape(who)}</b>, {people}: overall index "
                        f"<b>{index}</b> ({html.escape(str(o['maturity'] or '–'))}){gap}.</p>")


def _bundle(item: display.Html | display.Png) -> dict[str, Any]:
    """A display_data output for an Output widget, built without capturing (safe from callbacks)."""
    if isinstance(item, display.Png):
        data = {"image/png": base64.b64encode(item._repr_png_()).decode("ascii"), "text/plain": repr(item)}
    else:
        data = {"text/html": item._repr_html_(), "text/plain": repr(item)}
    return {"output_type": "display_data", "data": data, "metadata": {}}


class Explorer:
    """Sliders for pillar weights and targets, a segment filter and the anonymity threshold.

    Each change redraws the summary, scorecard, radar, gap chart and importance-performance
    matrix once (``redraws`` counts them). ``save_button`` writes the moved targets and weights
    into client.yaml.
    """

    CHARTS = ("summary", "radar", "gaps", "matrix", "scorecard")

    def __init__(self, client_dir: str | os.PathLike, anonymity_threshold: int | None = None,
                 delay: float = DEBOUNCE_SECONDS, call_later: Callable[[float, Callable[[], None]], Any] | None = None,
                 charts: Sequence[str] = CHARTS):
        self.client_dir = Path(client_dir)
        self._threshold_asked = anonymity_threshold
        self.assessment = assess(client_dir, anonymity_threshold)
        a, t = self.assessment, self.assessment.client.template
        pillars = a.scores.pillars
        start_targets = {p: (float(v) if not math.isnan(v) else float(pillars.loc[p, "mean"]))
                         for p, v in pillars["target"].items()}
        self.redraws = 0
        self.scores: Scores = a.scores
        self._quiet = False
        self.debounce = Debouncer(self.redraw, delay, call_later)
        # a target moves by the step the scorecard shows it to (TARGET_DECIMALS): slider and table agree
        step, digits = 10.0 ** -TARGET_DECIMALS, f".{TARGET_DECIMALS}f"
        self.targets = {
            p: sized(w.FloatSlider(value=round(start_targets[p], TARGET_DECIMALS) if not math.isnan(start_targets[p])
                                   else t.scale.max, min=t.scale.min, max=t.scale.max, step=step,
                                   continuous_update=False, readout_format=digits))
            for p in pillars.index
        }
        self.weights = {
            p: sized(w.FloatSlider(value=float(pillars.loc[p, "weight"]), min=WEIGHT_RANGE[0],
                                   max=max(WEIGHT_RANGE[1], float(pillars["weight"].max())), step=0.1,
                                   continuous_update=False, readout_format=".1f"))
            for p in pillars.index
        }
        # where each slider started (rounded to its step): only sliders moved from here override the figures
        self.start_targets = self.chosen_targets()
        self.start_weights = self.chosen_weights()
        # up to one above the largest group (nothing offered then), so each step has room on the track
        largest = max(group_sizes(a).values(), default=0)
        top = min(len(a.client.responses), largest + 1, a.anonymity_threshold + MAX_THRESHOLD_STEPS)
        self.threshold = sized(w.IntSlider(value=a.anonymity_threshold, min=a.anonymity_threshold,
                                           max=max(a.anonymity_threshold, top), continuous_update=False))
        self.segment = w.Dropdown(layout=w.Layout(width="22em"))
        self.segment_note = w.HTML()
        self._segment_options()
        self.save_button = w.Button(description="Save targets and weights to client.yaml", icon="save",
                                    button_style="primary", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        unknown = sorted(set(charts) - set(self.CHARTS))
        if unknown:
            raise ValueError(f"unknown chart(s) {unknown}; choose from {self.CHARTS}")
        self.outputs = {name: w.Output() for name in self.CHARTS if name in charts}
        for name, output in self.outputs.items():
            output.add_class(f"cx-chart-{name}")  # stable hooks for browser tests
        for pillar_id in pillars.index:
            self.targets[pillar_id].add_class(f"cx-target-{pillar_id}")
            self.weights[pillar_id].add_class(f"cx-weight-{pillar_id}")
        self.save_button.add_class("cx-save")
        self.message.add_class("cx-message")
        for control in [*self.targets.values(), *self.weights.values(), self.segment]:
            control.observe(self._changed, names="value")
        self.threshold.observe(self._threshold_changed, names="value")
        self.save_button.on_click(self.save)
        names = pillars["name"]
        controls = w.Tab(
            children=[w.VBox([labelled(names[p], s) for p, s in self.targets.items()]),
                      w.VBox([labelled(names[p], s) for p, s in self.weights.items()]),
                      w.VBox([labelled("Respondents", self.segment), labelled("Smallest group shown", self.threshold),
                              self.segment_note])],
            titles=[f"{t.terms.target}s", "Pillar weights", "Segment"],
        )
        out = self.outputs
        charts = w.VBox([
            *[out[n] for n in ("summary",) if n in out],
            w.HBox([out[n] for n in ("radar", "gaps") if n in out]),
            *[out[n] for n in ("matrix", "scorecard") if n in out],
        ])
        self.widget = w.VBox([controls, w.HBox([self.save_button]), self.message, charts])
        self.redraw()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _segment_options(self) -> None:
        """Offer only groups at or above the threshold; keep the choice if it is still allowed."""
        threshold = self.threshold.value
        sizes = group_sizes(self.assessment)
        titles = {s.id: s.title for s in self.assessment.client.template.segments}
        options: list[tuple[str, Any]] = [(ALL, EVERYONE)]
        hidden = 0
        shown = shown_groups(self.assessment, threshold)
        for (segment, group), n in sorted(sizes.items()):
            if (segment, group) in shown:
                options.append((f"{titles.get(segment, segment)}: {group} ({n})", (segment, group)))
            else:
                hidden += 1
        current = self.segment.value
        self._quiet = True
        try:
            self.segment.options = options
            self.segment.value = current if current in [v for _, v in options] else EVERYONE
        finally:
            self._quiet = False
        self.segment_note.value = (f"<small>{hidden} group(s) with fewer than {threshold} respondents are not "
                                   "offered (anonymity threshold).</small>" if hidden else "")

    def _changed(self, _change: Any = None) -> None:
        if not self._quiet:
            self.debounce()

    def _threshold_changed(self, _change: Any = None) -> None:
        self._segment_options()
        self.debounce()

    def chosen_targets(self) -> dict[str, float]:
        return {p: s.value for p, s in self.targets.items()}

    def chosen_weights(self) -> dict[str, float]:
        return {p: s.value for p, s in self.weights.items()}

    def redraw(self) -> None:
        """Score with the chosen settings and replace every output's single figure or table."""
        self.scores = what_if(self.assessment, *self.moved(), self.segment.value or None, self.threshold.value)
        view = self.assessment.with_scores(self.scores)  # its scorecard shows the final verdicts of these scores
        draw = {
            "summary": lambda: overall_line(self.scores, group_name(self.assessment, self.segment.value)),
            "radar": lambda: display.figure(plots.radar(self.scores)),
            "gaps": lambda: display.figure(plots.gap_chart(self.scores)),
            "matrix": lambda: display.figure(plots.importance_performance(self.scores)),
            "scorecard": lambda: sections.scorecard(view),
        }
        for name, output in self.outputs.items():
            output.outputs = (_bundle(draw[name]()),)
        self.redraws += 1

    def moved(self) -> tuple[dict[str, float], dict[str, float]]:
        """Targets and weights moved away from where they started (to 0.01)."""
        targets = {p: v for p, v in self.chosen_targets().items() if abs(v - self.start_targets[p]) >= 0.005}
        weights = {p: v for p, v in self.chosen_weights().items() if abs(v - self.start_weights[p]) >= 0.005}
        return targets, weights

    def save(self, _button: Any = None) -> Path | None:
        """Write the moved targets and weights to client.yaml; the next report uses them."""
        targets, weights = self.moved()
        if not targets and not weights:
            self.message.value = "Nothing to save: no target or weight has been moved."
            return None
        try:
            path = save_settings(self.client_dir, self.assessment.client.template, targets, weights)
        except CxError as exc:
            self.message.value = "<b style='color:#b00020'>Not saved:</b> " + "<br>".join(
                html.escape(str(p)) for p in exc.problems)
            return None
        self.start_targets.update(targets)
        self.start_weights.update(weights)
        self.assessment = assess(self.client_dir, self._threshold_asked)  # the saved values are now the client's
        self.message.value = (f"<b style='color:#1b5e20'>Saved</b> {len(targets)} target(s) and {len(weights)} "
                              f"weight(s) to {html.escape(str(path))}; the next report uses them.")
        return path


def explorer(client_dir: str | os.PathLike, anonymity_threshold: int | None = None,
             charts: Sequence[str] = Explorer.CHARTS) -> Explorer:
    """The what-if explorer for a client folder, showing ``charts`` (default: all of them)."""
    return Explorer(client_dir, anonymity_threshold, charts=charts)
