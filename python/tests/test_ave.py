"""Specific duties at their ad valorem equivalents (issue 10, item 8): the 2018 story's schedule prices
specific and compound US MFN duties at the 2017 unit values of the embedded trade, and says so with an
IncompleteRateWarning (an HS6 unit value is an estimate for each line); where no unit value fits, the
specific part stays out of the total, with the same warning class."""

from __future__ import annotations

import pickle
import warnings
from decimal import Decimal

import pytest

import tradewar as tw


def test_a_cents_per_kg_duty_is_priced_at_its_equivalent_and_flagged(schedule: tw.Schedule) -> None:
    # 0703.20.00 Garlic, 0.43 cents/kg. US imports from China in 2017 (Comtrade, US-reported):
    # $130,663,743 CIF for 49,510,120 kg net, $2.6391/kg: 100 x 0.0043 / 2.6391... = 0.1629%.
    with pytest.warns(tw.IncompleteRateWarning, match=r"taken as 0\.1629% ad valorem at the 2017 unit value of 2\.6391 USD/kg"):
        st = schedule.query("USA", "CHN", "0703.20.00", "2017-06-01")
    assert st.total == tw.Percent("0.1629") == st.base
    assert st.additional == tw.Percent("0")
    assert any("taken as 0.1629%" in c for c in st.caveats)
    assert "-> 0.1629%" in st.explain()
    assert tw.DutyStack.from_json(st.to_json()) == st


def test_a_compound_duty_adds_its_ad_valorem_part(schedule: tw.Schedule) -> None:
    # 9608.10.00 Ball point pens, 0.8 cents each + 5.4%: 1,809,771,047 pens worth $260,741,196 in 2017.
    with pytest.warns(tw.IncompleteRateWarning, match=r"specific part of USA MFN on 9608\.10\.00 \(5\.4% \+ 0\.008 USD/each\)"):
        st = schedule.query("USA", "CHN", "9608.10.00", "2019-06-01")
    assert st.base == st.total == tw.Percent("10.9527")  # 5.4% + 5.5527%


def test_tariffs_stack_on_a_base_with_its_equivalent(schedule: tw.Schedule) -> None:
    # 0405.10.05 Butter, 12.3 cents/kg: 14,456 kg net worth $97,239 in 2017 (1.8286%), and List 3's 25% on top.
    with pytest.warns(tw.IncompleteRateWarning, match=r"taken as 1\.8286% ad valorem"):
        st = schedule.query("USA", "CHN", "0405.10.05", "2019-06-01")
    assert (st.base, st.additional, st.total) == (tw.Percent("1.8286"), tw.Percent("25"), tw.Percent("26.8286"))
    assert [layer[3] for layer in st.layers] == [tw.Percent("25")]


def test_where_no_unit_value_fits_the_specific_part_is_left_out(schedule: tw.Schedule) -> None:
    # Mushrooms pay 6 cents/kg on drained weight + 8.5%: the flow's net weight is not a drained weight.
    with pytest.warns(tw.IncompleteRateWarning, match="left out of the ad valorem total"):
        st = schedule.query("USA", "CHN", "2003.10.01", "2017-06-01")
    assert st.total == tw.Percent("8.5")
    # The unit values are those of China's exports: garlic from Japan has none.
    with pytest.warns(tw.IncompleteRateWarning, match="left out"):
        assert schedule.query("USA", "JPN", "0703.20.00", "2017-06-01").total == tw.Percent("0")


def test_product_rates_and_averages_count_lines_priced_by_equivalent(
    schedule: tw.Schedule, trade: tw.TradeMatrix
) -> None:
    # Watch movements 9108.90: ten of the eleven lines pay "$x each" or "x cents each".
    with pytest.warns(tw.IncompleteRateWarning, match="10 specific parts are taken as ad valorem"):
        r = schedule.rate("USA", "CHN", "9108.90", "2017-06-01")
    assert (r.lines, r.lines_by_equivalent, r.lines_with_specific) == (11, 10, 0)
    assert r.lowest == tw.Percent("0") and r.highest == tw.Percent("33.2033")  # $2.16 on $6.5054 each
    # The 2017 baseline, MFN only: 2.55% without equivalents, 2.60% with them (PIIE: 3.1%).
    a = tw.tariff_averages(schedule, trade, importer="USA", exporter="CHN", year=2017, date="2017-06-01")
    assert (a.trade_weighted.value, a.trade_weighted_lowest.value, a.trade_weighted_highest.value) == (
        Decimal("2.60"),
        Decimal("1.30"),
        Decimal("4.19"),
    )
    assert a.lines_by_equivalent == 537


def test_the_equivalents_travel_with_the_schedule(schedule: tw.Schedule) -> None:
    assert schedule.unit_value_year == 2017
    back = pickle.loads(pickle.dumps(schedule))
    assert back == schedule and back.unit_value_year == 2017
    assert tw.Schedule.from_json(schedule.to_json()) == schedule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tw.IncompleteRateWarning)
        assert back.query("USA", "CHN", "0703.20.00", "2017-06-01").total == tw.Percent("0.1629")
    # A schedule built from its parts has no unit values, and the specific part stays out.
    plain = tw.Schedule(schedule.timeline, schedule.mfn_tables, coverage=schedule.coverage)
    assert plain.unit_value_year is None and plain != schedule
    with pytest.warns(tw.IncompleteRateWarning, match="left out"):
        assert plain.query("USA", "CHN", "0703.20.00", "2017-06-01").total == tw.Percent("0")
