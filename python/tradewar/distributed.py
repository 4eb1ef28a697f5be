"""Scale-out with Dask: split a sweep or a batch of scenarios over a cluster.

Each draw of a sweep depends only on its seed and index, so slices of draws
run anywhere and give the same numbers as a local run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradewar import _core


def _run_slice(sweep: _core.Sweep, model: _core.Model, scenario: _core.Scenario, start: int, stop: int, outputs: list[str]) -> _core.Table:
    return sweep.run_range(model, scenario, start, stop, outputs)


def _run_one(model: _core.Model, scenario: _core.Scenario) -> _core.Outcome:
    return model.run(scenario)


def _concat(name: str, parts: Sequence[_core.Table]) -> _core.Table:
    import json

    merged: dict[str, Any] | None = None
    for p in parts:
        d = json.loads(p.to_json())
        if merged is None:
            merged = d
        else:
            for (_, col), (_, new) in zip(merged["columns"], d["columns"]):
                col["values"].extend(new["values"])
    assert merged is not None
    merged["name"] = name
    return _core.Table.from_json(json.dumps(merged))


def run_sweep(
    client: Any,
    sweep: _core.Sweep,
    model: _core.Model,
    scenario: _core.Scenario,
    *,
    outputs: Sequence[str],
    chunks: int = 4,
) -> _core.Table:
    """Runs `sweep` on a dask.distributed `client`, `chunks` slices of draws at a time."""
    n = sweep.draws
    chunks = max(1, min(chunks, n))
    bounds = [(k * n // chunks, (k + 1) * n // chunks) for k in range(chunks)]
    scenario_f = client.scatter(scenario, broadcast=True)
    futures = [
        client.submit(_run_slice, sweep, model, scenario_f, a, b, list(outputs), pure=False) for a, b in bounds if b > a
    ]
    return _concat("sweep", client.gather(futures))


def run_batch(client: Any, model: _core.Model, scenarios: Sequence[_core.Scenario]) -> list[_core.Outcome]:
    """Runs `model` on every scenario on a dask.distributed `client`; outcomes in order."""
    futures = [client.submit(_run_one, model, s, pure=False) for s in scenarios]
    return list(client.gather(futures))
