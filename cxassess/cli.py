"""The ``cxassess`` command line: thin wrappers that load, call the library, and print."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

import pandas as pd

from . import __version__
from . import voice
from .errors import CxError, Problem
from .feedback import load_feedback
from .files import write_text_atomically
from .responses import load_responses, read_targets
from .samples import Profile, generate
from .scoring import ACTIONS, DEFAULT_ANONYMITY, Scores, breakdowns as segment_breakdowns, score, to_document
from .templates import find_template

FORMAT_CHOICES = ("google-forms", "ms-forms", "qualtrics", "surveymonkey", "xlsx-forms")
EPILOG = "Templates are given as a file path or as an id (e.g. cx_service_strategy) found in data/templates/."


def _print_problems(problems: Sequence[Problem], stream=None) -> None:
    for problem in problems:
        print(problem, file=stream or sys.stderr)


def _checked(path: str, load) -> tuple | None:
    """``load(path)``, printing every problem; None after a one-line summary if any is an error."""
    try:
        value, warnings = load(path)
    except CxError as exc:
        _print_problems(exc.problems, sys.stdout)
        errors = sum(p.level == "error" for p in exc.problems)
        print(f"{path}: {errors} error(s), {len(exc.problems) - errors} warning(s); not valid")
        return None
    _print_problems(warnings, sys.stdout)
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


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def scorecard_text(scores: Scores) -> str:
    """The readable table printed by ``cxassess score``."""
    p = scores.pillars
    table = pd.DataFrame(
        {
            "Pillar": p["name"],
            "Mean": p["mean"].map(_fmt),
            "Index": p["index"].map(lambda v: _fmt(v, 1)),
            "Target": p["target"].map(_fmt),
            "Gap": p["gap"].map(_fmt),
            "Importance": p["importance"].map(_fmt),
            "Maturity": p["maturity"].map(_fmt),
            "n": p["n"],
            "rwg": p["rwg"].map(_fmt),
            "alpha": p["alpha"].map(_fmt),
            "Action": p["action"].map(lambda a: ACTIONS.get(a, "-")),
        }
    )
    o = scores.overall
    return (
        table.to_string(index=False)
        + f"\n\nOverall index {_fmt(o['index'], 1)} ({o['maturity'] or '-'}), "
        f"{scores.respondents} respondents, template {scores.template.id!r}"
    )


def breakdown_text(frame: pd.DataFrame, pillar_ids: list[str]) -> str:
    """A segment breakdown as a table: one row per group, 'suppressed' for small groups."""
    rows = {}
    for record in frame.to_dict("records"):
        if record["suppressed"]:
            rows[record["group"]] = ["suppressed"] * (len(pillar_ids) + 2)
        else:
            rows[record["group"]] = [int(record["n"]), _fmt(record["overall_index"], 1)] + [
                _fmt(record[p], 1) for p in pillar_ids
            ]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["n", "overall", *pillar_ids]).to_string()


def cmd_score(args: argparse.Namespace) -> int:
    template = find_template(args.template)
    responses, warnings = load_responses(args.responses, template)
    _print_problems(warnings)
    targets = read_targets(args.targets, template) if args.targets else None
    for segment in args.by:
        if segment not in responses.segments.columns:
            available = ", ".join(responses.segments.columns) or "none"
            raise CxError.at(args.responses, f"no segment column {segment!r} to break down by (available: {available})")
    scores = score(template, responses, targets)
    breakdowns = segment_breakdowns(template, responses, args.by, args.anonymity)
    customers = None
    if args.feedback:
        feedback, feedback_warnings = load_feedback(args.feedback, template)
        _print_problems(feedback_warnings)
        settings = voice.VoiceSettings(args.min_answers, args.word_of_mouth, args.blind_spot_at)
        customers = voice.analyse(template, feedback, scores.pillars, settings)
    wave = wave_of(args.responses, args.wave)
    if args.json:
        document = to_document(scores, breakdowns)
        if customers is not None:
            document["customers"] = voice.to_document(customers)
        document["wave"] = wave
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    print(scorecard_text(scores) + (f", wave {wave!r}" if wave else ""))
    for segment, frame in breakdowns.items():
        print(f"\nBy {segment} (groups under {args.anonymity} respondents suppressed; index 0-100):")
        print(breakdown_text(frame, [p.id for p in template.pillars]))
    if customers is not None:
        print("\n" + customers_text(customers))
    return 0


def customers_text(customers: voice.CustomerVoice) -> str:
    """The customers' measures as printed by ``cxassess score --feedback``."""
    o, s = customers.overall, customers.settings
    lines = [
        f"Customers: {customers.responses} responses. NPS {_fmt(o['nps'], 1)} (± {_fmt(o['nps_moe'], 1)}, n={o['nps_n']}), "
        f"CSAT {_fmt(o['csat'], 1)}% (n={o['csat_n']}), ease {_fmt(o['ces'], 2)} of 7 (n={o['ces_n']}); "
        f"word of mouth ≈ {_fmt(o['word_of_mouth'], 0)} people ({o['unhappy']} unhappy x {s.word_of_mouth:g}). "
        f"Figures on fewer than {s.min_answers} answers show as '-'.",
        "",
        customers.touchpoints[["responses", "nps", "nps_moe", "csat", "ces", "word_of_mouth"]]
        .map(lambda v: _fmt(v, 1) if isinstance(v, float) else v).to_string(),
        "",
    ]
    table = customers.pillars[["staff_index", "customer_index", "source", "gap", "kind"]].copy()
    table["kind"] = table["kind"].map({"blind_spot": "BLIND SPOT", "undersold": "undersold"}).fillna("")
    lines.append(table.map(lambda v: _fmt(v, 1) if isinstance(v, float) else v).to_string())
    return "\n".join(lines)


