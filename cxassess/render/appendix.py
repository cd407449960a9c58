"""The provenance appendix: where a report's figures come from, as rows and as an HTML fragment.

``rows`` turns a provenance record (``cxassess.run.provenance.collect``: plain data) into the
labelled lines every format shows alike: the notebook's appendix (and so the HTML, PDF and Word
reports) through ``provenance``, and the workbook's About sheet. Hashes are shown whole, so
anyone can check a file with ``sha256sum``.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .display import Html, render

NOT_INJECTED = "none: the notebook was run by hand"


def _parameter(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def rows(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The record as (label, text) lines, in the order the appendix shows them."""
    q = record["questionnaire"]
    wave = record.get("wave")
    lines = [
        ("cxassess version", record["cxassess"]),
        ("Run at", record["run_at"]),
        ("Client", record["client"]),
        ("Wave", f"{wave['id']} ({wave['date']})" if wave else "–"),
        ("Questionnaire", f"{q['id']}, version {q['version']}"),
        ("Questionnaire file", f"{q['file'] or '–'} · SHA-256 {q['sha256'] or '–'}"),
    ]
    lines += [(f"Input: {f['role']}", f"{f['file']} · SHA-256 {f['sha256']}") for f in record["inputs"]]
    parameters = record.get("parameters")
    if parameters is None:
        lines.append(("Notebook parameters", NOT_INJECTED))
    else:
        lines += [(f"Parameter: {name}", _parameter(value)) for name, value in parameters.items()]
    lines.append(("Python", record["python"]))
    lines += [(f"Package: {name}", version) for name, version in record["packages"].items()]
    return lines


_APPENDIX = """
<table class="cx-table cx-provenance">
  <thead><tr><th>What</th><th>Value</th></tr></thead>
  <tbody>
  {% for label, text in rows %}<tr><td class="cx-name">{{ label }}</td><td>{{ text }}</td></tr>
  {% endfor %}
  </tbody>
</table>
"""

NOTE = ("What this report was made from and with: the SHA-256 of each file read (check one with sha256sum), "
        "the parameters the run gave the notebook, and the versions of the software.")


def provenance(record: Mapping[str, Any]) -> Html:
    """The appendix's table: one row per ``rows`` line."""
    return render(_APPENDIX, rows=rows(record))
