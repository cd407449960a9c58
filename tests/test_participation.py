"""Who answered: client.yaml's headcount checked at its lines, response rates by hand, anonymity, outputs."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, responses_from_rows
from cxassess.analysis.assessment import assess
from cxassess.analysis.breakdowns import breakdowns
from cxassess.analysis.document import validate
from cxassess.analysis.participation import participation
from cxassess.core.errors import CxError
from cxassess.inputs.clients import load_client
from cxassess.inputs.headcount import Headcount
from cxassess.render import sections
from cxassess.render.workbook import build_workbook
from cxassess.run.report import scores_document

CLIENTS = ROOT / "data" / "clients"
BASE = """name: Test client
template: cx_service_strategy
assessment_date: '2026-09-30'
anonymity_threshold: 6
"""


def client_with(tmp_path: Path, headcount: str) -> Path:
    """Riverside's answers (150 people; department Billing 32, Complaints 45, Contact centre 39, Field service 34)."""
    folder = tmp_path / "client"
    folder.mkdir(parents=True)
    shutil.copy(CLIENTS / "riverside-energy" / "responses.csv", folder / "responses.csv")
    (folder / "client.yaml").write_text(BASE + headcount, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(CxError) as exc:
        load_client(folder)
    return [str(p) for p in exc.value.problems]


# ------------------------------------------------------------------------------------ checking


def test_a_headcount_smaller_than_the_respondents_is_an_error_at_its_line(tmp_path):
    folder = client_with(tmp_path, "headcount:\n  total: 140\n")
    [message] = problems(folder)
    assert message.startswith(f"{folder / 'client.yaml'}:6: headcount.total: 140 people invited, but 150 answered")


def test_a_group_smaller_than_its_respondents_and_an_unknown_segment_are_errors_at_their_lines(tmp_path):
    folder = client_with(tmp_path, "headcount:\n  total: 200\n  segments:\n    department:\n      Billing: 40\n"
                                   "      Complaints: 5\n    region:\n      North: 10\n")
    found = problems(folder)
    assert len(found) == 2
    assert found[0].startswith(f"{folder / 'client.yaml'}:10: headcount.segments.department.Complaints: 5 people "
                               "invited, but 45 answered")
    assert found[1].startswith(f"{folder / 'client.yaml'}:11: headcount.segments.region: the answers have no "
                               "segment column 'region' (they have: role, department)")


def test_groups_adding_up_to_more_than_the_total_are_an_error(tmp_path):
    folder = client_with(tmp_path, "headcount:\n  total: 160\n  segments:\n    department:\n      Billing: 90\n"
                                   "      Contact centre: 80\n")
    [message] = problems(folder)
    assert ":8: headcount.segments.department: its groups add up to 170 people, more than headcount.total (160)" \
        in message


def test_the_shape_is_checked_with_lines(tmp_path):
    folder = client_with(tmp_path, "headcount:\n  totl: 50\n")
    found = " ".join(problems(folder))
    assert "client.yaml:6" in found and "totl" in found and "total" in found
    folder = client_with(tmp_path / "2", "headcount:\n  total: -3\n")
    assert "client.yaml:6: headcount.total" in " ".join(problems(folder))


# ------------------------------------------------------------------------------------ the rates


def test_response_rates_by_hand():
    a = assess(CLIENTS / "riverside-energy")
    p = a.participation
    assert (p.headcount, p.respondents) == (220, 150) and p.rate == pytest.approx(150 / 220) and not p.low
    rows = p.groups.set_index("group")
    assert rows.loc["Contact centre", ["respondents", "headcount"]].tolist() == [39, 70]
    assert rows.loc["Contact centre", "rate"] == pytest.approx(39 / 70) and rows.loc["Contact centre", "low"]
    assert rows.loc["Complaints", "rate"] == pytest.approx(45 / 60) and not rows.loc["Complaints", "low"]


def test_hidden_and_empty_groups_show_neither_count_nor_rate(tiny_template):
    header = ["respondent_id", "role", "q1", "q2", "q3", "q4", "q5"]
    rows = [[f"f{i}", "Frontline", 3, 3, 3, 3, 3] for i in range(6)]
    rows += [[f"l{i}", "Leadership", 4, 4, 2, 4, 4] for i in range(2)]
    rows += [[f"m{i}", "Manager", 4, 4, 2, 4, 4] for i in range(5)]
    responses = responses_from_rows(tiny_template, header, rows)
    frames = breakdowns(tiny_template, responses, ["role"], threshold=5)
    headcount = Headcount(total=40, segments={"role": {"Frontline": 12, "Leadership": 3, "Manager": 6,
                                                       "Back office": 4}})
    p = participation(headcount, len(responses), frames)
    groups = p.groups.set_index("group")
    assert p.rate == pytest.approx(13 / 40) and p.low
    assert groups.loc["Frontline", "rate"] == pytest.approx(0.5) and groups.loc["Frontline", "low"]
    # Leadership (2 < 5) is hidden; so is Manager, which would reveal it from the total; Back office had nobody
    for hidden in ("Leadership", "Manager", "Back office"):
        assert groups.loc[hidden, "suppressed"]
        assert pd.isna(groups.loc[hidden, "respondents"]) and pd.isna(groups.loc[hidden, "rate"])
        assert pd.isna(groups.loc[hidden, "low"])
        assert groups.loc[hidden, "headcount"] == headcount.segments["role"][hidden]


def test_no_headcount_or_an_earlier_wave_gives_no_rates():
    assert assess(CLIENTS / "northwind-retail").participation is None
    assert assess(CLIENTS / "brightpath-software", wave="2025-h2").participation is None


# ---------------------------------------------------------------------------------- the outputs


def test_scores_json_method_section_and_workbook_show_the_rates():
    a = assess(CLIENTS / "riverside-energy")
    document = scores_document(a)
    validate(document)
    part = document["participation"]
    assert part["rate"] == 150 / 220 and part["low_at"] == 0.6
    contact = next(g for g in part["segments"]["department"] if g["group"] == "Contact centre")
    assert contact == {"group": "Contact centre", "headcount": 70, "respondents": 39, "rate": 39 / 70, "low": True,
                       "suppressed": False}
    leaked = copy.deepcopy(document)
    leaked["participation"]["segments"]["department"][0].update(suppressed=True)
    with pytest.raises(CxError, match="participation/segments/department/0/respondents"):
        validate(leaked)
    html = sections.method(a).html
    assert "150 of the 220 people invited" in html and "56% ⚠ low" in html
    about = {row[0]: row[1] for row in build_workbook(a)["About"].iter_rows(values_only=True)}
    assert about["Response rate"] == "150 of 220 (68%)"
    assert about["Response rate, department: Contact centre"] == "39 of 70 (56%) (low: under 60%)"
