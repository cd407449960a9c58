"""The README's consultant workflow, run as written.

A Google Forms export to a client deck in three library calls, then the README itself: its set-up
commands, and every shell block of "A new client, start to finish" and "Your own questionnaire" run
in an empty folder in the order the README gives them.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from cxassess.cli import main
from cxassess.inputs.clients import load_client
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import find_template, load_template
from test_forms import fill


def _google_forms_export(path, template) -> dict[str, dict[str, str]]:
    """A Google Forms responses CSV (labels, grids as ``Title [Statement]``) from sample answers; returns them by row."""
    answers = generate(template, Profile(respondents=12, importance=True, targets=False, comment_rate=0), seed=3)
    labels = template.scale.labels
    questions = [q for p in template.pillars for q in p.questions]
    header = ["Timestamp", "Role", "Department"]
    header += [f"Current practice [{q.text}]" for q in questions]
    header += [f"Importance to customers [{q.text}]" for q in questions]
    header += [template.outcome.text]  # the overall statement: a choice question titled with it
    rows, expected = [], {}
    for i, row in answers.iterrows():
        def label(value: str) -> str:
            return labels[int(value)] if value.isdigit() else value  # "N/A" and blanks as given
        cells = [f"2026/11/{10 + i % 9} 09:{i:02d}:00", row["role"], row["department"]]
        cells += [label(row[q.id]) for q in questions]
        cells += [label(row[f"{q.id}:importance"]) for q in questions]
        cells += [label(row[template.outcome.id])]
        rows.append(cells)
        expected[str(i)] = {q.id: row[q.id] for q in questions} | {template.outcome.id: row[template.outcome.id]}
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return expected


@pytest.mark.slow
def test_google_forms_export_to_client_deck_in_three_commands(tmp_path, capsys):
    template = find_template("cx_service_strategy")
    export = tmp_path / "Service survey (Responses).csv"
    expected = _google_forms_export(export, template)
    client = tmp_path / "clients" / "acme-retail"  # not there yet: the import makes it

    # 1. the export becomes the client's answers file
    assert main(["import", "--from", "google-forms", str(export), "--template", "cx_service_strategy",
                 "--out", str(client / "responses.csv")]) == 0
    # 2. the client's details
    (client / "client.yaml").write_text("name: Acme Retail\ntemplate: cx_service_strategy\n"
                                        "assessment_date: 2026-11-20\n", encoding="utf-8")
    # 3. the deck
    assert main(["report", str(client), "--out", str(tmp_path / "reports"), "--format", "pptx"]) == 0
    capsys.readouterr()

    loaded = load_client(client)
    ratings = loaded.responses.ratings
    assert len(ratings) == len(expected)
    answered = {q: v for q, v in next(iter(expected.values())).items() if v.isdigit() and q in ratings}
    first = ratings.iloc[0]
    assert {q: str(int(first[q])) for q in answered} == answered  # labels came back as scale values
    outcome = {str(i): loaded.responses.outcome.iloc[i] for i in range(len(expected))}  # so did the outcome's
    assert {i: str(int(v)) for i, v in outcome.items() if v == v} == {
        i: row[template.outcome.id] for i, row in expected.items() if row[template.outcome.id].isdigit()}
    deck = Presentation(tmp_path / "reports" / "acme-retail" / "latest" / "deck.pptx")
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title is not None]
    assert len(deck.slides) == 7 and "Acme Retail" in " ".join(
        shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert "Action plan" in titles


# ------------------------------------------------------------------ the README's recipe, run as written

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RECIPE = "## A new client, start to finish"
OWN = "## Your own questionnaire"
SETUP = ("make demo    # creates .venv, installs cxassess, writes reports for the 4 bundled sample clients\n"
         "make test    # creates .venv, installs cxassess with test extras, runs the whole test suite\n")


def readme_section(heading: str) -> str:
    """The README's text from ``heading`` to the next second-level heading."""
    text = README.read_text(encoding="utf-8")
    assert f"\n{heading}\n" in text, f"README.md has no heading {heading!r}"
    rest = text.split(f"\n{heading}\n", 1)[1]
    return rest.split("\n## ", 1)[0]


def fenced(text: str, language: str) -> list[str]:
    """The bodies of the fenced code blocks of one language, in order."""
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S) if lang == language]


