"""Reading a regular CSV file with numpy: its cells found and coded column by column, no parser.

Most answers files are regular: one kind of line end ("\\n" or "\\r\\n"), every line holding as
many cells as the header, double quotes only around whole cells (`columns.plain_quoting`) and
no carriage return inside them. In such a file the cells are the bytes between the delimiters
and line feeds outside quoted cells, so they are found a block of the file at a time with a few
array operations. A cell of up to 8 bytes is read as one 64-bit number (its bytes, zeros above);
a longer one is numbered among the long cells, Python seeing one cell of each kind. Each column's
numbers are then factorized, many lines at once. No Python object is made per short cell, and
memory stays bounded by the block sizes. Anything else (a blank or ragged line, a lone carriage
return) is not regular: `read_regular` says None, and another reader reads the file.

The cells come out raw (a quoted cell with its quotes); `columns` turns them into texts.
"""

from __future__ import annotations

import csv
from typing import Iterator

import numpy as np
import pandas as pd

#: Bytes of the file whose cells are found at a time: their arrays (8 bytes a cell) stay in the cache.
BLOCK_BYTES = 1 << 19
#: Cells gathered before each column's are factorized: one call per column for many lines.
STAGE_CELLS = 1 << 22
#: The longest cell held as one number.
SHORT = 8
#: The longest cell told apart by its words; longer ones are read in Python.
WORDED = 4 * SHORT
#: The mask keeping a cell's bytes of a word, by the cell's length (cut at 8).
_MASKS = np.array([(1 << 8 * n) - 1 for n in range(SHORT)] + [2**64 - 1], dtype=np.uint64)
_LF, _CR, _QUOTE = ord("\n"), ord("\r"), ord('"')


class _Irregular(Exception):
    """The file is not regular: another reader must read it."""


def read_regular(data: bytes, delimiter: str) -> tuple[list[bytes], list[tuple[np.ndarray, list[bytes]]]] | None:
    """The header's cells and, per column, the code of each later line's cell with the distinct
    cells in order of first appearance (raw: a quoted cell keeps its quotes); None if the file is
    not regular (see the module) or holds a cell longer than the csv module's field size limit.

    ``data`` is the file without its BOM, with plain quoting (checked before).
    """
    if len(data) < SHORT or data.endswith(b"\r"):
        return None
    reader = _Reader(data, delimiter)
    try:
        blocks = reader.blocks()
        first = next(blocks)
        header = reader.cells(first[0])
        columns = [_Column() for _ in header]
        stage = _Stage(columns)
        stage.add(first[1:])
        for keys in blocks:
            stage.add(keys)
        stage.flush()
    except _Irregular:
        return None
    return header, [column.result(reader) for column in columns]


