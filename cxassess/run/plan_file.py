"""``cxassess plan init``: a client's plan.yaml drafted from its analysis, written with comments.

The draft's content comes from ``analysis.roadmap.draft``; here it becomes a YAML file a
consultant edits by hand (ruamel.yaml keeps the explanatory comments, ``inputs.plan`` reads it
back). An existing plan is never overwritten: with ``force`` it is first kept beside it as
``plan.backup-YYYY-MM-DD.yaml``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..analysis.assessment import Assessment, assess
from ..analysis.roadmap import draft
from ..core.errors import CxError
from ..core.files import write_text_atomically
from ..inputs.clients import client_folder
from ..inputs.plan import CLASSES, PLAN_FILE, STATUSES

_HEADER = """\
The action plan of {name}, starting from the assessment of {date} (wave {wave}).
Drafted by cxassess from that analysis on {today}: edit it with the client; cxassess checks it on every run.

wave:     the assessment this plan starts from. A later wave shows the plan against what happened.
phases:   each with n (1, 2, ...), a name and the date it ends (YYYY-MM-DD).
targets:  pillar id -> {{phase number: target index 0-100}}. A target holds from its phase until a later
          phase names another, and may never go down. A pillar left out stays where it is.
actions:  one per agreed action: the pillar, its class ({classes}), the action in plain
          words, the owner (required once it is in progress), the due date, the phase and the status
          ({statuses}). Add notes: for anything else.
"""


def backup_path(file: Path, today: dt.date) -> Path:
    """A dated name beside ``file`` that is not taken yet: plan.backup-YYYY-MM-DD.yaml, then -2, -3, ..."""
    stem = f"{file.stem}.backup-{today.isoformat()}"
    candidate, k = file.with_name(f"{stem}{file.suffix}"), 2
    while candidate.exists():
        candidate, k = file.with_name(f"{stem}-{k}{file.suffix}"), k + 1
    return candidate


def plan_text(a: Assessment, data: dict[str, Any], today: dt.date) -> str:
    """The draft as commented YAML: what each part means, each pillar's name and index now."""
    names = a.scores.pillars["name"]
    index = a.scores.pillars["index"]
    doc = CommentedMap()
    doc["wave"] = data["wave"]
    phases = CommentedSeq()
    for phase in data["phases"]:
        phases.append(CommentedMap(phase))
    doc["phases"] = phases
    targets = CommentedMap()
    for pillar, by_phase in data["targets"].items():
        entry = CommentedMap(by_phase)
        entry.fa.set_flow_style()
        targets[pillar] = entry
        targets.yaml_add_eol_comment(f"{names[pillar]}: {index[pillar]:.0f} now", pillar, column=40)
    doc["targets"] = targets
    actions = CommentedSeq()
    for action in data["actions"]:
        entry = CommentedMap(action)
        entry.yaml_add_eol_comment(names[action["pillar"]], "pillar", column=40)
        actions.append(entry)
    doc["actions"] = actions
    wave = a.client.wave
    header = _HEADER.format(name=a.client.config.name, date=(wave.date if wave else today).strftime("%d %B %Y"),
                            wave=data["wave"], today=today.isoformat(), classes=", ".join(CLASSES),
                            statuses=", ".join(STATUSES))
    doc.yaml_set_start_comment(header)
    doc.yaml_set_comment_before_after_key("phases", before="\n")
    doc.yaml_set_comment_before_after_key("targets", before="\n")
    doc.yaml_set_comment_before_after_key("actions", before="\n")
    yaml = YAML()
    yaml.width = 4096  # one action on one line, however long
    yaml.representer.ignore_aliases = lambda *_: True  # the same due date twice stays written out (no &id/*id)
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def init_plan(client_dir: str | os.PathLike, force: bool = False, wave: str | None = None,
              today: dt.date | None = None) -> tuple[Path, Path | None]:
    """Write the client's plan.yaml drafted from its analysis (of ``wave``, default the current one).

    Returns the plan file and the backup of the plan it replaced (None when there was none).
    An existing plan is refused unless ``force``; then it is renamed to a dated backup first (and
    put back if the draft cannot be made).
    """
    today = today or dt.date.today()
    _, folder = client_folder(client_dir)
    file = folder / PLAN_FILE
    backup = None
    if file.exists():
        if not force:
            raise CxError.at(file, "already exists and is never overwritten; edit it, or pass --force to draft a new "
                             "one (the old one is kept as a dated backup)")
        backup = backup_path(file, today)
        os.replace(file, backup)
    try:
        a = assess(folder, wave=wave)
        current = a.client.wave
        data = draft(a.scores, a.plan, current.date if current else today, current.id if current else today.isoformat())
        write_text_atomically(file, plan_text(a, data, today))
    except BaseException:
        if backup is not None and not file.exists():
            os.replace(backup, file)
        raise
    return file, backup
