"""PDF engines: the choice between Chromium and WeasyPrint, and what each writes."""

from __future__ import annotations

import base64
import http.server
import io
import threading
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from cxassess.render import pdf
from cxassess.core.errors import CxError

CHROMIUM = pdf.engine("auto") == "chromium"
ENGINES = ["weasyprint"] + (["chromium"] if CHROMIUM else [])


def _png(color: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
<style>@page {{ size: A4; margin: 2cm }} .break {{ break-before: page }}</style></head>
<body><h1>Quarterly service review</h1>
<img alt="chart" src="data:image/png;base64,{red}">
<p class="break">Second page <a href="../other/report.html">other report</a></p>
<img alt="chart" src="data:image/png;base64,{blue}">
{extra}
</body></html>"""


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_writes_the_pages_text_and_charts(engine, tmp_path):
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    assert pdf.render_pdf(PAGE.format(red=_png("red"), blue=_png("blue"), extra=""), target, engine) == engine
    reader = PdfReader(target)
    assert len(reader.pages) == 2
    assert "Quarterly service review" in reader.pages[0].extract_text()
    assert "Second page" in reader.pages[1].extract_text()
    colors = {image.image.convert("RGB").getpixel((60, 40)) for page in reader.pages for image in page.images}
    assert colors == {(255, 0, 0), (0, 0, 255)}  # both charts, whole (WeasyPrint lists them on every page)
    assert list(target.parent.iterdir()) == [target]  # no chart files left beside it
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_folded_details_are_printed_open(engine, tmp_path):
    """A closed <details> (the figures behind a heatmap) cannot be unfolded on paper: its content is printed."""
    folded = ('<details class="cx-figures"><summary>The figures behind the chart</summary>'
              "<p>Frontline index forty-two</p></details>")
    target = tmp_path / "report.pdf"
    pdf.render_pdf(PAGE.format(red=_png("red"), blue=_png("blue"), extra=folded), target, engine)
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "The figures behind the chart" in text and "Frontline index forty-two" in text


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM, reason="no Chromium (or no playwright) on this machine")
def test_chromium_runs_no_script_and_fetches_nothing(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server protocol
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        extra = (f'<img src="http://127.0.0.1:{port}/beacon.png"><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
                 '<p id="p">plain text</p><script>document.getElementById("p").textContent = "script ran";</script>')
        target = tmp_path / "report.pdf"
        pdf.render_pdf(PAGE.format(red=_png("red"), blue=_png("blue"), extra=extra), target, "chromium")
    finally:
        server.shutdown()
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "plain text" in text and "script ran" not in text
    assert requests == []


def test_engine_choice(monkeypatch, tmp_path):
    with pytest.raises(CxError, match="unknown PDF engine 'latex'"):
        pdf.engine("latex")
    assert pdf.engine("weasyprint") == "weasyprint"
    monkeypatch.setenv("CXASSESS_PDF_ENGINE", "weasyprint")
    assert pdf.engine() == "weasyprint"
    monkeypatch.delenv("CXASSESS_PDF_ENGINE")
    monkeypatch.setenv("CXASSESS_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert pdf.chromium_executable() is None
    assert pdf.engine("auto") == "weasyprint"  # auto falls back quietly
    with pytest.raises(CxError, match="chromium needs the Python package playwright and a Chromium"):
        pdf.engine("chromium")  # asked for by name: refused, with what to install


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM, reason="no Chromium (or no playwright) on this machine")
def test_a_single_report_launches_its_browser_beside_its_work(tmp_path, monkeypatch):
    """start_own_printer launches the browser in a thread of its own at once; render_pdf then prints there."""
    monkeypatch.delenv(pdf.PRINTER_ENV, raising=False)
    monkeypatch.setattr(pdf, "_own_server", None)
    printed_by = []
    original = pdf._Chromium.pdf
    monkeypatch.setattr(pdf._Chromium, "pdf", lambda self, *args: printed_by.append(
        threading.current_thread().name) or original(self, *args))
    pdf.start_own_printer("chromium")
    server = pdf._own_server
    try:
        assert server is not None
        pdf.start_own_printer("chromium")
        assert pdf._own_server is server  # one per process
        target = tmp_path / "report.pdf"
        pdf.render_pdf(PAGE.format(red=_png("red"), blue=_png("blue"), extra=""), target, "chromium")
        assert printed_by == ["cxassess-printer"] and "Quarterly service review" in PdfReader(target).pages[0].extract_text()
    finally:
        server.close()
    monkeypatch.setattr(pdf, "_own_server", None)
    pdf.start_own_printer("weasyprint")
    assert pdf._own_server is None  # nothing to launch for WeasyPrint


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM, reason="no Chromium (or no playwright) on this machine")
def test_a_batch_shares_one_browser_between_its_workers(tmp_path, monkeypatch):
    """Workers hand pages to the batch's PrintServer; the PDF is the same, written by the worker itself."""
    from multiprocessing.connection import Client

    server = pdf.PrintServer()
    try:
        monkeypatch.setenv(pdf.PRINTER_ENV, server.address)
        monkeypatch.setattr(pdf._SharedPrinter, "_instance", None)
        monkeypatch.setattr(pdf, "_own_server", None)  # a single report run earlier in this process may have one
        browsers = dict(pdf._Chromium._instances)
        pdf.warm_up("chromium")  # connects, launches nothing here
        assert pdf._Chromium._instances == browsers and pdf._SharedPrinter._instance is not None
        page = PAGE.format(red=_png("red"), blue=_png("blue"), extra="")
        printed_by = []
        original = pdf._Chromium.pdf
        monkeypatch.setattr(pdf._Chromium, "pdf", lambda self, *args: printed_by.append(
            threading.current_thread().name) or original(self, *args))
        shared, own = tmp_path / "shared.pdf", tmp_path / "own.pdf"
        pdf.render_pdf(page, shared, "chromium")
        monkeypatch.delenv(pdf.PRINTER_ENV)
        pdf.render_pdf(page, own, "chromium")
        assert printed_by == ["cxassess-printer", threading.current_thread().name]  # the server's browser, then ours
        assert [p.extract_text() for p in PdfReader(shared).pages] == [p.extract_text() for p in PdfReader(own).pages]
        gone = tmp_path / "gone" / "report.pdf"  # a run removed while its page printed: nothing recreates it
        monkeypatch.setenv(pdf.PRINTER_ENV, server.address)
        with pytest.raises(FileNotFoundError):
            pdf.render_pdf(page, gone, "chromium")
        assert not gone.parent.exists()
        address, _key = server.address.rsplit(" ", 1)
        with pytest.raises(Exception):  # noqa: B017 - multiprocessing's AuthenticationError, or a closed pipe
            Client(address, "AF_UNIX", authkey=b"not the key").send(("<p>x</p>", str(tmp_path)))
    finally:
        server.close()
    assert not Path(address).parent.exists()
