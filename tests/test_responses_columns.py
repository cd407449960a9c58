"""Column-wise validation and the C-parser reader give exactly what the per-cell path gives.

The reference is the per-cell validation as it was (tests/reference_validation.py) over the csv
module's rows (`tables.read_table`). Tables of hostile cells (blanks, labels in any case and
spacing, numbers with spaces, decimals, out of range, dates, 'n/a' variants, repeated and blank
respondent ids, unknown segment values, short, long and blank rows, duplicate and unnamed
columns) are validated both ways, in memory and as CSV files in several dialects, some of them
damaged on purpose; the Responses frames must be equal to the last bit and the problem lists
identical (wording, place, order).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from conftest import TINY_TEMPLATE
from reference_validation import reference_load, reference_validate
from cxassess.analysis.scoring import cronbach_alpha, flip_reversed, respondent_pillar_means, score
from cxassess.core.errors import CxError
from cxassess.inputs import columns, plain_csv
from cxassess.inputs.columns import Column, from_raw, plain_quoting, read_columns, read_csv_fast
from cxassess.inputs.plain_csv import read_regular
from cxassess.inputs.responses import load_responses, validate_table
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.tables import RawTable, csv_delimiter, decode_text, read_csv_bytes, read_table
from cxassess.inputs.templates import Template, find_template, load_template

EXAMPLES = int(os.environ.get("CXASSESS_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TINY = load_template(TINY_TEMPLATE)
CX = find_template("cx_service_strategy")
FRAMES = ("ratings", "not_applicable", "importance", "target", "comments", "segments")
_SCRATCH = tempfile.TemporaryDirectory(prefix="cxcolumns-")  # removed when the test process ends

ANSWERS = ["", " ", "1", "2", "3", "4", "5", " 4 ", "4 ", "\t2", "0", "6", "7", "-1", "4.0", "4.5", "3,5", "1e3",
           "inf", "nan", "N/A", "n/a", " n/a ", "N / A", "NA", "na", "Don't know", "don\u2019t know", "DON'T  KNOW",
           "Agree", " agree ", "STRONGLY   disagree", "Strongly agree", "Neutral", "Agreee", "2026-10-01",
           "31/10/2026", "=1+2", "TRUE", "\u00e9t\u00e9", '"', "x\ny", "a,b", "a very long answer that is no rating at all"]
IDS = ["R1", "R2", "R3", " R1", "R1 ", "r1", "R10", "", " ", "\u00e9-7", " respondent_id"]
SEGMENT_VALUES = ["Manager", "manager", " MANAGER ", "Back  office", "back office", "Frontline", "Leadership",
                  "Unknown", "unknown ", "", " ", "Sales", "sales", "Sales  Team", "Sales Team"]


TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=8)


def cells(name: str) -> st.SearchStrategy[str]:
    """Cell texts for a column of this name: what such a column holds, near misses and anything."""
    base = name.partition(":")[2] or name
    if name == "respondent_id":
        pool = IDS
    elif name in ("role", "department"):
        pool = SEGMENT_VALUES
    elif base == "comment":
        pool = ["", " ", "Good", " good ", "two\nlines", "a, b"]
    else:
        pool = ANSWERS
    return st.one_of(st.sampled_from(pool), st.sampled_from(pool), TEXT)


@st.composite
def answer_tables(draw, template: Template, max_rows: int = 10) -> tuple[list[str], list[list[str]]]:
    qids = template.question_ids
    names = ["respondent_id", *template.segment_ids, *qids,
             *(f"{q}:{c}" for q in qids[:3] for c in ("importance", "target", "comment")),
             "unknown", f"{qids[0]}:bogus", ""]
    header = draw(st.lists(st.sampled_from(names), min_size=1, max_size=12))
    if draw(st.booleans()):  # most files carry the id and every question
        header = list(dict.fromkeys(["respondent_id", *qids, *header]))
    shapes = ["as is"] * 12 + ["short", "blank"] + (["long"] if draw(st.integers(0, 3)) == 0 else [])
    rows = []
    for _ in range(draw(st.integers(0, max_rows))):
        row = [draw(cells(name)) for name in header]
        shape = draw(st.sampled_from(shapes))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row)))]
        elif shape == "long":
            row += draw(st.lists(st.sampled_from(["", " ", "x", "5"]), min_size=1, max_size=3))
        elif shape == "blank":
            row = [draw(st.sampled_from(["", " "])) for _ in row]
        rows.append(row)
    return header, rows


def assert_same(got: tuple, expected: tuple) -> None:
    """The same responses (every frame to the last bit, index and dtypes included) and the same problems."""
    (responses, problems), (reference, reference_problems) = got, expected
    assert problems == reference_problems
    assert (responses is None) == (reference is None)
    if reference is not None:
        for name in FRAMES:
            pd.testing.assert_frame_equal(getattr(responses, name), getattr(reference, name), check_exact=True,
                                          check_index_type=True, check_column_type=True, obj=name)
        assert responses.source == reference.source


def outcome(load, path: Path, template: Template) -> tuple:
    try:
        return load(path, template)
    except CxError as exc:
        return None, list(exc.problems)


def reader(path: Path, text_columns: list[str] = ()) -> str:
    """Which reader `read_csv_fast` takes for a file: numpy's (a regular file), the C parser's, or none."""
    found = []
    with mock.patch.object(columns, "read_regular", lambda *args: found.append(read_regular(*args)) or found[-1]):
        fast = read_csv_fast(path, text_columns)
    if fast is None:
        return "csv module"
    return "numpy" if found and found[-1] is not None else "C parser"


def write(name: str, data: bytes) -> Path:
    path = Path(tempfile.mkdtemp(dir=_SCRATCH.name)) / name
    path.write_bytes(data)
    return path


@st.composite
def csv_files(draw, table: tuple[list[str], list[list[str]]]) -> bytes:
    """A table as CSV bytes in some dialect, sometimes with a stray character added anywhere."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerows([header, *rows])
    data = ("\ufeff" if draw(st.booleans()) else "") + buffer.getvalue()
    if draw(st.booleans()):
        data = data.rstrip("\r\n")
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(['"', ",", ";", "\n", "\r", '""', " "])) + data[at:]
    return data.encode("utf-8")


