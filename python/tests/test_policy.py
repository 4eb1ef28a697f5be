"""Policy objects built in Python: scopes, every measure kind, rate changes,
stacking rules, one-date schedules, the 2025 stack and replays.

Expected values are worked out by hand in the comments, or taken from the
embedded data and the Rust tests (tests/tariff_stack_2025.rs)."""

from __future__ import annotations

import datetime
import pickle
from decimal import Decimal
from typing import Any

import pytest

import tradewar as tw
from tradewar import exceptions as ex

NS = {name: getattr(tw, name) for name in tw.__all__}


def round_trips(x: Any) -> None:
    assert eval(repr(x), NS) == x
    assert pickle.loads(pickle.dumps(x)) == x


# ---- ProductScope ----------------------------------------------------------


def test_scope_membership_at_mixed_levels() -> None:
    s = tw.ProductScope(["12", tw.HsCode("8542.31.00")], exclude=["1201.90"])
    assert "1207.40" in s  # under chapter 12
    assert "1201.90.00" not in s  # under the exclusion
    assert tw.HsCode("8542.31.0001") in s  # a 10-digit line below a listed 8-digit one
    assert "8542.32.00" not in s
    assert s.codes == [tw.HsCode("12"), tw.HsCode("8542.31.00")]
    assert s.excluded == [tw.HsCode("1201.90")]
    assert not s.is_all
    # The exclusion that keeps a line out, and None when that is not the reason.
    assert s.exempting("1201.90.10") == tw.HsCode("1201.90")
    assert s.exempting("0301") is None
    assert s.exempting("1207.40") is None
    round_trips(s)


def test_scope_overlap_of_coarser_codes() -> None:
    s = tw.ProductScope(["8471.30.01", "8471.41.01", "0201"])
    # Two HTS8 lines below the subheading and the heading: partial.
    assert s.overlap("8471.30") == "partial"
    assert s.overlap("8471") == "partial"
    # Below a listed heading: full; elsewhere: none.
    assert s.overlap("0201.10") == "full"
    assert s.overlap("0202") == "none"
    assert s.included_below("8471") == [tw.HsCode("8471.30.01"), tw.HsCode("8471.41.01")]
    s2 = s.excluding(["0201.10.10"])
    assert s2.overlap("0201.10") == "partial"  # an exclusion strictly below
    assert s2.overlap("0201.10.10") == "none"
    assert s2.overlap("0201.20") == "full"
    assert s2 != s and s2 == tw.ProductScope(["0201", "8471.30.01", "8471.41.01"], exclude=["0201.10.10"])


def test_scope_all_union_and_hash() -> None:
    a = tw.ProductScope.all(exclude=["0901.11"])
    assert a.is_all and a.codes == []
    assert "8703.23.01" in a and "0901.11.0025" not in a
    assert a.overlap("0901") == "partial"
    round_trips(a)
    round_trips(tw.ProductScope.all())
    u = tw.ProductScope(["01"]).union(tw.ProductScope(["02"], exclude=["0201"]))
    assert u == tw.ProductScope(["01", "02"], exclude=["0201"])
    # Order and duplicates of the input do not matter; equal scopes hash alike.
    assert len({tw.ProductScope(["02", "01", "01"]), tw.ProductScope(["01", "02"])}) == 1
    assert tw.ProductScope.from_json(u.to_json()) == u


def test_scope_errors_name_the_value() -> None:
    with pytest.raises(ex.InvalidCodeError, match="12x"):
        tw.ProductScope(["01", "12x"])
    with pytest.raises(ex.ValidationError, match="exclude"):
        tw.ProductScope(["01"], exclude="0101")  # a single string is not a list of codes
    with pytest.raises(ex.ValidationError, match="ProductScope.all"):
        tw.ProductScope(None)  # type: ignore[arg-type]
    with pytest.raises(ex.InvalidCodeError):
        tw.ProductScope(["01"]).overlap("1")


