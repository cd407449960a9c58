"""The portfolio's files: the quartiles file (``benchmark.json``) and the overview page (``index.html``, ``index.pdf``).

The figures are computed in ``cxassess.analysis.portfolio`` and the page is built in
``cxassess.render.overview``; this module writes them into a batch's portfolio folder and
reads the quartiles back for a client report's "How you compare" section.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ..core.errors import CxError
from ..core.files import atomic_target, write_text_atomically
from ..core.resources import REPORT_TEMPLATE
from ..analysis.portfolio import compare
from ..analysis.scoring import Scores

# ------------------------------------------------------------------------- the benchmark file


def write_benchmark(document: Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write the benchmark document as JSON."""
    return write_text_atomically(path, json.dumps(document, indent=2, ensure_ascii=False))


def read_benchmark(path: str | os.PathLike) -> dict[str, Any]:
    """Read a benchmark file written by ``write_benchmark``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CxError.at(path, "benchmark file not found") from None
    except (OSError, ValueError) as exc:
        raise CxError.at(path, f"cannot read the benchmark file: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("templates"), dict):
        raise CxError.at(path, "is not a cxassess benchmark file (no 'templates' mapping)")
    return document


def how_you_compare(scores: Scores, benchmark_file: str | os.PathLike | None) -> pd.DataFrame | None:
    """``compare`` for a scored client against a benchmark file; None without a file or enough clients."""
    if not benchmark_file:
        return None
    return compare(scores.pillars, scores.template.id, read_benchmark(benchmark_file))


# ----------------------------------------------------------------------------- overview page


def write_overview(
    folder: str | os.PathLike,
    clients: pd.DataFrame,
    frame: pd.DataFrame,
    reports: Mapping[str, str | os.PathLike] | None = None,
    failed: Sequence[tuple[str, str]] = (),
    anonymise: bool = False,
    started: str | None = None,
    pdf: bool = True,
    pdf_engine: str | None = None,
    render: Callable[[str, Path], object] | None = None,
    trends: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write ``index.html`` (and ``index.pdf``, with ``pdf_engine``) of the portfolio overview into ``folder``.

    ``render(html, target)`` prints the PDF elsewhere (a batch hands it to a worker whose engine is running).

    ``reports`` maps a client id to its report file; the page links to it by a relative
    address (``../../<client>/<run>/report.html``), so the output folder can be moved whole.
    """
    from ..render.overview import overview_html  # the charts' stack: a batch imports it while its clients run
    from ..render.pdf import render_pdf

    folder = Path(folder)
    links = {client: Path(os.path.relpath(Path(path).resolve(), folder.resolve())).as_posix()
             for client, path in (reports or {}).items()}
    css = (REPORT_TEMPLATE / "report.css").read_text(encoding="utf-8")
    html = overview_html(clients, frame, links, failed, anonymise, started, css, trends)
    files = {"index.html": folder / "index.html"}
    write_text_atomically(files["index.html"], html)
    if pdf:
        files["index.pdf"] = folder / "index.pdf"
        with atomic_target(files["index.pdf"]) as temp:  # a failed or killed print leaves the old file or none
            (render or functools.partial(render_pdf, requested=pdf_engine))(html, temp)
    return files


__all__ = [
    "how_you_compare",
    "read_benchmark",
    "write_benchmark",
    "write_overview",
]
