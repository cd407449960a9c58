"""The ``cxassess`` sub-commands: one ``cmd_*`` function per command, from parsed arguments to output.

Each loads its input, calls the library and prints (tables from ``text``), returning the exit status;
bad input is raised as ``CxError`` for ``main`` to print. Heavy or optional modules (report and
batch machinery, importers, forms, ipywidgets) are imported inside the commands that need them, so
the command starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..analysis import coverage, drivers, voice
from ..core.errors import CxError, Problem
from ..inputs.feedback import load_feedback
from ..core.files import write_text_atomically
from ..inputs.responses import load_responses
from ..inputs.targets import read_targets
from ..inputs.samples import Profile, generate
from ..analysis.breakdowns import breakdowns as segment_breakdowns
from ..core.settings import BRANDING_ENV
from ..core.settings import DEFAULT_ANONYMITY, DEFAULT_BLIND_SPOT_AT, DEFAULT_MIN_ANSWERS, DEFAULT_WORD_OF_MOUTH
from ..analysis.document import to_document
from ..analysis.verdicts import final_verdicts, with_verdicts
from ..analysis.scoring import score
from ..inputs.templates import find_template
from .text import (breakdown_text, compare_text, customers_text, data_quality_text, drivers_text, import_summary, plan_against_text,
                   scorecard_text)


def print_problems(problems: Sequence[Problem], stream=None) -> None:
    for problem in problems:
        print(problem, file=stream or sys.stderr)


def _checked(path: str, load) -> tuple | None:
    """``load(path)``, printing every problem; None after a one-line summary if any is an error."""
    try:
        value, warnings = load(path)
    except CxError as exc:
        print_problems(exc.problems, sys.stdout)
        errors = sum(p.level == "error" for p in exc.problems)
        print(f"{path}: {errors} error(s), {len(exc.problems) - errors} warning(s); not valid")
        return None
    print_problems(warnings, sys.stdout)
    return value, warnings


def cmd_validate(args: argparse.Namespace) -> int:
    template = find_template(args.template)
    checked = _checked(args.responses, lambda path: load_responses(path, template))
    if checked is None:
        return 1
    responses, warnings = checked
    print(
        f"{args.responses}: valid for template {template.id!r}: {len(responses)} respondents, "
        f"{len(template.question_ids)} questions, {len(warnings)} warning(s)"
    )
    if not args.feedback:
        return 0
    checked = _checked(args.feedback, lambda path: load_feedback(path, template))
    if checked is None:
        return 1
    feedback, warnings = checked
    print(f"{args.feedback}: valid customer feedback for template {template.id!r}: {len(feedback)} responses, "
          f"{len(warnings)} warning(s)")
    return 0


def _given(value, default):
    return default if value is None else value


def cmd_score(args: argparse.Namespace) -> int:
    if args.responses is None:
        return score_client(args)
    template = find_template(args.template)
    responses, warnings = load_responses(args.responses, template)
    print_problems(warnings)
    targets = read_targets(args.targets, template) if args.targets else None
    _check_segments(args.by, responses.segments.columns, args.responses)
    rules = coverage.rules_for(template)  # the thin-data guard, as a client's report applies it
    scores = coverage.guard(score(template, responses, targets), rules)
    anonymity = _given(args.anonymity, DEFAULT_ANONYMITY)
    breakdowns = segment_breakdowns(template, responses, args.by, anonymity)
    customers = None
    if args.feedback:
        feedback, feedback_warnings = load_feedback(args.feedback, template)
        print_problems(feedback_warnings)
        settings = voice.VoiceSettings(_given(args.min_answers, DEFAULT_MIN_ANSWERS),
                                       _given(args.word_of_mouth, DEFAULT_WORD_OF_MOUTH),
                                       _given(args.blind_spot_at, DEFAULT_BLIND_SPOT_AT))
        customers = voice.analyse(template, feedback, scores.pillars, settings)
        scores = with_verdicts(scores, final_verdicts(scores, customers))  # the final verdict, as in the report
    wave = wave_of(args.responses, args.wave)
    found = lambda: drivers.client_drivers(template, responses, _outcome(args.outcome, template))
    if args.json:
        document = to_document(scores, breakdowns)
        document["data_quality"] = coverage.summarise(scores, rules).to_document()
        if customers is not None:
            document["customers"] = voice.to_document(customers)
        document.update(drivers.to_document(found()))
        document["wave"] = wave
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    print(data_quality_text(coverage.summarise(scores, rules)) + scorecard_text(scores) + (f", wave {wave!r}" if wave else ""))
    _print_breakdowns({s: breakdowns[s] for s in args.by}, anonymity, [p.id for p in template.pillars])
    if customers is not None:
        print("\n" + customers_text(customers))
    if args.outcome:
        print("\n" + drivers_text(found(), template))
    return 0


def _outcome(qid: str | None, template) -> str | None:
    """``--outcome QID`` checked against the questionnaire: its outcome question or one of its statements."""
    known = [*([template.outcome.id] if template.outcome else []), *template.question_ids]
    if qid is not None and qid not in known:
        raise CxError.at("--outcome", f"{qid!r} is not a question of questionnaire {template.id!r}; name its outcome "
                         f"question or a statement ({', '.join(known[:4])}, ...)")
    return qid


def score_client(args: argparse.Namespace) -> int:
    """``cxassess score CLIENT_DIR``: the figures of the client's report (its analysis, as every output has it)."""
    from ..analysis.assessment import assess
    from ..run.report import scores_document

    folder = Path(args.template)
    if not folder.is_dir():
        raise CxError.at(args.template, "is not a client folder; give a template and a responses file "
                         "(cxassess score TEMPLATE RESPONSES) or a client folder (cxassess score CLIENT_DIR)")
    for option, value in (("--targets", args.targets), ("--feedback", args.feedback),
                          ("--min-answers", args.min_answers), ("--word-of-mouth", args.word_of_mouth),
                          ("--blind-spot-at", args.blind_spot_at)):
        if value is not None:
            raise CxError.at(option, "is for TEMPLATE RESPONSES: a client folder's targets and customer feedback "
                             "(with its settings) are its own, in client.yaml and customer_feedback.csv|xlsx")
    a = assess(folder, args.anonymity, wave=args.wave)
    a = replace(a, outcome=_outcome(args.outcome, a.client.template))
    print_problems(a.client.warnings)
    _check_segments(args.by, a.client.responses.segments.columns, a.client.responses_file)
    if args.json:
        print(json.dumps(scores_document(a), indent=2, ensure_ascii=False))
        return 0
    c, wave = a.client, a.client.wave
    when = (f"wave {wave.id!r} of {wave.date.isoformat()}" if len(c.waves) > 1 else
            f"assessed {c.config.assessment_date.isoformat()}")
    weights = f"; pillar weights {', '.join(f'{k} {v:g}' for k, v in c.weights.items())}" if c.weights else ""
    print(f"{c.config.name} ({c.id}), {when}{weights}\n")
    print(data_quality_text(a.coverage) + scorecard_text(a.verdict_scores))  # each pillar's final verdict, as in the report
    _print_breakdowns({s: a.breakdowns[s] for s in args.by}, a.anonymity_threshold, [p.id for p in c.template.pillars])
    if a.voice is not None:
        print("\n" + customers_text(a.voice))
    if args.outcome:
        print("\n" + drivers_text(a.drivers, c.template))
    return 0


