"""Path safety: ids and names never lead outside their folder (../, absolute paths, symlinks, NUL bytes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DATA, TINY_TEMPLATE
from cxassess.run.batch import select_clients
from cxassess.cli import main
from cxassess.inputs.clients import check_client_id, check_wave_id, client_folder, load_client
from cxassess.core.errors import CxError
from cxassess.core.paths import check_inside
from cxassess.run.report import build_report
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import find_template, load_template

TINY = load_template(TINY_TEMPLATE)
ESCAPES = ["../x", "../../etc", "/etc", "/tmp/x", "a/b", "x\x00y", "..", ".", "", "C:\\x", "~root"]


def make_client(root: Path, name: str = "acme", waves: bool = False) -> Path:
    """A valid client of the tiny template: one answers file, or two waves under waves/."""
    folder = root / name
    folder.mkdir(parents=True)
    if waves:
        (folder / "client.yaml").write_text("name: Acme\ntemplate: tiny_template\nwaves:\n  2025-q4: 2025-10-01\n"
                                            "  2026-q2: 2026-04-01\n", encoding="utf-8")
        for seed, wave in enumerate(("2025-q4", "2026-q2")):
            (folder / "waves" / wave).mkdir(parents=True)
            generate(TINY, Profile(respondents=6), seed=seed).to_csv(folder / "waves" / wave / "responses.csv",
                                                                     index=False)
    else:
        (folder / "client.yaml").write_text("name: Acme\ntemplate: tiny_template\nassessment_date: 2026-10-01\n",
                                            encoding="utf-8")
        generate(TINY, Profile(respondents=6), seed=1).to_csv(folder / "responses.csv", index=False)
    return folder


def refused(call, *args) -> str:
    with pytest.raises(CxError) as info:
        call(*args)
    return str(info.value)


@pytest.fixture(autouse=True)
def tiny_templates(monkeypatch):
    """Client folders here name the tiny test template by its file's id."""
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(DATA))


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the clients folder, holding things no client may reach."""
    folder = tmp_path / "outside"
    folder.mkdir()
    make_client(folder, "secret")
    return folder


# ------------------------------------------------------------------------------- ids


@pytest.mark.parametrize("bad", ESCAPES)
def test_client_and_wave_ids_that_could_leave_their_folder_are_refused(bad):
    assert "is not a valid client id" in refused(check_client_id, bad)
    assert "is not a valid wave id" in refused(check_wave_id, bad)


@pytest.mark.parametrize("bad", ["../x", "../../data/templates/cx_service_strategy", "../nothing/here", "x\x00y"])
def test_template_ids_that_could_leave_the_templates_folder_are_refused(bad):
    message = refused(find_template, bad)
    assert "is neither a template file nor a template id" in message or "NUL byte" in message


def test_client_folder_with_nul_byte_is_refused_before_any_file_is_touched(tmp_path):
    assert "holds a NUL byte" in refused(client_folder, str(tmp_path / "da\x00ta" / "acme"))


# ------------------------------------------------------------------------------- symlinks


def test_a_client_folder_linked_from_outside_the_clients_folder_is_refused(tmp_path, outside):
    clients = tmp_path / "clients"
    make_client(clients, "acme")
    (clients / "intruder").symlink_to(outside / "secret", target_is_directory=True)
    message = refused(select_clients, clients)
    assert f"{clients / 'intruder'}: this client folder leads outside {clients}" in message


def test_a_link_to_another_folder_inside_the_clients_folder_is_still_a_client(tmp_path):
    clients = tmp_path / "clients"
    make_client(clients, "acme")
    (clients / "acme-alias").symlink_to(clients / "acme", target_is_directory=True)
    assert [p.name for p in select_clients(clients)] == ["acme", "acme-alias"]


@pytest.mark.parametrize("name", ["responses.csv", "client.yaml", "customer_feedback.csv"])
def test_a_client_file_linked_to_a_file_outside_the_client_is_refused(tmp_path, outside, name):
    folder = make_client(tmp_path / "clients")
    target = outside / "secret" / ("responses.csv" if name == "customer_feedback.csv" else name)
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(target)
    message = refused(load_client, folder)
    assert f"{folder / name}: " in message and f"leads outside {folder}" in message


def test_a_link_inside_the_client_folder_is_allowed(tmp_path):
    folder = make_client(tmp_path / "clients")
    (folder / "responses.csv").rename(folder / "answers-2026.csv")
    (folder / "responses.csv").symlink_to("answers-2026.csv")
    assert len(load_client(folder).responses) == 6


def test_a_wave_folder_linked_to_outside_the_client_is_refused(tmp_path, outside):
    folder = make_client(tmp_path / "clients", waves=True)
    shutil.rmtree(folder / "waves" / "2025-q4")
    (outside / "old").mkdir()
    shutil.copy(outside / "secret" / "responses.csv", outside / "old" / "responses.csv")
    (folder / "waves" / "2025-q4").symlink_to(outside / "old", target_is_directory=True)
    message = refused(load_client, folder)
    assert f"{folder / 'waves' / '2025-q4'}: this wave folder leads outside {folder}" in message


def test_a_wave_answers_file_linked_to_another_clients_answers_is_refused(tmp_path, outside):
    folder = make_client(tmp_path / "clients", waves=True)
    answers = folder / "waves" / "2026-q2" / "responses.csv"
    answers.unlink()
    answers.symlink_to(outside / "secret" / "responses.csv")
    assert "the answers file leads outside" in refused(load_client, folder)


def test_a_template_in_the_templates_folder_linked_to_outside_is_refused(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    (tmp_path / "elsewhere.yaml").write_text(TINY_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    (templates / "linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    monkeypatch.setenv("CXASSESS_TEMPLATES", str(templates))
    assert "template 'linked' leads outside" in refused(find_template, "linked")


def test_check_inside_by_hand(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert check_inside(tmp_path / "a" / "b" / ".." / "b", tmp_path / "a") == tmp_path / "a" / "b" / ".." / "b"
    assert "leads outside" in refused(check_inside, tmp_path / "a" / ".." / "c", tmp_path / "a")
    assert "leads outside" in refused(check_inside, tmp_path / "ab", tmp_path / "a")  # a prefix is not inside


# ------------------------------------------------------------------------------- output names


def test_a_report_folder_linked_to_outside_the_output_folder_is_refused(tmp_path, outside):
    folder = make_client(tmp_path / "clients")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "acme").symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    message = refused(build_report, folder, out, ["html"])
    assert f"{out / 'acme'}: the client's report folder leads outside {out}" in message
    assert sorted(p.name for p in outside.iterdir()) == before  # nothing written there


@pytest.mark.parametrize("args", [
    ["validate", "tiny\x00", "x.csv"],
    ["report", "data/clients/northwind-retail", "--out", "reports\x00/x"],
    ["import", "x.csv", "--from", "google-forms", "--template", "tiny", "--out", "a\x00.csv"],
    ["batch", "data/clients", "--only", "acme\x00"],
])
def test_nul_bytes_in_any_argument_are_refused_with_exit_1(args, capsys):
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "holds a NUL byte" in err and "Traceback" not in out + err


@pytest.mark.parametrize("args", [
    ["score", str(TINY_TEMPLATE), "RESPONSES", "--wave", "../../x"],
    ["compare", "CLIENT", "--waves", "2025-q4", "../2026-q2"],
    ["batch", "CLIENTS", "--only", "../outside/secret", "--out", "OUT"],
])
def test_ids_given_on_the_command_line_are_checked(args, tmp_path, capsys):
    folder = make_client(tmp_path / "clients", waves=True)
    values = {"RESPONSES": str(folder / "waves" / "2026-q2" / "responses.csv"), "CLIENT": str(folder),
              "CLIENTS": str(folder.parent), "OUT": str(tmp_path / "out")}
    assert main([values.get(a, a) for a in args]) == 1
    out, err = capsys.readouterr()
    assert "is not a valid" in err and "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content, expected", [("2026-10-01T120000\n", "2026-10-01T120000"), ("../../etc\n", None),
                                               ("/etc\n", None), ("..\n", None), ("a\\b", None), ("", None)])
def test_a_published_latest_file_names_only_a_run_folder_beside_it(tmp_path, content, expected):
    from cxassess.run.outputs import latest_run

    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "latest").write_text(content, encoding="utf-8")
    assert latest_run(f"file://{tmp_path}", "acme") == expected
