from __future__ import annotations

import datetime
import pickle
from decimal import Decimal

import pytest

import tradewar as tw
from tradewar import DateWindow, Economy, Entity, HsCode, Money, Percent, ProductScope, Stacking, Target

NS = {name: getattr(tw, name) for name in tw.__all__}

VALUES = [
    Economy("USA"),
    Economy("EU27"),
    HsCode("9403.10.00"),
    HsCode("94"),
    Money("1234.56"),
    Money(Decimal("-0.01"), "CNY"),
    Percent("25"),
    Percent("-2.5", signed=True),
    DateWindow("2018-07-06"),
    DateWindow(datetime.date(2018, 7, 6), "2019-01-01"),
    Target("cut", reporter="USA", partner="CHN", base_year=2017, reduction=Money("200000000000"), by_year=2020),
    ProductScope(["12", "8542.31.00"], exclude=["1201.90"]),
    ProductScope([]),
    ProductScope.all(),
    ProductScope.all(exclude=["0901.11"]),
    Entity("ZTE Corporation", "CHN"),
    Entity("O'Brien & \"Sons\"", Economy.USA, buys=ProductScope(["8542"])),
    Stacking(),
    Stacking("floor", value_share="50"),
    Stacking("max_in_group", group="s'301", switches_off=["legal_basis:ieepa", "measure:US232-AUTOS"]),
    Stacking(confines=[("id_prefix:IEEPA-RECIP", Percent("50"))]),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_repr_evaluates_back_and_pickle_round_trips(value: object) -> None:
    assert eval(repr(value), NS) == value
    assert pickle.loads(pickle.dumps(value)) == value


def test_economy() -> None:
    assert Economy("usa") == Economy.USA
    assert str(Economy.CHN) == "CHN"
    assert Economy("EU27").is_aggregate
    assert Economy("EU27").includes("DEU")
    assert len({Economy("USA"), Economy.USA}) == 1


def test_hs_code() -> None:
    c = HsCode("9403.10.00")
    assert c.digits == 8 and c.level == "national8"
    assert c.chapter() == HsCode("94")
    assert HsCode("9403").contains("9403.10.00")
    assert c.subheading() == HsCode("940310")


def test_money_is_exact() -> None:
    total = Money("0.1") + Money("0.2")
    assert total == Money("0.3")
    assert total.amount == Decimal("0.3")
    assert isinstance(total.amount, Decimal)
    assert Money("1.0") == Money("1.00") and hash(Money("1.0")) == hash(Money("1.00"))
    assert Money(3) * Decimal("1.5") == Money("4.5")
    assert Money("1") < Money("2")
    with pytest.raises(tw.exceptions.CurrencyMismatchError):
        Money("1") + Money("1", "CNY")
    with pytest.raises(tw.exceptions.CurrencyMismatchError):
        Money("1") < Money("1", "CNY")
    with pytest.raises(tw.ValidationError, match="floats are not exact"):
        Money(0.1)  # type: ignore[arg-type]


def test_percent_and_window() -> None:
    assert Percent("25").fraction == Decimal("0.25")
    with pytest.raises(tw.exceptions.InvalidAmountError):
        Percent("-1")
    w = DateWindow("2018-07-06", "2019-01-01")
    assert datetime.date(2018, 12, 31) in w
    assert "2019-01-01" not in w
    assert w.start == datetime.date(2018, 7, 6)
    with pytest.raises(tw.exceptions.InvalidDateError):
        DateWindow("2019-01-01", "2018-01-01")
