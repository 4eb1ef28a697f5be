"""GSIM from Python: both forms (GsimModel(form="levels" | "linear")), world-price changes in the outcomes, and
worlds of regions where an aggregate trades with itself (GsimWorld, GsimModel.run_world).

The reference is the documentation's four-region example (DESIGN.md section 4.3: regions US, JP, EU, RW; US-EU
free trade) solved independently of the library by crates/tradewar-models/tests/reference/gsim_four_region.py
(standard-library Python: the percentage-change form from Francois & Hall's own- and cross-price elasticities in
exact rational arithmetic, the levels form by Newton in levels at 50 digits). Its output, pasted below (order US,
JP, EU, RW; price changes proportional, money in the units of the trade matrix).
"""

from __future__ import annotations

import math
import pickle
import warnings
from typing import Any

import pytest

import tradewar as tw

REGIONS = ["US", "JP", "EU", "RW"]
TRADE = [
    [0.0, 50.0, 200.0, 300.0],
    [500.0, 0.0, 150.0, 200.0],
    [300.0, 100.0, 200.0, 200.0],
    [50.0, 100.0, 110.0, 20.0],
]
FACTORS = [
    [1.00, 1.21, 1.41, 1.22],
    [1.37, 1.00, 1.31, 1.23],
    [1.32, 1.36, 1.00, 1.18],
    [1.57, 1.41, 1.25, 1.15],
]
FTA = {("US", "EU"): 1.0, ("EU", "US"): 1.0}

# python3 crates/tradewar-models/tests/reference/gsim_four_region.py
REFERENCE: dict[str, dict[str, Any]] = {
    "linear": {
        "world_price": [7.91813134278983e-02, -3.16209420791232e-02, 4.80492966230242e-02, -1.83717098509743e-02],
        "import_price": [-8.63087564336208e-02, 2.58807784122422e-02, -7.20596023428732e-02, 3.68756528583327e-02],
        "cs": [1.05473346251245e+02, -8.59347367770178e+00, 6.14488545195892e+01, -3.13784450165344e+01],
        "ps": [4.61359655487630e+01, -2.62403747312980e+01, 3.98246782419998e+01, -5.07319961647465e+00],
        "revenue": [-1.38517242428568e+02, 6.21920603162703e-01, -9.38391858901217e+01, -2.86991437299309e+00],
        "welfare": [1.30920693714399e+01, -3.42119278058371e+01, 7.43434687146721e+00, -3.93215590060022e+01],
        "trade_after": [
            [0.0, 3.78332020477773e+01, 3.85865732029337e+02, 2.40347858213084e+02],
            [4.04030438752983e+02, 0.0, 1.28970834234089e+02, 2.51079077166704e+02],
            [5.18223766422318e+02, 8.97975382519342e+01, 1.02610316132826e+02, 1.88237454326131e+02],
            [3.77043776014533e+01, 1.16706913176666e+02, 8.87194219892426e+01, 2.41508486205522e+01],
        ],
    },
    "levels": {
        "world_price": [1.26459928343574e-01, -3.22904069743970e-02, 7.93293139236725e-02, -1.73263987351665e-02],
        "import_price": [-9.79398157952516e-02, 3.95487283980087e-02, -9.40102454119685e-02, 5.37647940755820e-02],
        "cs": [1.21067512673361e+02, -1.30272500086988e+01, 8.15638936794869e+01, -4.53163386555009e+01],
        "ps": [7.62866261683928e+01, -2.67857353916636e+01, 6.72887745774356e+01, -4.78853123359332e+00],
        "revenue": [-1.45408657997707e+02, 1.57490220891284e+00, -9.90167038847535e+01, -1.08042120571870e+00],
        "welfare": [5.19454808440467e+01, -3.82380831914496e+01, 4.98359643721690e+01, -5.11852910948130e+01],
        "trade_after": [
            [0.0, 3.59149452688873e+01, 4.78051730521771e+02, 2.26749889630324e+02],
            [3.87367335938916e+02, 0.0, 1.18119989090336e+02, 2.77548336491589e+02],
            [6.01877625306265e+02, 8.52221141152763e+01, 1.01771559703549e+02, 1.79350637318499e+02],
            [3.64305749208667e+01, 1.24031225904749e+02, 8.14643979889694e+01, 2.61024731014316e+01],
        ],
    },
}


