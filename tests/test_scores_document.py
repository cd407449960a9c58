"""The scores document (scores.json, ``cxassess score --json``): full precision, and its shipped JSON Schema."""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import io
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.analysis.document import SCHEMA_RESOURCE, SCHEMA_VERSION, clean, schema, validate
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.inputs.clients import load_client
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import find_template
from cxassess.run.report import save_scores

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

CLIENTS = ROOT / "data" / "clients"
SAMPLE_CLIENTS = sorted(p.name for p in CLIENTS.iterdir() if (p / "client.yaml").is_file())
SERVQUAL = ROOT / "data" / "samples" / "servqual_responses.csv"


def written(client: str | Path, out: Path) -> tuple[dict, str]:
    """A client's scores.json as save_scores writes it: the parsed document and its text."""
    folder = out / Path(client).name
    folder.mkdir()
    path = save_scores(assess(CLIENTS / client if isinstance(client, str) else client), folder)
    text = path.read_text(encoding="utf-8")
    return json.loads(text), text


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("scores")
    return {client: written(client, out)[0] for client in SAMPLE_CLIENTS}


def score_json(*argv: object) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["score", *map(str, argv), "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def problems(document: dict) -> str:
    """What ``validate`` says about a document ('' when it is valid)."""
    try:
        validate(document, "scores.json")
    except CxError as exc:
        return str(exc)
    return ""


# ------------------------------------------------------------------------------ the schema


def test_the_schema_is_a_draft_2020_12_schema_of_this_version():
    s = schema()
    Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["properties"]["schema_version"]["const"] == SCHEMA_VERSION == "1.2"
    assert s["$id"].endswith(":" + SCHEMA_VERSION) and SCHEMA_VERSION in s["title"]
    assert "MAJOR" in s["description"] and "MINOR" in s["description"]  # what a version change means
    assert s["additionalProperties"] is False


def test_the_schema_ships_in_the_package():
    """The file is read as a package resource, and pyproject's package-data puts it in the wheel."""
    assert (ROOT / "cxassess" / SCHEMA_RESOURCE).is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["cxassess"]
    assert any(fnmatch.fnmatch(SCHEMA_RESOURCE, pattern) for pattern in patterns), patterns


# ------------------------------------------------------------------- documents that validate


@pytest.mark.slow
@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_every_sample_clients_scores_json_validates(documents, client):
    document = documents[client]
    assert document["schema_version"] == SCHEMA_VERSION
    assert problems(document) == ""


def test_a_client_with_customer_feedback_and_waves_validates(documents):
    document = documents["brightpath-software"]
    assert [w["id"] for w in document["waves"]] == ["2025-h2", "2026-h1", "2026-h2"]
    customers = document["customers"]
    assert customers["touchpoints"] and customers["months"] and customers["blind_spots"] == ["customer_need"]
    assert any(p["customer_index"] is None for p in customers["pillars"])  # a pillar the customers cannot rate
    assert problems(document) == ""


def test_the_comments_part_counts_every_comment_under_its_pillar(documents):
    """Per pillar, the comments written on its statements, counted straight from the answers."""
    client = load_client(CLIENTS / "northwind-retail")
    written = client.responses.comments.notna().sum()
    part = documents["northwind-retail"]["comments"]
    assert part["count"] == int(written.sum()) > 0
    for entry, pillar in zip(part["pillars"], client.template.pillars, strict=True):
        assert entry["id"] == pillar.id
        assert entry["count"] == entry["negative"] + entry["neutral"] + entry["positive"] == \
            sum(int(written[q.id]) for q in pillar.questions)
    assert problems(documents["northwind-retail"]) == ""


def test_a_client_with_suppressed_segments_validates(documents):
    document = documents["brightpath-software"]
    groups = [g for segment in document["breakdown"].values() for g in segment]
    assert {g["suppressed"] for g in groups} == {True, False}
    assert problems(document) == ""
    leaked = copy.deepcopy(document)
    hidden = next(g for segment in leaked["breakdown"].values() for g in segment if g["suppressed"])
    hidden["n"] = 3  # a suppressed group must not give its size away
    assert "breakdown/" in problems(leaked) and "/n: 3 is not of type 'null'" in problems(leaked)


def test_a_sample_client_too_small_for_key_drivers_says_why(documents):
    document = documents["northwind-retail"]
    assert document["drivers"] is None
    assert document["drivers_reason"] == ("64 respondents answered the outcome question and every pillar; drivers "
                                          "need at least 10 per pillar (120 for 12 pillars)")
    assert problems(document) == ""
    assert "drivers_reason" in problems({**document, "drivers_reason": 3})


def test_a_sample_client_large_enough_shows_its_key_drivers(documents):
    drivers = documents["riverside-energy"]["drivers"]
    assert drivers["outcome"] == "promise_kept" and drivers["n"] == 144  # 150 respondents, 6 missing an answer
    assert sum(p["share"] for p in drivers["pillars"]) == pytest.approx(drivers["r2"], abs=1e-10)
    assert "drivers_reason" not in documents["riverside-energy"]


@pytest.mark.slow
def test_a_client_with_key_drivers_validates(tmp_path):
    folder = tmp_path / "clients" / "big"
    folder.mkdir(parents=True)
    (folder / "client.yaml").write_text("name: Big\ntemplate: cx_service_strategy\nassessment_date: 2026-10-01\n",
                                        encoding="utf-8")
    generate(find_template("cx_service_strategy"), Profile(respondents=150), seed=8).to_csv(
        folder / "responses.csv", index=False)
    document, _ = written(folder, tmp_path)
    drivers = document["drivers"]
    assert "drivers_reason" not in document and drivers["outcome"] == "promise_kept" and drivers["method"] == "lmg"
    assert 120 <= drivers["n"] <= 150 and [p["id"] for p in drivers["pillars"]] == [p["id"] for p in document["pillars"]]
    assert sum(p["share"] for p in drivers["pillars"]) == pytest.approx(drivers["r2"], abs=1e-10)
    assert sum(p["share_pct"] for p in drivers["pillars"]) == pytest.approx(100, abs=1e-9)
    assert sorted(p["rank"] for p in drivers["pillars"]) == list(range(1, 13))
    assert problems(document) == ""
    broken = copy.deepcopy(document)
    broken["drivers"]["method"] = "ols"
    broken["drivers"]["pillars"][0]["colour"] = "blue"
    assert "drivers/method: 'lmg' was expected" in problems(broken) and "drivers/pillars/0" in problems(broken)


@pytest.mark.slow
def test_a_client_with_its_own_weights_and_every_wave_validates(tmp_path):
    folder = tmp_path / "clients" / "harbour-hotels"
    shutil.copytree(CLIENTS / "harbour-hotels", folder)
    config = folder / "client.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "weights:\n  employee_experience: 10\n", encoding="utf-8")
    document, _ = written(folder, tmp_path)
    assert next(p for p in document["pillars"] if p["id"] == "employee_experience")["weight"] == 10
    assert problems(document) == ""
    for wave in ("2025-10", "2026-04"):
        a = assess(load_client(folder, wave=wave))
        (tmp_path / wave).mkdir()
        earlier = json.loads(save_scores(a, tmp_path / wave).read_text(encoding="utf-8"))
        assert earlier["wave"]["id"] == wave and problems(earlier) == ""


def test_cli_score_json_validates_with_breakdowns_feedback_and_hidden_cells():
    folder = CLIENTS / "brightpath-software"
    answers = load_client(folder).responses_file
    document = score_json("cx_service_strategy", answers, "--by", "role", "--by", "department",
                          "--feedback", folder / "customer_feedback.csv", "--min-answers", "1000")
    assert document["wave"] == "2026-h2" and "client" not in document
    assert document["customers"]["overall"]["nps"] is None  # every customer figure hidden as too small
    assert problems(document) == ""


def test_cli_score_json_validates_on_another_questionnaire_and_with_nulls(tmp_path):
    document = score_json("servqual", SERVQUAL)
    assert document["wave"] is None and document["template"]["id"] == "servqual"
    assert problems(document) == ""
    one = tmp_path / "one.csv"
    lines = SERVQUAL.read_text(encoding="utf-8").splitlines()
    one.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    single = score_json("servqual", one)
    assert single["respondents"] == 1 and all(p["alpha"] is None and p["sd"] is None for p in single["pillars"])
    assert problems(single) == ""


# --------------------------------------------------------------- documents that do not validate


def _set(path: str, value):
    def change(document: dict) -> None:
        *parents, last = path.split("/")
        node = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def _drop(path: str):
    def change(document: dict) -> None:
        *parents, last = path.split("/")
        node = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]
    return change


