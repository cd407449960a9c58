"""The bad-input corpus (tests/data/bad/): every malformed file gets one clear located message, exit 1.

Each file in tests/data/bad/ has an entry in its expected.yaml: the ``cxassess`` command that
reads it (with placeholders the test fills in) and the exact line the command must print,
``FILE[:ROW[:COLUMN]]: message``. The test also checks that no traceback and no "internal
error" is printed, and that nothing was written where the command would write its output.
A few inputs are made at run time instead of committed (a 50 MB comment).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import DATA, ROOT, TINY_TEMPLATE
from cxassess.cli import main
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import load_template

BAD = DATA / "bad"
EXPECTED: dict[str, dict] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
CUSTOMER_TEMPLATE = DATA / "tiny_customer_template.yaml"
IMPORTS = DATA / "imports"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    """Valid answers files for the tiny templates (the bad file is the only thing wrong in a command)."""
    folder = tmp_path_factory.mktemp("good")
    files = {}
    for key, template in (("tiny", TINY_TEMPLATE), ("customers", CUSTOMER_TEMPLATE)):
        files[key] = folder / f"{key}.csv"
        generate(load_template(template), Profile(respondents=8), seed=1).to_csv(files[key], index=False)
    return files


def place(name: str, tmp_path: Path, good: dict[str, Path]) -> dict[str, str]:
    """The placeholders of a command: where the bad file is and where output would go."""
    values = {
        "file": str(BAD / name), "out": str(tmp_path / "out"), "tiny": str(TINY_TEMPLATE),
        "customers": str(CUSTOMER_TEMPLATE), "imports": str(IMPORTS), "good_tiny": str(good["tiny"]),
        "good_customers": str(good["customers"]),
    }
    # a client folder with the bad file as its client.yaml and valid answers
    client = tmp_path / "clients" / "acme"
    client.mkdir(parents=True)
    shutil.copy(good["tiny"], client / "responses.csv")
    if name.startswith("client_"):
        shutil.copy(BAD / name, client / "client.yaml")
    values["client"] = str(client)
    # a folder of filled forms holding only the bad file
    forms = tmp_path / "forms"
    forms.mkdir()
    if name.startswith("form_"):
        shutil.copy(BAD / name, forms / name)
    values["forms"] = str(forms)
    return values


def run_cli(args: list[str], capsys) -> tuple[int, list[str]]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, (out + err).splitlines()


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def check_refused(status: int, lines: list[str], expected: str, out: Path, prefix: bool = False) -> None:
    """Exit 1, the expected line (or a line starting with it), no traceback, nothing written to ``out``."""
    text = "\n".join(lines)
    assert "Traceback" not in text and "internal error" not in text, text
    found = any(line.startswith(expected) for line in lines) if prefix else expected in lines
    assert found, f"expected line missing:\n{expected}\ngot:\n{text}"
    assert status == 1, text
    assert not out.exists(), f"output left behind: {sorted(p.name for p in out.rglob('*'))}"


def test_corpus_is_complete_and_covers_every_input():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED), "every bad file needs an entry in expected.yaml, and every entry a file"
    assert len(files) >= 40
    commands = [" ".join(e["command"]) for e in EXPECTED.values()]
    for needed in ("--from google-forms", "--from ms-forms", "--from qualtrics", "--from surveymonkey",
                   "--from xlsx-forms", "--feedback", "report {client}", "validate {file}", "--mapping {file}"):
        assert any(needed in c for c in commands), needed
    kinds = {name.rsplit(".", 1)[1] for name in files}
    assert {"csv", "xlsx", "yaml"} <= kinds


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_refused_with_its_message(name, tmp_path, good, capsys, monkeypatch):
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(DATA))  # client.yaml names the tiny template by id
    values = place(name, tmp_path, good)
    entry = EXPECTED[name]
    status, lines = run_cli([fill(part, values) for part in entry["command"]], capsys)
    check_refused(status, lines, fill(entry["message"], values), tmp_path / "out", entry.get("prefix", False))


def huge_comment_csv(path: Path, header: str, row: str) -> Path:
    """A CSV whose one comment cell is 50 MB of text (made at run time: too big to commit)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n" + row + ',"')
        chunk = "The queue was long and nobody answered the phone. " * 1000
        for _ in range(50_000_000 // len(chunk) + 1):
            handle.write(chunk)
        handle.write('"\n')
    return path


@pytest.mark.slow
def test_a_50_mb_comment_is_refused_in_responses_and_imports(tmp_path, capsys):
    responses = huge_comment_csv(tmp_path / "responses.csv", "respondent_id,q1,q2,q3,q4,q5,q1:comment",
                                 "R1,4,5,2,3,4")
    assert responses.stat().st_size > 50_000_000
    message = (f"{responses}:2: a cell here is longer than 131,072 characters (an unclosed double quote (\") can "
               "swallow the rest of the file, or a comment holds a pasted document); shorten it or fix the quote")
    status, lines = run_cli(["validate", str(TINY_TEMPLATE), str(responses)], capsys)
    check_refused(status, lines, message, tmp_path / "out")
    status, lines = run_cli(["import", str(responses), "--from", "google-forms", "--template", str(TINY_TEMPLATE),
                             "--out", str(tmp_path / "out" / "responses.csv")], capsys)
    check_refused(status, lines, message, tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["client_yaml_bomb.yaml", "responses_formulas.xlsx", "google_forms_utf16.csv"])
def test_the_installed_command_prints_the_same_message(name, tmp_path, good):
    """A few cases through a real process: exit status 1, the message on the terminal, no traceback."""
    values = place(name, tmp_path, good)
    entry = EXPECTED[name]
    done = subprocess.run([sys.executable, "-m", "cxassess.cli", *(fill(p, values) for p in entry["command"])],
                          capture_output=True, text=True, cwd=ROOT, env={**_env(), "CXASSESS_TEMPLATES": str(DATA)},
                          timeout=120)
    check_refused(done.returncode, (done.stdout + done.stderr).splitlines(), fill(entry["message"], values),
                  tmp_path / "out", entry.get("prefix", False))


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "CXASSESS_DEBUG"}
