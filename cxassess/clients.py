"""Client folders: ``data/clients/<client_id>/client.yaml`` plus the answers, loaded and checked.

A client id is checked before any file is touched, so a bad id can never name a path outside
the clients folder. Everything a report needs about a client comes back as one ``Client``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .errors import CxError, Problem
from .feedback import Feedback, find_feedback, load_feedback
from .responses import Responses, check_targets, load_responses, yaml_target_entries
from .templates import Identifier, Template, Text, Weight, find_template, line_of, validate_yaml_with_lines

CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
RESERVED_IDS = {"portfolio"}  # output folders that sit beside the clients' report folders
RESPONSE_FILES = ("responses.csv", "responses.xlsx")


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
    assessment_date: dt.date
    targets: dict[str, float] = {}
    weights: dict[str, Weight] = {}  # pillar id -> weight in the overall score, replacing the template's
    anonymity_threshold: Annotated[int, Field(ge=1, le=1000)] | None = None
    notes: str = ""
    segments: dict[str, list[Text]] = {}  # segment values offered in questionnaire forms, e.g. department
    customer_feedback: CustomerFeedbackSettings = CustomerFeedbackSettings()


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

    @property
    def targets(self) -> dict[str, float]:
        return dict(self.config.targets)

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.config.weights)


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
    folder = Path(path)
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
    return found[0]


def load_client(path: str | os.PathLike, template: Template | None = None) -> Client:
    """Load and validate a client folder; raises CxError with every problem found."""
    client_id, folder = client_folder(path)
    config_file = folder / "client.yaml"
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    template = template or find_template(config.template)
    check_targets(yaml_target_entries(config.targets, node, ("targets",)), template, str(config_file))
    check_weights(config.weights, template, str(config_file), node)
    responses_file = find_responses(folder)
    responses, warnings = load_responses(responses_file, template)
    feedback_file = find_feedback(folder)
    feedback = None
    if feedback_file is not None:
        feedback, feedback_warnings = load_feedback(feedback_file, template)
        warnings = [*warnings, *feedback_warnings]
    return Client(client_id, folder, config, template, responses, responses_file, tuple(warnings), feedback,
                  feedback_file)


def list_clients(clients_dir: str | os.PathLike) -> list[Path]:
    """Client folders under ``clients_dir`` (those holding a client.yaml), sorted by name."""
    root = Path(clients_dir)
    if not root.is_dir():
        raise CxError.at(root, "clients folder not found")
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "client.yaml").is_file())


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
