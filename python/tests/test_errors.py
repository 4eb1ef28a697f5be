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
