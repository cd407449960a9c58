"""Assessment waves: folder layout and its errors, change arithmetic by hand, Welch's test, compare, trends."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import ROOT, responses_from_rows
from cxassess.analysis import portfolio
from cxassess.render import comparisons, overview, plots
from cxassess.analysis import waves
from cxassess.analysis.assessment import assess, compare_waves, progress
from cxassess.cli import main
from cxassess.inputs.clients import check_wave_id, load_client, load_waves
from cxassess.core.errors import CxError
from cxassess.run.fingerprints import fingerprint
from cxassess.inputs.sample_clients import SAMPLE_CLIENTS, write_sample_client
from cxassess.analysis.scoring import score
from cxassess.inputs.templates import find_template

CLIENTS = ROOT / "data" / "clients"
HEADER = ["respondent_id", "q1", "q2", "q3", "q4", "q5"]
# The tiny template: p1 = q1 (weight 2), q2, q3 (reverse-scored); p2 = q4, q5; scale 1-5; pillar weights 1.
BEFORE = [  # q3 flipped (6 - x): a1 2, a2 3, a3 4
    ["a1", 2, 2, 4, 2, 3],
    ["a2", 3, 3, 3, 3, 3],
    ["a3", 4, None, 2, 4, None],
]
AFTER = [  # q3 flipped: b1 4, b2 5, b3 3, b4 4
    ["b1", 4, 4, 2, 3, 3],
    ["b2", 5, 4, 1, 4, 4],
    ["b3", 3, 3, 3, 2, 2],
    ["b4", 4, 5, 2, 3, "N/A"],
]


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def wave(template, wave_id: str, date: str, rows) -> waves.WaveResult:
    responses = responses_from_rows(template, HEADER, rows)
    return waves.wave_result(wave_id, dt.date.fromisoformat(date), score(template, responses), responses)


@pytest.fixture(scope="module")
def pair(tiny_template):
    return wave(tiny_template, "w1", "2025-03-01", BEFORE), wave(tiny_template, "w2", "2026-03-01", AFTER)


# ------------------------------------------------------------------------------ arithmetic


def test_change_since_the_previous_wave_by_hand(pair):
    changes = waves.change_table(*pair)
    # Before: q1 (2+3+4)/3 = 3, q2 (2+3)/2 = 5/2, q3' (2+3+4)/3 = 3 -> p1 = (2*3 + 5/2 + 3)/4 = 23/8,
    #   index (23/8 - 1)/4 * 100 = 375/8 = 46.875; p2 = (3 + 3)/2 = 3 -> 50; overall (375/8 + 50)/2 = 775/16.
    # After: q1 16/4 = 4, q2 16/4 = 4, q3' 16/4 = 4 -> p1 4 -> 75; q4 12/4 = 3, q5 9/3 = 3 -> p2 3 -> 50;
    #   overall (75 + 50)/2 = 125/2.
    assert changes.loc["p1", "before"] == pytest.approx(375 / 8)
    assert changes.loc["p1", "after"] == pytest.approx(75)
    assert changes.loc["p1", "change"] == pytest.approx(75 - 375 / 8)  # 225/8 = 28.125
    assert changes.loc["p2", "change"] == pytest.approx(0)
    assert changes.loc["overall", "change"] == pytest.approx(125 / 2 - 775 / 16)  # 225/16
    assert list(changes.index) == ["p1", "p2", "overall"]
    assert changes.loc["p1", ["n_before", "n_after"]].tolist() == [3, 4]
    assert changes.loc["p2", ["n_before", "n_after"]].tolist() == [3, 4]  # b4 rated q4, a3 rated q4


def test_respondent_indices_by_hand(pair):
    before, after = pair
    # p1 per respondent, weights 2/1/1 over the items rated: a1 (4+2+2)/4 = 2, a2 3, a3 (q2 blank) (8+4)/3 = 4;
    # as indices 25, 50, 75. Their mean (50) is not the pillar index (46.875): that weights question means.
    assert before.respondents["p1"].tolist() == pytest.approx([25, 50, 75])
    # b1 (8+4+4)/4 = 4, b2 (10+4+5)/4 = 19/4, b3 3, b4 (8+5+4)/4 = 17/4
    assert after.respondents["p1"].tolist() == pytest.approx([75, 93.75, 50, 81.25])
    # p2: a1 5/2 -> 37.5, a2 3 -> 50, a3 4 (q5 blank) -> 75; overall = mean of the two pillar indices
    assert before.respondents["overall"].tolist() == pytest.approx([(25 + 37.5) / 2, 50, 75])


def test_respondents_overall_index_uses_the_pillar_weights_of_the_scores(tiny_template):
    """With a client's weights (p1: 3) the overall index and each respondent's overall column weigh alike."""
    responses = responses_from_rows(tiny_template, HEADER, BEFORE)
    weighted = waves.wave_result("w1", dt.date(2025, 3, 1), score(tiny_template, responses, weights={"p1": 3}),
                                 responses)
    # p1 25, 50, 75 and p2 37.5, 50, 75 (above): overall (3 * p1 + p2) / 4
    assert weighted.respondents["overall"].tolist() == pytest.approx([(75 + 37.5) / 4, 50, 75])
    assert waves.respondent_indices(tiny_template, responses, {"p1": 3})["overall"].equals(
        weighted.respondents["overall"])


def test_welch_p_value_against_the_textbook_formula(pair):
    changes = waves.change_table(*pair)
    a, b = [25, 50, 75], [75, 93.75, 50, 81.25]
    # means 50 and 75; sample variances 1250/2 = 625 and (0 + 18.75^2 + 25^2 + 6.25^2)/3 = 1015.625/3
    va, vb = 625.0, 1015.625 / 3
    se2 = va / 3 + vb / 4
    t = (75 - 50) / math.sqrt(se2)
    df = se2**2 / ((va / 3) ** 2 / 2 + (vb / 4) ** 2 / 3)  # Welch-Satterthwaite
    p = 2 * stats.t.sf(abs(t), df)
    assert (sum(a) / 3, sum(b) / 4) == (50, 75)
    assert changes.loc["p1", "t"] == pytest.approx(t)
    assert changes.loc["p1", "df"] == pytest.approx(df)
    assert changes.loc["p1", "p"] == pytest.approx(p)
    assert 0.05 < p < 0.5 and changes.loc["p1", "status"] == "unchanged"  # +28 points, but only 3 and 4 people


def test_more_people_make_the_same_change_significant(tiny_template):
    before = wave(tiny_template, "w1", "2025-03-01", [[f"{r[0]}{i}", *r[1:]] for i in range(6) for r in BEFORE])
    after = wave(tiny_template, "w2", "2026-03-01", [[f"{r[0]}{i}", *r[1:]] for i in range(6) for r in AFTER])
    changes = waves.change_table(before, after)
    assert changes.loc["p1", "change"] == pytest.approx(225 / 8)  # means do not move with copies
    assert changes.loc["p1", "p"] < 0.05 and changes.loc["p1", "status"] == "improved"
    assert changes.loc["p2", "status"] == "unchanged"
    declined = waves.change_table(after, before)
    assert declined.loc["p1", "status"] == "declined" and declined.loc["p1", "change"] == pytest.approx(-225 / 8)
    assert waves.counts(changes) == {"improved": 1, "declined": 0, "unchanged": 1}
    # the plan of the first wave (no importance, no targets: everything counts as important) asked both
    # pillars to be done differently (index under 60); p1, the weaker, comes first
    plan = waves.follow_through(before, changes)
    assert list(plan.index) == ["p1", "p2"]
    assert plan["action"].tolist() == ["do_differently", "do_differently"]
    assert plan["moved"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("change", "p", "expected"),
    [(5.0, 0.01, "improved"), (-5.0, 0.01, "declined"), (5.0, 0.2, "unchanged"), (5.0, 0.05, "unchanged"),
     (5.0, math.nan, "unchanged"), (math.nan, 0.01, None)],
)
def test_classification(change, p, expected):
    assert waves.classify_change(change, p, 0.05) == expected


def test_welch_needs_two_people_and_some_spread():
    assert all(math.isnan(v) for v in waves.welch(pd.Series([50.0]), pd.Series([60.0, 70.0])))
    assert all(math.isnan(v) for v in waves.welch(pd.Series([50.0, 50.0]), pd.Series([60.0, 60.0])))


def test_progress_orders_waves_by_date_and_compares_with_previous_and_first(tiny_template, pair):
    middle = wave(tiny_template, "w0-late-name", "2025-09-01", BEFORE[:2] + AFTER[:1])
    p = waves.progress([pair[1], middle, pair[0]])
    assert [w.id for w in p.waves] == ["w1", "w0-late-name", "w2"]
    assert p.since_first.loc["p1", "change"] == pytest.approx(225 / 8)
    assert p.since_previous.loc["p1", "before"] == pytest.approx(middle.scores.pillars.loc["p1", "index"])
    assert p.trend.groupby("wave").size().to_dict() == {"w0-late-name": 3, "w1": 3, "w2": 3}
    assert not waves.progress([pair[0]]).has_history


# ------------------------------------------------------------------------------- folders


def make_client(tmp_path: Path, yaml_text: str, waves_: dict[str, str | None], name: str = "acme") -> Path:
    """A client folder of the bundled template whose waves reuse a sample's answers."""
    source = load_client(CLIENTS / "northwind-retail").responses_file
    folder = tmp_path / name
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Acme\ntemplate: cx_service_strategy\n" + yaml_text, encoding="utf-8")
    for wave_id, wave_yaml in waves_.items():
        (folder / "waves" / wave_id).mkdir(parents=True)
        shutil.copy(source, folder / "waves" / wave_id / "responses.csv")
        if wave_yaml is not None:
            (folder / "waves" / wave_id / "wave.yaml").write_text(wave_yaml, encoding="utf-8")
    return folder


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_waves_are_dated_in_client_yaml_or_wave_yaml_and_the_latest_is_current(tmp_path):
    folder = make_client(
        tmp_path,
        "targets:\n  vision: 4.0\nwaves:\n  z-first: 2025-01-15\n  a-second:\n    date: '2025-07-01'\n"
        "    targets:\n      vision: 4.5\n",
        {"z-first": None, "a-second": None, "m-third": "date: 2026-01-10\nnotes: after the reorganisation\n"},
    )
    client = load_client(folder)
    assert [w.id for w in client.waves] == ["z-first", "a-second", "m-third"]  # by date, not by name
    assert client.wave.id == "m-third" and client.config.assessment_date == dt.date(2026, 1, 10)
    assert client.targets == {"vision": 4.0}
    second = load_client(folder, wave="a-second")
    assert second.targets == {"vision": 4.5}  # the wave's own target wins
    assert second.responses_file == folder / "waves" / "a-second" / "responses.csv"
    assert [c.wave.id for c in load_waves(client)] == ["z-first", "a-second", "m-third"]


