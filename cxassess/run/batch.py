"""Reports for a whole portfolio: many clients in parallel worker processes, each in a fresh kernel.

A client that fails is recorded and the others go on. Workers are separate processes (local,
spawned, see pools.py; or Dask workers), each running one client at a time, each client in its
own fresh kernel process (forked from a data-free, pre-imported zygote, see kernels.py), so two
clients' data never meet in one process.

Before the reports run, a cheap first pass loads and scores every client in this process: the
portfolio's per-pillar quartiles go to ``OUT/portfolio/<stamp>/benchmark.json`` (no client
named) for each report's "How you compare" section, and after the reports the same scores
feed the portfolio overview (``index.html``, ``index.pdf``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
import shutil
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from . import outputs
from ..render import pdf
from ..inputs.clients import Client, check_client_id, list_clients, load_client
from ..core.errors import CxError
from .pools import LocalPool
from ..core.background import meanwhile
from ..core.processes import owned_temp_folder, remove_orphaned_temp_folders
from ..core.settings import DEFAULT_FORMATS, REPORTS_FOLDER
from .fingerprints import fingerprint, last_fingerprint
from .report import build_report, parse_formats
from .batch_record import STATUSES, BatchResult, ClientResult, portfolio_folder, write_summary
from .run_folders import clean_stale_staging
from .runner import open_pool, runner_mode
from ..analysis.assessment import Assessment, assess, wave_assessments
from ..analysis.portfolio import benchmark_document, client_frame, pillar_frame, trend_frame

def select_clients(clients_dir: str | os.PathLike, only: Sequence[str] | None = None) -> list[Path]:
    """The client folders of a batch, optionally restricted to some ids (unknown ids are an error)."""
    folders = list_clients(clients_dir)
    if only:
        for client_id in only:
            check_client_id(client_id)
        by_id = {f.name: f for f in folders}
        unknown = [c for c in only if c not in by_id]
        if unknown:
            raise CxError.at(clients_dir, f"no client folder for {', '.join(unknown)}; "
                             f"available: {', '.join(sorted(by_id)) or 'none'}")
        folders = [by_id[c] for c in dict.fromkeys(only)]
    if not folders:
        raise CxError.at(clients_dir, "holds no client folders (folders with a client.yaml)")
    return folders


def is_unchanged(client: Client, out: str | Path, formats: Iterable[str] = DEFAULT_FORMATS) -> bool:
    """True when the client's inputs hash to what its newest successful report recorded, and that run
    wrote every format asked now (a deck asked after an HTML-only run is a reason to run again)."""
    if outputs.is_url(out):
        recorded = outputs.remote_fingerprint(str(out), client.id)
    else:
        recorded = last_fingerprint(Path(out) / client.id)
    return (recorded is not None and fingerprint(client)["digest"] == recorded["digest"]
            and set(formats) <= set(recorded.get("formats", ())))


def run_client(folder: Path, out: str | Path, formats: tuple[str, ...], benchmark: str | Path | None = None,
               pdf_engine: str | None = None, templates: Mapping[str, Path] | None = None,
               mode: str = "fast", docx_reference: str | None = None, strict: bool = False) -> ClientResult:
    """Build one client's report; every failure becomes a result, never an exception.

    With ``out`` a URL, the report is built in a local temporary folder and then published.
    ``templates``: the questionnaire files the batch resolved for the client (``Client.template_files``),
    so the worker looks no template id up again.
    """
    started = time.perf_counter()
    local = Path(owned_temp_folder("run")) if outputs.is_url(out) else None
    try:
        if local is not None and benchmark is not None and outputs.is_url(benchmark):
            benchmark = outputs.fetch(str(benchmark), local / "benchmark.json")
        run = build_report(folder, local or out, formats, mode=mode, benchmark=benchmark, pdf_engine=pdf_engine,
                           template=templates, docx_reference=docx_reference, strict=strict,
                           draw_ahead=False)  # the workers keep every core busy
        report = str(run.folder / "report.html" if "html" in formats else run.folder)
        if local is not None:
            published = outputs.publish_run(run.folder, str(out), folder.name)
            report = outputs.join(published, "report.html") if "html" in formats else published
        return ClientResult(folder.name, "ok", time.perf_counter() - started, report)
    except KeyboardInterrupt:
        return ClientResult(folder.name, "interrupted", time.perf_counter() - started, error="interrupted")
    except CxError as exc:
        first = str(exc.problems[0]) if exc.problems else "failed"
        return ClientResult(folder.name, "failed", time.perf_counter() - started, error=first)
    except Exception as exc:  # isolation: one client's crash is that client's failure only
        return ClientResult(folder.name, "failed", time.perf_counter() - started,
                            error=f"internal error: {type(exc).__name__}: {exc}")
    finally:
        if local is not None:
            shutil.rmtree(local, ignore_errors=True)


def load_clients(folders: Sequence[Path]) -> dict[str, Client]:
    """Every client that loads, by folder name; the others fail again in their report run, with their message."""
    loaded = {}
    for folder in folders:
        try:
            loaded[folder.name] = load_client(folder)
        except Exception:  # CxError or worse: the client's report run says what is wrong
            continue
    return loaded


def score_clients(clients: Mapping[str, Client]) -> dict[str, Assessment]:
    """The first pass: each valid client's analysis, by client id, scored as its report is (about 0.05 s a client)."""
    return {c.id: assess(c) for c in clients.values()}


