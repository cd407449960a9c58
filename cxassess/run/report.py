"""Client reports: execute the assessment notebook with Papermill, then write HTML, PDF and JSON.

A run is staged in a hidden folder and renamed into ``reports/<client_id>/<timestamp>/`` only
when complete; ``reports/<client_id>/latest`` then points at it. Earlier runs are never touched.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..render import pdf
from ..render.theme import NEUTRAL, Theme, theme_for
from ..inputs.branding import find_branding
from ..analysis.assessment import Assessment, anonymity_threshold_for, assess, plan_against_actual
from ..inputs.clients import Client, TemplateChoice, load_client, load_waves
from ..core.background import meanwhile
from ..core.errors import CxError
from ..core.paths import check_inside
from ..core.resources import REPORT_NOTEBOOK as NOTEBOOK
from ..analysis.document import to_document
from ..analysis.stats_document import add_statistics
from ..analysis import drivers, roadmap, voice
from ..analysis.sentiment import to_document as comments_document
from . import provenance
from ..core.settings import DEFAULT_FORMATS, FORMATS, REPORTS_FOLDER
from .fingerprints import fingerprint
from .html_export import exporter, export_html
from .run_folders import STAGING, clean_stale_staging, hold, new_run_name, point_latest, release, remove_whole
from .runner import kernel_options, runner_mode

EXPORTS = {"xlsx": "results.xlsx", "pptx": "deck.pptx"}  # written from the analysis, not the notebook


@dataclass
class ReportRun:
    """What one report run produced, and how long it took."""

    client_id: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple = ()


def save_scores(a: Assessment, output_dir: str | os.PathLike | None) -> Path | None:
    """Write ``scores.json`` (``scores_document``) into ``output_dir``, if given."""
    if not output_dir:
        return None
    path = Path(output_dir) / "scores.json"
    document = scores_document(a)
    record = provenance.read(output_dir)  # a report run's own (provenance.py), absent when run by hand
    if record is not None:
        document["provenance"] = record
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def scores_document(a: Assessment) -> dict:
    """A client's ``scores.json`` (also ``cxassess score CLIENT_DIR --json``): scores, breakdowns, client, waves."""
    document = to_document(a.verdict_scores, a.breakdowns)  # each pillar's action: its final verdict
    document["client"] = {"id": a.client.id, "name": a.client.config.name,
                          "assessment_date": a.client.config.assessment_date.isoformat()}
    document["anonymity_threshold"] = a.anonymity_threshold
    document["data_quality"] = a.coverage.to_document()  # the thin-data guard: minimums, thin pillars, warning
    if a.voice is not None:
        document["customers"] = voice.to_document(a.voice)
    document["comments"] = comments_document(a.sentiment)  # the tone of the staff's comments, per pillar
    document.update(drivers.to_document(a.drivers))
    document.update(wave_document(a.client))
    if a.projection is not None:  # the client's own plan (plan.yaml)
        document["plan"] = roadmap.plan_document(a.client_plan, a.projection, plan_against_actual(a))
    return add_statistics(document, a)