# ------------------------------------------------------------------------------- validation


@pytest.mark.slow  # a property-based hunt over many generated tables
@SETTINGS
@given(table=answer_tables(TINY))
def test_column_validation_gives_the_per_cell_results(table):
    header, rows = table
    raw = RawTable("mem.csv", header, rows, list(range(2, len(rows) + 2)))
    assert_same(validate_table(raw, TINY), reference_validate(raw, TINY))


@pytest.mark.slow  # a property-based hunt over many generated tables
@SETTINGS
@given(table=answer_tables(CX, max_rows=60))
def test_column_validation_of_the_default_questionnaire(table):
    header, rows = table
    raw = RawTable("big.csv", header, rows, list(range(2, len(rows) + 2)))
    assert_same(validate_table(raw, CX), reference_validate(raw, CX))


@pytest.mark.slow  # a property-based hunt over many generated tables
@SETTINGS
@given(data=st.data(), template=st.sampled_from([TINY, CX]))
def test_loading_a_file_gives_the_per_cell_results(data, template):
    content = data.draw(csv_files(data.draw(answer_tables(template, max_rows=25))))
    path = write("responses.csv", content)
    try:
        event(reader(path, ["respondent_id", *template.segment_ids]))
    except CxError:
        event("not text")
    expected = outcome(reference_load, path, template)
    assert_same(outcome(load_responses, path, template), expected)  # small: the csv module reads it
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):  # and the C parser, where it may
        assert_same(outcome(load_responses, path, template), expected)