def wave_trends(assessed: Mapping[str, Assessment]) -> dict[str, list[tuple[str, dt.date, float]]]:
    """Each multi-wave client's overall index per wave (wave id, date, index), for the overview's trend.

    A client whose earlier waves do not load gets no trend here; its report run says what is wrong.
    """
    trends = {}
    for client_id, a in assessed.items():
        if len(a.client.waves) < 2:
            continue
        try:
            trends[client_id] = [(each.client.wave.id, each.client.wave.date, float(each.scores.overall["index"]))
                                 for each in wave_assessments(a)]
        except Exception:  # CxError or worse: reported by the client's own run
            continue
    return trends


def default_workers() -> int:
    """One worker more than CPU cores: while a worker waits (its client's kernel starting, its page
    printing, messages in flight) the others keep every core busy."""
    return (os.cpu_count() or 1) + 1


def run_batch(
    clients_dir: str | os.PathLike,
    out: str | os.PathLike = REPORTS_FOLDER,
    workers: int | None = None,
    formats: Iterable[str] = DEFAULT_FORMATS,
    only: Sequence[str] | None = None,
    changed: bool = False,
    on_update: Callable[[ClientResult | None, dict], None] | None = None,
    anonymise: bool = False,
    scheduler: str | None = None,
    dask_local: int | None = None,
    pdf_engine: str | None = None,
    mode: str | None = None,
    docx_reference: str | os.PathLike | None = None,
    strict: bool = False,
) -> BatchResult:
    """Build reports for every client folder, then the portfolio overview, into ``OUT/portfolio/<stamp>/``.

    That folder receives ``benchmark.json`` (the quartiles the reports compare with),
    ``index.html`` (and ``index.pdf`` when PDF is among the formats: the portfolio overview,
    with client names replaced by codes when ``anonymise``) and ``batch.json`` (the summary).
    ``on_update`` is called as clients start and finish (for a progress display) with the
    latest result (None when a client starts) and the live state: done, failed, running, remaining.
    Clients run in local worker processes, or as one Dask task each on the cluster at
    ``scheduler`` (or on a LocalCluster of ``dask_local`` processes started for this batch).
    ``pdf_engine``: ``auto``, ``chromium`` or ``weasyprint`` (see pdf.py). ``mode``: fast or plain
    (runner.py; None: ``$CXASSESS_RUNNER``, else fast). ``docx_reference``: the Word reports'
    reference document (``--format docx``). ``strict``: a client with thin data fails with a message
    naming its thin pillars (the other clients go on), instead of getting a report with a warning.
    """
    formats = parse_formats(formats)
    mode = runner_mode(mode)
    remove_orphaned_temp_folders()  # sockets and staging of a batch that was killed outright
    if "docx" in formats and docx_reference is not None:
        from ..render.docx_report import check_reference

        docx_reference = str(check_reference(docx_reference))  # refused before any work; absolute for workers
    if "pdf" in formats:
        pdf_engine = pdf.engine(pdf_engine)  # resolved here: every worker and the overview use the same one
    worker_pdf = pdf_engine if "pdf" in formats else None
    remote = str(out) if outputs.is_url(out) else None
    out = remote or Path(out)
    local_out = Path(owned_temp_folder("batch")) if remote else out  # portfolio files, then uploaded
    folders = select_clients(clients_dir, only)
    workers = max(1, min(workers or default_workers(), len(folders)))
    started_at = dt.datetime.now().isoformat(timespec="seconds")
    started = time.perf_counter()
    results: list[ClientResult] = []
    todo = []
    # Workers start before the first pass, so their start-up (imports, kernel zygote) overlaps it;
    # with --changed they start only once some client is known to need a report.
    pool = None if changed else open_pool(mode, workers, worker_pdf, scheduler, dask_local)
    try:
        clients = load_clients(folders)
        for folder in folders:
            if changed and folder.name in clients and is_unchanged(clients[folder.name], out, formats):
                if remote:
                    latest = outputs.join(remote, folder.name, outputs.latest_run(remote, folder.name) or "", "report.html")
                else:
                    latest = str((out / folder.name / "latest").resolve())
                results.append(ClientResult(folder.name, "unchanged", 0.0, latest))
            else:
                todo.append(folder)
        scored = score_clients(clients)
        batch_folder = portfolio_folder(local_out)
        from . import portfolio  # here, not at the top: workers unpickle run_client from this module

        benchmark: str | Path = portfolio.write_benchmark(
            benchmark_document(pillar_frame({c: a.scores for c, a in scored.items()})),
            batch_folder / "benchmark.json")
        published = outputs.join(remote, "portfolio", batch_folder.name) if remote else None
        if published:
            outputs.publish_folder(batch_folder, published)
            benchmark = outputs.join(published, "benchmark.json")
    except BaseException:  # bad input or Ctrl-C before any report: the idle workers go too
        if pool is not None:
            pool.close()
        raise
    state = {"done": 0, "failed": 0, "skipped": len(results), "running": [], "remaining": len(todo), "total": len(folders)}
    interrupted = False
    if todo:
        pool = pool or open_pool(mode, min(workers, len(todo)), worker_pdf, scheduler, dask_local)
        workers = pool.workers
        pending: dict = {}
        queue = list(todo)
        # the overview's chart stack, imported while the clients' reports are built rather than after the last one
        meanwhile(functools.partial(importlib.import_module, "cxassess.render.overview"), "import the overview")
        try:
            while queue or pending:
                while queue and len(pending) < workers:
                    folder = queue.pop(0)
                    files = clients[folder.name].template_files if folder.name in clients else None
                    pending[pool.submit(run_client, folder, out, formats, benchmark, pdf_engine, files, mode,
                                        docx_reference, strict)] = folder
                    state["running"].append(folder.name)
                    if on_update:
                        on_update(None, state)
                for future in pool.first_completed(pending):
                    folder = pending.pop(future)
                    result = future.result()
                    results.append(result)
                    state["running"].remove(folder.name)
                    state["remaining"] -= 1
                    state["done" if result.status == "ok" else "failed"] += 1
                    if on_update:
                        on_update(result, state)
        except KeyboardInterrupt:
            interrupted = True
            pool.interrupt(pending)  # workers stop their kernel and clean up
            for future, folder in pending.items():
                try:
                    results.append(future.result(timeout=60))
                except BaseException:
                    results.append(ClientResult(folder.name, "interrupted", error="interrupted"))
            done = {r.client for r in results}
            results += [ClientResult(f.name, "interrupted", error="not started") for f in todo if f.name not in done]
        except BaseException:
            pool.close()
            raise
        if interrupted:
            pool.close()
            for client_root in (p for p in Path(local_out).iterdir() if p.is_dir()):
                # a worker's own clean-up can lose a race with the second Ctrl-C; its workers gone, the batch is sure
                clean_stale_staging(client_root, before="~")
    order = {f.name: i for i, f in enumerate(folders)}
    results.sort(key=lambda r: order[r.client])
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    batch = BatchResult(results, started_at, time.perf_counter() - started, workers, interrupted=interrupted,
                        counts=counts, benchmark_file=benchmark)
    if not interrupted:  # an interrupted batch is no portfolio: its summary says what finished
        # A local worker prints the overview's PDF with the engine it already has running.
        render = ((lambda html, target: pool.submit(pdf.render_pdf, html, target, pdf_engine).result())
                  if isinstance(pool, LocalPool) else None)
        try:
            files = write_portfolio_overview(batch, scored, batch_folder, formats, anonymise, remote, pdf_engine,
                                             render, trends=wave_trends(scored))
            batch.overview = files["index.html"]
        except Exception as exc:  # the reports are done; a broken overview must not hide their summary
            batch.overview_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        except KeyboardInterrupt:  # Ctrl-C while the page is written: the reports stand, the summary says so
            batch.interrupted, batch.overview_error = True, "interrupted"
        finally:
            if pool is not None:
                pool.close()
    batch.seconds = time.perf_counter() - started
    batch.summary_file = write_summary(batch, out, batch_folder)
    if published:
        outputs.publish_folder(batch_folder, published)
        batch.summary_file = outputs.join(published, "batch.json")
        if batch.overview is not None:
            batch.overview = outputs.join(published, "index.html")
        shutil.rmtree(local_out, ignore_errors=True)
    return batch


