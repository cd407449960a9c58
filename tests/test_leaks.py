"""Nothing leaks: hostile text in every user-controlled field stays inert text in every output
format, and a batch's reports never carry another client's words."""

from __future__ import annotations

import csv
import re
import shutil
import uuid
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from conftest import ROOT
from cxassess.run.batch import run_batch

pytestmark = pytest.mark.slow  # a batch with every format

CLIENTS = ROOT / "data" / "clients"
TEMPLATE = ROOT / "data" / "templates" / "cx_service_strategy.yaml"
FORMATS = ("html", "pdf", "xlsx", "pptx")


def payload(tag: str) -> str:
    """Formula, live HTML, Jinja syntax and broken mathtext at once; ``tag`` says which field carried it."""
    return (f'=HYPERLINK("http://x","y") <script>alert(1)</script> <img src=x onerror=alert(1)> {{{{ 7*7 }}}} '
            f'{{% raw %}} {tag} $\\foo$')


TEMPLATE_SYNTAX = "{{ 7*7 }} {% raw %}"
FIELDS = ("NAMEFLD", "SECTORFLD", "NOTESFLD", "DEPTFLD", "COMMENTFLD", "QUESTIONFLD", "PILLARFLD",
          "FBCOMMENTFLD", "TOUCHFLD")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hostile_client(folder: Path, templates: Path, marker: str) -> None:
    """northwind-retail with a payload in each field a client, its staff or its customers control."""
    shutil.copytree(CLIENTS / "northwind-retail", folder)
    text = TEMPLATE.read_text(encoding="utf-8").replace("id: cx_service_strategy", "id: cx_hostile", 1)
    text = text.replace("text: We keep an up-to-date map of every point where customers come into contact with us.",
                        f"text: {_quote(payload('QUESTIONFLD'))}", 1)
    text = text.replace("name: Touchpoint & interaction design", f"name: {_quote(payload('PILLARFLD'))}", 1)
    (templates / "cx_hostile.yaml").write_text(text, encoding="utf-8")
    config = (folder / "client.yaml").read_text(encoding="utf-8")
    for key, value in (("name", payload("NAMEFLD") + " " + marker), ("sector", payload("SECTORFLD")),
                       ("notes", payload("NOTESFLD"))):
        config = re.sub(rf"(?m)^{key}: .*$", lambda _: f"{key}: {_quote(value)}", config)
    config = config.replace("template: cx_service_strategy", "template: cx_hostile")
    (folder / "client.yaml").write_text(config, encoding="utf-8")
    _rewrite(folder / "responses.csv", lambda i, row: row.update(
        {"department": payload("DEPTFLD")} if i < 20 else {},
        **({"touchpoints_1:comment": payload("COMMENTFLD") + f" {marker}"} if i in (3, 4) else {})))
    _rewrite(folder / "customer_feedback.csv", lambda i, row: row.update(
        {"comment": payload("FBCOMMENTFLD") + f" {marker}", "touchpoint": payload("TOUCHFLD")} if i < 12 else {}))


def _plain_client(source: str, folder: Path, marker: str) -> None:
    """A sample client whose name and comments carry ``marker``."""
    shutil.copytree(CLIENTS / source, folder)
    config = (folder / "client.yaml").read_text(encoding="utf-8")
    (folder / "client.yaml").write_text(re.sub(r"(?m)^name: (.*)$", rf"name: \1 {marker}", config), encoding="utf-8")
    _rewrite(folder / "responses.csv", lambda i, row: row.update(
        {c: f"Only we say {marker} here." for c in row if c.endswith(":comment") and i < 3}))


