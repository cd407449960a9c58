"""`cxassess lab`: a workspace per client with injected copies of the shipped notebooks, and JupyterLab's command line.

The workspaces are made in temporary folders from copies of a sample client; the shipped
notebooks are hashed before and after to show they are only read.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from cxassess.cli import main
from cxassess.core.errors import CxError
from cxassess.core.settings import CLIENT_DIR_ENV, WORK_ENV, WORK_FOLDER
from cxassess.interactive import lab
from cxassess.run import workspace
from cxassess.run.workspace import prepare_workspace, prepare_workspaces

SHIPPED = ROOT / "notebooks"
NAMES = ("assessment.ipynb", "explore.ipynb", "questionnaire.ipynb")


def notebooks_digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SHIPPED.glob("*.ipynb"))}


@pytest.fixture
def client(tmp_path) -> Path:
    """A copy of northwind-retail (renamed, 30 of its 64 respondents), so its figures are its own."""
    folder = Path(shutil.copytree(ROOT / "data" / "clients" / "northwind-retail", tmp_path / "clients" / "lab-retail"))
    config = folder / "client.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: Northwind Home & Garden", "name: Lab Retail"),
                      encoding="utf-8")
    with open(folder / "responses.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    with open(folder / "responses.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows[:31])  # the header and 30 respondents
    return folder


def injected(path: Path) -> dict[str, object]:
    """The values the workspace notebook's injected-parameters cell assigns (run as plain Python)."""
    nb = nbformat.read(path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    position = next(i for i, t in enumerate(tags) if "injected-parameters" in t)
    assert "parameters" in tags[position - 1]  # right after the notebook's own parameters cell
    values: dict[str, object] = {}
    exec(nb.cells[position].source, {}, values)  # noqa: S102 - our own literals, as the kernel runs them
    return values


def sources(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def test_workspace_holds_the_notebooks_with_the_client_injected(client, tmp_path, capsys):
    before = notebooks_digest()
    assert main(["lab", str(client), "--work", str(tmp_path / "work"), "--no-start"]) == 0
    folder = tmp_path / "work" / "lab-retail"
    out = capsys.readouterr().out
    assert f"Workspace for lab-retail ({client.resolve()}): {folder.resolve()}" in out
    assert out.count(": created") == 3
    assert sorted(p.name for p in folder.iterdir()) == [*NAMES[:2], "output", NAMES[2]]
    assert injected(folder / "assessment.ipynb") == {"client_dir": str(client.resolve()),
                                                     "output_dir": str(folder.resolve() / "output")}
    for name in ("explore.ipynb", "questionnaire.ipynb"):
        assert injected(folder / name) == {"client_dir": str(client.resolve())}
    for name in NAMES:  # every other cell is the shipped notebook's, unchanged
        assert sources(folder / name) == sources(SHIPPED / name)
        nbformat.validate(nbformat.read(folder / name, as_version=4))
    assert notebooks_digest() == before  # the shipped notebooks were only read


def test_an_existing_notebook_is_kept_without_refresh(client, tmp_path, capsys):
    work = tmp_path / "work"
    prepare_workspace(client, work)
    mine = work / "lab-retail" / "explore.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes on the targets"))
    nbformat.write(nb, mine)
    edited = mine.read_bytes()

    assert main(["lab", str(client), "--work", str(work), "--no-start"]) == 0
    assert mine.read_bytes() == edited
    assert "explore.ipynb: kept (already there, as you left it; --refresh gives a fresh copy)" in capsys.readouterr().out
    assert not (work / "lab-retail" / "backups").exists()


def test_refresh_replaces_a_changed_notebook_and_keeps_the_old_one(client, tmp_path, capsys):
    work = tmp_path / "work"
    prepare_workspace(client, work)
    folder = work / "lab-retail"
    fresh = (folder / "explore.ipynb").read_bytes()
    (folder / "explore.ipynb").write_bytes(fresh.replace(b"explore.explorer(", b"explore.explorer(  # mine\n"))
    edited = (folder / "explore.ipynb").read_bytes()
    (folder / "questionnaire.ipynb").unlink()  # an analyst removed one: it comes back

    before = notebooks_digest()
    assert main(["lab", str(client), "--work", str(work), "--refresh", "--no-start"]) == 0
    out = capsys.readouterr().out
    backups = list((folder / "backups").iterdir())
    assert len(backups) == 1
    assert f"explore.ipynb: replaced (the old one is kept in {backups[0]})" in out
    assert "assessment.ipynb: unchanged" in out and "questionnaire.ipynb: created" in out
    assert [p.name for p in backups[0].iterdir()] == ["explore.ipynb"]  # only what changed is backed up
    assert (backups[0] / "explore.ipynb").read_bytes() == edited
    assert (folder / "explore.ipynb").read_bytes() == fresh  # the same client gives the same file
    assert notebooks_digest() == before


def test_a_bad_client_folder_is_refused_before_anything_is_written(tmp_path, capsys):
    work = tmp_path / "work"
    with pytest.raises(CxError, match="client folder not found"):
        prepare_workspaces([tmp_path / "missing"], work)
    with pytest.raises(CxError, match="is not a client folder: it has no client.yaml"):
        prepare_workspaces([ROOT / "data" / "clients"], work)
    (tmp_path / "Bad Name").mkdir()
    with pytest.raises(CxError, match="is not a valid client id"):
        prepare_workspaces([tmp_path / "Bad Name"], work)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "client.yaml").write_text("name: Broken\ntemplate: no_such_questionnaire\n", encoding="utf-8")
    with pytest.raises(CxError, match="no_such_questionnaire"):
        prepare_workspaces([broken], work)
    assert main(["lab", str(ROOT / "data" / "clients" / "northwind-retail"), str(tmp_path / "missing"),
                 "--work", str(work), "--no-start"]) == 1
    assert "client folder not found" in capsys.readouterr().err
    assert not work.exists()  # the good folder before the bad one got no workspace either