def test_a_single_top_level_file_is_one_wave():
    client = load_client(CLIENTS / "northwind-retail")
    assert [(w.id, w.date) for w in client.waves] == [("2026-10-12", dt.date(2026, 10, 12))]
    assert client.wave == client.waves[0]
    assert comparisons.progress(progress(assess(client))).html.count("first assessment") == 1


@pytest.mark.parametrize("bad", ["Q1", "2026 q1", "../up", "-x", "a" * 65, ""])
def test_bad_wave_ids_are_refused(bad):
    with pytest.raises(CxError, match="is not a valid wave id"):
        check_wave_id(bad)


def test_wave_folder_with_a_bad_name_is_reported(tmp_path):
    folder = make_client(tmp_path, "waves:\n  ok: 2025-01-01\n", {"ok": None, "Spring 2026": "date: 2026-04-01\n"})
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == [
        f"{folder / 'waves' / 'Spring 2026'}: 'Spring 2026' is not a valid wave id: use 1-64 lower-case letters, "
        "digits, '-' or '_', starting with a letter or digit (e.g. 2026-q1)"
    ]


def test_a_wave_without_a_date_is_reported(tmp_path):
    folder = make_client(tmp_path, "waves:\n  w1: 2025-01-01\n", {"w1": None, "w2": None})
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == [f"{folder / 'waves' / 'w2'}: wave 'w2' has no date: add 'w2: YYYY-MM-DD' under waves: "
                             "in client.yaml, or a wave.yaml with 'date: YYYY-MM-DD'"]


