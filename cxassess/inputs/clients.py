"""Client folders: ``data/clients/<client_id>/client.yaml`` plus the answers, loaded and checked.

A client id is checked before any file is touched, so a bad id can never name a path outside
the clients folder. Everything a report needs about a client comes back as one ``Client``.

``template:`` in client.yaml (and in a wave's settings) names the questionnaire: a template id, or
a file relative to the folder of the YAML file that names it. Each is resolved to its file once,
here; ``Client.template_files`` holds the files, and a run hands them on (``load_client``'s
``template``), so a notebook kernel or a batch worker never looks an id up again.

A client assessed more than once keeps one folder per *wave*: ``waves/<wave_id>/responses.csv``
(or ``.xlsx``), each dated in ``client.yaml`` (``waves: {wave_id: YYYY-MM-DD}``, or a mapping
with ``date`` and optional ``targets``) or in ``waves/<wave_id>/wave.yaml``. The *current*
wave is the one with the latest date; ``load_client`` loads it. A folder with one top-level
answers file is a client with a single wave (its id is the assessment date, ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.errors import CxError, Problem
from .feedback import Feedback, find_feedback, load_feedback
from .headcount import Headcount, check_headcount
from ..core.paths import check_inside, check_no_nul
from .plan import Plan, find_plan
from .responses import Responses, load_responses
from .targets import check_targets, yaml_target_entries
from .template_names import TemplateName, template_file
from .templates import DataQuality, Template, Text, Weight, load_template, named_template
from .yamlfile import line_of
from .yamlschema import validate_yaml_with_lines
from .branding import BrandingBlock
from .wave_names import WAVE_ID, WAVES_FOLDER, check_wave_id

CLIENT_ID = WAVE_ID  # the same rule: a client id names a folder too
RESERVED_IDS = {"portfolio"}  # output folders that sit beside the clients' report folders
RESPONSE_FILES = ("responses.csv", "responses.xlsx")
WAVE_FILE = "wave.yaml"
CLIENT_FILE = "client.yaml"  # also the key of client.yaml's own questionnaire in Client.template_files

#: Questionnaires chosen over client.yaml's: a template id or file for every wave, or resolved files by
#: wave id (and CLIENT_FILE), as ``Client.template_files`` holds them.
TemplateChoice = Union[str, os.PathLike, Mapping[str, Union[str, os.PathLike]], None]


class WaveConfig(BaseModel):
    """One wave's settings: under ``waves:`` in client.yaml, or the whole of ``waves/<id>/wave.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    template: TemplateName | None = None  # this wave's questionnaire, if not client.yaml's (e.g. a revised one)
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
    template: TemplateName  # an id (data/templates/) or a file relative to the client folder
    assessment_date: dt.date | None = None  # required without waves; with waves, the current wave's date
    targets: dict[str, float] = {}
    weights: dict[str, Weight] = {}  # pillar id -> weight in the overall score, replacing the template's
    anonymity_threshold: Annotated[int, Field(ge=1, le=1000)] | None = None
    importance: Literal["stated", "derived"] = "stated"  # the importance-performance grid's importance (key drivers)
    notes: str = ""
    segments: dict[str, list[Text]] = {}  # segment values offered in questionnaire forms, e.g. department
    customer_feedback: CustomerFeedbackSettings = CustomerFeedbackSettings()
    waves: dict[str, WaveConfig] = {}
    headcount: Headcount | None = None  # the people invited to the current wave (inputs/headcount.py)
    data_quality: DataQuality | None = None  # the thin-data guard's minimums, over the questionnaire's
    branding: BrandingBlock | None = None  # overrides the consultancy's branding field by field (inputs/branding.py)

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
    template_file: Path | None = None  # the questionnaire of this wave, resolved


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
    template_files: dict[str, Path] = field(default_factory=dict)  # client.yaml's questionnaire and each wave's
    plan: Plan | None = None  # the client's own action plan (plan.yaml), if it has one

    @property
    def template_file(self) -> Path | None:
        """The file of ``template``: the questionnaire of the wave these responses are."""
        return self.wave.template_file if self.wave else self.template_files.get(CLIENT_FILE)

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


def _template_choice(template: TemplateChoice) -> tuple[Path | None, dict[str, Path]]:
    """A questionnaire for every wave, or resolved files by wave id (see ``TemplateChoice``)."""
    if template is None:
        return None, {}
    if isinstance(template, Mapping):
        return None, {str(k): Path(v) for k, v in template.items()}
    path = template_file(template).resolve()
    load_template(path)
    return path, {}


def load_client(path: str | os.PathLike, template: TemplateChoice = None, wave: str | None = None) -> Client:
    """Load and validate a client folder; raises CxError with every problem found.

    The answers are the current (latest) wave's, or those of the wave id ``wave``. ``template``
    replaces the questionnaires that client.yaml and the waves name: an id or file for every wave,
    or another client's ``template_files`` (the files it resolved, so nothing is looked up again).
    """
    client_id, folder = client_folder(path)
    config_file = check_inside(folder / CLIENT_FILE, folder, CLIENT_FILE)
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    every, chosen = _template_choice(template)
    default_file = every or chosen.get(CLIENT_FILE) or named_template(config.template, config_file, node)
    default = load_template(default_file)
    check_targets(yaml_target_entries(config.targets, node, ("targets",)), default, str(config_file))
    check_weights(config.weights, default, str(config_file), node)
    waves = find_waves(folder, config, node, default_file, chosen, own=every is None)
    if config.assessment_date is None:
        config = config.model_copy(update={"assessment_date": waves[-1].date})
    current = pick_wave(waves, wave, folder)
    questionnaire = load_template(current.template_file)
    responses, warnings = load_responses(current.responses_file, questionnaire)
    if current is waves[-1]:  # the headcount is the current wave's
        check_headcount(config.headcount, responses, str(config_file), node)
    feedback_file = find_feedback(folder)
    feedback = None
    if feedback_file is not None:
        feedback, feedback_warnings = load_feedback(feedback_file, questionnaire)
        warnings = [*warnings, *feedback_warnings]
    files = {CLIENT_FILE: default_file, **{w.id: w.template_file for w in waves}}
    return Client(client_id, folder, config, questionnaire, responses, current.responses_file, tuple(warnings),
                  feedback, feedback_file, wave=current, waves=waves, template_files=files,
                  plan=find_plan(folder, waves))


