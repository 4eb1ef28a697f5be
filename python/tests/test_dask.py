from __future__ import annotations

import pytest

import tradewar as tw
from tradewar.distributed import run_batch, run_sweep

distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_sweep_and_batch_on_a_local_cluster(scenario: tw.Scenario) -> None:
    sweep = tw.Sweep(draws=6, seed=7, params={"import_demand": ("uniform", -2.0, -1.0)})
    outputs = ["target_closed", "welfare:USA"]
    local = sweep.run(tw.SmartModel(), scenario, outputs=outputs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = run_sweep(client, sweep, tw.SmartModel(), scenario, outputs=outputs, chunks=3)
            outcomes = run_batch(client, tw.AccountingModel(), [scenario, scenario])
    assert remote == local
    assert outcomes == [tw.AccountingModel().run(scenario)] * 2