def test_measures_take_a_scope_object_or_a_list() -> None:
    scope = tw.ProductScope(["94"], exclude=["9403.10"])
    a = tw.Measure.tariff("X", "x", imposer="USA", target="CHN", rate="10", start="2020-01-01", scope=scope)
    b = tw.Measure.tariff(
        "X", "x", imposer="USA", target="CHN", rate="10", start="2020-01-01", scope=["94"], exclude=["9403.10"]
    )
    assert a == b and a.product_scope == scope
    assert a.scope == [tw.HsCode("94")] and a.excluded == [tw.HsCode("9403.10")]
    # exclude= adds to a ProductScope's own exclusions.
    c = tw.Measure.tariff(
        "X", "x", imposer="USA", target="CHN", rate="10", start="2020-01-01", scope=scope, exclude=["9401"]
    )
    assert c.product_scope == tw.ProductScope(["94"], exclude=["9401", "9403.10"])
    assert tw.Measure.tariff("X", "x", imposer="USA", target="CHN", rate="10", start="2020-01-01").product_scope == (
        tw.ProductScope.all()
    )


# ---- ZTE: an export ban on one entity, lifted on conditions ------------------


def zte_ban() -> tw.Measure:
    return tw.Measure.export_ban(
        "BIS-ZTE",
        "BIS denial order on ZTE",
        imposer="USA",
        target="CHN",
        entity=tw.Entity("ZTE Corporation", "CHN"),
        start="2018-04-15",
        end="2025-03-13",  # the seven-year denial order, as embedded
    )


def test_zte_export_ban_matches_the_embedded_one() -> None:
    m = zte_ban()
    assert m.kind == "export_ban" and m.legal_basis == "export_control"
    assert m.entity == tw.Entity("ZTE Corporation", "CHN")
    assert m.entity.economy == tw.Economy.CHN and m.entity.buys is None
    assert m.window == tw.DateWindow("2018-04-15", "2025-03-13")
    assert m.product_scope.is_all
    embedded = tw.datasets.us_china_2018_timeline()
    assert m == embedded.measure("BIS-ZTE")
    round_trips(m)
    # Lifted on 2018-07-13 after a $1B penalty and $400M in escrow.
    note = "ZTE paid a $1B penalty and put $400M in escrow"
    lift = tw.Event.lift("2018-07-13", "BIS-ZTE", penalty=tw.Money("1000000000"), escrow="400000000", note=note)
    assert lift.conditions == ["penalty of 1000000000 USD", "escrow of 400000000 USD"]
    assert lift in embedded.events
    round_trips(lift)


@pytest.mark.filterwarnings("ignore::tradewar.exceptions.IncompleteRateWarning")  # no MFN table: base rate unknown
def test_zte_ban_in_a_timeline() -> None:
    tl = tw.Timeline(
        "ZTE",
        [
            tw.Event.impose("2018-04-15", zte_ban()),
            tw.Event.lift("2018-07-13", "BIS-ZTE", penalty="1000000000", conditions=["replace the board"]),
        ],
    )
    assert [m.id for m in tl.in_force("2018-05-01")] == ["BIS-ZTE"]
    assert tl.in_force("2018-07-13") == []
    assert tl.state_at("2018-08-01").to_dict()["status"] == ["lifted"]
    # A denial order names a firm, not a line: it stops no customs line.
    s = tw.Schedule(tl)
    assert s.query("CHN", "USA", "8542.31.00", "2018-05-01").blocked_by == []
    with pytest.raises(ex.ValidationError, match="negative"):
        tw.Event.lift("2018-07-13", "BIS-ZTE", escrow="-1")


def test_an_entity_of_another_economy_is_refused() -> None:
    with pytest.raises(ex.ValidationError, match="ZTE Corporation belongs to CHN, not to the target RUS"):
        tw.Measure.export_ban(
            "B", "b", imposer="USA", target="RUS", entity=tw.Entity("ZTE Corporation", "CHN"), start="2018-04-15"
        )
    with pytest.raises(ex.ValidationError, match="name must not be empty"):
        tw.Entity("  ", "CHN")


@pytest.mark.filterwarnings("ignore::tradewar.exceptions.IncompleteRateWarning")  # no MFN table: base rate unknown
def test_economy_wide_bans_stop_the_line() -> None:
    exp = tw.Measure.export_ban(
        "XB", "chips to China", imposer="USA", target="CHN", scope=["8542"], start="2022-10-07"
    )
    imp = tw.Measure.import_ban("IB", "no pork", imposer="CHN", target="USA", scope=["0203"], start="2022-01-01")
    assert imp.legal_basis == "other"
    s = tw.Schedule(tw.Timeline("bans", [tw.Event.impose("2022-01-01", imp), tw.Event.impose("2022-10-07", exp)]))
    at = s.at("2023-01-01")
    # US exports of chips to China are stopped by the US export ban ...
    chips = at.stack("CHN", "USA", "8542.31.00")
    assert chips.blocked_by == ["XB"] and chips.total is None
    # ... and Chinese imports of US pork by China's import ban; other lines are free.
    assert at.stack("CHN", "USA", "0203.12").blocked_by == ["IB"]
    assert at.total("CHN", "USA", "0101.21") == tw.Percent("0")
    assert s.query("CHN", "USA", "8542.31.00", "2022-10-06").blocked_by == []


