"""Client folders: ``data/clients/<client_id>/client.yaml`` plus the answers, loaded and checked.

A client id is checked before any file is touched, so a bad id can never name a path outside
the clients folder. Everything a report needs about a client comes back as one ``Client``.

A client assessed more than once keeps one folder per *wave*: ``waves/<wave_id>/responses.csv``
(or ``.xlsx``), each dated in ``client.yaml`` (``waves: {wave_id: YYYY-MM-DD}``, or a mapping
with ``date`` and optional ``targets``) or in ``waves/<wave_id>/wave.yaml``. The *current*
wave is the one with the latest date; ``load_client`` loads it. A folder with one top-level
answers file is a client with a single wave (its id is the assessment date, ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.errors import CxError, Problem
from .feedback import Feedback, find_feedback, load_feedback
from ..core.paths import check_inside, check_no_nul
from .responses import Responses, load_responses
from .targets import check_targets, yaml_target_entries
from .templates import Identifier, Template, Text, Weight, find_template
from .yamlfile import line_of
from .yamlschema import validate_yaml_with_lines

CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
RESERVED_IDS = {"portfolio"}  # output folders that sit beside the clients' report folders
RESPONSE_FILES = ("responses.csv", "responses.xlsx")
WAVE_ID = CLIENT_ID  # the same rule: a wave id names a folder too
WAVES_FOLDER = "waves"
WAVE_FILE = "wave.yaml"


class WaveConfig(BaseModel):
    """One wave's settings: under ``waves:`` in client.yaml, or the whole of ``waves/<id>/wave.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    targets: dict[str, float] = {}
    notes: str = ""


def _wave_entries(value: Any) -> Any:
    """``waves:`` entries as mappings: ``id: 2026-04-01`` is short for ``id: {date: 2026-04-01}``.

    YAML reads an unquoted ``2026-04-01:`` key as a date; a wave id is its text.
    """
    if isinstance(value, dict):
        return {k.isoformat() if isinstance(k, dt.date) else k: v if isinstance(v, dict) else {"date": v}
                for k, v in value.items()}
    return value


class CustomerFeedbackSettings(BaseModel):
    """Optional ``customer_feedback:`` block of ``client.yaml`` (defaults in docs/scoring.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_answers: Annotated[int, Field(ge=1, le=100000)] = 10
    word_of_mouth_factor: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 11.0
    blind_spot_at: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = 15.0


class ClientConfig(BaseModel):
    """The schema of ``client.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    sector: str = ""
    template: Identifier
    assessment_date: dt.date | None = None  # required without waves; with waves, the current wave's date
    targets: dict[str, float] = {}
    weights: dict[str, Weight] = {}  # pillar id -> weight in the overall score, replacing the template's
    anonymity_threshold: Annotated[int, Field(ge=1, le=1000)] | None = None
    notes: str = ""
    segments: dict[str, list[Text]] = {}  # segment values offered in questionnaire forms, e.g. department
    customer_feedback: CustomerFeedbackSettings = CustomerFeedbackSettings()
    waves: dict[str, WaveConfig] = {}

    @field_validator("waves", mode="before")
    @classmethod
    def _short_wave_entries(cls, value: Any) -> Any:
        return _wave_entries(value)


@dataclass(frozen=True)
class Wave:
    """One assessment round of a client: its id, date, answers file and own pillar targets."""

    id: str
    date: dt.date
    responses_file: Path
    targets: dict[str, float]
    notes: str = ""


@dataclass(frozen=True)
class Client:
    """A client's validated inputs: id, folder, settings, template and answers."""

    id: str
    folder: Path
    config: ClientConfig
    template: Template
    responses: Responses
    responses_file: Path
    warnings: tuple[Problem, ...] = ()
    feedback: Feedback | None = None  # the customers' own answers, if the folder has customer_feedback.*
    feedback_file: Path | None = None
    wave: Wave | None = None  # the wave these responses are (the current one unless asked otherwise)
    waves: tuple[Wave, ...] = ()  # every wave, oldest first

    @property
    def targets(self) -> dict[str, float]:
        """client.yaml's targets, overridden pillar by pillar by the wave's own."""
        return {**self.config.targets, **(self.wave.targets if self.wave else {})}

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.config.weights)

    @property
    def document_title(self) -> str:
        """The title of the client's report page, deck and workbook: its name, then the questionnaire's heading."""
        return f"{self.config.name}: {self.template.heading}"


def check_client_id(client_id: str) -> str:
    """Refuse anything but ``[a-z0-9][a-z0-9_-]{0,63}`` (no dots, slashes, spaces or capitals)."""
    if not CLIENT_ID.fullmatch(client_id):
        raise CxError.at(
            client_id or "(empty)",
            "is not a valid client id: use 1-64 lower-case letters, digits, '-' or '_', starting with a "
            "letter or digit (rename the client folder)",
        )
    if client_id in RESERVED_IDS:
        raise CxError.at(client_id, "is reserved for the portfolio overview; rename the client folder")
    return client_id