def _check_segments(wanted: Sequence[str], columns: Sequence[str], where: object) -> None:
    for segment in wanted:
        if segment not in columns:
            available = ", ".join(columns) or "none"
            raise CxError.at(where, f"no segment column {segment!r} to break down by (available: {available})")


def _print_breakdowns(breakdowns: dict, anonymity: int, pillar_ids: list[str]) -> None:
    for segment, frame in breakdowns.items():
        print(f"\nBy {segment} (groups under {anonymity} respondents suppressed; index 0-100):")
        print(breakdown_text(frame, pillar_ids))


def wave_of(responses: str | os.PathLike, given: str | None = None) -> str | None:
    """The wave id of ``cxassess score``: ``--wave``, else the folder of ``.../waves/<id>/responses.*``."""
    from ..inputs.wave_names import WAVES_FOLDER, check_wave_id

    if given is not None:
        return check_wave_id(given, "--wave")
    folder = Path(responses).resolve().parent
    if folder.parent.name == WAVES_FOLDER:
        return check_wave_id(folder.name, folder)
    return None


def cmd_compare(args: argparse.Namespace) -> int:
    from ..analysis.assessment import compare_waves
    from ..inputs.clients import load_client

    client = load_client(args.client_dir)
    if args.waves:
        first, second = args.waves
    elif len(client.waves) > 1:
        first, second = client.waves[-2].id, client.waves[-1].id
    else:
        raise CxError.at(args.client_dir, "has a single wave, so there is nothing to compare; add a second wave "
                         "under waves/<wave-id>/")
    before, after, changes = compare_waves(client, first, second, args.alpha)
    print(compare_text(before, after, changes, args.alpha))
    if client.plan is not None and client.plan.wave == first:  # the client's own plan, made at the earlier wave
        from ..analysis.roadmap import planned_vs_actual

        print("\n" + plan_against_text(planned_vs_actual(client.plan, changes), first, second))
    elif client.plan is not None:
        print(f"\nThe client's plan (plan.yaml) starts from wave {client.plan.wave!r}: compare that wave with a later "
              "one to see the plan against what happened.")
    return 0