# ---- the other kinds ---------------------------------------------------------


def test_every_kind_round_trips_with_its_fields() -> None:
    excl = tw.Measure.tariff_exclusion(
        "EX1", "furniture exclusion", tariff="L3", imposer="USA", target="CHN", scope=["9403.10.00"],
        start="2019-06-01", end="2020-06-01",
    )
    assert excl.kind == "tariff_exclusion" and excl.tariff_id == "L3"
    mfn = tw.Measure.mfn_change(
        "CN-MFN", "China MFN cut on pharmaceuticals", imposer="CHN", rates={"3004.10": "0", "3004.20": 0},
        start="2018-05-01",
    )
    # An MFN change applies to every partner; with per-product rates its scope is the listed codes.
    assert mfn.target == tw.Economy.WLD and mfn.legal_basis == "mfn"
    assert mfn.product_scope == tw.ProductScope(["3004.10", "3004.20"])
    assert mfn.rates == {tw.HsCode("3004.10"): tw.Percent("0"), tw.HsCode("3004.20"): tw.Percent("0")}
    assert mfn.rate is None
    uniform = tw.Measure.mfn_change("CN-MFN2", "cut", imposer="CHN", rate="5", scope=["87"], start="2018-07-01")
    assert uniform.rate == tw.Percent("5") and uniform.rates is None
    hard = tw.Measure.quota(
        "Q1", "steel quota", imposer="USA", target="KOR", annual_value="1000000", start="2018-05-01"
    )
    assert hard.kind == "quota" and hard.annual_value == tw.Money("1000000") and hard.out_of_quota is None
    soft = tw.Measure.quota(
        "Q2", "TRQ", imposer="USA", target="KOR", annual_value=tw.Money("5"), out_of_quota="30", start="2018-05-01"
    )
    assert soft.out_of_quota == tw.Percent("30")
    assert tw.Measure.quota(
        "Q3", "q", imposer="USA", target="KOR", annual_value=1, out_of_quota="prohibitive", start="2018-05-01"
    ) == tw.Measure.quota("Q3", "q", imposer="USA", target="KOR", annual_value=1, start="2018-05-01")
    sub = tw.Measure.subsidy(
        "S1", "export subsidy", imposer="CHN", target="USA", rate="12.5", export_only=True, start="2019-01-01"
    )
    assert sub.rate == tw.Percent("12.5") and sub.export_only is True and hard.export_only is None
    ban = zte_ban()
    for m in [excl, mfn, uniform, hard, soft, sub, ban]:
        round_trips(m)
        assert tw.Measure.from_json(m.to_json()) == m
    assert {m.kind for m in [excl, mfn, hard, sub, ban]} == {
        "tariff_exclusion", "mfn_change", "quota", "subsidy", "export_ban"
    }


def test_kind_specific_errors() -> None:
    with pytest.raises(ex.ValidationError, match="exactly one of rate= and rates="):
        tw.Measure.mfn_change("M", "m", imposer="CHN", start="2018-05-01")
    with pytest.raises(ex.ValidationError, match="quota value -1 USD is negative"):
        tw.Measure.quota("Q", "q", imposer="USA", target="KOR", annual_value="-1", start="2018-05-01")
    with pytest.raises(ex.InvalidAmountError):
        tw.Measure.quota("Q", "q", imposer="USA", target="KOR", annual_value=1, out_of_quota="-5", start="2018-05-01")
    with pytest.raises(ex.ValidationError, match="floats are not exact"):
        tw.Measure.subsidy(
            "S", "s", imposer="CHN", target="USA", rate=0.1, start="2019-01-01"  # type: ignore[arg-type]
        )
    with pytest.raises(ex.ValidationError, match="scope"):
        tw.Measure.tariff_exclusion(
            "E", "e", tariff="L3", imposer="USA", target="CHN", scope=None, start="2019-06-01"  # type: ignore[arg-type]
        )
    # An exclusion of something that is not a tariff is a timeline error naming both.
    excl = tw.Measure.tariff_exclusion(
        "E", "e", tariff="BIS-ZTE", imposer="USA", target="CHN", scope=["01"], start="2019-06-01"
    )
    with pytest.raises(ex.TimelineError, match="BIS-ZTE is not a tariff"):
        tw.Timeline("t", [tw.Event.impose("2018-04-15", zte_ban()), tw.Event.impose("2019-06-01", excl)])


