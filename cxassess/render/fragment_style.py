"""The report's look, carried by each HTML fragment a notebook shows.

In the exported report the page's stylesheet (``report_template/report.css``) styles the sections;
in JupyterLab, Notebook or VS Code a fragment has only what it brings. So every displayed fragment
is wrapped in ``<div class="cx-fragment">`` with a ``<style>`` block: report.css with each selector
scoped to that wrapper (so nothing else on the notebook's page changes), after ``notebook.css`` (the
notebook hosts' own table styles set back, and the colours of dark themes). report.css stays the one
source of the look: the scoped copy is made from it here, with tinycss2 (a CSS parser, which splits
selectors and nested at-rules correctly) rather than by string edits.
"""

from __future__ import annotations

import functools

import tinycss2

from ..core.resources import REPORT_TEMPLATE

SCOPE = "cx-fragment"  # the wrapper's class: every scoped rule starts with .cx-fragment
PAGE_ONLY = ("html", "body", ":root", ".jp-")  # about the report page itself (and its JupyterLab cells): left out


def _selectors(prelude: list) -> list[str]:
    """The comma-separated selectors of a rule's prelude, each as compact text."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return [" ".join(tinycss2.serialize(p).split()) for p in parts]


def _declarations(content: list) -> str:
    return " ".join(tinycss2.serialize(content).split())


def _rules(css: str, wrapper: str | None) -> list[str]:
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = _selectors(rule.prelude)
            if wrapper is not None:
                selectors = [f"{wrapper} {s}" for s in selectors if not s.startswith(PAGE_ONLY)]
            if selectors:
                out.append(f"{', '.join(selectors)} {{ {_declarations(rule.content)} }}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
            inner = _rules(tinycss2.serialize(rule.content), wrapper)
            if inner:
                out.append(f"@media {' '.join(tinycss2.serialize(rule.prelude).split())} {{ {' '.join(inner)} }}")
    return out


def compact(css: str) -> str:
    """``css`` one rule a line, without comments: the same rules in the same order."""
    return "\n".join(_rules(css, None))


def scope(css: str, wrapper: str = f".{SCOPE}") -> str:
    """``css`` with every rule limited to elements inside ``wrapper``, in the same order.

    Each selector gets the wrapper in front, so rules keep their order and their specificity
    relative to each other. Rules about the page (``body``, ``html``, the exported cells' ``.jp-``
    classes) and at-rules other than
    ``@media`` (``@page``: the printed page) are left out; ``@media`` blocks are scoped inside.
    """
    return "\n".join(_rules(css, wrapper))


@functools.cache
def fragment_css() -> str:
    """The style block's text: notebook.css, then report.css scoped to ``.cx-fragment``.

    notebook.css comes first, so that where one of its rules and one of report.css's are equally
    specific, report.css's wins, as it does in the report.
    """
    notebook = (REPORT_TEMPLATE / "notebook.css").read_text(encoding="utf-8")
    report = (REPORT_TEMPLATE / "report.css").read_text(encoding="utf-8")
    text = compact(notebook) + "\n" + scope(report)
    if "</" in text:  # the text goes inside <style>: it must not be able to end the element
        raise ValueError("a stylesheet for notebook fragments holds '</'")
    return text


def wrap(html: str) -> str:
    """An HTML fragment inside the wrapper that carries its style."""
    return f'<div class="{SCOPE}"><style>\n{fragment_css()}\n</style>\n{html}\n</div>'
