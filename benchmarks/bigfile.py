"""One large answers file: `cxassess validate` and `cxassess score`, against the per-cell reference.

Writes a fictional answers file of ``--respondents`` (default 100,000, the size of a large
employer's assessment) for ``--template`` with ``cxassess sample``, then runs each command
``--runs`` times as a process of its own and prints its wall time, CPU time (user + system: less
disturbed than the wall time on a shared machine) and peak memory (maximum resident set size,
from wait4), with the medians of the runs. This script imports nothing heavy itself: a child's
peak memory counts its parent's size at the fork. The baseline, measured in the same run, is the same command with
the per-cell validation that came before the column-wise one (tests/reference_validation.py:
the csv module's rows, one parse per cell); scoring is today's in both. Both must print exactly
the same output; the script exits 1 when they do not or a command fails. Last, one run of the
column-wise path step by step says where its time goes (imports, the questionnaire, reading,
validating, scoring).
Nothing is asserted about the times: they are for people to read.

    python benchmarks/bigfile.py [--respondents 100000] [--runs 3] [--template cx_service_strategy]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Where the time of the column-wise path goes: each step of `cxassess score` timed in one process.
PHASES = """
import os, sys, time
import cxassess.cli
cxassess.cli.one_blas_thread(["score"])  # as the command does, before numpy is imported
def cpu():
    t = os.times()
    return t.user + t.system
marks = [("start", cpu())]
import cxassess.cli.commands
from cxassess.analysis.scoring import score
from cxassess.inputs.columns import read_columns
from cxassess.inputs.responses import validate_columns
from cxassess.inputs.templates import find_template
marks.append(("imports (numpy, pandas, pydantic, cxassess)", cpu()))
template = find_template(sys.argv[1])
marks.append(("questionnaire (YAML read and checked)", cpu()))
table = read_columns(sys.argv[2], ["respondent_id", *template.segment_ids,
                                   *(q + ":comment" for q in template.question_ids)])
marks.append(("reading (cells found and coded per column)", cpu()))
responses, problems = validate_columns(table, template)
marks.append(("validating (each distinct text once)", cpu()))
del table
score(template, responses)
marks.append(("scoring", cpu()))
for (_, before), (name, after) in zip(marks, marks[1:]):
    print(f"    {name:<46} {after - before:5.2f} s CPU")
"""
#: The command line with the per-cell reference validation in place of the column-wise one.
REFERENCE = (
    "import sys; sys.path.insert(0, {tests!r}); import reference_validation as reference; "
    "import cxassess.cli.commands as commands; commands.load_responses = reference.reference_load; "
    "from cxassess.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run(command: list[str], scratch: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak resident memory in bytes, and the output of one process."""
    out_path, err_path = scratch / "out.txt", scratch / "err.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    output = out_path.read_text() + err_path.read_text()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({process.returncode}):\n{output[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, output


def measure(name: str, command: list[str], runs: int, scratch: Path) -> tuple[float, float, int, str]:
    """Run a command ``runs`` times; print each run and the medians; return the medians and the output."""
    results = [run(command, scratch) for _ in range(runs)]
    seconds, cpu = statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)
    peak = int(statistics.median(r[2] for r in results))
    each = ", ".join(f"{s:.2f} s / {c:.2f} s / {m / 2**20:.0f} MiB" for s, c, m, _ in results)
    print(f"    {name:<30} median {seconds:6.2f} s wall, {cpu:6.2f} s CPU, {peak / 2**20:5.0f} MiB peak"
          f"   (runs, wall / CPU / peak: {each})")
    return seconds, cpu, peak, results[0][3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--template", default="cx_service_strategy")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="cxbigfile-"))
    try:
        start = time.perf_counter()
        answers = scratch / "responses.csv"
        run([str(BIN / "cxassess"), "sample", args.template, "--respondents", str(args.respondents), "--out",
             str(answers)], scratch)
        with open(answers, newline="", encoding="utf-8") as handle:
            columns = len(next(csv.reader(handle)))
        print(f"answers file: {args.respondents:,} respondents of {args.template!r}, {columns} columns, "
              f"{args.respondents * columns / 1e6:.1f} M cells, {answers.stat().st_size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - start:.1f} s); {args.runs} run(s) of each command")
        reference = [sys.executable, "-c", REFERENCE.format(tests=str(ROOT / "tests"))]
        same = True
        for command in ("validate", "score"):
            print(f"cxassess {command}")
            new_s, new_c, new_m, new_out = measure("column-wise (cxassess)", [str(BIN / "cxassess"), command, args.template,
                                                                        str(answers)], args.runs, scratch)
            old_s, old_c, old_m, old_out = measure("per-cell reference (baseline)", [*reference, command, args.template,
                                                                               str(answers)], args.runs, scratch)
            print(f"    baseline / cxassess: {old_s / new_s:.1f}x wall time, {old_c / new_c:.1f}x CPU time, "
                  f"{old_m / new_m:.1f}x memory; "
                  f"target at most 2 s and 400 MiB: {'met' if new_s <= 2 and new_m <= 400 * 2**20 else 'NOT met'}")
            if new_out != old_out:
                same = False
                print(f"    the outputs differ:\n--- cxassess\n{new_out[-2000:]}\n--- reference\n{old_out[-2000:]}")
        print("where the time of cxassess score goes (one run):")
        print(run([sys.executable, "-c", PHASES, args.template, str(answers)], scratch)[3].rstrip())
        print("same output from both paths: " + ("yes" if same else "NO"))
        sys.exit(0 if same else 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