@pytest.mark.filterwarnings("ignore::tradewar.exceptions.IncompleteRateWarning")  # no MFN table: base rate unknown
def test_an_exclusion_carves_a_line_out_of_a_tariff() -> None:
    t = tw.Measure.tariff("L", "list", imposer="USA", target="CHN", rate="25", scope=["9403"], start="2019-01-01")
    e = tw.Measure.tariff_exclusion(
        "EX", "one line", tariff="L", imposer="USA", target="CHN", scope=["9403.10.00"],
        start="2019-06-01", end="2020-06-01",
    )
    s = tw.Schedule(tw.Timeline("t", [tw.Event.impose("2019-01-01", t), tw.Event.impose("2019-06-01", e)]))
    assert s.query("USA", "CHN", "9403.10.00", "2019-05-31").total == tw.Percent("25")
    st = s.query("USA", "CHN", "9403.10.00", "2019-07-01")
    assert st.total == tw.Percent("0") and "excluded by EX" in st.explain()
    assert s.query("USA", "CHN", "9403.20.00", "2019-07-01").total == tw.Percent("25")
    assert s.query("USA", "CHN", "9403.10.00", "2020-06-01").total == tw.Percent("25")


# ---- rate changes: List 3 from 10% to 25% ----------------------------------------


@pytest.fixture(scope="module")
def list3_schedule(schedule: tw.Schedule) -> tw.Schedule:
    """List 3 built in Python on the embedded list's scope: 10% from 2018-09-24, 25% from 2019-05-10."""
    embedded = schedule.timeline.measure("US301-L3")
    assert embedded is not None
    l3 = tw.Measure.tariff(
        "L3", "Section 301 List 3", imposer="USA", target="CHN", rate="10", start="2018-09-24",
        scope=embedded.product_scope,
    )
    raise_ = tw.Event.change_rates("2019-05-10", "L3", rate="25", note="List 3 raised to 25%")
    assert raise_.action == "change_rates" and raise_.measure_id == "L3"
    round_trips(raise_)
    tl = tw.Timeline("List 3", [tw.Event.impose("2018-09-24", l3), raise_])
    return tw.Schedule(tl, mfn=schedule.mfn_tables)


@pytest.mark.parametrize("line", ["9403.10.00", "8418.10.00", "4202.92.31"])
def test_list3_raise_replayed(list3_schedule: tw.Schedule, schedule: tw.Schedule, line: str) -> None:
    ours = list3_schedule.query("USA", "CHN", line, "2019-06-01")
    theirs = schedule.query("USA", "CHN", line, "2019-06-01")
    assert ours.additional == tw.Percent("25")
    assert ours.additional == theirs.additional and ours.total == theirs.total
    assert list3_schedule.query("USA", "CHN", line, "2019-05-09").additional == tw.Percent("10")
    # The measure in force carries the changed rate.
    [l3] = list3_schedule.at("2019-06-01").in_force()
    assert l3.rate == tw.Percent("25")


