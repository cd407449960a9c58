"""Where finished batch output goes when ``--out`` is a URL (any fsspec file system).

Reports are always built in a local folder first (Papermill and WeasyPrint write local files);
a finished run folder is then uploaded whole, and only after that does the client's
``latest`` name it. Object stores have no symlinks, so there ``latest`` is a one-line text
file holding the run's folder name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .run_folders import LATEST


def is_url(out: str | os.PathLike) -> bool:
    """True for ``s3://bucket/reports``, ``gs://...``, ``file:///...``; False for plain paths."""
    return "://" in str(out)


def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


def join(url: str, *parts: str) -> str:
    return "/".join([str(url).rstrip("/"), *parts])


def publish_folder(local: Path, url: str) -> None:
    """Upload every file of a local folder to the same relative place under ``url`` (replacing)."""
    fs, root = _fs(url)
    root = root.rstrip("/")
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        target = f"{root}/{path.relative_to(local).as_posix()}"
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(path), target)


def publish_run(local_run: Path, out: str, client_id: str) -> str:
    """Upload a finished run folder to ``OUT/<client>/<run>/``, then point ``latest`` at it."""
    url = join(out, client_id, local_run.name)
    publish_folder(local_run, url)
    fs, root = _fs(out)
    fs.pipe(f"{root.rstrip('/')}/{client_id}/{LATEST}", (local_run.name + "\n").encode())
    return url


def fetch(url: str, local: Path) -> Path:
    """Download one file to a local path (a worker reading the batch's benchmark.json)."""
    fs, path = _fs(url)
    fs.get(path, str(local))
    return local


def latest_run(out: str, client_id: str) -> str | None:
    """The folder name of the client's newest complete run at ``out``, if any."""
    fs, root = _fs(out)
    try:
        name = fs.cat(f"{root.rstrip('/')}/{client_id}/{LATEST}").decode().strip()
    except (FileNotFoundError, OSError, UnicodeDecodeError):
        return None
    # a run is a folder beside `latest`: a path in the file (../, /, NUL) is not followed
    return name if name and not name.startswith(".") and not set(name) & set("/\\\x00") else None


def remote_fingerprint(out: str, client_id: str) -> dict | None:
    """The fingerprint recorded with the client's newest successful report at ``out`` (``digest``, ``formats``), if any."""
    run = latest_run(out, client_id)
    if run is None:
        return None
    fs, root = _fs(out)
    try:
        record = json.loads(fs.cat(f"{root.rstrip('/')}/{client_id}/{run}/fingerprint.json"))
    except (FileNotFoundError, OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "digest" in record else None
