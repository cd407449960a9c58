"""Property-based fuzzing of every loader and importer: bad bytes or wrong tables raise CxError, nothing else.

Each property feeds a loader arbitrary bytes, or a well-formed table (CSV or XLSX) whose
header and cells mix the template's own names and answers with arbitrary text, and accepts
exactly two outcomes: a value, or ``CxError`` whose problems are located in the file. Example
counts are kept small so the suite stays quick (set CXASSESS_FUZZ_EXAMPLES=2000 for a longer hunt); hypothesis keeps any failing example in its
database and shrinks it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conftest import DATA, TINY_TEMPLATE
from cxassess.inputs.clients import load_client
from cxassess.core.errors import CxError
from cxassess.inputs.feedback import load_feedback, validate_feedback
from cxassess.inputs.exports import FORMATS
from cxassess.inputs.importers import import_export
from cxassess.inputs.matching import load_mapping
from cxassess.inputs.responses import validate_table
from cxassess.inputs.tables import RawTable, read_table
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import Template, load_template
from cxassess.inputs.yamlfile import read_yaml

pytestmark = pytest.mark.slow  # property-based hunts over many generated inputs

FUZZ = settings(max_examples=int(os.environ.get("CXASSESS_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
TINY = load_template(TINY_TEMPLATE)
CUSTOMERS = load_template(DATA / "tiny_customer_template.yaml")
IMPORTS = load_template(DATA / "imports" / "template.yaml")


def only_cx_errors(call, *args):
    """Call; a CxError is fine if every problem names a file, any other exception fails the test."""
    try:
        return call(*args)
    except CxError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
        return None


_SCRATCH = tempfile.TemporaryDirectory(prefix="cxfuzz-")  # removed when the test process ends


def scratch(name: str, data: bytes) -> Path:
    """``data`` written as a file called ``name`` in a folder of its own."""
    folder = Path(tempfile.mkdtemp(dir=_SCRATCH.name))
    path = folder / name
    path.write_bytes(data)
    return path


# cell texts: the template's answers, near misses and anything at all
answers = st.one_of(
    st.sampled_from(["", "1", "3", "5", "0", "6", "N/A", "Agree", "agree ", "3,5", "4.0", "1e3", "nan", "inf",
                     "-1", "2026-10-01", "31/10/2026", "=1+2", "@SUM(A1)", "TRUE", "\u00e9t\u00e9", "\"", "\n"]),
    st.text(max_size=12),
)


def header_names(template: Template) -> st.SearchStrategy[str]:
    known = ["respondent_id", *template.segment_ids, *template.question_ids,
             *(f"{q}:{c}" for q in template.question_ids[:2] for c in ("importance", "target", "comment", "x")),
             "response_id", "date", "touchpoint", "nps", "csat", "ces", "comment", "email", "Name", "",
             *template.customer_question_ids]
    return st.one_of(st.sampled_from(known), st.text(max_size=10))


def tables(template: Template) -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    return st.tuples(
        st.lists(header_names(template), min_size=0, max_size=9),
        st.lists(st.lists(answers, max_size=10), max_size=6),
    )


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


xlsx_cells = st.one_of(answers,
                       st.integers(-10, 20), st.floats(allow_nan=True), st.booleans(), st.none(),
                       st.datetimes(dt.datetime(1900, 1, 2), dt.datetime(2100, 1, 1)))


def raw_of(header: list[str], rows: list[list[str]]) -> RawTable:
    return RawTable("fuzz.csv", header, rows, list(range(2, len(rows) + 2)))


# ------------------------------------------------------------------------------- responses


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]))
def test_read_table_of_any_bytes(data, suffix):
    raw = only_cx_errors(read_table, scratch("answers" + suffix, data))
    if raw is not None:
        assert all(isinstance(c, str) for row in [raw.header, *raw.rows] for c in row)


@FUZZ
@given(table=tables(TINY))
def test_validate_table_of_any_table(table):
    responses, problems = validate_table(raw_of(*table), TINY)
    errors = [p for p in problems if p.level == "error"]
    assert (responses is None) == bool(errors)
    if responses is not None:  # nothing invented: every respondent is a row that held something
        assert len(responses) <= len(table[1])


@FUZZ
@given(table=tables(TINY), as_xlsx=st.booleans())
def test_responses_files_of_any_table(table, as_xlsx):
    header, rows = table
    data = xlsx_bytes(header, rows) if as_xlsx else csv_bytes(header, rows)
    from cxassess.inputs.responses import load_responses

    only_cx_errors(load_responses, scratch("r.xlsx" if as_xlsx else "r.csv", data), TINY)


@FUZZ
@given(header=st.lists(header_names(TINY), max_size=8), rows=st.lists(st.lists(xlsx_cells, max_size=8), max_size=5))
def test_xlsx_cells_of_any_type(header, rows):
    from cxassess.inputs.responses import load_responses

    only_cx_errors(load_responses, scratch("r.xlsx", xlsx_bytes(header, rows)), TINY)


GOOD_XLSX = xlsx_bytes(["respondent_id", "q1", "q2", "q3", "q4", "q5"], [["R1", 1, 2, 3, 4, 5], ["R2", 5, 4, 3, 2, 1]])


@FUZZ
@given(member=st.sampled_from(sorted(zipfile.ZipFile(io.BytesIO(GOOD_XLSX)).namelist())),
       cut=st.integers(0, 2000), noise=st.binary(min_size=1, max_size=40))
def test_xlsx_with_a_damaged_part(member, cut, noise):
    """A real workbook whose one part (sheet XML, shared strings, styles, ...) is cut and garbled."""
    source = zipfile.ZipFile(io.BytesIO(GOOD_XLSX))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, content[:cut] + noise if name == member else content)
    only_cx_errors(read_table, scratch("damaged.xlsx", buffer.getvalue()))


# ------------------------------------------------------------------------------- templates


@FUZZ
@given(data=st.binary(max_size=300))
def test_read_yaml_and_load_template_of_any_bytes(data):
    path = scratch("t.yaml", data)
    only_cx_errors(read_yaml, path)
    only_cx_errors(load_template, path)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(), st.text(max_size=8),
              st.sampled_from(["q1", "p1", "1", "N/A", "Agree", "2026-10-01"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["id", "name", "min", "max", "labels", "questions",
                                                             "weight", "text", "na", "values", "min_index",
                                                             "customer", "date", "targets"]) | st.text(max_size=5),
                                            inner, max_size=4)),
    max_leaves=20,
)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["id", "name", "version", "scale", "segments", "maturity", "pillars",
                                                "actions", "terms", "customer_voice", "extra"]),
                               yaml_values, max_size=3))
def test_templates_with_wrong_values_in_place(changes):
    """The tiny template with some top-level entries replaced by arbitrary YAML values."""
    import yaml

    data = yaml.safe_load(TINY_TEMPLATE.read_text(encoding="utf-8"))
    data.update(changes)
    only_cx_errors(load_template, scratch("t.yaml", yaml.safe_dump(data, allow_unicode=True).encode("utf-8")))


# ------------------------------------------------------------------------------- client.yaml


@pytest.fixture(scope="module")
def client_answers(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("answers") / "responses.csv"
    generate(TINY, Profile(respondents=6), seed=3).to_csv(path, index=False)
    return path


def client_folder(config: bytes, answers: Path) -> Path:
    folder = Path(tempfile.mkdtemp(dir=_SCRATCH.name)) / "acme"
    folder.mkdir()
    (folder / "client.yaml").write_bytes(config)
    shutil.copy(answers, folder / "responses.csv")
    return folder


@FUZZ
@given(data=st.binary(max_size=300))
def test_client_yaml_of_any_bytes(data, client_answers):
    only_cx_errors(load_client, client_folder(data, client_answers), TINY_TEMPLATE)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["name", "template", "assessment_date", "targets", "anonymity_threshold",
                                                "segments", "customer_feedback", "waves", "notes", "sector", "x"]),
                               yaml_values, max_size=3))
def test_client_yaml_with_wrong_values(changes, client_answers):
    import yaml

    data = {"name": "Acme", "template": "tiny", "assessment_date": "2026-10-01", **changes}
    text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    only_cx_errors(load_client, client_folder(text, client_answers), TINY_TEMPLATE)


# ------------------------------------------------------------------------------- feedback


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_feedback_of_any_bytes(data, suffix):
    only_cx_errors(load_feedback, scratch("customer_feedback" + suffix, data), CUSTOMERS)


@FUZZ
@given(table=tables(CUSTOMERS))
def test_feedback_of_any_table(table):
    feedback, problems = validate_feedback(raw_of(*table), CUSTOMERS)
    assert (feedback is None) == any(p.level == "error" for p in problems)


# ------------------------------------------------------------------------------- importers


def export_tables() -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    texts = [q.text for p in IMPORTS.pillars for q in p.questions]
    names = st.one_of(header_names(IMPORTS), st.sampled_from(texts + [f"Current practice [{t}]" for t in texts]
                                                             + ["ResponseId", "Respondent ID", "ID", "Email address",
                                                                "Timestamp", "Role", '{"ImportId":"QID1"}']))
    return st.tuples(st.lists(names, max_size=8), st.lists(st.lists(answers, max_size=9), max_size=5))


@FUZZ
@given(fmt=st.sampled_from(FORMATS), data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_every_importer_on_any_bytes(fmt, data, suffix):
    only_cx_errors(import_export, fmt, scratch("export" + suffix, data), IMPORTS)


@FUZZ
@given(fmt=st.sampled_from(FORMATS), table=export_tables(), as_xlsx=st.booleans(), loose=st.booleans())
def test_every_importer_on_any_table(fmt, table, as_xlsx, loose):
    data = xlsx_bytes(*table) if as_xlsx else csv_bytes(*table)
    only_cx_errors(import_export, fmt, scratch("export.xlsx" if as_xlsx else "export.csv", data), IMPORTS, None,
                   loose, loose)


@FUZZ
@given(data=st.binary(max_size=300))
def test_forms_folder_with_any_file(data):
    path = scratch("form.xlsx", data)
    only_cx_errors(import_export, "xlsx-forms", path.parent, IMPORTS)


@FUZZ
@given(data=st.binary(max_size=200), entries=st.dictionaries(st.text(max_size=8), yaml_values, max_size=3))
def test_mapping_files_of_any_bytes_or_entries(data, entries):
    import yaml

    only_cx_errors(load_mapping, scratch("map.yaml", data), IMPORTS)
    for document in (entries, {"columns": entries}):
        text = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
        only_cx_errors(load_mapping, scratch("map.yaml", text), IMPORTS)
