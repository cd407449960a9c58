"""Batches on a Dask cluster: a LocalCluster of 2 worker processes on loopback, same reports as locally."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT
from cxassess.run.batch import run_batch

pytestmark = pytest.mark.slow  # batches on a Dask cluster

pytest.importorskip("distributed")
CLIENTS = ROOT / "data" / "clients"


def test_dask_local_cluster_matches_a_local_run(tmp_path):
    clients = tmp_path / "clients"
    for name in ("harbour-hotels", "brightpath-software"):
        shutil.copytree(CLIENTS / name, clients / name)
    local = run_batch(clients, tmp_path / "local", workers=2, formats=("html",))
    dask = run_batch(clients, tmp_path / "dask", formats=("html",), dask_local=2)
    assert dask.workers == 2
    assert [(r.client, r.status) for r in dask.results] == [(r.client, r.status) for r in local.results]
    assert all(r.status == "ok" for r in dask.results)
    for name in ("harbour-hotels", "brightpath-software"):
        a, b = tmp_path / "local" / name / "latest", tmp_path / "dask" / name / "latest"
        scores = [json.loads((run / "scores.json").read_text()) for run in (a, b)]
        made = [s.pop("provenance") for s in scores]  # when and where each run was made differ, nothing else
        assert scores[0] == scores[1]
        assert made[0]["inputs"] == made[1]["inputs"] and made[0]["packages"] == made[1]["packages"]
        appendix = "Appendix: Provenance"
        assert ((a / "report.html").read_text().split(appendix)[0] == (b / "report.html").read_text().split(appendix)[0])
        assert (a / "fingerprint.json").read_text() == (b / "fingerprint.json").read_text()


def test_an_existing_scheduler_runs_the_batch(tmp_path):
    from distributed import LocalCluster

    clients = tmp_path / "clients"
    shutil.copytree(CLIENTS / "harbour-hotels", clients / "harbour-hotels")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        batch = run_batch(clients, tmp_path / "out", formats=("html",), scheduler=cluster.scheduler_address)
    assert [r.status for r in batch.results] == ["ok"]
    assert (tmp_path / "out" / "harbour-hotels" / "latest" / "report.html").is_file()