def _rewrite(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    for i, row in enumerate(rows):
        change(i, row)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    templates = root / "templates"
    templates.mkdir()
    markers = {name: f"MARK{name[:4].upper()}{uuid.uuid4().hex[:8]}" for name in ("hostile", "energy", "retail")}
    clients = root / "clients"
    clients.mkdir()
    _hostile_client(clients / "hostile", templates, markers["hostile"])
    _plain_client("riverside-energy", clients / "energy", markers["energy"])
    _plain_client("northwind-retail", clients / "retail", markers["retail"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CXASSESS_TEMPLATES", str(templates))  # inherited by the workers and their kernels
        result = run_batch(clients, root / "out", workers=2, formats=FORMATS)
    assert {r.client: r.status for r in result.results} == dict.fromkeys(markers, "ok"), result.results
    return root / "out", markers


def outputs(out: Path, client: str) -> dict[str, str]:
    """Every output of a client's latest run as text: HTML, PDF text, scores.json, workbook and deck cells."""
    run = (out / client / "latest").resolve()
    book = openpyxl.load_workbook(run / "results.xlsx")
    deck = Presentation(str(run / "deck.pptx"))
    return {
        "html": (run / "report.html").read_text(encoding="utf-8"),
        "pdf": "\n".join(page.extract_text() or "" for page in PdfReader(run / "report.pdf").pages),
        "json": (run / "scores.json").read_text(encoding="utf-8"),
        "xlsx": "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None),
        "pptx": "\n".join(shape.text_frame.text for slide in deck.slides for shape in _shapes(slide.shapes)
                          if shape.has_text_frame),
    }


def _shapes(shapes):
    for shape in shapes:
        yield shape
        if shape.shape_type == 6:  # a group: its shapes too
            yield from _shapes(shape.shapes)


class _Live(HTMLParser):
    """Collects what a browser would run: script bodies and on* event attributes."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        self.handlers += [(tag, k, v) for k, v in attrs if k.lower().startswith("on")]
        if tag == "img" and dict(attrs).get("src") == "x":
            self.handlers.append((tag, "src", "x"))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_html_shows_every_payload_as_text(batch):
    out, _ = batch
    html = outputs(out, "hostile")["html"]
    live = _Live()
    live.feed(html)
    assert not [s for s in live.scripts if "alert" in s], "a payload became a live <script>"
    assert not live.handlers, f"a payload became a live attribute: {live.handlers[:3]}"
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    text = _flat(html)
    shown = [f for f in FIELDS if f in text]
    # touchpoint names are drawn into the charts (images) only; department names also head the table behind
    # each heatmap; the rest is page text
    assert set(shown) == set(FIELDS) - {"TOUCHFLD"}, shown
    for tag in shown:
        assert f"{TEMPLATE_SYNTAX} {tag}" in text, f"{tag}: template syntax was evaluated or dropped"
        assert f"&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; {TEMPLATE_SYNTAX} {tag}" in text
        assert f"49 {{% raw %}} {tag}" not in text and f"49 {tag}" not in text
    overview = next(out.glob("portfolio/*/index.html")).read_text(encoding="utf-8")  # names every client
    live = _Live()
    live.feed(overview)
    assert not [s for s in live.scripts if "alert" in s] and not live.handlers
    assert f"{TEMPLATE_SYNTAX} NAMEFLD" in _flat(overview)


def test_pdf_shows_every_payload_as_literal_text(batch):
    out, _ = batch
    text = _flat(outputs(out, "hostile")["pdf"])
    shown = [f for f in FIELDS if f in text]
    assert set(shown) == set(FIELDS) - {"TOUCHFLD"}, shown  # the tables behind the heatmaps print open
    squeezed = text.replace(" ", "")
    for tag in shown:
        assert f"<script>alert(1)</script><imgsrc=xonerror=alert(1)>{{{{7*7}}}}{{%raw%}}{tag}" in squeezed, tag


def test_workbook_keeps_payloads_as_text_never_formulas(batch):
    out, _ = batch
    path = (out / "hostile" / "latest").resolve() / "results.xlsx"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert "<f>" not in z.read(name).decode("utf-8") and "<f " not in z.read(name).decode("utf-8"), name
    book = openpyxl.load_workbook(path)
    found = set()
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK"), (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)  # Excel shows it as text, even after editing
                    found |= {f for f in FIELDS if f in cell.value}
    assert {"NAMEFLD", "SECTORFLD", "COMMENTFLD", "QUESTIONFLD", "PILLARFLD", "DEPTFLD"} <= found, found


def test_deck_shows_payloads_as_literal_text(batch):
    out, _ = batch
    text = outputs(out, "hostile")["pptx"]
    shown = [f for f in FIELDS if f in text]
    assert {"NAMEFLD", "SECTORFLD", "PILLARFLD"} <= set(shown), shown
    for tag in shown:
        assert f"<script>alert(1)</script> <img src=x onerror=alert(1)> {TEMPLATE_SYNTAX} {tag}" in _flat(text), tag


def test_no_report_carries_another_clients_words(batch):
    out, markers = batch
    for client, own in markers.items():
        texts = outputs(out, client)
        assert own in texts["html"] and own in texts["json"], client  # the check below can find a marker
        for fmt, text in texts.items():
            for other, theirs in markers.items():
                if other != client:
                    assert theirs not in text, f"{client}'s {fmt} carries {other}'s words"
