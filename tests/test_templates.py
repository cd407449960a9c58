"""Templates: the shipped ones load, broken ones are reported clearly, lookup and maturity bands."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from cxassess.core.errors import CxError
from cxassess.inputs.templates import Template, find_template, load_template
from cxassess.inputs.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "data" / "templates"
BAD = Path(__file__).resolve().parent / "data" / "bad_templates"
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
BAD_FILES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "expected.yaml")

MINIMAL = """\
id: mini
name: Mini
version: "1.0"
scale:
  min: 1
  max: 5
  labels: {1: Never, 5: Always}
segments:
  - role
maturity:
  - name: Low
    min_index: 0
  - name: Middle
    min_index: 40
  - name: High
    min_index: 70
pillars:
  - id: p1
    name: Pillar one
    questions:
      - id: q1
        text: Question one.
      - id: q2
        text: Question two.
"""


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CxError) as info:
        load_template(path)
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------------- shipped templates


def test_cx_service_strategy_has_twelve_pillars_of_four_to_six_questions():
    t = load_template(TEMPLATES / "cx_service_strategy.yaml")
    assert t.id == "cx_service_strategy"
    assert len(t.pillars) == 12
    for pillar in t.pillars:
        assert 4 <= len(pillar.questions) <= 6, pillar.id
    assert len(set(t.question_ids)) == len(t.question_ids)
    assert t.maturity[0].min_index == 0


def test_servqual_has_the_five_dimensions():
    t = load_template(TEMPLATES / "servqual.yaml")
    assert [p.id for p in t.pillars] == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    assert (t.scale.min, t.scale.max) == (1, 7)


@pytest.mark.parametrize("name", ["cx_service_strategy", "servqual"])
def test_find_template_by_id_and_by_path_agree(name):
    by_id = find_template(name)
    by_path = find_template(TEMPLATES / f"{name}.yaml")
    by_str_path = find_template(str(TEMPLATES / f"{name}.yaml"))
    assert by_id == by_path == by_str_path
    assert by_id.id == name


def test_find_template_by_id_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundled folder is found without ./data/templates
    monkeypatch.delenv("CXASSESS_TEMPLATES", raising=False)
    assert find_template("servqual").id == "servqual"


def test_find_template_in_cxassess_templates_folder(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, MINIMAL, "mini.yaml")
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(folder))
    assert find_template("mini").id == "mini"


def test_unknown_template_id_lists_the_known_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CXASSESS_TEMPLATES", raising=False)
    with pytest.raises(CxError) as info:
        find_template("servqaul")
    message = str(info.value)
    assert message.startswith("servqaul: no template with this id")
    assert "cx_service_strategy" in message and "servqual" in message


def test_a_loaded_template_is_reused_until_its_file_changes(tmp_path):
    path = tmp_path / "t.yaml"
    source = (TEMPLATES / "servqual.yaml").read_text(encoding="utf-8")
    path.write_text(source, encoding="utf-8")
    first = load_template(path)
    assert load_template(path) is first  # same bytes: parsed once
    path.write_text(source.replace("name: Service Quality Gap", "name: Edited Gap", 1), encoding="utf-8")
    edited = load_template(path)
    assert edited is not first and edited.name.startswith("Edited Gap")
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CxError):  # a broken edit is reported, never hidden by the earlier good copy
        load_template(path)


def test_missing_template_file_is_reported(tmp_path):
    with pytest.raises(CxError, match="file not found"):
        find_template(tmp_path / "nope.yaml")


def test_uppercase_suffix_is_treated_as_a_path(tmp_path):
    path = write(tmp_path, MINIMAL, "Mini.YAML")
    assert find_template(str(path)).id == "mini"


def test_text_that_is_neither_path_nor_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CxError, match="neither a template file nor a template id"):
        find_template("no such thing")


# --------------------------------------------------------------------------- maturity bands


@pytest.mark.parametrize(
    ("index", "band"),
    [
        (0.0, "Low"),
        (39.999, "Low"),
        (40.0, "Middle"),  # exactly at a min_index belongs to that band
        (40.0001, "Middle"),
        (69.99, "Middle"),
        (70.0, "High"),
        (100.0, "High"),
        (-0.5, "Low"),  # below the first band (cannot happen from a mean) still gets the lowest
    ],
)
def test_maturity_band_boundaries(tmp_path, index, band):
    t = load_template(write(tmp_path, MINIMAL))
    assert t.maturity_band(index) == band


@pytest.mark.parametrize("index", [None, math.nan])
def test_maturity_band_of_nothing_is_none(tmp_path, index):
    t = load_template(write(tmp_path, MINIMAL))
    assert t.maturity_band(index) is None


def test_shipped_bands_at_their_boundaries():
    t = find_template("cx_service_strategy")
    for band in t.maturity:
        assert t.maturity_band(band.min_index) == band.name


# ------------------------------------------------------------------------ the bad corpus


def test_corpus_is_complete():
    assert len(BAD_FILES) >= 12
    assert sorted(EXPECTED) == BAD_FILES, "every bad template needs an entry in expected.yaml, and vice versa"


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_template_messages(name):
    expected = [line.replace("{dir}", str(BAD)) for line in EXPECTED[name]]
    assert problems_of(BAD / name) == expected


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_template_messages_say_where(name):
    """Every message names the file; schema problems also the line and the YAML path."""
    for line in EXPECTED[name]:
        assert line.startswith(f"{{dir}}/{name}")
        assert "Traceback" not in line and "pydantic" not in line.lower()
        assert "Input should" not in line and "[key]" not in line


def test_alias_bomb_is_refused_quickly():
    # Refused at the first alias: nothing is expanded, so this is instant and uses no memory.
    with pytest.raises(CxError, match="alias"):
        read_yaml(BAD / "alias_bomb.yaml")


def test_python_tags_are_refused(tmp_path):
    path = write(tmp_path, MINIMAL + "x: !!python/object/apply:os.system [echo hi]\n")
    (problem,) = problems_of(path)
    assert problem == (f"{path}:25: invalid YAML: the tag '!!python/object/apply:os.system' is refused "
                       "(these files are data, never code); remove it")


def test_duplicate_key_in_a_flow_mapping(tmp_path):
    path = write(tmp_path, MINIMAL.replace("{1: Never, 5: Always}", "{1: Never, 1: Always}"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:7: invalid YAML: key 1 appears twice")


def test_duplicate_band_name_names_the_full_path(tmp_path):
    path = write(tmp_path, MINIMAL.replace("name: High", "name: Low"))
    assert problems_of(path) == [
        f"{path}:15: maturity[2].name: duplicate band name 'Low' (first used at maturity[0].name); "
        "each must be unique, rename one"
    ]


def test_duplicate_label_text(tmp_path):
    path = write(tmp_path, MINIMAL.replace("{1: Never, 5: Always}", "{1: Never, 5: never}"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:7: scale.labels.5: duplicate label 'never'")


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("respondent_id", "segments[0].id: 'respondent_id' is the respondent column's name; rename the segment"),
        ("q2", "segments[0].id: segment id 'q2' is also a question id"),
    ],
)
def test_segment_clashing_with_a_column(tmp_path, segment, expected):
    path = write(tmp_path, MINIMAL.replace("  - role", f"  - {segment}"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:9: {expected}")


def test_na_token_that_looks_like_a_number(tmp_path):
    path = write(tmp_path, MINIMAL.replace("  labels:", '  na: ["N/A", "0"]\n  labels:'))
    (problem,) = problems_of(path)
    assert problem == f"{path}:7: scale.na[1]: '0' looks like a rating; choose a word such as 'N/A'"


def test_every_problem_is_reported_in_one_pass(tmp_path):
    text = (
        MINIMAL.replace("name: Mini\n", "")
        .replace("min_index: 40", "min_index: 80")
        .replace("        text: Question two.\n", "        text: Question two.\n        weight: 0\n")
    )
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 3
    assert [p.split(": ", 1)[1].split(":")[0] for p in problems] == [
        "name",
        "maturity[2].min_index",
        "pillars[0].questions[1].weight",
    ]


def test_oversized_file_is_refused(tmp_path):
    path = write(tmp_path, MINIMAL + "description: " + "x" * 2_000_001 + "\n")
    (problem,) = problems_of(path)
    assert "may be at most 2,000,000" in problem


def test_folder_instead_of_file(tmp_path):
    (problem,) = problems_of(tmp_path)
    assert problem == f"{tmp_path}: is a folder, expected a YAML file"


def test_template_is_immutable(tmp_path):
    t = load_template(write(tmp_path, MINIMAL))
    assert isinstance(t, Template)
    with pytest.raises(Exception):
        t.id = "other"  # type: ignore[misc]
