"""A batch's record: each client's outcome, the whole batch's, and where they are written.

``batch.json`` in the batch's own ``OUT/portfolio/<stamp>/`` folder, and the table printed at
the end of ``cxassess batch``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.files import write_text_atomically

STATUSES = ("ok", "failed", "unchanged", "interrupted")


@dataclass
class ClientResult:
    """One client's outcome in a batch."""

    client: str
    status: str
    seconds: float = 0.0
    report: str | None = None
    error: str | None = None


@dataclass
class BatchResult:
    """A whole batch: every client's outcome and where the summary was written."""

    results: list[ClientResult]
    started: str
    seconds: float
    workers: int
    summary_file: Path | str | None = None  # a URL when the output is remote
    interrupted: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    benchmark_file: Path | str | None = None
    overview: Path | str | None = None
    overview_error: str | None = None

    @property
    def failed(self) -> list[ClientResult]:
        return [r for r in self.results if r.status == "failed"]


def portfolio_folder(out: Path) -> Path:
    """A new ``OUT/portfolio/<stamp>/`` folder for one batch's files (never an earlier one)."""
    root = Path(out) / "portfolio"
    root.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder, n = root / stamp, 2
    while folder.exists():
        folder, n = root / f"{stamp}-{n}", n + 1
    folder.mkdir()
    return folder


def write_summary(batch: BatchResult, out: Path, folder: Path | None = None) -> Path:
    """Write ``batch.json`` into the batch's folder (by default a new ``OUT/portfolio/<stamp>/``)."""
    folder = folder or portfolio_folder(out)
    document = {
        "started": batch.started,
        "seconds": batch.seconds,
        "workers": batch.workers,
        "interrupted": batch.interrupted,
        "counts": batch.counts,
        "benchmark": str(batch.benchmark_file).rsplit("/", 1)[-1] if batch.benchmark_file else None,
        "overview": str(batch.overview).rsplit("/", 1)[-1] if batch.overview else None,
        "overview_error": batch.overview_error,
        "clients": [asdict(r) for r in batch.results],
    }
    return write_text_atomically(folder / "batch.json", json.dumps(document, indent=2))


def summary_text(batch: BatchResult) -> str:
    """The end-of-batch table: client, status, seconds, report path or the error's first line."""
    width = max([len(r.client) for r in batch.results] + [6])
    lines = [f"{'client':<{width}}  {'status':<11}  {'seconds':>7}  report / error"]
    for r in batch.results:
        detail = r.report if r.status in ("ok", "unchanged") else (r.error or "").splitlines()[0]
        lines.append(f"{r.client:<{width}}  {r.status:<11}  {r.seconds:7.1f}  {detail}")
    c = batch.counts
    lines.append(
        f"\n{c['ok']} ok, {c['failed']} failed, {c['unchanged']} unchanged"
        + (f", {c['interrupted']} interrupted" if c["interrupted"] else "")
        + f" in {batch.seconds:.1f} s with {batch.workers} worker(s)"
    )
    if batch.overview_error:
        lines.append(f"the portfolio overview could not be written: {batch.overview_error}")
    return "\n".join(lines)
