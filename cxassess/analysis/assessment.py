"""One client's analysis: the one place where a client, or one of its waves, is scored.

Every consumer asks here for a client's figures: the notebook and ``scores.json``, the results
workbook and deck, the batch's first pass (the portfolio table, its quartiles and "How you
compare"), the overview's trend, the report's progress section, ``cxassess compare``,
``cxassess score CLIENT_DIR`` and the explorer. The client's settings are applied here, once: the
questionnaire (the client's own, or the one asked for), the pillar targets (client.yaml's,
overridden pillar by pillar by the wave's), the pillar weights (client.yaml's ``weights:``) and
the anonymity threshold. So one client never shows two headline numbers.

The scores are computed at once; the segment breakdowns, answer distribution, customers' view and
action plan when first read, so a consumer that needs only the indices pays only for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Mapping, Sequence

import pandas as pd

from . import customer_findings
from . import (actions, coverage, drivers as key_drivers, intervals, roadmap, significance, verdicts as verdict_rules,
               voice, waves)
from ..inputs.clients import Client, TemplateChoice, load_client, load_wave, load_waves
from ..inputs.plan import Plan
from ..inputs.responses import Responses
from ..core.settings import DEFAULT_ANONYMITY
from .breakdowns import answer_distribution, breakdowns as segment_breakdowns
from .participation import Participation, participation as response_rates
from .scoring import Scores, score
from .sentiment import CommentSentiment, analyse as analyse_comments


def client_scores(client: Client, responses: Responses | None = None, targets: Mapping[str, float] | None = None,
                  weights: Mapping[str, float] | None = None) -> Scores:
    """The client's answers scored with its questionnaire, pillar targets and pillar weights.

    The only place a client's answers are scored; the thin-data guard (``coverage.guard``) is applied
    here, so a pillar without enough answers has no index, band or action in any output. ``targets``
    and ``weights`` override the client's own pillar by pillar (the explorer's what-if); ``responses``
    replaces the client's answers by a subset of them (one segment group).
    """
    scores = score(client.template, client.responses if responses is None else responses,
                   {**client.targets, **(targets or {})}, {**client.weights, **(weights or {})})
    return coverage.guard(scores, guard_rules(client))


def guard_rules(client: Client) -> coverage.Rules:
    """The thin-data guard's minimums for a client: client.yaml's, else its questionnaire's, else the defaults."""
    return coverage.rules_for(client.template, client.config.data_quality)