@pytest.mark.filterwarnings("ignore::tradewar.exceptions.IncompleteRateWarning")  # no MFN table: base rate unknown
def test_other_rate_changes() -> None:
    by_product = tw.Measure.tariff_by_product(
        "R", "retaliation", imposer="CHN", target="USA", rates={"1201": "25", "8703": "25"}, start="2018-07-06",
        legal_basis="retaliation",
    )
    events = [
        tw.Event.impose("2018-07-06", by_product),
        # Cars cut to 0 from 2019-01-01 (an update of the listed products only) ...
        tw.Event.change_rates("2019-01-01", "R", update={"8703": "0"}),
        # ... then every rate halved.
        tw.Event.change_rates("2020-02-14", "R", scale=Decimal("0.5")),
    ]
    s = tw.Schedule(tw.Timeline("r", events))

    def q(line: str, d: str) -> tw.Percent | None:
        return s.query("CHN", "USA", line, d).additional

    assert q("1201.90", "2018-12-31") == tw.Percent("25") and q("8703.23", "2018-12-31") == tw.Percent("25")
    assert q("1201.90", "2019-06-01") == tw.Percent("25") and q("8703.23", "2019-06-01") == tw.Percent("0")
    assert q("1201.90", "2020-03-01") == tw.Percent("12.5")
    replaced = tw.Timeline("r2", [events[0], tw.Event.change_rates("2019-01-01", "R", rates={"1201": "5"})])
    assert tw.Schedule(replaced).query("CHN", "USA", "8703.23", "2019-06-01").additional == tw.Percent("0")
    for e in events[1:]:
        round_trips(e)


def test_rate_change_errors() -> None:
    with pytest.raises(ex.ValidationError, match="exactly one of rate=, rates=, update= and scale="):
        tw.Event.change_rates("2019-05-10", "L3", rate="25", scale="2")
    with pytest.raises(ex.ValidationError, match="exactly one"):
        tw.Event.change_rates("2019-05-10", "L3")
    t = tw.Measure.tariff("L3", "l3", imposer="USA", target="CHN", rate="10", scope=["94"], start="2018-09-24")
    with pytest.raises(ex.TimelineError, match="scale factor 11 is not between 0 and 10"):
        tw.Timeline("t", [tw.Event.impose("2018-09-24", t), tw.Event.change_rates("2019-05-10", "L3", scale=11)])
    with pytest.raises(ex.TimelineError, match="per-product update needs per-product rates"):
        tw.Timeline(
            "t", [tw.Event.impose("2018-09-24", t), tw.Event.change_rates("2019-05-10", "L3", update={"9403": 25})]
        )
    with pytest.raises(ex.TimelineError, match="2018-01-01"):
        tw.Timeline("t", [tw.Event.impose("2018-09-24", t), tw.Event.change_rates("2018-01-01", "L3", rate=25)])


# ---- stacking, worked out by hand ---------------------------------------------------


def stack_schedule(*measures: tw.Measure) -> tw.Schedule:
    mfn = tw.MfnTable("USA", {"8471.30.01": "0", "8703.23.01": "2.5"})
    return tw.Schedule(tw.Timeline("t", [tw.Event.impose(m.window.start, m) for m in measures]), mfn=[mfn])


def layer(id: str, codes: list[str], rate: str, basis: str, stacking: tw.Stacking | None = None) -> tw.Measure:
    return tw.Measure.tariff(
        id, id, imposer="USA", target="CHN", rate=rate, start="2025-01-01", scope=codes, legal_basis=basis,
        stacking=stacking,
    )


def test_max_in_group_floor_and_value_share_by_hand() -> None:
    s301 = tw.Stacking("max_in_group", group="s301")
    floor = tw.Stacking("floor")
    s = stack_schedule(
        layer("A", ["8703"], "25", "section301", s301),
        layer("B", ["87"], "7.5", "section301", s301),
        layer("F", ["87"], "15", "ieepa", floor),
        layer("P", ["8703"], "10", "section122", tw.Stacking(value_share="40")),
    )
    st = s.query("USA", "CHN", "8703.23.01", "2025-06-01")
    # MFN 2.5
    # + 25    A and B share group s301: only the higher (A, 25) applies
    # + 12.5  the floor F raises base + F to 15: it pays 15 - 2.5
    # + 4     P is 10% on 40% of the value
    # = 44
    assert st.total == tw.Percent("44"), st.explain()
    assert st.base == tw.Percent("2.5") and st.additional == tw.Percent("41.5")
    contributions = {id: c for id, _, _, c in st.layers}
    assert contributions == {"A": tw.Percent("25"), "F": tw.Percent("12.5"), "P": tw.Percent("4")}
    assert "group s301: lower than A" in st.explain()
    # The one-date view prices the same, by the full stack and the total alone.
    at = s.at("2025-06-01")
    assert at.stack("USA", "CHN", "8703.23.01") == st
    assert at.total("USA", "CHN", "8703.23.01") == tw.Percent("44")


