"""Sections drawn ahead (render/ahead.py): the same results as drawn in the cell, from another process."""

from __future__ import annotations

import os
import signal
import time
import warnings

import pytest

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.render import ahead, comparisons, sections

CLIENTS = ROOT / "data" / "clients"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="drawing ahead forks the kernel")


def probe_section(fail: bool = False, slow: bool = False):
    """A section drawn ahead that says which process drew it and warns; fails or dawdles where asked, ahead only."""
    parent = os.getpid()

    def where(a) -> int:
        if fail and os.getpid() != parent:
            raise RuntimeError("failed ahead")
        if slow and os.getpid() != parent:
            time.sleep(60)  # still drawing when it is killed
        warnings.warn(f"drawn by {os.getpid()}", UserWarning)
        return os.getpid()

    where.__qualname__ = f"where_{fail}_{slow}"
    return ahead.ahead(where)


def wait_until(condition) -> None:
    deadline = time.monotonic() + 60
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def claimed_ahead(a, index: int):
    """Whether the drawing process has begun section ``index`` (so its cell takes the result, not draws it)."""
    return lambda: ahead._drawing(a).claims.claims[index] == ahead._Claims.AHEAD


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # a zombie (ended, not yet reaped) still answers
    except ProcessLookupError:
        return True
    return False


def plain(parts):
    """A section's result as comparable data: HTML text and PNG bytes."""
    if isinstance(parts, list):
        return [plain(p) for p in parts]
    return getattr(parts, "html", None) or getattr(parts, "data", None) or parts


@pytest.mark.slow  # two assessments' heatmaps and customer charts, one of them in a forked process
def test_sections_drawn_ahead_are_those_drawn_in_the_cell_by_another_process():
    drawn = probe_section()
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, sections.segment_heatmaps, comparisons.customers, drawn)
    wait_until(lambda: ahead._drawing(a).ended)  # all drawn ahead, none left for the cells to claim
    with pytest.warns(UserWarning) as caught:  # the drawing process's warning, raised again here
        other = drawn(a)
    assert other != os.getpid()
    assert [str(w.message) for w in caught] == [f"drawn by {other}"]
    heatmaps, customers = sections.segment_heatmaps(a), comparisons.customers(a)
    here = assess(CLIENTS / "northwind-retail")  # no drawing ahead: every section drawn in this process
    assert plain(heatmaps) == plain(sections.segment_heatmaps(here))
    assert plain(customers) == plain(comparisons.customers(here))
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()  # taken once: a cell run again draws anew


def test_a_cell_draws_its_section_itself_when_the_drawing_process_has_not_begun_it():
    slow, quick = probe_section(slow=True), probe_section()
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, slow, quick)
    wait_until(claimed_ahead(a, 0))  # the drawing process is busy with the slow one
    started = time.monotonic()
    with pytest.warns(UserWarning):
        assert quick(a) == os.getpid()  # not waited for: claimed and drawn here
    assert time.monotonic() - started < 5
    pid = ahead._drawing(a).pid
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: gone(pid))


def test_a_section_that_failed_ahead_is_drawn_in_the_cell():
    drawn = probe_section(fail=True)
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    wait_until(lambda: ahead._drawing(a).ended)
    with pytest.warns(UserWarning, match=f"drawn by {os.getpid()}"):
        assert drawn(a) == os.getpid()


def test_when_the_drawing_process_dies_the_cell_draws():
    drawn = probe_section(slow=True)
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    wait_until(claimed_ahead(a, 0))
    os.kill(ahead._drawing(a).pid, signal.SIGKILL)
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()


def test_a_drawing_that_takes_too_long_is_stopped_and_the_cell_draws(monkeypatch):
    drawn = probe_section(slow=True)
    monkeypatch.setattr(ahead, "PATIENCE", 0.5)
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    wait_until(claimed_ahead(a, 0))
    started = time.monotonic()
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()
    assert time.monotonic() - started < 30  # gave up on it after PATIENCE, well before the minute it sleeps
    pid = ahead._drawing(a).pid
    wait_until(lambda: gone(pid))  # killed and reaped


def test_only_the_assessment_given_is_drawn_ahead():
    drawn = probe_section()
    a, b = assess(CLIENTS / "northwind-retail"), assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    wait_until(lambda: ahead._drawing(a).ended)
    with pytest.warns(UserWarning):
        assert drawn(b) == os.getpid()  # another assessment, with the same figures: not taken from a's drawing
    with pytest.warns(UserWarning):
        assert drawn(a) != os.getpid()
    with pytest.raises(ChildProcessError):  # the drawing process is gone, and reaped
        os.waitpid(ahead._drawing(a).pid, os.WNOHANG)


def test_only_sections_marked_ahead_can_be_drawn_ahead():
    a = assess(CLIENTS / "northwind-retail")
    with pytest.raises(TypeError, match="not marked @ahead.*radar"):
        ahead.start(a, sections.radar)
    assert ahead._drawing(a) is None


def test_nothing_is_drawn_ahead_on_a_single_core(monkeypatch):
    monkeypatch.setattr(ahead, "_cores", lambda: 1)
    drawn = probe_section()
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    assert ahead._drawing(a) is None
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()
