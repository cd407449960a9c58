"""Inputs are data, never code: YAML only through the safe loader, notebook parameters as plain literals.

The end-to-end case gives a client a name, and a folder path, written to break out of a Python
string (``"); import os; os.system("touch ...") #``) and builds its report: the marker file
must not appear and the report must show the name as text.
"""

from __future__ import annotations

import ast
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, TINY_TEMPLATE
from cxassess.inputs import yamlfile
from cxassess.core.errors import CxError
from cxassess.run.report import build_report, notebook_parameters
from cxassess.inputs.templates import load_template
from cxassess.inputs.yamlfile import read_yaml

# PyYAML: only the safe loader (yamlfile.read_yaml); ruamel.yaml: only its round-trip or safe modes,
# which build plain mappings and lists and never call Python objects named by a tag
UNSAFE_PYYAML = re.compile(r"yaml\.(load|load_all|full_load|full_load_all|unsafe_load|unsafe_load_all)\s*\(|"
                           r"(Full|Unsafe|)Loader\b(?<!SafeLoader)(?<!NoAliasLoader)")
UNSAFE_RUAMEL = re.compile(r"YAML\(\s*typ\s*=\s*['\"](unsafe|full|base)|yaml\.unsafe_load")
PYYAML_IMPORT = re.compile(r"^\s*(import yaml|from yaml import)", re.MULTILINE)


def injection(marker: Path) -> str:
    return f'"); import os; os.system("touch {marker}") #'


def test_no_module_or_notebook_loads_yaml_unsafely():
    sources = [*(ROOT / "cxassess").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        patterns = [UNSAFE_RUAMEL, *([UNSAFE_PYYAML] if PYYAML_IMPORT.search(text) else [])]
        found += [f"{path.name}: {m.group(0)}" for pattern in patterns for m in pattern.finditer(text)]
    assert found == []
    assert issubclass(yamlfile._SafeNoAliasLoader, yamlfile.yaml.SafeLoader)


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/name:os.system", "!!python/module:os"])
def test_python_tags_in_yaml_execute_nothing(tmp_path, tag):
    marker = tmp_path / "pwned"
    path = tmp_path / "t.yaml"
    path.write_text(f'name: {tag} ["touch {marker}"]\n', encoding="utf-8")
    with pytest.raises(CxError) as info:
        read_yaml(path)
    assert "is refused (these files are data, never code)" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize("value", [
    'x"); import os; os.system("touch /tmp/x") #', "line one\nline two", "back\\slash\\", 'ends with \\"',
    "tab\there", "\u00e9t\u00e9 \u2019 \U0001f600", "", None, True, 0, -3, 2.5,
])
def test_notebook_parameters_are_literals_that_read_back_as_themselves(value):
    from papermill.translators import PythonTranslator

    assert notebook_parameters(x=value) == {"x": value}
    literal = PythonTranslator.translate(value)
    body = ast.parse(literal, mode="eval").body
    if isinstance(body, ast.UnaryOp):  # a negative number
        body = body.operand
    assert isinstance(body, ast.Constant)  # one literal: no call, no name, no second statement
    assert ast.literal_eval(literal) == value


def test_a_notebook_parameter_that_is_not_plain_data_is_refused():
    with pytest.raises(TypeError):
        notebook_parameters(x={"a": 1})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


@pytest.mark.slow
def test_a_client_name_and_folder_written_as_code_are_shown_as_text_and_run_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    name = injection(marker)
    parent = tmp_path / name.replace("/", "_")  # the folder path reaches the notebook as a parameter
    folder = parent / "acme"
    folder.mkdir(parents=True)
    templates_dir = tmp_path / "templates"
    templates_dir.mkdir()
    shutil.copy(TINY_TEMPLATE, templates_dir / "tiny.yaml")
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(templates_dir))
    (folder / "client.yaml").write_text(f"name: '{name}'\ntemplate: tiny\nassessment_date: 2026-10-01\n",
                                        encoding="utf-8")
    from cxassess.inputs.samples import Profile, generate

    generate(load_template(TINY_TEMPLATE), Profile(respondents=8), seed=2).to_csv(folder / "responses.csv", index=False)
    run = build_report(folder, tmp_path / "reports", ["html"])
    assert not marker.exists()
    parser = _Text()
    parser.feed((run.folder / "report.html").read_text(encoding="utf-8"))
    assert name in " ".join("".join(parser.parts).split())
