"""The assessment notebook is deterministic: a re-run gives the same text and HTML outputs."""

from __future__ import annotations

import subprocess
import sys

import papermill as pm
import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"


def test_notebook_is_committed_without_outputs():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert ["parameters"] in [c.metadata.get("tags") for c in code]


@pytest.mark.slow
def test_rerun_reproduces_outputs_under_strict_nbval(tmp_path):
    executed = tmp_path / "assessment.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK), str(executed),
        parameters={"client_dir": str(ROOT / "data" / "clients" / "harbour-hotels")},
        cwd=str(NOTEBOOK.parent), progress_bar=False, kernel_name="python3", shutdown_kernel="immediate",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-o", "addopts=", str(executed)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
