"""The tone of the comments in the report's "In their own words" (render/sentiment.py, plots.comment_sentiment)
and the method section's word on the English word list."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from cxassess.analysis.assessment import Assessment, assess
from cxassess.inputs.clients import load_client
from cxassess.render import display, plots, sections
from cxassess.render.sentiment import comment_tone

CLIENTS = ROOT / "data" / "clients"
HOSTILE_NEGATIVE = '<script>alert("x")</script> Awful, terrible & <b>broken</b> {{ 7*7 }}'
HOSTILE_POSITIVE = '=HYPERLINK("http://x","Great, I love it") <img src=x onerror=alert(1)>'


def with_comments(change) -> Assessment:
    """BrightPath analysed with its comment frame changed by ``change`` (a function of a copy of it)."""
    client = load_client(CLIENTS / "brightpath-software")
    comments = client.responses.comments.copy()
    comments = change(comments)
    return assess(dataclasses.replace(client, responses=dataclasses.replace(client.responses, comments=comments)))


def fragment(a: Assessment) -> str:
    return display.section("10. In their own words", comment_tone(a), sections.comments(a)).html


@pytest.fixture(scope="module")
def hostile() -> Assessment:
    def change(comments: pd.DataFrame) -> pd.DataFrame:
        comments[:] = None
        comments.iloc[0, 0] = HOSTILE_NEGATIVE  # respondent 1, the first statement of the first pillar
        comments.iloc[1, 0] = HOSTILE_POSITIVE
        comments.iloc[2, 0] = "We file the forms on Mondays."  # neutral
        return comments
    return with_comments(change)


def test_the_hostile_quotes_come_out_escaped_as_text(hostile):
    out = fragment(hostile)
    assert "<script>" not in out and "<img src=x" not in out and "<b>broken</b>" not in out
    assert html.escape(HOSTILE_NEGATIVE) in out.replace("&#34;", "&quot;").replace("&#39;", "'")
    assert html.escape(HOSTILE_POSITIVE) in out.replace("&#34;", "&quot;").replace("&#39;", "'")
    assert "{{ 7*7 }}" in out and "49" not in re.sub(r"data:image/png;base64,[^\"]+", "", out)  # never evaluated


def test_the_quotes_are_the_pillars_most_negative_and_most_positive(hostile):
    pillar = hostile.client.template.pillars[0]
    row = hostile.sentiment.pillars.loc[pillar.id]
    assert (row["count"], row["negative"], row["neutral"], row["positive"]) == (3, 1, 1, 1)
    assert row["most_negative"] == HOSTILE_NEGATIVE and row["most_positive"] == HOSTILE_POSITIVE
    out = fragment(hostile)
    quotes = out.split('class="cx-table cx-quotes"')[1].split("</table>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", quotes, flags=re.S)
    assert len(cells) == 3 and html.escape(pillar.name, quote=False) in cells[0]  # one pillar with quotes
    assert "Awful" in cells[1] and f"({row['most_negative_compound']:+.2f})".replace("-", "−") in cells[1]
    assert "Great" in cells[2] and f"({row['most_positive_compound']:+.2f})" in cells[2]
    assert out.count('<img class="cx-chart"') == 1  # the tone chart, then the comment list
    assert out.index("cx-chart") < out.index("cx-quotes") < out.index('class="cx-comments"')


def test_a_pillar_without_a_negative_comment_shows_a_dash(hostile):
    def change(comments: pd.DataFrame) -> pd.DataFrame:
        comments[:] = None
        comments.iloc[0, 0] = "Great, I love it."
        return comments
    out = fragment(with_comments(change))
    quotes = out.split('class="cx-table cx-quotes"')[1].split("</table>")[0]
    assert re.findall(r"<td[^>]*>(.*?)</td>", quotes, flags=re.S)[1] == "–"


def test_only_neutral_comments_are_charted_but_not_quoted():
    def change(comments: pd.DataFrame) -> pd.DataFrame:
        comments[:] = None
        comments.iloc[0, 0] = "We file the forms on Mondays."
        return comments
    out = fragment(with_comments(change))
    assert out.count('<img class="cx-chart"') == 1 and "cx-quotes" not in out
    assert "every one scored as neutral" in out


def test_a_client_without_comments_says_so_and_draws_no_chart():
    a = with_comments(lambda comments: comments.map(lambda _: None))
    assert a.sentiment.count == 0 and comment_tone(a) == []
    out = fragment(a)
    assert "No comments were written." in out and "<img" not in out and "cx-quotes" not in out


def test_the_chart_has_one_bar_segment_per_pillar_and_tone(hostile):
    fig = plots.comment_sentiment(hostile.sentiment.pillars)
    bars = {p.get_gid(): p.get_width() for p in fig.axes[0].patches if p.get_gid()}
    pillar = hostile.client.template.pillars[0].id
    assert bars == {f"{pillar}:negative": pytest.approx(1 / 3), f"{pillar}:neutral": pytest.approx(1 / 3),
                    f"{pillar}:positive": pytest.approx(1 / 3)}  # the only pillar with comments
    with pytest.raises(ValueError, match="no pillar has comments"):
        plots.comment_sentiment(hostile.sentiment.pillars.assign(count=0))


def test_the_method_says_the_word_list_is_english():
    text = sections.method(assess(CLIENTS / "riverside-energy")).html
    assert "VADER, whose sentiment word list is English" in " ".join(text.split())


@pytest.mark.slow  # a Python process importing pandas and matplotlib
def test_vader_is_not_imported_until_comments_are_scored():
    probe = ("import sys; from cxassess.analysis.assessment import assess; from cxassess.render import sections; "
             "from cxassess.render import sentiment; import cxassess.run.report; "
             "a = assess(sys.argv[1]); a.scores; print('vaderSentiment' in sys.modules); a.sentiment; "
             "print('vaderSentiment' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, str(CLIENTS / "northwind-retail")], capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
