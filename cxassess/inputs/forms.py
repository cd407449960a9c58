"""Excel questionnaire forms: one workbook a respondent fills in offline, and reading it back.

The form has an instructions sheet and a questionnaire sheet with one row per question,
grouped by pillar. Only the answer cells are unlocked; they carry drop-down lists (rating,
target, importance, segments). Column A (hidden) holds each row's canonical key
(``respondent_id``, ``segment:<id>``, ``question:<id>``, ``outcome:<id>``) and a very hidden sheet records the
template and which column holds which answer, so reading a filled form back is exact
rather than a guess from the visible text.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ..core.errors import CxError, Problem
from ..core.files import write_bytes_atomically
from .tables import cell_text, column_letter
from .templates import Template

FORM_SHEET = "Questionnaire"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
META_SHEET = "cxassess"
FORM_KIND = "cxassess questionnaire form"
FORM_VERSION = "1"
KEY_COLUMN = 1  # column A: the hidden canonical key of each row
ANSWER_COLUMNS = {"rating": 4, "target": 5, "importance": 6, "comment": 7}  # D, E, F, G
ANSWER_ROW_WIDTH = 7
_STATEMENT_WIDTH = 70  # characters
_INSTRUCTIONS_WIDTH = 90

_PILLAR_FILL = PatternFill("solid", fgColor="DCE6F1")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF9E5")
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


def rating_choices(template: Template) -> list[str]:
    """The rating drop-down: every scale point as ``"4 - Agree"`` (or ``"4"``), then the N/A words."""
    scale = template.scale
    points = [f"{v} - {scale.labels[v]}" if v in scale.labels else str(v) for v in range(scale.min, scale.max + 1)]
    return points + list(scale.na)


def _list_validation(sheet_column: int, count: int, prompt: str) -> DataValidation:
    letter = column_letter(sheet_column - 1)
    dv = DataValidation(
        type="list", formula1=f"={LISTS_SHEET}!${letter}$1:${letter}${max(count, 1)}", allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
        errorTitle="Not on the list", error="Choose an answer from the drop-down list, or leave the cell empty.",
        promptTitle="Answer", prompt=prompt,
    )
    return dv


def build_form(
    template: Template,
    client_name: str | None = None,
    segment_values: Mapping[str, Sequence[str]] | None = None,
) -> Workbook:
    """The questionnaire workbook for ``template`` (no I/O; save it with ``write_form``).

    ``segment_values`` offers drop-down choices for segments the template leaves open
    (e.g. a client's departments); a segment with neither stays a free-text cell.
    """
    segment_values = dict(segment_values or {})
    scale, terms = template.scale, template.terms
    book = Workbook()
    intro = book.active
    intro.title = INSTRUCTIONS_SHEET
    sheet = book.create_sheet(FORM_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    meta = book.create_sheet(META_SHEET)

    # Choice lists on a hidden sheet: list validations refer to ranges, so labels may hold commas.
    choices = {"rating": rating_choices(template), "importance": [v for v in range(scale.min, scale.max + 1)]}
    choices["target"] = choices["rating"]
    segments = [(s, list(s.values or segment_values.get(s.id, []))) for s in template.segments]
    list_columns: dict[str, tuple[int, int]] = {}
    for key, values in [("rating", choices["rating"]), ("importance", choices["importance"]),
                        *[(f"segment:{s.id}", v) for s, v in segments if v]]:
        col = len(list_columns) + 1
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
        list_columns[key] = (col, len(values))
    list_columns["target"] = list_columns["rating"]
    lists.sheet_state = "hidden"

    for row, (key, value) in enumerate(
        [("format", FORM_KIND), ("version", FORM_VERSION), ("template", template.id),
         ("template_version", template.version),
         *[(f"column:{kind}", column_letter(col - 1)) for kind, col in ANSWER_COLUMNS.items()]],
        start=1,
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value)
    meta.sheet_state = "veryHidden"

    _write_instructions(intro, template, client_name, segments)

    label_pairs = ", ".join(f"{v} = {scale.labels[v]}" for v in sorted(scale.labels))
    validations = {
        "rating": _list_validation(list_columns["rating"][0], list_columns["rating"][1],
                                   f"How things are today: {label_pairs}, or {scale.na[0]}."),
        "target": _list_validation(list_columns["target"][0], list_columns["target"][1],
                                   "Where this should be (optional), on the same scale."),
        "importance": _list_validation(list_columns["importance"][0], list_columns["importance"][1],
                                       f"How much this matters to customers: {scale.min} (hardly) to {scale.max} (a lot)."),
    }
    for dv in validations.values():
        sheet.add_data_validation(dv)

    title = template.name + (f" - {client_name}" if client_name else "")
    sheet.cell(row=1, column=2, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=2, value="Please read the Instructions sheet first. Fill in the yellow cells only.")
    row = 4
    _answer_row(sheet, row, "respondent_id", "Respondent code",
                "Leave as given by the person who sent you this form (or empty).")
    for segment, values in segments:
        row += 1
        _answer_row(sheet, row, f"segment:{segment.id}", segment.title,
                    "Choose from the list." if values else "Type your answer.")
        if values:
            col, count = list_columns[f"segment:{segment.id}"]
            dv = _list_validation(col, count, f"Choose your {segment.title.lower()}.")
            sheet.add_data_validation(dv)
            dv.add(sheet.cell(row=row, column=ANSWER_COLUMNS["rating"]).coordinate)

    row += 2
    header_row = row
    headers = [None, "No.", "Statement", terms.rating, f"{terms.target} (optional)", terms.importance, "Comment (optional)"]
    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for p, pillar in enumerate(template.pillars, start=1):
        row += 1
        cell = sheet.cell(row=row, column=2, value=f"{p}. {pillar.name}")
        cell.font = Font(bold=True)
        for col in range(2, ANSWER_ROW_WIDTH + 1):
            sheet.cell(row=row, column=col).fill = _PILLAR_FILL
        first = row + 1
        for q, question in enumerate(pillar.questions, start=1):
            row += 1
            sheet.cell(row=row, column=KEY_COLUMN, value=f"question:{question.id}")
            sheet.cell(row=row, column=2, value=f"{p}.{q}").alignment = _WRAP
            sheet.cell(row=row, column=3, value=question.text).alignment = _WRAP
            _fit_height(sheet, row, question.text, _STATEMENT_WIDTH)
            for col in ANSWER_COLUMNS.values():
                _unlock(sheet.cell(row=row, column=col))
        for kind, dv in validations.items():
            letter = column_letter(ANSWER_COLUMNS[kind] - 1)
            dv.add(f"{letter}{first}:{letter}{row}")
    if template.outcome is not None:  # the overall statement key drivers explain: rated only, no companions
        row += 1
        sheet.cell(row=row, column=2, value="Overall").font = Font(bold=True)
        for col in range(2, ANSWER_ROW_WIDTH + 1):
            sheet.cell(row=row, column=col).fill = _PILLAR_FILL
        row += 1
        sheet.cell(row=row, column=KEY_COLUMN, value=f"outcome:{template.outcome.id}")
        sheet.cell(row=row, column=2, value=f"{len(template.pillars) + 1}.1").alignment = _WRAP
        sheet.cell(row=row, column=3, value=template.outcome.text).alignment = _WRAP
        _fit_height(sheet, row, template.outcome.text, _STATEMENT_WIDTH)
        _unlock(sheet.cell(row=row, column=ANSWER_COLUMNS["rating"]))
        validations["rating"].add(sheet.cell(row=row, column=ANSWER_COLUMNS["rating"]).coordinate)

    sheet.column_dimensions["A"].hidden = True
    sheet.row_dimensions[header_row].height = 32
    for letter, width in {"B": 6, "C": _STATEMENT_WIDTH, "D": 26, "E": 26, "F": 16, "G": 40}.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for protected in (sheet, intro):
        protected.protection.sheet = True
        protected.protection.formatColumns = False  # widening a column or row is harmless
        protected.protection.formatRows = False
    book.security = WorkbookProtection(lockStructure=True)  # no renaming, un-hiding or deleting sheets
    book.active = 0
    return book


def _fit_height(sheet, row: int, text: str, width: float) -> None:  # type: ignore[no-untyped-def]
    """Room for wrapped text: Excel and LibreOffice do not grow a row for text written by a program."""
    lines = sum(max(1, math.ceil(len(part) / (width * 1.05))) for part in text.split("\n"))
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines + 2


def _unlock(cell) -> None:  # type: ignore[no-untyped-def]
    cell.protection = _UNLOCKED
    cell.fill = _ANSWER_FILL
    cell.alignment = _WRAP


def _answer_row(sheet, row: int, key: str, label: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    sheet.cell(row=row, column=KEY_COLUMN, value=key)
    sheet.cell(row=row, column=3, value=label).font = Font(bold=True)
    _unlock(sheet.cell(row=row, column=ANSWER_COLUMNS["rating"]))
    sheet.cell(row=row, column=ANSWER_COLUMNS["target"], value=hint).font = Font(italic=True, color="666666")


def _write_instructions(sheet, template: Template, client_name: str | None, segments) -> None:  # type: ignore[no-untyped-def]
    scale, terms = template.scale, template.terms
    lines: list[tuple[str, bool]] = [
        (template.name, True),
        (f"For: {client_name}" if client_name else "", False),
        ("", False),
        ("This questionnaire asks how your organisation looks after its customers today. There are no right or "
         "wrong answers: give your own view. Your answers are combined with your colleagues' answers, and groups "
         "too small to stay anonymous are never shown on their own.", False),
        ("", False),
        ("How to answer", True),
        (f"1. Open the sheet '{FORM_SHEET}'. Fill in the yellow cells only; the rest of the sheet is protected.", False),
        ("2. At the top, choose your " + " and ".join(s.title.lower() for s, _ in segments) + "."
         if segments else "2. Leave the respondent code as it is.", False),
        (f"3. For every statement, choose under '{terms.rating}' how far it is true today:", False),
        *[(f"      {v} = {scale.labels.get(v, '')}".rstrip(" ="), False) for v in range(scale.min, scale.max + 1)],
        (f"   Choose '{scale.na[0]}' if you cannot judge a statement, or leave it empty.", False),
        (f"4. '{terms.target}' (optional): where the organisation should be, on the same scale.", False),
        (f"5. '{terms.importance}': how much the statement matters to customers, from {scale.min} (hardly) "
         f"to {scale.max} (a lot).", False),
        ("6. 'Comment' (optional): anything you want to add, in your own words.", False),
        *([("   The last statement, under 'Overall', asks for your rating only.", False)] if template.outcome else []),
        ("7. Save the file as an Excel workbook (.xlsx), keep its name or add your code, and send it back.", False),
        ("", False),
        ("Please do not copy answers between forms, add rows or rename sheets: each form is read back "
         "automatically.", False),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _fit_height(sheet, row, text, _INSTRUCTIONS_WIDTH)
        if bold:
            cell.font = Font(bold=True, size=14 if row == 1 else 12)
    sheet.column_dimensions["A"].width = _INSTRUCTIONS_WIDTH
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def write_form(book: Workbook, out: str | os.PathLike, force: bool = False) -> Path:
    """Save a form atomically (temp file + rename); refuses to replace a file unless ``force``."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise CxError.at(out, "a questionnaire form must be an .xlsx file; give --out a name ending in .xlsx")
    if out.is_dir():
        raise CxError.at(out, "is a folder; give --out a file name such as questionnaire.xlsx")
    if out.exists() and not force:
        raise CxError.at(out, "already exists; choose another name or pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return write_bytes_atomically(out, buffer.getvalue())


# ------------------------------------------------------------------------------ reading back


@dataclass(frozen=True)
class FormCell:
    """One answer read from a filled form: its canonical column, text and cell."""

    column: str  # canonical responses column: respondent_id, a segment id, <qid>, <qid>:importance, ...
    text: str
    row: int
    letter: str


def read_form(path: str | os.PathLike, template: Template) -> list[FormCell]:
    """The answers in one filled form, keyed by canonical responses column, with their cells.

    Refuses a workbook that is not a cxassess form or was made for another template.
    """
    path = Path(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise CxError.at(path, f"is not a readable Excel workbook ({type(exc).__name__}); re-save it as .xlsx") from None
    try:
        if META_SHEET not in book.sheetnames or FORM_SHEET not in book.sheetnames:
            raise CxError.at(path, "is not a cxassess questionnaire form (its hidden 'cxassess' sheet or its "
                             f"'{FORM_SHEET}' sheet is missing); send respondents a form made by `cxassess form`")
        info = {str(k): cell_text(v) for k, v, *_ in book[META_SHEET].iter_rows(max_col=2, values_only=True) if k}
        if info.get("format") != FORM_KIND:
            raise CxError.at(path, "is not a cxassess questionnaire form; make forms with `cxassess form`")
        if info.get("template") != template.id:
            raise CxError.at(path, f"this form was made for template {info.get('template')!r}, not {template.id!r}; "
                             "import it with that template")
        columns = {}
        for kind in ANSWER_COLUMNS:
            letter = info.get(f"column:{kind}", "")
            if not letter.isalpha():
                raise CxError.at(path, f"the form's hidden settings lack the {kind} column; make a new form")
            columns[kind] = letter
        grid = list(book[FORM_SHEET].iter_rows(values_only=True))
    except CxError:
        raise
    except Exception as exc:  # the sheets' XML is read lazily: a damaged part shows up only here
        raise CxError.at(path, f"is a damaged Excel workbook: a sheet cannot be read ({type(exc).__name__}); "
                         "open it in the spreadsheet and save it again as .xlsx") from None
    finally:
        book.close()
    return _form_answers(path, template, grid, columns)


def _form_answers(path: Path, template: Template, grid: list[tuple], columns: dict[str, str]) -> list[FormCell]:
    position = {kind: sum((ord(c) - 64) * 26**k for k, c in enumerate(reversed(letter.upper()))) - 1
                for kind, letter in columns.items()}
    questions = set(template.question_ids)
    segments = set(template.segment_ids)
    cells: list[FormCell] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}

    def take(column: str, row: tuple, number: int, kind: str) -> None:
        i = position[kind]
        text = cell_text(row[i]) if i < len(row) else ""
        cells.append(FormCell(column, text, number, columns[kind]))

    for number, row in enumerate(grid, start=1):
        key = cell_text(row[KEY_COLUMN - 1]).strip() if row else ""
        if not key:
            continue
        where = dict(row=number, column=column_letter(KEY_COLUMN - 1))
        if key in seen:
            problems.append(Problem(str(path), f"row key {key!r} appears twice (first on row {seen[key]}); "
                                    "rows were copied: use a fresh form", **where))
            continue
        seen[key] = number
        kind, _, ident = key.partition(":")
        if key == "respondent_id":
            take("respondent_id", row, number, "rating")
        elif kind == "segment" and ident in segments:
            take(ident, row, number, "rating")
        elif kind == "outcome" and template.outcome is not None and ident == template.outcome.id:
            take(ident, row, number, "rating")
        elif kind == "question" and ident in questions:
            take(ident, row, number, "rating")
            for companion in ("target", "importance", "comment"):
                take(f"{ident}:{companion}", row, number, companion)
        else:
            problems.append(Problem(str(path), f"row key {key!r} is not part of template {template.id!r}; "
                                    "the form may come from an older template version: use a fresh form", **where))
    if problems:
        raise CxError(problems)
    return cells


def is_form_file(path: Path) -> bool:
    """Excel files in a forms folder (skipping Office lock files such as ``~$form.xlsx``)."""
    return path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm") and not path.name.startswith(("~$", "."))

