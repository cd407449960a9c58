"""Forked kernels: a fresh process per notebook, nothing shared between runs."""

from __future__ import annotations

import os

import nbformat
import papermill as pm
import pytest

from cxassess import kernels

pytestmark = pytest.mark.skipif(not kernels.enabled(), reason="needs os.fork")


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
    assert parent_a == parent_b == str(kernels.Zygote.get().process.pid)  # both forked from the zygote
    assert int(pid_a) != os.getpid()


def test_kernels_start_with_the_libraries_already_imported(tmp_path):
    text = run(tmp_path, "import sys; print('pandas' in sys.modules, 'cxassess.display' in sys.modules)", "c")
    assert text == "True True"


def test_a_killed_kernel_is_gone(tmp_path):
    pid = int(run(tmp_path, "import os; print(os.getpid())", "d"))
    process = kernels.ForkedProcess(pid)
    assert process.wait(timeout=10) == 0
