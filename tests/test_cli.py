"""The command line: validate, score (table and JSON), breakdowns, targets, sample, help, errors."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxassess.cli import main
from cxassess.inputs.templates import find_template

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "cx_service_strategy": ROOT / "data" / "samples" / "cx_service_strategy_responses.csv",
    "servqual": ROOT / "data" / "samples" / "servqual_responses.csv",
}
BAD_TEMPLATES = Path(__file__).resolve().parent / "data" / "bad_templates"
ACTIONS = {"keep", "do_differently", "start", "stop"}
PILLAR_KEYS = {"id", "name", "mean", "index", "target", "gap", "gap_index", "importance", "maturity",
               "n", "sd", "rwg", "alpha", "action"}


def run(*argv: object) -> tuple[int, str, str]:
    """Run ``cxassess`` in-process; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def score_json(*argv: object) -> dict:
    code, out, err = run("score", *argv, "--json")
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def sample_frame(template: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLES[template], dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return {name: score_json(name, path) for name, path in SAMPLES.items()}


# --------------------------------------------------------------------------------- validate


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_validate_bundled_sample(template):
    code, out, err = run("validate", template, SAMPLES[template])
    assert code == 0, out + err
    assert f"valid for template {template!r}" in out
    assert "Traceback" not in out + err


def test_validate_responses_against_the_wrong_template():
    code, out, err = run("validate", "servqual", SAMPLES["cx_service_strategy"])
    assert code == 1
    assert "none of the 22 question columns of template 'servqual'" in out
    assert out.rstrip().endswith("not valid")


def test_validate_with_a_bad_template_prints_the_template_problems():
    bad = BAD_TEMPLATES / "misspelt_key.yaml"
    code, out, err = run("validate", bad, "data/samples/cx_service_strategy_responses.csv")
    assert code == 1
    assert out == ""
    expected = yaml.safe_load((BAD_TEMPLATES / "expected.yaml").read_text(encoding="utf-8"))["misspelt_key.yaml"]
    assert err.splitlines() == [line.replace("{dir}", str(BAD_TEMPLATES)) for line in expected]
    assert "did you mean 'questions'?" in err
    assert "Traceback" not in err


def test_validate_with_an_unknown_template_id():
    code, out, err = run("validate", "no_such_template", SAMPLES["servqual"])
    assert code == 1
    assert "no_such_template: no template with this id; known templates:" in err
    assert "servqual" in err


def test_validate_missing_responses_file(tmp_path):
    code, out, err = run("validate", "servqual", tmp_path / "missing.csv")
    assert code == 1
    assert "file not found" in out + err


# ------------------------------------------------------------------------------ score --json


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_score_json_shape_and_bounds(documents, template):
    doc = documents[template]
    t = find_template(template)
    lo, hi = t.scale.min, t.scale.max
    span = hi - lo
    bands = {b.name for b in t.maturity}

    assert 0 <= doc["overall"]["index"] <= 100
    assert [p["id"] for p in doc["pillars"]] == [p.id for p in t.pillars]
    for p in doc["pillars"]:
        assert PILLAR_KEYS <= set(p), PILLAR_KEYS - set(p)
        assert p["name"] == t.pillar(p["id"]).name
        assert lo <= p["mean"] <= hi
        assert lo <= p["target"] <= hi
        assert lo <= p["importance"] <= hi
        assert -span <= p["gap"] <= span
        assert 0 <= p["index"] <= 100
        assert p["index"] == pytest.approx((p["mean"] - lo) / span * 100, abs=0.01)
        assert p["gap"] == pytest.approx(p["target"] - p["mean"], abs=1e-3)
        assert p["gap_index"] == pytest.approx(p["gap"] / span * 100, abs=0.01)
        assert p["maturity"] in bands
        assert p["maturity"] == t.maturity_band(p["index"])
        assert p["action"] in ACTIONS
        assert isinstance(p["n"], int) and 0 < p["n"] <= doc["respondents"]
        assert p["sd"] >= 0
        assert 0 <= p["rwg"] <= 1
        assert p["alpha"] <= 1
    assert doc["overall"]["maturity"] == t.maturity_band(doc["overall"]["index"])


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_score_json_is_strict_json(template):
    code, out, _ = run("score", template, SAMPLES[template], "--json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))


def test_score_json_nulls_where_not_computable(tmp_path):
    """One respondent, no target or importance columns: no spread, agreement, alpha, target or gap, and (fewer
    than the 5 respondents a pillar needs: the thin-data guard) no mean, index or action either."""
    frame = sample_frame("servqual")
    frame = frame.loc[:0, [c for c in frame.columns if not c.endswith((":target", ":importance"))]]
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    doc = score_json("servqual", path)
    assert doc["respondents"] == 1
    for p in doc["pillars"]:
        for key in ("sd", "rwg", "alpha", "target", "gap", "gap_index", "importance"):
            assert p[key] is None, (p["id"], key, p[key])
        assert p["mean"] is None and p["action"] is None and p["enough_answers"] is False
        assert p["thin_reason"].startswith("1 respondent, fewer than 5")
    assert doc["overall"]["index"] is None and doc["overall"]["withheld_reason"].startswith("only 0 of ")
    assert doc["data_quality"]["scored_pillars"] == 0 and doc["data_quality"]["warning"]


def test_score_by_role_suppresses_small_groups(tmp_path):
    frame = sample_frame("servqual")
    leaders = frame.index[frame["role"] == "Leadership"]
    frame = frame.drop(leaders[2:])  # keep exactly two leaders
    assert (frame["role"] == "Leadership").sum() == 2
    path = tmp_path / "two_leaders.csv"
    frame.to_csv(path, index=False)

    doc = score_json("servqual", path, "--by", "role", "--anonymity", "3")
    groups = {g["group"]: g for g in doc["breakdown"]["role"]}
    assert set(groups) == {"Leadership", "Manager", "Frontline", "Back office"}
    leadership = groups.pop("Leadership")
    assert leadership["suppressed"] is True
    assert leadership["n"] is None and leadership["overall_index"] is None
    assert all(v is None for v in leadership["pillars"].values())
    # two hidden leaders are fewer than 3, so overall minus the shown groups would give them away:
    # the smallest other group is suppressed with them (docs/scoring.md, section 8)
    sizes = {name: int((frame["role"] == name).sum()) for name in groups}
    smallest = min(sizes, key=lambda name: (sizes[name], name))
    assert groups.pop(smallest)["suppressed"] is True
    for name, g in groups.items():
        assert g["suppressed"] is False
        assert g["n"] == sizes[name] >= 3
        assert 0 <= g["overall_index"] <= 100
        assert set(g["pillars"]) == {p["id"] for p in doc["pillars"]}

    # With a threshold of 2 the two leaders are shown.
    doc = score_json("servqual", path, "--by", "role", "--anonymity", "2")
    leadership = next(g for g in doc["breakdown"]["role"] if g["group"] == "Leadership")
    assert leadership["suppressed"] is False and leadership["n"] == 2


def test_score_by_role_table(tmp_path):
    code, out, err = run("score", "servqual", SAMPLES["servqual"], "--by", "role")
    assert code == 0, err
    section = out.split("By role", 1)[1]
    leadership = next(line for line in section.splitlines() if line.startswith("Leadership"))
    assert set(leadership.split()[1:]) == {"suppressed"}  # 3 leaders < default threshold 5
    frontline = next(line for line in section.splitlines() if line.startswith("Frontline"))
    assert frontline.split()[1] == "13"


def test_score_unknown_segment_is_a_clear_error():
    code, out, err = run("score", "servqual", SAMPLES["servqual"], "--by", "team")
    assert code == 1
    assert out == ""
    assert err.strip() == (
        f"{SAMPLES['servqual']}: no segment column 'team' to break down by (available: role, department)"
    )


def test_score_anonymity_below_one_is_a_usage_error():
    code, _, err = run("score", "servqual", SAMPLES["servqual"], "--anonymity", "0")
    assert code == 2
    assert "--anonymity must be at least 1" in err


@pytest.mark.slow
def test_targets_file_overrides_pillar_targets(tmp_path, documents):
    targets = tmp_path / "targets.yaml"
    targets.write_text("tangibles: 6.5\nempathy: 4\n", encoding="utf-8")
    doc = score_json("servqual", SAMPLES["servqual"], "--targets", targets)
    pillars = {p["id"]: p for p in doc["pillars"]}
    before = {p["id"]: p for p in documents["servqual"]["pillars"]}
    for pid, value in {"tangibles": 6.5, "empathy": 4.0}.items():
        p = pillars[pid]
        assert p["target"] == value
        assert p["gap"] == pytest.approx(value - p["mean"], abs=1e-3)
        assert p["gap_index"] == pytest.approx((value - p["mean"]) / 6 * 100, abs=0.01)
    # the other pillars keep the targets from the responses
    assert pillars["reliability"]["target"] == before["reliability"]["target"]


def test_targets_file_with_unknown_pillar(tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("tangible: 6\n", encoding="utf-8")
    code, out, err = run("score", "servqual", SAMPLES["servqual"], "--targets", targets)
    assert code == 1
    assert "unknown pillar 'tangible'; did you mean 'tangibles'?" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_score_table_names_every_pillar_and_the_overall_index(documents, template):
    code, out, err = run("score", template, SAMPLES[template])
    assert code == 0, err
    for pillar in find_template(template).pillars:
        assert pillar.name in out
    overall = documents[template]["overall"]["index"]
    assert f"Overall index {overall:.1f}" in out
    assert overall != round(overall, 4) and not re.search(r"\d\.\d{3,}", out)  # the JSON is full, the table rounds


# ------------------------------------------------------------------------------------ help


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--help"], ["validate", "score", "sample", "template"]),
        (["validate", "--help"], ["TEMPLATE", "RESPONSES", "Exit status 1"]),
        (["score", "--help"], ["--targets", "--by", "--anonymity", "--json", "gap"]),
        (["sample", "--help"], ["--out", "--force", "--seed"]),
    ],
)
def test_help(argv, words):
    code, out, err = run(*argv)
    assert code == 0
    assert out.startswith("usage: cxassess")
    flat = " ".join(out.split())  # argparse wraps to the terminal width
    for word in words:
        assert word in flat


def test_version():
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("cxassess ")


def test_no_command_is_a_usage_error():
    code, _, err = run()
    assert code == 2
    assert "usage: cxassess" in err


# ---------------------------------------------------------------------------------- sample


def test_sample_writes_a_valid_file_and_refuses_to_overwrite(tmp_path):
    out_file = tmp_path / "sub" / "responses.csv"
    code, out, err = run("sample", "servqual", "--out", out_file, "--respondents", "12", "--seed", "3")
    assert code == 0, err
    assert out_file.is_file()
    content = out_file.read_bytes()
    assert run("validate", "servqual", out_file)[0] == 0

    code, out, err = run("sample", "servqual", "--out", out_file, "--seed", "4")
    assert code == 1
    assert err.strip() == f"{out_file}: already exists; choose another name or pass --force to replace it"
    assert out_file.read_bytes() == content

    code, _, err = run("sample", "servqual", "--out", out_file, "--seed", "4", "--force")
    assert code == 0, err
    assert out_file.read_bytes() != content


def test_sample_is_reproducible(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("sample", "cx_service_strategy", "--out", a, "--respondents", "5")[0] == 0
    assert run("sample", "cx_service_strategy", "--out", b, "--respondents", "5")[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_sample_into_a_folder_is_refused(tmp_path):
    code, _, err = run("sample", "servqual", "--out", tmp_path, "--force")
    assert code == 1
    assert err.strip() == f"{tmp_path}: is a folder; give a file name for --out, such as responses.csv"


@pytest.mark.parametrize("count", ["0", "-3", "many"])
def test_sample_respondents_must_be_positive(tmp_path, count):
    code, _, err = run("sample", "servqual", "--out", tmp_path / "x.csv", "--respondents", count)
    assert code == 2
    assert "--respondents" in err and "internal error" not in err
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------- the real console script


@pytest.mark.slow
def test_console_script_validate_good_and_bad():
    script = Path(sys.executable).with_name("cxassess")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cxassess.cli"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("CXASSESS_DEBUG", None)
    good = subprocess.run(
        [*command, "validate", "servqual", str(SAMPLES["servqual"])],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert "valid for template 'servqual'" in good.stdout
    bad = subprocess.run(
        [*command, "validate", str(BAD_TEMPLATES / "alias_bomb.yaml"), str(SAMPLES["servqual"])],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert bad.returncode == 1
    assert "YAML alias *a is not allowed" in bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_score_client_dir_prints_the_clients_own_figures(tmp_path):
    """A client folder is scored with its weights, targets and anonymity threshold; options for a bare
    responses file are refused, and a name that is no folder gets a message saying what to give."""
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "responses.csv").write_bytes(SAMPLES["servqual"].read_bytes())
    (folder / "client.yaml").write_text("name: Acme\ntemplate: servqual\nassessment_date: 2026-01-15\n"
                                        "targets: {tangibles: 6.5}\nweights: {empathy: 4}\nanonymity_threshold: 14\n",
                                        encoding="utf-8")
    code, out, err = run("score", folder, "--by", "role")
    assert code == 0, err
    plain = score_json("servqual", SAMPLES["servqual"])["pillars"]
    index = {p["id"]: p["index"] for p in plain}
    weights = {p["id"]: 4.0 if p["id"] == "empathy" else p["weight"] for p in plain}
    overall = sum(weights[p] * index[p] for p in index) / sum(weights.values())
    assert out.startswith("Acme (acme), assessed 2026-01-15; pillar weights empathy 4\n")
    assert f"\nOverall index {overall:.1f} (" in out
    tangibles = next(line for line in out.splitlines() if line.strip().startswith("Tangibles "))
    assert tangibles.split()[3] == "6.50"  # Mean, Index, Target
    assert "By role (groups under 14 respondents suppressed" in out
    code, _, err = run("score", folder, "--targets", tmp_path / "t.yaml")
    assert code == 1 and "--targets: is for TEMPLATE RESPONSES" in err
    code, _, err = run("score", "servqual")
    assert code == 1 and "servqual: is not a client folder; give a template and a responses file" in err
