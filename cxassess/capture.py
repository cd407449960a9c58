"""Questionnaire capture: a form for one respondent, saved safely into a client's responses file.

The form (ipywidgets) is thin: it turns its controls into one row of text cells, the way a
respondent would have typed them into the spreadsheet, and hands the row to ``save_response``.
Saving checks the row and then the whole file with the rules of ``cxassess validate``, and
rewrites ``responses.csv`` under a file lock (so people saving at the same moment all land)
through a temporary file and a rename (so a crash never leaves half a file).
"""

from __future__ import annotations

import csv
import html
import io
import os
import stat
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import ipywidgets as w
from filelock import FileLock, Timeout

from .clients import WAVES_FOLDER, ClientConfig, client_folder, find_responses, find_waves
from .errors import CxError, Problem
from .responses import RawTable, read_table, validate_table
from .templates import Template, find_template, validate_yaml, validate_yaml_with_lines

RESPONSES_CSV = "responses.csv"
RESPONSE_XLSX = "responses.xlsx"
LOCK_FILE = ".responses.lock"  # beside the answers; git-ignored
LOCK_TIMEOUT = 30.0  # seconds to wait for another person's save
CLIENT_DIR_VARIABLE = "CXASSESS_CLIENT_DIR"  # set by `cxassess app` for the notebook it serves
BLANK = "—"


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
    return Path(os.environ.get(CLIENT_DIR_VARIABLE) or default)


def client_template(client_dir: str | os.PathLike, template: str | os.PathLike | None = None) -> tuple[Path, Template]:
    """A client folder (id checked) and its questionnaire: ``template`` if given, else client.yaml's."""
    _, folder = client_folder(client_dir)
    if template is None:
        config: ClientConfig = validate_yaml(folder / "client.yaml", ClientConfig)
        template = config.template
    return folder, find_template(template)


def responses_path(folder: Path) -> Path:
    """The CSV file answers are saved to; an Excel answers file is refused (it cannot be appended safely).

    A client with waves saves into its current wave (the latest by date; see clients.find_waves):
    to start a new wave, add its folder and date first.
    """
    if (folder / WAVES_FOLDER).is_dir():
        config, node = validate_yaml_with_lines(folder / "client.yaml", ClientConfig)
        folder = find_waves(folder, config, node, find_template(config.template))[-1].responses_file.parent
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
    """The columns a form fills: respondent id, segments, and per question rating, importance, comment."""
    columns = ["respondent_id", *template.segment_ids]
    for qid in template.question_ids:
        columns += [qid, f"{qid}:importance", f"{qid}:comment"]
    return columns


def check_answers(template: Template, answers: Mapping[str, str]) -> list[Problem]:
    """Every problem with one respondent's row on its own, by the rules of ``cxassess validate``."""
    columns = form_columns(template)
    row = [str(answers.get(c, "") or "") for c in columns]
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


def _read_existing(path: Path) -> RawTable | None:
    return read_table(path) if path.is_file() and path.stat().st_size > 0 else None


def load_response(client_dir: str | os.PathLike, respondent_id: str) -> dict[str, str] | None:
    """A saved respondent's cells (column -> text), to reopen and finish a response; None if not saved."""
    path = responses_path(Path(client_dir))
    table = _read_existing(path)
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
    existing = _read_existing(path)
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


# --------------------------------------------------------------------------------- widgets


def rating_options(template: Template) -> list[tuple[str, str]]:
    """Dropdown choices for a rating: blank, each scale point with its label, then N/A."""
    scale = template.scale
    points = [(f"{v} · {scale.labels[v]}" if v in scale.labels else str(v), str(v))
              for v in range(scale.min, scale.max + 1)]
    return [(BLANK, ""), *points, (scale.na[0], scale.na[0])]


def importance_options(template: Template) -> list[tuple[str, str]]:
    """Dropdown choices for importance: blank and the scale's numbers (importance takes no labels)."""
    scale = template.scale
    ends = {scale.min: " · low", scale.max: " · high"}
    return [(BLANK, ""), *[(f"{v}{ends.get(v, '')}", str(v)) for v in range(scale.min, scale.max + 1)]]


def _problem_html(problems: list[Problem] | tuple[Problem, ...], *, located: bool = False) -> str:
    items = "".join(
        f'<li class="cx-{p.level}">{html.escape(str(p) if located else p.message)}</li>' for p in problems
    )
    return f'<ul class="cx-problems" style="color:#b00020;margin:2px 0">{items}</ul>' if items else ""