def wave_document(client: Client) -> dict:
    """The wave the scores belong to and every wave of the client, oldest first (for scores.json)."""
    wave = client.wave
    return {
        "wave": {"id": wave.id, "date": wave.date.isoformat()} if wave else None,
        "waves": [{"id": w.id, "date": w.date.isoformat()} for w in client.waves],
    }


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` -> ``("html", "pdf")``, refusing unknown formats."""
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    unknown = [f for f in items if f not in FORMATS]
    if unknown or not items:
        raise CxError.at("--format", f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(items))


def write_exports(a: Assessment, folder: Path, formats: Iterable[str], theme: Theme = NEUTRAL) -> None:
    """``results.xlsx`` and/or ``deck.pptx`` (as asked in ``formats``) into ``folder``, in ``theme``'s look."""
    from ..render.deck import write_deck  # python-pptx is imported only when a deck is asked for
    from ..render.workbook import write_workbook

    record = provenance.read(folder)  # the run's provenance, for the workbook's About sheet
    for fmt, write in (("xlsx", functools.partial(write_workbook, provenance=record, theme=theme)),
                       ("pptx", functools.partial(write_deck, theme=theme))):
        if fmt in formats:
            write(a, folder / EXPORTS[fmt])


def notebook_parameters(**values: object) -> dict[str, object]:
    """The notebook's parameters, checked to be plain data that Papermill writes as literals, never code.

    Papermill puts parameters into the notebook as Python source: each value must be None, a
    bool, a number, text or a mapping of text to text, and its rendering must read back
    (``ast.literal_eval``) as itself.
    """
    import ast

    from papermill.translators import PythonTranslator

    for name, value in values.items():
        texts = isinstance(value, dict) and all(isinstance(x, str) for item in value.items() for x in item)
        if value is not None and not isinstance(value, (str, bool, int, float)) and not texts:
            raise TypeError(f"notebook parameter {name!r} must be plain data, not {type(value).__name__}")
        literal = PythonTranslator.translate(value)
        if ast.literal_eval(literal) != value:
            raise CxError.at(name, f"cannot be passed to the notebook safely ({value!r}); rename the folder")
    return values


def injected_parameters(client: Client, output_dir: Path, anonymity_threshold: int | None = None,
                        **parameters: object) -> dict[str, object]:
    """The parameters Papermill injects into the notebook for a client's run (also its provenance)."""
    return notebook_parameters(
        client_dir=str(client.folder.resolve()),
        template={key: str(path) for key, path in client.template_files.items()},  # nothing looked up again
        output_dir=str(output_dir.resolve()),
        anonymity_threshold=anonymity_threshold,
        **parameters,
    )


def execute_notebook(client: Client, output_dir: Path, anonymity_threshold: int | None = None,
                     notebook: Path = NOTEBOOK, mode: str = "plain", **parameters: object) -> Path:
    """Run the assessment notebook for a client in a fresh kernel; returns the executed copy.

    ``mode`` fast: the fresh kernel process is forked from a pre-imported zygote (runner.py, kernels.py).
    """
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    executed = output_dir / "assessment.ipynb"
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=injected_parameters(client, output_dir, anonymity_threshold, **parameters),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(notebook.parent),
            shutdown_kernel="immediate",
            extra_arguments=["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"],
            request_save_on_cell_execute=False,  # one write at the end (also on failure)
            **kernel_options(mode),
        )
    except pm.PapermillExecutionError as exc:
        raise CxError.at(
            executed,
            f"the notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}; "
            "the partly executed notebook is kept there",
        ) from None
    return executed


def warm_up(mode: str = "fast", pdf_engine: str | None = None) -> None:
    """Pay a report's one-off costs now: Papermill, the HTML exporter, the kernel zygote (fast mode), the PDF engine.

    A batch calls it as each worker starts, while its own process scores the portfolio;
    ``pdf_engine`` None means no PDF is written.
    """
    import papermill  # noqa: F401

    exporter()
    if mode == "fast":
        from .zygote import Zygote

        Zygote.get()
    if pdf_engine is not None:
        pdf.warm_up(pdf_engine)


def check_enough_answers(a: Assessment) -> None:
    """``--strict``: a CxError naming the client, its thin pillars and why, when the guard found thin data."""
    if a.coverage.is_thin:
        raise a.coverage.error(f"{a.client.folder}: client {a.client.id!r}")


def _while_the_notebook_runs(mode: str, pdf_engine: str | None) -> threading.Thread | None:
    """Fast mode: launch the browser and build the HTML exporter while the kernel works (a thread).

    Both would otherwise follow the notebook; begun earlier they would compete with the zygote's
    imports for the cores. The thread mostly runs while this process only waits for the kernel.
    """
    def prepare() -> None:
        if pdf_engine is not None:
            pdf.start_own_printer(pdf_engine)
        exporter()

    return meanwhile(prepare, "cxassess-meanwhile") if mode == "fast" else None


def build_report(
    client_dir: str | os.PathLike,
    out: str | os.PathLike = REPORTS_FOLDER,
    formats: Iterable[str] = DEFAULT_FORMATS,
    anonymity_threshold: int | None = None,
    notebook: Path = NOTEBOOK,
    mode: str | None = None,
    benchmark: Path | None = None,
    pdf_engine: str | None = None,
    template: TemplateChoice = None,
    docx_reference: str | os.PathLike | None = None,
    strict: bool = False,
    branding: str | os.PathLike | None = None,
    draw_ahead: bool = True,
) -> ReportRun:
    """Validate a client, run its notebook, and write the report folder; returns what was written.

    Bad input stops before anything is executed or written, with every problem listed.
    ``pdf_engine`` is ``auto`` (default), ``chromium`` or ``weasyprint`` (see pdf.py). ``template``:
    the questionnaire files a batch resolved for this client (``Client.template_files``), else none.
    ``mode``: fast or plain (runner.py; None: ``$CXASSESS_RUNNER``, else fast).
    ``docx_reference``: a .docx whose styles, page setup, header and footer the Word report takes.
    ``strict``: thin data (a pillar without enough answers, a withheld overall index) is an error, raised
    before anything is written, instead of a report that opens with a warning.
    ``branding``: the consultancy's branding file (else ``$CXASSESS_BRANDING`` or ``branding.yaml`` beside
    the clients folder; ``inputs/branding.py``), overridden field by field by client.yaml's ``branding:``.
    ``draw_ahead``: in fast mode, the bundled notebook draws its slowest sections in a second process while
    its first cells run (``render/ahead.py``); a batch turns it off, as its workers keep every core busy.
    """
    started = time.perf_counter()
    run_at = dt.datetime.now(dt.timezone.utc)
    formats = parse_formats(formats)
    mode = runner_mode(mode)
    if mode == "fast":
        from .zygote import Zygote

        Zygote.get()  # the batch's, or one of our own: it imports while the client is validated
    if "pdf" in formats:
        pdf_engine = pdf.engine(pdf_engine)  # an engine that cannot run is refused before any work
    if "docx" in formats:
        from ..render import docx_report  # python-docx is imported only when a Word report is asked for
        docx_report.check_reference(docx_reference)  # a reference Word cannot use is refused before any work
    client = load_client(client_dir, template)  # validates id, client.yaml, template and answers
    theme = theme_for(find_branding(client.folder, branding))  # a bad branding stops the run here, too
    if len(client.waves) > 1:
        load_waves(client)  # the earlier waves too: bad answers there stop the run before it starts
    threshold = anonymity_threshold_for(client, anonymity_threshold)
    if strict:
        check_enough_answers(assess(client, threshold))
    client_root = Path(out) / client.id
    client_root.mkdir(parents=True, exist_ok=True)
    check_inside(client_root, Path(out), "the client's report folder")
    name = new_run_name(client_root)
    staging = client_root / STAGING.format(name)
    staging.mkdir()
    lock = None
    try:
        lock = hold(staging)  # tells later runs this folder is being written (released on exit or death)
        clean_stale_staging(client_root, name)
        run = ReportRun(client.id, client_root / name, warnings=client.warnings)
        mark = time.perf_counter()
        benchmark_file = str(Path(benchmark).resolve()) if benchmark else None
        parameters = injected_parameters(client, staging, threshold, benchmark_file=benchmark_file)
        parameters["output_dir"] = str(run.folder.resolve())  # where the run ends up, not its staging folder
        provenance.write(provenance.collect(client, parameters, run_at, benchmark), staging)
        meanwhile = _while_the_notebook_runs(mode, pdf_engine if "pdf" in formats else None)
        # how the notebook runs, not what it shows: not in the provenance, so a report reads the same from a batch
        extra = {"draw_ahead": True} if draw_ahead and mode == "fast" and notebook == NOTEBOOK else {}
        try:
            executed = execute_notebook(client, staging, threshold, notebook, mode=mode, benchmark_file=benchmark_file,
                                        **extra)
        except CxError as exc:
            failed = client_root / f"{name}-failed"
            os.replace(staging, failed)
            raise CxError.at(failed / "assessment.ipynb", exc.problems[0].message) from None
        run.timings["execute"] = time.perf_counter() - mark
        if not (staging / "scores.json").is_file():
            save_scores(assess(client, threshold), staging)  # a custom notebook that did not write it
        record = {**fingerprint(client, notebook), "formats": sorted(formats)}  # --changed re-runs for a new format
        (staging / "fingerprint.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        if meanwhile is not None:
            meanwhile.join()
        mark = time.perf_counter()
        html = export_html(executed, client.document_title, theme)
        run.timings["html"] = time.perf_counter() - mark
        if "html" in formats:
            (staging / "report.html").write_text(html, encoding="utf-8")
        if "pdf" in formats:
            mark = time.perf_counter()
            pdf.render_pdf(html, staging / "report.pdf", pdf_engine)
            run.timings["pdf"] = time.perf_counter() - mark
        if "docx" in formats:
            mark = time.perf_counter()
            docx_report.write_word_report(executed, staging / "report.docx", docx_reference, client.document_title,
                                          theme)
            run.timings["docx"] = time.perf_counter() - mark
        if EXPORTS.keys() & set(formats):
            mark = time.perf_counter()
            write_exports(assess(client, threshold), staging, formats, theme)
            run.timings["exports"] = time.perf_counter() - mark
        os.replace(staging, run.folder)
    except BaseException:  # interrupted or crashed: nothing half-written stays behind
        remove_whole(staging)
        raise
    finally:
        if lock is not None:
            release(lock)
    point_latest(client_root, name)
    run.files = {p.name: p for p in sorted(run.folder.iterdir())}
    run.seconds = time.perf_counter() - started
    return run
