"""One story across the deliverables: a client with customer feedback (Northwind) gets its report, deck and
workbook from one ``cxassess report`` run, and each is read back as a person would see it (the report's HTML,
the deck's slides with python-pptx, the workbook's sheets with openpyxl). Every pillar has one verdict, the same
everywhere; targets and gaps are the same 0-100 figures everywhere; the roadmap is every priority, in order,
once, in all three."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import lxml.html
import pytest
from openpyxl import load_workbook
from pptx import Presentation

from conftest import ROOT
from cxassess.cli import main

pytestmark = pytest.mark.slow  # runs a report with every format but the PDF

CLIENT = ROOT / "data" / "clients" / "northwind-retail"
LABELS = {"keep": "Keep", "do_differently": "Do differently", "start": "Start", "stop": "Stop / reduce"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("story")
    assert main(["report", str(CLIENT), "--out", str(out), "--format", "html,xlsx,pptx"]) == 0
    folder = out / "northwind-retail" / "latest"
    return {"html": lxml.html.parse(str(folder / "report.html")).getroot(),
            "deck": Presentation(folder / "deck.pptx"),
            "book": load_workbook(folder / "results.xlsx"),
            "scores": json.loads((folder / "scores.json").read_text(encoding="utf-8"))}


def words(element) -> str:
    return " ".join(element.text_content().split())


def first_text(element) -> str:
    """The text of a cell before any note inside it (a <br> or <span>)."""
    return " ".join((element.text or "").split())


def slide(prs, title: str):
    return next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text == title)


def slide_table(s) -> list[list[str]]:
    (table,) = [shape.table for shape in s.shapes if shape.has_table]
    return [[cell.text for cell in row.cells] for row in table.rows]


def sheet(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def report_scorecard(html) -> dict[str, dict[str, str]]:
    (table,) = html.find_class("cx-scorecard")
    header = [words(th) for th in table.iter("th")]
    rows = {}
    for tr in table.find("tbody").iter("tr"):
        cells = tr.findall("td")
        rows[words(cells[0])] = {h: words(c) for h, c in zip(header, cells)} | {"Verdict": first_text(cells[8])}
    return rows


def report_plan(html) -> dict[str, str]:
    """Pillar -> the action-plan heading it stands under."""
    out = {}
    for table in html.find_class("cx-plan"):
        heading = table.getprevious()
        label = words(heading.find_class("cx-chip")[0])
        for cell in table.find_class("cx-name"):
            out[first_text(cell)] = label
    return out


def report_roadmap(html) -> list[tuple[str, str, str]]:
    """(action, pillar, the whole step's text) per step of section 9's roadmap, in order."""
    (ol,) = html.find_class("cx-roadmap")
    steps = []
    for li in ol.findall("li"):
        action, pillar = words(li.find("strong")).split(": ", 1)
        steps.append((action, pillar, words(li)))
    return steps


def test_one_verdict_per_pillar_everywhere(run):
    html, prs, book, scores = run["html"], run["deck"], run["book"], run["scores"]
    final = {p["name"]: LABELS[p["action"]] for p in scores["pillars"]}
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def saw(where: str, pillar: str, label: str) -> None:
        seen[pillar].add((label, where))

    for name, row in report_scorecard(html).items():
        saw("report scorecard", name, row["Verdict"])
    for name, label in report_plan(html).items():
        saw("report action plan", name, label)
    for action, name, _ in report_roadmap(html):
        saw("report roadmap", name, action)
    for row in slide_table(slide(prs, "Action plan"))[1:]:
        saw("deck action plan", row[1], row[0])
    for row in slide_table(slide(prs, "Improvement roadmap"))[1:]:
        saw("deck roadmap", row[1], row[0].split(". ", 1)[1])
    for row in sheet(book["Scorecard"])[:-1]:
        saw("workbook scorecard", row["Pillar"], row["Verdict"])
    for row in sheet(book["Action plan"]):
        saw("workbook action plan", row["Pillar"], row["Action"])
    for row in sheet(book["Roadmap"]):
        saw("workbook roadmap", row["Pillar"], row["Action"])

    assert set(seen) == set(final)
    for pillar, found in seen.items():
        assert {label for label, _ in found} == {final[pillar]}, (pillar, sorted(found))
    # every pillar is in the scorecards and plans of all three
    assert all(len({where for _, where in found}) >= 5 for found in seen.values())


def test_the_moved_verdict_says_why_in_every_deliverable(run):
    html, prs, book, scores = run["html"], run["deck"], run["book"], run["scores"]
    recovery = next(p for p in scores["pillars"] if p["id"] == "recovery")
    assert (recovery["action_ipa"], recovery["action"]) == ("keep", "do_differently")
    why = "Customers rate it 27 against the staff's 66"
    assert recovery["action_reason"].startswith(why)
    assert f"Service recovery: do differently, not keep. {why}" in words(html)
    assert "Service recovery: staff 66, customers 27. Verdict: Do differently, not keep" in \
        "\n".join(s.text_frame.text for s in slide(prs, "What your customers say").shapes if s.has_text_frame)
    row = next(r for r in slide_table(slide(prs, "Action plan")) if r[1] == "Service recovery")
    assert row[4].startswith(f"Why not keep: {why}")
    card = next(r for r in sheet(book["Scorecard"]) if r["Pillar"] == "Service recovery")
    details = next(r for r in sheet(book["Scorecard details"]) if r["Pillar id"] == "recovery")
    assert details["Importance-performance class"] == "Keep" and card["Why the verdict differs"].startswith(why)


def test_the_strongest_pillars_agree_and_leave_out_the_blind_spot(run):
    html, prs = run["html"], run["deck"]
    (summary,) = html.find_class("cx-summary")[:1]
    cards = summary.find_class("cx-card")
    report_strongest = [words(tr.findall("td")[1]) for tr in cards[1].iter("tr")]
    deck_text = [p.text for s in slide(prs, "Executive summary").shapes if s.has_text_frame
                 for p in s.text_frame.paragraphs]
    start = deck_text.index("Strongest pillars")
    deck_strongest = [t.split(":")[0] for t in deck_text[start + 1:start + 4]]
    assert report_strongest == deck_strongest and "Service recovery" not in report_strongest
    assert "Not listed, though the staff rate it highly: Service recovery" in words(cards[1])
    assert "Not listed: Service recovery (customers' blind spot)" in deck_text


def test_targets_and_gaps_are_the_same_0_100_figures_everywhere(run):
    html, prs, book, scores = run["html"], run["deck"], run["book"], run["scores"]
    card = report_scorecard(html)
    deck_plan = {r[1]: r for r in slide_table(slide(prs, "Action plan"))[1:]}
    deck_road = {r[1]: r for r in slide_table(slide(prs, "Improvement roadmap"))[1:]}
    book_card = {r["Pillar"]: r for r in sheet(book["Scorecard"])[:-1]}
    road = {pillar: text for _, pillar, text in report_roadmap(html)}
    for p in scores["pillars"]:
        name, target = p["name"], (p["target"] - 1) / 4 * 100  # the 1-5 target on the 0-100 index
        shown_target, shown_gap = f"{target:.0f}", f"{p['gap_index']:.0f}"
        assert card[name]["Target"] == shown_target
        assert card[name]["Gap"].split()[0] == shown_gap
        assert f"{book_card[name]['Target (0-100)']:.0f}" == shown_target
        assert f"{book_card[name]['Gap (index points)']:.0f}" == shown_gap
        assert deck_plan[name][3] == shown_gap
        if name in deck_road:
            assert deck_road[name][3] == shown_target
            assert f"target {shown_target})" in road[name]
    # no sentence mixes in the rating scale: the summary gives target, gap and importance as index figures
    priorities = words(html.find_class("cx-priorities")[0])
    assert " out of 5" not in priorities and "against a target of" not in priorities
    for sentence in re.findall(r"\(index \d+, target (\d+), gap (\d+), importance to customers (\d+)\)", priorities):
        assert all(0 <= int(figure) <= 100 for figure in sentence)
    assert "Every figure in this report is on the 0-100 index unless it says otherwise" in words(html)


def test_the_roadmap_is_every_priority_in_order_once_everywhere(run):
    html, prs, book, scores = run["html"], run["deck"], run["book"], run["scores"]
    report = [pillar for _, pillar, _ in report_roadmap(html)]
    deck = [r[1] for r in slide_table(slide(prs, "Improvement roadmap"))[1:]]
    workbook = [r["Pillar"] for r in sheet(book["Roadmap"])]
    assert report == deck == workbook
    assert len(set(report)) == len(report)  # no step twice
    to_act = {p["name"] for p in scores["pillars"] if p["action"] in ("start", "do_differently")}
    assert set(report) == to_act  # every priority (none of Northwind's gaps is within noise), no pillar to keep
    assert [r["Step"] for r in sheet(book["Roadmap"])] == list(range(1, len(report) + 1))
    summary = [re.match(r"(?:Do differently|Start): (.+?) (?:falls short|is barely in place|\()", words(li)).group(1)
               for li in html.find_class("cx-priorities")[0].findall("li")]
    assert report[:len(summary)] == summary  # the summary's top priorities are the roadmap's first steps


def listed_under(pairs) -> dict[str, list[str]]:
    """Heading -> the lines under it, from (text, is_heading) pairs in reading order."""
    out: dict[str, list[str]] = {}
    heading = None
    for text, is_heading in pairs:
        if is_heading:
            heading = text
            out[heading] = []
        elif heading is not None:
            out[heading].append(text)
    return out


def test_the_customers_findings_agree_with_the_plan_in_every_deliverable(run):
    """A pillar customers rate above the staff is not an "undersold strength" when the plan acts on it (Northwind's
    "Anticipating needs" is top priority 2); the deck, report and workbook list the same pillars in the same words."""
    html, prs, book = run["html"], run["deck"], run["book"]
    deck = slide(prs, "What your customers say")
    boxes = [s for s in deck.shapes if s.has_text_frame and s.shape_id != deck.shapes.title.shape_id]
    right = max(boxes, key=lambda s: s.left)  # the measures on the left, the pillars on the right
    deck_lists = listed_under((p.text, bool(p.font.bold)) for p in right.text_frame.paragraphs)
    verdicts = {r[1]: r[0] for r in slide_table(slide(prs, "Action plan"))[1:]}
    summary = [p.text for s in slide(prs, "Executive summary").shapes if s.has_text_frame
               for p in s.text_frame.paragraphs]
    top = {m.group(2): int(m.group(1)) for m in (re.match(r"(\d+)\. (?:Do differently|Start): (.+?) (?:falls short|"
                                                          r"is barely in place|\()", t) for t in summary) if m}
    assert "Anticipating needs & proactive service" in top

    def pillar(line: str) -> str | None:
        return next((name for name in verdicts if line.startswith(f"{name}: staff ")), None)

    listed = {}
    for heading, lines in deck_lists.items():
        for line in lines:
            name = pillar(line)
            if name is None:
                continue  # the group's note
            listed[name] = line
            if "strength" in heading.lower():  # called a strength: the plan must keep it, never rank it a priority
                assert verdicts[name] == "Keep" and name not in top, (heading, line)
            assert f"Verdict: {verdicts[name]}" in line
            if name in top:
                assert f"top priority {top[name]}" in line, line
    assert "Anticipating needs & proactive service" in listed and "Service recovery" in listed
    # the report's customers section: the same headings over the same lines
    report_lists = {words(ul.getprevious()): [words(li) for li in ul.findall("li")]
                    for ul in html.find_class("cx-findings")}
    assert report_lists == {h: [line for line in lines if pillar(line)] for h, lines in deck_lists.items()}
    # the workbook's Customers sheet: the same line for each pillar, under the same heading
    rows = [r for r in sheet(book["Customers"]) if r["Verdict"]]  # the findings table, not the notes below it
    assert {r["Pillar"]: r["What it says"] for r in rows} == listed
    assert {r["Pillar"]: r["Finding"] for r in rows} == {pillar(line): h for h, lines in deck_lists.items()
                                                         for line in lines if pillar(line)}
