"""The gravity toolkit from Python: PPML with high-dimensional fixed effects (tradewar.ppml), trade-cost shocks
for the structural gravity GE (GeShock, GeModel.counterfactual), and gegravity's formulation (GegravityModel).

Published references, as in the Rust tests: the Stata log of Yotov et al. (2016) ch. 2 (RTA .5571853, SE .055771),
ppmlhdfe's separation cases, the book's NAFTA table, and USITC gegravity's CAN-JPN PTA results. Tests that read
../shared/data skip with a message when it is absent.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest

import tradewar as tw

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
YOTOV = SHARED / "yotov-advanced-guide" / "chapter2_application2.csv"
PPMLHDFE = SHARED / "ppmlhdfe-tests"
GEGRAVITY = SHARED / "reference" / "gegravity-can-jpn-pta"
NAFTA = ("CAN", "MEX", "USA")
YEARS = (1986, 1990, 1994, 1998, 2002, 2006)


def need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/data is not checked out)")


@pytest.fixture(scope="module")
def panel() -> Any:
    """The Advanced Guide's panel, every four years, with the log's pooled domestic pair."""
    need(YOTOV)
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(YOTOV)
    df = df[df["year"].isin(YEARS)].reset_index(drop=True)
    df["pair"] = [
        "domestic" if e == i else "-".join(sorted((e, i))) for e, i in zip(df["exporter"], df["importer"])
    ]
    return df


@pytest.fixture(scope="module")
def s1(panel: Any) -> tw.PpmlResult:
    refs = [("importer#year", f"DEU#{y}") for y in YEARS] + [("pair", "domestic")]
    return tw.ppml(
        panel, "trade", ["RTA"], ["pair", ("exporter", "year"), ("importer", "year")], references=refs
    )


def test_s1_reproduces_the_stata_log(s1: tw.PpmlResult) -> None:
    assert s1.nobs == 28_482 and s1.rows == 28_566
    assert abs(s1.coef["RTA"] - 0.5571853) <= 1e-7
    assert abs(s1.se["RTA"] / 0.055771 - 1) <= 1e-6
    assert s1.converged and s1.variance == "robust"
    assert s1.small_sample[0] == "stata" and s1.small_sample[1] == pytest.approx(28_482 / 28_481)
    assert s1.row_status.count("separated_fe") == 84
    table = s1.coefficients.to_dict()
    assert table["term"] == ["RTA"] and table["omitted"] == [False]
    pairs = s1.fixed_effects("pair").to_dict()
    assert pairs["estimate"][pairs["level"].index("domestic")] == 0.0
    # A pair effect the log prints: ARG-AUS -7.5535.
    assert pairs["estimate"][pairs["level"].index("ARG-AUS")] == pytest.approx(-7.5535, abs=5e-5)
    assert "RTA" in s1.summary() and "0.5571853" in s1.summary()
    assert "PPML of trade" in s1._repr_html_()


def test_every_input_kind_gives_the_same_fit(panel: Any, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    sub = panel[panel["year"] == 1994].reset_index(drop=True)
    args: dict[str, Any] = {"fixed_effects": ["exporter", "importer"], "regressors": ["RTA"]}
    base = tw.ppml(sub, "trade", **args)
    path = tmp_path / "y1994.csv"
    sub.to_csv(path, index=False)
    others = [
        pa.Table.from_pandas(sub),
        pl.from_pandas(sub),
        tw.Table.from_arrow(pa.Table.from_pandas(sub)),
        {c: sub[c].tolist() for c in ("trade", "RTA", "exporter", "importer")},
        path,
        str(path),
    ]
    for data in others:
        fit = tw.ppml(data, "trade", **args)
        assert fit.coef["RTA"] == pytest.approx(base.coef["RTA"], abs=1e-12), type(data)
        assert fit.se["RTA"] == pytest.approx(base.se["RTA"], rel=1e-12)


def test_the_embedded_gravity_sample() -> None:
    panel = tw.datasets.gravity_sample_2006()
    assert len(panel) == 900 and "lndist" in panel.columns
    fit = tw.ppml(panel, "trade", ["lndist", "pta"], ["exporter", "importer"], weights="Y")
    assert fit.nobs == 900 and fit.coef["lndist"] < 0
    with pytest.raises(tw.exceptions.ModelInputError, match="weights"):
        tw.ppml({"y": [1.0, 2.0], "x": [1.0, 3.0], "w": [1.0, -1.0]}, "y", ["x"], weights="w")


def test_a_trade_matrix_is_data_too() -> None:
    trade = tw.datasets.us_china_trade()
    fit = tw.ppml(trade, "value_usd", fixed_effects=[("exporter", "year"), "product"], drop_singletons=True)
    assert fit.nobs > 0 and fit.regressors == []
    assert fit.fixed_effect_names == ["exporter#year", "product"]


def test_s2_clustered_by_pair(s1: tw.PpmlResult, panel: Any) -> None:
    pair = s1.fixed_effects("pair").to_dict()
    effect = dict(zip(pair["level"], pair["estimate"]))
    sub = panel[(panel["year"] == 1994) & (panel["exporter"] != panel["importer"])].copy()
    sub = sub[sub["pair"].isin(effect)].reset_index(drop=True)
    sub["tij"] = [math.exp(effect[p]) for p in sub["pair"]]
    sub["ln_DIST"] = [math.log(d) for d in sub["DIST"]]
    fit = tw.ppml(
        sub,
        "tij",
        ["ln_DIST", "CNTG", "LANG", "CLNY"],
        ["exporter", "importer"],
        cluster="pair_id",
        references={"importer": "GBR"},
    )
    assert fit.nobs == 4678 and fit.variance == "clustered by pair_id (2339)"
    log = {
        "ln_DIST": (-0.8475027, 0.0346902),
        "CNTG": (0.2940831, 0.0948405),
        "LANG": (0.3632659, 0.0826225),
        "CLNY": (0.2394163, 0.114736),
    }
    for term, (coef, se) in log.items():
        assert fit.coef[term] == pytest.approx(coef, abs=3e-7 + 5e-7 * abs(coef)), term
        assert fit.se[term] == pytest.approx(se, rel=1.5e-6), term
    # Stata's constant is the base exporter's (PAN) value with the base importer (GBR) at zero.
    fe = fit.fixed_effects("exporter").to_dict()
    assert fe["estimate"][fe["level"].index("PAN")] == pytest.approx(1.482774, abs=1e-6)
    # The fixest convention differs by (N-1)/(N-K) with K = 4 regressors + 69 + 68 fixed-effect levels.
    fx = tw.ppml(
        sub, "tij", ["ln_DIST", "CNTG", "LANG", "CLNY"], ["exporter", "importer"], cluster="pair_id",
        small_sample="fixest",
    )
    k = 4 + 69 + 69 - 1
    assert fx.se["CNTG"] == pytest.approx(fit.se["CNTG"] * math.sqrt((4678 - 1) / (4678 - k)), rel=1e-10)
    # Two-way clustering (Cameron-Gelbach-Miller), by exporter and importer.
    two = tw.ppml(sub, "tij", ["ln_DIST", "CNTG"], ["exporter", "importer"], cluster=["exporter", "importer"])
    assert two.variance == "clustered by exporter (69), importer (69)"
    assert two.se["ln_DIST"] > 0 and len(two.vcov) == 2 and two.vcov_terms == ["ln_DIST", "CNTG"]


def read_case(name: str) -> dict[str, list[float]]:
    with open(PPMLHDFE / name) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def test_separation_is_found_and_reported() -> None:
    need(PPMLHDFE)
    data = read_case("guides_csv/example1.csv")
    with pytest.raises(tw.exceptions.ModelInputError) as err:
        tw.ppml(data, "y", ["x1", "x2", "x3", "x4"])
    assert err.value.kind == "NotIdentified" and "x2" in str(err.value)
    fit = tw.ppml(data, "y", ["x1", "x2", "x3", "x4"], collinear="omit")
    assert fit.separated_rows == [4] and fit.row_status[4] == "separated_simplex"
    assert math.isnan(fit.coef["x2"]) and fit.coefficients.to_dict()["omitted"][1]
    # ppmlhdfe's printed example: x1 -.4506523 (.1397897), _cons .5909476 (.4021422).
    assert fit.coef["x1"] == pytest.approx(-0.4506523, abs=1e-7)
    assert fit.se["x1"] == pytest.approx(0.1397897, rel=1e-6)
    assert fit.coef["_cons"] == pytest.approx(0.5909476, abs=1e-7)
    relu = tw.ppml(data, "y", ["x1", "x2", "x3", "x4"], collinear="omit", separation=["relu"])
    assert relu.row_status[4] == "separated_relu"
    case07 = read_case("separation_datasets/07.csv")
    fit07 = tw.ppml(case07, "y", ["x1", "x2"], ["id1", "id2"], collinear="omit", drop_singletons=False)
    assert [r + 1 for r in fit07.separated_rows] == [6, 10, 11, 13]


def test_bad_input_is_a_typed_error() -> None:
    with pytest.raises(tw.exceptions.ModelInputError, match="row 1"):
        tw.ppml({"y": [1.0, float("nan"), 2.0], "x": [1.0, 2.0, 3.0]}, "y", ["x"])
    with pytest.raises(tw.exceptions.ModelInputError, match="non-negative"):
        tw.ppml({"y": [1.0, -1.0, 2.0], "x": [1.0, 2.0, 3.0]}, "y", ["x"])
    with pytest.raises(tw.exceptions.ColumnError, match="missing column"):
        tw.ppml({"y": [1.0, 2.0]}, "y", ["x"])
    with pytest.raises(tw.ValidationError, match="small_sample"):
        tw.ppml({"y": [1.0, 2.0], "x": [1.0, 2.0]}, "y", ["x"], small_sample="sas")
    with pytest.raises(tw.exceptions.ModelInputError, match="absorbed by the fixed effects"):
        tw.ppml(
            {"y": [1.0, 2.0, 3.0, 4.0, 2.0, 1.0], "g": ["a", "a", "b", "b", "c", "c"], "x": [1, 1, 2, 2, 3, 3]},
            "y",
            ["x"],
            ["g"],
        )
    with pytest.raises(tw.exceptions.ModelInputError, match="zero on every row"):
        tw.ppml({"y": [0.0, 0.0, 0.0], "x": [1.0, 2.0, 3.0]}, "y", ["x"])
    with pytest.raises(tw.ValidationError, match="expected a DataFrame"):
        tw.ppml(42, "y")


def world_1994(s1: tw.PpmlResult, panel: Any) -> tuple[tw.GeWorld, tw.PpmlResult]:
    """S2 and S3 as the book builds them, and the 1994 baseline world from S3's fitted flows."""
    pair = s1.fixed_effects("pair").to_dict()
    effect = dict(zip(pair["level"], pair["estimate"]))
    y94 = panel[panel["year"] == 1994].reset_index(drop=True)
    intl = y94[(y94["exporter"] != y94["importer"]) & y94["pair"].isin(effect)].copy()
    intl["tij"] = [math.exp(effect[p]) for p in intl["pair"]]
    intl["ln_DIST"] = [math.log(d) for d in intl["DIST"]]
    s2 = tw.ppml(intl, "tij", ["ln_DIST", "CNTG", "LANG", "CLNY"], ["exporter", "importer"], cluster="pair_id")
    fe_x = dict(zip(s2.fixed_effects("exporter").to_dict()["level"], s2.fixed_effects("exporter").to_dict()["estimate"]))
    fe_m = dict(zip(s2.fixed_effects("importer").to_dict()["level"], s2.fixed_effects("importer").to_dict()["estimate"]))

    def ln_tbar(r: Any) -> float:
        if r.exporter == r.importer:
            return 0.0
        if r.pair in effect:
            return effect[r.pair]
        return fe_x[r.exporter] + fe_m[r.importer] + sum(
            s2.coef[k] * v for k, v in (("ln_DIST", math.log(r.DIST)), ("CNTG", r.CNTG), ("LANG", r.LANG), ("CLNY", r.CLNY))
        )

    y94["offset"] = [ln_tbar(r) + s1.coef["RTA"] * r.RTA for r in y94.itertuples()]
    s3 = tw.ppml(y94, "trade", fixed_effects=["exporter", "importer"], offset="offset", references={"importer": "DEU"})
    world = tw.GeWorld.from_flows(y94["exporter"].tolist(), y94["importer"].tolist(), s3.fitted)
    return world, s3


