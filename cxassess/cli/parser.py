"""The ``cxassess`` argument parser: every sub-command with its options, help and argument types.

One ``argparse`` parser with a sub-parser per command, each bound to its ``cmd_*`` function in
``commands``; argument types that refuse bad numbers (a usage error, exit status 2) before any
command runs. Kept apart from the commands so the long help texts do not hide what a command does.
"""

from __future__ import annotations

import argparse

from .. import __version__
from ..core.settings import BRANDING_ENV, BRANDING_FILE
from ..core.settings import (CLIENTS_FOLDER, DEFAULT_ANONYMITY, DEFAULT_BLIND_SPOT_AT, DEFAULT_MIN_ANSWERS, DEFAULT_PORT,
                             DEFAULT_WORD_OF_MOUTH, PDF_ENGINE_ENV, REPORTS_FOLDER, RUNNER_ENV, TEMPLATES_ENV,
                             WORK_ENV, WORK_FOLDER)
from .commands import (cmd_app, cmd_batch, cmd_compare, cmd_demo, cmd_form, cmd_import, cmd_lab, cmd_plan_init,
                       cmd_report, cmd_sample, cmd_sample_clients, cmd_score, cmd_validate)

FORMAT_CHOICES = ("google-forms", "ms-forms", "qualtrics", "surveymonkey", "xlsx-forms")
EPILOG = ("Templates are given as a file path or as an id (e.g. cx_service_strategy): the questionnaires bundled "
          f"with cxassess (data/templates/ in a clone) and those in the folders of ${TEMPLATES_ENV}.")


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


def _pdf_engine_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pdf-engine", choices=("auto", "chromium", "weasyprint"), default=None,
                   help="how PDFs are made: chromium (the machine's Chromium through Playwright: less than "
                   "half the CPU), weasyprint (pure Python, no browser) or auto: chromium when it is "
                   f"installed (default; also ${PDF_ENGINE_ENV})")


def _runner_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plain", dest="runner", action="store_const", const="plain", default=None,
                   help="run each notebook in an ordinary new kernel and each worker with its own browser, sharing "
                   "nothing between processes: slower, for debugging or where the fast mode's forked kernels fail "
                   f"(also ${RUNNER_ENV}=plain)")


def _docx_reference_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--docx-reference", metavar="FILE", default=None,
                   help="with --format docx: a .docx whose styles (fonts, colours, headings), page set-up, header and "
                   "footer the Word report takes, as pandoc's reference documents do; its text is not used")


def _strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="thin data is an error: a client with a pillar under the minimum respondents or share of "
                   "statements answered (data_quality: in the questionnaire or client.yaml; default 5 and half) "
                   "fails with a message naming those pillars, instead of a report that opens with a warning")


def _branding_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--branding", metavar="FILE", default=None,
                   help="the consultancy's branding file (a 'branding:' block: firm_name, logo, primary, accent, font) "
                   f"for every deliverable; default: ${BRANDING_ENV}, else {BRANDING_FILE} beside the clients folder. "
                   "A client.yaml's own 'branding:' block overrides it field by field")


