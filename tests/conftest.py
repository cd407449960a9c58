"""Shared test helpers: the project root, a tiny template, and responses built from rows in memory."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path
from typing import Any, Sequence

import pytest

from cxassess.inputs.responses import Responses, validate_table
from cxassess.inputs.tables import RawTable
from cxassess.inputs.templates import Template, load_template

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TINY_TEMPLATE = DATA / "tiny_template.yaml"


@pytest.fixture(scope="session")
def tiny_template() -> Template:
    """2 pillars (p1: q1 weight 2, q2, q3 reverse; p2: q4, q5), scale 1-5, bands at 0/40/70."""
    return load_template(TINY_TEMPLATE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The notebooks' cells (collected by nbval) run in a kernel: they belong to the slow tier."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def responses_from_rows(
    template: Template, header: Sequence[str], rows: Sequence[Sequence[Any]], file: str = "mem.csv"
) -> Responses:
    """Validate rows given in memory (header = row 1, first answer row = row 2) and return the Responses.

    Cells may be strings, numbers or None (blank). Raises AssertionError listing every
    problem if the rows are not valid; warnings are allowed.
    """
    raw = RawTable(file, list(header), [[_cell(c) for c in row] for row in rows], list(range(2, len(rows) + 2)))
    responses, problems = validate_table(raw, template)
    if responses is None:
        raise AssertionError("invalid responses:\n" + "\n".join(str(p) for p in problems))
    return responses


def hand_pillar_indices(template: Template, ratings: Any) -> dict[str, float]:
    """Pillar index (0-100) per pillar, worked out plainly from a ratings frame (for checking exports).

    Reverse-scored statements are flipped, each statement's mean is taken over who rated it, a
    pillar's mean is the weight-average of its statements' means, and the index puts it on 0-100.
    """
    low, high = template.scale.min, template.scale.max
    out = {}
    for pillar in template.pillars:
        total = weights = 0.0
        for question in pillar.questions:
            column = ratings[question.id].dropna()
            if question.reverse:
                column = low + high - column
            if len(column):
                total += question.weight * column.mean()
                weights += question.weight
        out[pillar.id] = (total / weights - low) / (high - low) * 100 if weights else math.nan
    return out


def hand_overall_index(template: Template, pillar_indices: dict[str, float]) -> float:
    """The pillar-weight average of the pillar indices that exist."""
    pairs = [(p.weight, pillar_indices[p.id]) for p in template.pillars if not math.isnan(pillar_indices[p.id])]
    return sum(w * i for w, i in pairs) / sum(w for w, _ in pairs)


LIBREOFFICE = shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    not LIBREOFFICE, reason="LibreOffice is not installed (e.g. apt-get install libreoffice-impress libreoffice-calc); "
    "the files are still checked by reading them back with openpyxl / python-pptx")


def libreoffice_convert(path: Path, fmt: str, outdir: Path) -> Path:
    """Convert a document with headless LibreOffice (own profile folder); returns the converted file."""
    done = subprocess.run(
        [LIBREOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{outdir / 'lo-profile'}",
         "--convert-to", fmt, "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=300,
    )
    converted = outdir / f"{path.stem}.{fmt}"
    assert converted.is_file(), f"LibreOffice did not convert {path.name}:\n{done.stdout}{done.stderr}"
    return converted


def written_workbook(assessment: Any, folder: Path) -> tuple[Path, Any]:
    """An assessment's results workbook written into ``folder`` and read back with openpyxl: (path, workbook)."""
    from openpyxl import load_workbook

    from cxassess.render.workbook import write_workbook

    path = write_workbook(assessment, folder / "results.xlsx")
    return path, load_workbook(path)