def _report_file(report: str | None, remote: str | None = None, local_root: Path | None = None) -> Path | None:
    """The report a result points at: its report.html, else report.pdf (a run folder is searched).

    A published report (under the ``remote`` URL) maps to the same place under ``local_root``, so the
    overview's relative links hold on the remote side.
    """
    if not report:
        return None
    if remote and local_root is not None and report.startswith(remote.rstrip("/") + "/"):
        return local_root / report[len(remote.rstrip("/")) + 1:]
    path = Path(report)
    if not path.is_dir():
        return path if path.is_file() else None
    return next((path / name for name in ("report.html", "report.pdf") if (path / name).is_file()), None)


def write_portfolio_overview(batch: BatchResult, scored: Mapping[str, Assessment], folder: Path,
                             formats: Iterable[str] = DEFAULT_FORMATS, anonymise: bool = False,
                             remote: str | None = None, pdf_engine: str | None = None,
                             render: Callable[[str, Path], object] | None = None,
                             trends: Mapping[str, Sequence[tuple[str, dt.date, float]]] | None = None
                             ) -> dict[str, Path]:
    """The overview of the clients whose report succeeded or was unchanged, from the first pass's scores.

    ``folder`` is ``<out>/portfolio/<stamp>``; with a ``remote`` output its links follow the published layout.
    """
    shown = {r.client: _report_file(r.report, remote, folder.parent.parent) for r in batch.results
             if r.status in ("ok", "unchanged") and r.client in scored}
    scores = {client: scored[client].scores for client in shown}
    names = {client: scored[client].client.config.name for client in shown}
    failed = [(r.client, (r.error or "failed").splitlines()[0]) for r in batch.results if r.status == "failed"]
    from . import portfolio

    return portfolio.write_overview(
        folder, client_frame(scores, names), pillar_frame(scores),
        reports={c: path for c, path in shown.items() if path is not None}, failed=failed, anonymise=anonymise,
        started=batch.started, pdf="pdf" in formats, pdf_engine=pdf_engine, render=render,
        trends=trend_frame({c: t for c, t in (trends or {}).items() if c in shown}),
    )
