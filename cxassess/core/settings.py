"""Default folders, shared defaults and environment variables: every one the package uses, in one place.

Constants only (nothing here reads the environment or the disk): the modules that need a value
import it from here, so a default is changed once and a variable's name is spelt once.
Environment variables are named here; the module that reads one says what it does with it.
"""

from __future__ import annotations

# ---- default folders (where the package's own files are: core/resources.py)
CLIENTS_FOLDER = "data/clients"  # the default folder of client folders (batch, demo, sample-clients)
REPORTS_FOLDER = "reports"  # the default folder reports are written to (report, batch, demo)
WORK_FOLDER = "work"  # the default folder of analysts' client workspaces (`cxassess lab`), under the current one

# ---- shared defaults
DEFAULT_ANONYMITY = 5  # groups with fewer respondents are suppressed unless client.yaml or --anonymity says
PORTFOLIO_MIN_CLIENTS = 5  # fewest clients whose quartiles a client report may show ("How you compare")
DEFAULT_MIN_ANSWERS = 10  # customer figures resting on fewer answers are hidden as too small to read
DEFAULT_WORD_OF_MOUTH = 11.0  # people each unhappy customer tells ("What would I really want?"; docs/scoring.md)
DEFAULT_BLIND_SPOT_AT = 15.0  # index points between staff and customers that make a pillar a blind spot
TARGET_DECIMALS = 1  # a pillar target is set (the explorer's slider step: 0.1) and shown to this many decimals
FORMATS = ("html", "pdf", "xlsx", "pptx", "docx")  # every output format a report run can write
DEFAULT_FORMATS = ("html", "pdf")  # what a report or batch writes when no --format is given
DEFAULT_PORT = 8866  # the workshop app's port on 127.0.0.1
BOOTSTRAP_DRAWS = 1000  # resamples of the respondents behind each index's 95% interval (docs/scoring.md)
BOOTSTRAP_SEED = 20261201  # the intervals' fixed seed: the same answers always give the same intervals
DEFAULT_MIN_RESPONDENTS = 5  # a pillar rated by fewer people is "not enough answers" (analysis/coverage.py)
DEFAULT_MIN_ANSWERED_SHARE = 0.5  # ... and so is one with less than this share of its statements answered
PARTICIPATION_LOW = 0.6  # a response rate under this (60%) is flagged as low
BRANDING_FILE = "branding.yaml"  # a consultancy's branding, looked for beside the clients folder (inputs/branding.py)
LOGO_MAX_BYTES = 2_000_000  # the largest logo file a branding may name (it is embedded in every deliverable)

# ---- environment variables (their names)
TEMPLATES_ENV = "CXASSESS_TEMPLATES"  # extra folders (os.pathsep-separated) searched first for template ids
PDF_ENGINE_ENV = "CXASSESS_PDF_ENGINE"  # auto, chromium or weasyprint, when --pdf-engine is not given
CHROMIUM_ENV = "CXASSESS_CHROMIUM"  # the Chromium executable to print PDFs with, else one on the PATH
PRINTER_ENV = "CXASSESS_PRINTER"  # set by a batch for its workers: the address of its shared Chromium
ZYGOTE_ENV = "CXASSESS_ZYGOTE"  # set by a batch for its workers: the socket of its shared kernel zygote
RUNNER_ENV = "CXASSESS_RUNNER"  # fast (forked kernels, one shared browser) or plain (ordinary kernels): run/runner.py
CLIENT_DIR_ENV = "CXASSESS_CLIENT_DIR"  # set by `cxassess app`: the client folder its notebook serves
WORK_ENV = "CXASSESS_WORK"  # the folder of client workspaces when `cxassess lab --work` is not given
BRANDING_ENV = "CXASSESS_BRANDING"  # a consultancy's branding file when --branding is not given (inputs/branding.py)
DEBUG_ENV = "CXASSESS_DEBUG"  # any non-empty value: the CLI prints the traceback of an internal error