def test_floors_do_not_add_and_precedence_switches_layers_off() -> None:
    floor = tw.Stacking("floor")
    s = stack_schedule(layer("F15", ["87"], "15", "ieepa", floor), layer("F10", ["87"], "10", "ieepa", floor))
    st = s.query("USA", "CHN", "8703.23.01", "2025-06-01")
    # Only the highest floor pays its gap: 2.5 + (15 - 2.5) = 15.
    assert st.total == tw.Percent("15")
    assert "floors do not add: lower than F15" in st.explain()
    # A Section 232 layer that switches IEEPA layers off: 2.5 + 25 = 27.5, the IEEPA 15% is off.
    off = tw.Stacking(switches_off=["legal_basis:ieepa"])
    s2 = stack_schedule(layer("X", ["8703"], "25", "section232", off), layer("F", ["87"], "15", "ieepa"))
    st2 = s2.query("USA", "CHN", "8703.23.01", "2025-06-01")
    assert st2.total == tw.Percent("27.5") and "switched off by X" in st2.explain()
    # A derivative on half the value confines a family of layers to the other half:
    # 2.5 + 50% on half (25) + RECIP-1 10% on half (5) + OTHER 10% = 42.5.
    deriv = tw.Stacking(value_share="50", confines=[("id_prefix:RECIP", "50")])
    s3 = stack_schedule(
        layer("D", ["8703"], "50", "section232", deriv),
        layer("RECIP-1", ["87"], "10", "ieepa"),
        layer("OTHER", ["8703"], "10", "ieepa"),
    )
    assert s3.query("USA", "CHN", "8703.23.01", "2025-06-01").total == tw.Percent("42.5")


def test_stacking_values() -> None:
    st = tw.Stacking(
        "max_in_group", group="s301", value_share=tw.Percent("40"), switches_off=["measure:US232-AUTOS"],
        confines={"id_prefix:IEEPA-RECIP": "50"},
    )
    assert st.combine == "max_in_group" and st.group == "s301" and st.value_share == tw.Percent("40")
    assert st.switches_off == ["measure:US232-AUTOS"]
    assert st.confines == [("id_prefix:IEEPA-RECIP", tw.Percent("50"))]
    round_trips(st)
    round_trips(tw.Stacking())
    m = layer("A", ["87"], "25", "section301", st)
    assert m.stacking == st
    assert layer("B", ["87"], "25", "section301").stacking == tw.Stacking()
    assert zte_ban().stacking is None
    round_trips(m)
    # The 2025 stack's layers carry their rules.
    auto = tw.datasets.us_tariffs_2025_timeline().measure("US232-AUTOS")
    assert auto is not None and auto.stacking is not None
    round_trips(auto.stacking)


def test_stacking_errors() -> None:
    with pytest.raises(ex.InvalidCodeError, match="unknown stacking combine \"max\""):
        tw.Stacking("max")  # type: ignore[arg-type]
    with pytest.raises(ex.ValidationError, match="needs group="):
        tw.Stacking("max_in_group")
    with pytest.raises(ex.ValidationError, match="only meaningful"):
        tw.Stacking("floor", group="g")
    with pytest.raises(ex.ValidationError, match="value_share 150% is above 100%"):
        tw.Stacking(value_share="150")
    with pytest.raises(ex.InvalidCodeError, match="layer selector \"ieepa\""):
        tw.Stacking(switches_off=["ieepa"])
    with pytest.raises(ex.InvalidCodeError, match="legal basis"):
        tw.Stacking(switches_off=["legal_basis:tariff"])
    with pytest.raises(ex.ValidationError, match=r"confines\[0\]"):
        tw.Stacking(confines=["id_prefix:X"])  # type: ignore[list-item]
    with pytest.raises(ex.ValidationError, match="stacking: expected a Stacking"):
        layer("A", ["87"], "25", "section301", "floor")  # type: ignore[arg-type]


# ---- Schedule.at ---------------------------------------------------------------


