"""The layout's rules hold: imports go one way between layers, no private name crosses a module,
the package's top level is a short and cheap public API, one module holds the settings, and every
package the code imports is declared.

import-linter (``[tool.importlinter]``) and deptry (``[tool.deptry]``) run as the programs a
developer runs (``lint-imports``, ``deptry .``); each is also shown failing on a copy of the
project with one rule broken, so a contract that checks nothing would be noticed.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

PACKAGE = ROOT / "cxassess"
LAYERS = ["cli", "interactive", "run", "render", "analysis", "inputs", "core"]  # top first
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def tool(name: str) -> str:
    """The venv's console script ``name`` (beside this Python), else one on the PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    assert found, f"{name} is not installed: `make test` installs the dev extra (pip install -e '.[dev]')"
    return found


def run_tool(argv: list[str], project: Path) -> subprocess.CompletedProcess:
    """Run a checker in ``project``, which it analyses rather than whatever cxassess is installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")])),
           "NO_COLOR": "1"}
    return subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=300)


@functools.cache
def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def copy_project(tmp_path: Path) -> Path:
    """The package and its pyproject.toml (what both checkers read), in a scratch folder."""
    project = tmp_path / "project"
    shutil.copytree(PACKAGE, project / "cxassess", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


# ------------------------------------------------------------------------------ layers


def test_the_layers_contract_names_every_layer_in_the_order_data_moves():
    contracts = PYPROJECT["tool"]["importlinter"]["contracts"]
    layers = [c for c in contracts if c["type"] == "layers"]
    assert len(layers) == 1 and layers[0]["containers"] == ["cxassess"]
    assert layers[0]["layers"] == LAYERS
    assert layers[0].get("exhaustive") is True  # a new sub-package must be given its place
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(LAYERS)


def test_imports_go_one_way_between_layers():
    result = run_tool([tool("lint-imports"), "--no-cache"], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_against_the_flow_breaks_the_contract(tmp_path):
    project = copy_project(tmp_path)
    targets = project / "cxassess" / "inputs" / "targets.py"
    text = targets.read_text(encoding="utf-8")
    targets.write_text(text.replace("from __future__ import annotations\n",
                                    "from __future__ import annotations\n\nfrom ..render import display\n", 1))
    result = run_tool([tool("lint-imports"), "--no-cache"], project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cxassess.inputs is not allowed to import cxassess.render" in result.stdout
    assert "cxassess.inputs.targets -> cxassess.render.display" in result.stdout


# ------------------------------------------------------------------------------ private names


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(root: Path, package: str) -> list[str]:
    """Every ``from M import _x`` and ``m._x`` where M / m is another module of ``package``.

    ``root`` holds the package folder; relative imports are resolved. Attributes of anything
    but a module of the package (``self._x``, a widget's ``_repr_mimebundle_``) are not counted.
    """
    paths = sorted((root / package).rglob("*.py"))
    modules = {module_name(p, root) for p in paths}
    found = []
    for path in paths:
        here = module_name(path, root)
        uses: list[tuple[int, str]] = []
        tree = parse(path)
        base = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
        bound: dict[str, str] = {}  # local name -> module of the package it stands for
        attributes = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                if is_private(node.attr):
                    attributes.append(node)
            elif isinstance(node, ast.ImportFrom):
                origin = node.module or ""
                if node.level:
                    origin = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
                if origin.split(".")[0] != package:
                    continue
                for alias in node.names:
                    if f"{origin}.{alias.name}" in modules:
                        bound[alias.asname or alias.name] = f"{origin}.{alias.name}"
                    elif is_private(alias.name):
                        uses.append((node.lineno, f"from {origin} import {alias.name}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package:
                        bound[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or package
        for node in attributes:  # judged once every import is known
            chain, value = [], node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                uses.append((node.lineno, ".".join([value.id, *chain, node.attr])))
        found += [f"{here}:{line}: {use}" for line, use in sorted(uses, key=lambda u: u[0])]
    return found


def test_no_module_uses_another_modules_private_names():
    assert private_uses(ROOT, "cxassess") == []


def test_private_uses_finds_each_form_and_nothing_else(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import b\nx = b._hidden\n")
    (pkg / "a.py").write_text("def _helper(): pass\n_CONST = 1\n")
    (pkg / "sub" / "b.py").write_text(
        "import os\nimport pkg.a\nimport pkg.a as alias\n"
        "from .. import a\nfrom ..a import _helper, _CONST as C\nfrom ..a import __doc__\n"
        "a._helper()\nalias._CONST\npkg.a._helper\n"
        "class K:\n    def m(self):\n        return self._own, os._exit, a.__name__, a.public\n"
        "_hidden = 2\n")
    assert private_uses(tmp_path, "pkg") == [
        "pkg.sub:2: b._hidden",
        "pkg.sub.b:5: from pkg.a import _helper",
        "pkg.sub.b:5: from pkg.a import _CONST",
        "pkg.sub.b:7: a._helper",
        "pkg.sub.b:8: alias._CONST",
        "pkg.sub.b:9: pkg.a._helper",
    ]


# ------------------------------------------------------------------------------ public API


def test_import_cxassess_loads_nothing_heavy():
    """Batch workers, the CLI and report kernels import the package first: it must cost nothing."""
    probe = ("import sys, cxassess; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'cxassess', 'pandas', 'numpy', 'matplotlib', 'scipy', 'pydantic', 'yaml', 'jinja2'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['cxassess']"


def test_every_public_name_resolves_to_the_object_its_module_defines():
    import importlib

    import cxassess

    public = [n for n in cxassess.__all__ if n != "__version__"]
    assert 12 <= len(public) <= 24, "the top level is a short list of what a library user needs"
    for name in public:
        value = getattr(cxassess, name)
        home = importlib.import_module(value.__module__)
        assert getattr(home, name) is value, name
        assert value.__module__.startswith("cxassess.") and not value.__module__.startswith("cxassess.cli")
    assert {"load_client", "assess", "score", "find_template", "load_template", "load_responses",
            "build_report", "run_batch", "CxError"} <= set(public)
    assert set(cxassess.__all__) <= set(dir(cxassess))
    assert cxassess.__version__ == PYPROJECT["project"]["version"]
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        cxassess.no_such_name  # noqa: B018


# ------------------------------------------------------------------------------ settings


SETTINGS = PACKAGE / "core" / "settings.py"


@functools.cache
def string_constants(path: Path) -> list[ast.Constant]:
    """A module's string literals that are not docstrings."""
    tree = parse(path)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def settings_names() -> list[str]:
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    return [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets]


def test_settings_are_commented_constants_only():
    text = SETTINGS.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    for node in tree.body[1:]:  # after the docstring
        assert isinstance(node, (ast.Assign, ast.ImportFrom, ast.Import)), f"line {node.lineno}: not a constant"
        if isinstance(node, ast.Assign):
            (target,) = node.targets
            assert isinstance(target, ast.Name) and target.id.isupper(), f"line {node.lineno}"
            assert node.lineno == node.end_lineno and "  # " in lines[node.lineno - 1], \
                f"line {node.lineno}: {target.id} needs a one-line comment saying what it is"
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id.endswith("_ENV"):  # a variable's name
            assert re.fullmatch(r"CXASSESS_[A-Z_]+", node.value.value), node.targets[0].id


def test_environment_variables_are_named_only_in_settings():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == SETTINGS:
            continue
        for node in string_constants(path):
            if re.search(r"CXASSESS_[A-Z]", node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_every_setting_is_used_and_its_value_is_not_spelt_out_again():
    sources = {p: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py")) if p != SETTINGS}
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    values = {n.targets[0].id: n.value.value for n in tree.body
              if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)}
    for name in settings_names():
        if name in ("PACKAGE", "PROJECT", "NOTEBOOKS"):  # the roots the other paths are built from
            continue
        assert any(re.search(rf"\b{name}\b", text) for text in sources.values()), f"{name} is not used"
    spelt = []
    for path, text in sources.items():
        for node in string_constants(path):
            if node.value in {v for v in values.values() if isinstance(v, str) and len(v) > 3}:
                spelt.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert spelt == []


# ------------------------------------------------------------------------------ dependencies


def test_every_imported_package_is_declared_and_every_declared_one_used():
    result = run_tool([tool("deptry"), "--no-ansi", "."], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_undeclared_import_fails_deptry(tmp_path):
    project = copy_project(tmp_path)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    line = re.search(r'^\s*"traitlets[^\n]*\n', text, re.MULTILINE)
    assert line, "traitlets is imported by cxassess.run.kernels and should be declared"
    pyproject.write_text(text.replace(line.group(0), ""), encoding="utf-8")
    result = run_tool([tool("deptry"), "--no-ansi", "."], project)
    assert result.returncode == 1
    assert "DEP003 'traitlets' imported but it is a transitive dependency" in result.stdout + result.stderr
