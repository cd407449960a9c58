"""How fast are the everyday runs? One report, and a small portfolio, against the hand-scripted loop.

Timed in one run, on sample clients made here:
(a) the loop a consultant would script by hand, per client and in sequence: the papermill CLI,
    `jupyter nbconvert --to html`, `jupyter nbconvert --to webpdf` (see batch.py for how webpdf is
    shown the machine's Chromium);
(1) `cxassess report CLIENT` with HTML and PDF, from a cold start (a new process);
(6) `cxassess batch` of six clients with HTML and PDF.

Prints the wall seconds of each, the ratios against (a), and where one report's time goes:
    one report:   at most 3 s, and a/1 >= 4
    six clients:  a/6 >= 10 (per client)
With each, the CPU seconds the whole machine spent (keep it otherwise idle) and the least wall
time the cores allow for that much work. Add `--plain` to time the runner's plain mode beside
the fast one. The forty-client ratio is `benchmarks/batch.py`'s.

    python benchmarks/everyday.py [--repeat 3] [--respondents 30] [--plain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from batch import BIN, baseline, cpu_note, machine_cpu, make_portfolio, webpdf_environment


def median_run(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The (wall, CPU) seconds of the run with the median wall time."""
    return sorted(runs)[len(runs) // 2]


def where_the_time_goes(run_folder: Path, started: float, ended: float) -> list[str]:
    """One report's wall time in phases, from the executed notebook's Papermill timestamps (UTC)."""
    notebook = json.loads((run_folder / "assessment.ipynb").read_text())
    stamp = lambda text: dt.datetime.fromisoformat(text).timestamp()  # noqa: E731
    run = notebook["metadata"]["papermill"]
    cells = [(c["metadata"]["papermill"], "".join(c["source"]).strip().splitlines()[-1][:60])
             for c in notebook["cells"] if c["cell_type"] == "code" and c["metadata"].get("papermill", {}).get("start_time")]
    first, last = stamp(cells[0][0]["start_time"]), stamp(cells[-1][0]["end_time"])
    lines = [f"    before Papermill (imports, zygote started, client validated) {stamp(run['start_time']) - started:5.2f} s",
             f"    kernel start (waits for the zygote's imports)               {first - stamp(run['start_time']):5.2f} s",
             f"    notebook cells                                              {last - first:5.2f} s, of which:"]
    for meta, source in sorted(cells, key=lambda c: -c[0]["duration"])[:6]:
        lines.append(f"        {meta['duration']:5.2f} s  {source}")
    lines.append(f"    after the cells (HTML, PDF, files written)                  {ended - last:5.2f} s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cxassess command (the median is shown)")
    parser.add_argument("--respondents", type=int, default=30)
    parser.add_argument("--plain", action="store_true", help="also time the runner's plain mode")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cxbench-"))
    try:
        clients = make_portfolio(work / "clients", 6, args.respondents)
        print(f"6 clients x {args.respondents} respondents, {os.cpu_count()} cores, median of {args.repeat} runs")
        modes = [[], ["--plain"]] if args.plain else [[]]
        one, six = {}, {}
        for mode in modes:
            name = "plain" if mode else "fast"
            one[name] = median_run([
                machine_cpu([BIN / "cxassess", "report", str(clients[0]), "--out", str(work / f"one-{name}-{i}"), *mode])
                for i in range(args.repeat)])
            six[name] = median_run([
                machine_cpu([BIN / "cxassess", "batch", str(work / "clients"), "--out", str(work / f"six-{name}-{i}"), *mode])
                for i in range(args.repeat)])
        started = time.time()
        machine_cpu([BIN / "cxassess", "report", str(clients[0]), "--out", str(work / "profiled")])
        ended = time.time()
        profile = where_the_time_goes(next((work / "profiled").glob("*/latest")).resolve(), started, ended)
        a, route = baseline(clients[:2], work / "baseline", webpdf_environment(work))
        print(f"(a) hand-scripted loop  {a:6.2f} s/client  [{route}]")
        for name in one:
            (one_s, one_cpu), (six_s, six_cpu) = one[name], six[name]
            print(f"(1) cxassess report     {one_s:6.2f} s         [{name}; one client, HTML+PDF, cold start]")
            print(f"        {cpu_note(one_s, one_cpu)}")
            print(f"(6) cxassess batch      {six_s / 6:6.2f} s/client  [{name}; {six_s:.1f} s for six, HTML+PDF]")
            print(f"        {cpu_note(six_s, six_cpu)}")
            print(f"    one report: {one_s:.2f} s (target <= 3), a/1 = {a / one_s:4.1f} (target >= 4); "
                  f"six clients: a/6 = {a / (six_s / 6):4.1f} (target >= 10)")
        print(f"where one report's {ended - started:.2f} s go (fast mode, HTML+PDF, one more cold run):")
        print("\n".join(profile))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