def test_schedule_at_agrees_with_queries(schedule: tw.Schedule) -> None:
    at = schedule.at(datetime.date(2019, 6, 1))
    assert at.date == datetime.date(2019, 6, 1)
    lines = ["9403.10.00", "8517.62.0010", "0201.10.50", "8541.40.60"]
    for line in lines:
        q = schedule.query("USA", "CHN", line, "2019-06-01")
        assert at.stack("USA", "CHN", line) == q == at.query(tw.Economy.USA, "CHN", tw.HsCode(line))
        assert at.total("USA", "CHN", line) == q.total
    # A line that List 3 splits at 10 digits has no single duty: refused, in both forms.
    with pytest.raises(tw.UnanswerableError, match="8517.62.0010"):
        at.total("USA", "CHN", "8517.62.00")
    # China's soybeans: 3% MFN plus 25%.
    assert at.total("CHN", "USA", "1201.90") == tw.Percent("28")
    assert at.base_rate("CHN", "1201.90") == tw.Percent("3")
    # One economy for every row, or a column; the table is the same as Schedule.bulk's.
    bulk = at.bulk("USA", "CHN", lines)
    assert bulk == schedule.bulk(["USA"] * 4, ["CHN"] * 4, lines, ["2019-06-01"] * 4)
    assert at.bulk(["USA"] * 4, tw.Economy.CHN, lines) == bulk
    with pytest.raises(ex.ColumnError, match="exporter has 1 rows, expected 4"):
        at.bulk("USA", ["CHN"], lines)
    assert {m.id for m in at.tariffs_on("USA", "CHN")} >= {"US301-L1", "US301-L2", "US301-L3"}
    assert all(m.imposer == tw.Economy.USA for m in at.tariffs_on("USA", "CHN"))
    # Furniture subheading 9403.10: every US line below it is on List 3.
    r = at.product_rate("USA", "CHN", "9403.10")
    assert (r.line_share, r.base(), r.lines, r.is_uniform) == (tw.Percent("25"), tw.Percent("0"), 1, True)
    at2 = pickle.loads(pickle.dumps(at))
    assert at2.date == at.date and at2.stack("CHN", "USA", "1201.90") == at.stack("CHN", "USA", "1201.90")


def test_schedule_at_repr_evaluates_back() -> None:
    s = stack_schedule(layer("A", ["8703"], "25", "section301"))
    at = s.at("2025-06-01")
    back = eval(repr(at), NS)
    assert isinstance(back, tw.ScheduleAt) and back.date == at.date
    assert back.stack("USA", "CHN", "8703.23.01") == at.stack("USA", "CHN", "8703.23.01")
    assert "1 measures in force" in str(at)


# ---- the 2025-2026 US stack ------------------------------------------------------


@pytest.fixture(scope="module")
def us2025() -> tw.Schedule:
    return tw.datasets.us_tariffs_2025_schedule()


def test_2025_lines_match_the_rust_tests(us2025: tw.Schedule) -> None:
    # Furniture on List 3 from China (tests/tariff_stack_2025.rs, the April 2025 sequence, legal dates).
    furniture = {"2025-01-26": "25", "2025-03-04": "45", "2025-04-10": "170", "2025-05-14": "55", "2026-02-24": "35"}
    for date, total in furniture.items():
        assert us2025.at(date).total("USA", "CHN", "9403.60.8081") == tw.Percent(total), date
    # A German car after the EU deal: a 15% floor over the 2.5% MFN.
    car = us2025.query("USA", "DEU", "8703.23.0190", "2025-10-01")
    assert car.total == tw.Percent("15") and car.layers[0][3] == tw.Percent("12.5")
    assert tw.datasets.us_tariffs_2025_latest_date() == datetime.date(2026, 4, 29)
    events = tw.datasets.us_tariffs_2025_event_dates().to_dict()
    assert events["date"][0] == datetime.date(2025, 2, 4)  # the first legal date (EO 14195)


def test_2025_effective_rate_on_a_user_table() -> None:
    trade = tw.TradeMatrix(
        exporter=["CHN", "CHN"], importer=["USA", "USA"], product=["9403.60", "0901.11"], year=[2021, 2021],
        value_usd=["300", "100"], basis="cif",
    )
    r = tw.datasets.us_effective_rate("2025-10-01", trade=trade, year=2021)
    # Furniture: 0 MFN + 25 + 20 + 10 = 55 on every line; coffee: 0 + 20 + 10 + 7.5 (List 4A) = 37.5.
    # (300 * 55 + 100 * 37.5) / 400 = 50.625, the value of tests/tariff_stack_2025.rs.
    assert r.total == tw.Percent("50.625")
    assert r.products == 2 and r.priced == tw.Money("400") and r.unpriced == tw.Money("0")
    assert r.exporter == tw.Economy.CHN and r.year == 2021 and r.date == datetime.date(2025, 10, 1)
    assert isinstance(r.total.value, Decimal) and r.additional == tw.Percent("50.625")
    round_trips(r)
    assert len({r, pickle.loads(pickle.dumps(r))}) == 1


