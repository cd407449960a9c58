"""A run's processes skip the imports no run uses (core/imports.py), and notebooks still read and validate."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

CHECK = """
import sys, json
{setup}
import nbformat
notebook = nbformat.read({notebook!r}, as_version=4)
nbformat.validate(notebook)  # jsonschema still checks the notebook's schema
broken = nbformat.v4.new_notebook(); broken.cells.append({{"cell_type": "code"}})
try:
    nbformat.validate(broken)
except nbformat.ValidationError:
    invalid_caught = True
else:
    invalid_caught = False
print(json.dumps({{"grammar": sys.modules.get("rfc3987_syntax") is not None, "invalid_caught": invalid_caught,
                  "cells": len(notebook.cells)}}))
"""


def _run(setup: str) -> dict:
    import json

    code = CHECK.format(setup=setup, notebook=str(ROOT / "notebooks" / "assessment.ipynb"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_cli_skips_the_iri_grammar_and_notebooks_still_validate():
    skipped = _run("from cxassess.core.imports import skip_unused_imports\nskip_unused_imports()")
    assert skipped["grammar"] is False
    assert skipped["invalid_caught"] is True
    assert skipped["cells"] > 10


def test_the_cli_entry_point_calls_it_before_parsing():
    code = ("import sys\nfrom cxassess.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent') is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_without_it_the_grammar_would_load_when_installed():
    """The control: in a process that does not call it, jsonschema loads the grammar if the package is there."""
    import importlib.util

    plain = _run("")
    assert plain["invalid_caught"] is True
    assert plain["grammar"] is (importlib.util.find_spec("rfc3987_syntax") is not None)


def test_scoring_a_file_in_a_wave_folder_does_not_import_the_client_folders_module():
    """`cxassess score TEMPLATE FILE` names the file's wave from its folder (waves/<id>/) without
    the client folders' schemas, which only a client folder needs."""
    answers = ROOT / "data" / "clients" / "brightpath-software" / "waves" / "2026-h1" / "responses.csv"
    code = ("import sys, contextlib, io\nfrom cxassess.cli import main\nout = io.StringIO()\n"
            f"with contextlib.redirect_stdout(out):\n    main(['score', 'cx_service_strategy', {str(answers)!r}])\n"
            "print(out.getvalue().rstrip().endswith(\", wave '2026-h1'\"), 'cxassess.inputs.clients' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "True False"
