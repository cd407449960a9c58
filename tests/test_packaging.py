"""pyproject.toml and environment.yml name the same runtime packages; the console script exists."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {"python", "pip"}


def normalise(requirement: str) -> str:
    """``'PyYAML >= 6.0 ; python_version>"3"'`` -> ``'pyyaml'`` (PEP 503 name normalisation)."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert name, f"cannot read a package name from {requirement!r}"
    return re.sub(r"[-_.]+", "-", name.group(1)).lower()


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def conda_names(environment: dict) -> set[str]:
    names = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):  # the pip: section
            for line in entry.get("pip", []):
                if line.strip().startswith(("-e", "--editable", ".")):
                    continue  # the project itself, `-e .[dev]`
                names.add(normalise(line))
        else:
            names.add(normalise(str(entry).split("::")[-1]))  # drop a channel prefix
    return names - IGNORED


def test_normalise():
    assert normalise("PyYAML>=6.0") == "pyyaml"
    assert normalise("python-dateutil ==2.9") == "python-dateutil"
    assert normalise("Typing_Extensions") == "typing-extensions"
    assert normalise("numpy") == "numpy"


def test_runtime_dependencies_match(pyproject, environment):
    runtime = {normalise(r) for r in pyproject["project"]["dependencies"]} - IGNORED
    conda = conda_names(environment)
    assert runtime, "pyproject.toml declares no runtime dependencies"
    assert sorted(runtime - conda) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(conda - runtime) == [], "in environment.yml but not in pyproject.toml"


def test_environment_installs_the_project_with_dev_extra(environment):
    pip = [e for e in environment["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert pip and any(re.fullmatch(r"-e\s+\.\[dev\]", line.strip()) for line in pip[0]["pip"])
    assert "pip" in environment["dependencies"]
    python = [e for e in environment["dependencies"] if isinstance(e, str) and normalise(e) == "python"]
    assert python, "environment.yml should pin python"


def test_console_script(pyproject):
    assert pyproject["project"]["scripts"]["cxassess"] == "cxassess.cli:console"


def test_dev_extra(pyproject):
    dev = {normalise(r) for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert {"pytest", "hypothesis"} <= dev


def test_python_versions_agree(pyproject, environment):
    requires = pyproject["project"]["requires-python"]
    python = next(e for e in environment["dependencies"] if isinstance(e, str) and normalise(e) == "python")
    assert requires.replace(" ", "") in python.replace(" ", "")


def test_console_script_entry_point_is_callable(pyproject):
    module, name = pyproject["project"]["scripts"]["cxassess"].split(":")
    assert callable(getattr(importlib.import_module(module), name))