class _Reader:
    """A regular file's cells as numbers, a block of lines at a time (positions count from the block's start)."""

    def __init__(self, data: bytes, delimiter: str) -> None:
        self.data, self.delimiter = data, ord(delimiter)
        self.bytes = np.frombuffer(data, dtype=np.uint8)
        self.words = np.ndarray((len(data) - SHORT + 1,), dtype="<u8", buffer=data, strides=(1,))  # 8 bytes from each
        self.start = 0  # the block's first byte in the file
        self.long_cells: dict[bytes, int] = {}  # a long cell's bytes -> its number, from 1
        self.buffers: dict[str, np.ndarray] = {}  # work arrays kept from block to block (see `_buffer`)

    def blocks(self) -> Iterator[np.ndarray]:
        """Each block's keys, one row per line (the header's first), one column per column."""
        size, crlf = len(self.data), b"\r" in self.data
        width = line_ends = 0
        block = BLOCK_BYTES
        while self.start < size:
            window = self.bytes[self.start:self.start + block]
            seps, lines = self._separators(window)
            if self.start + block < size:  # up to the last whole line
                if not len(lines):
                    block *= 2  # a line longer than the block
                    continue
                seps = seps[:np.searchsorted(seps, lines[-1]) + 1]
            elif not (len(lines) and lines[-1] == len(window) - 1):  # no line end after the last line
                seps, lines = np.append(seps, len(window)), np.append(lines, len(window))
            width = width or int(np.searchsorted(seps, lines[0])) + 1  # the header's cells
            if len(seps) != len(lines) * width or not np.array_equal(seps[width - 1::width], lines):
                raise _Irregular  # a line with more or fewer cells than the header
            starts = self._buffer("starts", len(seps), np.int64)
            starts[0] = 0
            np.add(seps[:-1], 1, out=starts[1:])
            lengths = np.subtract(seps, starts, out=self._buffer("lengths", len(seps), np.int64))
            if crlf:
                real = lines[lines < len(window)]  # not the end of a file without a final line end
                if len(real) and (real[0] == 0 or (window[real - 1] != _CR).any()):
                    raise _Irregular
                lengths[width - 1::width][:len(real)] -= 1
                line_ends += len(real)
            self._copy_words(int(seps[-1]) + 1)
            yield self._keys(starts, lengths).reshape(-1, width)
            self.start += int(seps[-1]) + 1
        if crlf and self.data.count(b"\r") != line_ends:
            raise _Irregular  # a carriage return inside a quoted cell or not before a line feed

    def _separators(self, window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the delimiters and line feeds in the window, and of the line feeds,
        outside quoted cells."""
        feeds = np.equal(window, _LF, out=self._buffer("feeds", len(window), bool))
        found = np.equal(window, self.delimiter, out=self._buffer("found", len(window), bool))
        found |= feeds
        if self.data.find(b'"', self.start, self.start + len(window)) >= 0:  # a block starts outside quotes:
            quotes = np.flatnonzero(window == _QUOTE)  # its quotes pair, open and close
            inside = _between(quotes[0::2], np.append(quotes[1::2], len(window)))  # the last may close later
            feeds[inside] = found[inside] = False
        return np.flatnonzero(found), np.flatnonzero(feeds)

    def _buffer(self, name: str, size: int, dtype: type) -> np.ndarray:
        """A work array of ``size`` items, the same memory block after block: fresh memory costs a page
        fault per 4 KB, and arrays a few megabytes large would be fresh each time."""
        array = self.buffers.get(name)
        if array is None or len(array) < size:
            array = self.buffers[name] = np.empty(max(size, BLOCK_BYTES), dtype=dtype)
        return array[:size]

    def _copy_words(self, end: int) -> None:
        """Copy the words at the block's positions up to ``end``, aligned: far quicker to gather from."""
        count = max(0, min(end, len(self.words) - self.start))
        np.copyto(self._buffer("words", count, np.uint64), self.words[self.start:self.start + count])

    def _keys(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Each cell as a number: its own bytes if it is short, else its number among the long cells."""
        keys = self._words(starts, lengths, out=self._buffer("keys", len(starts), np.uint64))
        long = np.flatnonzero(lengths > SHORT)
        if len(long):
            if lengths[long].max() > csv.field_size_limit():
                raise _Irregular  # the csv module refuses it: read_table says so
            keys[long] = self._long_keys(starts[long], lengths[long], keys[long])
        return keys

    def _words(self, at: np.ndarray, lengths: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The bytes at positions ``at`` (ascending) as numbers, ``lengths`` of them (at most 8), zeros above."""
        found = np.empty(len(at), dtype=np.uint64) if out is None else out
        last = len(self.words) - 1 - self.start
        near_end = int(np.searchsorted(at, last, side="right"))
        np.take(self.buffers["words"], at[:near_end], out=found[:near_end])
        if near_end < len(at):  # the file's last 7 positions: its last word, shifted
            found[near_end:] = self.words[-1] >> ((at[near_end:] - last) * 8).astype(np.uint64)
        found &= _MASKS.take(lengths, mode="clip", out=self._buffer("masks", len(at), np.uint64))
        return found

    def _long_keys(self, at: np.ndarray, lengths: np.ndarray, first_words: np.ndarray) -> np.ndarray:
        """Keys ``n << 8`` for cells over 8 bytes, n numbering their distinct bytes from 1.

        A short cell's key has a non-zero low byte (its first byte: a text file holds no NUL) or
        is 0 (a blank), so the two kinds never meet. Cells of up to `WORDED` bytes (segment values,
        labels) are told apart 8 bytes at a time, so that Python reads one cell of each kind; longer
        ones (comments) are read in Python.
        """
        keys = np.empty(len(at), dtype=np.uint64)
        worded = np.flatnonzero(lengths <= WORDED)
        if len(worded):
            at_, lengths_ = at[worded], lengths[worded]
            kinds = self._kinds(at_, lengths_, first_words[worded])  # numbered in order of first appearance,
            one = np.flatnonzero(np.diff(np.maximum.accumulate(kinds), prepend=-1))  # so a kind's first is a new high
            keys[worded] = self._numbers(self._cells_at(at_[one], lengths_[one]))[kinds]
        longer = np.flatnonzero(lengths > WORDED)
        if len(longer):
            kinds, distinct = pd.factorize(np.array(self._cells_at(at[longer], lengths[longer]), dtype=object))
            keys[longer] = self._numbers(distinct.tolist())[kinds]
        return keys

    def _kinds(self, at: np.ndarray, lengths: np.ndarray, first_words: np.ndarray) -> np.ndarray:
        """Each cell's number among the distinct ones, in order of first appearance: each round numbers
        anew the cells that go on, by their number so far and their next 8 bytes, above the others."""
        kinds = pd.factorize(first_words)[0]
        for offset in range(SHORT, int(lengths.max()), SHORT):
            going = np.flatnonzero(lengths > offset)
            more, distinct = pd.factorize(self._words(at[going] + offset, lengths[going] - offset))
            kinds[going] = pd.factorize(kinds[going] * len(distinct) + more)[0] + (kinds.max() + 1)
        return pd.factorize(kinds)[0]

    def _cells_at(self, at: np.ndarray, lengths: np.ndarray) -> list[bytes]:
        data = self.data
        return [data[s:s + n] for s, n in zip((at + self.start).tolist(), lengths.tolist())]

    def _numbers(self, cells: list[bytes]) -> np.ndarray:
        """The keys of distinct long cells: ``n << 8``, n numbering them from 1 the first time they are seen."""
        number = self.long_cells.setdefault
        return np.array([number(cell, len(self.long_cells) + 1) for cell in cells], dtype=np.uint64) << np.uint64(8)

    def cells(self, keys: np.ndarray) -> list[bytes]:
        """The bytes each key stands for."""
        cells = keys.view(f"S{SHORT}").tolist()  # little-endian: the bytes in order, zeros stripped
        long = np.flatnonzero((keys & np.uint64(0xFF) == 0) & (keys != 0))
        if len(long):
            long_cells = list(self.long_cells)
            for k, number in zip(long.tolist(), (keys[long] >> np.uint64(8)).tolist()):
                cells[k] = long_cells[number - 1]
        return cells


def _between(opens: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """The positions strictly between each opening quote and its closing quote."""
    opens = opens + 1
    counts = closes[:len(opens)] - opens
    return np.repeat(opens - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())


class _Column:
    """One column's codes, part by part: its distinct keys numbered in order of first appearance."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []  # the codes of a part's keys, and its distinct keys

    def add(self, keys: np.ndarray) -> None:
        codes, distinct = pd.factorize(keys)
        self.parts.append((smallest_codes(codes, len(distinct)), distinct))

    def result(self, reader: _Reader) -> tuple[np.ndarray, list[bytes]]:
        """The codes of the column's cells, and its distinct cells."""
        if len(self.parts) == 1:
            codes, distinct = self.parts[0]
            return codes, reader.cells(distinct)
        # the parts' distinct keys in file order, numbered by first appearance: as if all were one part
        numbers, distinct = pd.factorize(np.concatenate([part for _, part in self.parts]))
        numbers = smallest_codes(numbers, len(distinct))
        codes = np.empty(sum(len(part_codes) for part_codes, _ in self.parts), dtype=numbers.dtype)
        at = done = 0
        for part_codes, part in self.parts:
            np.take(numbers[at:at + len(part)], part_codes, out=codes[done:done + len(part_codes)])
            at, done = at + len(part), done + len(part_codes)
        return codes, reader.cells(distinct)


class _Stage:
    """Keys gathered column by column, so that each column is factorized for many lines at once."""

    def __init__(self, columns: list[_Column]) -> None:
        self.columns = columns
        self.keys = np.empty((len(columns), max(1, STAGE_CELLS // len(columns))), dtype=np.uint64)
        self.filled = 0

    def add(self, keys: np.ndarray) -> None:
        room = self.keys.shape[1]
        while len(keys):
            if self.filled == room:
                self.flush()
            taken = keys[:room - self.filled]
            self.keys[:, self.filled:self.filled + len(taken)] = taken.T
            self.filled += len(taken)
            keys = keys[len(taken):]

    def flush(self) -> None:
        for column, keys in zip(self.columns, self.keys[:, :self.filled]):
            column.add(keys)
        self.filled = 0


def smallest_codes(codes: np.ndarray, count: int) -> np.ndarray:
    """``codes`` (0 to ``count`` - 1) in the narrowest integer type that holds them: 100,000 rows a column."""
    dtype = np.int8 if count < 2**7 else np.int16 if count < 2**15 else np.int32
    return codes.astype(dtype, copy=False)