@pytest.mark.slow  # hundreds of respondents, validated both ways
def test_a_sample_file_takes_the_fast_path_and_gives_the_same_results():
    frame = generate(CX, Profile(respondents=400), seed=3)
    frame.loc[5, "vision_1"] = "Strongly agree"  # a long label: that column is read a second time, as text
    frame.loc[9, "vision_2:importance"] = " 4.5 "
    frame.loc[11, "respondent_id"] = frame.loc[10, "respondent_id"]
    path = write("responses.csv", ("\ufeff" + frame.to_csv(index=False, lineterminator="\r\n")).encode())
    assert reader(path, ["respondent_id"]) == "numpy"
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):  # the file is smaller than the C parser's threshold
        assert_same(outcome(load_responses, path, CX), outcome(reference_load, path, CX))
    valid = write("valid.csv", generate(CX, Profile(respondents=300), seed=4).to_csv(index=False).encode())
    responses, warnings = load_responses(valid, CX)
    assert len(responses) == 300
    assert_same((responses, warnings), reference_load(valid, CX))


BAD = Path(__file__).parent / "data" / "bad_responses"


@pytest.mark.parametrize("path", sorted(p for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx")), ids=lambda p: p.name)
@pytest.mark.parametrize("template", [TINY, CX], ids=["tiny", "cx"])
def test_the_bad_file_corpus_gives_the_per_cell_results(path, template):
    expected = outcome(reference_load, path, template)
    assert_same(outcome(load_responses, path, template), expected)
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):  # the faster readers, where they may
        assert_same(outcome(load_responses, path, template), expected)


@SETTINGS
@given(start=st.sampled_from([b"", codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0"]),
       text=st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
       damage=st.sampled_from([b"", b"\x00", b"\xe9", b"\xc3", b"\xff", codecs.BOM_UTF8]), at=st.integers(0, 100))
def test_the_bytes_the_faster_readers_take_are_checked_as_decode_text_checks_them(start, text, damage, at):
    """`read_csv_bytes` refuses exactly what `decode_text` refuses, with its messages, and gives the
    text's bytes (without a BOM) and its delimiter otherwise."""
    body = text.encode("utf-8")
    data = start + body[:at] + damage + body[at:]
    path = write("bytes.csv", data)
    try:
        text = decode_text(path, data)
    except CxError as exc:
        with pytest.raises(CxError) as again:
            read_csv_bytes(path)
        assert again.value.problems == exc.problems
        return
    assert read_csv_bytes(path) == (text.encode("utf-8"), csv_delimiter(text))


# ---------------------------------------------------------------------------------- reading


def comparable(table) -> tuple:
    """A coded table as plain rows (head rows padded to the header's width, as the C parser gives them)."""
    width = len(table.header)
    return (table.file, table.header, table.row_numbers,
            [[column.texts[k] for k in column.codes] for column in table.columns],
            [((cells + [""] * width)[:width], number) for cells, number in table.head], table.problems)


csv_text = st.text(st.sampled_from(list('ab1 ,;\t"\r\n') + ["\u00e9", "\u2028", "\x0c", "\x85"]), max_size=60)


@pytest.mark.slow  # a property-based hunt over many generated tables
@SETTINGS
@given(text=csv_text, bom=st.booleans())
def test_the_c_parser_reads_what_the_csv_module_reads(text, bom):
    path = write("any.csv", (("\ufeff" if bom else "") + text).encode("utf-8"))
    try:
        expected = comparable(from_raw(read_table(path)))
    except CxError as exc:  # the csv module refuses it: the fast reader leaves it to the csv module
        assert read_csv_fast(path) is None
        with pytest.raises(CxError) as again:
            read_columns(path)
        assert again.value.problems == exc.problems
        return
    event(reader(path))
    fast = read_csv_fast(path)
    if fast is not None:
        assert comparable(fast) == expected
    assert comparable(read_columns(path)) == expected
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):
        assert comparable(read_columns(path)) == expected


@pytest.mark.parametrize("text, plain", [
    ("a,b\n1,2\n", True),
    ('a,"b,c"\n"1","2"\n', True),
    ('a,"say ""hi"""\n', True),
    ('"",x\n""""\n', True),
    ('a,"two\nlines",c\n', True),
    ('a,b"c\n', False),  # a quote inside an unquoted field
    ('a,"b"c\n', False),  # something after the closing quote
    ('a, "b"\n', False),  # a space before the opening quote
    ('a,"b\n', False),  # never closed
    ('a;"b;c"\n', True),
])
def test_plain_quoting_by_hand(text, plain):
    delimiter = ";" if ";" in text else ","
    assert plain_quoting(text.encode(), delimiter) is plain


def test_plain_quoting_sees_quotes_in_every_block_of_a_long_file():
    line = b'R1,"a ""quoted"" comment, with a comma",4\n'
    data = line * ((1 << 23) // len(line))  # two blocks and a half
    assert plain_quoting(data, ",")
    assert not plain_quoting(data + b'R2,"x"y,4\n', ",")
    assert not plain_quoting(data + b'R2,"x\n', ",")


def test_files_the_c_parser_might_read_otherwise_go_to_the_csv_module(monkeypatch):
    wide = write("wide.csv", b"respondent_id,q1,q2,q3,q4,q5\nR1,1,2,3,4,5,6\n")
    long_cell = write("long.csv", b"respondent_id,q1\nR1," + b"x" * (csv.field_size_limit() + 1) + b"\n")
    stray_quote = write("quote.csv", b'respondent_id,q1\nR1,4"\n')
    for path in (wide, long_cell, stray_quote):
        assert read_csv_fast(path) is None
        assert_same(outcome(load_responses, path, TINY), outcome(reference_load, path, TINY))


# ----------------------------------------------------------- the numpy reader of regular files


def csv_module_reading(path: Path) -> tuple:
    """What the csv module reads, as coded columns: the reference the readers are held to."""
    return comparable(from_raw(read_table(path)))


def read_by_numpy(path: Path, block: int = plain_csv.BLOCK_BYTES, stage: int = plain_csv.STAGE_CELLS) -> tuple:
    """`read_columns` of any file, small or not, with the C parser and the csv module made to fail."""
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0), \
            mock.patch.object(columns, "_code", side_effect=AssertionError("the C parser read it")), \
            mock.patch.object(columns, "read_table", side_effect=AssertionError("the csv module read it")), \
            mock.patch.object(plain_csv, "BLOCK_BYTES", block), mock.patch.object(plain_csv, "STAGE_CELLS", stage):
        return comparable(read_columns(path))


REGULAR_CELLS = st.one_of(
    st.sampled_from(["", " ", "4", " 4 ", "N/A", "n/a ", "Agree", "1234567", "12345678", "123456789", "Back office",
                     "Strongly agree", "x" * 16, "x" * 16 + "y", "x" * 17, "Neither agree nor disagree", "x" * 32,
                     "x" * 33, "a comment of some forty bytes, or more", "\u00e9t\u00e9", "don\u2019t", "a, b", 'say "hi"',
                     "two\nlines", "\x0c", "\x85", "\u2028"]),
    st.text(st.characters(exclude_characters="\x00\r", exclude_categories=("Cs",)), max_size=20),
)


@st.composite
def regular_files(draw, cells: st.SearchStrategy[str] = REGULAR_CELLS) -> tuple[bytes, int, str]:
    """A regular CSV file (one kind of line end, every line as wide as the header), its width and delimiter.

    Cells are quoted where they must be (a delimiter, a quote or a line feed inside) and now and
    then where they need not; no carriage return inside a cell. Sometimes a BOM, sometimes no line
    end after the last line.
    """
    width = draw(st.integers(1, 6))
    delimiter = draw(st.sampled_from([",", ";", "\t"])) if width > 1 else ","  # what csv_delimiter finds
    names = st.text(st.characters(exclude_characters=',;\t"\x00\r\n', exclude_categories=("Cs",)), max_size=12)
    header = draw(st.lists(names, min_size=width, max_size=width).filter(lambda h: any(c.strip() for c in h)))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=40))
    quote_all = draw(st.sampled_from([False, False, True]))

    def field(text: str) -> str:
        if quote_all or any(c in text for c in (delimiter, '"', "\n")) or draw(st.integers(0, 9)) == 0:
            return '"' + text.replace('"', '""') + '"'
        return text

    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = "".join(delimiter.join(map(field, row)) + end for row in [header, *rows])
    if draw(st.booleans()):
        text = text[: -len(end)]
    assume(len(text.encode("utf-8")) >= plain_csv.SHORT)  # shorter files go to the C parser
    return (("\ufeff" if draw(st.booleans()) else "") + text).encode("utf-8"), width, delimiter


