"""Batch runs: parallel, fault-isolated, resumable with --changed, clean on Ctrl-C."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT
from cxassess.run.batch import run_batch
from cxassess.run.batch_record import summary_text
from cxassess.cli import main
from cxassess.core.errors import CxError

pytestmark = pytest.mark.slow  # batches of clients: worker processes, kernels, PDFs

CLIENTS = ROOT / "data" / "clients"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> Path:
    """Two good clients, one with broken answers, one whose folder name is not a valid id."""
    root = tmp_path_factory.mktemp("portfolio")
    for name in ("harbour-hotels", "brightpath-software"):
        shutil.copytree(CLIENTS / name, root / name)
    shutil.copytree(CLIENTS / "riverside-energy", root / "broken")
    answers = root / "broken" / "responses.csv"
    answers.write_text(answers.read_text().replace("respondent_id,", "respondent,", 1))
    shutil.copytree(CLIENTS / "northwind-retail", root / "Bad Name")
    return root


@pytest.fixture(scope="module")
def first_run(portfolio, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, run_batch(portfolio, out, workers=2)


def test_a_failing_client_never_stops_the_others(first_run):
    out, batch = first_run
    status = {r.client: r.status for r in batch.results}
    assert status == {"Bad Name": "failed", "broken": "failed", "brightpath-software": "ok", "harbour-hotels": "ok"}
    for client in ("brightpath-software", "harbour-hotels"):
        latest = out / client / "latest"
        assert (latest / "report.html").is_file() and (latest / "report.pdf").is_file()
    errors = {r.client: r.error for r in batch.failed}
    assert "missing required column 'respondent_id'" in errors["broken"]
    assert "is not a valid client id" in errors["Bad Name"]


def test_summary_is_printed_and_written(first_run):
    out, batch = first_run
    document = json.loads(batch.summary_file.read_text())
    assert batch.summary_file.parent.parent == out / "portfolio"
    assert document["counts"] == {"ok": 2, "failed": 2, "unchanged": 0, "interrupted": 0}
    assert [c["client"] for c in document["clients"]] == ["Bad Name", "brightpath-software", "broken", "harbour-hotels"]
    text = summary_text(batch)
    assert "2 ok, 2 failed, 0 unchanged" in text
    assert any(line.startswith("broken") and "failed" in line and "responses.csv:1" in line for line in text.splitlines())


def test_changed_skips_what_did_not_change(first_run, portfolio):
    out, _ = first_run
    again = run_batch(portfolio, out, workers=2, only=["harbour-hotels", "brightpath-software"], changed=True)
    assert {r.client: r.status for r in again.results} == {"harbour-hotels": "unchanged", "brightpath-software": "unchanged"}
    config = portfolio / "harbour-hotels" / "client.yaml"
    config.write_text(config.read_text().replace("Five coastal hotels", "Six coastal hotels"))
    third = run_batch(portfolio, out, workers=2, only=["harbour-hotels", "brightpath-software"], changed=True)
    assert {r.client: r.status for r in third.results} == {"harbour-hotels": "ok", "brightpath-software": "unchanged"}
    assert len(list((out / "harbour-hotels").glob("2*"))) == 2  # the earlier run is kept


def test_changed_runs_again_when_a_format_asked_was_not_written(portfolio, tmp_path):
    """The fingerprint records the formats its run wrote; a client is unchanged only for formats among them."""
    from cxassess.inputs.clients import load_client
    from cxassess.run.batch import is_unchanged
    from cxassess.run.fingerprints import fingerprint

    client = load_client(portfolio / "harbour-hotels")
    latest = tmp_path / client.id / "latest"
    latest.mkdir(parents=True)
    record = fingerprint(client)
    (latest / "fingerprint.json").write_text(json.dumps({**record, "formats": ["html"]}))
    assert is_unchanged(client, tmp_path, ("html",))
    assert not is_unchanged(client, tmp_path, ("html", "pptx"))  # a deck asked after an HTML-only run
    (latest / "fingerprint.json").write_text(json.dumps(record))  # written before formats were recorded
    assert not is_unchanged(client, tmp_path, ("html",))
    (latest / "fingerprint.json").write_text(json.dumps({**record, "digest": "0" * 64, "formats": ["html"]}))
    assert not is_unchanged(client, tmp_path, ("html",))


def test_cli_exit_status_and_only(first_run, portfolio, capsys):
    out, _ = first_run
    assert main(["batch", str(portfolio), "--out", str(out), "--only", "brightpath-software", "--changed"]) == 0
    assert "0 ok, 0 failed, 1 unchanged" in capsys.readouterr().out
    assert main(["batch", str(portfolio), "--out", str(out), "--only", "broken"]) == 1
    assert main(["batch", str(portfolio), "--out", str(out), "--only", "nobody"]) == 1
    assert "no client folder for nobody" in capsys.readouterr().err
    with pytest.raises(CxError, match="reserved"):
        run_batch(portfolio, out, only=["portfolio"])


def _kernels(marker: str) -> set[str]:
    """Kernel, zygote and PDF browser processes started under ``marker`` (an environment variable they inherit)."""
    found = set()
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            command = Path(path).read_bytes()
            if (b"ipykernel_launcher" in command or b"cxassess.run.zygote" in command or b"chrom" in command) \
                    and marker.encode() in Path(path).with_name("environ").read_bytes():
                found.add(path.split("/")[2])
        except OSError:
            pass
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_ctrl_c_stops_cleanly_and_a_rerun_completes(tmp_path):
    out = tmp_path / "out"
    marker = f"CXASSESS_TEST_RUN={uuid.uuid4().hex}"  # other processes on the machine may run kernels too
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxassess.cli", "batch", str(CLIENTS), "--out", str(out), "--workers", "2"],
        env=dict(os.environ, CXASSESS_TEST_RUN=marker.split("=")[1]), start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("*/latest")):
        time.sleep(0.2)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    time.sleep(1)
    assert not _kernels(marker), "a kernel, kernel zygote or PDF browser outlived the batch"
    assert not list(out.glob("*/.*partial"))
    for latest in out.glob("*/latest"):
        assert (latest / "report.pdf").is_file() and (latest / "fingerprint.json").is_file()
    finished = {p.parent.name for p in out.glob("*/latest")}
    assert 1 <= len(finished) < 4
    rerun = run_batch(CLIENTS, out, workers=2, changed=True)
    status = {r.client: r.status for r in rerun.results}
    assert all(status[c] == "unchanged" for c in finished)
    assert all(status[c] == "ok" for c in status if c not in finished)


def test_output_to_an_fsspec_url(portfolio, tmp_path):
    remote = tmp_path / "bucket"
    url = f"file://{remote}/reports"
    batch = run_batch(portfolio, url, workers=2, formats=("html",), only=["harbour-hotels", "brightpath-software"])
    assert [r.status for r in batch.results] == ["ok", "ok"]
    for client in ("harbour-hotels", "brightpath-software"):
        latest = remote / "reports" / client / "latest"
        assert latest.is_file() and not latest.is_symlink()  # object stores have no links: a text file
        run = latest.read_text().strip()
        assert (remote / "reports" / client / run / "report.html").is_file()
        assert (remote / "reports" / client / run / "fingerprint.json").is_file()
    assert str(batch.summary_file).startswith(url + "/portfolio/") and str(batch.summary_file).endswith("batch.json")
    stamp = str(batch.summary_file).split("/")[-2]
    page = (remote / "reports" / "portfolio" / stamp / "index.html").read_text()
    for link in re.findall(r'href="(\.\./[^"]+)"', page):
        assert (remote / "reports" / "portfolio" / stamp / link).resolve().is_file(), link
    again = run_batch(portfolio, url, workers=2, formats=("html",), only=["harbour-hotels"], changed=True)
    assert [r.status for r in again.results] == ["unchanged"]


def test_ctrl_c_reaching_an_idle_worker_is_ignored(capfd):
    """A worker between clients has nothing to stop: Ctrl-C must neither kill it nor print a traceback."""
    from cxassess.run.runner import open_pool

    pool = open_pool("fast", 2)
    try:
        workers = {pool.submit(os.getpid).result() for _ in range(4)}  # both started and now idle
        for pid in list(pool.executor._processes):
            os.kill(pid, signal.SIGINT)
        time.sleep(1)
        assert pool.submit(os.getpid).result(timeout=30) in set(pool.executor._processes) | workers
    finally:
        pool.close()
    assert "Traceback" not in capfd.readouterr().err