def shell(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``cxassess`` is this checkout's, run by this interpreter, whatever is installed."""
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "cxassess"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cxassess.cli "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def run_block(block: str, cwd: Path, env: dict[str, str]) -> str:
    """Run one README shell block with bash (stop at the first failing command); return its output."""
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"README block failed:\n{block}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout + done.stderr


def test_readme_leads_with_set_up_then_the_consultants_recipe():
    headings = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Quick start", RECIPE, OWN]
    assert headings.index("## For analysts: JupyterLab") < headings.index("## A whole portfolio")
    assert fenced(readme_section("## Quick start"), "bash")[0] == SETUP  # the two set-up commands, exactly
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    recipe = readme_section(RECIPE)
    for command in ("form", "import", "validate", "score", "report"):  # every step is a command the test runs
        assert any(f"cxassess {command} " in block for block in fenced(recipe, "sh")), command
    internals = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    for moved in ("zygote", "--dask-local 4", "WeasyPrint (pure Python)", "benchmarks/batch.py"):
        assert moved in internals  # the internals live in docs/, linked from the README
    assert "kernel zygote" not in readme and "dask-ssh" not in readme and "(docs/internals.md)" in readme


def test_readme_client_yaml_reference_loads(tmp_path):
    """The commented client.yaml of the recipe is a valid client.yaml (with a sample client's answers)."""
    reference = fenced(readme_section(RECIPE), "yaml")[0]
    client = tmp_path / "northwind-retail"
    shutil.copytree(ROOT / "data" / "clients" / "northwind-retail", client)
    (client / "client.yaml").write_text(reference, encoding="utf-8")
    loaded = load_client(client)
    assert loaded.config.name == "Northwind Home & Garden"
    assert loaded.config.targets == {"vision": 4.2, "recovery": 4.3} and loaded.config.weights == {"vision": 2}
    assert loaded.config.importance == "derived" and loaded.config.anonymity_threshold == 5


def test_readme_data_quality_snippet_sets_the_guards_minimums(tmp_path):
    """The recipe's ``data_quality:`` block, added to its client.yaml, is what the thin-data guard applies."""
    from cxassess.analysis.assessment import guard_rules
    from cxassess.analysis.coverage import Rules

    recipe = readme_section(RECIPE)
    reference, snippet = fenced(recipe, "yaml")[:2]
    assert snippet.startswith("data_quality:\n")
    client = tmp_path / "northwind-retail"
    shutil.copytree(ROOT / "data" / "clients" / "northwind-retail", client)
    (client / "client.yaml").write_text(reference + snippet, encoding="utf-8")
    assert guard_rules(load_client(client)) == Rules(min_respondents=8, min_answered_share=0.6)
    (client / "client.yaml").write_text(reference, encoding="utf-8")
    assert guard_rules(load_client(client)) == Rules(min_respondents=5, min_answered_share=0.5)  # the defaults
    text = " ".join(recipe.split())
    assert "`cxassess batch clients/ --strict`" in text and "5 respondents" in text


def _return_forms(blank: Path, folder: Path, template, respondents: int) -> None:
    """Respondents fill in copies of the recipe's own form and send them back."""
    answers = generate(template, Profile(respondents=respondents, importance=True, comment_rate=0.3), seed=8)
    answers["department"] = [("Stores", "Online", "Head office")[i % 3] for i in range(respondents)]
    folder.mkdir()
    for i, record in enumerate(answers.to_dict("records"), start=1):
        fill(blank, folder / f"form-{i:02d}.xlsx", record, template)


@pytest.mark.slow
def test_readme_new_client_recipe_runs_as_written(tmp_path):
    """Every shell block of "A new client, start to finish", in order, in an empty folder.

    What comes from outside the recipe is made here: a Google Forms export (12 respondents), and,
    once the recipe has written its Excel form, 6 filled copies of it in ``returned-forms/``.
    """
    template = find_template("cx_service_strategy")
    recipe = readme_section(RECIPE)
    blocks = fenced(recipe, "sh")
    env = shell(tmp_path)
    _google_forms_export(tmp_path / "Service survey (Responses).csv", template)
    outputs = []
    for block in blocks:
        if "returned-forms/" in block and not (tmp_path / "returned-forms").exists():
            _return_forms(tmp_path / "acme-form.xlsx", tmp_path / "returned-forms", template, respondents=6)
        outputs.append(run_block(block, tmp_path, env))
    said = "\n".join(outputs)

    client = tmp_path / "clients" / "acme-retail"
    assert "client Acme Retail" in said  # the form carries the client's name
    listed = (tmp_path / "acme-statements.txt").read_text(encoding="utf-8")  # the text list for a survey tool
    assert all(f"\n{q.text}\n" in listed for p in template.pillars for q in p.questions)
    assert "Department: Stores | Online | Head office" in listed
    assert f"\n\nOverall (rated only):\n{template.outcome.text}\n" in listed
    assert "12 respondents, 61 of 61 questions" in said  # the Google Forms import
    assert "6 respondents, 61 of 61 questions" in said  # the returned forms replaced it (--force)
    assert "valid for template 'cx_service_strategy': 6 respondents" in said
    outcome = load_client(client).responses.outcome  # the returned forms asked the overall statement
    assert len(load_client(client).responses.ratings) == 6 and outcome is not None and outcome.notna().any()

    # the run folder holds exactly the files the "What to send" table sorts into client and internal
    table = readme_section(RECIPE).split("### 7. What to send", 1)[1]
    listed = re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)
    run = tmp_path / "reports" / "acme-retail" / "latest"
    assert sorted(listed) == sorted(p.name for p in run.iterdir())
    deck = Presentation(run / "deck.pptx")
    assert "Acme Retail" in " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Acme Retail" in (run / "report.html").read_text(encoding="utf-8")
    assert (run / "report.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((run / "scores.json").read_text(encoding="utf-8"))["respondents"] == 6


def test_readme_own_questionnaire_example_loads(tmp_path):
    section = readme_section(OWN)
    assert "Save this one as `pulse.yaml`" in section
    (tmp_path / "pulse.yaml").write_text(fenced(section, "yaml")[0], encoding="utf-8")
    template = load_template(tmp_path / "pulse.yaml")
    assert [p.id for p in template.pillars] == ["listening", "recovery"]
    assert template.pillar("listening").weight == 2 and template.pillar("recovery").questions[1].weight == 2
    assert [q.id for q in template.pillars[0].questions if q.reverse] == ["listen_3"]
    assert template.scale.label(5) == "Always" and template.segment_ids == ["role", "department"]


@pytest.mark.slow
def test_readme_own_questionnaire_commands_run_as_written(tmp_path):
    section = readme_section(OWN)
    (tmp_path / "pulse.yaml").write_text(fenced(section, "yaml")[0], encoding="utf-8")
    said = "\n".join(run_block(block, tmp_path, shell(tmp_path)) for block in fenced(section, "sh"))
    assert "valid for template 'service_pulse': 12 respondents, 5 questions, 0 warning(s)" in said
    assert "Listening to customers" in said and "Putting things right" in said
    assert "(5 questions)" in said and (tmp_path / "pulse-form.xlsx").is_file()