def wave_of(responses: str | os.PathLike, given: str | None = None) -> str | None:
    """The wave id of ``cxassess score``: ``--wave``, else the folder of ``.../waves/<id>/responses.*``."""
    from .clients import WAVES_FOLDER, check_wave_id

    if given is not None:
        return check_wave_id(given, "--wave")
    folder = Path(responses).resolve().parent
    if folder.parent.name == WAVES_FOLDER:
        return check_wave_id(folder.name, folder)
    return None


def compare_text(before, after, changes: pd.DataFrame, alpha: float) -> str:
    """The change table printed by ``cxassess compare``: indices, change, Welch p, result."""
    from .waves import counts

    table = pd.DataFrame({
        "Pillar": changes["name"],
        before.id: changes["before"].map(lambda v: _fmt(v, 1)),
        after.id: changes["after"].map(lambda v: _fmt(v, 1)),
        "Change": changes["change"].map(lambda v: "-" if pd.isna(v) else f"{v:+.1f}"),
        "p": changes["p"].map(lambda v: "-" if pd.isna(v) else ("<0.001" if v < 0.001 else f"{v:.3f}")),
        "Result": changes["status"].map(lambda v: v or "-"),
    })
    c = counts(changes)
    return (
        f"Change from wave {before.id!r} ({before.date}, {before.scores.respondents} respondents) to wave "
        f"{after.id!r} ({after.date}, {after.scores.respondents} respondents), index points 0-100\n\n"
        + table.to_string(index=False)
        + f"\n\n{c['improved']} improved, {c['declined']} declined, {c['unchanged']} unchanged "
        f"(Welch's t-test on respondents' pillar scores, alpha {alpha:g}; see docs/scoring.md)"
    )


def cmd_compare(args: argparse.Namespace) -> int:
    from .assessment import compare_waves
    from .clients import load_client

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


def _argument_type(cast, noun: str, valid, rule: str):
    """An argparse type: ``cast`` the text, then refuse values failing ``valid`` (a usage error, exit 2)."""
    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not valid(value):
            raise argparse.ArgumentTypeError(f"{rule}, not {value:g}")
        return value
    return parse


_positive_int = _argument_type(int, "a whole number", lambda v: v >= 1, "must be at least 1")
_alpha = _argument_type(float, "a number", lambda v: 0 < v < 1, "must be between 0 and 1")  # a significance level


def _port(text: str) -> int:
    port = _positive_int(text)
    if port > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number (1-65535)")
    return port


def cmd_sample_clients(args: argparse.Namespace) -> int:
    from .samples import SAMPLE_CLIENTS, write_sample_client

    for sample in SAMPLE_CLIENTS:
        template = find_template(sample.config["template"])
        folder = write_sample_client(sample, Path(args.folder), template, force=args.force)
        print(f"{folder}: {sample.config['name']} ({sample.profile.respondents} respondents)")
    return 0


