"""Reconstructors used by ``__reduce__`` of the Rust classes."""

from __future__ import annotations

import datetime
from typing import Any

from tradewar import _core


def percent(value: str) -> _core.Percent:
    return _core.Percent(value, signed=True)


def target(name: str, reporter: str, partner: str, base_year: int, reduction: _core.Money, by_year: int) -> _core.Target:
    return _core.Target(name, reporter=reporter, partner=partner, base_year=base_year, reduction=reduction, by_year=by_year)


def trade_matrix(cols: tuple[list[str], list[str], list[str], list[int], list[int], list[str]]) -> _core.TradeMatrix:
    return _core.TradeMatrix._from_cents(*cols)


def scenario(
    name: str,
    trade: _core.TradeMatrix,
    schedule: _core.Schedule,
    base_year: int,
    date: datetime.date,
    start: datetime.date | None,
    proposals: list[_core.Event],
    target: _core.Target | None,
    mode: str,
    commitment_year: int | None,
    ignore: list[str],
    rates: str,
) -> _core.Scenario:
    return _core.Scenario(
        name,
        trade=trade,
        schedule=schedule,
        base_year=base_year,
        date=date,
        start=start,
        proposals=proposals,
        target=target,
        commitment_mode=mode,
        commitment_year=commitment_year,
        ignore=ignore,
        rates=rates,
    )


def smart(import_demand: float) -> _core.SmartModel:
    return _core.SmartModel(import_demand=import_demand)


def gsim(
    import_demand: float, substitution: float, export_supply: float, level: str, form: str = "levels"
) -> _core.GsimModel:
    return _core.GsimModel(
        import_demand=import_demand, substitution=substitution, export_supply=export_supply, level=level, form=form
    )


def ge(sigma: float, reference: str, world: _core.GeWorld, rebate: bool) -> _core.GeModel:
    return _core.GeModel(sigma=sigma, reference=reference, world=world, rebate=rebate)


def sweep(draws: int, seed: int, params: dict[str, Any]) -> _core.Sweep:
    return _core.Sweep(draws=draws, seed=seed, params=params)


def caliendo_parro_world(state: dict[str, Any]) -> _core.CaliendoParroWorld:
    return _core.CaliendoParroWorld.from_coefficients(**state)


def caliendo_parro_model(
    world: _core.CaliendoParroWorld, deficits: str, commitments: str, concordance: _core.Table | None
) -> _core.CaliendoParroModel:
    return _core.CaliendoParroModel(world, deficits=deficits, commitments=commitments, concordance=concordance)  # type: ignore[arg-type]
