"""Caliendo-Parro multi-sector GE from Python: the NAFTA exercise, tables, the trade-war scenarios, Monte Carlo
over theta, errors that name the cell, pickling."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import pytest

import tradewar as tw

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "caliendo-parro-2015"


@pytest.fixture(scope="module")
def world() -> tw.CaliendoParroWorld:
    return tw.CaliendoParroWorld.cp2015()


@pytest.fixture(scope="module")
def nafta(world: tw.CaliendoParroWorld) -> tw.CaliendoParroResults:
    return world.counterfactual(world.nafta_2005_tariffs(), deficits="zero")


def small_world(**change: object) -> tw.CaliendoParroWorld:
    """Two regions, a traded and a non-traded sector; `change` replaces arguments."""
    args: dict[str, object] = dict(
        regions=["Home", "Foreign"],
        sectors=["goods", "services"],
        trade=[[[60.0, 20.0], [15.0, 70.0]], [[50.0, 0.0], [0.0, 55.0]]],
        tariffs=[0.0] * 8,
        intermediate=[20.0, 10.0, 10.0, 10.0, 25.0, 10.0, 10.0, 15.0],
        value_added=[45.0, 30.0, 50.0, 30.0],
        final_demand=[50.0, 30.0, 50.0, 30.0],
        deficits=[5.0, -5.0],
        theta=[4.0, 4.0],
        economies=["USA", "CHN"],
    )
    args.update(change)
    return tw.CaliendoParroWorld.from_accounts(**args)  # type: ignore[arg-type]


def test_nafta_reproduces_the_paper_and_the_package(nafta: tw.CaliendoParroResults) -> None:
    t = nafta.welfare().to_pandas().set_index("region")
    # The paper's abstract: welfare Mexico +1.31 %, USA +0.08 %, Canada -0.06 %.
    assert round(t.loc["Mexico", "welfare_pct"], 2) == 1.31
    assert round(t.loc["USA", "welfare_pct"], 2) == 0.08
    assert round(t.loc["Canada", "welfare_pct"], 2) == -0.06
    # The cp2015 package README, three significant digits.
    assert f"{t.loc['Mexico', 'terms_of_trade_pct']:.3g}" == "-0.412"
    assert f"{t.loc['Mexico', 'volume_of_trade_pct']:.3g}" == "1.72"
    assert f"{t.loc['USA', 'real_wage_pct']:.3g}" == "0.112"
    assert f"{t.loc['Canada', 'real_wage_pct']:.3g}" == "0.323"
    # Intra-NAFTA imports +118 / +11 / +41 %.
    assert round(nafta.imports_change_pct("Mexico", ["Canada", "USA"])) == 118
    assert round(nafta.imports_change_pct("Canada", ["Mexico", "USA"])) == 11
    assert round(nafta.imports_change_pct("USA", ["Mexico", "Canada"])) == 41
    c = nafta.convergence
    assert c["baseline"]["equation_residual"] < 1e-10 and c["counterfactual"]["wage_iterations"] > 0


def test_deficits_held_match_the_package_tests(world: tw.CaliendoParroWorld) -> None:
    r = world.counterfactual(world.nafta_2005_tariffs(), deficits="held")
    t = r.welfare().to_pandas().set_index("region")
    expected = {"Canada": (-0.08, 0.04, -0.04, 0.33), "Mexico": (-0.41, 1.59, 1.17, 1.64), "USA": (0.05, 0.04, 0.08, 0.12)}
    cols = ["terms_of_trade_pct", "volume_of_trade_pct", "welfare_pct", "real_wage_pct"]
    for region, values in expected.items():
        assert tuple(round(t.loc[region, c], 2) for c in cols) == values
    assert r.deficits == "held"


@pytest.mark.skipif(not (SHARED / "DERIVED_welfare_reproduction.csv").exists(), reason="../shared/data is absent")
def test_every_region_of_the_reproduction(world: tw.CaliendoParroWorld) -> None:
    rows = list(csv.DictReader((SHARED / "DERIVED_welfare_reproduction.csv").open()))
    for scenario, deficits in (("zero_aggregate_deficit", "zero"), ("deficits_as_in_data", "held")):
        t = world.counterfactual(world.nafta_2005_tariffs(), deficits=deficits).welfare().to_pandas().set_index("region")
        for row in (r for r in rows if r["scenario"] == scenario):
            for ours, theirs in (("terms_of_trade_pct", "tot"), ("volume_of_trade_pct", "vot"), ("welfare_pct", "welfare"), ("real_wage_pct", "realwage")):
                assert abs(t.loc[row["region"], ours] - float(row[theirs])) < 1e-8, (scenario, row["region"], ours)


def test_tables_add_up(nafta: tw.CaliendoParroResults) -> None:
    welfare = nafta.welfare().to_pandas().set_index("region")
    d = nafta.decomposition().to_pandas()
    assert list(d.columns) == ["region", "partner", "sector", "terms_of_trade_pct", "volume_of_trade_pct"]
    by_region = d.groupby("region")[["terms_of_trade_pct", "volume_of_trade_pct"]].sum()
    assert abs(by_region.loc["Mexico", "terms_of_trade_pct"] - welfare.loc["Mexico", "terms_of_trade_pct"]) < 1e-12
    s = nafta.by_sector().to_pandas()
    assert len(s) == 31 * 40 and {"input_cost_pct", "output_pct"} <= set(s.columns)
    trade = nafta.trade().to_polars()
    assert trade.height == 18_600 - 976 and trade.columns[-1] == "change_pct"  # goods flows between regions
    assert "Mexico" in nafta.summary()


def test_own_tariffs_change_nothing(world: tw.CaliendoParroWorld) -> None:
    r = world.counterfactual(world.tariffs())
    assert max(abs(x) for x in r.welfare().column("welfare_pct")) < 1e-9


def test_a_tariff_table_sets_cells_by_name_or_code(world: tw.CaliendoParroWorld) -> None:
    import pandas as pd

    t = pd.DataFrame({"importer": ["USA"], "exporter": ["CHN"], "sector": ["Textile"], "tariff": [0.25]})
    r = world.counterfactual(t, threads=False)
    assert r.imports_change_pct("USA", ["China"], ["Textile"]) < 0


def test_the_trade_war_scenarios(trade: tw.TradeMatrix, schedule: tw.Schedule) -> None:
    sept = tw.Scenario("Sept 2019", trade=trade, schedule=schedule, base_year=2017, date="2019-09-01")
    m = tw.CaliendoParroModel()
    o = m.run(sept)
    e = o.economies().to_pandas().set_index("economy")
    assert len(e) == 31 and e.loc["CHN", "real_income_change_pct"] < 0
    assert e.loc["JPN", "exports_change"] is None or e.loc["JPN", "exports_change"] != e.loc["JPN", "exports_change"]
    results, shock = m.results(sept)
    s = shock.to_pandas()
    assert set(s.columns) >= {"importer", "exporter", "sector", "change"}
    soy = s[(s.importer == "CHN") & (s.sector == "Agriculture")]
    assert float(soy.change.iloc[0]) > 0.2
    phase_one = tw.Scenario("Phase One", trade=trade, schedule=schedule, base_year=2017, date="2020-02-14")
    with pytest.raises(tw.exceptions.ModelInputError, match="LeaveOut"):
        m.run(phase_one)
    left_out = tw.CaliendoParroModel(commitments="leave_out")
    assert any("left out" in n for n in left_out.run(phase_one).notes)
    assert "CaliendoParroModel(CaliendoParroWorld.cp2015()" in repr(left_out)


def test_theta_monte_carlo(world: tw.CaliendoParroWorld) -> None:
    tariffs = world.nafta_2005_tariffs()
    welfare, theta = world.theta_monte_carlo(tariffs, sd=0.0, draws=3, seed=1, deficits="zero")
    w = welfare.to_pandas()
    mex = w[w.region == "Mexico"].welfare_pct
    assert len(mex) == 3 and all(abs(x - 1.3121136984) < 1e-8 for x in mex)
    a, _ = world.theta_monte_carlo(tariffs, sd=0.2, draws=6, seed=7)
    b, t = world.theta_monte_carlo(tariffs, sd=0.2, draws=6, seed=7)
    assert a == b and len(t) == 6 * 40
    with pytest.raises(tw.exceptions.ModelInputError, match="theta of"):
        world.theta_monte_carlo(tariffs, sd=[100.0] + [0.0] * 39, draws=40, seed=3)


def test_bad_input_names_the_cell(world: tw.CaliendoParroWorld) -> None:
    import pandas as pd

    bad = pd.DataFrame({"importer": ["USA"], "exporter": ["CHN"], "sector": ["Spice"], "tariff": [0.1]})
    with pytest.raises(tw.exceptions.ModelInputError, match="row 0 of the tariff table.*Spice") as e:
        world.counterfactual(bad)
    assert e.value.kind == "UnknownName"
    with pytest.raises(tw.exceptions.ModelInputError, match="tariff of USA on Food from USA is 0.1: must be 0"):
        world.counterfactual(pd.DataFrame({"importer": ["USA"], "exporter": ["USA"], "sector": ["Food"], "tariff": [0.1]}))
    with pytest.raises(tw.ValidationError, match="no column 'tariff'|no column \"tariff\""):
        world.counterfactual(pd.DataFrame({"importer": ["USA"], "exporter": ["CHN"], "sector": ["Food"]}))
    with pytest.raises(tw.exceptions.ModelInputError, match="theta of services is -1") as e:
        small_world(theta=[4.0, -1.0])
    assert e.value.kind == "OutOfDomain"
    with pytest.raises(tw.exceptions.ModelInputError, match="trade has 7 values; expected 8") as e:
        small_world(trade=[1.0] * 7)
    assert e.value.kind == "DimensionMismatch"
    with pytest.raises(tw.exceptions.ModelInputError, match="sector goods in Home has no trade") as e:
        small_world(trade=[[[0.0, 0.0], [15.0, 70.0]], [[50.0, 0.0], [0.0, 55.0]]])
    assert e.value.kind == "NoTrade"
    with pytest.raises(tw.exceptions.ModelInputError, match="IO coefficient of input goods in goods of Home") as e:
        small_world(intermediate=[-1.0, 10.0, 10.0, 10.0, 25.0, 10.0, 10.0, 15.0])
    w = small_world().coefficients()
    w["io"][0] += 0.1
    with pytest.raises(tw.exceptions.ModelInputError, match="cost shares .* of goods in Home sum to") as e:
        tw.CaliendoParroWorld.from_coefficients(**w)
    assert e.value.kind == "SharesDoNotSumToOne"
    with pytest.raises(tw.ValidationError, match="deficits must be"):
        world.counterfactual(world.tariffs(), deficits="some")


def test_small_worlds_from_numpy_pickle_and_rebuild() -> None:
    import numpy as np

    w = small_world(trade=np.array([[[60.0, 20.0], [15.0, 70.0]], [[50.0, 0.0], [0.0, 55.0]]]))
    assert w == small_world()
    again = tw.CaliendoParroWorld.from_coefficients(**w.coefficients())
    assert again == w and pickle.loads(pickle.dumps(w)) == w
    assert repr(w).startswith("<CaliendoParroWorld: 2 regions x 2 sectors")
    assert w.traded_sectors == ["goods"] and w.economies == ["USA", "CHN"]
    embedded = tw.CaliendoParroWorld.cp2015()
    assert eval(repr(embedded), {"CaliendoParroWorld": tw.CaliendoParroWorld}) == embedded
    assert pickle.loads(pickle.dumps(embedded)) == embedded
    with pytest.raises(tw.ValidationError, match="embedded world"):
        w.nafta_2005_tariffs()


def test_results_and_models_pickle(nafta: tw.CaliendoParroResults) -> None:
    import pandas as pd

    again = pickle.loads(pickle.dumps(nafta))
    assert again == nafta and again.welfare() == nafta.welfare()
    assert tw.CaliendoParroResults.from_json(nafta.to_json()) == nafta
    m = tw.CaliendoParroModel(commitments="leave_out", deficits="zero")
    m2 = pickle.loads(pickle.dumps(m))
    assert (m2.commitments, m2.deficits, m2.concordance) == ("leave_out", "zero", None)
    own = tw.CaliendoParroModel(small_world(), concordance=pd.DataFrame({"hs6": ["120190", "851712"], "sector": ["goods", "goods"]}))
    assert own.concordance is not None and pickle.loads(pickle.dumps(own)).concordance == own.concordance
    with pytest.raises(tw.exceptions.ModelInputError, match=r'unknown sector "Spice \(for HS 1201.90\)"'):
        tw.CaliendoParroModel(small_world(), concordance=pd.DataFrame({"hs6": ["120190"], "sector": ["Spice"]}))
    with pytest.raises(tw.exceptions.ModelInputError, match="sector"):
        tw.CaliendoParroModel(small_world())  # the embedded concordance names Caliendo and Parro's sectors