def _print_run(run) -> None:
    files = ", ".join(sorted(run.files))
    print(f"{run.client_id}: {run.folder}  [{files}]  {run.seconds:.1f} s")


def cmd_report(args: argparse.Namespace) -> int:
    from .report import build_report, parse_formats

    run = build_report(args.client_dir, args.out, parse_formats(args.format), args.anonymity,
                       pdf_engine=args.pdf_engine)
    _print_problems(run.warnings)
    _print_run(run)
    return 0


def _batch(clients: str, out: str, workers: int | None = None, formats: str = "html,pdf",
           only: list[str] | None = None, changed: bool = False, anonymise: bool = False,
           scheduler: str | None = None, dask_local: int | None = None, pdf_engine: str | None = None) -> int:
    from tqdm import tqdm

    from .batch import run_batch, summary_text

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
                          scheduler=scheduler, dask_local=dask_local, pdf_engine=pdf_engine)
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
    return _batch(args.clients_dir, args.out, args.workers, args.format, args.only, args.changed, args.anonymise,
                  args.scheduler, args.dask_local, args.pdf_engine)


def cmd_demo(args: argparse.Namespace) -> int:
    status = _batch(args.clients, args.out, pdf_engine=args.pdf_engine)
    print(f"\nOpen {Path(args.out).resolve()}/<client>/latest/report.html (or report.pdf) to read a report.")
    return status


def _pdf_engine_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pdf-engine", choices=("auto", "chromium", "weasyprint"), default=None,
                   help="how PDFs are made: chromium (the machine's Chromium through Playwright: less than "
                   "half the CPU), weasyprint (pure Python, no browser) or auto: chromium when it is "
                   "installed (default; also $CXASSESS_PDF_ENGINE)")
def cmd_import(args: argparse.Namespace) -> int:
    from .importers import import_export, load_mapping, write_import

    template = find_template(args.template)
    mapping = load_mapping(args.mapping, template) if args.mapping else None
    result = import_export(args.source_format, args.export, template, mapping, args.allow_unmatched,
                           args.keep_identity)
    written = write_import(result, args.out, args.force)
    _print_problems(result.warnings)
    how = ", ".join(f"{n} by {rule}" for rule, n in sorted(result.matched.items()))
    questions = sum(c in template.question_ids for c in result.header)
    print(f"{written[0]}: {len(result.responses)} respondents, {questions} of {len(template.question_ids)} "
          f"questions of template {template.id!r} ({len(result.header) - 1} columns matched: {how}), "
          f"{len(result.warnings)} warning(s)")
    if len(written) > 1:
        print(f"{written[1]}: names and e-mail addresses, by respondent_id (keep it apart from the answers)")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    from .clients import client_form_settings
    from .forms import build_form, write_form

    template = find_template(args.template)
    name, segments = client_form_settings(args.client, template) if args.client else (None, {})
    out = write_form(build_form(template, name, segments), args.out, args.force)
    print(f"{out}: questionnaire form for template {template.id!r} ({len(template.question_ids)} questions"
          + (f", client {name}" if name else "") + "); send one copy to each respondent")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from . import app  # imports ipywidgets; only this command needs them

    argv, env = app.app_command(args.client_dir, args.port, args.explorer, args.cull_idle)
    what = "what-if explorer" if args.explorer else "questionnaire"
    print(f"Serving the {what} for {Path(args.client_dir).resolve().name} at http://127.0.0.1:{args.port}/ "
          "(Ctrl-C stops it)")
    app.serve(argv, env)
    return 0  # not reached: serve() replaces this process with Voila


