"""The benchmark scripts still run (their timings are read by people, not asserted here)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_scoring_benchmark_runs_and_both_methods_agree():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scoring.py"), "--respondents", "600", "--repeat", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ratio loop / cxassess" in result.stdout
    assert "largest difference between the two methods: 0.00e+00" in result.stdout
