"""Reading an answers table as text cells: CSV or XLSX in, a `RawTable` of strings out.

This is the I/O edge for every tabular input (staff responses, customer feedback, targets,
survey exports): it gives no meaning to a cell, it only reads the file, refuses what is not a
table (a PDF, an old .xls, UTF-16 text, formulas in a workbook) with a word on how to fix it,
and keeps every row's spreadsheet number so later checks can point at a cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import CxError, Problem

MAX_TABLE_BYTES = 200_000_000


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text, before any meaning is given to them (I/O edge output)."""

    file: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


#: What a file that is not text really is, by its first bytes (said instead of a decoding error).
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (or another zip file) with a text file's name; give it the .xlsx ending, "
                     "or save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls); open it in the spreadsheet and save it as .xlsx or "
                           "'CSV UTF-8 (comma delimited)'"),
    (b"%PDF", "a PDF document, not a table; export the answers from the survey tool as CSV or XLSX"),
)


def decode_text(path: Path, raw: bytes) -> str:
    """A text file's bytes as text (UTF-8, with or without BOM), or CxError saying what the file really is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CxError.at(path, "is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)'")
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            raise CxError.at(path, f"is {what}")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise CxError.at(path, "holds NUL bytes, so it is not plain text (probably UTF-16 without its byte-order "
                         "mark, or a binary file); save it as 'CSV UTF-8 (comma delimited)'", row=line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace").lstrip("\ufeff")
        raise CxError.at(
            path,
            f"not UTF-8 text: byte 0x{raw[exc.start]:02X} after {shorten(before[-30:])!r} (probably an accented "
            "letter saved in a Windows or Mac encoding); save the file as 'CSV UTF-8 (comma delimited)'",
            row=line,
        ) from None


def read_csv_bytes(path: Path) -> tuple[bytes, str]:
    """A CSV file's bytes without a UTF-8 BOM, and its delimiter (`csv_delimiter`); CxError for
    what `decode_text` refuses, with its messages.

    The bytes are checked a block at a time (not at all if they are ASCII) and only the first line
    is decoded: the whole text, or the bytes copied without the BOM, would take as much memory again.
    """
    with open(path, "rb", buffering=0) as handle:  # unbuffered: the bytes are read into one object, not joined
        bom = handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        handle.seek(len(codecs.BOM_UTF8) if bom else 0)
        data = handle.readall()
    binary = not bom and data.startswith((b"\xff\xfe", b"\xfe\xff", *(s for s, _ in _SIGNATURES)))
    if binary or b"\x00" in data or not _utf8(data):
        decode_text(path, codecs.BOM_UTF8 + data if bom else data)  # raises
    end = data.find(b"\n")
    return data, csv_delimiter((data if end < 0 else data[:end]).decode("utf-8"))


def _utf8(data: bytes, block: int = 1 << 20) -> bool:
    """Whether the bytes are UTF-8 text, decoded a block at a time and the text not kept."""
    if data.isascii():
        return True
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(data), block):
            decoder.decode(view[start:start + block])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def csv_delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of comma, semicolon and tab its first line holds most."""
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]  # not split(): that would copy the rest of a large file
    return max([",", ";", "\t"], key=first_line.count)


def _read_csv(path: Path) -> RawTable:
    text = decode_text(path, path.read_bytes())
    delimiter = csv_delimiter(text)
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            records.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise CxError.at(
                path,
                f"a cell here is longer than {csv.field_size_limit():,} characters (an unclosed double quote (\") "
                "can swallow the rest of the file, or a comment holds a pasted document); shorten it or fix the quote",
                row=len(records) + 1,
            ) from None
        raise CxError.at(
            path,
            f"this row cannot be read as CSV ({exc}); look for an unmatched double quote (\") here "
            "and re-save the file from the spreadsheet as CSV",
            row=len(records) + 1,
        ) from None
    header = [h.strip() for h in records[0]] if records else []
    return RawTable(str(path), header, records[1:], list(range(2, len(records) + 1)))


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook  # only needed for Excel files

    with open(path, "rb") as handle:
        start = handle.read(4)
    if start != b"PK\x03\x04":
        what = "an old-style .xls file" if start == b"\xd0\xcf\x11\xe0" else "not an Excel workbook"
        raise CxError.at(path, f"is {what} despite its .xlsx name; open it in the spreadsheet and save it as .xlsx "
                         "(or as 'CSV UTF-8 (comma delimited)')")
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise CxError.at(path, f"is not a readable Excel workbook ({type(exc).__name__}); re-save it as .xlsx") from None
    try:
        sheet = book["responses"] if "responses" in book.sheetnames else book.worksheets[0]
        grid = []
        formulas = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            grid.append([cell_text(getattr(c, "value", None)) for c in row])
            formulas += [(number, i) for i, c in enumerate(row) if getattr(c, "data_type", None) == "f"]
    except Exception as exc:  # the sheet's XML is read lazily: a damaged part shows up only here
        raise CxError.at(path, f"is a damaged Excel workbook: its sheet cannot be read ({type(exc).__name__}); "
                         "open it in the spreadsheet and save it again as .xlsx") from None
    finally:
        book.close()
    if formulas:
        # openpyxl reads formulas, not their results: a formula cell's answer would be lost
        raise CxError(
            Problem(str(path), f"holds a formula ({shorten(grid[r - 1][i])}) where a value belongs; copy the "
                    "sheet and paste it as values (Paste Special > Values), then save", r, column_letter(i))
            for r, i in formulas[:20]
        )
    if not any(any(c.strip() for c in row) for row in grid) and len(book.sheetnames) > 1:
        raise CxError.at(path, f"the sheet {sheet.title!r} that is read is empty; put the answers on the first sheet "
                         f"or on a sheet named 'responses' (sheets here: {', '.join(book.sheetnames)})")
    header = [h.strip() for h in grid[0]] if grid else []
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1] for r in grid[1:]):
        header.pop()
    return RawTable(str(path), header, grid[1:], list(range(2, len(grid) + 1)))


def read_table(path: str | os.PathLike) -> RawTable:
    """Read a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX file as text."""
    path = Path(path)
    if not path.is_file():
        raise CxError.at(path, "file not found" if not path.exists() else "is not a file")
    size = path.stat().st_size
    if size == 0:
        raise CxError.at(path, "the file is empty; expected a header row with respondent_id and the question ids")
    if size > MAX_TABLE_BYTES:
        raise CxError.at(path, f"is {size:,} bytes; the limit is {MAX_TABLE_BYTES:,}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise CxError.at(path, f"unsupported file type {suffix!r}; use .csv or .xlsx")


def filled_rows(raw: RawTable, problems: list[Problem]) -> tuple[list[list[str]], list[int]]:
    """The rows holding anything, cut or padded to the header's width, with their row numbers.

    A row with values beyond the header's last column adds a problem at the first such cell.
    """
    width = len(raw.header)
    rows, numbers = [], []
    for cells, number in zip(raw.rows, raw.row_numbers):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            extra = width + next(k for k, c in enumerate(cells[width:]) if c.strip())
            problems.append(
                Problem(raw.file, f"this row has {len(cells)} cells but the header has {width} columns; "
                        "look for a stray delimiter or an unquoted comma", number, column_letter(extra))
            )
        rows.append(list(cells[:width]) + [""] * (width - len(cells)))
        numbers.append(number)
    return rows, numbers


def column_letter(i: int) -> str:
    """Spreadsheet column letters for a 0-based position: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