@pytest.mark.slow  # a property-based hunt over many generated files
@SETTINGS
@given(file=regular_files(), block=st.sampled_from([8, 13, 64, 1 << 19]), stage=st.sampled_from([1, 5, 1 << 22]))
def test_the_numpy_reader_reads_a_regular_file_as_the_csv_module_does(file, block, stage):
    """Blocks of a few bytes (lines cut anywhere, lines longer than a block) and stages of a few
    cells (each column coded in many parts) give what the csv module reads."""
    path = write("regular.csv", file[0])
    assert read_by_numpy(path, block, stage) == csv_module_reading(path)


@pytest.mark.slow  # a property-based hunt over many generated files
@SETTINGS
@given(file=regular_files(st.sampled_from(["1", "2", "N/A", "", " ", "Strongly agree", "Neither agree nor disagree"])))
def test_the_numpy_reader_reads_answers_like_columns(file):
    path = write("answers.csv", file[0])
    assert read_by_numpy(path, 16, 3) == csv_module_reading(path)


def damaged(data: bytes, delimiter: bytes, damage: str, at: int) -> bytes:
    """A regular file (no line feed inside a cell) made irregular: a line's cells or line end changed, or a
    carriage return added."""
    crlf = b"\r\n" in data
    lines = data.split(b"\r\n" if crlf else b"\n")
    k = at % (len(lines) - (lines[-1] == b""))  # not the nothing after a final line end
    if damage == "blank line":
        lines.insert(k, b"")
    elif damage == "wider line":
        lines[k] += delimiter + b"x"
    elif damage == "narrower line":
        lines[k] = lines[k].rpartition(delimiter)[0]
    elif damage == "lone carriage return":
        return data[:len(data) * at // 100] + b"\r" + data[len(data) * at // 100:]
    elif damage == "other line end":
        return (b"\n" if crlf else b"\r\n").join(lines[:k + 1]) + (b"\r\n" if crlf else b"\n") + \
            (b"\n" if crlf else b"\r\n").join(lines[k + 1:])
    return (b"\r\n" if crlf else b"\n").join(lines)


@pytest.mark.slow  # a property-based hunt over many generated files
@SETTINGS
@given(file=regular_files(st.sampled_from(["1", "2", "N/A", "", "x y", "Strongly agree", "a,b", "say \"hi\""])),
       damage=st.sampled_from(["blank line", "wider line", "narrower line", "lone carriage return", "other line end"]),
       at=st.integers(0, 99))
def test_an_irregular_file_is_left_to_the_other_readers(file, damage, at):
    data, width, delimiter = file
    assume(width > 1 or damage in ("lone carriage return", "other line end"))  # one column: a blank line is regular
    data = damaged(data, delimiter.encode(), damage, at)
    assume(data.count(b"\n") > 1 and not (damage == "other line end" and data.count(b"\n") == data.count(b"\r\n")))
    assume(not (damage == "lone carriage return" and data[:1] == b"\r"))
    path = write("irregular.csv", data)
    try:
        event(reader(path))
    except CxError:
        event("not text")  # a carriage return in the middle of a character
    body = data.removeprefix(b"\xef\xbb\xbf")
    if plain_quoting(body, delimiter):
        assert read_regular(body, delimiter) is None
    try:
        expected = csv_module_reading(path)
    except CxError as exc:
        with mock.patch.object(columns, "FAST_FROM_BYTES", 0), pytest.raises(CxError) as again:
            read_columns(path)
        assert again.value.problems == exc.problems
        return
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):
        assert comparable(read_columns(path)) == expected


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n\n3,4\n",  # a blank line
    "a,b\n1,2\n3\n",  # a narrower line
    "a,b\n1,2,3\n4,5\n",  # a wider line
    "a,b\n1,2\r\n3,4\n",  # two kinds of line end
    "a,b\r\n1,2\n3,4\r\n",
    "a,b\r1,2\r3,4\r",  # carriage returns alone
    "a,b\n1,2\r3,4\n",
    'a,b\r\n1,"x\ry"\r\n',  # a carriage return inside a quoted cell
    'a,b\r\n1,"x\r\ny"\r\n',
    "a,b\n1,2\n3,4\n\n",  # a blank last line
    "a,b\r\n1,2\r\n3,4\r",
])
def test_irregular_files_by_hand(text):
    data = text.encode()
    assert read_regular(data, ",") is None
    path = write("irregular.csv", data)
    with mock.patch.object(columns, "FAST_FROM_BYTES", 0):
        assert comparable(read_columns(path)) == csv_module_reading(path)


