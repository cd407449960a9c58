"""The runner's two modes: fast (forked kernels, one shared browser) and plain (nothing shared).

The report and batch tests run in fast mode with the rest of the suite; the last test here runs
them again, whole, in plain mode (as ``CXASSESS_RUNNER=plain`` would for a user), with the
notebook tests beside them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from cxassess.core.errors import CxError
from cxassess.core.settings import RUNNER_ENV
from cxassess.run import runner


def test_the_mode_is_the_callers_then_the_environments_then_fast(monkeypatch):
    monkeypatch.delenv(RUNNER_ENV, raising=False)
    assert runner.runner_mode() == ("fast" if hasattr(os, "fork") else "plain")
    assert runner.runner_mode("plain") == "plain"
    monkeypatch.setenv(RUNNER_ENV, "plain")
    assert runner.runner_mode() == "plain"
    monkeypatch.setenv(RUNNER_ENV, "quick")
    with pytest.raises(CxError, match=f"{RUNNER_ENV}: unknown runner mode 'quick'; choose fast or plain"):
        runner.runner_mode()


def test_fast_needs_fork(monkeypatch):
    monkeypatch.delattr(os, "fork")
    assert runner.runner_mode("fast") == "plain"


def test_kernels_of_each_mode():
    from cxassess.run.kernels import ForkKernelManager

    assert runner.kernel_options("fast") == {"kernel_manager_class": ForkKernelManager}
    assert runner.kernel_options("plain") == {}  # Papermill's own: a new interpreter per notebook


def _environment() -> dict[str, str]:
    return dict(os.environ)


def _worker_state() -> dict:
    parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read().replace(b"\0", b" ").decode()
    return {"environment": dict(os.environ), "cwd": os.getcwd(), "parent": parent,
            "preloaded": "cxassess.run.preload" in sys.modules}


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the worker's parent from /proc")
def test_a_fast_pools_workers_are_forked_preloaded_and_take_the_batchs_environment(monkeypatch, tmp_path):
    """Forked from a fork server that imported run/preload.py once, yet each new pool's workers have
    the environment and folder of the batch as it is now, not as when the server started."""
    monkeypatch.setenv("CXASSESS_PROBE", "first")
    pool = runner.open_pool("fast", 1)
    try:
        first = pool.submit(_worker_state).result(timeout=120)
    finally:
        pool.close()
    monkeypatch.setenv("CXASSESS_PROBE", "second")
    monkeypatch.chdir(tmp_path)
    pool = runner.open_pool("fast", 1)
    try:
        second = pool.submit(_worker_state).result(timeout=120)
    finally:
        pool.close()
    for state in (first, second):
        assert state["preloaded"]
        assert "multiprocessing.forkserver" in state["parent"] and "cxassess.run.preload" in state["parent"]
        assert state["environment"]["CXASSESS_ZYGOTE"]  # the batch's zygote, shared
    assert first["environment"]["CXASSESS_PROBE"] == "first"
    assert second["environment"]["CXASSESS_PROBE"] == "second" and second["cwd"] == str(tmp_path)


@pytest.mark.slow
def test_a_plain_pool_shares_no_process_and_its_workers_run_plain():
    pool = runner.open_pool("plain", 1, pdf_engine="chromium")
    try:
        assert pool.shared == []  # no zygote, no print server
        worker_env = pool.submit(_environment).result(timeout=120)
    finally:
        pool.close()
    assert "CXASSESS_ZYGOTE" not in worker_env and "CXASSESS_PRINTER" not in worker_env


@pytest.mark.slow
def test_report_batch_and_notebook_tests_pass_in_plain_mode():
    tests = ["tests/test_report.py", "tests/test_batch.py", "tests/test_notebook.py"]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                            cwd=ROOT, env=dict(os.environ, **{RUNNER_ENV: "plain"}), capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1] and "skipped" not in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("argv, env, started", [
    (["report", "data/clients/x"], None, True),
    (["report", "data/clients/x", "--format", "html"], "fast", True),
    (["report", "data/clients/x", "--plain"], None, False),
    (["report", "--help"], None, False),
    (["report", "data/clients/x"], "plain", False),
    (["batch", "data/clients"], None, False),  # a batch starts its zygote with its pool
    (["validate", "x", "y"], None, False),
])
def test_a_report_starts_its_zygote_before_the_command_lines_imports(monkeypatch, argv, env, started):
    from cxassess import cli
    from cxassess.run.zygote import Zygote

    calls = []
    monkeypatch.setattr(Zygote, "get", classmethod(lambda cls: calls.append(cls)))
    if env is None:
        monkeypatch.delenv(RUNNER_ENV, raising=False)
    else:
        monkeypatch.setenv(RUNNER_ENV, env)
    cli.start_zygote_early(argv)
    assert bool(calls) is started