def _command(sub, name: str, func, *, help: str, description: str, template_arg: bool = False) -> argparse.ArgumentParser:
    """A subcommand with its help; commands that take a template get the TEMPLATE argument first."""
    p = sub.add_parser(name, help=help, description=description, epilog=EPILOG if template_arg else None)
    if template_arg:
        p.add_argument("template", metavar="TEMPLATE", help="template file or id")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxassess",
        description="Assess an organisation's customer-service strategy from a staff questionnaire: "
        "validate the answers, score every pillar, compare with targets and importance, and render "
        "client-ready reports.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"cxassess {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _command(
        sub, "validate", cmd_validate, template_arg=True,
        help="check a responses file against a template; list every problem",
        description="Check a responses file (CSV or XLSX) against a template. Prints every problem as "
        "FILE:ROW:COLUMN: message (rows as a spreadsheet numbers them). Exit status 1 if there is any error; "
        "warnings alone exit 0.",
    )
    p.add_argument("responses", metavar="RESPONSES", help="responses file, .csv or .xlsx")
    p.add_argument("--feedback", metavar="FILE", help="also check a customer feedback file (.csv or .xlsx)")

    p = _command(
        sub, "score", cmd_score, template_arg=True,
        help="score every pillar: mean, index, target, gap, importance, maturity, agreement, action",
        description="Score a valid responses file: per pillar the mean, the 0-100 index, target and gap, "
        "importance, maturity band, spread, agreement (rwg), reliability (Cronbach's alpha) and action class. "
        "See docs/scoring.md for the arithmetic.",
    )
    p.add_argument("responses", metavar="RESPONSES", help="responses file, .csv or .xlsx")
    p.add_argument("--targets", metavar="FILE", help="pillar targets: YAML 'pillar_id: rating' or CSV pillar_id,target")
    p.add_argument("--by", metavar="SEGMENT", action="append", default=[],
                   help="also break the scores down by this segment column (repeatable)")
    p.add_argument("--anonymity", metavar="N", type=int, default=DEFAULT_ANONYMITY,
                   help=f"suppress groups with fewer than N respondents (default {DEFAULT_ANONYMITY})")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    p.add_argument("--feedback", metavar="FILE",
                   help="customer feedback (customer_feedback.csv/.xlsx): add NPS, CSAT, effort, word of mouth and the "
                   "customers' index per pillar with blind spots")
    p.add_argument("--min-answers", metavar="N", type=_positive_int, default=voice.DEFAULT_MIN_ANSWERS,
                   help=f"hide customer figures resting on fewer than N answers (default {voice.DEFAULT_MIN_ANSWERS})")
    p.add_argument("--word-of-mouth", metavar="X", type=float, default=voice.DEFAULT_WORD_OF_MOUTH,
                   help=f"people each unhappy customer tells (default {voice.DEFAULT_WORD_OF_MOUTH:g}; see docs/scoring.md)")
    p.add_argument("--blind-spot-at", metavar="POINTS", type=float, default=voice.DEFAULT_BLIND_SPOT_AT,
                   help="index points between staff and customers that make a blind spot or an undersold strength "
                   f"(default {voice.DEFAULT_BLIND_SPOT_AT:g})")
    p.add_argument("--wave", metavar="ID", help="the wave these answers belong to, recorded in the output "
                   "(default: the folder name when the file is CLIENT/waves/ID/responses.*)")

    p = _command(
        sub, "compare", cmd_compare,
        help="the change between two waves of a client, pillar by pillar, with a significance test",
        description="Compare two assessment waves of a client folder (waves/<wave-id>/responses.csv|xlsx): per "
        "pillar and overall the index in each wave, the change in index points, the p-value of Welch's t-test on "
        "the respondents' own pillar scores, and the result: improved / declined when p < ALPHA, else unchanged. "
        "Without --waves, the previous wave against the current (latest) one. See docs/scoring.md.",
    )
    p.add_argument("client_dir", metavar="CLIENT_DIR", help="the client folder, e.g. data/clients/harbour-hotels")
    p.add_argument("--waves", nargs=2, metavar=("A", "B"), help="the earlier and the later wave id")
    p.add_argument("--alpha", type=_alpha, default=0.05, help="significance level (default 0.05)")

    p = _command(
        sub, "sample", cmd_sample, template_arg=True,
        help="write a fictional responses file (seeded) to try the tool or benchmark it",
        description="Generate fictional but realistic answers for a template: a leadership-vs-frontline "
        "perception gap, some N/A and blank answers, a few comments. The same seed gives the same file.",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write")
    p.add_argument("--respondents", type=_positive_int, default=40, metavar="N", help="number of respondents (default 40)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")

    p = _command(
        sub, "sample-clients", cmd_sample_clients,
        help="write the bundled fictional client folders (retail, utility, hotels, software)",
        description="Write the four fictional sample clients (client.yaml and answers) used by `cxassess demo`; "
        "the retailer and the software company also get customer feedback (customer_feedback.csv). "
        "They are generated from fixed seeds, so the files are the same every time.",
    )
    p.add_argument("folder", nargs="?", default="data/clients", help="where to write them (default data/clients)")
    p.add_argument("--force", action="store_true", help="replace existing sample folders")

    p = _command(
        sub, "report", cmd_report,
        help="build a client's report: HTML, PDF, executed notebook and scores.json",
        description="Validate a client folder (client.yaml + responses.csv/.xlsx), run notebooks/assessment.ipynb "
        "for it with Papermill in a fresh kernel, and write OUT/<client_id>/<timestamp>/ with report.html "
        "(self-contained), report.pdf, the executed notebook and scores.json. OUT/<client_id>/latest points at the "
        "newest run; earlier runs are kept. Bad input stops before anything runs.",
    )
    p.add_argument("client_dir", metavar="CLIENT_DIR", help="the client folder, e.g. data/clients/northwind-retail")
    p.add_argument("--out", default="reports", metavar="DIR", help="where reports go (default reports/)")
    p.add_argument("--format", default="html,pdf", metavar="LIST",
                   help="comma-separated: html, pdf, xlsx (results workbook), pptx (executive deck); default html,pdf")
    p.add_argument("--anonymity", metavar="N", type=int, default=None,
                   help="suppress groups with fewer than N respondents (default: client.yaml, else 5)")
    _pdf_engine_option(p)

    p = _command(
        sub, "batch", cmd_batch,
        help="build reports for every client folder, in parallel, one fresh kernel per client",
        description="Build a report for every client folder under CLIENTS_DIR in parallel worker processes, each "
        "client in its own fresh kernel. A failing client never stops the others. Prints a progress bar and a "
        "summary table (also written as OUT/portfolio/<timestamp>/batch.json); exit status 1 if any client failed. "
        "The same folder gets the portfolio overview (index.html, and index.pdf with PDF): links to the reports, "
        "the spread of the overall index, a pillar x client heatmap, percentile ranks, common gaps and actions. "
        "With 5 or more clients each report gains a section 'How you compare' (the portfolio's quartiles, no "
        "client named). Ctrl-C stops cleanly: running kernels are shut down, finished reports stay.",
    )
    p.add_argument("clients_dir", metavar="CLIENTS_DIR", nargs="?", default="data/clients",
                   help="folder of client folders (default data/clients)")
    p.add_argument("--out", default="reports", metavar="DIR", help="where reports go (default reports/)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="parallel workers (default: one more than CPU cores, so a starting kernel never leaves a core idle)")
    p.add_argument("--format", default="html,pdf", metavar="LIST",
                   help="comma-separated: html, pdf, xlsx (results workbook), pptx (executive deck); default html,pdf")
    p.add_argument("--only", nargs="+", metavar="ID", help="only these client ids")
    p.add_argument("--changed", action="store_true",
                   help="skip clients whose answers, client.yaml, template, notebook and cxassess version are "
                   "unchanged since their last successful report")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run one task per client on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
                   "(workers need cxassess installed and the client and output folders on a shared path)")
    p.add_argument("--dask-local", type=_positive_int, metavar="N",
                   help="start a Dask LocalCluster of N worker processes (one thread each) for this batch")
    p.add_argument("--anonymise", "--anonymize", dest="anonymise", action="store_true",
                   help="name clients in the portfolio overview by codes (Client A, B, ... by sorted id) and link "
                   "no report; the clients' own reports are unchanged")
    _pdf_engine_option(p)

    p = _command(
        sub, "demo", cmd_demo,
        help="build reports for every bundled sample client and say where they are",
        description="Build HTML and PDF reports for every client folder under data/clients (the bundled fictional "
        "clients), in parallel like `cxassess batch`, and print where they are.",
    )
    p.add_argument("--clients", default="data/clients", metavar="DIR", help="folder of client folders")
    p.add_argument("--out", default="reports", metavar="DIR", help="where reports go (default reports/)")
    _pdf_engine_option(p)

    p = _command(
        sub, "import", cmd_import,
        help="convert a survey tool's export (or a folder of filled Excel forms) into a responses file",
        description="Convert answers exported from Google Forms (CSV), Microsoft Forms (XLSX), Qualtrics (CSV, three "
        "header rows), SurveyMonkey (CSV/XLSX, two header rows), or a folder of filled questionnaire forms made by "
        "`cxassess form`, into the canonical responses CSV that `cxassess validate` and the reports read. Columns "
        "are matched to the template by a --mapping file first, then by id (vision_1, vision_1:importance, role), "
        "then by question text ignoring case, punctuation and spacing; in grid questions ('Title [Statement]', "
        "'Title - Statement') the title says whether the answers are ratings or importance, target or comments. "
        "Answers such as 'Agree' or '4 - Agree' become scale values. Respondent ids come from the tool's response "
        "id, else R + 10 hex digits of a SHA-256 hash of the row (stable when rows are added or reordered). Names, "
        "e-mail and IP addresses are dropped unless --keep-identity. Nothing is written if anything is wrong.",
    )
    p.add_argument("export", metavar="EXPORT", help="the export file, or for xlsx-forms the folder of filled forms")
    p.add_argument("--from", dest="source_format", required=True, choices=FORMAT_CHOICES, metavar="FORMAT",
                   help="where the answers come from: " + ", ".join(FORMAT_CHOICES))
    p.add_argument("--template", required=True, metavar="TEMPLATE", help="template file or id, e.g. cx_service_strategy")
    p.add_argument("--out", required=True, metavar="FILE", help="the responses CSV to write")
    p.add_argument("--mapping", metavar="MAP.yaml",
                   help="YAML naming the template column for export columns, e.g. '\"Any comments?\": vision_1:comment' "
                   "or '\"Consent\": skip' (keys: header text, Qualtrics export tag or ImportId)")
    p.add_argument("--allow-unmatched", action="store_true",
                   help="leave out columns that match nothing or more than one template column (listed as warnings) "
                   "instead of stopping")
    p.add_argument("--keep-identity", action="store_true",
                   help="keep names, e-mail and IP addresses, in a separate file beside FILE "
                   "(responses.csv -> responses.identity.csv), by respondent_id")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")

    p = _command(
        sub, "form", cmd_form, template_arg=True,
        help="write an Excel questionnaire for one respondent to fill in offline",
        description="Write an Excel questionnaire: an instructions sheet and one row per question grouped by pillar, "
        "with drop-down lists for rating, target, importance and segments. Only the answer cells can be edited. "
        "Send one copy to each respondent; put the returned files in one folder and read them back with "
        "`cxassess import --from xlsx-forms FOLDER`.",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the .xlsx file to write")
    p.add_argument("--client", metavar="CLIENT_DIR",
                   help="client folder: its name goes on the form, and 'segments:' in its client.yaml "
                   "(e.g. department: [Stores, Online]) become drop-down lists")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")

    p = _command(
        sub, "app", cmd_app,
        help="serve a client's questionnaire as a web page for a workshop (Voila, on this machine only)",
        description="Serve notebooks/questionnaire.ipynb for CLIENT_DIR with Voila at http://127.0.0.1:PORT/: "
        "respondents see the form, not the code, and each Save adds their answers to the client's responses.csv "
        "(checked like `cxassess validate`, under a lock, never half-written). Each open page has its own kernel; "
        "kernels of closed pages are shut down after --cull-idle seconds without activity. With --explorer, serve "
        "the what-if explorer instead. Listens on 127.0.0.1 only: use an SSH tunnel or a reverse proxy to reach "
        "it from other machines.",
    )
    p.add_argument("client_dir", metavar="CLIENT_DIR", help="the client folder, e.g. data/clients/northwind-retail")
    p.add_argument("--port", type=_port, default=8866, metavar="N", help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--explorer", action="store_true", help="serve the what-if explorer instead of the questionnaire")
    p.add_argument("--cull-idle", type=_positive_int, default=600, metavar="SECONDS",
                   help="shut down a closed page's kernel after this many idle seconds (default 600)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 bad input, 2 usage or internal error)."""
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    for arg in argv:  # no path or id may hold a NUL byte; say so before anything touches a file
        if "\x00" in arg:
            print(f"{arg!r}: this argument holds a NUL byte (\\x00); no file name or id may contain one",
                  file=sys.stderr)
            return 1
    args = build_parser().parse_args(argv)
    if getattr(args, "anonymity", None) is not None and args.anonymity < 1:
        print("cxassess: --anonymity must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except CxError as exc:
        _print_problems(exc.problems)
        return 1
    except KeyboardInterrupt:
        print("cxassess: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: say so without a wall of traceback
        if os.environ.get("CXASSESS_DEBUG"):
            traceback.print_exc()
        print(f"cxassess: internal error: {type(exc).__name__}: {exc} "
              "(please report it; set CXASSESS_DEBUG=1 for details)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