def test_wave_problems_are_all_reported_with_lines(tmp_path):
    folder = make_client(tmp_path, "waves:\n  w1: 2025-01-01\n  ghost: 2025-06-01\n  Bad: 2025-07-01\n",
                         {"w1": None, "w2": "date: 2025-01-01\ntargets:\n  vison: 4\n"})
    shutil.copy(folder / "waves" / "w1" / "responses.csv", folder / "responses.csv")
    with pytest.raises(CxError) as exc:
        load_client(folder)
    config = folder / "client.yaml"
    assert messages(exc) == [
        f"{folder / 'responses.csv'}: this client has waves, so a top-level answers file is ambiguous: move it "
        "into waves/<wave-id>/ and date that wave",
        f"{config}:6: waves.Bad: 'Bad' is not a valid wave id: use 1-64 lower-case letters, digits, '-' or '_', "
        "starting with a letter or digit",
        f"{config}:5: waves.ghost: no folder waves/ghost/ with its answers; add it or remove the entry",
        f"{folder / 'waves' / 'w2' / 'wave.yaml'}:3:vison: unknown pillar 'vison'; did you mean 'vision'?",
    ]


def test_two_waves_on_one_date_or_dated_twice_are_refused(tmp_path):
    folder = make_client(tmp_path, "waves:\n  w1: 2025-01-01\n", {"w1": None, "w2": "date: 2025-01-01\n"})
    with pytest.raises(CxError, match="waves w1 and w2 share the date 2025-01-01"):
        load_client(folder)
    folder = make_client(tmp_path, "waves:\n  w1: 2025-01-01\n", {"w1": "date: 2025-02-01\n"}, name="twice")
    with pytest.raises(CxError, match="wave 'w1' is also dated under waves: in .*client.yaml; keep one"):
        load_client(folder)