@pytest.mark.parametrize("text", [
    "respondent_id,q1\nR1,4\nR2,\n",
    "respondent_id,q1\r\nR1,4\r\nR2,",  # no line end after the last line, which ends in a blank cell
    'respondent_id,q1\nR1,"4"\nR2,4\n"R3",""\n',  # a quoted cell is the same text as an unquoted one
    'respondent_id;comment\nR1;"two\nlines; ""quoted"""\nR2;x\n',  # a quoted cell over two lines
    "only\n1\n\n \n2",  # one column: blank lines are lines like any other
    "respondent_id\tq1\nR1\t \u00e9t\u00e9 \n",
    "\ufeffrespondent_id,q1\nR1,12345678\nR2,123456789\nR3,1234567812345678\nR4,12345678123456789\n",
])
def test_regular_files_by_hand(text):
    path = write("regular.csv", text.encode())
    assert read_by_numpy(path) == read_by_numpy(path, 8, 1) == csv_module_reading(path)


def test_a_file_with_quotes_in_every_block_reads_the_same():
    line = 'R{},"a ""quoted"" comment, with a comma",4,"two\nlines",\n'
    path = write("quoted.csv", ("respondent_id,comment,q1,note,q2\n" + "".join(line.format(k) for k in range(5000))).encode())
    assert read_by_numpy(path) == read_by_numpy(path, 1 << 12, 999) == csv_module_reading(path)


