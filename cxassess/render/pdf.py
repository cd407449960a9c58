"""A report page (self-contained HTML) to an A4 PDF, with one of two engines.

- ``chromium``: the machine's Chromium, driven by Playwright: one browser and one script-less,
  offline page kept per process, emptied after each report; a batch's workers share the one
  browser of its ``PrintServer``. Less than half WeasyPrint's CPU per report, so a batch uses it
  whenever it can.
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
import queue
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..core.errors import CxError
from ..core.processes import owned_temp_folder
from ..core.settings import CHROMIUM_ENV, PDF_ENGINE_ENV, PRINTER_ENV

ENGINES = ("auto", "chromium", "weasyprint")
EMPTY = "<!DOCTYPE html><html><head></head><body></body></html>"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A closed network: no background requests, no first-run work, no GPU on a server.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions"]


def chromium_executable() -> str | None:
    """The Chromium the chromium engine would run, or None."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def engine(requested: str | None = None) -> str:
    """The engine that will render: ``requested`` (or ``$CXASSESS_PDF_ENGINE``), ``auto`` resolved."""
    name = (requested or os.environ.get(PDF_ENGINE_ENV) or "auto").strip().lower()
    if name not in ENGINES:
        raise CxError.at("--pdf-engine", f"unknown PDF engine {name!r}; choose from {', '.join(ENGINES)}")
    if name == "weasyprint":
        return name
    chromium_ready = importlib.util.find_spec("playwright") is not None and chromium_executable() is not None
    if name == "chromium" and not chromium_ready:
        raise CxError.at("--pdf-engine", "chromium needs the Python package playwright and a Chromium "
                         f"(install Debian's chromium, or set {CHROMIUM_ENV} to its path); "
                         "or choose --pdf-engine weasyprint")
    if name == "auto":
        return "chromium" if chromium_ready else "weasyprint"
    return name


_CLOSED_DETAILS = re.compile(r"<details(?![^>]*\bopen\b)")


def render_pdf(html: str, target: Path, requested: str | None = None) -> str:
    """Write ``html`` as an A4 PDF to ``target``; returns the engine used.

    Chromium is the batch's shared one when ``$CXASSESS_PRINTER`` names it, else this process's own.
    """
    name = engine(requested)
    html = _CLOSED_DETAILS.sub("<details open", html)  # on paper nothing can be unfolded: print it open
    if name == "chromium" and os.environ.get(PRINTER_ENV):
        _SharedPrinter.get().print(html, Path(target))
    elif name == "chromium" and _own_server is not None:
        _own_server.print(html, Path(target))
    elif name == "chromium":
        _Chromium.get().print(html, Path(target))
    else:
        _weasyprint(html, Path(target))
    return name


_own_server: "PrintServer | None" = None  # this process's browser in a thread of its own (start_own_printer)


def start_own_printer(requested: str | None = None) -> None:
    """Launch this process's browser now, in a thread of its own, so that the launch overlaps other work.

    A single report starts it before its notebook runs; ``render_pdf`` then prints there. Nothing
    happens for WeasyPrint or when a batch's shared browser (``$CXASSESS_PRINTER``) serves this process.
    """
    global _own_server
    if _own_server is None and engine(requested) == "chromium" and not os.environ.get(PRINTER_ENV):
        _own_server = PrintServer()
        atexit.register(_own_server.close)


def warm_up(requested: str | None = None) -> None:
    """Start the engine now (a browser launch, or WeasyPrint's imports) rather than at the first report."""
    if engine(requested) == "chromium":
        _SharedPrinter.get() if os.environ.get(PRINTER_ENV) else _Chromium.get()
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
        Path(target).write_bytes(self.pdf(html, Path(target).resolve().parent))

    def pdf(self, html: str, folder: Path) -> bytes:
        """The page as PDF; relative links (the portfolio overview's, to each report) resolve from ``folder``."""
        base = f'<base href="{folder.as_uri()}/">'
        try:
            self.page.set_content(html.replace("<head>", "<head>" + base, 1), wait_until="load")
            data = self.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            self.page.set_content(EMPTY)
            return data
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
    """At exit, the browsers this thread drives (Playwright's objects work only in their own thread)."""
    for key in [key for key in _Chromium._instances if key == (os.getpid(), threading.get_ident())]:
        _Chromium._instances.pop(key).close()


