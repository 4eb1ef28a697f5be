"""Typed accounting records, file loaders and the GE world, checked against
independent computations in pandas and against the published figures the
Rust tests measure."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_errors import _call, junk

import tradewar as tw

NS: dict[str, Any] = vars(tw)
B = Decimal(10) ** 9


def _round_trips(x: Any) -> None:
    assert eval(repr(x), NS) == x
    assert pickle.loads(pickle.dumps(x)) == x
    assert type(x).from_json(x.to_json()) == x


def _sum(df: Any, exporter: str, importer: str, year: int) -> Decimal:
    rows = df[(df.exporter == exporter) & (df.importer == importer) & (df.year == year)]
    return sum(rows.value_usd, Decimal(0))


def test_balance_is_exports_minus_imports_with_each_basis(trade: tw.TradeMatrix) -> None:
    b = trade.balance("USA", "CHN", 2017)
    assert isinstance(b, tw.Balance)
    df = trade.to_pandas()
    exports, imports = _sum(df, "USA", "CHN", 2017), _sum(df, "CHN", "USA", 2017)
    assert b.exports.amount == exports and b.imports.amount == imports
    assert b.balance.amount == exports - imports
    # The embedded HS6 data: $129.8B FOB - $525.8B CIF = -$396.0B (Census published -$375.2B customs).
    assert round(b.balance.amount / B, 1) == Decimal("-396.0")
    assert (b.export_basis, b.import_basis, b.is_like_for_like) == (["fob"], ["cif"], False)
    assert tw.balance(trade, reporter="USA", partner="CHN", year=2017) == b
    assert b.to_pandas()["balance"].iloc[0] == b.balance.amount
    _round_trips(b)


def test_balance_json_must_add_up() -> None:
    good = tw.datasets.us_china_trade().balance("USA", "CHN", 2017).to_json()
    bad = good.replace('"balance":{"amount":"-', '"balance":{"amount":"-1')
    assert bad != good
    with pytest.raises(tw.ValidationError, match="is not exports"):
        tw.Balance.from_json(bad)


def test_coverage_brackets_the_published_list_values(trade: tw.TradeMatrix, schedule: tw.Schedule) -> None:
    timeline = schedule.timeline
    published = {"US301-L1": 34, "US301-L2": 16, "US301-L3": 200}  # USTR estimates, $B
    for mid, value in published.items():
        measure = timeline.measure(mid)
        assert measure is not None
        cov = {
            m: tw.coverage(schedule, trade, measure, year=2017, date="2019-06-01", method=m)
            for m in ("full_only", "line_share", "any_line")
        }
        low, mid_est, high = (cov[m].covered.amount / B for m in ("full_only", "line_share", "any_line"))
        assert low <= mid_est <= high
        assert low <= value <= high, (mid, low, high)
        c = cov["line_share"]
        assert c.importer == tw.Economy.USA and c.exporter == tw.Economy.CHN and c.method == "line_share"
        assert c.share.value == (c.covered.amount / c.pair_total.amount * 100).quantize(Decimal("0.01"))
        _round_trips(c)
    table = tw.coverage_by_measure(schedule, trade, year=2017, date="2019-06-01").to_dict()
    l1 = tw.coverage(schedule, trade, timeline.measure("US301-L1"), year=2017, date="2019-06-01")  # type: ignore[arg-type]
    row = table["id"].index("US301-L1")
    assert table["covered"][row] == l1.covered.amount
    assert l1.lines_by_digits[8] == 818 == table["lines8"][row]


def test_tariff_averages_match_the_path_and_piie(trade: tw.TradeMatrix, schedule: tw.Schedule) -> None:
    a = tw.tariff_averages(schedule, trade, importer="USA", exporter="CHN", year=2017, date="2019-09-01")
    path = tw.tariff_path(schedule, trade, a="USA", b="CHN", year=2017, dates=["2019-09-01"]).to_dict()
    assert path["importer"][0] == "USA"
    assert path["trade_weighted"][0] == a.trade_weighted.value
    assert path["mechanical_duties"][0] == a.mechanical_duties.amount
    # Measured 17.33% line-share, bracketed 13.47-20.26% (PIIE: 21.0% at this date on HTS10 customs-value
    # weights; ours are HS6 CIF, see the README). It was 16.27% before the HTS10 entries of List 3 and
    # List 4A were priced, and 17.28% (13.46-20.14%) before specific MFN duties counted at their ad valorem
    # equivalents at 2017 unit values (issue 10).
    assert a.trade_weighted.value == Decimal("17.33")
    assert (a.trade_weighted_lowest.value, a.trade_weighted_highest.value) == (Decimal("13.47"), Decimal("20.26"))
    assert a.trade_weighted_mfn.value < a.trade_weighted.value
    assert a.mechanical_additional_duties.amount <= a.mechanical_duties.amount
    assert a.date.isoformat() == "2019-09-01"
    _round_trips(a)


def test_commitment_progress_equals_a_pandas_sum(trade: tw.TradeMatrix) -> None:
    commitments = tw.datasets.phase_one_commitments()
    df = trade.to_pandas()
    us_to_cn = df[(df.exporter == "USA") & (df.importer == "CHN")]
    total_committed = total_actual = Decimal(0)
    for m in commitments:
        rows = tw.commitment_progress(trade, m)
        assert [r.year for r in rows] == [2020, 2021]
        codes = tuple(c.digits_str for c in m.scope)
        excluded = tuple(c.digits_str for c in m.excluded)
        for r in rows:
            in_scope = us_to_cn[
                (us_to_cn.year == r.year)
                & us_to_cn["product"].map(lambda p: p.replace(".", "").startswith(codes))
                & ~us_to_cn["product"].map(lambda p: bool(excluded) and p.replace(".", "").startswith(excluded))
            ]
            assert r.actual.amount == sum(in_scope.value_usd, Decimal(0)), (m.id, r.year)
            if m.id != "P1-SERVICES":  # goods only: services are not in the goods trade
                total_committed += r.committed.amount
                total_actual += r.actual.amount
        _round_trips(rows[0])
    # Phase One goods attainment 2020-21: $201.1B of $318.5B (63.1%).
    assert round(total_actual / B, 1) == Decimal("201.1")
    assert round(total_committed / B, 1) == Decimal("318.5")


def test_target_progress_and_mechanical_closure(trade: tw.TradeMatrix) -> None:
    target = tw.datasets.deficit_target()
    p = tw.target_progress(target, trade, 2019)
    expected = trade.balance("USA", "CHN", 2019).balance.amount - trade.balance("USA", "CHN", 2017).balance.amount
    assert p.closed.amount == expected
    assert p.share.value == (expected / target.reduction.amount * 100).quantize(Decimal("0.1"))
    offer = tw.mechanical_closure(target, [tw.datasets.may_2018_offer()], year=2019, label="May 2018 offer")
    assert offer.closed.amount == 70 * B and offer.share.value == 35
    assert offer.label == "May 2018 offer"
    _round_trips(offer)
    with pytest.raises(tw.ValidationError):
        tw.mechanical_closure(target, ["not a measure"], year=2019)  # type: ignore[list-item]


def test_ge_world_from_a_matrix_a_long_table_and_pandas() -> None:
    sample = tw.GeWorld.sample_2006()
    assert len(sample) == 30 and "USA" in sample and "CHN" in sample
    same = tw.GeWorld(sample.countries, sample.flows)
    assert same == sample
    flat = tw.GeWorld(sample.countries, [x for row in sample.flows for x in row])
    assert flat == sample
    n = len(sample)
    e = [c for c in sample.countries for _ in range(n)]
    i = sample.countries * n
    v = [x for row in sample.flows for x in row]
    assert tw.GeWorld.from_flows(e, i, v) == sample  # the sample's codes are already sorted
    import pandas as pd

    frame = pd.DataFrame({"exporter": e, "importer": i, "value": v})
    assert tw.GeWorld.from_pandas(frame) == sample
    assert sample.flow("USA", "CHN") == sample.flows[sample.countries.index("USA")][sample.countries.index("CHN")]
    assert sample.output[0] == pytest.approx(sum(sample.flows[0]), rel=1e-12)
    small = tw.GeWorld(["CHN", "ROW", "USA"], [[50.0, 20.0, 10.0], [15.0, 300.0, 25.0], [5.0, 30.0, 100.0]])
    assert eval(repr(small), NS) == small
    assert pickle.loads(pickle.dumps(small)) == small


@pytest.mark.parametrize(
    "args",
    [
        (["USA"], [[1.0, 2.0]]),
        (["USA", "CHN"], [[1.0, -2.0], [3.0, 4.0]]),
        (["USA", "CHN"], [[1.0, float("nan")], [3.0, 4.0]]),
        (["USA", "USA"], [[1.0, 2.0], [3.0, 4.0]]),
        (["USA", "CHN"], [[0.0, 0.0], [3.0, 4.0]]),
        (["USA", "CHN"], "flows"),
    ],
)
def test_ge_world_refuses_bad_matrices(args: tuple[Any, Any]) -> None:
    with pytest.raises(tw.TradewarError):
        tw.GeWorld(*args)


def test_ge_model_on_a_custom_world(scenario: tw.Scenario) -> None:
    default = tw.GeModel(sigma=5.0)
    rebuilt = tw.GeModel(sigma=5.0, world=tw.GeWorld(default.world.countries, default.world.flows))
    assert rebuilt.run(scenario).economies() == default.run(scenario).economies()
    small = tw.GeWorld(["CHN", "ROW", "USA"], [[900.0, 250.0, 60.0], [200.0, 5000.0, 300.0], [20.0, 350.0, 1500.0]])
    model = tw.GeModel(sigma=4.0, reference="ROW", world=small, rebate=False)
    assert (model.sigma, model.reference, model.rebate, model.world) == (4.0, "ROW", False, small)
    out = model.run(scenario)
    flows = out.flows().to_dict()
    change: dict[tuple[str, str], Decimal] = {}
    for e, i, b, n in zip(flows["exporter"], flows["importer"], flows["baseline"], flows["new_value"], strict=True):
        change[(e, i)] = change.get((e, i), Decimal(0)) + n - b
    # US tariffs cut China's sales to the US; US sales to China rise with the Phase One purchases.
    assert change[("CHN", "USA")] < 0 < change[("USA", "CHN")]
    assert eval(repr(model), NS).run(scenario) == out
    assert pickle.loads(pickle.dumps(model)).run(scenario) == out
    with pytest.raises(tw.ValidationError, match="not in the GE world"):
        tw.GeModel(reference="DEU", world=small)
    with pytest.raises(tw.exceptions.ModelInputError, match="USA"):
        tw.GeModel(reference="CHN", world=tw.GeWorld(["CHN", "ROW"], [[1.0, 2.0], [3.0, 4.0]])).run(scenario)


def test_read_mfn_csv(tmp_path: Path) -> None:
    p = tmp_path / "mfn.csv"
    p.write_text("hts8,ad_valorem_pct,specific_usd,unit,text\n94031000,0,,,\n01012100,2.5,,,\n")
    t = tw.read_mfn_csv(p, importer="USA")
    assert t.rate("0101.21.00") == tw.Percent("2.5") and len(t) == 2
    p.write_text("hts8,ad_valorem_pct\n94031000,abc\n")
    with pytest.raises(tw.DataError, match="mfn.csv") as err:
        tw.read_mfn_csv(p, importer="USA")
    assert "abc" in str(err.value)
    with pytest.raises(tw.DataError):
        tw.read_mfn_csv(tmp_path / "missing.csv", importer="USA")


def test_read_comtrade_and_sigmas(tmp_path: Path) -> None:
    p = tmp_path / "ct.csv"
    p.write_text(
        "year,reporter,partner,flow,hs_code,primary_value_usd\n"
        "2017,USA,CHN,M,940310,1000.50\n2017,USA,CHN,X,120190,20.25\n2017,USA,CHN,M,TOTAL,9\n"
    )
    m = tw.read_comtrade_csv(p)
    assert m.total("CHN", "USA", 2017) == tw.Money("1000.50")
    assert m.balance("USA", "CHN", 2017).import_basis == ["cif"]
    s = tmp_path / "s.csv"
    s.write_text("hts10,sigma\n9403100000,2.5\n9403100000,9\n")
    with pytest.raises(tw.exceptions.DuplicateRowError, match="line 2 and on line 3"):
        tw.read_sigmas(s)
    assert tw.read_sigmas(s, keep_first=True) == {tw.HsCode("9403100000"): 2.5}
    s.write_text("hts10,sigma\n9403100000,-1\n")
    with pytest.raises(tw.DataError, match="sigma"):
        tw.read_sigmas(s)


def test_scenario_file_round_trip(tmp_path: Path, schedule: tw.Schedule) -> None:
    f = tw.ScenarioFile(
        "2018-2020", timeline=schedule.timeline, mfn=schedule.mfn_tables, target=tw.datasets.deficit_target()
    )
    p = tmp_path / "war.json"
    f.write(p)
    g = tw.ScenarioFile.read(p)
    assert g == f and g.name == "2018-2020" and g.target == tw.datasets.deficit_target()
    q = ("USA", "CHN", "9403.10.00", "2019-06-01")
    assert g.schedule().query(*q) == schedule.query(*q)
    assert pickle.loads(pickle.dumps(g)) == g
    assert eval(repr(g), NS) == g
    p.write_text(p.read_text().replace('"schema_version": 1', '"schema_version": 99'))
    with pytest.raises(tw.DataError, match="99"):
        tw.ScenarioFile.read(p)


JUNK_CALLS = [
    lambda a, b: tw.Duty.specific(a, b),
    lambda a, b: tw.Duty.compound(a, b, a),
    lambda a, b: tw.Duty.ad_valorem(a),
    lambda a, b: tw.Duty.complex(a),
    lambda a, b: tw.Duty.from_json(a),
    lambda a, b: tw.MfnTable("USA", {"01": a}),
    lambda a, b: tw.GeWorld(a, b),
    lambda a, b: tw.GeWorld.from_flows(a, b, a),
    lambda a, b: tw.GeModel(sigma=5.0, reference=a, world=b),
    lambda a, b: tw.Balance.from_json(a),
    lambda a, b: tw.Coverage.from_json(a),
    lambda a, b: tw.TariffAverages.from_json(a),
    lambda a, b: tw.CommitmentProgress.from_json(a),
    lambda a, b: tw.TargetProgress.from_json(a),
    lambda a, b: tw.ScenarioFile.from_json(a),
    lambda a, b: tw.ScenarioFile(a, timeline=b),
    lambda a, b: tw.read_mfn_csv(a, importer=b),
    lambda a, b: tw.read_sigmas(a),
    lambda a, b: tw.read_comtrade_csv(a),
    lambda a, b: tw.balance(tw.datasets.us_china_trade(), reporter=a, partner=b, year=a),
    lambda a, b: tw.target_progress(tw.datasets.deficit_target(), tw.datasets.us_china_trade(), a),
]


@pytest.mark.parametrize("k", range(len(JUNK_CALLS)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=junk, b=junk)
def test_junk_never_panics_here(k: int, a: Any, b: Any) -> None:
    _call(JUNK_CALLS[k], a, b)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=4),
    flows=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=20),
)
def test_junk_worlds_never_panic(n: int, flows: list[float]) -> None:
    codes = ["A", "B", "C", "D"][:n]
    _call(tw.GeWorld, codes, flows)
    _call(tw.GeWorld.from_flows, codes * n, codes * n, flows[: n * n])
