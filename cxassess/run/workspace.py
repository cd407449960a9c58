"""An analyst's workspace per client: copies of the shipped notebooks with the client's parameters injected.

``cxassess lab`` opens JupyterLab on ``work/<client_id>/``, never on ``notebooks/``: the shipped
notebooks are what ``cxassess report`` and ``batch`` run, and JupyterLab rewrites a notebook's
metadata on opening and saves its outputs, which would change every client's ``--changed``
fingerprint. Each workspace notebook is the shipped one with a tagged ``injected-parameters`` cell
after its ``parameters`` cell, made by Papermill's own ``parameterize_notebook`` (as a report run
does), holding the client's absolute folder (and, for the assessment, an ``output/`` folder inside
the workspace for ``scores.json``).

An existing workspace notebook is the analyst's work: it is kept unless ``refresh`` is asked
for, and then the old copy is moved into ``backups/<timestamp>/`` first, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..core.errors import CxError
from ..core.files import write_text_atomically
from ..core.paths import check_inside, check_no_nul
from ..core.resources import EXPLORER_NOTEBOOK, QUESTIONNAIRE_NOTEBOOK, REPORT_NOTEBOOK
from ..inputs.clients import CLIENT_FILE, check_client_id, client_folder, current_template
from .report import notebook_parameters

SHIPPED = {  # the workspace's notebooks, by file name, and the shipped notebook each copies
    "assessment.ipynb": REPORT_NOTEBOOK,
    "explore.ipynb": EXPLORER_NOTEBOOK,
    "questionnaire.ipynb": QUESTIONNAIRE_NOTEBOOK,
}
OUTPUT_FOLDER = "output"  # inside a workspace: where its assessment notebook writes scores.json
BACKUPS_FOLDER = "backups"  # inside a workspace: notebooks replaced by --refresh, one folder per refresh

# what happened to each notebook of a workspace
CREATED, KEPT, UNCHANGED, REPLACED = "created", "kept", "unchanged", "replaced"


@dataclass
class Workspace:
    """One client's workspace: where it is, which client folder it is for, what was done to each notebook."""

    client_id: str
    client_dir: Path  # absolute
    folder: Path  # absolute: <work>/<client_id>
    actions: dict[str, str] = field(default_factory=dict)  # notebook file name -> CREATED, KEPT, UNCHANGED, REPLACED
    backup: Path | None = None  # where the replaced notebooks went (refresh only)

    @property
    def notebooks(self) -> list[Path]:
        return [self.folder / name for name in SHIPPED]


def notebook_values(name: str, client_dir: Path, folder: Path) -> dict[str, object]:
    """The parameters injected into workspace notebook ``name``: the client's folder, and for the
    assessment the workspace's output folder (plain literals, checked like a report run's)."""
    values: dict[str, object] = {"client_dir": str(client_dir)}
    if name == "assessment.ipynb":
        values["output_dir"] = str(folder / OUTPUT_FOLDER)
    return notebook_parameters(**values)


