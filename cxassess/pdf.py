"""A report page (self-contained HTML) to an A4 PDF, with one of two engines.

- ``chromium``: the machine's Chromium, driven by Playwright: one browser and one script-less,
  offline page kept per worker process, emptied after each report. Less than half WeasyPrint's
  CPU per report, so a batch uses it whenever it can.
- ``weasyprint``: pure Python, needs no browser; the fallback everywhere else.

``auto`` (the default, or ``$CXASSESS_PDF_ENGINE``) picks Chromium when Playwright is installed
and a Chromium executable is found (``$CXASSESS_CHROMIUM``, else ``chromium`` on the PATH).
Both honour the report's print CSS (A4, page numbers in the margin, no split charts).
"""

from __future__ import annotations

import atexit
import base64
import importlib.util
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from .errors import CxError

ENGINES = ("auto", "chromium", "weasyprint")
EMPTY = "<!DOCTYPE html><html><head></head><body></body></html>"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A closed network: no background requests, no first-run work, no GPU on a server.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions"]


def chromium_executable() -> str | None:
    """The Chromium the chromium engine would run, or None."""
    named = os.environ.get("CXASSESS_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def engine(requested: str | None = None) -> str:
    """The engine that will render: ``requested`` (or ``$CXASSESS_PDF_ENGINE``), ``auto`` resolved."""
    name = (requested or os.environ.get("CXASSESS_PDF_ENGINE") or "auto").strip().lower()
    if name not in ENGINES:
        raise CxError.at("--pdf-engine", f"unknown PDF engine {name!r}; choose from {', '.join(ENGINES)}")
    if name == "weasyprint":
        return name
    chromium_ready = importlib.util.find_spec("playwright") is not None and chromium_executable() is not None
    if name == "chromium" and not chromium_ready:
        raise CxError.at("--pdf-engine", "chromium needs the Python package playwright and a Chromium "
                         "(install Debian's chromium, or set CXASSESS_CHROMIUM to its path); "
                         "or choose --pdf-engine weasyprint")
    if name == "auto":
        return "chromium" if chromium_ready else "weasyprint"
    return name


def render_pdf(html: str, target: Path, requested: str | None = None) -> str:
    """Write ``html`` as an A4 PDF to ``target``; returns the engine used."""
    name = engine(requested)
    if name == "chromium":
        _Chromium.get().print(html, Path(target))
    else:
        _weasyprint(html, Path(target))
    return name


def warm_up(requested: str | None = None) -> None:
    """Start the engine now (a browser launch, or WeasyPrint's imports) rather than at the first report."""
    if engine(requested) == "chromium":
        _Chromium.get()
    else:
        import weasyprint  # noqa: F401


# ---------------------------------------------------------------------------------- WeasyPrint

_EMBEDDED_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def _weasyprint(html: str, target: Path) -> None:
    """WeasyPrint, with the embedded charts handed over as files beside a lean copy of the page.

    Its HTML parser reads a data URI character by character, and the charts are most of the page's bytes.
    """
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML

    with tempfile.TemporaryDirectory(prefix=".images-", dir=target.parent) as folder:
        images = iter(range(1, 10**6))

        def to_file(match: re.Match) -> str:
            name = f"chart-{next(images)}.png"
            (Path(folder) / name).write_bytes(base64.b64decode(match.group(1)))
            return f'src="{Path(folder).name}/{name}"'

        # Relative links (the portfolio overview's, to each report) resolve from the PDF's own folder.
        HTML(string=_EMBEDDED_PNG.sub(to_file, html), base_url=str(target.parent) + os.sep).write_pdf(target)


# ------------------------------------------------------------------------------------ Chromium


class _Chromium:
    """One headless Chromium per process and thread (Playwright's sync objects stay in their thread)."""

    _instances: dict[tuple[int, int], "_Chromium"] = {}

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        args = CHROMIUM_ARGS + (["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
        self.browser = self._playwright.chromium.launch(  # with a new empty profile, removed on close
            executable_path=chromium_executable(), args=args,
            handle_sigint=False, handle_sigterm=False, handle_sighup=False,
        )
        # No scripts and no network (the charts are data URIs): the page can neither run nor fetch anything.
        # One page serves every report of this process: a new page costs a new renderer process, about a
        # second of CPU, four times the printing itself. It is emptied after each report.
        self.context = self.browser.new_context(java_script_enabled=False, offline=True)
        self.page = self.context.new_page()

    @classmethod
    def get(cls) -> "_Chromium":
        key = (os.getpid(), threading.get_ident())
        printer = cls._instances.get(key)
        if printer is None or not printer.browser.is_connected():
            printer = cls._instances[key] = cls()
        return printer

    def print(self, html: str, target: Path) -> None:
        # Relative links (the portfolio overview's, to each report) resolve from the PDF's own folder.
        base = f'<base href="{target.resolve().parent.as_uri()}/">'
        try:
            self.page.set_content(html.replace("<head>", "<head>" + base, 1), wait_until="load")
            self.page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True)
            self.page.set_content(EMPTY)
        except BaseException:  # a crashed or interrupted page is replaced, never reused
            try:
                self.page.close()
                self.page = self.context.new_page()
            except Exception:  # the browser itself is gone: get() starts a new one next time
                pass
            raise

    def close(self) -> None:
        try:
            self.browser.close()
            self._playwright.stop()
        except Exception:  # the driver may already be gone (Ctrl-C reached it first)
            pass


@atexit.register
def _close_browsers() -> None:
    for key, printer in list(_Chromium._instances.items()):
        if key[0] == os.getpid():
            printer.close()
    _Chromium._instances.clear()