def test_the_same_id_from_another_folder_is_refused_without_refresh(client, tmp_path):
    work = tmp_path / "work"
    prepare_workspace(client, work)
    other = Path(shutil.copytree(client, tmp_path / "elsewhere" / "lab-retail"))
    with pytest.raises(CxError, match=f"was made for the client folder {client.resolve()}"):
        prepare_workspace(other, work)
    with pytest.raises(CxError, match="has the same client id"):
        prepare_workspaces([client, other], work)
    refreshed = prepare_workspace(other, work, refresh=True)
    assert set(refreshed.actions.values()) == {"replaced"}
    assert injected(work / "lab-retail" / "assessment.ipynb")["client_dir"] == str(other.resolve())
    assert injected(refreshed.backup / "assessment.ipynb")["client_dir"] == str(client.resolve())


def test_work_folder_defaults(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(WORK_ENV, raising=False)
    assert main(["lab", str(client), "--no-start"]) == 0
    assert (tmp_path / WORK_FOLDER / "lab-retail" / "assessment.ipynb").is_file()
    monkeypatch.setenv(WORK_ENV, str(tmp_path / "elsewhere"))
    assert main(["lab", str(client), "--no-start"]) == 0
    assert (tmp_path / "elsewhere" / "lab-retail" / "assessment.ipynb").is_file()


def test_lab_command_serves_on_loopback_with_the_token_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(CLIENT_DIR_ENV, "/somewhere/else")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    argv, env = lab.lab_command(tmp_path, 9123, "s3cret")
    assert argv[1:3] == ["-m", "jupyterlab"]
    assert {f"--ServerApp.root_dir={tmp_path.resolve()}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=9123",
            "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--LabApp.news_url=None"} <= set(argv)
    assert "--allow-root" not in argv and not any("s3cret" in a for a in argv)
    assert env["JUPYTER_TOKEN"] == "s3cret" and CLIENT_DIR_ENV not in env
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    argv, _ = lab.lab_command(tmp_path, 9123, "s3cret", browser=True)
    assert "--allow-root" in argv and "--ServerApp.open_browser=True" in argv
    assert lab.lab_url(9123, "s3cret") == "http://127.0.0.1:9123/lab?token=s3cret"


def test_lab_starts_jupyterlab_in_the_workspace(client, tmp_path, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(lab, "serve", lambda argv, env: started.append((argv, env)))
    work = tmp_path / "work"
    assert main(["lab", str(client), "--work", str(work), "--port", "9124"]) == 0
    (argv, env), = started
    assert f"--ServerApp.root_dir={(work / 'lab-retail').resolve()}" in argv and "--ServerApp.port=9124" in argv
    assert f"at http://127.0.0.1:9124/lab?token={env['JUPYTER_TOKEN']} " in capsys.readouterr().out
    assert len(env["JUPYTER_TOKEN"]) == 48

    second = Path(shutil.copytree(ROOT / "data" / "clients" / "riverside-energy", tmp_path / "clients" / "riverside"))
    assert main(["lab", str(client), str(second), "--work", str(work)]) == 0
    argv, env = started[1]
    assert f"--ServerApp.root_dir={work.resolve()}" in argv  # several clients: the work folder
    port = int(next(a for a in argv if a.startswith("--ServerApp.port=")).split("=")[1])
    assert 1024 <= port <= 65535 and env["JUPYTER_TOKEN"] != started[0][1]["JUPYTER_TOKEN"]


@pytest.mark.slow
def test_the_workspace_assessment_runs_for_its_client(client, tmp_path):
    import papermill as pm

    ws = prepare_workspace(client, tmp_path / "work")
    executed = tmp_path / "executed.ipynb"
    pm.execute_notebook(str(ws.folder / "assessment.ipynb"), str(executed), cwd=str(ws.folder),
                        kernel_name="python3", progress_bar=False)
    scores = json.loads((ws.folder / "output" / "scores.json").read_text(encoding="utf-8"))
    assert scores["client"] == {"id": "lab-retail", "name": "Lab Retail", "assessment_date": "2026-10-12"}
    assert scores["respondents"] == 30  # the copy's own answers, not the shipped notebook's default client
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert "Lab Retail" in json.dumps([c.get("outputs", []) for c in nb.cells])


def test_workspace_module_names_every_notebook_it_copies():
    assert set(workspace.SHIPPED) == set(NAMES) == {p.name for p in SHIPPED.glob("*.ipynb")}


def test_jupyterlab_comes_with_the_widget_manager():
    """Both README commands install jupyterlab; ipywidgets 8 brings the prebuilt widget manager (no build step)."""
    import importlib.metadata as md
    import sys

    assert int(md.version("jupyterlab").split(".")[0]) >= 4
    assert any(r.startswith("jupyterlab_widgets") for r in md.requires("ipywidgets") or [])
    manager = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager"
    assert json.loads((manager / "package.json").read_text(encoding="utf-8"))["name"] == "@jupyter-widgets/jupyterlab-manager"
