"""Questionnaire capture: a form for one respondent, saved safely into a client's responses file.

The form (ipywidgets) is thin: it turns its controls into one row of text cells, the way a
respondent would have typed them into the spreadsheet, and hands the row to
``answers_file.save_response``, which checks it with the rules of ``cxassess validate`` and
saves it under a file lock; the form only shows each problem next to its field.
"""

from __future__ import annotations

import html
import os
from contextlib import suppress
from typing import Any, Mapping

import ipywidgets as w

from ..inputs.clients import ClientConfig
from ..core.errors import CxError, Problem
from ..inputs.templates import Template
from ..inputs.yamlschema import validate_yaml
from .controls import labelled
from .answers_file import (
    SaveResult,
    answered_count,
    check_answers,
    client_template,
    load_response,
    read_existing,
    responses_path,
    save_response,
)

BLANK = "—"
OVERALL = "Overall"  # the title of the outcome question's page


def rating_options(template: Template) -> list[tuple[str, str]]:
    """Dropdown choices for a rating: blank, each scale point with its label, then N/A."""
    scale = template.scale
    points = [(f"{v} · {scale.labels[v]}" if v in scale.labels else str(v), str(v))
              for v in range(scale.min, scale.max + 1)]
    return [(BLANK, ""), *points, (scale.na[0], scale.na[0])]


def importance_options(template: Template) -> list[tuple[str, str]]:
    """Dropdown choices for importance: blank and the scale's numbers (importance takes no labels)."""
    scale = template.scale
    ends = {scale.min: " · low", scale.max: " · high"}
    return [(BLANK, ""), *[(f"{v}{ends.get(v, '')}", str(v)) for v in range(scale.min, scale.max + 1)]]


def _problem_html(problems: list[Problem] | tuple[Problem, ...], *, located: bool = False) -> str:
    items = "".join(
        f'<li class="cx-{p.level}">{html.escape(str(p) if located else p.message)}</li>' for p in problems
    )
    return f'<ul class="cx-problems" style="color:#b00020;margin:2px 0">{items}</ul>' if items else ""


