"""Client folders: the id rule, client.yaml validation, finding the answers, sample clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from cxassess.inputs.clients import check_client_id, list_clients, load_client
from cxassess.core.errors import CxError
from cxassess.inputs.sample_clients import SAMPLE_CLIENTS, write_sample_client
from cxassess.inputs.templates import find_template

CLIENTS = ROOT / "data" / "clients"


def copy_client(tmp_path: Path, name: str = "northwind-retail", as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copytree(CLIENTS / name, target)
    return target


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("bad", ["../evil", "Northwind", "north wind", "-lead", "a" * 65, "", "x/y", "nul\0", "é"])
def test_bad_client_ids_are_refused(bad):
    with pytest.raises(CxError) as exc:
        check_client_id(bad)
    assert "is not a valid client id" in messages(exc)[0]


@pytest.mark.parametrize("good", ["a", "northwind-retail", "client_0001", "9lives", "a" * 64])
def test_good_client_ids(good):
    assert check_client_id(good) == good


def test_bad_id_is_refused_before_any_file_is_read(tmp_path):
    folder = copy_client(tmp_path, as_name="Bad Name")
    (folder / "client.yaml").write_text("this: [is not valid", encoding="utf-8")  # would fail if read
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == ["Bad Name: is not a valid client id: use 1-64 lower-case letters, digits, '-' or '_', "
                             "starting with a letter or digit (rename the client folder)"]


def test_every_sample_client_loads():
    folders = list_clients(CLIENTS)
    assert [f.name for f in folders] == sorted(s.id for s in SAMPLE_CLIENTS)
    sizes = {}
    for folder in folders:
        client = load_client(folder)
        sizes[client.id] = len(client.responses)
        assert set(client.responses.segments["role"].dropna()) == {"Leadership", "Manager", "Frontline", "Back office"}
        assert client.responses.not_applicable.to_numpy().any()  # some N/A
        assert client.responses.ratings.isna().to_numpy().sum() > client.responses.not_applicable.to_numpy().sum()
        assert client.responses.comments.notna().to_numpy().any()
    assert all(20 <= n <= 150 for n in sizes.values())
    assert load_client(CLIENTS / "harbour-hotels").responses_file.suffix == ".xlsx"


@pytest.mark.slow
def test_committed_samples_match_the_seeded_generator(tmp_path):
    for sample in SAMPLE_CLIENTS:
        fresh = write_sample_client(sample, tmp_path, find_template(sample.config["template"]))
        committed = CLIENTS / sample.id
        assert (fresh / "client.yaml").read_text() == (committed / "client.yaml").read_text()
        a, b = load_client(fresh), load_client(committed)
        pd.testing.assert_frame_equal(a.responses.ratings, b.responses.ratings)
        pd.testing.assert_frame_equal(a.responses.comments, b.responses.comments)


def test_sample_profiles_show_the_patterns_consultants_meet():
    from cxassess.analysis.breakdowns import breakdown
    from cxassess.analysis.scoring import score

    for sample in SAMPLE_CLIENTS:
        client = load_client(CLIENTS / sample.id)
        by_role = breakdown(client.template, client.responses, "role", threshold=1).set_index("group")
        # leaders see the organisation rosier than the front line
        assert by_role.loc["Leadership", "overall_index"] - by_role.loc["Frontline", "overall_index"] > 8
        # the polarised pillar has the lowest agreement of all
        pillars = score(client.template, client.responses).pillars
        assert pillars["rwg"].idxmin() == sample.profile.polarised


def test_client_yaml_problems_are_located(tmp_path):
    folder = copy_client(tmp_path)
    (folder / "client.yaml").write_text(
        "name: Northwind\n"
        "template: cx_service_strategy\n"
        "assessment_date: 2026-13-01\n"
        "colour: blue\n"
        "targets:\n"
        "  vision: 4\n",
        encoding="utf-8",
    )
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == [
        f"{folder / 'client.yaml'}:3: invalid YAML: '2026-13-01' is not a real date (month must be in 1..12); "
        "write it as YYYY-MM-DD"
    ]
    (folder / "client.yaml").write_text(
        "name: Northwind\ntemplate: cx_service_strategy\nassessment_date: someday\ncolour: blue\n", encoding="utf-8"
    )
    with pytest.raises(CxError) as exc:
        load_client(folder)
    text = "\n".join(messages(exc))
    assert f"{folder / 'client.yaml'}:3: assessment_date:" in text
    assert f"{folder / 'client.yaml'}:4: colour: unknown key 'colour'" in text


def test_client_targets_are_checked_against_the_template(tmp_path):
    folder = copy_client(tmp_path)
    config = folder / "client.yaml"
    config.write_text(
        "name: Northwind\ntemplate: cx_service_strategy\nassessment_date: 2026-10-12\n"
        "targets:\n  vison: 4\n  recovery: 9\n",
        encoding="utf-8",
    )
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == [
        f"{config}:5:vison: unknown pillar 'vison'; did you mean 'vision'?",
        f"{config}:6:recovery: target '9' for 'recovery' must be a number from 1 to 5",
    ]


def test_answers_file_must_be_one_and_only_one(tmp_path):
    folder = copy_client(tmp_path)
    shutil.copy(folder / "responses.csv", folder / "responses.xlsx")
    with pytest.raises(CxError, match="both responses.csv and responses.xlsx exist; keep only one"):
        load_client(folder)
    (folder / "responses.csv").unlink()
    (folder / "responses.xlsx").unlink()
    with pytest.raises(CxError, match="no answers file: add responses.csv or responses.xlsx"):
        load_client(folder)


def test_bad_answers_in_a_client_folder_are_reported_with_rows(tmp_path):
    folder = copy_client(tmp_path)
    lines = (folder / "responses.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("vision_2")] = "8"
    lines[3] = ",".join(cells)
    (folder / "responses.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc)[0].startswith(f"{folder / 'responses.csv'}:4:vision_2: '8' is outside the scale 1-5")