def test_removing_nafta_on_the_estimated_baseline(s1: tw.PpmlResult, panel: Any) -> None:
    world, s3 = world_1994(s1, panel)
    fe = s3.fixed_effects("exporter").to_dict()
    assert fe["estimate"][fe["level"].index("CAN")] == pytest.approx(12.66269, abs=2e-6)
    pairs = [(a, b) for a in NAFTA for b in NAFTA if a != b]
    shock = tw.GeShock(world).with_regressor_change("RTA", pairs, fit=s1)
    model = tw.GeModel(sigma=7.0, reference="DEU", world=world, rebate=False)
    results = model.counterfactual(shock)
    full = results.full.to_dict()
    cond = results.conditional.to_dict()

    def effect(change: float) -> float:
        return 100 * (100 / (100 + change) - 1)

    # The book's table (real GDP full; exports conditional): the conditional equilibrium is exact in the book too.
    book = {"CAN": (3.403422, 34.99), "MEX": (3.810068, 41.64), "USA": (0.334632, 14.48)}
    for code, (gdp, exports) in book.items():
        i = full["country"].index(code)
        assert effect(full["real_gdp_change_pct"][i]) == pytest.approx(gdp, abs=0.05)
        assert effect(cond["foreign_exports_change_pct"][i]) == pytest.approx(exports, abs=0.005)
    assert results.convergence[1] < 1e-10
    # The same shock as a full table of cost-term factors, and as a matrix.
    beta = s1.coef["RTA"]
    rows = [
        (a, b, math.exp(-beta) if (a, b) in pairs else 1.0) for a in world.countries for b in world.countries
    ]
    table = {"exporter": [r[0] for r in rows], "importer": [r[1] for r in rows], "factor": [r[2] for r in rows]}
    again = model.counterfactual(tw.GeShock.from_factors(world, table, form="cost_term")).full.to_dict()
    assert again["real_gdp_change_pct"] == pytest.approx(full["real_gdp_change_pct"], abs=1e-10)
    n = len(world.countries)
    matrix = [[rows[i * n + j][2] for j in range(n)] for i in range(n)]
    again = model.counterfactual(tw.GeShock.from_factors(world, matrix, form="cost_term")).full.to_dict()
    assert again["real_gdp_change_pct"] == pytest.approx(full["real_gdp_change_pct"], abs=1e-10)
    assert results.country("MEX")["real_gdp_change_pct"] < 0