def test_a_client_needs_a_date_and_unknown_waves_are_named(tmp_path):
    folder = tmp_path / "nodate"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: X\ntemplate: cx_service_strategy\n", encoding="utf-8")
    shutil.copy(load_client(CLIENTS / "northwind-retail").responses_file, folder / "responses.csv")
    with pytest.raises(CxError, match="required field 'assessment_date' is missing"):
        load_client(folder)
    with pytest.raises(CxError) as exc:
        load_client(CLIENTS / "harbour-hotels", wave="2027-01")
    assert messages(exc) == [f"{CLIENTS / 'harbour-hotels'}: no wave '2027-01'; this client's waves are "
                             "2025-10, 2026-04, 2026-10"]


def test_an_earlier_wave_changes_the_report_fingerprint(tmp_path):
    folder = tmp_path / "harbour-hotels"
    shutil.copytree(CLIENTS / "harbour-hotels", folder)
    before = fingerprint(load_client(folder))["digest"]
    (folder / "waves" / "2025-10" / "responses.xlsx").write_bytes(
        (folder / "waves" / "2026-04" / "responses.xlsx").read_bytes())
    assert fingerprint(load_client(folder))["digest"] != before


# ------------------------------------------------------------------------------- samples


@pytest.mark.slow
def test_committed_sample_waves_match_the_seeded_generator(tmp_path):
    for sample in SAMPLE_CLIENTS:
        if not sample.history:
            continue
        fresh = load_client(write_sample_client(sample, tmp_path, find_template(sample.config["template"])))
        assert [w.id for w in fresh.waves] == [w.id for w in load_client(CLIENTS / sample.id).waves]
        for w in fresh.waves:
            a, b = load_client(fresh.folder, wave=w.id), load_client(CLIENTS / sample.id, wave=w.id)
            pd.testing.assert_frame_equal(a.responses.ratings, b.responses.ratings)
            pd.testing.assert_frame_equal(a.responses.comments, b.responses.comments)