@pytest.fixture(scope="module")
def world() -> tw.GsimWorld:
    return tw.GsimWorld(REGIONS, TRADE, FACTORS)


def close(got: float, want: float, rel: float) -> None:
    assert abs(got - want) <= rel * max(abs(want), 1.0), (got, want)


@pytest.mark.parametrize("form", ["levels", "linear"])
def test_the_four_region_example_in_both_forms(world: tw.GsimWorld, form: str) -> None:
    res = tw.GsimModel(form=form).run_world(world, FTA)
    want = REFERENCE[form]
    assert res.form == form and res.regions == REGIONS and res.negative_flows == []
    iterations, residual = res.convergence
    assert residual <= 1e-12 and iterations <= (1 if form == "linear" else 10)
    r = res.by_region.to_dict()
    assert r["region"] == REGIONS
    for i in range(4):
        close(r["world_price_change_pct"][i], 100 * want["world_price"][i], 1e-10)
        close(r["import_price_change_pct"][i], 100 * want["import_price"][i], 1e-10)
        close(r["consumer_surplus_change"][i], want["cs"][i], 1e-10)
        close(r["producer_surplus_change"][i], want["ps"][i], 1e-10)
        close(r["tariff_revenue_change"][i], want["revenue"][i], 1e-10)
        close(r["welfare_gain"][i], want["welfare"][i], 1e-10)
        assert r["welfare_gain"][i] == pytest.approx(
            r["consumer_surplus_change"][i] + r["producer_surplus_change"][i] + r["tariff_revenue_change"][i]
        )
        close(r["exports_after"][i], sum(want["trade_after"][i]), 1e-10)
        close(r["imports_before"][i], sum(row[i] for row in TRADE), 1e-15)
    p = res.by_pair.to_dict()
    assert len(p["exporter"]) == 16
    for k, (e, i) in enumerate(zip(p["exporter"], p["importer"])):
        a, b = REGIONS.index(e), REGIONS.index(i)
        close(p["trade_after"][k], want["trade_after"][a][b], 1e-10)
        assert p["trade_before"][k] == TRADE[a][b] and p["tariff_factor_before"][k] == FACTORS[a][b]
        assert p["tariff_factor_after"][k] == (1.0 if (e, i) in FTA else FACTORS[a][b])
        if TRADE[a][b] == 0:
            assert math.isnan(p["trade_change_pct"][k])
    # intra-EU trade is one of the EU's sources: it loses to US goods
    eu_eu = p["exporter"].index("EU") + 2
    assert (p["exporter"][eu_eu], p["importer"][eu_eu]) == ("EU", "EU") and p["trade_after"][eu_eu] < 200.0


def test_the_forms_differ_on_a_large_shock_and_agree_on_a_small_one(world: tw.GsimWorld) -> None:
    prices = {f: tw.GsimModel(form=f).run_world(world, FTA).by_region.column("world_price_change_pct") for f in
              ("levels", "linear")}
    assert prices["levels"][0] - prices["linear"][0] > 4.0  # US: +12.6 % against +7.9 %
    small = {f: tw.GsimModel(form=f).run_world(world, {("US", "EU"): 1.40}).by_region.column(
        "world_price_change_pct") for f in ("levels", "linear")}
    for a, b in zip(small["linear"], small["levels"]):
        assert abs(a - b) <= 0.02 * abs(b)