def test_bad_shocks_are_typed_errors() -> None:
    world = tw.GeWorld(["AAA", "BBB"], [[10.0, 2.0], [3.0, 12.0]])
    missing = {"exporter": ["AAA", "AAA", "BBB"], "importer": ["AAA", "BBB", "AAA"], "factor": [1.0, 0.9, 1.0]}
    with pytest.raises(tw.exceptions.ModelInputError, match="BBB → BBB"):
        tw.GeShock.from_factors(world, missing)
    bad = {"exporter": ["AAA", "AAA", "BBB", "BBB"], "importer": ["AAA", "BBB", "AAA", "BBB"], "factor": [1, 0, 1, 1]}
    with pytest.raises(tw.exceptions.ModelInputError, match="positive"):
        tw.GeShock.from_factors(world, bad)
    with pytest.raises(tw.ValidationError, match="form"):
        tw.GeShock.from_factors(world, [[1.0, 1.0], [1.0, 1.0]], form="iceberg")  # type: ignore[arg-type]
    with pytest.raises(tw.ValidationError, match="ZZZ"):
        tw.GeShock(world).with_ban("AAA", "ZZZ")
    with pytest.raises(tw.ValidationError, match="exactly one"):
        tw.GeShock(world).with_regressor_change("RTA", [("AAA", "BBB")])
    other = tw.GeWorld(["AAA", "CCC"], [[10.0, 2.0], [3.0, 12.0]])
    with pytest.raises(tw.ValidationError, match="another world"):
        tw.GeModel(sigma=5.0, reference="AAA", world=world).counterfactual(tw.GeShock(other))
    shock = tw.GeShock(world).with_cost_change("AAA", "BBB", 0.9).with_tariff("BBB", "AAA", before=0.0, after=0.1)
    assert len(shock.changes) == 2 and "GeShock" in repr(shock)


