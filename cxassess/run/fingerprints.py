"""What a report depends on, hashed: ``cxassess batch --changed`` re-runs a client only when it changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..core.resources import REPORT_NOTEBOOK as NOTEBOOK
from ..inputs.clients import Client
from .run_folders import LATEST


def fingerprint(client: Client, notebook: Path = NOTEBOOK) -> dict:
    """Content hashes of everything a report depends on, for ``cxassess batch --changed``."""
    from .. import __version__

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    inputs = {
        "responses": digest(client.responses_file),
        "client.yaml": digest(client.folder / "client.yaml"),
        "templates": {key: digest(path) for key, path in sorted(client.template_files.items())},
        "notebook": digest(notebook),
        "cxassess": __version__,
    }
    if client.feedback_file is not None:
        inputs["customer_feedback"] = digest(client.feedback_file)
    if client.plan is not None:
        inputs["plan"] = digest(client.plan.file)
    if len(client.waves) > 1:  # the progress section reads every wave
        inputs["waves"] = {w.id: digest(w.responses_file) for w in client.waves}
        inputs["wave.yaml"] = {w.id: digest(w.responses_file.parent / "wave.yaml") for w in client.waves
                               if (w.responses_file.parent / "wave.yaml").is_file()}
    overall = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return {"digest": overall, "inputs": inputs}


def last_fingerprint(client_root: Path) -> dict | None:
    """The fingerprint recorded with the newest successful report (its ``digest`` and ``formats``), if any."""
    try:
        record = json.loads((client_root / LATEST / "fingerprint.json").read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "digest" in record else None
