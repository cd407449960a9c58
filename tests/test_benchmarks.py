"""The benchmark scripts still run (their timings are read by people, not asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # runs the benchmark scripts


def test_scoring_benchmark_runs_and_both_methods_agree():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scoring.py"), "--respondents", "600", "--repeat", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ratio loop / cxassess" in result.stdout
    assert "largest difference between the two methods: 0.00e+00" in result.stdout


def test_batch_benchmark_runs_all_three_ways():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "batch.py"), "--clients", "2", "--respondents", "10",
         "--baseline-clients", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for line in ("(a) hand-scripted loop", "(b) cxassess batch", "(c) floor, one process", "a/b =", "b/c ="):
        assert line in result.stdout
    assert re.search(r"^    the batch: \d+\.\d s of CPU \(whole machine\), at least \d+\.\d\d s on \d+ cores", result.stdout,
                     flags=re.M)
    assert re.search(r"s of CPU a client\]$", result.stdout, flags=re.M)  # the hand loop's


def test_load_benchmark_runs_and_charts_do_not_grow_with_respondents():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--clients", "2", "--respondents", "12",
         "--big", "400", "--formats", "html"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "2 ok, 0 failed" in result.stdout
    assert "peak memory" in result.stdout and "charts drawing per respondent" not in result.stdout
    assert result.stdout.rstrip().endswith("all good")


def test_bigfile_benchmark_runs_and_both_paths_print_the_same():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bigfile.py"), "--respondents", "300", "--runs", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for line in ("cxassess validate", "cxassess score", "column-wise (cxassess)", "per-cell reference (baseline)",
                 "baseline / cxassess:", "where the time of cxassess score goes", "reading (cells found and coded"):
        assert line in result.stdout
    assert result.stdout.rstrip().endswith("same output from both paths: yes")


def test_everyday_benchmark_runs_and_prints_every_target():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "everyday.py"), "--repeat", "1", "--respondents", "10"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for line in ("(a) hand-scripted loop", "(1) cxassess report", "(6) cxassess batch", "(target <= 3)",
                 "a/1 =", "a/6 =", "where one report's", "kernel start", "notebook cells", "after the cells"):
        assert line in result.stdout
    assert len(re.findall(r"^        \d+\.\d s of CPU \(whole machine\), at least", result.stdout, flags=re.M)) == 2
    phases = re.findall(r"^    (?:before|kernel|notebook|after) .*?(\d+\.\d\d) s", result.stdout, flags=re.M)
    total = float(re.search(r"where one report's (\d+\.\d\d) s go", result.stdout).group(1))
    assert len(phases) == 4 and sum(map(float, phases)) == pytest.approx(total, abs=0.05)  # the phases add up
