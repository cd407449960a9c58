"""Forked kernels: a fresh process per notebook, nothing shared between runs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from cxassess.run import kernels
from cxassess.run.zygote import Zygote

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")]


def run(tmp_path, source: str, name: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    out = pm.execute_notebook(str(path), str(tmp_path / f"{name}-out.ipynb"), kernel_name="python3",
                              progress_bar=False, shutdown_kernel="immediate",
                              kernel_manager_class=kernels.ForkKernelManager)
    return out.cells[0].outputs[0]["text"].strip()


def test_each_run_is_a_new_process_and_sees_nothing_of_the_last(tmp_path):
    first = run(tmp_path, "import os; SECRET = 'client A'; print(os.getpid(), os.getppid())", "a")
    second = run(tmp_path, "import os; print(os.getpid(), os.getppid(), 'SECRET' in globals())", "b")
    pid_a, parent_a = first.split()
    pid_b, parent_b, leaked = second.split()
    assert pid_a != pid_b and leaked == "False"
    assert parent_a == parent_b == str(Zygote.get().process.pid)  # both forked from the zygote
    assert int(pid_a) != os.getpid()


def test_kernels_start_with_the_libraries_already_imported(tmp_path):
    text = run(tmp_path, "import sys; print('pandas' in sys.modules, 'cxassess.render.display' in sys.modules)", "c")
    assert text == "True True"


def test_a_killed_kernel_is_gone(tmp_path):
    pid = int(run(tmp_path, "import os; print(os.getpid())", "d"))
    process = kernels.ForkedProcess(pid)
    assert process.wait(timeout=10) == 0


def _kernel_parent(folder: str) -> tuple[int, int]:
    """In a pool worker: run a notebook in a forked kernel; (worker pid, the kernel's parent pid)."""
    from pathlib import Path

    return os.getpid(), int(run(Path(folder), "import os; print(os.getppid())", f"w{os.getpid()}"))


def test_a_batch_pool_shares_one_zygote_between_its_workers(tmp_path):
    from concurrent.futures import wait

    from cxassess.run.runner import open_pool

    pool = open_pool("fast", 2)
    zygote = pool.shared[0]
    try:
        results = set()
        while len({worker for worker, _ in results}) < 2:  # until both workers have run one
            futures = [pool.submit(_kernel_parent, str(tmp_path)) for _ in range(4)]
            wait(futures)
            results |= {f.result() for f in futures}
        assert {parent for _, parent in results} == {zygote.process.pid}
    finally:
        pool.close()
    assert zygote.process.poll() is not None  # closing the pool ends its zygote
    assert not Path(zygote.address).parent.exists()


def _idle_kernel(zygote: Zygote, tmp_path, name: str) -> kernels.ForkedProcess:
    from jupyter_client.connect import write_connection_file

    connection_file, _ = write_connection_file(str(tmp_path / f"{name}.json"))
    return kernels.ForkedProcess(zygote.fork(["-f", connection_file], dict(os.environ), str(tmp_path)))


def test_a_kernel_dies_with_the_connection_that_asked_for_it(tmp_path):
    owner = Zygote.start()
    first, second = Zygote(owner.address), Zygote(owner.address)  # as two workers would
    try:
        a, b = _idle_kernel(first, tmp_path, "a"), _idle_kernel(second, tmp_path, "b")
        assert a.poll() is None and b.poll() is None
        first.close()  # the first worker ends (or crashes): its kernel goes, the other's stays
        assert a.wait(timeout=10) == 0
        assert b.poll() is None
        owner.close()  # the batch ends: the zygote goes, and every kernel it still has
        assert b.wait(timeout=10) == 0
    finally:
        for zygote in (first, second, owner):
            zygote.close()
