"""How fast is a portfolio batch? Three ways to produce the same reports, timed in one run.

(a) baseline: what a consultant would script by hand, per client and in sequence: the papermill
    CLI, then `jupyter nbconvert --to html`, then `jupyter nbconvert --to webpdf`. webpdf drives
    Chromium through Playwright, whose own browser download is impossible offline: Playwright is
    shown the machine's Chromium instead (a link where it looks for its headless shell). Without
    Playwright or Chromium, the `weasyprint` CLI on the HTML stands in (a cheaper PDF step);
(b) `cxassess batch` with HTML and PDF, all cores;
(c) the floor: the notebook's same cells (scoring, charts) and the same HTML export, run in one
    plain Python process with no kernel and no PDF.

Prints seconds per client for each, the ratios a/b (target >= 20; an earlier issue asked 12) and
b/c (target <= 4), CPU use and peak memory. The batch's CPU seconds (the whole machine's, so
keep it otherwise idle) divided by the cores is the least wall time these cores could take for
the same work: when the batch is close to it, only less work, not more overlap, makes it faster.

    python benchmarks/batch.py [--clients 40] [--respondents 30] [--baseline-clients 4]
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"
BIN = Path(sys.executable).parent


def make_portfolio(folder: Path, clients: int, respondents: int) -> list[Path]:
    from cxassess.inputs.sample_clients import portfolio, write_sample_client
    from cxassess.inputs.templates import find_template

    template = find_template("cx_service_strategy")
    return [write_sample_client(s, folder, template) for s in portfolio(clients, respondents, seed=1)]


def busy_seconds() -> float:
    """The machine's busy CPU seconds since boot, from /proc/stat: every process, forked kernels too."""
    user, nice, system, _idle, _iowait, irq, softirq = map(float, Path("/proc/stat").read_text().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")  # not steal: another guest's


def machine_cpu(cmd: list) -> tuple[float, float]:
    """Run ``cmd``; its wall seconds and the CPU seconds the whole machine spent meanwhile (every process)."""
    busy = busy_seconds()
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    busy = busy_seconds() - busy
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-2000:]}")
    return seconds, busy


def cpu_note(seconds: float, cpu: float) -> str:
    """``cpu`` CPU seconds over the cores: the least wall time they allow, beside the ``seconds`` taken."""
    cores = os.cpu_count() or 1
    return (f"{cpu:.1f} s of CPU (whole machine), at least {cpu / cores:.2f} s on {cores} cores: "
            f"{cpu / cores / seconds:.0%} of the wall time")


def run(cmd: list, **kwargs) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def webpdf_environment(work: Path) -> dict | None:
    """An environment in which `nbconvert --to webpdf` finds a browser: the machine's Chromium, or None."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        return None
    env = dict(os.environ, PLAYWRIGHT_BROWSERS_PATH=str(work / "ms-playwright"))
    probe = ("from playwright.sync_api import sync_playwright\n"
             "with sync_playwright() as p:\n"
             "    p.chromium.launch(args=['--no-sandbox']).close()\n")
    for _ in range(3):  # each failed launch names the file Playwright looked for
        result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
        if result.returncode == 0:
            return env
        missing = re.search(r"Executable doesn't exist at (\S+)", result.stderr)
        if not missing:
            return None
        Path(missing.group(1)).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(chromium, missing.group(1))
    return None


def baseline(clients: list[Path], out: Path, env: dict | None) -> tuple[float, str]:
    """The hand-scripted loop, sequential: wall seconds a client, and what it ran and its CPU a client."""
    out.mkdir(parents=True)
    busy = busy_seconds()
    start = time.perf_counter()
    for folder in clients:
        executed = out / f"{folder.name}.ipynb"
        run([BIN / "papermill", str(NOTEBOOK), str(executed), "-p", "client_dir", str(folder), "--cwd", str(NOTEBOOK.parent)])
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(executed)])
        if env:
            run([BIN / "jupyter", "nbconvert", "--to", "webpdf", "--no-input", "--WebPDFExporter.disable_sandbox=True",
                 str(executed)], env=env, timeout=300)
        else:
            run([BIN / "weasyprint", str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))])
    seconds = (time.perf_counter() - start) / len(clients)
    cpu = (busy_seconds() - busy) / len(clients)
    route = "papermill CLI + nbconvert --to html + " + ("nbconvert --to webpdf" if env else "weasyprint CLI")
    return seconds, f"{route}; {len(clients)} clients; {cpu:.1f} s of CPU a client"


def cxassess_batch(clients_dir: Path, out: Path, workers: int) -> tuple[float, float]:
    """Wall seconds and the machine's CPU seconds of `cxassess batch`."""
    return machine_cpu([BIN / "cxassess", "batch", str(clients_dir), "--out", str(out), "--workers", str(workers)])


def floor(clients: list[Path]) -> float:
    """The notebook's cells and the HTML export in this process: no kernel, no PDF."""
    from cxassess.run.html_export import exporter

    nb = nbformat.read(NOTEBOOK, as_version=4)
    defaults = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    start = time.perf_counter()
    for folder in clients:
        namespace: dict = {}
        exec(defaults, namespace)
        namespace["client_dir"] = str(folder)
        executed = nbformat.v4.new_notebook(metadata=nb.metadata)
        for cell in cells:
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
            outputs = []
            if value is not None and hasattr(value, "_repr_html_"):
                outputs = [nbformat.v4.new_output("display_data", data={"text/html": value._repr_html_()})]
            executed.cells.append(nbformat.v4.new_code_cell(cell.source, outputs=outputs, metadata=cell.metadata))
        exporter().from_notebook_node(executed)
    return (time.perf_counter() - start) / len(clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--respondents", type=int, default=30)
    parser.add_argument("--baseline-clients", type=int, default=4,
                        help="clients the slow baseline runs on (its cost per client is stable)")
    parser.add_argument("--workers", type=int, default=None, help="batch workers (default: cxassess's own)")
    args = parser.parse_args()
    if args.workers is None:
        from cxassess.run.batch import default_workers

        args.workers = default_workers()
    work = Path(tempfile.mkdtemp(prefix="cxbench-"))
    try:
        clients = make_portfolio(work / "clients", args.clients, args.respondents)
        print(f"{args.clients} clients x {args.respondents} respondents, {args.workers} workers, "
              f"{os.cpu_count()} cores")
        b_total, b_cpu_seconds = cxassess_batch(work / "clients", work / "batch", args.workers)
        b = b_total / args.clients
        b_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        c = floor(clients)
        a, route = baseline(clients[: args.baseline_clients], work / "baseline", webpdf_environment(work))
        print(f"(a) hand-scripted loop   {a:7.2f} s/client  [{route}]")
        from cxassess.render.pdf import engine

        print(f"(b) cxassess batch       {b:7.2f} s/client  [{b_total:.1f} s in all; PDF by {engine()}; "
              f"largest process {b_rss:.0f} MiB]")
        print(f"(c) floor, one process   {c:7.2f} s/client  [same cells and HTML export, no kernel, no PDF; "
              f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB]")
        print(f"    the batch: {cpu_note(b_total, b_cpu_seconds)}; {b_cpu_seconds / args.clients:.2f} s of CPU a client")
        print(f"a/b = {a / b:5.1f}   (target >= 20)")
        print(f"b/c = {b / c:5.1f}   (target <= 4)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