@pytest.mark.slow
def test_sample_stories_one_priority_improves_one_pillar_declines():
    with_history = [s for s in SAMPLE_CLIENTS if s.history]
    assert len(with_history) >= 2
    for sample in with_history:
        p = progress(assess(CLIENTS / sample.id))
        assert len(p.waves) == 3
        improved = p.since_first.index[p.since_first["status"] == "improved"].tolist()
        declined = p.since_first.index[p.since_first["status"] == "declined"].tolist()
        assert len(improved) == 1 and len(declined) == 1, (sample.id, improved, declined)
        plan = p.follow_through  # the pillar that improved was a top priority of the previous plan
        assert plan.loc[improved[0], "priority"] and plan.loc[improved[0], "moved"]
        first_plan = waves.follow_through(p.waves[0], p.since_first)
        assert first_plan.loc[improved[0], "priority"]


# ----------------------------------------------------------------------------------- CLI


def test_compare_prints_the_change_table():
    folder = CLIENTS / "brightpath-software"
    code, out, err = run("compare", folder, "--waves", "2025-h2", "2026-h2")
    assert code == 0, err
    first, last = (load_client(folder, wave=w) for w in ("2025-h2", "2026-h2"))
    a = score(first.template, first.responses, first.targets).pillars
    b = score(last.template, last.responses, last.targets).pillars
    lines = out.splitlines()
    assert lines[0] == ("Change from wave '2025-h2' (2025-11-03, 18 respondents) to wave '2026-h2' (2026-11-02, "
                        "24 respondents), index points 0-100")
    rows = {line[:51].strip(): line[51:].split() for line in lines[3:16]}
    for pillar_id, pillar in b.iterrows():
        before, after, change, _, result = rows[pillar["name"]]
        assert float(before) == pytest.approx(a.loc[pillar_id, "index"], abs=0.05)
        assert float(after) == pytest.approx(pillar["index"], abs=0.05)
        assert float(change) == pytest.approx(pillar["index"] - a.loc[pillar_id, "index"], abs=0.05)
        assert result in waves.STATUSES
    assert rows["Knowing the real customer need"][-1] == "improved"
    assert rows["Service training & standards"][-1] == "declined"
    assert lines[-1].startswith("1 improved, 1 declined, 10 unchanged (Welch's t-test")


@pytest.mark.slow
def test_compare_defaults_to_the_last_two_waves_and_reports_bad_input():
    code, out, _ = run("compare", CLIENTS / "harbour-hotels")
    assert code == 0 and out.startswith("Change from wave '2026-04' (2026-04-22, 34 respondents) to wave '2026-10'")
    _, _, changes = compare_waves(CLIENTS / "harbour-hotels", "2026-04", "2026-10", alpha=0.001)
    assert (changes["p"] >= 0.001).sum() + (changes["p"] < 0.001).sum() == len(changes)
    code, _, err = run("compare", CLIENTS / "harbour-hotels", "--waves", "2026-04", "../x")
    assert code == 1 and "'../x' is not a valid wave id" in err
    code, _, err = run("compare", CLIENTS / "northwind-retail")
    assert code == 1 and "has a single wave, so there is nothing to compare" in err
    code, _, err = run("compare", CLIENTS / "harbour-hotels", "--alpha", "2")
    assert code == 2 and "must be between 0 and 1" in err


def test_score_carries_the_wave_id(tmp_path):
    answers = CLIENTS / "brightpath-software" / "waves" / "2026-h1" / "responses.csv"
    code, out, _ = run("score", "cx_service_strategy", answers, "--json")
    assert code == 0 and json.loads(out)["wave"] == "2026-h1"
    code, out, _ = run("score", "cx_service_strategy", answers)
    assert out.rstrip().endswith(", wave '2026-h1'")
    code, out, _ = run("score", "cx_service_strategy", answers, "--json", "--wave", "pilot")
    assert json.loads(out)["wave"] == "pilot"
    code, out, _ = run("score", "cx_service_strategy", load_client(CLIENTS / "northwind-retail").responses_file, "--json")
    assert json.loads(out)["wave"] is None
    code, _, err = run("score", "cx_service_strategy", answers, "--wave", "Pilot Wave")
    assert code == 1 and "'Pilot Wave' is not a valid wave id" in err


