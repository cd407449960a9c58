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


@pytest.fixture
def probe():
    """A section drawn ahead that says which process drew it (and warns; fails or dawdles where asked)."""
    calls: dict[str, object] = {"fail_in_child": False, "slow_in_child": False}
    parent = os.getpid()

    def where(a) -> int:
        if calls["fail_in_child"] and os.getpid() != parent:
            raise RuntimeError("failed ahead")
        if calls["slow_in_child"] and os.getpid() != parent:
            time.sleep(60)  # still drawing when it is killed
        warnings.warn(f"drawn by {os.getpid()}", UserWarning)
        return os.getpid()

    return ahead.ahead(where), calls


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
def test_sections_drawn_ahead_are_those_drawn_in_the_cell_by_another_process(probe):
    drawn, _ = probe
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, sections.segment_heatmaps, comparisons.customers, drawn)
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


def test_a_section_that_failed_ahead_is_drawn_in_the_cell(probe):
    drawn, calls = probe
    calls["fail_in_child"] = True
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    with pytest.warns(UserWarning, match=f"drawn by {os.getpid()}"):
        assert drawn(a) == os.getpid()


def test_when_the_drawing_process_dies_the_cell_draws(probe):
    drawn, calls = probe
    calls["slow_in_child"] = True
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    os.kill(ahead._drawing(a).pid, signal.SIGKILL)
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()


def test_a_drawing_that_takes_too_long_is_stopped_and_the_cell_draws(probe, monkeypatch):
    drawn, calls = probe
    calls["slow_in_child"] = True
    monkeypatch.setattr(ahead, "PATIENCE", 0.5)
    a = assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    pid = ahead._drawing(a).pid
    with pytest.warns(UserWarning):
        assert drawn(a) == os.getpid()
    deadline = time.monotonic() + 10
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(pid)  # killed and reaped


def test_only_the_assessment_given_is_drawn_ahead(probe):
    drawn, _ = probe
    a, b = assess(CLIENTS / "northwind-retail"), assess(CLIENTS / "northwind-retail")
    ahead.start(a, drawn)
    with pytest.warns(UserWarning):
        assert drawn(b) == os.getpid()  # another assessment, with the same figures: not taken from a's drawing
    with pytest.warns(UserWarning):
        assert drawn(a) != os.getpid()
    drawing = ahead._drawing(a)
    deadline = time.monotonic() + 60
    while not drawing.ended and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(ChildProcessError):  # the drawing process is gone, and reaped
        os.waitpid(drawing.pid, os.WNOHANG)


def test_only_sections_marked_ahead_can_be_drawn_ahead():
    a = assess(CLIENTS / "northwind-retail")
    with pytest.raises(TypeError, match="not marked @ahead.*radar"):
        ahead.start(a, sections.radar)
    assert ahead._drawing(a) is None