class Questionnaire:
    """The questionnaire as widgets: respondent id and segments, one tab per pillar, save and reopen.

    Display it as the last expression of a cell (or ``display(form.widget)``). Tests and the
    browser drive the same controls: ``form.ratings[qid].value = "4"``, ``form.save_button.click()``.
    """

    def __init__(self, client_dir: str | os.PathLike, template: str | os.PathLike | None = None):
        self.folder, self.template = client_template(client_dir, template)
        t = self.template
        self.respondent = w.Text(description="Your id", placeholder="e.g. R101",
                                 style={"description_width": "8em"})
        self.segments: dict[str, w.ValueWidget] = {}
        known = self._known_segment_values()
        offered = validate_yaml(self.folder / "client.yaml", ClientConfig).segments  # client.yaml `segments:`
        for segment in t.segments:
            label = segment.title
            values = segment.values or offered.get(segment.id)
            if values:
                control = w.Dropdown(options=[(BLANK, ""), *[(v, v) for v in values]], value="",
                                     description=label, style={"description_width": "8em"})
            else:
                control = w.Combobox(options=known.get(segment.id, []), ensure_option=False, value="",
                                     placeholder="type or pick", description=label,
                                     style={"description_width": "8em"})
            self.segments[segment.id] = control
        self.ratings: dict[str, w.Dropdown] = {}
        self.importance: dict[str, w.Dropdown] = {}
        self.comments: dict[str, w.Textarea] = {}
        self.problems: dict[str, w.HTML] = {name: w.HTML() for name in ["respondent_id", *t.segment_ids]}
        pages, titles = [], []
        for pillar in t.pillars:
            rows: list[w.Widget] = [w.HTML(f"<p><i>{html.escape(' '.join(pillar.description.split()))}</i></p>")]
            for number, question in enumerate(pillar.questions, 1):
                rows.append(self._question(question.id, f"{number}. {question.text}"))
            pages.append(w.VBox(rows))
            titles.append(pillar.name)
        self.pages = w.Accordion(children=pages, titles=titles, selected_index=0)
        total = len(t.question_ids)
        self.progress = w.IntProgress(value=0, min=0, max=total, description="Answered")
        self.progress_text = w.Label(f"0 of {total}")
        self.replace = w.Checkbox(value=False, description="Replace the saved answers of this id", indent=False)
        self.open_button = w.Button(description="Open saved answers", icon="folder-open", layout=w.Layout(width="auto"),
                                    tooltip="load the answers saved under this id, to finish them")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.message = w.HTML()
        self.saves = 0
        for name, control in [("respondent", self.respondent), ("save", self.save_button), ("open", self.open_button),
                              ("replace", self.replace), ("message", self.message), ("progress", self.progress_text),
                              *[(f"segment-{s}", c) for s, c in self.segments.items()]]:
            control.add_class(f"cx-{name}")  # stable hooks for styling and browser tests
        for control in self.ratings.values():
            control.observe(self._count, names="value")
        self.open_button.on_click(self.reopen)
        self.save_button.on_click(self.save)
        header = w.VBox([
            w.HTML(f"<h2>{html.escape(t.name)}</h2><p>{html.escape(' '.join(t.description.split()))}</p>"),
            w.HBox([self.respondent, self.open_button]), self.problems["respondent_id"],
            *[w.VBox([self.segments[s], self.problems[s]]) for s in t.segment_ids],
        ])
        footer = w.VBox([w.HBox([self.progress, self.progress_text]),
                         w.HBox([self.save_button, self.replace]), self.message])
        self.widget = w.VBox([header, self.pages, footer])

    def _question(self, qid: str, text: str) -> w.Widget:
        terms = self.template.terms
        self.ratings[qid] = w.Dropdown(options=rating_options(self.template), value="", description=terms.rating,
                                       style={"description_width": "10em"}, layout=w.Layout(width="26em"))
        self.importance[qid] = w.Dropdown(options=importance_options(self.template), value="",
                                          description=terms.importance, style={"description_width": "13em"},
                                          layout=w.Layout(width="22em"))
        self.comments[qid] = w.Textarea(placeholder="comment (optional)", layout=w.Layout(width="46em", height="3em"))
        self.problems[qid] = w.HTML()
        controls = w.HBox([self.ratings[qid], self.importance[qid]])
        box = w.VBox([w.HTML(f"<b>{html.escape(text)}</b>"), controls, self.comments[qid], self.problems[qid]])
        box.add_class("cx-question")
        box.add_class(f"cx-q-{qid}")
        return box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _known_segment_values(self) -> dict[str, list[str]]:
        """Values already used for segments without a fixed list, offered as suggestions."""
        try:
            table = _read_existing(responses_path(self.folder))
        except CxError:
            return {}
        if table is None:
            return {}
        out = {}
        for segment in self.template.segment_ids:
            if segment in table.header:
                i = table.header.index(segment)
                out[segment] = sorted({r[i].strip() for r in table.rows if i < len(r) and r[i].strip()})
        return out

    # -------------------------------------------------------------------------- state

    def answers(self) -> dict[str, str]:
        """The form as one row of text cells, keyed by column name."""
        row = {"respondent_id": self.respondent.value.strip()}
        row.update({s: str(c.value or "").strip() for s, c in self.segments.items()})
        for qid in self.template.question_ids:
            row[qid] = self.ratings[qid].value
            row[f"{qid}:importance"] = self.importance[qid].value
            row[f"{qid}:comment"] = self.comments[qid].value.strip()
        return row

    def set_answers(self, row: Mapping[str, str]) -> None:
        """Fill the form from saved cells (unknown or unreadable values are left blank)."""
        self.respondent.value = str(row.get("respondent_id", "")).strip()
        for segment, control in self.segments.items():
            value = str(row.get(segment, "")).strip()
            if isinstance(control, w.Dropdown):
                match = [v for _, v in control.options if v.casefold() == value.casefold()]
                control.value = match[0] if match else ""
            else:
                control.value = value
        for qid in self.template.question_ids:
            self.ratings[qid].value = self._option(self.ratings[qid], row.get(qid, ""))
            self.importance[qid].value = self._option(self.importance[qid], row.get(f"{qid}:importance", ""))
            self.comments[qid].value = str(row.get(f"{qid}:comment", "") or "")

    def _option(self, control: w.Dropdown, text: str) -> str:
        """The dropdown value for saved text: a number, a scale label or an N/A word."""
        text = str(text or "").strip()
        values = {v for _, v in control.options}
        if text in values:
            return text
        scale = self.template.scale
        for point, label in scale.labels.items():
            if text.casefold() == label.casefold() and str(point) in values:
                return str(point)
        if text.casefold() in {n.casefold() for n in scale.na} and scale.na[0] in values:
            return scale.na[0]
        with suppress(ValueError):
            if float(text).is_integer() and str(int(float(text))) in values:
                return str(int(float(text)))
        return ""

    def _count(self, _change: Any = None) -> None:
        done = answered_count(self.template, self.answers())
        self.progress.value = done
        self.progress_text.value = f"{done} of {self.progress.max}"

    def _show(self, problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
        """Put each problem about this form's answers next to its field; return the ones that fit no field."""
        for label in self.problems.values():
            label.value = ""
        placed: dict[str, list[Problem]] = {}
        rest = []
        for problem in problems:
            field = (problem.column or "").partition(":")[0]
            if field in self.problems:
                placed.setdefault(field, []).append(problem)
            else:
                rest.append(problem)
        for field, items in placed.items():
            self.problems[field].value = _problem_html(items)
        return rest

    # -------------------------------------------------------------------------- buttons

    def save(self, _button: Any = None) -> SaveResult | None:
        """Check and save the form; messages go next to the fields and under the Save button."""
        answers = self.answers()
        problems = check_answers(self.template, answers)
        errors = [p for p in problems if p.level == "error"]
        if errors:
            self._show(errors)
            self.message.value = (f"<b style='color:#b00020'>Not saved:</b> {len(errors)} problem(s), "
                                  "marked next to the answers.")
            return None
        try:
            result = save_response(self.folder, answers, replace=self.replace.value, template=self.template)
        except CxError as exc:  # the id is taken, or the file itself has problems (shown with their rows)
            self._show([p for p in exc.problems if p.column == "respondent_id" and "already saved" in p.message])
            rest = [p for p in exc.problems if not (p.column == "respondent_id" and "already saved" in p.message)]
            self.message.value = "<b style='color:#b00020'>Not saved.</b>" + _problem_html(rest, located=True)
            return None
        self._show([])
        self.saves += 1
        self.replace.value = True  # saving again now updates this respondent's row
        state = ("complete" if result.answered == result.total
                 else f"{result.answered} of {result.total} answered; open it again with the same id to finish")
        self.message.value = (
            f"<b style='color:#1b5e20'>Saved</b> respondent {html.escape(result.respondent_id)} "
            f"({'replaced' if result.replaced else 'added'}, {state})."
        )
        return result

    def reopen(self, _button: Any = None) -> bool:
        """Load the answers saved under the id typed, so the respondent can finish them."""
        respondent_id = self.respondent.value.strip()
        self._show([])
        if not respondent_id:
            self.problems["respondent_id"].value = _problem_html(
                [Problem("", "type the id you saved under, then press Open saved answers")])
            return False
        try:
            row = load_response(self.folder, respondent_id)
        except CxError as exc:
            self.message.value = _problem_html(exc.problems, located=True)
            return False
        if row is None:
            self.message.value = f"No saved answers for {html.escape(respondent_id)}."
            return False
        self.set_answers(row)
        self.replace.value = True
        self.message.value = (f"Opened the saved answers of {html.escape(respondent_id)} "
                              f"({self.progress.value} of {self.progress.max} answered); Save replaces them.")
        return True


def questionnaire(client_dir: str | os.PathLike, template: str | os.PathLike | None = None) -> Questionnaire:
    """The questionnaire form for a client folder (its own template unless ``template`` is given)."""
    return Questionnaire(client_dir, template)