def test_columns_spread_one_value_per_text_and_find_first_rows():
    column = Column(["4", "N/A", ""], np.array([0, 1, 0, 2, 1], dtype=np.int8))
    assert np.array_equal(column.spread([4.0, -1.0, 0.0]), [4.0, -1.0, 4.0, 0.0, -1.0])
    assert column.first_rows().tolist() == [0, 1, 3]
    assert Column(["a", "b"], np.array([1, 1], dtype=np.int8)).first_rows().tolist() == [2, 0]


# ---------------------------------------------------------------------------------- scoring


def test_pillar_figures_match_the_flipped_frame_they_are_defined_on():
    """Pillars are computed from each pillar's own flipped block; the sd and alpha are exactly those
    of the frame that flip_reversed gives (as they were computed before)."""
    responses, _ = load_responses(write("s.csv", generate(CX, Profile(respondents=500), seed=8).to_csv(
        index=False).encode()), CX)
    flipped = flip_reversed(responses.ratings, CX)
    means = respondent_pillar_means(CX, flipped)
    pillars = score(CX, responses).pillars
    for pillar in CX.pillars:
        spread = means[pillar.id].to_numpy(dtype=float)
        spread = spread[~np.isnan(spread)]
        assert pillars.loc[pillar.id, "sd"] == float(spread.std(ddof=1))
        alpha = cronbach_alpha(flipped[[q.id for q in pillar.questions]])[0]
        assert pillars.loc[pillar.id, "alpha"] == alpha or (np.isnan(alpha) and np.isnan(pillars.loc[pillar.id, "alpha"]))


def test_flip_reversed_leaves_its_input_alone():
    ratings = pd.DataFrame({"q1": [1.0, 5.0], "q2": [2.0, np.nan], "q3": [1.0, 4.0], "q4": [3.0, 3.0], "q5": [5.0, 1.0]})
    before = ratings.copy()
    flipped = flip_reversed(ratings, TINY)
    flipped.loc[0, "q1"] = 99.0  # a change to the result never reaches the input
    assert flipped["q3"].tolist() == [5.0, 2.0]
    pd.testing.assert_frame_equal(ratings, before)