def _command(sub, name: str, func, *, help: str, description: str, template_arg: bool | str = False
             ) -> argparse.ArgumentParser:
    """A subcommand with its help; commands that take a template get the TEMPLATE argument first
    (``template_arg="optional"``: it may be left out)."""
    p = sub.add_parser(name, help=help, description=description, epilog=EPILOG if template_arg else None)
    if template_arg:
        p.add_argument("template", metavar="TEMPLATE", nargs="?" if template_arg == "optional" else None,
                       help="template file or id")
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
        sub, "score", cmd_score,
        help="score every pillar: mean, index, target, gap, importance, maturity, agreement, action",
        description="Score a valid responses file: per pillar the mean, the 0-100 index, target and gap, "
        "importance, maturity band, spread, agreement (rwg), reliability (Cronbach's alpha) and action class. "
        "Given a client folder instead (cxassess score CLIENT_DIR), print exactly its report's figures: with "
        "its targets, pillar weights, anonymity threshold and customer feedback; --json prints its scores.json. "
        "See docs/scoring.md for the arithmetic.",
    )
    p.epilog = EPILOG
    p.add_argument("template", metavar="TEMPLATE|CLIENT_DIR",
                   help="template file or id (then RESPONSES), or a client folder (its current wave, or --wave)")
    p.add_argument("responses", metavar="RESPONSES", nargs="?", help="responses file, .csv or .xlsx (after TEMPLATE)")
    p.add_argument("--targets", metavar="FILE", help="pillar targets: YAML 'pillar_id: rating' or CSV pillar_id,target "
                   "(a client folder has its own, in client.yaml)")
    p.add_argument("--by", metavar="SEGMENT", action="append", default=[],
                   help="also break the scores down by this segment column (repeatable)")
    p.add_argument("--anonymity", metavar="N", type=int, default=None,
                   help=f"suppress groups with fewer than N respondents (default {DEFAULT_ANONYMITY}; a client "
                   "folder: its anonymity_threshold)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    p.add_argument("--feedback", metavar="FILE",
                   help="customer feedback (customer_feedback.csv/.xlsx): add NPS, CSAT, effort, word of mouth and the "
                   "customers' index per pillar with blind spots (a client folder: its own)")
    p.add_argument("--min-answers", metavar="N", type=_positive_int, default=None,
                   help=f"hide customer figures resting on fewer than N answers (default {DEFAULT_MIN_ANSWERS})")
    p.add_argument("--word-of-mouth", metavar="X", type=float, default=None,
                   help=f"people each unhappy customer tells (default {DEFAULT_WORD_OF_MOUTH:g}; see docs/scoring.md)")
    p.add_argument("--blind-spot-at", metavar="POINTS", type=float, default=None,
                   help="index points between staff and customers that make a blind spot or an undersold strength "
                   f"(default {DEFAULT_BLIND_SPOT_AT:g})")
    p.add_argument("--wave", metavar="ID", help="the wave these answers belong to, recorded in the output "
                   "(default: the folder name when the file is CLIENT/waves/ID/responses.*); with a client "
                   "folder, the wave to score (default: the current one)")
    p.add_argument("--outcome", metavar="QID", help="the question the key drivers explain: how much of its answers "
                   "each pillar accounts for (default: the questionnaire's outcome question; a statement named here "
                   "is left out of its own pillar)")

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

    p = sub.add_parser("plan", help="the client's own action plan (plan.yaml): draft it from the analysis",
                       description="The client's own action plan, plan.yaml in the client folder: phases, a target "
                       "index per pillar and phase, and the agreed actions with owners, due dates and status. Reports "
                       "show its projected scores, and a later wave shows the plan against what happened.")
    actions = p.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    p = actions.add_parser("init", help="write plan.yaml drafted from the client's current analysis",
                           description="Write CLIENT_DIR/plan.yaml drafted from the analysis: one action per pillar "
                           "to start, do differently or stop, three phases, and targets rising to each pillar's "
                           "target by its action's phase. Fill in the owners and agree it with the client. An "
                           "existing plan is never overwritten (--force keeps it as plan.backup-DATE.yaml).")
    p.add_argument("client_dir", metavar="CLIENT_DIR", help="the client folder, e.g. data/clients/northwind-retail")
    p.add_argument("--wave", metavar="ID", help="draft from this wave's analysis (default: the current one)")
    p.add_argument("--force", action="store_true", help="replace an existing plan.yaml, keeping it as a dated backup")
    p.set_defaults(func=cmd_plan_init)

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
    p.add_argument("folder", nargs="?", default=CLIENTS_FOLDER, help=f"where to write them (default {CLIENTS_FOLDER})")
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
    p.add_argument("--out", default=REPORTS_FOLDER, metavar="DIR", help=f"where reports go (default {REPORTS_FOLDER}/)")
    p.add_argument("--format", default="html,pdf", metavar="LIST",
                   help="comma-separated: html, pdf, xlsx (results workbook), pptx (executive deck), docx (editable "
                   "Word report); default html,pdf")
    p.add_argument("--anonymity", metavar="N", type=int, default=None,
                   help="suppress groups with fewer than N respondents (default: client.yaml, else 5)")
    _pdf_engine_option(p)
    _runner_option(p)
    _docx_reference_option(p)
    _strict_option(p)
    _branding_option(p)

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
    p.add_argument("clients_dir", metavar="CLIENTS_DIR", nargs="?", default=CLIENTS_FOLDER,
                   help=f"folder of client folders (default {CLIENTS_FOLDER})")
    p.add_argument("--out", default=REPORTS_FOLDER, metavar="DIR", help=f"where reports go (default {REPORTS_FOLDER}/)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="parallel workers (default: one more than CPU cores, so a starting kernel never leaves a core idle)")
    p.add_argument("--format", default="html,pdf", metavar="LIST",
                   help="comma-separated: html, pdf, xlsx (results workbook), pptx (executive deck), docx (editable "
                   "Word report); default html,pdf")
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
    _runner_option(p)
    _docx_reference_option(p)
    _strict_option(p)
    _branding_option(p)

    p = _command(
        sub, "demo", cmd_demo,
        help="build reports for every bundled sample client and say where they are",
        description="Write the four bundled fictional sample clients into OUT/clients/ and build their HTML and PDF "
        "reports into OUT, in parallel like `cxassess batch`, and print where they are. Works from any folder; "
        "with --clients, report on that folder of client folders instead (a clone's `make demo`: data/clients).",
    )
    p.add_argument("--clients", default=None, metavar="DIR",
                   help="folder of client folders (default: the sample clients, written to OUT/clients/)")
    p.add_argument("--out", default=REPORTS_FOLDER, metavar="DIR", help=f"where reports go (default {REPORTS_FOLDER}/)")
    _pdf_engine_option(p)
    _runner_option(p)

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
        sub, "form", cmd_form, template_arg="optional",
        help="write an Excel questionnaire for one respondent to fill in offline",
        description="Write an Excel questionnaire: an instructions sheet and one row per question grouped by pillar, "
        "with drop-down lists for rating, target, importance and segments. Only the answer cells can be edited. "
        "Send one copy to each respondent; put the returned files in one folder and read them back with "
        "`cxassess import --from xlsx-forms FOLDER`.",
    )
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the .xlsx file to write; or a .txt file: the statements as a text list to build an online "
                   "survey (Google Forms, ...) from")
    p.add_argument("--client", metavar="CLIENT_DIR",
                   help="client folder: its name goes on the form, and 'segments:' in its client.yaml "
                   "(e.g. department: [Stores, Online]) become drop-down lists; without TEMPLATE, the form asks "
                   "the client's own questionnaire")
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
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="N", help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    p.add_argument("--explorer", action="store_true", help="serve the what-if explorer instead of the questionnaire")
    p.add_argument("--cull-idle", type=_positive_int, default=600, metavar="SECONDS",
                   help="shut down a closed page's kernel after this many idle seconds (default 600)")

    p = _command(
        sub, "lab", cmd_lab,
        help="open clients in JupyterLab: a workspace per client with its own copies of the notebooks",
        description="Make (or reuse) a workspace per client, WORK/<client_id>/, holding assessment.ipynb, explore.ipynb "
        "and questionnaire.ipynb: copies of the shipped notebooks with the client's folder injected as Papermill "
        "does (a cell tagged injected-parameters after the parameters cell; the assessment writes scores.json to "
        "output/ in the workspace). Then start JupyterLab on 127.0.0.1 in that workspace (in WORK for several "
        "clients) and print its address with the access token. The shipped notebooks, which `cxassess report` and "
        "`batch` run, are never opened or changed. A notebook already in a workspace is your work and is kept; "
        "--refresh replaces it with a fresh copy and moves the old one to backups/<timestamp>/ in the workspace. "
        "As root, JupyterLab is given --allow-root.",
    )
    p.add_argument("client_dirs", metavar="CLIENT_DIR", nargs="+",
                   help="one or more client folders, e.g. data/clients/northwind-retail")
    p.add_argument("--work", metavar="DIR", default=None,
                   help=f"the folder of workspaces (default: ${WORK_ENV}, else {WORK_FOLDER}/ in the current folder)")
    p.add_argument("--refresh", action="store_true",
                   help="replace the workspace notebooks with fresh copies of the shipped ones; changed old copies "
                   "are moved to backups/<timestamp>/ in the workspace")
    p.add_argument("--port", type=_port, default=None, metavar="N",
                   help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--browser", action="store_true", help="also open JupyterLab in the web browser")
    p.add_argument("--no-start", action="store_true",
                   help="only make the workspaces and print where they are; do not start JupyterLab")
    return parser
