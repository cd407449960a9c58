"""Reading one rating, importance or target cell on a template's scale.

Staff answers, customer feedback and survey imports all hold cells that must be a whole number
on the scale, one of its labels, a not-applicable word or blank; `Parser` turns each distinct
cell text into a number (or says why it cannot be one, with a hint) once, so that every
reader accepts and refuses exactly the same answers.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from .tables import shorten
from .templates import Template, normalise_label


_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(t[\d:.]+)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


class Parser:
    """Turns rating/importance cells into numbers, caching by distinct cell text."""

    NA = "na"

    def __init__(self, template: Template):
        scale = template.scale
        self.min, self.max = scale.min, scale.max
        self.labels = {normalise_label(v): k for k, v in scale.labels.items()}
        self.na = {normalise_label(t) for t in scale.na}
        self.spelling = {normalise_label(t): t for t in [*scale.labels.values(), *scale.na]}
        label_list = " … ".join(scale.labels[k] for k in sorted(scale.labels)[:: max(1, len(scale.labels) - 1)])
        na_list = " / ".join(scale.na)
        self.hint_rating = (
            f"use a whole number from {self.min} to {self.max}"
            + (f", a label ({label_list})" if label_list else "")
            + f", {na_list}, or leave it blank"
        )
        self.hint_number = f"use a whole number from {self.min} to {self.max}, {na_list}, or leave it blank"
        self.cache: dict[tuple[str, bool], Any] = {}

    def parse(self, text: str, labels_allowed: bool) -> float | str | None:
        """A number, ``NA``, None for blank, or an error message string prefixed by '!'."""
        key = (text, labels_allowed)
        if key not in self.cache:
            self.cache[key] = self._parse(text, labels_allowed)
        return self.cache[key]

    def _parse(self, text: str, labels_allowed: bool) -> float | str | None:
        norm = normalise_label(text)
        if not norm:
            return None
        if norm in self.na:
            return self.NA
        if labels_allowed and norm in self.labels:
            return float(self.labels[norm])
        hint = self.hint_rating if labels_allowed else self.hint_number
        try:
            value = float(norm)
        except ValueError:
            if "," in norm and norm.replace(",", "", 1).isdigit():
                return f"!{text.strip()!r} has a decimal comma; ratings are whole numbers: {hint}"
            if _DATE_LIKE.fullmatch(norm):
                return (f"!{text.strip()!r} is a date, not a rating (a spreadsheet may have turned the answer "
                        f"into a date; format the column as Number): {hint}")
            if not labels_allowed:
                return f"!{shorten(text.strip())!r} is not a number: {hint}"
            close = difflib.get_close_matches(norm, list(self.spelling), n=1, cutoff=0.75)
            guess = f" (did you mean {self.spelling[close[0]]!r}?)" if close else ""
            return f"!{shorten(text.strip())!r} is not a rating{guess}: {hint}"
        if not math.isfinite(value) or not value.is_integer():
            return f"!{text.strip()!r} is not a whole number: {hint}"
        if not self.min <= value <= self.max:
            return f"!{text.strip()!r} is outside the scale {self.min}-{self.max}: {hint}"
        return value
