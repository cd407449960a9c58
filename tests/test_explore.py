"""What-if explorer: scores under other weights, targets and segments; widgets redraw once; client.yaml edits."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from cxassess.interactive import explore
from cxassess.render import sections
from cxassess.analysis.assessment import assess
from cxassess.inputs.clients import load_client
from cxassess.core.errors import CxError
from cxassess.analysis.breakdowns import breakdown
from cxassess.analysis.scoring import score
from cxassess.inputs.templates import find_template

SAMPLE = ROOT / "data" / "clients" / "northwind-retail"  # 64 respondents, targets for 5 pillars
TEMPLATE = find_template("cx_service_strategy")


@pytest.fixture
def client(tmp_path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "northwind-retail"))


@pytest.fixture(scope="module")
def assessment():
    return assess(SAMPLE)


def png(output) -> bytes:
    (bundle,) = output.outputs
    return base64.b64decode(bundle["data"]["image/png"])


def by_hand_overall(pillars, weights) -> float:
    """sum(W_p * index_p) / sum(W_p), the pillar indices being unchanged by weights."""
    w = {p: weights.get(p, t.weight) for p, t in zip(pillars.index, TEMPLATE.pillars)}
    return sum(w[p] * pillars.loc[p, "index"] for p in pillars.index) / sum(w.values())


def test_weights_change_only_the_overall_figures(assessment):
    base = assessment.scores
    moved = explore.what_if(assessment, weights={"vision": 3.0, "recovery": 0.5})
    assert moved.pillars["index"].equals(base.pillars["index"])
    assert moved.pillars.loc["vision", "weight"] == 3.0 and moved.pillars.loc["hiring", "weight"] == 1.0
    assert moved.overall["index"] == pytest.approx(by_hand_overall(base.pillars, {"vision": 3.0, "recovery": 0.5}))
    assert moved.overall["index"] != pytest.approx(base.overall["index"])


def test_a_target_sets_the_pillar_gap(assessment):
    moved = explore.what_if(assessment, targets={"vision": 5.0})
    mean = assessment.scores.pillars.loc["vision", "mean"]
    assert moved.pillars.loc["vision", "target"] == 5.0 and moved.pillars.loc["vision", "target_index"] == 100
    assert moved.pillars.loc["vision", "gap"] == pytest.approx(5.0 - mean)
    assert moved.pillars.loc["vision", "target_source"] == "targets"
    assert moved.pillars.drop(index="vision")["gap"].equals(assessment.scores.pillars.drop(index="vision")["gap"])


def test_what_if_gives_the_final_verdict_as_the_report_does(assessment):
    """Northwind's customers rate service recovery 27 against the staff's 66: not kept, done differently."""
    same = explore.what_if(assessment)
    assert same.pillars["action"].equals(assessment.verdict_scores.pillars["action"])
    assert (same.pillars.at["recovery", "action_ipa"], same.pillars.at["recovery", "action"]) == \
        ("keep", "do_differently")
    assert same.pillars.at["recovery", "action_reason"].startswith("Customers rate it 27 against the staff's 66")
    # weights move no index, so no verdict either; the scorecard of the what-if names the moved verdict
    moved = explore.what_if(assessment, weights={"vision": 3.0})
    assert moved.pillars["action"].equals(same.pillars["action"])
    html = sections.scorecard(assessment.with_scores(moved)).html
    assert "Service recovery: do differently, not keep." in html


def test_a_segment_group_is_scored_alone_and_small_groups_are_refused(assessment):
    counts = assessment.client.responses.segments["role"].value_counts()
    big, small = counts.idxmax(), counts.idxmin()
    threshold = int(counts[small]) + 1
    assert counts[big] >= threshold
    group = explore.what_if(assessment, segment=("role", big), threshold=threshold)
    mask = assessment.client.responses.segments["role"] == big
    independent = score(TEMPLATE, assessment.client.responses.subset(mask), assessment.client.targets)
    assert group.respondents == counts[big]
    assert group.pillars["index"].equals(independent.pillars["index"])
    with pytest.raises(CxError, match="fewer than"):
        explore.what_if(assessment, segment=("role", small), threshold=threshold)
    with pytest.raises(CxError, match="fewer than"):
        explore.what_if(assessment, segment=("role", big), threshold=int(counts[big]) + 1)


def test_client_weights_reach_the_report_figures(client):
    text = (client / "client.yaml").read_text(encoding="utf-8")
    (client / "client.yaml").write_text(text + "weights:\n  vision: 3\n  recovery: 0.5\n", encoding="utf-8")
    a = assess(client)
    assert a.client.weights == {"vision": 3.0, "recovery": 0.5}
    assert a.scores.overall["index"] == pytest.approx(by_hand_overall(a.scores.pillars, a.client.weights))
    role = breakdown(TEMPLATE, a.client.responses, "role", 1)
    weighted = a.breakdowns["role"].set_index("group")
    for group, row in role.set_index("group").iterrows():
        pillar_index = row[[p.id for p in TEMPLATE.pillars]]
        if weighted.loc[group, "suppressed"]:
            continue
        assert weighted.loc[group, "overall_index"] == pytest.approx(
            by_hand_overall(pillar_index.to_frame("index"), a.client.weights))


@pytest.mark.parametrize("extra, message", [
    ("weights:\n  visio: 2\n", "unknown pillar 'visio'"),
    ("weights:\n  vision: 0\n", "weights"),
])
def test_bad_client_weights_are_refused(client, extra, message):
    (client / "client.yaml").write_text((client / "client.yaml").read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(CxError, match=message):
        load_client(client)


@pytest.mark.slow
def test_explorer_redraws_once_per_change_without_stacking(client):
    x = explore.Explorer(client, delay=0, charts=("summary", "radar", "scorecard"))
    assert x.redraws == 1
    assert all(len(o.outputs) == 1 for o in x.outputs.values())
    radar = png(x.outputs["radar"])
    x.targets["vision"].value = 5.0
    assert x.redraws == 2 and all(len(o.outputs) == 1 for o in x.outputs.values())
    assert png(x.outputs["radar"]) != radar
    assert x.scores.pillars.loc["vision", "target"] == 5.0
    x.weights["vision"].value = 3.0
    assert x.redraws == 3
    assert "overall index <b>%.0f</b>" % x.scores.overall["index"] in x.outputs["summary"].outputs[0]["data"]["text/html"]


def test_segment_options_respect_the_threshold(client):
    x = explore.Explorer(client, delay=0, charts=("summary",))
    threshold = x.threshold.value
    segments = x.assessment.client.responses.segments
    sizes = {(s, g): n for s in segments.columns for g, n in segments[s].fillna("(not given)").value_counts().items()}
    offered = [v for _, v in x.segment.options if v]
    assert sorted(offered) == sorted(k for k, n in sizes.items() if n >= threshold)
    assert x.threshold.min == threshold  # the client's threshold can be raised, never lowered

    big = max(offered, key=sizes.get)
    x.segment.value = big
    assert x.redraws == 2 and x.scores.respondents == sizes[big]
    x.threshold.value = sizes[big] + 1  # the chosen group falls under it: back to everyone, one redraw
    assert x.segment.value == explore.EVERYONE and x.redraws == 3
    assert x.scores.respondents == len(x.assessment.client.responses)
    assert [v for _, v in x.segment.options] == [explore.EVERYONE] + [k for k, n in sorted(sizes.items())
                                                                     if n > sizes[big]]


class FakeLoop:
    """Collects scheduled callbacks instead of running them after a delay."""

    def __init__(self):
        self.handles = []

    def call_later(self, delay, callback):
        handle = FakeHandle(callback)
        self.handles.append(handle)
        return handle


class FakeHandle:
    def __init__(self, callback):
        self.callback, self.cancelled = callback, False

    def cancel(self):
        self.cancelled = True


def test_a_burst_of_changes_gives_one_redraw(client):
    loop = FakeLoop()
    x = explore.Explorer(client, delay=0.3, call_later=loop.call_later, charts=("summary",))
    assert x.redraws == 1  # the first drawing is immediate
    for value in (4.1, 4.3, 4.5, 4.7, 4.9):
        x.targets["vision"].value = value
    live = [h for h in loop.handles if not h.cancelled]
    assert len(loop.handles) == 5 and len(live) == 1 and x.redraws == 1 and x.debounce.pending
    live[0].callback()
    assert x.redraws == 2 and not x.debounce.pending
    assert x.scores.pillars.loc["vision", "target"] == 4.9


@pytest.mark.slow
def test_save_writes_moved_settings_and_keeps_the_rest(client):
    path = client / "client.yaml"
    original = path.read_text(encoding="utf-8").splitlines()
    x = explore.Explorer(client, delay=0, charts=("summary",))
    x.save_button.click()
    assert "Nothing to save" in x.message.value
    x.targets["vision"].value = 4.6
    x.weights["recovery"].value = 2.5
    shown = x.scores.overall["index"]
    x.save_button.click()
    assert "Saved</b> 1 target(s) and 1 weight(s)" in x.message.value
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in original if line not in lines] == ["  vision: 4.2"]  # the old vision target only
    assert [line for line in lines if line not in original] == ["  vision: 4.6", "weights:", "  recovery: 2.5"]
    again = assess(client)  # what the next report computes is what the explorer showed
    assert again.client.targets["vision"] == 4.6 and again.client.weights == {"recovery": 2.5}
    assert again.scores.overall["index"] == pytest.approx(shown)
    x.targets["goals"].value = 4.9  # the saved settings stay in force for later changes
    assert x.scores.pillars.loc["vision", "target"] == 4.6 and x.scores.pillars.loc["recovery", "weight"] == 2.5
    assert x.moved() == ({"goals": 4.9}, {})


def test_save_settings_keeps_comments_and_refuses_bad_values(client):
    path = client / "client.yaml"
    text = path.read_text(encoding="utf-8").replace("targets:", "targets:  # agreed with the board\n  # keep vision high")
    path.write_text(text + "# last line comment\n", encoding="utf-8")
    explore.save_settings(client, TEMPLATE, {"vision": 4.44}, {"vision": 2})
    result = path.read_text(encoding="utf-8")
    assert "targets:  # agreed with the board\n  # keep vision high\n" in result
    assert "  vision: 4.44\n" in result and "weights:\n  vision: 2.0\n" in result
    assert "# last line comment" in result and "  anticipation: 3.8" in result
    before = path.read_bytes()
    with pytest.raises(CxError, match="must be a number from 1 to 5"):
        explore.save_settings(client, TEMPLATE, {"vision": 7})
    with pytest.raises(CxError, match="unknown pillar"):
        explore.save_settings(client, TEMPLATE, weights={"nope": 1})
    with pytest.raises(CxError, match="above 0"):
        explore.save_settings(client, TEMPLATE, weights={"vision": 0})
    assert path.read_bytes() == before
    load_client(client)


@pytest.mark.slow
def test_every_chart_is_drawn_once_by_default(client):
    x = explore.explorer(client)
    assert set(x.outputs) == set(explore.Explorer.CHARTS) and x.redraws == 1
    assert all(len(o.outputs) == 1 for o in x.outputs.values())
    assert png(x.outputs["matrix"])[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="unknown chart"):
        explore.Explorer(client, charts=("pie",))
