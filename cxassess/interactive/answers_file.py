"""The client's answers file as the questionnaire sees it: where answers are saved, checking and saving them.

``save_response`` takes one respondent's row of text cells, the way they would have typed it
into the spreadsheet, checks the row and then the whole file with the rules of ``cxassess
validate``, and rewrites ``responses.csv`` under a file lock (so people saving at the same
moment all land) through a temporary file and a rename (so a crash never leaves half a file).
It holds no widgets, so the form, the app and the tests share one way to reach the file.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from filelock import FileLock, Timeout

from ..inputs.clients import (CLIENT_FILE, WAVES_FOLDER, ClientConfig, client_folder, current_template, find_responses,
                               find_waves)
from ..core.errors import CxError, Problem
from ..core.settings import CLIENT_DIR_ENV
from ..inputs.responses import validate_table
from ..inputs.tables import RawTable, read_table
from ..inputs.templates import Template, find_template, load_template, named_template
from ..inputs.yamlschema import validate_yaml_with_lines

RESPONSES_CSV = "responses.csv"
RESPONSE_XLSX = "responses.xlsx"
LOCK_FILE = ".responses.lock"  # beside the answers; git-ignored
LOCK_TIMEOUT = 30.0  # seconds to wait for another person's save


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the file, the respondent, their row, and how complete the answers are."""

    file: Path
    respondent_id: str
    row: int
    replaced: bool
    answered: int
    total: int
    warnings: tuple[Problem, ...] = ()


# ------------------------------------------------------------------------------ file edge


def client_dir_from_environment(default: str | os.PathLike) -> Path:
    """The client folder `cxassess app` passed to the notebook, else ``default`` (for JupyterLab)."""
    return Path(os.environ.get(CLIENT_DIR_ENV) or default)


def client_template(client_dir: str | os.PathLike, template: str | os.PathLike | None = None) -> tuple[Path, Template]:
    """A client folder (id checked) and its questionnaire: ``template`` if given, else its current wave's."""
    if template is not None:
        return client_folder(client_dir)[1], find_template(template)
    folder, file = current_template(client_dir)
    return folder, load_template(file)


def responses_path(folder: Path) -> Path:
    """The CSV file answers are saved to; an Excel answers file is refused (it cannot be appended safely).

    A client with waves saves into its current wave (the latest by date; see clients.find_waves):
    to start a new wave, add its folder and date first.
    """
    if (folder / WAVES_FOLDER).is_dir():
        config, node = validate_yaml_with_lines(folder / CLIENT_FILE, ClientConfig)
        folder = find_waves(folder, config, node, named_template(config.template, folder / CLIENT_FILE, node)
                            )[-1].responses_file.parent
    try:
        existing = find_responses(folder)
    except CxError:
        if (folder / RESPONSE_XLSX).is_file():
            raise  # both files: the message says keep one
        return folder / RESPONSES_CSV
    if existing.suffix.lower() != ".csv":
        raise CxError.at(existing, "the questionnaire saves to responses.csv; save this workbook as "
                         "'CSV UTF-8 (comma delimited)' named responses.csv, remove the .xlsx, then try again")
    return existing


def form_columns(template: Template) -> list[str]:
    """The columns a form fills: respondent id, segments, per question rating, importance, comment, then the
    outcome question's rating (if the template has one: key drivers need it)."""
    columns = ["respondent_id", *template.segment_ids]
    for qid in template.question_ids:
        columns += [qid, f"{qid}:importance", f"{qid}:comment"]
    if template.outcome is not None:
        columns.append(template.outcome.id)
    return columns


def check_answers(template: Template, answers: Mapping[str, str]) -> list[Problem]:
    """Every problem with one respondent's row on its own, by the rules of ``cxassess validate``."""
    columns = form_columns(template)
    row = [str(answers.get(c, "") or "") for c in columns]
    if not any(cell.strip() for cell in row):  # said as a form would say it, not as a file with no rows
        return [Problem("answers", "nothing to save: the form is empty; type your id and answer at least one "
                        "question", 2, None)]
    _, problems = validate_table(RawTable("answers", columns, [row], [2]), template)
    return problems


def answered_count(template: Template, answers: Mapping[str, str]) -> int:
    """Questions with a rating or an N/A answer."""
    return sum(bool(str(answers.get(q, "") or "").strip()) for q in template.question_ids)


