"""The questionnaire's outcome question: one statement outside the pillars that the pillars should explain.

A template may declare it at the top level (``outcome: {id, text}``); respondents answer it on
the template's scale, in a column named by its id. It is never scored as a pillar: the key-driver
analysis (``cxassess.analysis.drivers``) asks how much of its variation each pillar accounts for.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .template_names import ID_PATTERN


class Outcome(BaseModel):
    """The outcome question: an id (its column in the answers) and the statement respondents rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    text: Annotated[str, Field(min_length=1)]