@pytest.mark.parametrize("change, where, says", [
    (_set("overall/index", "56.7"), "overall/index", "'56.7' is not of type 'number', 'null'"),
    (_set("pillars/0/n", 2.5), "pillars/0/n", "2.5 is not of type 'integer'"),
    (_set("pillars/0/questions/0/reverse", "no"), "pillars/0/questions/0/reverse", "'no' is not of type 'boolean'"),
    (_set("pillars/0/action", "improve"), "pillars/0/action", "'improve' is not one of"),
    (_set("client/assessment_date", "12 October 2026"), "client/assessment_date", "does not match"),
    (_set("colour", "blue"), "(top level)", "Additional properties are not allowed ('colour' was unexpected)"),
    (_set("pillars/0/colour", "blue"), "pillars/0", "('colour' was unexpected)"),
    (_set("pillars/0/questions/0/colour", "blue"), "pillars/0/questions/0", "('colour' was unexpected)"),
    (_set("customers/touchpoints/0/colour", "blue"), "customers/touchpoints/0", "('colour' was unexpected)"),
    (_set("customers/overall/group", "all"), "customers/overall", "('group' was unexpected)"),
    (_set("schema_version", "2.0"), "schema_version", "'1.2' was expected"),
    (_set("comments/pillars/0/respondent_id", "r1"), "comments/pillars/0", "('respondent_id' was unexpected)"),
    (_set("comments/pillars/0/negative_share", 1.5), "comments/pillars/0/negative_share",
     "1.5 is greater than the maximum of 1"),
    (_drop("pillars/0/alpha"), "pillars/0", "'alpha' is a required property"),
    (_drop("schema_version"), "(top level)", "'schema_version' is a required property"),
    (_drop("waves"), "(top level)", "'waves' is a dependency of 'client'"),
])
def test_a_wrong_type_or_unknown_field_does_not_validate(documents, change, where, says):
    document = copy.deepcopy(documents["brightpath-software"])
    change(document)
    message = problems(document)
    assert message.startswith(f"scores.json: {where}: "), message
    assert says in message and f"(scores schema {SCHEMA_VERSION})" in message


