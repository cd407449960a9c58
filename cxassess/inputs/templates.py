"""Questionnaire templates: the YAML schema, its validation, and loading.

A template is data, not code: pillars, their questions, the rating scale, the maturity bands
and the respondent segments. Every rule about a template's shape lives in the pydantic
models below, so a broken template is reported with its file, line and YAML path.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..core.errors import CxError, Problem
from .outcomes import Outcome
from .template_names import ID_PATTERN, template_file
from .yamlfile import line_of, read_bytes, yaml_path
from .yamlschema import validate_yaml

STAGES = ("know", "deliver", "examine", "fix", "measure", "reinforce")


def normalise_label(text: str) -> str:
    """Case- and space-insensitive form of a label, used to match answers to the scale."""
    return " ".join(str(text).replace("\u2019", "'").split()).casefold()


def _error(loc: tuple, message: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("cxassess", "{msg}", {"msg": message}), loc=loc, input=None
    )


def _raise(errors: list[InitErrorDetails], title: str) -> None:
    if errors:
        raise ValidationError.from_exception_data(title, errors)


def _duplicates(items: list[tuple[tuple, str]], what: str, prefix: tuple = ()) -> list[InitErrorDetails]:
    """Errors for every repeated id in ``(loc, id)`` pairs, naming the first place it stood.

    ``prefix`` is the path of the field the locs are relative to (a field validator's locs
    are relative to its field, but the message should show the full path).
    """
    first: dict[str, tuple] = {}
    errors = []
    for loc, ident in items:
        if ident in first:
            errors.append(
                _error(loc, f"duplicate {what} {ident!r} (first used at {yaml_path(prefix + first[ident])}); "
                       "each must be unique, rename one")
            )
        else:
            first[ident] = loc
    return errors


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Identifier = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Version = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) else v)]


class Scale(_Model):
    """The rating scale: whole numbers from ``min`` to ``max``, some with labels."""

    min: int
    max: int
    labels: dict[int, Text] = {}
    na: list[Text] = ["N/A"]

    @model_validator(mode="after")
    def _consistent(self) -> "Scale":
        errors = []
        if self.max <= self.min:
            errors.append(_error(("max",), f"must be greater than min ({self.min}), found {self.max}"))
        elif self.max - self.min > 100:
            errors.append(_error(("max",), "a scale may have at most 101 points"))
        for value in self.labels:
            if not self.min <= value <= self.max:
                errors.append(
                    _error(
                        ("labels", str(value)),
                        f"label for {value} lies outside the scale {self.min}-{self.max}; "
                        "remove it or change the scale's min/max",
                    )
                )
        errors += _duplicates([(("labels", str(k)), normalise_label(v)) for k, v in self.labels.items()], "label")
        labels = {normalise_label(v) for v in self.labels.values()}
        for i, token in enumerate(self.na):
            if normalise_label(token) in labels:
                errors.append(
                    _error(
                        ("na", i),
                        f"{token!r} is both a scale label and a not-applicable answer; "
                        "remove it from na or rename the label",
                    )
                )
            elif _as_number(token) is not None:
                errors.append(_error(("na", i), f"{token!r} looks like a rating; choose a word such as 'N/A'"))
        _raise(errors, "Scale")
        return self

    @property
    def points(self) -> int:
        return self.max - self.min + 1

    def label(self, value: int) -> str:
        return self.labels.get(value, str(value))


class Terms(_Model):
    """What the three kinds of answer are called in this instrument (display only)."""

    rating: Text = "Current practice"
    target: Text = "Target"
    importance: Text = "Importance"


class Segment(_Model):
    """A respondent attribute (role, department, ...) used for breakdowns."""

    id: Identifier
    name: Text | None = None
    values: list[Text] | None = None

    @property
    def title(self) -> str:
        return self.name or self.id.replace("_", " ").capitalize()


class MaturityBand(_Model):
    name: Text
    min_index: Annotated[float, Field(ge=0, lt=100)]
    description: str = ""


class Question(_Model):
    id: Identifier
    text: Text
    weight: Weight = 1.0
    reverse: bool = False


class CustomerSide(_Model):
    """How customers speak about a pillar: questions put to them, and the words that tag their comments.

    Keywords match whole words, case-insensitively; a trailing ``*`` matches any ending
    (``refund*`` matches refund, refunds, refunded). A phrase matches its words in order.
    """

    questions: list[Question] = []
    keywords: list[Text] = []


class Pillar(_Model):
    id: Identifier
    name: Text
    description: str = ""
    weight: Weight = 1.0
    stage: Literal[STAGES] | None = None  # type: ignore[valid-type]
    questions: Annotated[list[Question], Field(min_length=1)]
    customer: CustomerSide | None = None


class ActionRules(_Model):
    """Thresholds of the importance-performance classification (see docs/scoring.md)."""

    important_at: Annotated[float, Field(ge=0, le=100)] = 60.0
    performing_at: Annotated[float, Field(ge=0, le=100)] = 60.0
    start_below: Annotated[float, Field(ge=0, le=100)] = 20.0
    gap_priority_at: Annotated[float, Field(ge=0, le=100)] = 10.0


class DataQuality(_Model):
    """The thin-data guard's minimums (``data_quality:`` in a questionnaire or client.yaml; docs/scoring.md).

    A field left out takes the next source's value: client.yaml's, then the questionnaire's, then the
    defaults (5 respondents, half the statements).
    """

    min_respondents: Annotated[int, Field(ge=1, le=100000)] | None = None  # people who rated the pillar
    min_answered_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None  # of its statements


class CustomerVoice(_Model):
    """Template-wide rules for customer comments (see docs/scoring.md, customer feedback).

    ``negative_words`` judge a comment negative when its own answer row carries no score.
    """

    negative_words: list[Text] = []


def _segment_from_name(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class Template(_Model):
    """A whole questionnaire: the schema of ``data/templates/*.yaml``."""

    id: Identifier
    name: Text
    version: Version
    description: str = ""
    report_title: Text | None = None  # what heads its reports; None: the name
    scale: Scale
    terms: Terms = Terms()
    segments: list[Annotated[Segment, BeforeValidator(_segment_from_name)]] = []
    maturity: Annotated[list[MaturityBand], Field(min_length=1)]
    actions: ActionRules = ActionRules()
    pillars: Annotated[list[Pillar], Field(min_length=1)]
    customer_voice: CustomerVoice = CustomerVoice()
    outcome: Outcome | None = None  # the overall statement the pillars should explain (key drivers)
    data_quality: DataQuality | None = None  # the thin-data guard's minimums (analysis/coverage.py)

    @field_validator("maturity")
    @classmethod
    def _bands_in_order(cls, bands: list[MaturityBand]) -> list[MaturityBand]:
        errors = []
        if bands[0].min_index != 0:
            errors.append(
                _error(
                    (0, "min_index"),
                    f"the first band must start at min_index 0 (found {bands[0].min_index:g}), "
                    "so that every index has a band",
                )
            )
        for i in range(1, len(bands)):
            if bands[i].min_index <= bands[i - 1].min_index:
                errors.append(
                    _error(
                        (i, "min_index"),
                        f"band {bands[i].name!r} overlaps or precedes {bands[i - 1].name!r} "
                        f"(min_index {bands[i].min_index:g} <= {bands[i - 1].min_index:g}); "
                        "list bands from lowest to highest with increasing min_index",
                    )
                )
        errors += _duplicates([((i, "name"), b.name) for i, b in enumerate(bands)], "band name", ("maturity",))
        _raise(errors, "maturity")
        return bands

    @model_validator(mode="after")
    def _unique_ids(self) -> "Template":
        errors = _duplicates([(("pillars", i, "id"), p.id) for i, p in enumerate(self.pillars)], "pillar id")
        errors += _duplicates(
            [
                (("pillars", i, "questions", j, "id"), q.id)
                for i, p in enumerate(self.pillars)
                for j, q in enumerate(p.questions)
            ],
            "question id",
        )
        errors += _duplicates([(("segments", i, "id"), s.id) for i, s in enumerate(self.segments)], "segment id")
        errors += _customer_question_errors(self)
        questions = set(self.question_ids)
        for i, segment in enumerate(self.segments):
            if segment.id == "respondent_id":
                errors.append(
                    _error(("segments", i, "id"), "'respondent_id' is the respondent column's name; rename the segment")
                )
            elif segment.id in questions:
                errors.append(
                    _error(
                        ("segments", i, "id"),
                        f"segment id {segment.id!r} is also a question id (both would be columns of that name); "
                        "rename one",
                    )
                )
        if self.outcome and self.outcome.id in {"respondent_id", *questions, *self.segment_ids, *self.customer_question_ids}:
            errors.append(_error(("outcome", "id"), f"outcome id {self.outcome.id!r} is already a column name; rename it"))
        _raise(errors, "Template")
        return self

    @property
    def heading(self) -> str:
        """What a report on this questionnaire is headed: its ``report_title``, else its name."""
        return self.report_title or self.name

    @property
    def question_ids(self) -> list[str]:
        return [q.id for p in self.pillars for q in p.questions]

    @property
    def segment_ids(self) -> list[str]:
        return [s.id for s in self.segments]

    @property
    def customer_question_ids(self) -> list[str]:
        """Ids of the questions put to customers, in template order (empty if none are declared)."""
        return [q.id for p in self.pillars if p.customer for q in p.customer.questions]

    def pillar(self, pillar_id: str) -> Pillar:
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    def question_table(self) -> pd.DataFrame:
        """One row per question with its pillar and weights, in template order."""
        return pd.DataFrame(
            [
                {
                    "pillar_id": p.id,
                    "question_id": q.id,
                    "text": q.text,
                    "weight": q.weight,
                    "reverse": q.reverse,
                }
                for p in self.pillars
                for q in p.questions
            ]
        )

    def maturity_band(self, index: float | None) -> str | None:
        """Name of the band an index falls in (the last band whose min_index it reaches)."""
        if index is None or math.isnan(index):
            return None
        name = self.maturity[0].name
        for band in self.maturity:
            if index >= band.min_index:
                name = band.name
        return name


#: Column names a customer feedback file reserves (cxassess.inputs.feedback); no customer question may use them.
FEEDBACK_COLUMNS = ("response_id", "date", "touchpoint", "channel", "nps", "csat", "ces", "comment")


def _customer_question_errors(template: "Template") -> list[InitErrorDetails]:
    """Customer question ids must be unique, distinct from staff question ids and feedback columns."""
    staff = {q.id: (i, j) for i, p in enumerate(template.pillars) for j, q in enumerate(p.questions)}
    located = [
        (("pillars", i, "customer", "questions", j, "id"), q.id)
        for i, p in enumerate(template.pillars) if p.customer
        for j, q in enumerate(p.customer.questions)
    ]
    errors = _duplicates(located, "customer question id")
    for loc, ident in located:
        if ident in staff:
            errors.append(_error(loc, f"customer question id {ident!r} is also a staff question id "
                                      f"(pillars[{staff[ident][0]}].questions[{staff[ident][1]}]); rename one"))
        elif ident.casefold() in FEEDBACK_COLUMNS:
            errors.append(_error(loc, f"{ident!r} is a reserved column of customer feedback files; rename the question"))
    return errors


def _as_number(text: str) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------- loading


_TEMPLATES: dict[tuple[str, bytes], Template] = {}


def load_template(path: str | os.PathLike) -> Template:
    """Read and validate one template file.

    A batch loads the same template for every client: a valid template is kept by its path and
    content digest (the model is frozen), so an edited file is always read afresh.
    """
    raw = read_bytes(path)
    key = (str(path), hashlib.sha256(raw).digest())
    if key not in _TEMPLATES:
        if len(_TEMPLATES) >= 64:
            _TEMPLATES.clear()
        _TEMPLATES[key] = validate_yaml(path, Template, raw)
    return _TEMPLATES[key]


def named_template(name: str, named_in: Path, node: Any = None, key: tuple = ("template",)) -> Path:
    """The checked file of the template ``name`` as written at ``key`` in the YAML file ``named_in``.

    An id is looked up in the template folders; a file is relative to the folder of ``named_in``.
    A missing or invalid template is reported at that line of ``named_in``.
    """
    try:
        path = template_file(name, base=named_in.parent).resolve()
        load_template(path)
    except CxError as exc:  # say which file named the template
        raise CxError(Problem(str(named_in), f"{yaml_path(key)}: {p.location()}: {p.message}", line_of(node, key))
                      for p in exc.problems) from None
    return path


def find_template(name: str | os.PathLike) -> Template:
    """Load a template given a file path or a bare template id such as ``servqual``."""
    return load_template(template_file(name))