@dataclass(frozen=True)
class Assessment:
    """A client (one wave of it) with its scores; its breakdowns, distribution, customers' view and plan on demand."""

    client: Client
    scores: Scores
    anonymity_threshold: int
    outcome: str | None = None  # the question the key drivers explain; None: the questionnaire's outcome

    @property
    def weights(self) -> dict[str, float]:
        """The pillar weights the scores were computed with (the template's, replaced by the client's)."""
        return {k: float(v) for k, v in self.scores.pillars["weight"].items()}

    @cached_property
    def coverage(self) -> coverage.Coverage:
        """The thin-data guard's findings: the pillars without enough answers and why, the overall verdict, the warning."""
        return coverage.summarise(self.scores, guard_rules(self.client))

    @cached_property
    def breakdowns(self) -> dict[str, pd.DataFrame]:
        """Every segment's groups with their indices; small groups, and groups that would give one away, suppressed."""
        responses = self.client.responses
        # all segments at once: a group is also suppressed when another segment's figures would give it away
        found = segment_breakdowns(self.client.template, responses, responses.segments.columns,
                                   self.anonymity_threshold, coverage.scored_weights(self.scores))
        return coverage.mask_breakdowns(found, self.scores)  # no group figure where the whole has too few answers

    @cached_property
    def respondent_indices(self) -> pd.DataFrame:
        """Each respondent's own index per pillar, and overall (the client's pillar weights)."""
        return waves.respondent_indices(self.client.template, self.client.responses, self.weights)

    @cached_property
    def group_tests(self) -> dict[str, pd.DataFrame]:
        """Per segment: each shown group against the rest, pillar by pillar (Welch, Benjamini-Hochberg q)."""
        thin = set(self.coverage.thin)  # a pillar without enough answers is not tested either
        return significance.segment_tests(self.client.responses, self.respondent_indices, self.breakdowns,
                                          [p for p in self.scores.pillars.index if p not in thin])

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """95% bootstrap interval of every pillar index and the overall index (last row), and which gaps are noise."""
        found = intervals.index_intervals(self.client.template, self.client.responses, self.scores.pillars,
                                          self.scores.overall, coverage.scored_weights(self.scores))
        return coverage.mask_intervals(found, self.scores, intervals.OVERALL)  # none for a pillar without enough answers

    @property
    def within_noise(self) -> list[str]:
        """The pillars whose gap to target lies within the noise of their index: not priorities."""
        flags = self.intervals["within_noise"].drop(intervals.OVERALL)
        return list(flags.index[flags.astype(bool)])

    @cached_property
    def participation(self) -> Participation | None:
        """Response rates against client.yaml's headcount (the current wave's); None without one."""
        c = self.client
        if c.config.headcount is None or (c.wave is not None and c.waves and c.wave.id != c.waves[-1].id):
            return None
        return response_rates(c.config.headcount, self.scores.respondents, self.breakdowns)

    @cached_property
    def distribution(self) -> pd.DataFrame:
        """The share of answers per scale point, per pillar."""
        return answer_distribution(self.client.template, self.client.responses)

    @cached_property
    def voice(self) -> voice.CustomerVoice | None:
        """The customers' view beside the staff's pillar scores; None without customer feedback."""
        return customer_voice(self.client, self.scores)

    @cached_property
    def drivers(self) -> key_drivers.Drivers:
        """Derived importance: each pillar's share of the outcome question's explained variance, or why there is none."""
        return key_drivers.client_drivers(self.client.template, self.client.responses, self.outcome)

    @cached_property
    def stated_vs_derived(self) -> pd.DataFrame:
        """Per pillar, stated importance beside derived importance, with hidden drivers and overrated pillars."""
        return key_drivers.stated_vs_derived(self.drivers, self.scores.pillars)

    @cached_property
    def grid_scores(self) -> Scores:
        """What the importance-performance grid places: the scores, or with ``importance: derived`` in client.yaml
        (and key drivers computed) the scores with derived importance, its priorities and classes."""
        if self.client.config.importance == "derived" and self.drivers.computed:
            return key_drivers.with_derived_importance(self.scores, self.drivers)
        return self.scores

    def with_scores(self, scores: Scores) -> "Assessment":
        """The same client with other scores (the explorer's what-if: other targets, weights or one group).

        The customers' own figures stay the client's; only the blind spots are worked out again against
        the new staff indices, so the final verdicts follow the new scores without re-reading the feedback.
        """
        other = replace(self, scores=scores)
        if self.voice is not None:
            v = self.voice
            own = v.pillars.drop(columns=["name", "staff_index", "action", "gap", "kind"])
            other.__dict__["voice"] = replace(v, pillars=voice.blind_spots(scores.pillars, own, v.settings.blind_spot_at))
        return other

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """Per pillar: the grid's class (``action_ipa``), the final verdict (``action``) after every later rule
        (the customers' blind spots) and why it moved (``action_reason``, None when it did not)."""
        return verdict_rules.final_verdicts(self.scores, self.voice)

    @cached_property
    def verdict_scores(self) -> Scores:
        """The scores with each pillar's final verdict as its action: what every output shows and ranks by."""
        return verdict_rules.with_verdicts(self.scores, self.verdicts)

    @property
    def strongest_weakest(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The three strongest and weakest pillars; a pillar whose verdict a later rule moved (a blind spot)
        is never listed among the strongest."""
        return actions.strongest_weakest(self.verdict_scores, not_strongest=verdict_rules.moved(self.verdicts))

    @cached_property
    def top_priorities(self) -> pd.DataFrame:
        """The five pillars to act on first, by final verdict (none within noise): the ranks every output gives."""
        return actions.priorities(self.verdict_scores, within_noise=self.within_noise)

    @cached_property
    def priority_sentences(self) -> list[str]:
        """The top priorities as the executive summary says them, in the report and on the deck."""
        return actions.priority_sentences(self.verdict_scores, chosen=self.top_priorities)

    @cached_property
    def roadmap_steps(self) -> pd.DataFrame:
        """The improvement roadmap: every priority (``priorities``), in order, one step each."""
        return actions.roadmap(self.verdict_scores, self.within_noise)

    @cached_property
    def plan(self) -> pd.DataFrame:
        """The action plan by final verdict, with the customers' evidence on their blind spots."""
        return actions.with_evidence(actions.action_plan(self.verdict_scores), self.scores, self.voice,
                                     verdict_rules.moved(self.verdicts))

    @cached_property
    def customer_findings(self) -> pd.DataFrame | None:
        """Where staff and customers part, each pillar in the one group its final verdict allows (a pillar the
        plan acts on is never an "undersold strength"), with its line of text; None without customer feedback."""
        if self.voice is None:
            return None
        return customer_findings.findings(self.voice, self.verdict_scores, list(self.top_priorities.index))

    @cached_property
    def sentiment(self) -> CommentSentiment:
        """The tone of the staff's comments, per pillar (VADER; loaded only when there are comments)."""
        return analyse_comments(self.client.template, self.client.responses.comments)
    @property
    def client_plan(self) -> Plan | None:
        """The client's own plan (plan.yaml) when it applies here: made at this wave or an earlier one."""
        plan, wave = self.client.plan, self.client.wave
        return plan if plan is not None and (wave is None or wave.date >= plan.date) else None

    @property
    def plan_actions(self) -> pd.DataFrame:
        """The actions of the client's plan, with pillar names, in the plan's order (empty without a plan)."""
        return roadmap.actions_frame(self.client_plan, self.scores.pillars["name"])

    @cached_property
    def projection(self) -> roadmap.Projection | None:
        """Pillar and overall indices after each phase of the client's plan (None without a plan)."""
        return roadmap.projection(self.scores, self.client_plan) if self.client_plan is not None else None


def anonymity_threshold_for(client: Client, requested: int | None = None) -> int:
    """The smallest group shown: the request, else the client's setting, else the default (5)."""
    return requested or client.config.anonymity_threshold or DEFAULT_ANONYMITY


def assess(
    client: Client | str | os.PathLike,
    anonymity_threshold: int | None = None,
    template: TemplateChoice = None,
    wave: str | None = None,
    outcome: str | None = None,
) -> Assessment:
    """A client's analysis (a loaded Client or its folder): the figures every output reads.

    The anonymity threshold is, in order: the argument, the client's own setting, the default (5).
    ``template`` (an id or file, or the files a run resolved: see ``load_client``) overrides client.yaml's
    when the client is loaded here. ``wave`` is a wave id (default: the client's current wave, or the loaded one).
    ``outcome`` names the question the key drivers explain (default: the questionnaire's outcome question).
    """
    if not isinstance(client, Client):
        client = load_client(client, template, wave)
    elif wave is not None:
        client = load_wave(client, wave)
    return Assessment(client, client_scores(client), anonymity_threshold_for(client, anonymity_threshold), outcome)


def wave_assessments(a: Assessment) -> list[Assessment]:
    """Every wave of the client analysed alike, oldest first; the assessed wave is ``a`` itself.

    Loads (and validates) each other wave's answers.
    """
    return [a if each is a.client else assess(each, a.anonymity_threshold) for each in load_waves(a.client)]


def wave_result(a: Assessment) -> waves.WaveResult:
    """One wave's analysis as the waves module compares it: id, date, scores, respondents' own indices."""
    wave = a.client.wave
    return waves.wave_result(wave.id if wave else "", wave.date if wave else a.client.config.assessment_date,
                             a.scores, a.client.responses)


def progress(a: Assessment, alpha: float = waves.ALPHA) -> waves.Progress:
    """The report's "Progress since last assessment": the client's waves up to the assessed one."""
    results = [wave_result(each) for each in wave_assessments(a)]
    if a.client.wave is not None:
        results = [r for r in results if r.date <= a.client.wave.date]
    against = plan_against_actual(a, alpha, results)
    return replace(waves.progress(results, alpha), plan=against,
                   plan_wave=a.client_plan.wave if against is not None else None)


def plan_against_actual(a: Assessment, alpha: float = waves.ALPHA,
                        results: Sequence[waves.WaveResult] | None = None) -> pd.DataFrame | None:
    """The client's plan against this wave, when the plan started from an earlier wave (else None).

    The plan that applies is the client folder's plan.yaml; it is checked from the wave it names
    (``wave:``) to the assessed one. ``results``: waves already analysed, reused when given.
    """
    plan = a.client_plan
    if plan is None or a.client.wave is None or plan.wave == a.client.wave.id:
        return None
    known = {r.id: r for r in results or ()}  # waves already analysed (the progress section's)
    before = known.get(plan.wave) or wave_result(assess(a.client, a.anonymity_threshold, wave=plan.wave))
    after = known.get(a.client.wave.id) or wave_result(a)
    return roadmap.planned_vs_actual(plan, waves.change_table(before, after, alpha))


def compare_waves(client: Client | str | os.PathLike, first: str, second: str,
                  alpha: float = waves.ALPHA) -> tuple[waves.WaveResult, waves.WaveResult, pd.DataFrame]:
    """Two waves of a client (by id) and the change table from ``first`` to ``second``."""
    if not isinstance(client, Client):
        client = load_client(client)
    before, after = (wave_result(assess(client, wave=wave_id)) for wave_id in (first, second))
    return before, after, waves.change_table(before, after, alpha)


def customer_voice(client: Client, scores: Scores) -> voice.CustomerVoice | None:
    """The customers' measures beside the staff's pillar scores, with the client's settings (None without feedback)."""
    if client.feedback is None:
        return None
    s = client.config.customer_feedback
    settings = voice.VoiceSettings(s.min_answers, s.word_of_mouth_factor, s.blind_spot_at)
    return voice.analyse(client.template, client.feedback, scores.pillars, settings)