def test_2025_effective_rate_on_china_moves_with_the_events() -> None:
    def at(d: str) -> Decimal:
        return tw.datasets.us_effective_rate(d).total.value

    before, peak, geneva = at("2025-04-01"), at("2025-04-10"), at("2025-05-14")  # Geneva: EO 14298
    assert peak > before + 50 and geneva < peak - 50 and geneva > before
    with pytest.raises(ex.UnanswerableError, match="JPN to USA trade"):
        tw.datasets.us_effective_rate("2025-04-10", exporter="JPN")


def test_china_effective_rates_on_a_schedule_without_measures(us2025: tw.Schedule) -> None:
    # With the MFN base alone every event date prices at the base rate.
    bare = tw.Schedule(tw.Timeline("none"), mfn=us2025.mfn_tables)
    t = tw.datasets.china_effective_rates(bare).to_dict()
    assert len(t["date"]) == len(tw.datasets.us_tariffs_2025_event_dates())
    assert set(t["total"]) == set(t["base"]) and len(set(t["total"])) == 1
    assert t["year"][0] == 2021 and t["exporter"][0] == "CHN"


# ---- replay -------------------------------------------------------------------------


def test_replay_by_hand() -> None:
    mfn = tw.MfnTable("USA", {"9403.10.00": "0", "8703.23.01": "2.5"})
    l3 = tw.Measure.tariff("L3", "List 3", imposer="USA", target="CHN", rate="10", scope=["9403"], start="2018-09-24")
    raise_ = tw.Event.change_rates("2019-05-10", "L3", rate=25)
    tl = tw.Timeline("List 3 only", [tw.Event.impose("2018-09-24", l3), raise_])
    trade = tw.TradeMatrix(
        exporter=["CHN", "CHN"], importer=["USA", "USA"], product=["9403.10", "8703.23"], year=[2017, 2017],
        value_usd=["300", "100"], basis="cif",
    )
    r = tw.replay(tw.Schedule(tl, mfn=[mfn]), trade, directions=[("USA", "CHN")], weights_year=2017)
    assert r.name == "List 3 only" and r.weights_year == 2017 and r.method == "line_share"
    assert r.dates() == [datetime.date(2018, 9, 24), datetime.date(2019, 5, 10)] and len(r) == 2
    t = r.to_table().to_dict()
    # 2018-09-24: (300 * 10 + 100 * 2.5) / 400 = 8.125; MFN alone 250 / 400 = 0.625; duties $32.50.
    # 2019-05-10: (300 * 25 + 100 * 2.5) / 400 = 19.375; duties $77.50.
    # The averages keep two decimals, rounding half to even.
    assert t["trade_weighted"] == [Decimal("8.12"), Decimal("19.38")]
    assert t["trade_weighted_mfn"] == [Decimal("0.62"), Decimal("0.62")]
    assert t["mechanical_duties"] == [Decimal("32.50"), Decimal("77.50")]
    assert t["mechanical_additional_duties"] == [Decimal("30.00"), Decimal("75.00")]
    assert t["events"][0] == "impose L3 (List 3)" and "change rates of L3" in t["events"][1]
    cov = r.coverage().to_dict()
    assert cov["id"] == ["L3", "L3"] and cov["covered"] == [Decimal("300"), Decimal("300")]
    assert cov["share_pct"] == [Decimal("75"), Decimal("75")]
    round_trips(r)
    assert "Replay: List 3 only" in r._repr_html_() and "19.38" in r._repr_html_()
    assert "2019-05-10" in str(r)
    with pytest.raises(ex.InvalidCodeError, match="coverage method \"lines\""):
        tw.replay(
            tw.Schedule(tl), trade, directions=[("USA", "CHN")], weights_year=2017, method="lines"  # type: ignore[arg-type]
        )
    with pytest.raises(ex.ValidationError, match=r"directions\[0\]"):
        tw.replay(tw.Schedule(tl), trade, directions=["USA"], weights_year=2017)  # type: ignore[list-item]