def test_worlds_from_lists_arrays_and_tables_are_one_world(world: tw.GsimWorld) -> None:
    np = pytest.importorskip("numpy")
    flat = [x for row in TRADE for x in row]
    assert tw.GsimWorld([r.lower() for r in REGIONS], np.array(TRADE), tuple(map(tuple, FACTORS))) == world
    assert tw.GsimWorld(REGIONS, flat, [x for row in FACTORS for x in row]) == world
    assert world.regions == REGIONS and world.trade == TRADE and world.tariff_factors == FACTORS
    assert len(world) == 4 and "eu" in world and "CHN" not in world and 5 not in world
    # the long form: one row per pair, the diagonal included (EU->EU: trade within the EU at factor 1.00)
    long = world.flows().to_dict()
    assert ("EU", "EU", 200.0, 1.0) in zip(long["exporter"], long["importer"], long["trade"], long["tariff_factor"])
    sorted_regions = sorted(REGIONS)
    by_table = tw.GsimWorld.from_table(long)
    assert by_table.regions == sorted_regions
    order = [REGIONS.index(r) for r in sorted_regions]
    assert by_table.trade == [[TRADE[a][b] for b in order] for a in order]
    pd = pytest.importorskip("pandas")
    df = world.flows().to_pandas()
    df = df[df["trade"] > 0]  # pairs without a row have no trade
    renamed = df.rename(columns={"trade": "value", "tariff_factor": "t"})
    assert tw.GsimWorld.from_table(renamed, trade="value", tariff_factor="t").trade == by_table.trade
    # and the same results either way, with the shock as a dict or a full matrix
    model = tw.GsimModel()
    after = [row[:] for row in FACTORS]
    after[0][2] = after[2][0] = 1.0
    a = model.run_world(world, FTA)
    assert a == model.run_world(world, after)
    b = model.run_world(by_table, FTA).by_region.to_pandas().set_index("region").loc[REGIONS]
    assert list(b["welfare_gain"]) == pytest.approx(a.by_region.column("welfare_gain"), rel=1e-12)
    assert isinstance(pd.DataFrame(a.by_pair.to_dict()), pd.DataFrame)


def test_pickling_and_repr_round_trips(world: tw.GsimWorld) -> None:
    ns = {name: getattr(tw, name) for name in tw.__all__}
    model = tw.GsimModel(form="linear", import_demand=-1.5)
    assert model.form == "linear" and tw.GsimModel().form == "levels"
    res = model.run_world(world, FTA)
    for x in (world, model, res):
        assert pickle.loads(pickle.dumps(x)) == x
        assert eval(repr(x), ns) == x  # noqa: S307 - reprs of tradewar values are constructor calls
    assert repr(tw.GsimModel()) == "GsimModel(import_demand=-1.25, substitution=5.0, export_supply=1.5, level='chapter')"
    assert "form='linear'" in repr(model) and model != tw.GsimModel(import_demand=-1.5)
    back = tw.GsimResults.from_json(res.to_json())
    assert back.world == world and back.tariff_factors[0][2] == 1.0 and back.form == "linear"


def test_the_linear_form_flags_flows_below_zero(world: tw.GsimWorld) -> None:
    shock = {("RW", "JP"): 4.23}  # JP triples its tariff on RW (factor 1.41 -> 4.23)
    with pytest.warns(tw.ApproximationWarning, match="RW->JP"):
        lin = tw.GsimModel(form="linear").run_world(world, shock)
    assert lin.negative_flows == [("RW", "JP")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lev = tw.GsimModel().run_world(world, shock)
    assert lev.negative_flows == [] and min(lev.by_pair.column("trade_after")) >= 0.0


def test_bad_worlds_and_shocks_are_typed_errors(world: tw.GsimWorld) -> None:
    cases: list[tuple[Any, type[BaseException], str]] = [
        (lambda: tw.GsimModel(form="cubic"), tw.ValidationError, "form: expected \"levels\""),
        (lambda: tw.GsimModel(form=1), tw.exceptions.ArgumentTypeError, "form: expected a str"),
        (lambda: tw.GsimWorld(["US", "us"], [[0, 1], [1, 0]], [[1, 1], [1, 1]]), tw.ValidationError, "twice"),
        (lambda: tw.GsimWorld(["US", "U S"], [[0, 1], [1, 0]], [[1, 1], [1, 1]]), tw.ValidationError, "U S"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, -1], [1, 0]], [[1, 1], [1, 1]]), tw.ValidationError, "US→EU"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, 1], [1, 0]], [[1, 0], [1, 1]]), tw.ValidationError, "power factor 0"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, 1]], [[1, 1], [1, 1]]), tw.ValidationError, "expected 2 rows"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, 1], [1]], [[1, 1], [1, 1]]), tw.ValidationError, "trade[1] (EU)"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, "1"], [1, 0]], [[1, 1], [1, 1]]), TypeError, "trade[0][1] (US->EU)"),
        (lambda: tw.GsimWorld(["US", "EU"], [[0, math.nan], [1, 0]], [[1, 1], [1, 1]]), tw.ValidationError, "NaN"),
        (lambda: tw.GsimWorld([], [], []), tw.ValidationError, "at least one region"),
        (lambda: tw.GsimWorld("USEU", [], []), TypeError, "regions: expected a sequence"),
        (lambda: tw.GsimModel().run_world(world, {("US", "CHN"): 1.0}), tw.ValidationError, "CHN"),
        (lambda: tw.GsimModel().run_world(world, {"US": 1.0}), TypeError, "(exporter, importer) pairs"),
        (lambda: tw.GsimModel().run_world(world, {("US", "EU"): -1.0}), tw.ValidationError, "power factor -1"),
        (lambda: tw.GsimModel().run_world(world, {("US", "EU"): 1.0, ("us", "eu"): 1.1}), tw.ValidationError, "twice"),
        (lambda: tw.GsimModel().run_world(world, [[1.0] * 3] * 3), tw.ValidationError, "expected 4 rows"),
        (lambda: tw.GsimModel().run_world("world", FTA), TypeError, "world: expected a GsimWorld"),
        (lambda: tw.GsimModel(import_demand=0.5).run_world(world, FTA), tw.exceptions.ModelInputError, "E_m = 0.5"),
        (
            lambda: tw.GsimWorld.from_table({"exporter": ["US", "US"], "importer": ["EU", "EU"], "trade": [1.0, 2.0],
                                             "tariff_factor": [1.0, 1.0]}),
            tw.ValidationError,
            "rows 0 and 1",
        ),
        (lambda: tw.GsimWorld.from_table({"exporter": ["US"], "importer": ["EU"], "trade": [1.0]}), tw.ValidationError,
         "tariff_factor"),
        (lambda: tw.GsimResults.from_json('{"regions": []}'), tw.ValidationError, "GSIM results"),
    ]
    for f, kind, message in cases:
        with pytest.raises(kind) as e:
            f()
        assert isinstance(e.value, tw.TradewarError), e.value
        assert message in str(e.value), (message, str(e.value))


