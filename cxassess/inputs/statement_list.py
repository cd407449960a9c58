"""A questionnaire as plain text, for building it in an online survey tool (Google Forms and the like).

``cxassess form --out statements.txt`` writes it. The text says how to lay the survey out so that
``cxassess import`` reads its export back: one choice question per segment titled with the segment's
name, and per pillar a grid whose rows are the statements word for word (one per line, ready to
paste) and whose columns are the rating choices of the Excel form (``"4 - Agree"``, then the N/A
words), each of which the import turns back into its scale value.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import CxError
from ..core.files import write_text_atomically
from .forms import rating_choices
from .templates import Template


def statement_list(template: Template, client_name: str | None = None,
                   segments: dict[str, list[str]] | None = None) -> str:
    """The questionnaire's segments, rating choices and statements (pillar by pillar) as plain text.

    ``segments`` are a client's own values for segments (``segments:`` in client.yaml); they win over
    the template's.
    """
    segments = segments or {}
    terms = template.terms
    title = template.name + (f" - {client_name}" if client_name else "")
    lines = [title, "", "Build the survey so that `cxassess import` can read its export back:",
             "- one choice question per segment, titled with the segment's name below;",
             "- per pillar a grid whose rows are the pillar's statements, word for word, and whose columns are the",
             "  rating choices below; title the grid with the pillar's name or "
             f"\"{terms.rating}\" for the rating,",
             f"  \"{terms.importance}\" for importance, \"{terms.target}\" for the target.",
             *(["- the overall statement at the end as one more choice question titled with the statement, word for",
                "  word, offering the rating choices (a rating only: no importance or target)."]
               if template.outcome else []), ""]
    lines.append("Segments:")
    for segment in template.segments:
        values = segments.get(segment.id) or segment.values
        lines.append(f"{segment.title}: " + (" | ".join(values) if values else "(free text)"))
    lines += ["", "Rating choices (the grid's columns):", *rating_choices(template)]
    for number, pillar in enumerate(template.pillars, start=1):
        lines += ["", f"{number}. {pillar.name}", *(question.text for question in pillar.questions)]
    if template.outcome is not None:  # rated like a statement; key drivers need it in the answers
        lines += ["", "Overall (rated only):", template.outcome.text]
    return "\n".join(lines) + "\n"


def write_statement_list(text: str, out: str | os.PathLike, force: bool = False) -> Path:
    """Save the text list atomically; refuses to replace a file unless ``force``."""
    out = Path(out)
    if out.is_dir():
        raise CxError.at(out, "is a folder; give --out a file name such as statements.txt")
    if out.exists() and not force:
        raise CxError.at(out, "already exists; choose another name or pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomically(out, text)