# ------------------------------------------------------------------------------ one Chromium for a batch


class PrintServer:
    """One Chromium for a whole batch, run by the process that starts it; workers send it their pages.

    Each browser costs about 1.5 s of CPU to start and some more while it idles, and a batch
    worker prints a page only now and then: one browser serves them all. A thread owns it
    (Playwright's objects stay in their thread) and prints one page at a time; workers connect
    over a Unix socket in a folder only this user can open, with a random key besides.
    """

    def __init__(self) -> None:
        from multiprocessing.connection import Listener

        self._folder = owned_temp_folder("printer")
        self._key = os.urandom(32)
        self._listener = Listener(os.path.join(self._folder, "printer.sock"), "AF_UNIX", authkey=self._key)
        self._jobs: queue.Queue = queue.Queue()
        self._printer = threading.Thread(target=self._print_jobs, name="cxassess-printer", daemon=True)
        self._printer.start()  # its first job: launching the browser, while the batch prepares
        threading.Thread(target=self._accept, name="cxassess-printer-accept", daemon=True).start()

    @property
    def address(self) -> str:
        """What a worker needs to connect (the value of ``$CXASSESS_PRINTER``)."""
        return f"{self._listener.address} {self._key.hex()}"

    def print(self, html: str, target: Path) -> None:
        """Print a page here (the same queue as the workers' pages)."""
        Path(target).write_bytes(_answer(self.pdf(html, Path(target).resolve().parent)))

    def pdf(self, html: str, folder: Path) -> bytes | str:
        """The page as PDF bytes, or the error's first line; links resolve from ``folder``."""
        done: queue.Queue = queue.Queue(maxsize=1)
        self._jobs.put((html, folder, done))
        return done.get()

    def _print_jobs(self) -> None:
        try:
            _Chromium.get()
        except Exception:  # reported, job by job, when pages come
            pass
        while (job := self._jobs.get()) is not None:
            html, folder, done = job
            try:
                done.put(_Chromium.get().pdf(html, folder))
            except Exception as exc:
                done.put(f"{type(exc).__name__}: {exc}".splitlines()[0])
        _close_browsers()

    def _accept(self) -> None:
        while True:
            try:
                connection = self._listener.accept()
            except OSError:  # closed: the batch is over
                return
            except Exception:  # a wrong key: not one of our workers
                continue
            threading.Thread(target=self._relay, args=(connection,), daemon=True).start()

    def _relay(self, connection: Any) -> None:
        with connection:
            while True:
                try:
                    html, folder = connection.recv()
                    connection.send(self.pdf(html, Path(folder)))
                except (EOFError, OSError):  # the worker closed, ended or was interrupted
                    return

    def close(self) -> None:
        """Close the browser and stop serving."""
        self._jobs.put(None)
        self._printer.join(timeout=30)
        self._listener.close()
        shutil.rmtree(self._folder, ignore_errors=True)


class _SharedPrinter:
    """A worker's connection to its batch's PrintServer (``$CXASSESS_PRINTER``)."""

    _instance: "_SharedPrinter | None" = None

    def __init__(self) -> None:
        from multiprocessing.connection import Client

        address, key = os.environ[PRINTER_ENV].rsplit(" ", 1)
        self._connection = Client(address, "AF_UNIX", authkey=bytes.fromhex(key))

    @classmethod
    def get(cls) -> "_SharedPrinter":
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def print(self, html: str, target: Path) -> None:
        """Have the batch's browser print the page; the PDF is written here, so an interrupted run writes none."""
        try:
            self._connection.send((html, str(Path(target).resolve().parent)))
            answer = self._connection.recv()
        except BaseException:  # interrupted mid-request: the answer would come to the next one, so start afresh
            self._connection.close()
            type(self)._instance = None
            raise
        Path(target).write_bytes(_answer(answer))


def _answer(answer: bytes | str) -> bytes:
    if isinstance(answer, str):
        raise RuntimeError(answer)
    return answer
