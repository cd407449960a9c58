"""One client's complete analysis, assembled once and shared by the notebook, CLI and widgets."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from . import actions, voice, waves
from ..inputs.clients import Client, TemplateChoice, load_client, load_wave, load_waves
from .breakdowns import DEFAULT_ANONYMITY, answer_distribution, breakdowns as segment_breakdowns
from .scoring import Scores, score


@dataclass(frozen=True)
class Assessment:
    """A client with its scores, segment breakdowns, answer distribution and action plan."""

    client: Client
    scores: Scores
    breakdowns: dict[str, pd.DataFrame]
    distribution: pd.DataFrame
    plan: pd.DataFrame
    anonymity_threshold: int
    voice: voice.CustomerVoice | None = None  # the customers' view, when the client has customer feedback


def anonymity_threshold_for(client: Client, requested: int | None = None) -> int:
    """The smallest group shown: the request, else the client's setting, else the default (5)."""
    return requested or client.config.anonymity_threshold or DEFAULT_ANONYMITY


def assess(
    client: Client | str | os.PathLike,
    anonymity_threshold: int | None = None,
    template: TemplateChoice = None,
) -> Assessment:
    """Score a client (a loaded Client or its folder): the figures every report section reads.

    The anonymity threshold is, in order: the argument, the client's own setting, the default (5).
    ``template`` (an id or file, or the files a run resolved: see ``load_client``) overrides client.yaml's.
    """
    if not isinstance(client, Client):
        client = load_client(client, template)
    threshold = anonymity_threshold_for(client, anonymity_threshold)
    scores = score(client.template, client.responses, client.targets, client.weights)
    customers = customer_voice(client, scores)
    # all segments at once: a group is also suppressed when another segment's figures would give it away
    breakdowns = segment_breakdowns(client.template, client.responses, client.responses.segments.columns, threshold,
                                    client.weights)
    return Assessment(
        client=client,
        scores=scores,
        breakdowns=breakdowns,
        distribution=answer_distribution(client.template, client.responses),
        plan=actions.with_blind_spots(actions.action_plan(scores), scores, customers),
        anonymity_threshold=threshold,
        voice=customers,
    )


def wave_results(client: Client, current: Scores | None = None) -> list[waves.WaveResult]:
    """Every wave of a client scored (oldest first), each with its own targets; ``current`` reuses
    the current wave's scores when they are at hand. Loads each wave's answers file."""
    results = []
    for each in load_waves(client):
        reuse = current is not None and client.wave is not None and each.wave == client.wave
        scores = current if reuse else score(each.template, each.responses, each.targets)
        wave_id = each.wave.id if each.wave else ""
        date = each.wave.date if each.wave else client.config.assessment_date
        results.append(waves.wave_result(wave_id, date, scores, each.responses))
    return results


def progress(a: Assessment, alpha: float = waves.ALPHA) -> waves.Progress:
    """The report's "Progress since last assessment": the client's waves up to the assessed one."""
    results = wave_results(a.client, a.scores)
    if a.client.wave is not None:
        results = [r for r in results if r.date <= a.client.wave.date]
    return waves.progress(results, alpha)


def compare_waves(client: Client | str | os.PathLike, first: str, second: str,
                  alpha: float = waves.ALPHA) -> tuple[waves.WaveResult, waves.WaveResult, pd.DataFrame]:
    """Two waves of a client (by id) and the change table from ``first`` to ``second``."""
    if not isinstance(client, Client):
        client = load_client(client)
    pair = []
    for wave_id in (first, second):
        each = load_wave(client, wave_id)
        pair.append(waves.wave_result(each.wave.id, each.wave.date,
                                      score(each.template, each.responses, each.targets), each.responses))
    return pair[0], pair[1], waves.change_table(pair[0], pair[1], alpha)


def customer_voice(client: Client, scores: Scores) -> voice.CustomerVoice | None:
    """The customers' measures beside the staff's pillar scores, with the client's settings (None without feedback)."""
    if client.feedback is None:
        return None
    s = client.config.customer_feedback
    settings = voice.VoiceSettings(s.min_answers, s.word_of_mouth_factor, s.blind_spot_at)
    return voice.analyse(client.template, client.feedback, scores.pillars, settings)
