"""Crash safety: a batch killed outright (SIGKILL, no clean-up code runs) leaves no half report as
``latest``, no process behind, and a rerun with ``--changed`` completes it."""

from __future__ import annotations

import glob
import json
import os
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
from cxassess.run.report import build_report
from cxassess.run.run_folders import clean_stale_staging, hold

pytestmark = pytest.mark.slow  # kills batches and report runs mid-way

CLIENTS = ROOT / "data" / "clients"
COMPLETE = ("report.html", "report.pdf", "scores.json", "fingerprint.json")


def _marked(value: str) -> set[str]:
    """Ids of running processes whose environment carries ``CXASSESS_TEST_RUN=value``."""
    needle = f"CXASSESS_TEST_RUN={value}".encode()
    found = set()
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            if needle in Path(path).read_bytes().split(b"\0"):
                found.add(path.split("/")[2])
        except OSError:
            pass
    return found


def _assert_every_latest_is_complete(out: Path) -> set[str]:
    finished = set()
    for latest in out.glob("*/latest"):
        target = latest.resolve()
        assert not target.name.endswith(".partial") and target.parent == latest.parent.resolve()
        for name in COMPLETE:
            assert (target / name).is_file() and (target / name).stat().st_size > 0, (target, name)
        json.loads((target / "scores.json").read_text(encoding="utf-8"))  # whole, not cut off
        assert (target / "report.pdf").read_bytes().rstrip().endswith(b"%%EOF")
        finished.add(latest.parent.name)
    return finished


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_sigkill_mid_batch_leaves_no_half_report_and_a_rerun_completes(tmp_path):
    clients = tmp_path / "clients"
    for name in ("northwind-retail", "riverside-energy", "brightpath-software"):
        shutil.copytree(CLIENTS / name, clients / name)
    out = tmp_path / "out"
    run_id = uuid.uuid4().hex  # other processes on the machine may run kernels too
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxassess.cli", "batch", str(clients), "--out", str(out), "--workers", "2"],
        env=dict(os.environ, CXASSESS_TEST_RUN=run_id), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    deadline = time.time() + 180
    while time.time() < deadline and not list(out.glob("*/latest")) and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    deadline = time.time() + 10  # kernels and the zygote get SIGKILL from the kernel when their parent dies
    while time.time() < deadline and _marked(run_id):
        time.sleep(0.2)
    assert not _marked(run_id), "a process started by the killed batch is still running"

    finished = _assert_every_latest_is_complete(out)
    assert 1 <= len(finished) < 3
    for client in (p for p in out.iterdir() if p.name != "portfolio"):  # half-written runs are hidden, never a report
        for path in client.iterdir():
            assert path.name == "latest" or path.name.startswith(".") or (path / "report.html").is_file()

    print("left by the kill:", sorted(p.relative_to(out).as_posix() for p in out.glob("*/.*.partial")))
    rerun = run_batch(clients, out, workers=2, changed=True)
    status = {r.client: r.status for r in rerun.results}
    assert {c for c, s in status.items() if s == "unchanged"} == finished
    assert all(s == "ok" for c, s in status.items() if c not in finished), rerun.results
    assert _assert_every_latest_is_complete(out) == set(status)
    assert not list(out.glob("*/.*.partial")), "the rerun left the killed run's staging folders behind"


def test_a_run_removes_stale_staging_folders_of_its_client_only(tmp_path):
    out = tmp_path / "out"
    root = out / "riverside-energy"
    stale = root / ".20000101-000000.partial"  # a run killed long ago
    busy = root / ".20000101-000001.partial"  # an older run still being written by a live process
    other = out / "northwind-retail" / ".20000101-000000.partial"  # another client's: not this run's business
    for folder in (stale, busy, other):
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("<p>half", encoding="utf-8")
    lock = hold(busy)
    assert lock is not None and hold(busy) is None  # the lock is exclusive
    try:
        run = build_report(CLIENTS / "riverside-energy", out, formats=("html",))
        assert not stale.exists()
        assert busy.is_dir() and other.is_dir()
        assert (root / "latest").resolve() == run.folder.resolve()
    finally:
        os.close(lock)
    # once its process is gone the folder is stale too; a folder named after the run is never touched
    newer = root / ".29991231-235959.partial"
    newer.mkdir()
    assert clean_stale_staging(root, run.folder.name) == [busy]
    assert newer.is_dir() and run.folder.is_dir()


def _alive_with_command(pids: set[str]) -> dict[str, str]:
    """Those of ``pids`` still running (a zombie has ended), with their command lines."""
    found = {}
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state != "Z":
            found[pid] = command[:120]
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
@pytest.mark.parametrize("pool", [["--workers", "2"], ["--dask-local", "2"]], ids=["local", "dask"])
def test_nothing_outlives_a_batch_killed_alone(tmp_path, pool):
    """SIGKILL to the batch process only (as the OOM killer sends it): workers, resource tracker, zygote,
    kernels and the shared browser all end within 5 s; the next batch runs and removes what they left."""
    import tempfile

    clients = tmp_path / "clients"
    for name in ("northwind-retail", "riverside-energy", "brightpath-software", "harbour-hotels"):
        shutil.copytree(CLIENTS / name, clients / name)
    out = tmp_path / "out"
    run_id = uuid.uuid4().hex
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxassess.cli", "batch", str(clients), "--out", str(out), *pool],
        env=dict(os.environ, CXASSESS_TEST_RUN=run_id), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    try:
        deadline = time.time() + 180
        while time.time() < deadline and not list(out.glob("*/.*.partial")) and proc.poll() is None:
            time.sleep(0.05)  # a client's report is being written
        time.sleep(0.5)
        assert proc.poll() is None, "the batch ended before it could be killed"
        started = _marked(run_id) - {str(proc.pid)}
        commands = " ".join(_alive_with_command(started).values())
        # the workers: forked from the fork server in fast mode; Dask's nannies and workers are spawned
        assert ("multiprocessing.forkserver" if pool[0] == "--workers" else "spawn_main") in commands, commands
        owned = set(Path(tempfile.gettempdir()).glob(f"cxassess-*-{proc.pid}-*"))
        if pool[0] == "--workers":
            assert "cxassess.run.zygote" in commands, commands  # the pool's kernel zygote
            assert owned, "the batch's socket folders should name it"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.time() + 5
        while time.time() < deadline and _alive_with_command(_marked(run_id)):
            time.sleep(0.1)
        assert not _alive_with_command(_marked(run_id)), f"still running 5 s after the kill: {_alive_with_command(_marked(run_id))}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _marked(run_id):  # never leave a process behind, even when the test fails
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass

    rerun = run_batch(clients, out, workers=2, formats=("html",), changed=True)
    assert all(r.status in ("ok", "unchanged") for r in rerun.results), rerun.results
    assert not list(out.glob("*/.*.partial")), "the next batch left the killed run's staging folders behind"
    assert not [p for p in owned if p.exists()], "the next batch left the killed run's socket folders behind"