def test_every_problem_is_named_at_once(documents):
    document = copy.deepcopy(documents["riverside-energy"])
    document["respondents"] = -1
    document["scale"]["max"] = "5"
    with pytest.raises(CxError) as exc:
        validate(document, "out/scores.json")
    assert [p.message.split(":")[0] for p in exc.value.problems] == ["respondents", "scale/max"]
    assert all(p.file == "out/scores.json" for p in exc.value.problems)


# ----------------------------------------------------------------------------- full precision


def test_clean_keeps_full_precision_and_nulls_what_json_cannot_carry():
    assert clean(np.float64(1 / 3)) == 1 / 3 and type(clean(np.float64(1 / 3))) is float
    assert clean({"a": [math.nan, math.inf, -np.inf, np.int64(7), np.bool_(True), 0.1 + 0.2]}) == \
        {"a": [None, None, None, 7, True, 0.30000000000000004]}


def test_an_alpha_keeps_full_precision_in_the_json_text(tmp_path):
    """Cronbach's alpha of BrightPath's vision pillar: scores.json carries the textbook figure to 1e-12,
    written as Python's shortest round-trip repr of the float (no rounding anywhere)."""
    client = load_client(CLIENTS / "brightpath-software")
    document, text = written("brightpath-software", tmp_path)
    questions = client.template.pillar("vision").questions
    scale = client.template.scale
    items = client.responses.ratings[[q.id for q in questions]].astype(float)
    for q in questions:
        if q.reverse:
            items[q.id] = scale.min + scale.max - items[q.id]
    complete = items.dropna().to_numpy()  # respondents who rated every question of the pillar
    k = complete.shape[1]
    expected = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))

    ours = next(p for p in document["pillars"] if p["id"] == "vision")["alpha"]
    assert ours == pytest.approx(expected, abs=1e-12)
    assert ours != round(ours, 4) and ours != round(ours, 8)  # more digits than any rounding would keep
    tokens = json.loads(text, parse_float=str)  # every float exactly as written
    token = next(p for p in tokens["pillars"] if p["id"] == "vision")["alpha"]
    assert token == repr(ours) == repr(float(assess(client).scores.pillars.loc["vision", "alpha"]))


@pytest.mark.slow
def test_every_pillar_figure_is_the_scores_figure_exactly(tmp_path):
    """Each float of every pillar in scores.json equals the computed figure bit for bit (NaN as null)."""
    document, _ = written("northwind-retail", tmp_path)
    pillars = assess(CLIENTS / "northwind-retail").scores.pillars
    compared = 0
    for p in document["pillars"]:
        for key in ("mean", "index", "target", "gap", "gap_index", "importance", "priority", "sd", "rwg", "alpha"):
            value = float(pillars.loc[p["id"], key])
            assert p[key] == (None if math.isnan(value) else value), (p["id"], key)
            compared += not math.isnan(value)
    assert compared > 50


@pytest.mark.slow
def test_the_clients_own_plan_is_in_its_scores_json(documents):
    document = documents["harbour-hotels"]
    assert problems(document) == ""
    a = assess(CLIENTS / "harbour-hotels")
    plan = document["plan"]
    assert plan["wave"] == "2026-04" and [p["phase"] for p in plan["phases"]] == [1, 2, 3]
    assert [p["end"] for p in plan["phases"]] == ["2026-06-30", "2026-09-30", "2027-03-31"]
    for entry in plan["phases"]:
        assert entry["overall_index"] == a.projection.overall[entry["phase"]]
        assert entry["pillars"] == a.projection.pillars[entry["phase"]].to_dict()
    assert plan["phases"][1]["pillars"]["goals"] == 60  # plan.yaml: goals {2: 60, 3: 70}
    assert [x["status"] for x in plan["actions"]] == ["done", "done", "in progress", "planned", "dropped", "done"]
    employee = plan["against_actual"][0]
    assert employee["pillar"] == "employee_experience" and employee["planned"] == 70
    assert employee["met"] is True and employee["beyond_chance"] is True
    assert "plan" not in documents["riverside-energy"]  # no plan.yaml, no plan
    bad = copy.deepcopy(document)
    bad["plan"]["actions"][0]["status"] = "finished"
    assert "plan/actions/0/status: 'finished' is not one of" in problems(bad)