def workspace_text(shipped: Path, parameters: dict[str, object]) -> str:
    """The shipped notebook with ``parameters`` injected the Papermill way, as notebook JSON text.

    Papermill reads it (adding its metadata), and ``parameterize_notebook`` inserts the tagged
    ``injected-parameters`` cell after the ``parameters`` cell and records the values in
    ``metadata.papermill.parameters``; the shipped file itself is only read.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(shipped))
    nb = parameterize_notebook(nb, parameters, comment="Parameters injected by `cxassess lab` for this client")
    for cell in nb.cells:  # a fixed id instead of a random one: the same client gives the same file
        if "injected-parameters" in cell.metadata.get("tags", ()):
            cell.id = "injected-parameters"
    return nbformat.writes(nb) + "\n"


def _made_for(path: Path) -> str | None:
    """The client folder an existing workspace notebook was made for (None: unknown or unreadable)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))["metadata"]["papermill"]["parameters"]["client_dir"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _backup_folder(folder: Path) -> Path:
    """A new, empty ``backups/<timestamp>[-N]/`` folder in the workspace."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        candidate = folder / BACKUPS_FOLDER / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            continue
    raise CxError.at(folder / BACKUPS_FOLDER, "could not make a new backup folder; tidy up old backups")


def _client(client_dir: str | os.PathLike) -> tuple[str, Path]:
    """The client's id and absolute folder, after checking the id, client.yaml and its questionnaire.

    The answers are not needed (a new client may only have its questionnaire filled in so far).
    """
    _, folder = client_folder(client_dir)
    if not (folder / CLIENT_FILE).is_file():
        raise CxError.at(folder, f"is not a client folder: it has no {CLIENT_FILE} (name a client's own folder, such "
                         "as data/clients/northwind-retail, not the folder that holds the clients)")
    folder, _ = current_template(folder)
    folder = folder.resolve()
    return check_client_id(folder.name), folder


def prepare_workspace(client_dir: str | os.PathLike, work_dir: str | os.PathLike, refresh: bool = False
                      ) -> Workspace:
    """Create (or reuse) ``work_dir/<client_id>/`` with the three notebooks for the client.

    A notebook already there is kept as it is; with ``refresh`` it is replaced by a fresh copy and
    the old one moved into ``backups/<timestamp>/`` (a copy identical to the fresh one is left alone).
    A workspace made for another folder with the same client id is refused without ``refresh``.
    """
    client_id, client = _client(client_dir)
    work = Path(check_no_nul(work_dir, "the work folder")).resolve()
    folder = work / client_id
    if folder.exists() or folder.is_symlink():
        check_inside(folder, work, "the workspace folder")
        if not folder.is_dir():
            raise CxError.at(folder, "is in the way of the client's workspace and is not a folder; move it away")
    fresh = {name: workspace_text(shipped, notebook_values(name, client, folder)) for name, shipped in SHIPPED.items()}
    existing = [folder / name for name in SHIPPED if (folder / name).exists()]
    others = {str(p.name): made for p in existing if (made := _made_for(p)) not in (None, str(client))}
    if others and not refresh:
        name, made = next(iter(others.items()))
        raise CxError.at(folder / name, f"was made for the client folder {made}, not {client} (two client folders "
                         "with the same id): open that workspace, choose another folder with --work, or pass "
                         "--refresh to make it this folder's (the old notebooks go to backups/)")
    workspace = Workspace(client_id, client, folder)
    (folder / OUTPUT_FOLDER).mkdir(parents=True, exist_ok=True)
    for name, text in fresh.items():
        path = folder / name
        if not path.exists():
            write_text_atomically(path, text)
            workspace.actions[name] = CREATED
        elif not refresh:
            workspace.actions[name] = KEPT
        elif path.read_bytes() == text.encode("utf-8"):
            workspace.actions[name] = UNCHANGED
        else:
            workspace.backup = workspace.backup or _backup_folder(folder)
            os.replace(path, workspace.backup / name)  # the same file system: a rename, never a half copy
            write_text_atomically(path, text)
            workspace.actions[name] = REPLACED
    return workspace


def prepare_workspaces(client_dirs: Iterable[str | os.PathLike], work_dir: str | os.PathLike,
                       refresh: bool = False) -> list[Workspace]:
    """A workspace per client folder (see ``prepare_workspace``); every folder is checked before any is written."""
    clients = [_client(d) for d in client_dirs]
    if not clients:
        raise CxError.at("cxassess lab", "name at least one client folder")
    seen: dict[str, Path] = {}
    for client_id, folder in clients:
        if client_id in seen and seen[client_id] != folder:
            raise CxError.at(folder, f"has the same client id as {seen[client_id]}: their workspaces would be one "
                             f"folder ({client_id}/); open them one at a time with different --work folders")
        seen[client_id] = folder
    return [prepare_workspace(folder, work_dir, refresh) for folder in dict.fromkeys(f for _, f in clients)]
