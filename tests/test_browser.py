"""The workshop app in a real browser: `cxassess app` (Voila) driven by Playwright and Debian's Chromium.

Each server runs on a free loopback port against a copy of a sample client, so the committed
data never changes. Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
Skipped, with the reason, only where no Chromium is installed (`make system-deps` installs it).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import ROOT
from cxassess.render.pdf import chromium_executable
from cxassess.inputs.clients import load_client
from cxassess.inputs.tables import read_table

CHROMIUM = chromium_executable() or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
WAIT_MS = 60_000

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"no Chromium at {CHROMIUM}: run `make browser-deps` as root (apt-get install chromium), or set "
    "CXASSESS_CHROMIUM, to run the browser tests",
)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """`cxassess app` started as a user would, stopped with SIGTERM (Voila then stops its kernels)."""

    def __init__(self, client_dir: Path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = client_dir.parent / f"app-{self.port}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cxassess.cli", "app", str(client_dir), "--port", str(self.port), *extra],
                stdout=log, stderr=subprocess.STDOUT, cwd=client_dir.parent,
            )

    def wait(self, timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                pytest.fail(f"cxassess app exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                    return  # listening; a page request would start a kernel, so none is made here
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"cxassess app did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def clients(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clients")
    for name in ("brightpath-software", "northwind-retail"):
        shutil.copytree(ROOT / "data" / "clients" / name, root / name)
    return root


@pytest.fixture(scope="module")
def apps(clients):
    """Both servers start at once (each takes a few seconds)."""
    started = {"questionnaire": App(clients / "brightpath-software"),
               "explorer": App(clients / "northwind-retail", "--explorer")}
    try:
        for app in started.values():
            app.wait()
        yield started
    finally:
        for app in started.values():
            app.stop()


def in_browser(scenario: Callable[[Any], None]) -> None:
    """Run ``scenario(browser)`` in a thread of its own with a fresh headless Chromium.

    Playwright's sync API refuses a thread where it already runs (the Chromium PDF engine keeps
    one per thread in this process), so the browser tests never share the test runner's thread.
    """
    ARTIFACTS.mkdir(exist_ok=True)

    def run() -> None:
        with sync_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                scenario(chromium)
            finally:
                chromium.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()  # re-raises the scenario's assertion errors here


def open_page(browser, url: str, ready: str):
    """A page with the app loaded; ``page.outside`` collects any request that leaves 127.0.0.1."""
    page = browser.new_page(viewport={"width": 1200, "height": 1500})
    page.outside = []  # (url, why it failed or None if it was answered) for requests that left 127.0.0.1
    local = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")
    page.on("requestfinished", lambda r: r.url.startswith(local) or page.outside.append((r.url, None)))
    page.on("requestfailed", lambda r: r.url.startswith(local) or page.outside.append((r.url, r.failure)))
    response = page.goto(url)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(ready, timeout=WAIT_MS)
    return page


def assert_stayed_local(page) -> None:
    """Nothing was fetched from elsewhere: Voila's template links a CDN stylesheet, which the app's
    Content-Security-Policy makes the browser refuse itself (so this holds online too)."""
    assert [url for url, why in page.outside if why != "csp"] == []


def test_questionnaire_fill_and_save(apps, clients):
    in_browser(lambda browser: fill_and_save(browser, apps, clients))


def fill_and_save(browser, apps, clients) -> None:
    page = open_page(browser, apps["questionnaire"].url, ".cx-q-vision_1 select")
    assert "capture.questionnaire" not in page.content()  # Voila shows the form, not the code
    page.fill(".cx-respondent input", "W-101")
    page.select_option(".cx-segment-role select", label="Manager")
    page.fill(".cx-segment-department input", "Support")
    for number, rating in zip(range(1, 6), [4, 5, 3, 4, 6]):  # option 6 is N/A, after blank and 1-5
        page.locator(f".cx-q-vision_{number} select").first.select_option(index=rating)
    page.locator(".cx-q-vision_1 select").nth(1).select_option(index=5)  # importance 5
    page.fill(".cx-q-vision_2 textarea", "Leaders, please try our \"chat\" channel yourselves.")
    page.get_by_text("Knowing the real customer need").click()  # open the second pillar's pane
    page.locator(".cx-q-customer_need_1 select").first.select_option(index=2)
    page.wait_for_function("document.querySelector('.cx-progress').textContent.startsWith('6 of')", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "questionnaire-filled.png"))
    page.click(".cx-save button, button.cx-save")
    page.wait_for_selector(".cx-message :text('Saved')", timeout=WAIT_MS)
    page.locator(".cx-message").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "questionnaire-saved.png"))

    table = read_table(load_client(clients / "brightpath-software").responses_file)
    row = dict(zip(table.header, table.rows[-1]))
    assert row["respondent_id"] == "W-101" and row["role"] == "Manager" and row["department"] == "Support"
    assert [row[f"vision_{i}"] for i in range(1, 6)] == ["4", "5", "3", "4", "N/A"]
    assert row["vision_1:importance"] == "5" and row["customer_need_1"] == "2"
    assert row["vision_2:comment"] == "Leaders, please try our \"chat\" channel yourselves."
    assert row["hiring_1"] == ""
    assert len(table.rows) == 25  # 24 sample respondents + this one

    page.click(".cx-save button, button.cx-save")  # saving again replaces the same row, adds nothing
    page.wait_for_selector(".cx-message :text('replaced')", timeout=WAIT_MS)
    assert len(read_table(load_client(clients / "brightpath-software").responses_file).rows) == 25
    assert_stayed_local(page)
    page.close()


def radar_src(page) -> str:
    return page.locator(".cx-chart-radar img").first.get_attribute("src")


def test_explorer_slider_redraws_chart(apps, clients):
    in_browser(lambda browser: move_a_target(browser, apps, clients))


def move_a_target(browser, apps, clients) -> None:
    page = open_page(browser, apps["explorer"].url, ".cx-chart-radar img")
    before = radar_src(page)
    page.screenshot(path=str(ARTIFACTS / "explorer-before.png"))
    track = page.locator(".cx-target-vision .noUi-target").bounding_box()["width"]
    assert track / 40 >= 4, track  # targets 1-5 by 0.1: each of the 40 steps can be hit with the mouse
    label = page.locator(".cx-label", has_text="Employee experience").first
    assert label.inner_text().strip() == "Employee experience & internal customers"  # whole, wrapped if need be
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    page.locator(".cx-target-vision .noUi-handle").click()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => { const img = document.querySelector('.cx-chart-radar img');"
        " return img && img.getAttribute('src') !== before; }", arg=before, timeout=WAIT_MS)
    assert page.locator(".cx-chart-radar img").count() == 1  # replaced, not stacked
    page.screenshot(path=str(ARTIFACTS / "explorer-after.png"), full_page=True)
    assert radar_src(page) != before

    page.click(".cx-save button, button.cx-save")
    page.wait_for_selector(".cx-message :text('Saved')", timeout=WAIT_MS)
    text = (clients / "northwind-retail" / "client.yaml").read_text(encoding="utf-8")
    original = (ROOT / "data" / "clients" / "northwind-retail" / "client.yaml").read_text(encoding="utf-8")
    assert "  vision: 4.7" in text and "  vision: 4.2" in original  # 4.2 moved five steps of 0.1
    assert_stayed_local(page)
    page.close()