# ------------------------------------------------------------------- plots and portfolio


def test_trend_lines_draw_one_styled_line_per_pillar(pair):
    p = waves.progress(list(pair))
    fig = plots.trend_lines(p.trend, p.since_previous["status"])
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    assert set(lines) == {"trend:overall", "trend:p1", "trend:p2"}
    assert list(lines["trend:p1"].get_ydata()) == pytest.approx([375 / 8, 75])
    assert lines["trend:p1"].get_linestyle() == "--"  # unchanged: not significant with 3 and 4 people
    assert fig.axes[0].get_title(loc="left") == "Overall"


def test_portfolio_trend_column():
    frame = portfolio.trend_frame({"acme": [("w2", dt.date(2026, 1, 1), 62.0), ("w1", dt.date(2025, 1, 1), 50.0)],
                                   "solo": [("w1", dt.date(2025, 1, 1), 40.0)]})
    assert frame["wave"].tolist() == ["w1", "w2", "w1"]
    trends = overview.client_trends(frame)
    assert set(trends) == {"acme"} and trends["acme"]["change"] == pytest.approx(12.0)
    assert trends["acme"]["since"] == "w1"
    # 0-100 runs from y = 20 (bottom) to y = 2 (top) in a 22-pixel-high line
    assert 'points="3.0,20.0 81.0,2.0"' in str(overview.sparkline([0, 100]))


@pytest.mark.slow
def test_overview_shows_a_trend_only_for_clients_with_waves():
    clients = {c: load_client(CLIENTS / c) for c in ("harbour-hotels", "northwind-retail")}
    scores = {c: score(x.template, x.responses, x.targets) for c, x in clients.items()}
    frame = portfolio.client_frame(scores, {c: x.config.name for c, x in clients.items()})
    history = {"harbour-hotels": [(w.wave.id, w.wave.date, score(w.template, w.responses, w.targets).overall["index"])
                                  for w in load_waves(clients["harbour-hotels"])]}
    html = overview.overview_html(frame, portfolio.pillar_frame(scores), trends=portfolio.trend_frame(history))
    trend = html[html.index("Trend over assessment waves"):]
    row = re.search(r"Harbour Line Hotels</td>.*?</tr>", trend, re.S).group(0)
    values = [v for _, _, v in history["harbour-hotels"]]
    assert row.count("<svg") == 1 and f"{values[-1] - values[-2]:+.0f} (since 2026-04)" in row
    assert " → ".join(f"{v:.0f}" for v in values) in row
    assert "Northwind" not in trend.split("</table>")[0]  # one wave: no trend
    assert "Trend over assessment waves" not in overview.overview_html(frame, portfolio.pillar_frame(scores))


def test_a_bad_wave_date_is_one_located_message(tmp_path):
    folder = make_client(tmp_path, "waves:\n  w1: someday\n", {"w1": None})
    with pytest.raises(CxError) as exc:
        load_client(folder)
    assert messages(exc) == [f"{folder / 'client.yaml'}:4: waves.w1.date: must be a date written YYYY-MM-DD "
                             "(found 'someday')"]


@pytest.mark.parametrize("seed", range(5))
def test_welch_matches_scipy_ttest_on_random_samples(seed):
    rng = np.random.default_rng(seed)
    before = pd.Series(rng.normal(50, 10 + 5 * seed, 8 + 3 * seed))
    after = pd.Series(rng.normal(55 + seed, 12, 30 - 4 * seed))
    expected = stats.ttest_ind(after, before, equal_var=False)
    assert waves.welch(before, after) == pytest.approx((expected.statistic, expected.df, expected.pvalue), rel=1e-9)
