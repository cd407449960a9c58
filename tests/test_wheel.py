"""The built wheel installs and works outside the checkout: questionnaires, notebooks and page templates go with it.

The wheel is built from a copy of the sources (``pip wheel --no-deps``) and installed without its
dependencies into a fresh virtual environment in a temporary folder; a ``.pth`` file there makes the
development environment's third-party packages importable (the dependencies are not what is under
test, and installing them would take minutes). Their data files (nbconvert's page templates) stay
under the development environment's ``share/jupyter``, so ``JUPYTER_PATH`` names it, as a full
install would have them under the new environment's own prefix. Every command runs from a folder
outside the checkout with no ``PYTHONPATH``: the cxassess that runs is the installed wheel's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, hand_overall_index, hand_pillar_indices
from cxassess.inputs.responses import load_responses
from cxassess.inputs.templates import load_template

pytestmark = pytest.mark.slow  # builds a wheel, a venv, and runs the CLI in subprocesses

BUNDLED = sorted(p.name for p in (ROOT / "data" / "templates").glob("*.yaml"))
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SAMPLES = ("brightpath-software", "harbour-hotels", "northwind-retail", "riverside-energy")


def _sources(target: Path) -> Path:
    """What the wheel is built from: the project file, the README, the package and the folders it links to."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "cxassess", target / "cxassess", symlinks=True, ignore=skip)
    shutil.copytree(ROOT / "data" / "templates", target / "data" / "templates", ignore=skip)
    shutil.copytree(ROOT / "notebooks", target / "notebooks", ignore=skip)
    return target


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist",
          _sources(work / "src")], work, env)
    (built,) = (work / "dist").glob("cxassess-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The fresh environment's ``bin`` folder and the environment variables to run it with."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CXASSESS_TEMPLATES", "CXASSESS_DEBUG")}
    _run([sys.executable, "-m", "venv", "--without-pip", venv], venv.parent, env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
         venv.parent, env)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv,
                     env).stdout.strip())
    dev = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "zz_development_packages.pth").write_text("\n".join(dev) + "\n", encoding="utf-8")
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return venv / "bin", env


@pytest.fixture
def outside(tmp_path) -> Path:
    assert ROOT not in tmp_path.resolve().parents
    return tmp_path


def test_the_wheel_holds_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {*(f"cxassess/resources/templates/{n}" for n in BUNDLED),
                *(f"cxassess/resources/notebooks/{n}" for n in NOTEBOOKS),
                "cxassess/render/report_template/index.html.j2", "cxassess/render/report_template/report.css",
                "cxassess/render/report_template/notebook.css",
                "cxassess/render/report_template/conf.json", "cxassess/interactive/voila/voila.json"}
    assert expected <= names, sorted(expected - names)
    assert {"cx_service_strategy.yaml", "servqual.yaml"} <= set(BUNDLED) and "assessment.ipynb" in NOTEBOOKS


def test_the_installed_wheel_is_what_runs(installed, outside):
    bin_dir, env = installed
    code = ("import cxassess, cxassess.core.resources as r; print(cxassess.__file__); "
            "print(r.BUNDLED_TEMPLATES); print(r.REPORT_NOTEBOOK)")
    package, templates, notebook = _run([bin_dir / "python", "-c", code], outside, env).stdout.split()
    prefix = bin_dir.parent.resolve()
    for path in (package, templates, notebook):
        assert prefix in Path(path).resolve().parents, path
    assert sorted(p.name for p in Path(templates).glob("*.yaml")) == BUNDLED
    assert Path(notebook).read_bytes() == (ROOT / "notebooks" / "assessment.ipynb").read_bytes()


def test_commands_from_a_folder_outside_the_checkout(installed, outside):
    bin_dir, env = installed
    cxassess = bin_dir / "cxassess"

    _run([cxassess, "sample-clients", "clients"], outside, env)
    for name in SAMPLES:  # the installed package writes the same sample clients as the checkout holds
        for ours in sorted((ROOT / "data" / "clients" / name).rglob("*.*")):
            theirs = outside / "clients" / name / ours.relative_to(ROOT / "data" / "clients" / name)
            if ours.suffix == ".xlsx":  # a workbook stores when it was written: compare the cells
                pd.testing.assert_frame_equal(pd.read_excel(theirs), pd.read_excel(ours))
            else:
                assert theirs.read_bytes() == ours.read_bytes(), theirs

    answers = Path("clients") / "northwind-retail" / "responses.csv"
    done = _run([cxassess, "validate", "cx_service_strategy", answers], outside, env)
    assert done.stdout.strip() == (f"{answers}: valid for template 'cx_service_strategy': 64 respondents, "
                                   "61 questions, 0 warning(s)")

    scored = json.loads(_run([cxassess, "score", "cx_service_strategy", answers, "--json"], outside, env).stdout)
    template = load_template(ROOT / "data" / "templates" / "cx_service_strategy.yaml")
    responses, _ = load_responses(outside / answers, template)
    pillars = hand_pillar_indices(template, responses.ratings)
    assert {p["id"]: p["index"] for p in scored["pillars"]} == pytest.approx(pillars, abs=1e-3)
    assert scored["overall"]["index"] == pytest.approx(hand_overall_index(template, pillars), abs=1e-3)

    _run([cxassess, "report", answers.parent, "--out", "reports", "--format", "html"], outside, env)
    run = outside / "reports" / "northwind-retail" / "latest"
    assert sorted(p.name for p in run.iterdir()) == ["assessment.ipynb", "fingerprint.json", "provenance.json",
                                                      "report.html", "scores.json"]
    report = json.loads((run / "scores.json").read_text(encoding="utf-8"))
    assert report["respondents"] == 64 and report["template"]["id"] == "cx_service_strategy"
    assert "Service vision &amp; leadership" in (run / "report.html").read_text(encoding="utf-8")


def test_demo_writes_the_sample_clients_and_their_reports(installed, outside):
    bin_dir, env = installed
    done = _run([bin_dir / "cxassess", "demo", "--out", "demo"], outside, env)
    assert "4 ok, 0 failed" in done.stdout
    assert sorted(p.name for p in (outside / "demo" / "clients").iterdir()) == list(SAMPLES)
    for name in SAMPLES:
        run = outside / "demo" / name / "latest"
        assert (run / "report.html").is_file() and (run / "report.pdf").read_bytes().startswith(b"%PDF")
    (portfolio,) = (outside / "demo" / "portfolio").iterdir()
    assert (portfolio / "index.html").is_file()
    assert f"Open {outside.resolve() / 'demo'}/<client>/latest/report.html" in done.stdout


def test_lab_workspaces_from_the_installed_wheel(installed, outside):
    """`cxassess lab` copies the notebooks the wheel carries, wherever it is run."""
    bin_dir, env = installed
    _run([bin_dir / "cxassess", "sample-clients", "clients"], outside, env)
    done = _run([bin_dir / "cxassess", "lab", Path("clients") / "northwind-retail", "--no-start"], outside, env)
    workspace = outside / "work" / "northwind-retail"
    assert f"Workspace for northwind-retail ({outside.resolve() / 'clients' / 'northwind-retail'}): " \
           f"{workspace.resolve()}" in done.stdout
    for name in NOTEBOOKS:
        shipped = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        copied = json.loads((workspace / name).read_text(encoding="utf-8"))
        assert len(copied["cells"]) == len(shipped["cells"]) + 1  # the injected-parameters cell