def client_folder(path: str | os.PathLike) -> tuple[str, Path]:
    """The id and folder of a client, checking the id (the folder's name) first."""
    folder = Path(check_no_nul(path, "the client folder"))
    client_id = check_client_id(folder.resolve().name if str(path) in (".", "") else folder.name)
    if not folder.is_dir():
        raise CxError.at(folder, "client folder not found" if not folder.exists() else "is not a folder")
    return client_id, folder


def find_responses(folder: Path) -> Path:
    """The client's single answers file: responses.csv or responses.xlsx."""
    found = [folder / name for name in RESPONSE_FILES if (folder / name).is_file()]
    if not found:
        raise CxError.at(folder, "no answers file: add responses.csv or responses.xlsx")
    if len(found) > 1:
        raise CxError.at(folder, "both responses.csv and responses.xlsx exist; keep only one")
    return check_inside(found[0], folder, "the answers file")


def load_client(path: str | os.PathLike, template: Template | None = None, wave: str | None = None) -> Client:
    """Load and validate a client folder; raises CxError with every problem found.

    The answers are the current (latest) wave's, or those of the wave id ``wave``.
    """
    client_id, folder = client_folder(path)
    config_file = check_inside(folder / "client.yaml", folder, "client.yaml")
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    if template is None:
        try:
            template = find_template(config.template)
        except CxError as exc:  # say which file named the template
            raise CxError(Problem(str(config_file), f"template: {p.location()}: {p.message}",
                                  line_of(node, ("template",))) for p in exc.problems) from None
    check_targets(yaml_target_entries(config.targets, node, ("targets",)), template, str(config_file))
    check_weights(config.weights, template, str(config_file), node)
    waves = find_waves(folder, config, node, template)
    if config.assessment_date is None:
        config = config.model_copy(update={"assessment_date": waves[-1].date})
    chosen = pick_wave(waves, wave, folder)
    responses, warnings = load_responses(chosen.responses_file, template)
    feedback_file = find_feedback(folder)
    feedback = None
    if feedback_file is not None:
        feedback, feedback_warnings = load_feedback(feedback_file, template)
        warnings = [*warnings, *feedback_warnings]
    return Client(client_id, folder, config, template, responses, chosen.responses_file, tuple(warnings), feedback,
                  feedback_file, wave=chosen, waves=waves)


def check_wave_id(wave_id: str, where: object = None) -> str:
    """Refuse a wave id that is not ``[a-z0-9][a-z0-9_-]{0,63}`` (it names a folder under waves/)."""
    if not isinstance(wave_id, str) or not WAVE_ID.fullmatch(wave_id):
        raise CxError.at(
            where or wave_id or "(empty)",
            f"{str(wave_id)!r} is not a valid wave id: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit (e.g. 2026-q1)",
        )
    return wave_id


def find_waves(folder: Path, config: ClientConfig, node: Any, template: Template) -> tuple[Wave, ...]:
    """Every wave of a client folder, oldest first, each with a date and exactly one answers file.

    Without a ``waves/`` folder (and no ``waves:`` in client.yaml) the top-level answers file is
    the only wave, dated by ``assessment_date``.
    """
    config_file = folder / "client.yaml"
    root = folder / WAVES_FOLDER
    if not root.is_dir() and not config.waves:
        if config.assessment_date is None:
            raise CxError.at(config_file, "assessment_date: required field 'assessment_date' is missing; add the "
                             "date the answers were collected (YYYY-MM-DD), or date each wave under waves:")
        responses_file = find_responses(folder)
        return (Wave(config.assessment_date.isoformat(), config.assessment_date, responses_file, {}),)
    problems: list[Problem] = []
    for name in RESPONSE_FILES:
        if (folder / name).is_file():
            problems.append(Problem(str(folder / name), f"this client has waves, so a top-level answers file is "
                                    f"ambiguous: move it into {WAVES_FOLDER}/<wave-id>/ and date that wave"))
    listed = {}
    for wave_id, entry in config.waves.items():
        try:
            listed[check_wave_id(wave_id)] = entry
        except CxError:
            problems.append(Problem(str(config_file), f"waves.{wave_id}: {wave_id!r} is not a valid wave id: use "
                                    "1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit",
                                    row=line_of(node, ("waves", wave_id))))
    folders = {}
    if root.is_dir():
        for entry in sorted(root.iterdir()):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            try:
                folders[check_wave_id(entry.name, entry)] = check_inside(entry, folder, "this wave folder")
            except CxError as exc:
                problems.extend(exc.problems)
    for wave_id in listed:
        if wave_id not in folders:
            problems.append(Problem(str(config_file), f"waves.{wave_id}: no folder {WAVES_FOLDER}/{wave_id}/ with its "
                                    "answers; add it or remove the entry", row=line_of(node, ("waves", wave_id))))
    waves = []
    for wave_id, wave_folder in folders.items():
        try:
            waves.append(_load_wave_entry(wave_id, wave_folder, listed.get(wave_id), config_file, node, template))
        except CxError as exc:
            problems.extend(exc.problems)
    dates: dict[dt.date, str] = {}
    for w in sorted(waves, key=lambda w: w.id):
        if w.date in dates:
            problems.append(Problem(str(config_file), f"waves {dates[w.date]} and {w.id} share the date "
                                    f"{w.date.isoformat()}; each wave needs its own date (the latest is the current one)"))
        dates[w.date] = w.id
    if not folders and not problems:
        problems.append(Problem(str(root), f"no waves: add a folder {WAVES_FOLDER}/<wave-id>/ with responses.csv or "
                                "responses.xlsx"))
    if problems:
        raise CxError(problems)
    waves.sort(key=lambda w: w.date)
    return tuple(waves)


