"""Key drivers in the report: the stated-and-derived section and chart, and the importance-performance grid on
derived importance (``importance: derived`` in client.yaml)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from cxassess.analysis import drivers as d
from cxassess.analysis.assessment import assess
from cxassess.analysis.scoring import classify
from cxassess.core.errors import CxError
from cxassess.inputs.samples import Profile, generate
from cxassess.inputs.templates import find_template
from cxassess.render import drivers_section, plots

NORTHWIND = ROOT / "data" / "clients" / "northwind-retail"


def client_folder(root, respondents: int, importance: str | None = None):
    folder = root / "bigco"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Big Co\ntemplate: cx_service_strategy\nassessment_date: 2026-10-01\n"
                                        + (f"importance: {importance}\n" if importance else ""), encoding="utf-8")
    profile = Profile(respondents=respondents, drivers={"recovery": 1.0, "anticipation": 0.7, "training": 0.5})
    generate(find_template("cx_service_strategy"), profile, seed=21).to_csv(folder / "responses.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    return assess(client_folder(tmp_path_factory.mktemp("clients"), 160, "derived"))


def text_of(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html._repr_html_()))


def test_a_client_too_small_for_drivers_is_told_why_and_keeps_its_grid():
    a = assess(NORTHWIND)
    text = text_of(drivers_section.key_drivers(a, "5b. Stated and derived importance"))
    assert "Key drivers were not worked out: 64 respondents answered the outcome question and every pillar; " \
           "drivers need at least 10 per pillar (120 for 12 pillars)." in text
    assert a.stated_vs_derived.empty and a.grid_scores is a.scores


def test_importance_in_client_yaml_is_stated_or_derived(tmp_path):
    folder = client_folder(tmp_path, 20, "felt")
    with pytest.raises(CxError) as info:
        assess(folder)
    assert "importance" in str(info.value) and "client.yaml:4" in str(info.value)


def test_derived_importance_puts_an_equal_share_on_the_threshold():
    table = pd.DataFrame({"share": [0.3, 0.1, 0.05, 0.05], "share_pct": [60.0, 20.0, 10.0, 10.0]},
                         index=["a", "b", "c", "d"])
    found = d.Drivers("o", 100, 0.5, table)
    # equal share = 25%: 60 * 60 / 25 = 144 -> 100; 60 * 20 / 25 = 48; 60 * 10 / 25 = 24
    assert d.derived_importance_index(found, 60.0).tolist() == [100.0, 48.0, 24.0, 24.0]


@pytest.mark.slow
def test_the_grid_on_derived_importance_reclasses_by_it(derived):
    grid, stated = derived.grid_scores.pillars, derived.scores.pillars
    expected = d.derived_importance_index(derived.drivers, 60.0)
    assert grid["importance_index"].to_dict() == pytest.approx(expected.to_dict())
    for pid, row in grid.iterrows():
        assert row["action"] == classify(row["index"], expected[pid], row["gap_index"], derived.client.template.actions)
    assert (grid["index"] == stated["index"]).all()  # only what matters moves, not how well it is done
    assert derived.plan is not None and (derived.scores.pillars["importance_index"] == stated["importance_index"]).all()


@pytest.mark.slow
def test_the_section_names_hidden_drivers_and_overrated_pillars(derived):
    frame = derived.stated_vs_derived
    hidden, overrated = d.hidden_and_overrated(derived.drivers.table["share"], derived.scores.pillars["importance_index"])
    assert hidden and overrated  # the profile's drivers are not the pillars staff rate highest
    assert list(frame.index[frame["status"] == "hidden driver"]) == hidden
    text = text_of(drivers_section.key_drivers(derived, "5b. Stated and derived importance"))
    names = derived.scores.pillars["name"]
    assert f"Hidden drivers: {', '.join(names[hidden])}." in text.replace("&amp;", "&")
    assert f"Overrated: {', '.join(names[overrated])}." in text.replace("&amp;", "&")
    assert f"({derived.drivers.n} respondents who answered it and every pillar" in text


@pytest.mark.slow
def test_the_chart_keeps_its_text_inside_and_draws_every_pillar(derived):
    from test_chart_geometry import outside

    frame = derived.stated_vs_derived
    fig = plots.stated_vs_derived(frame, "promise_kept", derived.drivers.n, derived.drivers.r2)
    assert outside(fig) == []
    derived_ax = next(ax for ax in fig.axes if ax.get_xlabel().startswith("Derived"))
    widths = sorted(round(p.get_width(), 9) for p in derived_ax.patches)
    assert widths == sorted(round(v, 9) for v in frame["derived_pct"])
    alone = plots.stated_vs_derived(frame.assign(stated=np.nan), "promise_kept", derived.drivers.n, derived.drivers.r2)
    assert outside(alone) == [] and len(alone.axes) == 2  # the heading and the derived panel only
    long = frame.assign(name=["A pillar with a name much longer than any bundled questionnaire has, " + n
                              for n in frame["name"]])
    assert outside(plots.stated_vs_derived(long, "promise_kept", derived.drivers.n, derived.drivers.r2)) == []


@pytest.mark.slow
def test_the_workbook_lists_the_drivers_as_the_analysis_has_them(derived, tmp_path):
    from openpyxl import load_workbook

    from cxassess.render.workbook import write_workbook

    ws = load_workbook(write_workbook(derived, tmp_path / "results.xlsx"))["Drivers"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    table = [dict(zip(header, r)) for r in rows[1:13]]
    expected = derived.drivers.table
    assert [r["Pillar id"] for r in table] == list(expected.index)
    for r in table:
        assert r["Share of R²"] == pytest.approx(expected.loc[r["Pillar id"], "share"], abs=1e-12)
        assert r["Rank"] == expected.loc[r["Pillar id"], "rank"]
    status = derived.stated_vs_derived["status"]
    assert {r["Pillar id"]: r["Stated against derived"] for r in table} == \
        {k: (v if isinstance(v, str) else None) for k, v in status.items()}
    labels = {r[0]: r[1] for r in rows[13:] if r[0]}
    assert labels["Outcome question"] == "promise_kept" and labels["Respondents used"] == derived.drivers.n
