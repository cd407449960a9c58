"""Under load: a large portfolio batch, and one very large client.

(1) ``cxassess batch`` over ``--clients`` fictional clients of ``--respondents`` each: every
    client must succeed; prints the time and the peak memory of the whole batch (all its
    processes together: workers, kernels, PDF engine) and of its largest process.
(2) One client of ``--big`` respondents: scoring (time, peak memory), a census of every chart the
    report draws (how many marks each puts on the page, against the same charts for a client of
    ``--respondents``: charts aggregate, so the counts must not grow with the respondents), then
    ``cxassess report`` on it (time, peak memory).

Exits 1 when a client fails or a chart draws per respondent.

    python benchmarks/load.py [--clients 200] [--respondents 50] [--big 100000] [--formats html,pdf]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"
BIN = Path(sys.executable).parent
MARK = "CXASSESS_LOAD_RUN"


class PeakMemory:
    """Samples the memory of every process carrying ``MARK=<id>`` in its environment (proportional set sizes)."""

    def __init__(self, run_id: str, every: float = 0.25):
        self.needle = f"{MARK}={run_id}".encode()
        self.every, self.total, self.largest = every, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.is_set():
            sizes = []
            for proc in Path("/proc").glob("[0-9]*"):
                try:
                    if self.needle in (proc / "environ").read_bytes().split(b"\0"):
                        sizes.append(_proportional_size(proc))
                except (OSError, IndexError, ValueError):
                    pass
            self.total, self.largest = max(self.total, sum(sizes)), max([self.largest, *sizes])
            self._stop.wait(self.every)


def _proportional_size(proc: Path) -> int:
    """A process's proportional set size (shared pages split between their users: forked kernels share
    most of their zygote's memory, which plain RSS would count once per kernel), else its RSS."""
    try:
        return int((proc / "smaps_rollup").read_text().split("\nPss:", 1)[1].split()[0]) * 1024
    except (OSError, IndexError):
        return int((proc / "status").read_text().split("VmRSS:", 1)[1].split()[0]) * 1024


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def run_marked(cmd: list, run_id: str) -> tuple[float, PeakMemory, subprocess.CompletedProcess]:
    with PeakMemory(run_id) as peak:
        start = time.perf_counter()
        result = subprocess.run(cmd, env=dict(os.environ, **{MARK: run_id}), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
    return seconds, peak, result


def write_client(folder: Path, respondents: int, seed: int = 1) -> Path:
    """A fictional client of ``respondents`` (responses.csv and client.yaml)."""
    from cxassess.inputs.samples import Profile, generate
    from cxassess.inputs.templates import find_template

    folder.mkdir(parents=True)
    generate(find_template("cx_service_strategy"), Profile(respondents=respondents), seed=seed).to_csv(
        folder / "responses.csv", index=False)
    (folder / "client.yaml").write_text(
        f"name: Load test {respondents}\nsector: Fictional\ntemplate: cx_service_strategy\n"
        "assessment_date: '2026-10-01'\n", encoding="utf-8")
    return folder


def batch(args: argparse.Namespace, work: Path) -> bool:
    from cxassess.inputs.sample_clients import portfolio, write_sample_client
    from cxassess.inputs.templates import find_template

    template = find_template("cx_service_strategy")
    for sample in portfolio(args.clients, args.respondents, seed=1):
        write_sample_client(sample, work / "clients", template)
    seconds, peak, result = run_marked(
        [BIN / "cxassess", "batch", str(work / "clients"), "--out", str(work / "out"), "--workers", str(args.workers),
         "--format", args.formats], uuid.uuid4().hex)
    summary = next((work / "out" / "portfolio").glob("*/batch.json"), None)
    counts = json.loads(summary.read_text())["counts"] if summary else {}
    print(f"(1) batch: {args.clients} clients x {args.respondents} respondents, {args.workers} workers, "
          f"formats {args.formats}")
    print(f"    {counts.get('ok', 0)} ok, {counts.get('failed', '?')} failed in {seconds:.1f} s "
          f"({seconds / max(args.clients, 1):.2f} s/client), exit status {result.returncode}")
    print(f"    peak memory: {mib(peak.total)} all processes together, {mib(peak.largest)} largest process")
    ok = result.returncode == 0 and counts.get("ok") == args.clients
    if not ok:
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
    return ok


def census(client_dir: str) -> None:
    """Run the notebook's cells in this process (as the kernel would) and report every chart's marks."""
    import matplotlib.collections
    import matplotlib.image
    import matplotlib.lines
    import nbformat

    from cxassess.render import comparisons, display, sections

    charts: list[tuple[str, int]] = []
    drawn = display.figure

    def counting(fig, title=None):
        png = drawn(fig, title)
        charts.append((png.title if hasattr(png, "title") else str(title), marks(fig)))
        return png

    def marks(fig) -> int:
        """Things drawn: a point of a scatter, a vertex of a line, a cell of an image count one each."""
        n = 0
        for artist in fig.findobj():
            if isinstance(artist, matplotlib.collections.Collection):
                n += max(1, len(artist.get_offsets()), len(artist.get_paths()))
            elif isinstance(artist, matplotlib.lines.Line2D):
                n += max(1, len(artist.get_xdata()))
            elif isinstance(artist, matplotlib.image.AxesImage):
                n += int(artist.get_array().size)
            else:
                n += 1
        return n

    for module in (display, sections, comparisons):  # each calls figure by its own name
        module.figure = counting
    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        exec(compile(tree, "<cell>", "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace["client_dir"] = client_dir
    hwm = int(Path("/proc/self/status").read_text().split("VmHWM:", 1)[1].split()[0]) * 1024
    print(json.dumps({"charts": charts, "peak": hwm}))


def run_census(client: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--census", str(client)], capture_output=True, text=True,
                            cwd=ROOT / "notebooks")
    if result.returncode != 0:
        raise SystemExit(f"the chart census failed for {client}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, json.loads(result.stdout.strip().splitlines()[-1])


def big_client(args: argparse.Namespace, work: Path) -> bool:
    start = time.perf_counter()
    big = write_client(work / "big", args.big)
    small = write_client(work / "small", args.respondents)
    size = (big / "responses.csv").stat().st_size
    print(f"(2) one client of {args.big:,} respondents ({size / 1e6:.0f} MB of answers, written in "
          f"{time.perf_counter() - start:.1f} s)")
    small_seconds, small_census = run_census(small)
    big_seconds, big_census = run_census(big)
    print(f"    notebook cells in one process: {big_seconds:.1f} s, peak {mib(big_census['peak'])} "
          f"(against {small_seconds:.1f} s, {mib(small_census['peak'])} for {args.respondents} respondents)")
    most_small = dict(small_census["charts"])
    worst = max(big_census["charts"], key=lambda c: c[1], default=("none", 0))
    print(f"    {len(big_census['charts'])} charts; most marks in one chart: {worst[1]:,} ({worst[0]!r}); "
          f"the same chart for {args.respondents} respondents: {most_small.get(worst[0], 'not drawn')}")
    per_respondent = [(t, n) for t, n in big_census["charts"] if n >= max(args.big // 10, 1000)]
    if per_respondent:
        print(f"    charts drawing per respondent: {per_respondent}")
    seconds, peak, result = run_marked(
        [BIN / "cxassess", "report", str(big), "--out", str(work / "reports"), "--format", args.formats],
        uuid.uuid4().hex)
    print(f"    cxassess report ({args.formats}): {seconds:.1f} s, exit status {result.returncode}, "
          f"peak memory {mib(peak.total)} all processes together, {mib(peak.largest)} largest process")
    if result.returncode != 0:
        print(result.stderr[-2000:])
    return not per_respondent and result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--respondents", type=int, default=50)
    parser.add_argument("--big", type=int, default=100_000, help="respondents of the one large client (0: skip)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--census", help=argparse.SUPPRESS)  # internal: one client's chart census
    args = parser.parse_args()
    if args.census:
        return census(args.census)
    work = Path(tempfile.mkdtemp(prefix="cxload-"))
    try:
        ok = batch(args, work) if args.clients else True
        ok = (big_client(args, work) if args.big else True) and ok
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all good" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
