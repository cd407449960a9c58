"""The optional ``headcount:`` of client.yaml: how many people were asked to answer, in all and per group.

The shape (docs/scoring.md, section 15)::

    headcount:
      total: 60              # everyone invited to the current (latest) wave
      segments:              # optional: per segment column of the answers, per group
        department:
          Billing: 14
          Contact centre: 25

``total`` is required when ``headcount:`` is given; a segment may list some of its groups only
(a group without a headcount gets no response rate). The headcount describes the current wave:
an earlier wave's report shows no response rate. ``check_headcount`` holds it against the
answers: nobody can have answered who was not asked, so a headcount smaller than its respondents
is an error at its line in client.yaml.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import CxError, Problem
from .responses import NOT_GIVEN, Responses
from .yamlfile import line_of

People = Annotated[int, Field(ge=0, le=10_000_000)]


class Headcount(BaseModel):
    """``headcount:`` in client.yaml: the people invited, in all and per segment group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    total: Annotated[int, Field(ge=1, le=10_000_000)]
    segments: dict[str, dict[str, People]] = {}


def _key_line(node: Any, loc: tuple) -> int | None:
    """The line of the key at ``loc`` (not of its value, which may start on the next line)."""
    current = node
    for depth, part in enumerate(loc):
        if not isinstance(current, yaml.MappingNode):
            break
        pair = next(((k, v) for k, v in current.value if k.value == str(part)), None)
        if pair is None:
            break
        if depth == len(loc) - 1:
            return pair[0].start_mark.line + 1
        current = pair[1]
    return line_of(node, loc)


def check_headcount(headcount: Headcount | None, responses: Responses, file: str, node: Any = None) -> None:
    """Every problem of a headcount against the answers it belongs to, at its line in ``file``.

    A total or group smaller than the people who answered, a segment the answers do not have, and
    a segment whose groups add up to more than the total are errors.
    """
    if headcount is None:
        return
    problems = []
    answered = len(responses)
    if headcount.total < answered:
        problems.append(Problem(file, f"headcount.total: {headcount.total} people invited, but {answered} answered; "
                                "the headcount counts everyone asked to answer, so it cannot be smaller than the "
                                "respondents (correct it, or check the answers file)",
                                _key_line(node, ("headcount", "total"))))
    columns = list(responses.segments.columns)
    for segment, groups in headcount.segments.items():
        where = ("headcount", "segments", segment)
        if segment not in columns:
            problems.append(Problem(file, f"headcount.segments.{segment}: the answers have no segment column "
                                    f"{segment!r} (they have: {', '.join(columns) or 'none'})", _key_line(node, where)))
            continue
        sizes = responses.segments[segment].fillna(NOT_GIVEN).astype(str).value_counts()
        for group, people in groups.items():
            came = int(sizes.get(group, 0))
            if people < came:
                problems.append(Problem(file, f"headcount.segments.{segment}.{group}: {people} people invited, but "
                                        f"{came} answered; raise the headcount or check the answers' {segment} column",
                                        _key_line(node, (*where, group))))
        if sum(groups.values()) > headcount.total:
            problems.append(Problem(file, f"headcount.segments.{segment}: its groups add up to "
                                    f"{sum(groups.values())} people, more than headcount.total "
                                    f"({headcount.total})", _key_line(node, where)))
    if problems:
        raise CxError(problems)
