"""`cxassess lab` in a real browser: JupyterLab driven by Playwright and Debian's Chromium.

A copy of a sample client gets a workspace; `cxassess lab` serves it on a free loopback port as
a user would start it. Each workspace notebook is opened in JupyterLab and run with Run > Run All
Cells; its widgets must render (the widget manager ships with ipywidgets 8, no build step). The
explorer's radar redraws when a target moves, the questionnaire saves a row into the copy's
answers file, the browser asks nothing of any host but 127.0.0.1, and the shipped notebooks are
byte for byte as they were. Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
Skipped, with the reason, only where no Chromium is installed (`make browser-deps` installs it).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from cxassess.inputs.clients import load_client
from cxassess.inputs.tables import read_table
from test_browser import ARTIFACTS, CHROMIUM, free_port, in_browser, sync_api

pytest.importorskip("jupyterlab", reason="jupyterlab is not installed: `make test` installs it")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"no Chromium at {CHROMIUM}: run `make browser-deps` as root (apt-get install chromium), or set "
    "CXASSESS_CHROMIUM, to run the browser tests",
)]

CLIENT = "northwind-retail"  # answers in responses.csv (the questionnaire can save), customer feedback too
WAIT_MS = 60_000
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
BAD_TEXT = ("Error displaying widget", "Loading widget", "VBox(children=", "Traceback", "Error rendering output")


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (new ones too, such as .ipynb_checkpoints) by its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Lab:
    """`cxassess lab` started as a user would, in its own process group, and always stopped."""

    def __init__(self, client_dir: Path, work: Path):
        self.port = free_port()
        self.log = work.parent / f"lab-{self.port}.log"
        config = work.parent / "jupyter-config"  # no user settings or saved layouts from elsewhere
        settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)  # JupyterLab asks once whether to fetch news; answered No, as a user would
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}', encoding="utf-8")
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(work.parent / "runtime")}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cxassess.cli", "lab", str(client_dir), "--work", str(work),
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, cwd=work.parent, env=env, start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 90) -> str:
        """The URL (with its token) that `cxassess lab` printed, once the server answers."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                pytest.fail(f"cxassess lab exited with {self.process.returncode}:\n{self.text()[-3000:]}")
            found = re.search(r"at (http://127\.0\.0\.1:\d+/lab\?token=[0-9a-f]+) ", self.text())
            if found:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                        return found.group(1)
                except OSError:
                    pass
            time.sleep(0.3)
        pytest.fail(f"cxassess lab did not answer within {timeout} s:\n{self.text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM (JupyterLab then shuts its kernels down), and anything left of the group is killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group is this server's alone (start_new_session)
        except (ProcessLookupError, PermissionError):
            pass


CURRENT = ("(() => { const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');"
           " return tab ? document.getElementById(tab.dataset.id) : null; })()")  # the notebook panel in front


def open_notebook(page, name: str):
    """Open ``name`` from JupyterLab's file browser (no page reload, as a user would) and wait until its
    kernel has started and is idle (the indicator says idle before a kernel is there, so the toolbar
    must name the kernel too). Returns the notebook's panel, to look for widgets in it alone."""
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    page.wait_for_function(
        f"""name => {{
             const panel = {CURRENT};
             const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
             const kernel = panel && panel.querySelector('.jp-Toolbar-kernelName');
             const status = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
             return tab && tab.textContent.includes(name) && kernel && kernel.textContent.includes('Python 3')
                    && status && status.dataset.status === 'idle';
           }}""", arg=name, timeout=WAIT_MS * 2)
    return page.locator(f"[id='{page.evaluate(f'() => {CURRENT}.id')}']")


PROMPTS = (f"() => {{ const panel = {CURRENT}; if (!panel) return null;"
           " const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');"
           " return {prompts: [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent),"
           " status: status ? status.dataset.status : null}; }")


def run_all(page) -> None:
    """Run > Run All Cells, then wait until every code cell has run and the kernel is idle.

    The menu command acts on the notebook JupyterLab last saw focused, so the panel is clicked first;
    if no cell has started a few seconds after the click (a busy machine can eat the click), it is
    given up to twice more. A timeout names each cell's prompt and the kernel's status."""
    for attempt in range(3):
        page.locator(f"[id='{page.evaluate(f'() => {CURRENT}.id')}'] .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(
                f"() => {{ const s = ({PROMPTS})(); return s && s.prompts.some(p => /\\[(\\*|\\d+)\\]/.test(p)); }}",
                timeout=15_000)
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise AssertionError(f"Run All Cells started no cell in three tries: {page.evaluate(PROMPTS)}")
    try:
        page.wait_for_function(
            f"() => {{ const s = ({PROMPTS})();"
            " return s && s.prompts.length > 0 && s.prompts.every(p => /\\[\\d+\\]/.test(p)) && s.status === 'idle'; }",
            timeout=WAIT_MS * 4)
    except sync_api.TimeoutError:
        raise AssertionError(f"the cells did not all finish in {WAIT_MS * 4 // 1000} s: {page.evaluate(PROMPTS)}")


def notebook_text(page) -> str:
    return page.evaluate(f"() => {CURRENT}.querySelector('.jp-Notebook').textContent")


def assert_rendered(page, name: str) -> None:
    """No widget left as a placeholder or a text repr, no traceback, no error output."""
    page.wait_for_function(f"() => !{CURRENT}.textContent.includes('Loading widget')", timeout=WAIT_MS)
    text = notebook_text(page)
    assert [bad for bad in BAD_TEXT if bad in text] == [], name
    errors = page.evaluate(
        f"() => [...{CURRENT}.querySelectorAll(\"[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-OutputArea-output.jp-mod-error\")].map(e => e.textContent)")
    assert errors == [], (name, errors)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A client copy, its workspace served by `cxassess lab`, and the shipped notebooks' digest before."""
    root = tmp_path_factory.mktemp("lab")
    client = Path(shutil.copytree(ROOT / "data" / "clients" / CLIENT, root / "clients" / CLIENT))
    before = tree_digest(ROOT / "notebooks")
    lab = Lab(client, root / "work")
    try:
        url = lab.wait()
        yield {"client": client, "url": url, "workspace": root / "work" / CLIENT, "notebooks": before}
    finally:
        lab.stop()
    assert tree_digest(ROOT / "notebooks") == before


def test_workspace_notebooks_run_in_jupyterlab(session):
    requests: list[str] = []
    in_browser(lambda browser: drive(browser, session, requests))
    outside = [url for url in requests if not url.startswith(LOCAL)]
    assert requests and outside == []
    assert tree_digest(ROOT / "notebooks") == session["notebooks"]  # and again once the server has stopped


def drive(browser, session, requests: list[str]) -> None:
    base, token = session["url"].split("/lab?token=")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("websocket", lambda ws: requests.append(ws.url))
    try:
        page.goto(f"{base}/lab?token={token}")
        nb = open_notebook(page, "assessment.ipynb")
        run_all(page)
        assert_rendered(page, "assessment.ipynb")
        text = notebook_text(page)
        assert "Northwind Home & Garden" in text and "Executive summary" in text
        assert nb.locator(".jp-OutputArea-output img").count() >= 4  # the report's charts
        nb.locator(".jp-OutputArea-output").get_by_text("1. Executive summary").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-assessment.png"))
        nb.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-assessment-radar.png"))

        nb = open_notebook(page, "explore.ipynb")
        run_all(page)
        radar = nb.locator(".cx-chart-radar img")
        radar.wait_for(timeout=WAIT_MS)
        assert_rendered(page, "explore.ipynb")
        before = radar.get_attribute("src")
        nb.locator(".cx-target-vision").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-explore-before.png"))
        nb.locator(".cx-target-vision .noUi-handle").click()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"before => {{ const img = {CURRENT}.querySelector('.cx-chart-radar img');"
            " return img && img.getAttribute('src') !== before; }", arg=before, timeout=WAIT_MS)
        assert radar.count() == 1  # redrawn in place, not stacked
        nb.locator(".cx-chart-radar").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-explore-after.png"))

        nb = open_notebook(page, "questionnaire.ipynb")
        run_all(page)
        nb.locator(".cx-q-vision_1 select").first.wait_for(timeout=WAIT_MS)
        assert_rendered(page, "questionnaire.ipynb")
        nb.locator(".cx-respondent input").fill("LAB-7")
        nb.locator(".cx-segment-role select").select_option(label="Frontline")
        nb.locator(".cx-segment-department input").fill("Web shop")
        for number, rating in zip(range(1, 4), [2, 5, 3]):  # options: blank, 1-5, N/A
            nb.locator(f".cx-q-vision_{number} select").first.select_option(index=rating)
        nb.locator(".cx-q-vision_1 textarea").fill("Tried in JupyterLab.")
        nb.locator(".cx-respondent").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-questionnaire-filled.png"))
        nb.locator(".cx-save button, button.cx-save").click()
        nb.locator(".cx-message :text('Saved')").wait_for(timeout=WAIT_MS)
        nb.locator(".cx-message").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-questionnaire-saved.png"))
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lab-failure.png"))
        raise
    finally:
        context.close()

    table = read_table(load_client(session["client"]).responses_file)
    rows = [dict(zip(table.header, row)) for row in table.rows]
    saved = [row for row in rows if row["respondent_id"] == "LAB-7"]
    assert len(saved) == 1 and len(rows) == 65  # the 64 sample respondents and this one
    row = saved[0]
    assert (row["role"], row["department"]) == ("Frontline", "Web shop")
    assert [row[f"vision_{i}"] for i in range(1, 4)] == ["2", "5", "3"]
    assert row["vision_1:comment"] == "Tried in JupyterLab." and row["vision_4"] == ""
