"""Findings of a user review of the trust work (issue 10 and 11), each asked as the reviewer asked it:
an answer is right, refused with a typed error that says what to ask instead, or flagged."""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path

import numpy as np
import pytest

import tradewar as tw
from tradewar import datasets


def caught(call):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = call()
    return result, w


def test_at_total_warns_as_stack_does(schedule: tw.Schedule) -> None:
    at = schedule.at("2019-06-01")
    total, w = caught(lambda: at.total("USA", "CHN", "9999.99.99"))
    stack, _ = caught(lambda: at.stack("USA", "CHN", "9999.99.99"))
    assert total == stack.total
    assert any(issubclass(x.category, tw.exceptions.IncompleteRateWarning) for x in w), [str(x.message) for x in w]


def test_tariff_averages_warn_when_specific_duties_count_as_zero(
    schedule: tw.Schedule, trade: tw.TradeMatrix
) -> None:
    ta, w = caught(
        lambda: tw.tariff_averages(schedule, trade, importer="USA", exporter="CHN", year=2017, date="2019-06-01")
    )
    assert ta.lines_with_specific > 0
    msgs = [str(x.message) for x in w if issubclass(x.category, tw.exceptions.IncompleteRateWarning)]
    assert any(f"{ta.lines_with_specific} of the" in m and "specific" in m for m in msgs), msgs
    _, w = caught(
        lambda: tw.tariff_path(schedule, trade, a="USA", b="CHN", year=2017, dates=["2019-06-01", "2019-09-01"])
    )
    assert any("specific" in str(x.message) for x in w)


def test_effective_rate_partner_without_trade_is_unanswerable() -> None:
    with pytest.raises(tw.exceptions.UnanswerableError) as e:
        datasets.us_effective_rate("2025-10-01", exporter="JPN")
    assert "JPN" in str(e.value)
    _, w = caught(lambda: datasets.us_effective_rate("2027-01-01", exporter="CHN"))
    assert any(issubclass(x.category, tw.exceptions.OutsideDataWarning) for x in w)


def test_coverage_of_a_suspended_list_is_zero_and_says_so(schedule: tw.Schedule, trade: tw.TradeMatrix) -> None:
    l4b = schedule.timeline.measure("US301-L4B")
    assert l4b is not None
    c = tw.coverage(schedule, trade, l4b, year=2017, date="2019-12-20")
    assert not c.in_force and c.covered == tw.Money("0") and "suspended" in (c.note or "")
    rows = tw.coverage_by_measure(schedule, trade, year=2017, date="2018-05-01").to_dict()
    assert "BIS-ZTE" in rows["id"] and all(rows["in_force"])


def test_elasticities_are_checked_when_the_model_is_built() -> None:
    with pytest.raises(tw.exceptions.ModelInputError, match="import"):
        tw.SmartModel(import_demand=1.5)
    with pytest.raises(tw.exceptions.ModelInputError, match="substitution"):
        tw.GsimModel(substitution=-1.0)
    with pytest.raises(tw.exceptions.ModelInputError, match="export supply"):
        tw.GsimModel(export_supply=0.0)


def test_percent_of_a_percent_and_numpy_dates(schedule: tw.Schedule) -> None:
    assert tw.Percent(tw.Percent("5")) == tw.Percent("5")
    with pytest.raises(tw.exceptions.InvalidAmountError):
        tw.Percent(tw.Percent("-5", signed=True))
    a = schedule.query("USA", "CHN", "9403.10.00", np.datetime64("2019-06-01"))
    assert a.date == datetime.date(2019, 6, 1)
    assert schedule.at(np.datetime64("2019-06-01T12:00")).date == datetime.date(2019, 6, 1)
    with pytest.raises(tw.exceptions.TradewarError):
        schedule.at(np.datetime64("NaT"))


def test_zte_refusal_speaks_of_the_order_not_quotas(schedule: tw.Schedule, trade: tw.TradeMatrix) -> None:
    # From a date under the denial order to one after its early lifting.
    sc = tw.Scenario("ZTE lifted", trade=trade, schedule=schedule, base_year=2017, start="2018-05-01", date="2019-12-31")
    with pytest.raises(tw.exceptions.UnsupportedMeasureError) as e:
        tw.AccountingModel().run(sc)
    assert "quota" not in str(e.value) and "denial order" in str(e.value), str(e.value)


def test_read_sigmas_refuses_a_code_twice(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("hts10,sigma\n2103204020,66.7\n2103204020,5.47\n")
    with pytest.raises(tw.exceptions.DuplicateRowError, match="line 2 and on line 3"):
        tw.read_sigmas(p)
    assert list(tw.read_sigmas(p, keep_first=True).values()) == [66.7]


def test_trade_csv_without_basis_is_customs_value_as_in_the_constructor() -> None:
    m = tw.TradeMatrix.from_csv_text("exporter,importer,product,year,value_usd\nCHN,USA,847130,2017,10\n")
    c = tw.TradeMatrix(exporter=["CHN"], importer=["USA"], product=["847130"], year=[2017], value_usd=["10"])
    assert m == c


def test_bulk_rows_carry_their_own_caveats(schedule: tw.Schedule) -> None:
    t, w = caught(
        lambda: schedule.at("2019-06-01").bulk("USA", "CHN", ["9403.10.00", "9999.99.99", "0402.10.05"])
    )
    caveats = t.to_dict()["caveats"]
    assert caveats[0] == "" and caveats[1] != "" and caveats[2] != ""
    # One warning per kind of caveat, not per class.
    assert len([x for x in w if issubclass(x.category, tw.exceptions.IncompleteRateWarning)]) == 2


def test_compare_models_draws_no_bar_for_what_is_not_measured(
    schedule: tw.Schedule, trade: tw.TradeMatrix
) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from tradewar import plot

    sc = tw.Scenario("x", trade=trade, schedule=schedule, base_year=2017, date="2019-09-01")
    outs = [tw.AccountingModel().run(sc), tw.SmartModel().run(sc)]
    ax = plot.compare_models(outs, economy="USA", column="welfare_gain")
    heights = [p.get_height() for p in ax.patches]
    assert heights[0] != heights[0] and heights[1] == heights[1]
    ax = plot.compare_models(outs, economy="USA", column="real_income_change_pct")
    assert ax.get_ylabel().endswith("(%)")
    with pytest.raises(KeyError, match="JPN"):
        plot.compare_models(outs, economy="JPN")


def test_ge_on_the_story_flags_measures_aimed_at_every_partner(
    schedule: tw.Schedule, trade: tw.TradeMatrix
) -> None:
    sc = tw.Scenario("x", trade=trade, schedule=schedule, base_year=2017, date="2019-09-01")
    _, w = caught(lambda: tw.GeModel().run(sc))
    msgs = [str(x.message) for x in w if issubclass(x.category, tw.exceptions.OutsideDataWarning)]
    assert any("US232-STEEL" in m and "aimed at aggregates" in m for m in msgs), msgs
