"""An answers table as coded columns: each column's distinct cell texts once, and per row a code.

A large answers file holds 100,000 rows but only a handful of distinct texts per column ("4",
"N/A", a blank...), so validation looks at each distinct text once and spreads the result to the
rows with numpy. This module gives it the table in that form (`ColumnTable`), for a large file
without ever holding one Python string per cell:

- `read_columns` reads a CSV file of `FAST_FROM_BYTES` or more without the csv module where the
  cells are known to come out the same: every double quote opens a field, closes one before a
  delimiter or a line end, or is doubled inside one (`plain_quoting`), and no cell is over the
  csv module's size limit. A regular file (one kind of line end, every line as wide as the header:
  most are) is read by numpy (`plain_csv`), its cells found and coded column by column without a
  parser; any other by pandas' C parser, in chunks, short cells as fixed-width bytes, unless a row
  is wider than the header. Every other file, every smaller one and every XLSX file is read by
  `tables.read_table` exactly as before. Either way the cells, row numbers and errors are the same.
- `from_raw` turns any `RawTable` (XLSX, survey imports, captured answers) into the same form.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterable

import numpy as np
import pandas as pd

from ..core.errors import Problem
from .plain_csv import read_regular, smallest_codes
from .tables import MAX_TABLE_BYTES, RawTable, filled_rows, read_csv_bytes, read_table

#: Cells of columns not named as free text are read as bytes of this width; a column with a cell
#: that fills it (it may have been cut) is read again as text.
WIDTH = 8
#: Rows handed over by the C parser at a time: it parses in small blocks of rows anyway, and each
#: chunk costs a frame and a call per column, so chunks are large; columns are freed once coded.
CHUNK_ROWS = 200_000
#: How many leading answer rows are kept as read, for spotting a header that is not in row 1.
HEAD_ROWS = 5
#: Files smaller than this are read by the csv module: the C parser's set-up (a frame, a dtype per
#: column) costs about 70 ms, which the csv module only spends on a file of some 400 KB.
FAST_FROM_BYTES = 256 * 1024


@dataclass(frozen=True)
class Column:
    """One column's cells: ``texts`` are its distinct texts in order of first appearance, ``codes``
    the index into ``texts`` of each row's cell."""

    texts: list[str]
    codes: np.ndarray

    def spread(self, per_text: Iterable, dtype: object = None, out: np.ndarray | None = None) -> np.ndarray:
        """One value per distinct text, given to every row holding that text (written into ``out`` if given)."""
        return np.take(np.asarray(list(per_text), dtype=dtype), self.codes, out=out)

    def first_rows(self) -> np.ndarray:
        """The position of the first row holding each text (the number of rows for a text no row holds)."""
        first = np.full(len(self.texts), len(self.codes), dtype=np.int64)
        used, where = np.unique(self.codes, return_index=True)
        first[used] = where
        return first