def find_waves(folder: Path, config: ClientConfig, node: Any, template: Path,
               chosen: Mapping[str, Path] | None = None, own: bool = True) -> tuple[Wave, ...]:
    """Every wave of a client folder, oldest first, each with a date, exactly one answers file and its questionnaire.

    Without a ``waves/`` folder (and no ``waves:`` in client.yaml) the top-level answers file is
    the only wave, dated by ``assessment_date``. ``template`` is client.yaml's questionnaire file;
    a wave uses ``chosen[wave id]`` if given, else the one it names itself (unless not ``own``),
    else ``template``.
    """
    chosen = chosen or {}
    config_file = folder / CLIENT_FILE
    root = folder / WAVES_FOLDER
    if not root.is_dir() and not config.waves:
        if config.assessment_date is None:
            raise CxError.at(config_file, "assessment_date: required field 'assessment_date' is missing; add the "
                             "date the answers were collected (YYYY-MM-DD), or date each wave under waves:")
        responses_file = find_responses(folder)
        wave_id = config.assessment_date.isoformat()
        return (Wave(wave_id, config.assessment_date, responses_file, {}, template_file=chosen.get(wave_id, template)),)
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
            waves.append(_load_wave_entry(wave_id, wave_folder, listed.get(wave_id), config, node, template,
                                          chosen.get(wave_id), own))
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


def _load_wave_entry(wave_id: str, wave_folder: Path, listed: WaveConfig | None, config: ClientConfig,
                     node: Any, default: Path, chosen: Path | None, own: bool) -> Wave:
    """One wave folder's date, questionnaire, targets and answers file, from client.yaml or its wave.yaml.

    The questionnaire is ``chosen``, else the one the wave names (when ``own``), else client.yaml's
    (``default``). client.yaml's targets and weights hold for every wave, so they must fit a wave's
    own questionnaire too.
    """
    config_file = wave_folder.parent.parent / CLIENT_FILE
    wave_file = wave_folder / WAVE_FILE
    if wave_file.is_file():
        check_inside(wave_file, wave_folder, WAVE_FILE)
        if listed is not None:
            raise CxError.at(wave_file, f"wave {wave_id!r} is also dated under waves: in {config_file}; keep one of "
                             "the two")
        settings, settings_node = validate_yaml_with_lines(wave_file, WaveConfig)
        where, prefix = wave_file, ()
    elif listed is None:
        raise CxError.at(wave_folder, f"wave {wave_id!r} has no date: add '{wave_id}: YYYY-MM-DD' under waves: in "
                         f"{config_file.name}, or a {WAVE_FILE} with 'date: YYYY-MM-DD'")
    else:
        settings, settings_node, where, prefix = listed, node, config_file, ("waves", wave_id)
    template = chosen or default
    if chosen is None and own and settings.template is not None:
        template = named_template(settings.template, where, settings_node, (*prefix, "template"))
    questionnaire = load_template(template)
    if template != default:
        try:
            check_targets(yaml_target_entries(config.targets, node, ("targets",)), questionnaire, str(config_file))
            check_weights(config.weights, questionnaire, str(config_file), node)
        except CxError as exc:
            raise CxError(replace(p, message=f"{p.message} (in wave {wave_id}'s questionnaire {template})")
                          for p in exc.problems) from None
    targets = check_targets(yaml_target_entries(settings.targets, settings_node, (*prefix, "targets")),
                            questionnaire, str(where))
    return Wave(wave_id, settings.date, find_responses(wave_folder), dict(targets), settings.notes, template)


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
    """The same client with another wave's answers (and that wave's questionnaire and targets)."""
    wave = pick_wave(client.waves, wave_id, client.folder)
    if client.wave is not None and wave.id == client.wave.id:
        return client
    template = load_template(wave.template_file) if wave.template_file else client.template
    responses, warnings = load_responses(wave.responses_file, template)
    return replace(client, template=template, responses=responses, responses_file=wave.responses_file,
                   warnings=tuple(warnings), wave=wave)


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


def current_template(path: str | os.PathLike) -> tuple[Path, Path]:
    """A client folder and the file of the questionnaire its current wave uses, read without its answers.

    A client without a waves/ folder may have no answers yet (a questionnaire is being filled in for it).
    """
    _, folder = client_folder(path)
    config_file = check_inside(folder / CLIENT_FILE, folder, CLIENT_FILE)
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    default = named_template(config.template, config_file, node)
    if not (folder / WAVES_FOLDER).is_dir():
        return folder, default
    return folder, find_waves(folder, config, node, default)[-1].template_file
