from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tradewar as tw


def test_trade_round_trips_through_pandas_arrow_polars(trade: tw.TradeMatrix) -> None:
    df = trade.to_pandas()
    assert list(df.columns) == ["exporter", "importer", "product", "year", "value_usd", "basis"]
    assert len(df) == len(trade)
    assert isinstance(df["value_usd"].iloc[0], Decimal)
    assert tw.TradeMatrix.from_pandas(df) == trade
    table = pa.table(trade)  # via __arrow_c_stream__
    assert pa.types.is_decimal(table.schema.field("value_usd").type)
    assert tw.TradeMatrix.from_arrow(table) == trade
    frame = pl.DataFrame(trade)  # polars reads the PyCapsule stream
    assert frame.height == len(trade)
    assert tw.TradeMatrix.from_arrow(frame) == trade


def test_totals_are_exact(trade: tw.TradeMatrix) -> None:
    df = trade.to_pandas()
    rows = df[(df.exporter == "CHN") & (df.importer == "USA") & (df.year == 2017)]
    assert sum(rows.value_usd, Decimal(0)) == trade.total("CHN", "USA", 2017).amount


def test_csv_in(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("year,exporter,importer,product,value_usd,basis\n2017,CHN,USA,940310,100.25,customs\n")
    m = tw.TradeMatrix.read_csv(p)
    assert m.total("CHN", "USA", 2017) == tw.Money("100.25")
    assert eval(repr(m), {"TradeMatrix": tw.TradeMatrix}) == m
    assert pickle.loads(pickle.dumps(m)) == m


def test_floats_refused() -> None:
    with pytest.raises(tw.ValidationError):
        tw.TradeMatrix(exporter=["CHN"], importer=["USA"], product=["94"], year=[2017], value_usd=[0.1])


def test_balance_and_tables(trade: tw.TradeMatrix, schedule: tw.Schedule) -> None:
    b = trade.balance("USA", "CHN", 2017).to_pandas()
    assert b["balance"].iloc[0] < 0
    path = tw.tariff_path(schedule, trade, a="USA", b="CHN", year=2017, dates=["2018-01-01", "2019-12-31"])
    t = path.to_dict()
    us = [v for v, i in zip(t["trade_weighted"], t["importer"]) if i == "USA"]
    assert us[1] > us[0] + 10
    cov = tw.coverage_by_measure(schedule, trade, year=2017, date="2019-06-01").to_pandas()
    assert "US301-L1" in set(cov["id"])
    assert pickle.loads(pickle.dumps(path)) == path
    assert eval(repr(path), {"Table": tw.Table}) == path
