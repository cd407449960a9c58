"""Where a report's figures come from: the provenance record of one run, computed once.

A consultant who is asked months later "which answers file was this?" needs the run to say so:
the cxassess version, the questionnaire (id, version, SHA-256 of its file), the SHA-256 of every
input file read (answers, client.yaml, the wave's wave.yaml, the client's plan, customer
feedback, earlier waves' answers, the batch's benchmark), the parameters injected into the
notebook, the wave, when it ran, and the Python and package versions. ``collect`` builds that
record (hashing is reading files, so it lives here, at the edge); a report run writes it as
``provenance.json`` into the run folder before the notebook runs, and every format reads it
from there: the notebook's appendix (HTML, PDF and so the Word report), ``scores.json`` and the
workbook's About sheet. A notebook run by hand, with no such file, collects it on the spot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

from ..analysis.assessment import Assessment
from ..inputs.clients import CLIENT_FILE, Client

FILE = "provenance.json"  # in the run folder (the notebook's output_dir)
PLAN_FILES = ("plan.yaml", "plan.yml", "plan.xlsx")  # the client's own action plan, when it keeps one
PACKAGES = ("numpy", "pandas", "matplotlib", "jinja2", "papermill", "nbconvert", "openpyxl",
            "python-pptx", "python-docx")  # the packages whose versions can change a figure or a page


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in blocks (an answers file may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shown(path: Path, folder: Path) -> str:
    """A file as the client folder names it (relative), or its name alone when it lies elsewhere."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.name


def input_files(client: Client, benchmark: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Every file a report of ``client`` reads, with what it is, in a fixed order (questionnaires apart)."""
    folder = client.folder
    files: list[tuple[str, Path]] = [("answers", client.responses_file), ("client settings", folder / CLIENT_FILE)]
    wave_file = client.responses_file.parent / "wave.yaml"
    if client.wave is not None and wave_file.is_file():
        files.append(("wave settings", wave_file))
    files += [("plan", folder / name) for name in PLAN_FILES if (folder / name).is_file()]
    if client.feedback_file is not None:
        files.append(("customer feedback", client.feedback_file))
    current = client.wave.id if client.wave else None
    files += [(f"answers of wave {w.id}", w.responses_file) for w in client.waves
              if w.id != current and w.responses_file.is_file()]
    if benchmark:
        files.append(("portfolio benchmark", Path(benchmark)))
    return files


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def collect(client: Client, parameters: Mapping[str, Any] | None = None, run_at: dt.datetime | None = None,
            benchmark: str | os.PathLike | None = None) -> dict[str, Any]:
    """The provenance record of a report of ``client`` (plain JSON data).

    ``parameters``: what was injected into the notebook (None: it was run by hand); ``run_at``:
    when the run started (default now, in UTC); ``benchmark``: the batch's quartiles file, if any.
    """
    from .. import __version__

    t = client.template
    key = client.wave.id if client.wave is not None and client.wave.id in client.template_files else CLIENT_FILE
    questionnaire = client.template_files.get(key)
    run_at = run_at or dt.datetime.now(dt.timezone.utc)
    return {
        "cxassess": __version__,
        "run_at": run_at.isoformat(timespec="seconds"),
        "client": client.id,
        "wave": {"id": client.wave.id, "date": client.wave.date.isoformat()} if client.wave else None,
        "questionnaire": {
            "id": t.id, "version": str(t.version),
            "file": questionnaire.name if questionnaire else None,
            "sha256": sha256(questionnaire) if questionnaire and questionnaire.is_file() else None,
        },
        "inputs": [{"role": role, "file": _shown(path, client.folder), "sha256": sha256(path)}
                   for role, path in input_files(client, benchmark)],
        "parameters": None if parameters is None else {k: _plain(v) for k, v in parameters.items()},
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, bool, int, float, dict, list)) else str(value)


def write(record: Mapping[str, Any], folder: str | os.PathLike) -> Path:
    """``provenance.json`` in a run folder."""
    path = Path(folder) / FILE
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def read(folder: str | os.PathLike | None) -> dict[str, Any] | None:
    """The record a run wrote into ``folder``, or None when there is none."""
    path = Path(folder) / FILE if folder else None
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def for_report(a: Assessment, output_dir: str | os.PathLike | None) -> dict[str, Any]:
    """The notebook's record: the run's own (``output_dir/provenance.json``), else collected now (run by hand)."""
    return read(output_dir) or collect(a.client)
