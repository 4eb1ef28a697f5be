from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradewar as tw
from tradewar import exceptions as ex


def test_tree() -> None:
    assert issubclass(ex.ValidationError, ValueError)
    assert issubclass(ex.InvalidCodeError, ex.ValidationError)
    assert issubclass(ex.DataError, tw.TradewarError)
    assert issubclass(ex.ConvergenceError, ex.ModelError)
    with pytest.raises(ex.InvalidCodeError) as e:
        tw.Economy("XX1")
    assert e.value.kind == "UnknownEconomy"
    assert "XX1" in str(e.value)


def test_loader_errors_name_the_place(tmp_path: Any) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("year,exporter,importer,product,value_usd,basis\n2017,USA,CHN,940310,12x,customs\n")
    with pytest.raises(ex.DataRowError, match="line 2"):
        tw.TradeMatrix.read_csv(bad)
    with pytest.raises(ex.DataReadError):
        tw.TradeMatrix.read_csv(tmp_path / "missing.csv")
    with pytest.raises(ex.CsvFormatError):
        tw.TradeMatrix.from_csv_text("a,b\n1,2\n")


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.dates(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _call(f: Any, *args: Any, **kwargs: Any) -> None:
    try:
        f(*args, **kwargs)
    except BaseException as e:  # noqa: BLE001 - the point is to see what escapes
        # PanicException derives from BaseException: anything not an ordinary error fails the test.
        assert isinstance(e, (tw.TradewarError, TypeError, ValueError, OverflowError, OSError)), repr(e)


CONSTRUCTORS = [
    lambda a, b: tw.Economy(a),
    lambda a, b: tw.HsCode(a),
    lambda a, b: tw.Money(a, b),
    lambda a, b: tw.Percent(a),
    lambda a, b: tw.DateWindow(a, b),
    lambda a, b: tw.Target(a, reporter=a, partner=b, base_year=a, reduction=b, by_year=b),
    lambda a, b: tw.Measure.tariff(a, b, imposer=a, target=b, rate=a, start=b),
    lambda a, b: tw.Measure.from_json(a),
    lambda a, b: tw.Timeline.from_json(a),
    lambda a, b: tw.Timeline(a, b),
    lambda a, b: tw.Event.lift(a, b),
    lambda a, b: tw.MfnTable(a, b),
    lambda a, b: tw.TradeMatrix(exporter=a, importer=b, product=a, year=b, value_usd=a),
    lambda a, b: tw.TradeMatrix.from_csv_text(a),
    lambda a, b: tw.TradeMatrix.read_csv(a),
    lambda a, b: tw.Table.from_json(a),
    lambda a, b: tw.Outcome.from_json(a),
    lambda a, b: tw.SmartModel(import_demand=a),
    lambda a, b: tw.GsimModel(import_demand=a, level=b),
    lambda a, b: tw.GeModel(sigma=a),
    lambda a, b: tw.Sweep(draws=a, seed=b, params={"import_demand": ("normal", a, b)}),
    lambda a, b: tw.ProductScope(a, b),
    lambda a, b: tw.ProductScope.all(a),
    lambda a, b: tw.ProductScope.from_json(a),
    lambda a, b: tw.ProductScope(["01"]).overlap(a),
    lambda a, b: tw.ProductScope.all().exempting(a),
    lambda a, b: a in tw.ProductScope(["01"]),
    lambda a, b: tw.Entity(a, b),
    lambda a, b: tw.Entity("ZTE", "CHN", buys=a),
    lambda a, b: tw.Stacking(a, group=b),
    lambda a, b: tw.Stacking(value_share=a, switches_off=b),
    lambda a, b: tw.Stacking(confines=a),
    lambda a, b: tw.Stacking(confines=[(a, b)]),
    lambda a, b: tw.Stacking.from_json(a),
    lambda a, b: tw.Measure.tariff("T", "t", imposer="USA", target="CHN", rate="1", start="2020-01-01", stacking=a),
    lambda a, b: tw.Measure.tariff(
        "T", "t", imposer="USA", target="CHN", rate="1", start="2020-01-01", scope=a, exclude=b
    ),
    lambda a, b: tw.Measure.tariff_by_product(a, b, imposer=a, target=b, rates=a, start=b, stacking=a),
    lambda a, b: tw.Measure.tariff_exclusion(a, b, tariff=a, imposer=a, target=b, scope=a, start=b),
    lambda a, b: tw.Measure.mfn_change(a, b, imposer=a, start=b, rate=a, rates=b),
    lambda a, b: tw.Measure.mfn_change("M", "m", imposer="CHN", start="2020-01-01", rates=a, exclude=b),
    lambda a, b: tw.Measure.export_ban(a, b, imposer=a, target=b, start=a, entity=b),
    lambda a, b: tw.Measure.export_ban("B", "b", imposer="USA", target="CHN", start="2020-01-01", entity=a, scope=b),
    lambda a, b: tw.Measure.import_ban(a, b, imposer=a, target=b, start=a, end=b),
    lambda a, b: tw.Measure.quota(a, b, imposer=a, target=b, annual_value=a, start=b, out_of_quota=a),
    lambda a, b: tw.Measure.quota(
        "Q", "q", imposer="USA", target="KOR", annual_value=a, start="2020-01-01", out_of_quota=b
    ),
    lambda a, b: tw.Measure.subsidy(a, b, imposer=a, target=b, rate=a, start=b, export_only=a),
    lambda a, b: tw.Measure.subsidy("S", "s", imposer="CHN", target="USA", rate=a, start=b),
    lambda a, b: tw.Event.change_rates(a, b, rate=a),
    lambda a, b: tw.Event.change_rates("2020-01-01", "L3", rates=a, update=b),
    lambda a, b: tw.Event.change_rates("2020-01-01", "L3", update=a),
    lambda a, b: tw.Event.change_rates("2020-01-01", "L3", scale=a),
    lambda a, b: tw.Event.lift(a, b, penalty=a, escrow=b, conditions=a),
    lambda a, b: tw.Event.lift("2020-01-01", "L3", penalty=a, escrow=b),
    lambda a, b: tw.Event.lift("2020-01-01", "L3", conditions=a, note=b),
    lambda a, b: tw.Event.suspend(a, b, note=a),
    lambda a, b: tw.EffectiveRate(a, b, a, b, a, b, a, b),
    lambda a, b: tw.datasets.us_effective_rate(a, exporter=b, year=a),
    # None for both would price the whole embedded trade (seconds in a debug build): junk only.
    lambda a, b: tw.datasets.us_effective_rate("2025-01-01", trade=a, schedule=b) if (a, b) != (None, None) else None,
    lambda a, b: tw.datasets.china_effective_rates(a) if a is not None else None,
    lambda a, b: tw.Replay.from_json(a),
    lambda a, b: tw.replay(a, b, directions=a, weights_year=b),
]


@pytest.mark.parametrize("k", range(len(CONSTRUCTORS)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=junk, b=junk)
def test_junk_never_panics(k: int, a: Any, b: Any) -> None:
    _call(CONSTRUCTORS[k], a, b)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_junk_csv_never_panics(text: str) -> None:
    _call(tw.TradeMatrix.from_csv_text, "year,exporter,importer,product,value_usd,basis\n" + text)


@settings(max_examples=60, deadline=None)
@given(a=junk, b=junk, c=junk)
def test_junk_queries_never_panic(a: Any, b: Any, c: Any) -> None:
    s = tw.datasets.us_china_2018_schedule() if not hasattr(test_junk_queries_never_panic, "s") else None
    sched = s or test_junk_queries_never_panic.s  # type: ignore[attr-defined]
    test_junk_queries_never_panic.s = sched  # type: ignore[attr-defined]
    _call(sched.query, a, b, c, datetime.date(2019, 1, 1))
    _call(sched.bulk, [a], [b], [c], [a])
    _call(sched.at, a)
    at = sched.at(datetime.date(2019, 6, 1))
    _call(at.stack, a, b, c)
    _call(at.total, a, b, c)
    _call(at.base_rate, a, b)
    _call(at.product_rate, a, b, c)
    _call(at.tariffs_on, a, b)
    _call(at.bulk, a, b, c)
    _call(at.bulk, "USA", "CHN", [a, b, c])


def _small() -> tuple[tw.Schedule, tw.TradeMatrix]:
    l3 = tw.Measure.tariff("L3", "l3", imposer="USA", target="CHN", rate="10", scope=["9403"], start="2018-09-24")
    schedule = tw.Schedule(tw.Timeline("t", [tw.Event.impose("2018-09-24", l3)]), [tw.MfnTable("USA", {"94": "0"})])
    trade = tw.TradeMatrix(
        exporter=["CHN"], importer=["USA"], product=["9403.10"], year=[2017], value_usd=["1"], basis="cif"
    )
    return schedule, trade


@settings(max_examples=60, deadline=None)
@given(a=junk, b=junk, c=junk)
def test_junk_replays_never_panic(a: Any, b: Any, c: Any) -> None:
    schedule, trade = _small()
    _call(tw.replay, schedule, trade, directions=a, weights_year=b, method=c)
    _call(tw.replay, schedule, trade, directions=[(a, b)], weights_year=2017)
    _call(tw.replay, schedule, trade, directions=[("USA", "CHN")], weights_year=a)