def test_bilateral_policy_data_keep_refusing_self_pairs_while_worlds_accept_them() -> None:
    # A TradeMatrix (policy data) refuses the EU trading with itself ...
    with pytest.raises(tw.ValidationError, match="both EU27"):
        tw.TradeMatrix(exporter=["EU27"], importer=["EU27"], product=["9403.10"], year=[2017], value_usd=["1"])
    # ... the models' worlds hold it: GSIM (above) and the structural gravity GE.
    ge_world = tw.GeWorld(["EU", "US"], [[800.0, 60.0], [40.0, 900.0]])
    assert ge_world.flow("EU", "EU") == 800.0
    shock = tw.GeShock(ge_world).with_cost_change("US", "EU", 0.9)
    res = tw.GeModel(sigma=5.0, reference="US", world=ge_world).counterfactual(shock)
    pairs = res.full_pairs.to_dict()
    assert len(pairs[next(iter(pairs))]) == 4


def test_scenario_outcomes_carry_world_prices_in_both_forms(scenario: tw.Scenario) -> None:
    s = tw.Scenario("first list", trade=scenario.trade, schedule=scenario.schedule, base_year=2017,
                    date="2018-09-01", commitment_year=2099)
    lev = tw.GsimModel(level="chapter").run(s)
    lin = tw.GsimModel(level="chapter", form="linear").run(s)
    assert any("form: levels" in n for n in lev.notes) and any("form: percentage change" in n for n in lin.notes)
    for o in (lev, lin):
        p = o.prices().to_dict()
        assert o.prices().columns == ["product", "economy", "world_price_change_pct", "import_price_change_pct"]
        assert len(p["product"]) > 0 and set(p["economy"]) == {"CHN", "USA"}
        # China's exporters bear part of the US tariffs on its goods: lower world prices where they changed
        rows = [k for k, e in enumerate(p["economy"]) if e == "CHN" and p["world_price_change_pct"][k] != 0]
        assert rows and all(p["world_price_change_pct"][k] < 0 for k in rows if p["product"][k] == "94")
        back = tw.Outcome.from_json(o.to_json())
        assert back == o and back.prices().to_dict()["product"] == p["product"]
        assert pickle.loads(pickle.dumps(o)) == o
    assert len(tw.AccountingModel().run(s).prices()) == 0
