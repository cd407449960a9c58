"""The one error type cxassess raises for bad input, and the problems it carries.

Every message points at a place a consultant can open (``FILE[:ROW[:COLUMN]]``) and says
what is wrong and how to fix it. The CLI prints these and exits 1; nothing else of a
Python traceback reaches the user for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about an input file: where it is, how bad, what to do."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    level: Level = "error"

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "warning: "
        return f"{self.location()}: {prefix}{self.message}"


class CxError(Exception):
    """Bad input: carries every problem found, so a user can fix them all in one pass."""

    def __init__(self, problems: Problem | Iterable[Problem]):
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: object, message: str, row: int | None = None, column: str | None = None) -> "CxError":
        return cls(Problem(str(file), message, row, column))
