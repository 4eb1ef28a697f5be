from __future__ import annotations

import pytest

import tradewar as tw


@pytest.fixture(scope="session")
def trade() -> tw.TradeMatrix:
    return tw.datasets.us_china_trade()


@pytest.fixture(scope="session")
def schedule() -> tw.Schedule:
    return tw.datasets.us_china_2018_schedule()


@pytest.fixture(scope="session")
def scenario(trade: tw.TradeMatrix, schedule: tw.Schedule) -> tw.Scenario:
    return tw.Scenario(
        "Phase One",
        trade=trade,
        schedule=schedule,
        base_year=2017,
        date="2020-02-14",
        target=tw.datasets.deficit_target(),
    )