def cmd_plan_init(args: argparse.Namespace) -> int:
    from ..run.plan_file import init_plan

    file, backup = init_plan(args.client_dir, args.force, args.wave)
    kept = f"; the previous plan is kept as {backup.name}" if backup else ""
    print(f"{file}: plan drafted from the analysis{kept}. Fill in the owners and agree it with the client.")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    template = find_template(args.template)
    out = Path(args.out)
    if out.is_dir():
        raise CxError.at(out, "is a folder; give a file name for --out, such as responses.csv")
    if out.exists() and not args.force:
        raise CxError.at(out, "already exists; choose another name or pass --force to replace it")
    frame = generate(template, Profile(respondents=args.respondents), seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(out, frame.to_csv(index=False))
    print(f"{out}: {len(frame)} fictional respondents for template {template.id!r} (seed {args.seed})")
    return 0


def _write_sample_clients(root: Path, force: bool) -> None:
    from ..inputs.sample_clients import SAMPLE_CLIENTS, write_sample_client

    for sample in SAMPLE_CLIENTS:
        template = find_template(sample.config["template"])
        folder = write_sample_client(sample, root, template, force=force)
        print(f"{folder}: {sample.config['name']} ({sample.profile.respondents} respondents)")


def cmd_sample_clients(args: argparse.Namespace) -> int:
    _write_sample_clients(Path(args.folder), args.force)
    return 0


def _print_run(run) -> None:
    files = ", ".join(sorted(run.files))
    print(f"{run.client_id}: {run.folder}  [{files}]  {run.seconds:.1f} s")


def cmd_report(args: argparse.Namespace) -> int:
    from ..run.report import build_report, parse_formats

    run = build_report(args.client_dir, args.out, parse_formats(args.format), args.anonymity,
                       pdf_engine=args.pdf_engine, mode=args.runner, docx_reference=args.docx_reference,
                       strict=args.strict, branding=args.branding)
    print_problems(run.warnings)
    _print_run(run)
    return 0


def _batch(clients: str, out: str, workers: int | None = None, formats: str = "html,pdf",
           only: list[str] | None = None, changed: bool = False, anonymise: bool = False,
           scheduler: str | None = None, dask_local: int | None = None, pdf_engine: str | None = None,
           runner: str | None = None, docx_reference: str | None = None, strict: bool = False) -> int:
    from tqdm import tqdm

    from ..run.batch import run_batch
    from ..run.batch_record import summary_text

    bar = tqdm(total=None, desc="clients", unit="client", disable=None, file=sys.stderr, dynamic_ncols=True)

    def update(result, state) -> None:
        bar.total = state["total"]
        if result is not None:
            bar.update(1)
        bar.set_postfix_str(
            f"done {state['done']}, failed {state['failed']}, remaining {state['remaining']}"
            + (f" | {', '.join(state['running'][-2:])}" if state["running"] else "")
        )

    with bar:
        batch = run_batch(clients, out, workers, formats, only, changed, on_update=update, anonymise=anonymise,
                          scheduler=scheduler, dask_local=dask_local, pdf_engine=pdf_engine, mode=runner,
                          docx_reference=docx_reference, strict=strict)
        bar.update(batch.counts.get("unchanged", 0))
    print(summary_text(batch))
    print(f"summary: {batch.summary_file}")
    if batch.overview:
        print(f"portfolio overview: {batch.overview}")
    if batch.interrupted:
        print("cxassess: interrupted; finished reports are kept, unfinished ones were removed", file=sys.stderr)
        return 130
    return 1 if batch.failed else 0


def cmd_batch(args: argparse.Namespace) -> int:
    if args.scheduler and args.dask_local:
        raise CxError.at("--scheduler", "give either --scheduler ADDRESS or --dask-local N, not both")
    if args.branding:  # the workers (local processes) read the consultancy's branding file from the environment
        from ..inputs.branding import load_branding

        load_branding(args.branding)  # a bad file is refused before any work
        os.environ[BRANDING_ENV] = str(Path(args.branding).resolve())
    return _batch(args.clients_dir, args.out, args.workers, args.format, args.only, args.changed, args.anonymise,
                  args.scheduler, args.dask_local, args.pdf_engine, args.runner, args.docx_reference, args.strict)


def cmd_demo(args: argparse.Namespace) -> int:
    from ..run.outputs import is_url

    clients = args.clients
    if clients is None:  # the bundled sample clients, written beside their reports (from any folder)
        if is_url(args.out):
            raise CxError.at("--out", "the demo writes the sample clients beside the reports: give a local folder, "
                             "or --clients DIR")
        clients = Path(args.out) / "clients"
        _write_sample_clients(clients, force=True)
    status = _batch(str(clients), args.out, pdf_engine=args.pdf_engine, runner=args.runner)
    print(f"\nOpen {Path(args.out).resolve()}/<client>/latest/report.html (or report.pdf) to read a report.")
    return status


def cmd_import(args: argparse.Namespace) -> int:
    from ..inputs.importers import import_export, write_import
    from ..inputs.matching import load_mapping

    template = find_template(args.template)
    mapping = load_mapping(args.mapping, template) if args.mapping else None
    result = import_export(args.source_format, args.export, template, mapping, args.allow_unmatched,
                           args.keep_identity)
    written = write_import(result, args.out, args.force)
    print_problems(result.warnings)
    print(f"{written[0]}: {len(result.responses)} respondents, {import_summary(result, template)}, "
          f"{len(result.warnings)} warning(s)")
    if len(written) > 1:
        print(f"{written[1]}: names and e-mail addresses, by respondent_id (keep it apart from the answers)")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    from ..inputs.client_forms import client_form_settings
    from ..inputs.forms import build_form, write_form

    if args.template is None and not args.client:
        raise CxError.at("TEMPLATE", "give the questionnaire (a template file or id), or --client CLIENT_DIR to use "
                         "the client's")
    template = find_template(args.template) if args.template else None
    name, segments, template = client_form_settings(args.client, template) if args.client else (None, {}, template)
    if str(args.out).lower().endswith(".txt"):  # the statements as text, for building an online survey
        from ..inputs.statement_list import statement_list, write_statement_list

        out = write_statement_list(statement_list(template, name, segments), args.out, args.force)
        print(f"{out}: the {len(template.question_ids)} statements of template {template.id!r} as text, "
              "to build an online survey from; import its export with `cxassess import`")
        return 0
    out = write_form(build_form(template, name, segments), args.out, args.force)
    print(f"{out}: questionnaire form for template {template.id!r} ({len(template.question_ids)} questions"
          + (f", client {name}" if name else "") + "); send one copy to each respondent")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from ..interactive import app  # imports ipywidgets; only this command needs them

    argv, env = app.app_command(args.client_dir, args.port, args.explorer, args.cull_idle)
    what = "what-if explorer" if args.explorer else "questionnaire"
    print(f"Serving the {what} for {Path(args.client_dir).resolve().name} at http://127.0.0.1:{args.port}/ "
          "(Ctrl-C stops it)")
    app.serve(argv, env)
    return 0  # not reached: serve() replaces this process with Voila


def cmd_lab(args: argparse.Namespace) -> int:
    from ..core.settings import WORK_ENV, WORK_FOLDER
    from ..interactive import lab
    from ..run.workspace import KEPT, REPLACED, prepare_workspaces

    work = Path(args.work or os.environ.get(WORK_ENV) or WORK_FOLDER)
    workspaces = prepare_workspaces(args.client_dirs, work, refresh=args.refresh)
    for ws in workspaces:
        print(f"Workspace for {ws.client_id} ({ws.client_dir}): {ws.folder}")
        for name, action in ws.actions.items():
            note = {KEPT: " (already there, as you left it; --refresh gives a fresh copy)",
                    REPLACED: f" (the old one is kept in {ws.backup})"}.get(action, "")
            print(f"  {name}: {action}{note}")
    if args.no_start:
        return 0
    root = workspaces[0].folder if len(workspaces) == 1 else work.resolve()
    port = args.port or lab.free_port()
    token = lab.new_token()
    argv, env = lab.lab_command(root, port, token, browser=args.browser)
    print(f"Starting JupyterLab in {root} at {lab.lab_url(port, token)} (on this machine only; Ctrl-C stops it)")
    lab.serve(argv, env)
    return 0  # not reached: serve() replaces this process with JupyterLab