def test_gegravity_model_reproduces_gegravity() -> None:
    need(GEGRAVITY)
    model = tw.GegravityModel.sample_2006()
    assert model.reference == "DEU" and len(model.countries) == 30
    results = model.simulate_change("pta", [("CAN", "JPN"), ("JPN", "CAN")], 1.0)
    ours = results.country_results.to_dict()
    with open(GEGRAVITY / "country_results.csv") as f:
        reference = {r["country"]: r for r in csv.DictReader(f)}
    # As the Rust test of the same reference: percentages to 1e-6 percentage points (gegravity's own solver
    # tolerance), the welfare statistic to 1e-6 relative.
    for column in ("GDP change (percent)", "foreign exports change (percent)", "welfare statistic"):
        absolute = 0.0 if column == "welfare statistic" else 1e-6
        for code, value in zip(ours["country"], ours[column]):
            want = float(reference[code][column])
            assert value == pytest.approx(want, rel=1e-6, abs=absolute), (code, column)
    trade = results.bilateral_trade.to_dict()
    assert len(trade["exporter"]) == 900
    # The same model from its inputs: countries, Y, E and cost terms.
    baseline = model.baseline.to_dict()
    assert baseline["country"] == model.countries
    with pytest.raises(tw.ValidationError, match="panel"):
        tw.GegravityModel(["AAA", "BBB"], [1.0, 1.0], [1.0, 1.0], [[1.0, 0.1], [0.1, 1.0]], reference="AAA").simulate_change(
            "pta", [], 1.0
        )