@dataclass(frozen=True)
class ColumnTable:
    """The rows of a table that hold anything, cut or padded to the header's width, column by column.

    ``row_numbers`` are those rows' spreadsheet rows; ``head`` is the first few rows after the
    header as read, blank or not, with their numbers (padded to the header's width where the C
    parser read them); ``problems`` are the rows with values beyond the header's last column.
    """

    file: str
    header: list[str]
    columns: list[Column]
    row_numbers: list[int]
    head: list[tuple[list[str], int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _column(cells: np.ndarray) -> Column:
    codes, texts = pd.factorize(cells)
    return Column(list(texts), smallest_codes(codes, len(texts)))


def from_raw(raw: RawTable) -> ColumnTable:
    """Any raw table as coded columns (rows with nothing in them left out, as `tables.filled_rows` does)."""
    problems: list[Problem] = []
    rows, numbers = filled_rows(raw, problems)
    width = len(raw.header)
    cells = np.empty((len(rows), width), dtype=object)
    if rows:
        cells[:] = rows
    return ColumnTable(
        raw.file, list(raw.header), [_column(cells[:, j]) for j in range(width)], numbers,
        [(list(r), n) for r, n in zip(raw.rows[:HEAD_ROWS], raw.row_numbers[:HEAD_ROWS])], problems,
    )


def read_columns(path: str | os.PathLike, text_columns: Collection[str] = ()) -> ColumnTable:
    """Read a CSV or XLSX answers file as coded columns, with exactly `tables.read_table`'s cells and errors.

    ``text_columns`` names the columns expected to hold long texts (ids, segment values,
    comments): they are read as strings at once rather than as short bytes first.
    """
    small = not os.path.isfile(path) or os.path.getsize(path) < FAST_FROM_BYTES
    table = None if small else read_csv_fast(path, text_columns)
    return table if table is not None else from_raw(read_table(path))


def read_csv_fast(path: str | os.PathLike, text_columns: Collection[str] = ()) -> ColumnTable | None:
    """A CSV file read by numpy if it is regular, else by pandas' C parser; None where either might
    read otherwise than the csv module (the caller then reads it with `tables.read_table`). Raises
    CxError for what is not UTF-8 text."""
    path = Path(path)
    if not (path.suffix.lower() in (".csv", ".txt", ".tsv") and path.is_file()
            and 0 < path.stat().st_size <= MAX_TABLE_BYTES):
        return None  # read_table reads it or says what is wrong
    data, delimiter = read_csv_bytes(path)  # refuses what is not UTF-8 text, as read_table does
    if not plain_quoting(data, delimiter):
        return None
    regular = read_regular(data, delimiter)
    if regular is None:
        return _read_by_parser(str(path), data, delimiter, set(text_columns))
    header_cells, raw_columns = regular
    header = [_text(cell).strip() for cell in header_cells]
    if not any(header):
        return None  # an empty header: read_table says so (and still reads every row)
    return _filled(str(path), header, [_raw_column(codes, cells) for codes, cells in raw_columns])


def _read_by_parser(file: str, data: bytes, delimiter: str, text_columns: set[str]) -> ColumnTable | None:
    """The file read by pandas' C parser, or None where it might read otherwise than the csv module."""
    options = dict(sep=delimiter, header=None, index_col=False, na_filter=False, keep_default_na=False,
                   skip_blank_lines=False, quotechar='"', doublequote=True, escapechar=None, comment=None,
                   encoding="utf-8", engine="c")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            first = pd.read_csv(io.BytesIO(data), nrows=1, dtype=object, **options)
            header = [str(h).strip() for h in first.iloc[0].tolist()]
            if not any(header):
                return None  # an empty header: read_table says so (and still reads every row)
            wide = {j for j, name in enumerate(header) if name in text_columns}
            columns = _code(data, options, len(header), wide)
        except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError, ValueError):
            return None  # a row wider than the header, say: read_table gives the exact cells and message
    if any(max(map(len, column.texts), default=0) > csv.field_size_limit() for column in columns):
        return None  # read_table refuses it with the csv module's message
    return _filled(file, header, columns)


def plain_quoting(data: bytes, delimiter: str) -> bool:
    """Whether every double quote opens a field, closes one before a delimiter, a line end or the end
    of the file, or is doubled inside a quoted field; and no quoted field is left open.

    On such a file pandas' C parser and the csv module (strict) read the same cells. Quotes come
    in runs; whether a run starts and ends inside a quoted field follows from the parity of the
    quotes before it, so the check is a few array operations per block of the file.
    """
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    field_end = np.zeros(256, dtype=bool)
    field_end[[ord(delimiter), ord("\n"), ord("\r")]] = True
    quote, seen, size, block = ord('"'), 0, len(bytes_), 1 << 22
    for start in range(0, size, block):
        at = np.flatnonzero(bytes_[start:start + block] == quote) + start
        if not len(at):
            continue
        before = np.where(at > 0, bytes_[np.maximum(at - 1, 0)], ord("\n"))
        after = np.where(at < size - 1, bytes_[np.minimum(at + 1, size - 1)], ord("\n"))
        outside_before = (seen + np.arange(len(at))) % 2 == 0  # an even count of quotes before this one
        opens = outside_before & (before != quote)  # a run of quotes starting outside a quoted field
        closes = ~outside_before & (after != quote)  # a run ending outside one (this quote makes the count even)
        if not (field_end[before[opens]].all() and field_end[after[closes]].all()):
            return False
        seen += len(at)
    return seen % 2 == 0


def _text(cell: bytes) -> str:
    """A raw cell's text: a quoted cell without its quotes, its doubled quotes single."""
    if cell.startswith(b'"'):
        cell = cell[1:-1].replace(b'""', b'"')
    return cell.decode("utf-8")


def _raw_column(codes: np.ndarray, cells: list[bytes]) -> Column:
    """A column of raw cells as texts; cells of the same text ("4" and 4) are made one."""
    joined = b"\0".join(cells)  # one decoding for all of them: a text file holds no NUL
    if b'"' in joined:
        texts = [_text(cell) for cell in cells]
    else:
        texts = joined.decode("utf-8").split("\0") if cells else []
    if len(set(texts)) == len(texts):
        return Column(texts, codes)
    index: dict[str, int] = {}
    merged = np.array([index.setdefault(text, len(index)) for text in texts], dtype=np.int64)
    return Column(list(index), smallest_codes(merged[codes], len(index)))


class _Coder:
    """Gives each distinct cell text of one column a code, chunk by chunk, in order of first appearance."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.parts: list[np.ndarray] = []

    def add(self, cells: np.ndarray) -> bool:
        """Code a chunk of cells (strings, or bytes of `WIDTH`); False if a bytes cell may have been cut."""
        if cells.dtype.kind == "S":
            if len(cells) and cells.view(np.uint8).reshape(-1, WIDTH)[:, -1].any():
                return False
            local, keys = pd.factorize(cells.view(np.uint64))
            texts = [key.decode("utf-8") for key in keys.view(f"S{WIDTH}").tolist()]
        else:
            local, keys = pd.factorize(cells)
            texts = keys.tolist()
        known = self.codes
        if not known:  # the first chunk (most often the only one): its own codes stand
            known.update(zip(texts, range(len(texts))))
            self.parts.append(smallest_codes(local, len(known)))
            return True
        codes = np.fromiter((known.setdefault(text, len(known)) for text in texts), dtype=np.int64, count=len(texts))
        self.parts.append(smallest_codes(codes[local], len(known)))
        return True

    def column(self) -> Column:
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int8)
        return Column(list(self.codes), codes)


def _code(data: bytes, options: dict, width: int, wide: set[int]) -> list[Column]:
    """Every column coded; columns with a cell that fills `WIDTH` bytes are read again, as strings."""
    coders: dict[int, _Coder] = {}
    pending = list(range(width))
    while pending:  # twice at most: strings are never cut
        cut = _code_columns(data, options, width, pending, wide, coders)
        wide, pending = wide | cut, sorted(cut)
    return [coders[j].column() for j in range(width)]


def _code_columns(data: bytes, options: dict, width: int, names: list[int], wide: set[int],
                  coders: dict[int, _Coder]) -> set[int]:
    """One pass of the parser over the columns ``names``; the set of those whose cells did not fit."""
    cut: set[int] = set()
    coders.update({j: _Coder() for j in names})
    dtype = {j: object if j in wide else f"S{WIDTH}" for j in names}
    # the first pass reads every column: with usecols the parser would let a row wider than the header pass
    subset = {"usecols": names} if len(names) < width else {}
    chunks = pd.read_csv(io.BytesIO(data), names=range(width), dtype=dtype, chunksize=CHUNK_ROWS, **subset, **options)
    for number, chunk in enumerate(chunks):
        arrays = [chunk[j].to_numpy() for j in names]
        del chunk  # each column's array goes once coded
        for k, j in enumerate(names):
            cells, arrays[k] = arrays[k], None
            if j not in cut and not coders[j].add(cells[1:] if number == 0 else cells):  # record 1 is the header
                cut.add(j)
    return cut


def _filled(file: str, header: list[str], columns: list[Column]) -> ColumnTable:
    """Leave out the rows with nothing in them; codes renumbered by first appearance in the rows kept."""
    records = len(columns[0].codes)
    filled = np.zeros(records, dtype=bool)
    for column in sorted(columns, key=lambda c: len(c.texts)):  # few texts first: a few columns mostly settle it
        filled |= column.spread((bool(text.strip()) for text in column.texts), dtype=bool)
        if filled.all():
            break
    head = [([column.texts[column.codes[r]] for column in columns], r + 2) for r in range(min(HEAD_ROWS, records))]
    rows = np.flatnonzero(filled)
    if len(rows) == records:  # every row kept: codes and texts stay as they are
        return ColumnTable(file, header, columns, (rows + 2).tolist(), head, [])
    kept = []
    for column in columns:
        codes, used = pd.factorize(column.codes[rows])
        kept.append(Column([column.texts[u] for u in used], smallest_codes(codes, len(used))))
    return ColumnTable(file, header, kept, (rows + 2).tolist(), head, [])