def _layout(path: Path) -> tuple[str, str, bool]:
    """Delimiter, line ending and byte-order mark of an existing CSV file, kept when it is rewritten."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    first = raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    delimiter = max([",", ";", "\t"], key=first.count)
    return delimiter, "\r\n" if b"\r\n" in raw[:65536] else "\n", bom


def _default_mode() -> int:
    """Permissions of a new file under the current umask (mkstemp alone would give 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` in a temporary file, flush it to disk, then rename it over ``path``."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode) if path.exists() else _default_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str, newline: str, bom: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _find_row(table: RawTable, respondent_id: str) -> int | None:
    """Position (in ``table.rows``) of a respondent's row, or None."""
    if "respondent_id" not in table.header:
        return None
    column = table.header.index("respondent_id")
    for i, cells in enumerate(table.rows):
        if column < len(cells) and cells[column].strip() == respondent_id:
            return i
    return None


def read_existing(path: Path) -> RawTable | None:
    return read_table(path) if path.is_file() and path.stat().st_size > 0 else None


def load_response(client_dir: str | os.PathLike, respondent_id: str) -> dict[str, str] | None:
    """A saved respondent's cells (column -> text), to reopen and finish a response; None if not saved."""
    path = responses_path(Path(client_dir))
    table = read_existing(path)
    found = _find_row(table, respondent_id.strip()) if table else None
    if found is None:
        return None
    cells = table.rows[found]
    return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(table.header) if name}


def save_response(
    client_dir: str | os.PathLike,
    answers: Mapping[str, str],
    *,
    replace: bool = False,
    template: str | os.PathLike | Template | None = None,
) -> SaveResult:
    """Add one respondent's answers to the client's responses.csv (or replace them with ``replace``).

    ``answers`` maps column names (``respondent_id``, segment ids, question ids and their
    ``:importance`` / ``:comment`` / ``:target`` companions) to the text a respondent would type.
    Blank answers are allowed, so a response can be saved part-way and finished later. The
    row and then the whole file are checked as ``cxassess validate`` does; any error raises
    ``CxError`` and leaves the file as it was. A respondent id already in the file is refused
    unless ``replace`` is true; replacing keeps that row's cells in columns ``answers`` lacks.
    """
    if isinstance(template, Template):
        folder, tmpl = client_folder(client_dir)[1], template
    else:
        folder, tmpl = client_template(client_dir, template)
    respondent_id = str(answers.get("respondent_id", "") or "").strip()
    answers = {k: str(v if v is not None else "") for k, v in answers.items()}
    answers["respondent_id"] = respondent_id
    path = responses_path(folder)
    errors = [p for p in check_answers(tmpl, answers) if p.level == "error"]
    if errors:
        raise CxError(errors)
    try:
        with FileLock(str(folder / LOCK_FILE), timeout=LOCK_TIMEOUT):
            return _save_locked(path, tmpl, answers, respondent_id, replace)
    except Timeout:
        raise CxError.at(path, f"another save has held the file for {LOCK_TIMEOUT:.0f} s; try again in a moment") from None


def _save_locked(path: Path, template: Template, answers: dict[str, str], respondent_id: str,
                 replace: bool) -> SaveResult:
    existing = read_existing(path)
    if existing is None:
        header, rows, layout = [], [], (",", "\n", False)
    else:
        header, rows, layout = list(existing.header), [list(r) for r in existing.rows], _layout(path)
    header += [c for c in form_columns(template) if c not in header]
    header += [c for c in answers if c not in header]
    found = _find_row(existing, respondent_id) if existing else None
    if found is not None and not replace:
        raise CxError(Problem(
            str(path), f"respondent id {respondent_id!r} is already saved (row {existing.row_numbers[found]}); "
            "use another id, or choose to replace the saved answers", existing.row_numbers[found], "respondent_id",
        ))
    old = dict(zip(header, rows[found])) if found is not None else {}
    cells = [answers.get(c, old.get(c, "")) for c in header]
    if found is None:
        rows.append(cells)
        row_number = len(rows) + 1
    else:
        rows[found] = cells
        row_number = existing.row_numbers[found]
    table = RawTable(str(path), header, rows, list(range(2, len(rows) + 2)))
    responses, problems = validate_table(table, template)
    if responses is None:
        raise CxError([p for p in problems if p.level == "error"])
    write_atomic(path, _csv_text(header, rows, *layout))
    return SaveResult(
        file=path, respondent_id=respondent_id, row=row_number, replaced=found is not None,
        answered=answered_count(template, answers), total=len(template.question_ids),
        warnings=tuple(p for p in problems if p.row == row_number),
    )