def _load_wave_entry(wave_id: str, wave_folder: Path, listed: WaveConfig | None, config_file: Path,
                     node: Any, template: Template) -> Wave:
    """One wave folder's date, targets and answers file, from client.yaml or its wave.yaml."""
    wave_file = wave_folder / WAVE_FILE
    if wave_file.is_file():
        check_inside(wave_file, wave_folder, WAVE_FILE)
        if listed is not None:
            raise CxError.at(wave_file, f"wave {wave_id!r} is also dated under waves: in {config_file}; keep one of "
                             "the two")
        settings, wave_node = validate_yaml_with_lines(wave_file, WaveConfig)
        targets = check_targets(yaml_target_entries(settings.targets, wave_node, ("targets",)), template,
                                str(wave_file))
    elif listed is None:
        raise CxError.at(wave_folder, f"wave {wave_id!r} has no date: add '{wave_id}: YYYY-MM-DD' under waves: in "
                         f"{config_file.name}, or a {WAVE_FILE} with 'date: YYYY-MM-DD'")
    else:
        settings = listed
        targets = check_targets(yaml_target_entries(settings.targets, node, ("waves", wave_id, "targets")),
                                template, str(config_file))
    return Wave(wave_id, settings.date, find_responses(wave_folder), dict(targets), settings.notes)


def pick_wave(waves: tuple[Wave, ...], wave_id: str | None, folder: Path) -> Wave:
    """The wave asked for (the latest by date when None); an unknown id is an error naming the others."""
    if wave_id is None:
        return waves[-1]
    check_wave_id(wave_id)
    for wave in waves:
        if wave.id == wave_id:
            return wave
    raise CxError.at(folder, f"no wave {wave_id!r}; this client's waves are {', '.join(w.id for w in waves)}")


def load_wave(client: Client, wave_id: str) -> Client:
    """The same client with another wave's answers (and that wave's targets)."""
    wave = pick_wave(client.waves, wave_id, client.folder)
    if client.wave is not None and wave.id == client.wave.id:
        return client
    responses, warnings = load_responses(wave.responses_file, client.template)
    return replace(client, responses=responses, responses_file=wave.responses_file, warnings=tuple(warnings),
                   wave=wave)


def load_waves(client: Client) -> list[Client]:
    """The client once per wave, oldest first (validating every wave's answers)."""
    return [load_wave(client, w.id) for w in client.waves] if client.waves else [client]


def list_clients(clients_dir: str | os.PathLike) -> list[Path]:
    """Client folders under ``clients_dir`` (those holding a client.yaml), sorted by name."""
    root = Path(check_no_nul(clients_dir, "the clients folder"))
    if not root.is_dir():
        raise CxError.at(root, "clients folder not found")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "client.yaml").is_file())
    for folder in folders:
        check_inside(folder, root, "this client folder")
    return folders


def check_weights(weights: dict[str, float], template: Template, file: str, node: object = None) -> None:
    """Pillar weights in client.yaml must name the template's pillars (values are checked by the schema)."""
    pillars = [p.id for p in template.pillars]
    problems = [
        Problem(file, f"weights: unknown pillar {pillar_id!r}; pillars: {', '.join(pillars)}",
                line_of(node, ("weights", pillar_id)), pillar_id)
        for pillar_id in weights if pillar_id not in pillars
    ]
    if problems:
        raise CxError(problems)


def client_form_settings(path: str | os.PathLike, template: Template) -> tuple[str, dict[str, list[str]]]:
    """A client's name and the segment values its questionnaire forms offer (``segments:`` in client.yaml).

    Checks that the client uses ``template`` and names only the template's segments.
    """
    _, folder = client_folder(path)
    config_file = folder / "client.yaml"
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    problems = []
    if config.template != template.id:
        problems.append(Problem(str(config_file), f"this client uses template {config.template!r}, not {template.id!r}; "
                                "make the form with the client's template", line_of(node, ("template",))))
    for segment_id in config.segments:
        if segment_id not in template.segment_ids:
            problems.append(Problem(str(config_file), f"segments: {segment_id!r} is not a segment of template "
                                    f"{template.id!r} ({', '.join(template.segment_ids) or 'none'})",
                                    line_of(node, ("segments", segment_id))))
    if problems:
        raise CxError(problems)
    return config.name, {k: list(v) for k, v in config.segments.items()}