class Questionnaire:
    """The questionnaire as widgets: respondent id and segments, one tab per pillar (then "Overall" for the
    template's outcome question, rated only), save and reopen.

    Display it as the last expression of a cell (or ``display(form.widget)``). Tests and the
    browser drive the same controls: ``form.ratings[qid].value = "4"``, ``form.save_button.click()``.
    """

    def __init__(self, client_dir: str | os.PathLike, template: str | os.PathLike | None = None):
        self.folder, self.template = client_template(client_dir, template)
        t = self.template
        self.respondent = w.Text(description="Your id", placeholder="e.g. R101",
                                 style={"description_width": "8em"})
        self.segments: dict[str, w.ValueWidget] = {}
        self._titles = {segment.id: segment.title for segment in t.segments}
        self._places = {q.id: (pillar.name, n) for pillar in t.pillars for n, q in enumerate(pillar.questions, 1)}
        known = self._known_segment_values()
        offered = validate_yaml(self.folder / "client.yaml", ClientConfig).segments  # client.yaml `segments:`
        for segment in t.segments:
            label = segment.title
            values = segment.values or offered.get(segment.id)
            if values:
                control = w.Dropdown(options=[(BLANK, ""), *[(v, v) for v in values]], value="",
                                     description=label, style={"description_width": "8em"})
            else:
                control = w.Combobox(options=known.get(segment.id, []), ensure_option=False, value="",
                                     placeholder="type or pick", description=label,
                                     style={"description_width": "8em"})
            control.description = ""  # its label stands beside it and wraps (controls.labelled)
            self.segments[segment.id] = control
        self.ratings: dict[str, w.Dropdown] = {}
        self.importance: dict[str, w.Dropdown] = {}
        self.comments: dict[str, w.Textarea] = {}
        self.problems: dict[str, w.HTML] = {name: w.HTML() for name in ["respondent_id", *t.segment_ids]}
        pages, titles = [], []
        for pillar in t.pillars:
            rows: list[w.Widget] = [w.HTML(f"<p><i>{html.escape(' '.join(pillar.description.split()))}</i></p>")]
            for number, question in enumerate(pillar.questions, 1):
                rows.append(self._question(question.id, f"{number}. {question.text}"))
            pages.append(w.VBox(rows))
            titles.append(pillar.name)
        self.outcome: w.Dropdown | None = None  # the outcome question, last: a rating only (key drivers)
        if t.outcome is not None:
            self.outcome = w.Dropdown(options=rating_options(t), value="", layout=w.Layout(width="16em"))
            self.problems[t.outcome.id] = w.HTML()
            box = w.VBox([w.HTML(f"<b>{html.escape(t.outcome.text)}</b>"),
                          labelled(t.terms.rating, self.outcome, "10em"), self.problems[t.outcome.id]])
            box.add_class("cx-question")
            box.add_class("cx-outcome")
            pages.append(w.VBox([box]))
            titles.append(OVERALL)
        self.pages = w.Accordion(children=pages, titles=titles, selected_index=0)
        total = len(t.question_ids)
        self.progress = w.IntProgress(value=0, min=0, max=total, description="Answered")
        self.progress_text = w.Label(f"0 of {total}")
        self.replace = w.Checkbox(value=False, description="Replace the saved answers of this id", indent=False)
        self.open_button = w.Button(description="Open saved answers", icon="folder-open", layout=w.Layout(width="auto"),
                                    tooltip="load the answers saved under this id, to finish them")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.message = w.HTML()
        self.problem_list = w.HTML()  # every problem of the last save, beside the Save button
        self.saves = 0
        for name, control in [("respondent", self.respondent), ("save", self.save_button), ("open", self.open_button),
                              ("replace", self.replace), ("message", self.message), ("progress", self.progress_text),
                              ("problem-list", self.problem_list),
                              *[(f"segment-{s}", c) for s, c in self.segments.items()]]:
            control.add_class(f"cx-{name}")  # stable hooks for styling and browser tests
        for control in self.ratings.values():
            control.observe(self._count, names="value")
        self.open_button.on_click(self.reopen)
        self.save_button.on_click(self.save)
        header = w.VBox([
            w.HTML(f"<h2>{html.escape(t.name)}</h2><p>{html.escape(' '.join(t.description.split()))}</p>"),
            w.HBox([self.respondent, self.open_button]), self.problems["respondent_id"],
            *[w.VBox([labelled(self._titles[s], self.segments[s], "8em"), self.problems[s]]) for s in t.segment_ids],
        ])
        footer = w.VBox([w.HBox([self.progress, self.progress_text]),
                         w.HBox([self.save_button, self.replace]), self.message, self.problem_list])
        self.widget = w.VBox([header, self.pages, footer])

    def _question(self, qid: str, text: str) -> w.Widget:
        terms = self.template.terms
        self.ratings[qid] = w.Dropdown(options=rating_options(self.template), value="", layout=w.Layout(width="16em"))
        self.importance[qid] = w.Dropdown(options=importance_options(self.template), value="",
                                          layout=w.Layout(width="9em"))
        self.comments[qid] = w.Textarea(placeholder="comment (optional)", layout=w.Layout(width="46em", height="3em"))
        self.problems[qid] = w.HTML()
        controls = w.HBox([labelled(terms.rating, self.ratings[qid], "10em"),
                           labelled(terms.importance, self.importance[qid], "14em")])
        box = w.VBox([w.HTML(f"<b>{html.escape(text)}</b>"), controls, self.comments[qid], self.problems[qid]])
        box.add_class("cx-question")
        box.add_class(f"cx-q-{qid}")
        return box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _known_segment_values(self) -> dict[str, list[str]]:
        """Values already used for segments without a fixed list, offered as suggestions."""
        try:
            table = read_existing(responses_path(self.folder))
        except CxError:
            return {}
        if table is None:
            return {}
        out = {}
        for segment in self.template.segment_ids:
            if segment in table.header:
                i = table.header.index(segment)
                out[segment] = sorted({r[i].strip() for r in table.rows if i < len(r) and r[i].strip()})
        return out

    # -------------------------------------------------------------------------- state

    def answers(self) -> dict[str, str]:
        """The form as one row of text cells, keyed by column name."""
        row = {"respondent_id": self.respondent.value.strip()}
        row.update({s: str(c.value or "").strip() for s, c in self.segments.items()})
        for qid in self.template.question_ids:
            row[qid] = self.ratings[qid].value
            row[f"{qid}:importance"] = self.importance[qid].value
            row[f"{qid}:comment"] = self.comments[qid].value.strip()
        if self.outcome is not None and self.template.outcome is not None:
            row[self.template.outcome.id] = self.outcome.value
        return row

    def set_answers(self, row: Mapping[str, str]) -> None:
        """Fill the form from saved cells (unknown or unreadable values are left blank)."""
        self.respondent.value = str(row.get("respondent_id", "")).strip()
        for segment, control in self.segments.items():
            value = str(row.get(segment, "")).strip()
            if isinstance(control, w.Dropdown):
                match = [v for _, v in control.options if v.casefold() == value.casefold()]
                control.value = match[0] if match else ""
            else:
                control.value = value
        for qid in self.template.question_ids:
            self.ratings[qid].value = self._option(self.ratings[qid], row.get(qid, ""))
            self.importance[qid].value = self._option(self.importance[qid], row.get(f"{qid}:importance", ""))
            self.comments[qid].value = str(row.get(f"{qid}:comment", "") or "")
        if self.outcome is not None and self.template.outcome is not None:
            self.outcome.value = self._option(self.outcome, row.get(self.template.outcome.id, ""))

    def _option(self, control: w.Dropdown, text: str) -> str:
        """The dropdown value for saved text: a number, a scale label or an N/A word."""
        text = str(text or "").strip()
        values = {v for _, v in control.options}
        if text in values:
            return text
        scale = self.template.scale
        for point, label in scale.labels.items():
            if text.casefold() == label.casefold() and str(point) in values:
                return str(point)
        if text.casefold() in {n.casefold() for n in scale.na} and scale.na[0] in values:
            return scale.na[0]
        with suppress(ValueError):
            if float(text).is_integer() and str(int(float(text))) in values:
                return str(int(float(text)))
        return ""

    def _count(self, _change: Any = None) -> None:
        done = answered_count(self.template, self.answers())
        self.progress.value = done
        self.progress_text.value = f"{done} of {self.progress.max}"

    def field_name(self, column: str | None) -> str | None:
        """What the form calls a column's field ("Your id", a segment's title, "Pillar, question 3 (comment)")."""
        if not column:
            return None
        field, _, part = column.partition(":")
        if field == "respondent_id":
            return self.respondent.description
        if field in self._titles:
            return self._titles[field]
        if self.template.outcome is not None and field == self.template.outcome.id:
            return OVERALL
        if field not in self._places:
            return column
        pillar, number = self._places[field]
        terms = self.template.terms
        extra = {"importance": terms.importance, "comment": "comment", "target": terms.target}.get(part)
        return f"{pillar}, question {number}" + (f" ({extra.lower()})" if extra else "")

    def _list(self, problems: list[Problem] | tuple[Problem, ...], *, located: bool = False) -> None:
        """Every problem in the list beside the Save button, each with its field's name (or file and row)."""
        items = []
        for problem in problems:
            name = None if located else self.field_name(problem.column)
            text = html.escape(str(problem) if located else problem.message)
            items.append(f"<li>{f'<b>{html.escape(name)}</b>: ' if name else ''}{text}</li>")
        self.problem_list.value = (f'<ul class="cx-problems" style="color:#b00020;margin:2px 0">{"".join(items)}</ul>'
                                   if items else "")

    def _show(self, problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
        """Put each problem about this form's answers next to its field; return the ones that fit no field."""
        for label in self.problems.values():
            label.value = ""
        placed: dict[str, list[Problem]] = {}
        rest = []
        for problem in problems:
            field = (problem.column or "").partition(":")[0]
            if field in self.problems:
                placed.setdefault(field, []).append(problem)
            else:
                rest.append(problem)
        for field, items in placed.items():
            self.problems[field].value = _problem_html(items)
        return rest

    # -------------------------------------------------------------------------- buttons

    def save(self, _button: Any = None) -> SaveResult | None:
        """Check and save the form.

        Every problem is listed under the Save button (where the person is looking), and the ones
        about a field are also marked at that field; a problem about no field (an empty form) is
        in the list only.
        """
        answers = self.answers()
        problems = check_answers(self.template, answers)
        errors = [p for p in problems if p.level == "error"]
        if errors:
            unplaced = self._show(errors)
            self._list(errors)
            placed = len(errors) - len(unplaced)
            marked = "" if not placed else f", and marked at {'its field' if placed == 1 else 'their fields'}"
            self.message.value = (f"<b style='color:#b00020'>Not saved:</b> {len(errors)} problem(s), listed "
                                  f"below{marked}.")
            return None
        try:
            result = save_response(self.folder, answers, replace=self.replace.value, template=self.template)
        except CxError as exc:  # the id is taken, or the file itself has problems (shown with their rows)
            taken = [p for p in exc.problems if p.column == "respondent_id" and "already saved" in p.message]
            self._show(taken)
            self._list(exc.problems, located=True)
            self.message.value = (f"<b style='color:#b00020'>Not saved:</b> {len(exc.problems)} problem(s), listed "
                                  f"below{', and marked at the id' if taken else ''}.")
            return None
        self._show([])
        self._list([])
        self.saves += 1
        self.replace.value = True  # saving again now updates this respondent's row
        state = ("complete" if result.answered == result.total
                 else f"{result.answered} of {result.total} answered; open it again with the same id to finish")
        self.message.value = (
            f"<b style='color:#1b5e20'>Saved</b> respondent {html.escape(result.respondent_id)} "
            f"({'replaced' if result.replaced else 'added'}, {state})."
        )
        return result

    def reopen(self, _button: Any = None) -> bool:
        """Load the answers saved under the id typed, so the respondent can finish them."""
        respondent_id = self.respondent.value.strip()
        self._show([])
        self._list([])
        if not respondent_id:
            self.problems["respondent_id"].value = _problem_html(
                [Problem("", "type the id you saved under, then press Open saved answers")])
            return False
        try:
            row = load_response(self.folder, respondent_id)
        except CxError as exc:
            self.message.value = _problem_html(exc.problems, located=True)
            return False
        if row is None:
            self.message.value = f"No saved answers for {html.escape(respondent_id)}."
            return False
        self.set_answers(row)
        self.replace.value = True
        self.message.value = (f"Opened the saved answers of {html.escape(respondent_id)} "
                              f"({self.progress.value} of {self.progress.max} answered); Save replaces them.")
        return True


def questionnaire(client_dir: str | os.PathLike, template: str | os.PathLike | None = None) -> Questionnaire:
    """The questionnaire form for a client folder (its own template unless ``template`` is given)."""
    return Questionnaire(client_dir, template)
