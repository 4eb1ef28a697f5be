#!/usr/bin/env python3
"""Side-by-side benchmarks of tradewar against the tools people use today, on identical inputs, in one run.

    python3 benchmarks/compare.py            # everything (about 10 minutes on 2 cores, first run longer)
    python3 benchmarks/compare.py --quick    # fewer repetitions, gegravity only at N = 30
    python3 benchmarks/compare.py --only ppml   # one comparison (ge, smart, schedule or ppml)

The script needs only Python 3.10+ and a Rust toolchain. On first use it creates its own virtualenv
(benchmarks/.venv), installs gegravity 0.3 (which pulls gme, pandas, scipy), numpy, pandas and pyarrow from PyPI and
builds and installs this repository's tradewar package into it (`pip install .`, maturin, release profile; the
cargo target directory is kept in benchmarks/.venv/cargo-target so later runs rebuild incrementally), then
re-runs itself inside that virtualenv. The tradewar package is reinstalled from the working tree on every run
(pass --no-rebuild to skip that).

Four comparisons, each checked for agreement before any time is reported:

1. Structural gravity GE: USITC gegravity 0.3 (OneSectorGE) against tradewar's gegravity-compatible
   GegravityModel, on gegravity's 30-country sample (published PPML coefficients, sigma = 5, reference importer
   DEU, a Canada-Japan PTA) and on synthetic worlds of N = 80 and 160 countries. Both get the same trade-cost
   terms t_ij^(1-sigma) = exp(X_ij . beta), output Y and expenditure E. Agreement: every country result and
   every bilateral flow within 1e-6 relative.
2. SMART (WITS partial equilibrium, DESIGN section 4.2): a vectorised numpy implementation written here against
   tradewar's SMART kernel on a synthetic 10-million-flow HS6 table (5,000 products x 200 importers x 10
   partners). Agreement: every per-flow result within 1e-9 relative.
3. Duty lookup: a pandas merge-based lookup (US MFN 2017 table plus the Section 232 and Section 301 list tables
   merged on HTS8 and filtered by date windows) against tradewar's bulk schedule query on 1 million US customs
   lines from China at random dates 2018-2020. Agreement: identical duties (exact integers of millionths of a
   percentage point).

4. Caliendo-Parro multi-sector GE: a vectorised numpy implementation of the same fixed point (written here: the
   same equations and algorithm, wages outer, prices inner, Anderson mixing) against tradewar's public Python API
   (a tariff DataFrame in, `CaliendoParroWorld.counterfactual`, the welfare table out as a DataFrame), on the
   embedded 31 x 40 world with the NAFTA tariffs, on a synthetic 31 x 40 and on a synthetic 77 x 45 world (the
   OECD ICIO size); then a Monte Carlo of 1,000 draws of theta (rayon over draws), the first draws checked
   against numpy with the same theta. Agreement: welfare, its parts and real wages within 1e-9 percentage points,
   trade flows within 1e-9 relative. `--only CP` runs this section alone.

5. PPML with high-dimensional fixed effects: pyfixest's `fepois` against `tradewar.ppml`, both called from Python
   on the same pandas DataFrame, each returning its coefficient table as a DataFrame: the Advanced Guide's panel
   (Yotov et al. 2016, ch. 2; 28,566 rows; pair, exporter-year and importer-year effects; RTA), when
   ../shared/data is present, and a synthetic panel of 150 countries x 10 years (225,000 rows; 1,500 + 1,500 +
   22,500 effects). Agreement: the RTA coefficient within 1e-7; standard errors (fixest's conventions) reported. `--only PPML` runs this section alone.

Timings are wall-clock medians; for tradewar the clock runs inside Rust around the kernel call only (the GIL
released), except in sections 4 and 5, which are timed in Python around the public call on both sides
(DataFrame in, DataFrame out); for the peers around the same work in Python. Inputs are built once, outside
every timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "benchmarks" / ".venv"
# pyarrow: pandas hands DataFrames to tradewar through the Arrow stream interface.
PEERS = ["gegravity==0.3", "numpy", "pandas", "pyarrow", "pyfixest"]
DATA = ROOT / "crates" / "tradewar-data" / "data"


# ---------------------------------------------------------------------------------------------------------------
# Bootstrap: our own virtualenv with the peers and this repository's tradewar
# ---------------------------------------------------------------------------------------------------------------


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def in_our_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def bootstrap(args: argparse.Namespace) -> None:
    """Creates the virtualenv, installs the peers and tradewar, and re-runs this script inside it."""
    py = venv_python()
    marker = VENV / ".peers-installed"
    if not py.exists():
        print(f"creating virtualenv {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not marker.exists() or marker.read_text() != "\n".join(PEERS):
        print(f"installing {', '.join(PEERS)} into {VENV}", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *PEERS], check=True)
        marker.write_text("\n".join(PEERS))
    installed = subprocess.run([str(py), "-c", "import tradewar"], capture_output=True).returncode == 0
    if not (args.no_rebuild and installed):
        print("building and installing tradewar from the working tree (pip install ., release build)", flush=True)
        env = dict(os.environ, CARGO_TARGET_DIR=str(VENV / "cargo-target"))
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(ROOT)],
            check=True,
            env=env,
        )
    os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def fmt_s(x: float) -> str:
    if x >= 1.0:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.1f} ms"
    return f"{x * 1e6:.0f} us"


ROWS: list[tuple[str, str, str, str, str, str]] = []


def record(what: str, peer: str, peer_times: list[float], ours: str, our_times: list[float], agreement: str) -> None:
    p, o = median(peer_times), median(our_times)
    ROWS.append(
        (
            what,
            f"{peer} ({len(peer_times)}x)",
            fmt_s(p),
            f"{fmt_s(o)} ({len(our_times)}x)",
            f"{p / o:,.1f}x",
            agreement,
        )
    )
    print(f"  -> {what}: {peer} {fmt_s(p)}, tradewar {ours} {fmt_s(o)}, ratio {p / o:,.1f}x", flush=True)


def machine() -> list[str]:
    lines = [f"nproc: {os.cpu_count()}"]
    try:
        cpu = [ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")]
        if cpu:
            lines.append(f"CPU: {cpu[0]} ({len(cpu)} logical CPUs in /proc/cpuinfo)")
        mem = [ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")]
        if mem:
            lines.append(f"memory: {int(mem[0].split()[1]) / 1024**2:.1f} GiB")
    except OSError:
        pass
    lines.append(f"OS: {platform.platform()}")
    lines.append(f"python: {platform.python_version()}")
    if shutil.which("rustc"):
        lines.append("rustc: " + subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip())
    if hasattr(os, "getloadavg"):
        lines.append("load average at start (1/5/15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# 1. Structural gravity GE: gegravity 0.3 against tradewar
# ---------------------------------------------------------------------------------------------------------------

# The published Stata ppmlhdfe coefficients of gegravity's sample (see
# ../shared/data/reference/gegravity-can-jpn-pta/README.md); `constant` is a column of ones.
SAMPLE_COEFFICIENTS = {
    "lndist": -0.3898623,
    "contiguity": 0.891577,
    "common_language": 0.0326249,
    "pta": 0.4711383,
    "international": -3.412584,
    "constant": 16.32434,
}
COST_VARIABLES = list(SAMPLE_COEFFICIENTS)
SIGMA = 5.0

COUNTRY_LEVELS = ["welfare statistic"]
COUNTRY_PCT = [
    "factory gate price change (percent)",
    "omr change (percent)",
    "imr change (percent)",
    "GDP change (percent)",
    "terms of trade change (percent)",
    "output change (percent)",
    "expenditure change (percent)",
    "foreign exports change (percent)",
    "foreign imports change (percent)",
    "intranational trade change (percent)",
]
MR_LEVELS = ["baseline imr", "conditional imr", "experiment imr", "baseline omr", "conditional omr", "experiment omr"]


def sample_case():
    """gegravity's 30-country sample (the copy embedded in tradewar-data) and the CAN-JPN PTA counterfactual."""
    import pandas as pd

    df = pd.read_csv(DATA / "world_gravity_sample_2006.csv")
    df["year"] = df["year"].astype(str)
    df["constant"] = 1.0
    cf = df.copy()
    for a, b in [("CAN", "JPN"), ("JPN", "CAN")]:
        cf.loc[(cf["exporter"] == a) & (cf["importer"] == b), "pta"] = 1
    return df, cf, "DEU"


def synthetic_case(n: int):
    """A synthetic world of n countries (seeded): points on a 100 x 100 plane for distances, lognormal-ish output,
    expenditure within +-10% of output, 15% of pairs in a PTA; the counterfactual puts 8 more pairs into PTAs."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20_180_706 + n)
    pts = 100.0 * rng.random((n, 2))
    output = 1e4 * np.exp(3.0 * rng.random(n)) * (1.0 + 5.0 * rng.random(n))
    expend = output * (0.9 + 0.2 * rng.random(n))
    upper = np.triu(rng.random((n, n)) < 0.15, 1)
    pta = (upper | upper.T).astype(float)
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)) + 1.0
    np.fill_diagonal(dist, 0.5 + rng.random(n))
    codes = [f"S{i:03d}" for i in range(n)]
    ex, im = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    ex, im = ex.ravel(), im.ravel()
    df = pd.DataFrame(
        {
            "exporter": [codes[i] for i in ex],
            "importer": [codes[j] for j in im],
            "year": "2006",
            # gegravity requires a trade column; neither model uses its values here.
            "trade": output[ex] * expend[im] / output.sum(),
            "Y": output[ex],
            "E": expend[im],
            "pta": pta[ex, im],
            "contiguity": 0.0,
            "common_language": 0.0,
            "lndist": np.log(dist[ex, im]) + 5.0,
            "international": (ex != im).astype(float),
            "constant": 1.0,
        }
    )
    cf = df.copy()
    added = 0
    for i in range(n):
        for j in range(i + 1, n):
            if pta[i, j] == 0.0 and (i * 7 + j * 13) % 97 == 0 and added < 8:
                for a, b in [(i, j), (j, i)]:
                    cf.loc[(cf["exporter"] == codes[a]) & (cf["importer"] == codes[b]), "pta"] = 1.0
                added += 1
    return df, cf, codes[-1]


def cost_terms(df, countries):
    """t_ij^(1-sigma) = exp(X_ij . beta), N x N exporter-major in the order of `countries` (as gegravity builds them)."""
    import numpy as np

    d = df.set_index(["exporter", "importer"]).loc[[(e, i) for e in countries for i in countries]]
    beta = np.array([SAMPLE_COEFFICIENTS[v] for v in COST_VARIABLES])
    return np.exp(np.matmul(d[COST_VARIABLES].values, beta))


def run_gegravity(df, cf, reference):
    """One full gegravity run: model definition and baseline, then the counterfactual. Returns (model, times)."""
    import gegravity as ge
    import pandas as pd

    coeffs = pd.DataFrame({"var": COST_VARIABLES, "coeff": [SAMPLE_COEFFICIENTS[v] for v in COST_VARIABLES]})
    t0 = time.perf_counter()
    baseline = ge.BaselineData(
        df,
        imp_var_name="importer",
        exp_var_name="exporter",
        year_var_name="year",
        trade_var_name="trade",
        expend_var_name="E",
        output_var_name="Y",
    )
    model = ge.OneSectorGE(
        baseline,
        year="2006",
        expend_var_name="E",
        output_var_name="Y",
        cost_coeff_values=ge.CostCoeffs(estimates=coeffs, identifier_col="var", coeff_col="coeff"),
        cost_variables=COST_VARIABLES,
        reference_importer=reference,
        sigma=SIGMA,
        quiet=True,
    )
    model.build_baseline(omr_rescale=1)
    t1 = time.perf_counter()
    model.define_experiment(cf)
    model.simulate()
    t2 = time.perf_counter()
    return model, (t1 - t0, t2 - t1)


def run_tradewar_ge(df, cf, reference):
    from tradewar import _core

    countries = sorted(df["exporter"].unique())
    first = df.drop_duplicates("exporter").set_index("exporter")
    output = [float(first.loc[c, "Y"]) for c in countries]
    expend = [float(df.drop_duplicates("importer").set_index("importer").loc[c, "E"]) for c in countries]
    base = cost_terms(df, countries)
    counter = cost_terms(cf, countries)
    r = _core.bench_gegravity(countries, output, expend, base.tolist(), counter.tolist(), SIGMA, reference)
    return r, base, counter


def ge_agreement(model, ours, base_terms, countries) -> dict[str, float]:
    """Largest relative differences, by group. Levels are compared as levels; a percent change p is compared as
    the level ratio 1 + p/100 (so a change of -9e-5 % is not divided by its own tiny size)."""
    import numpy as np

    out: dict[str, float] = {}
    # The inputs: gegravity's own cost terms against ours.
    g_costs = model.baseline_trade_costs.copy()
    rec = "ZZZ_" + model._reference_importer
    for col in ("exporter", "importer"):
        g_costs[col] = g_costs[col].replace(rec, model._reference_importer)
    g_costs = g_costs.set_index(["exporter", "importer"])["trade_cost"]
    g = np.array([g_costs.loc[(e, i)] for e in countries for i in countries])
    out["inputs: cost terms"] = float(np.max(np.abs(g - base_terms) / np.abs(g)))

    cr = model.country_results.loc[countries]
    mr = model.country_mr_terms.loc[countries]
    rel = lambda a, b: float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))))  # noqa: E731
    out["country levels (welfare statistic, 6 MR terms)"] = max(
        [rel(ours[c], cr[c].values) for c in COUNTRY_LEVELS] + [rel(ours[c], mr[c].values) for c in MR_LEVELS]
    )
    out["country % changes (as ratios 1 + p/100)"] = max(
        rel(1 + np.asarray(ours[c]) / 100, 1 + cr[c].values / 100) for c in COUNTRY_PCT
    )
    bt = model.bilateral_trade_results.loc[[(e, i) for e in countries for i in countries]]
    out["bilateral flows (baseline and experiment)"] = max(
        rel(ours["baseline_trade"], bt["baseline modeled trade"].values),
        rel(ours["experiment_trade"], bt["experiment trade"].values),
    )
    out["bilateral % changes (as ratios)"] = rel(
        1 + np.asarray(ours["trade_change_pct"]) / 100, 1 + bt["trade change (percent)"].values / 100
    )
    return out


def bench_ge(args: argparse.Namespace) -> bool:
    cases = [("sample N=30", sample_case, 3)]
    if not args.quick:
        cases += [("synthetic N=80", lambda: synthetic_case(80), 2), ("synthetic N=160", lambda: synthetic_case(160), 1)]
    ok = True
    for name, build, reps in cases:
        if args.quick:
            reps = 1
        print(f"\n[GE] {name}: building inputs", flush=True)
        df, cf, reference = build()
        countries = sorted(df["exporter"].unique())
        peer_total, peer_cf = [], []
        model = None
        for k in range(reps):
            print(f"[GE] {name}: gegravity run {k + 1}/{reps}", flush=True)
            model, (tb, tc) = run_gegravity(df, cf, reference)
            peer_total.append(tb + tc)
            peer_cf.append(tc)
            print(f"     baseline {fmt_s(tb)}, counterfactual {fmt_s(tc)}", flush=True)
        ours_total, ours_cf = [], []
        ours = base = None
        for _ in range(7):
            ours, base, _ = run_tradewar_ge(df, cf, reference)
            ours_total.append(ours["seconds_baseline"] + ours["seconds_counterfactual"])
            ours_cf.append(ours["seconds_counterfactual"])
        print(
            f"[GE] {name}: tradewar baseline {ours['baseline_iterations']} iterations (residual "
            f"{ours['baseline_residual']:.1e}), counterfactual {ours['counterfactual_iterations']} iterations "
            f"(residual {ours['counterfactual_residual']:.1e})"
        )
        diffs = ge_agreement(model, ours, base, countries)
        worst = max(v for k, v in diffs.items() if not k.startswith("inputs"))
        agree = worst <= 1e-6
        ok &= agree
        for k, v in diffs.items():
            print(f"     max relative difference, {k}: {v:.2e}")
        verdict = f"max rel diff {worst:.1e} {'<=' if agree else '>'} 1e-6: {'AGREE' if agree else 'DISAGREE'}"
        print(f"     results {'agree' if agree else 'DO NOT agree'} to 1e-6 ({verdict})")
        record(f"GE {name}: baseline + counterfactual", "gegravity 0.3", peer_total, "", ours_total, verdict)
        record(f"GE {name}: counterfactual only", "gegravity 0.3", peer_cf, "", ours_cf, "(same run)")
    return ok


# ---------------------------------------------------------------------------------------------------------------
# 2. SMART: vectorised numpy against tradewar
# ---------------------------------------------------------------------------------------------------------------

PRODUCTS, IMPORTERS, PARTNERS = 5_000, 200, 10


def smart_table():
    """The synthetic HS6 world table: one market per (product, importer), 10 partners each, rows sorted by market;
    import values skewed, 5% zero; tariff rises on 30% of flows; a quarter of markets with finite export supply."""
    import numpy as np

    rng = np.random.default_rng(20_180_706)
    markets = PRODUCTS * IMPORTERS
    rows = markets * PARTNERS
    e_m = -0.2 - 2.8 * rng.random(markets)
    finite = rng.random(markets) < 0.25
    e_x = np.where(finite, 0.5 + 10.0 * rng.random(markets), 99.0)
    sigma = 0.5 + 9.5 * rng.random(markets)
    market = np.repeat(np.arange(markets, dtype=np.uint32), PARTNERS)
    importer = market % IMPORTERS
    k = np.tile(np.arange(PARTNERS, dtype=np.uint32), markets)
    partner = ((importer + 1 + k * 17) % IMPORTERS).astype(np.uint32)
    u = rng.random(rows)
    imports = np.where(u < 0.05, 0.0, np.exp(12.0 * u))
    t0 = 0.3 * rng.random(rows) * rng.random(rows)
    rise = rng.random(rows) < 0.3
    t1 = np.where(rise, t0 + 0.25 * rng.random(rows), t0)
    return market, partner, imports, t0, t1, e_m, e_x, sigma


def smart_numpy(market, imports, t0, t1, e_m, e_x, sigma):
    """SMART per DESIGN section 4.2, vectorised over all flows (market ids index the elasticity arrays):

        r = (t1 - t0)/(1 + t0);  TC = e_m M r / (1 - e_m/e_x), at least -M (tradewar's documented cap)
        rbar = sum M r / sum M per market;  TD* = -sigma M (r - rbar), floored at -(M + TC)
        gains (TD > 0) scaled per market by (sum of losses)/(sum of gains) so that sum TD = 0
        M1 = M + TC + TD;  dRevenue = t1 M1 - t0 M;  W = 1/2 |t1 - t0| TC;  world price = r (e_m/e_x)/(1 - e_m/e_x)

    Per-market sums use np.bincount (one pass, rows in order). e_x >= 99 means infinite supply (e_m/e_x = 0)."""
    import numpy as np

    n_markets = len(e_m)
    ratio = np.where(e_x >= 99.0, 0.0, e_m / e_x)
    denom = 1.0 - ratio
    tc_coef = (e_m / denom)[market]
    r = (t1 - t0) / (1.0 + t0)
    tc = np.maximum(tc_coef * imports * r, -imports)
    sum_m = np.bincount(market, weights=imports, minlength=n_markets)
    sum_mr = np.bincount(market, weights=imports * r, minlength=n_markets)
    rbar = np.divide(sum_mr, sum_m, out=np.zeros(n_markets), where=sum_m > 0.0)
    base = imports + tc
    td = -sigma[market] * imports * (r - rbar[market])
    np.maximum(td, -base, out=td)
    losses = np.bincount(market, weights=np.minimum(td, 0.0), minlength=n_markets)
    gains = np.bincount(market, weights=np.maximum(td, 0.0), minlength=n_markets)
    has_gains = gains > 0.0
    scale = np.divide(-losses, gains, out=np.ones(n_markets), where=has_gains)
    td = np.where(td > 0.0, td * scale[market], td)
    td *= has_gains[market]
    m1 = base + td
    revenue = t1 * m1 - t0 * imports
    welfare = 0.5 * np.abs(t1 - t0) * tc
    price = r * (ratio / denom)[market]
    return {
        "trade_creation": tc,
        "trade_diversion": td,
        "imports_after": m1,
        "revenue_change": revenue,
        "harberger_welfare_gain": welfare,
        "world_price_change": price,
    }


def bench_smart(args: argparse.Namespace) -> bool:
    import numpy as np
    from tradewar import _core

    print("\n[SMART] building the 10M-flow table", flush=True)
    market, partner, imports, t0, t1, e_m, e_x, sigma = smart_table()
    reps = 1 if args.quick else 3
    peer_times = []
    res = None
    for k in range(reps):
        print(f"[SMART] numpy run {k + 1}/{reps}", flush=True)
        res = None
        start = time.perf_counter()
        res = smart_numpy(market, imports, t0, t1, e_m, e_x, sigma)
        peer_times.append(time.perf_counter() - start)
    cols = [c.tobytes() for c in (market, partner, imports, t0, t1, e_m, e_x, sigma)]
    ours_reps = 1 if args.quick else 5
    print(f"[SMART] tradewar single-threaded x{ours_reps}, then rayon x{ours_reps}", flush=True)
    single = _core.bench_smart(*cols, parallel=False, repeats=ours_reps)
    par = _core.bench_smart(*cols, parallel=True, repeats=ours_reps)
    ok = True
    worst = 0.0
    for run in (single, par):
        for name, ref in res.items():
            got = np.frombuffer(run[name], dtype=np.float64)
            diff = np.abs(got - ref)
            # relative to the value, with zero equal to zero (both sides produce exact zeros on untouched flows)
            rel = np.divide(diff, np.abs(ref), out=np.where(diff == 0.0, 0.0, np.inf), where=ref != 0.0)
            m = float(rel.max())
            worst = max(worst, m)
            if run is single:
                print(f"     {name:<24} max relative difference {m:.2e}")
    ok = worst <= 1e-9
    verdict = f"max rel diff {worst:.1e} {'<=' if ok else '>'} 1e-9: {'AGREE' if ok else 'DISAGREE'}"
    print(f"     results {'agree' if ok else 'DO NOT agree'} to 1e-9 relative ({verdict})")
    record("SMART 10M flows, 1M markets: 1 thread", "numpy (vectorised)", peer_times, "1 thread", single["seconds"], verdict)
    record(
        f"SMART 10M flows: rayon ({os.cpu_count()} threads)",
        "numpy (vectorised)",
        peer_times,
        "rayon",
        par["seconds"],
        "(same check)",
    )
    return ok


# ---------------------------------------------------------------------------------------------------------------
# 3. Duty lookup: pandas merges against tradewar's schedule
# ---------------------------------------------------------------------------------------------------------------

MICRO = 1_000_000  # rates are compared as exact integers of millionths of a percentage point

# Section 232 (Proclamations 9705 and 9704, as of 2018-03-23), HS headings and subheadings; codes finer than
# HTS8 (aluminium 7616.99.5160/5170) cannot decide an HTS8 line's rate and are left out.
STEEL = [str(h) for h in range(7206, 7216)] + [
    "721610", "721621", "721622", "721631", "721632", "721633", "721640", "721650", "721699",
] + [str(h) for h in range(7217, 7230)] + ["730110", "730210", "730240", "730290", "7304", "7305", "7306"]
ALUMINIUM = ["7601", "7604", "7605", "7606", "7607", "7608", "7609"]

# The Section 301 lists' rates by date (USTR notices): [start, end) windows, end None for open.
LIST_RATES = [
    ("1", "2018-07-06", None, "25"),
    ("2", "2018-08-23", None, "25"),
    ("3", "2018-09-24", "2019-05-10", "10"),
    ("3", "2019-05-10", None, "25"),
    ("4A", "2019-09-01", "2020-02-14", "15"),
    ("4A", "2020-02-14", None, "7.5"),
    # 4B (15% from 2019-12-15) was suspended on the day it was due: never in force.
]


def micro(text: str) -> int:
    from decimal import Decimal

    v = Decimal(text) * MICRO
    if v != v.to_integral_value():
        raise ValueError(f"rate {text} is finer than a millionth of a percent")
    return int(v)


def duty_tables():
    """The tables a pandas user would merge: MFN by HTS8, and additional duties (hts8, start, end, rate)."""
    import numpy as np
    import pandas as pd

    mfn = pd.read_csv(DATA / "us_mfn_2017.csv", dtype=str, keep_default_na=False)
    mfn = mfn[mfn["hts8"].str[:2].astype(int) < 98]  # chapters 98/99 are special provisions, not products
    # The ad valorem part of the MFN duty (specific-only and text-only duties: 0).
    mfn = pd.DataFrame(
        {
            "hts8": mfn["hts8"].astype(np.int64),
            "mfn": [micro(v) if v else 0 for v in mfn["ad_valorem_pct"]],
        }
    )
    lists = pd.read_csv(DATA / "us_section301_lists.csv", dtype=str, keep_default_na=False)
    lists = lists[lists["hts"].str.len() == 8]  # HTS10 entries cover part of a line, not the line
    lists = pd.DataFrame({"hts8": lists["hts"].astype(np.int64), "list": lists["list"]})
    windows = pd.DataFrame(LIST_RATES, columns=["list", "start", "end", "rate"])
    windows["rate"] = windows["rate"].map(micro)
    s301 = lists.merge(windows, on="list")[["hts8", "start", "end", "rate"]]
    codes = mfn["hts8"].astype(str).str.zfill(8)
    s232 = []
    for prefixes, rate in ((STEEL, "25"), (ALUMINIUM, "10")):
        hit = codes.str.startswith(tuple(prefixes))
        s232.append(pd.DataFrame({"hts8": mfn["hts8"][hit], "start": "2018-03-23", "end": None, "rate": micro(rate)}))
    extra = pd.concat([s301, *s232], ignore_index=True)
    extra["start"] = pd.to_datetime(extra["start"])
    extra["end"] = pd.to_datetime(extra["end"].fillna("2262-04-11"))
    return mfn, extra


def pandas_lookup(customs, mfn, extra):
    """Total ad valorem duty (micro-percent) per customs line: MFN merged on HTS8, plus every additional duty
    whose list holds the line (merge on HTS8) and whose window holds the date."""
    import numpy as np

    base = customs.merge(mfn, on="hts8", how="left")["mfn"].fillna(0).to_numpy(np.int64)
    hits = customs[["hts8", "date"]].reset_index().merge(extra, on="hts8")
    hits = hits[(hits["date"] >= hits["start"]) & (hits["date"] < hits["end"])]
    add = hits.groupby("index")["rate"].sum()
    total = base.copy()
    total[add.index.to_numpy()] += add.to_numpy()
    return total


def bench_schedule(args: argparse.Namespace) -> bool:
    import numpy as np
    import pandas as pd
    from tradewar import _core

    n = 1_000_000
    print(f"\n[schedule] building {n:,} customs lines USA <- CHN, 2018-2020", flush=True)
    mfn, extra = duty_tables()
    rng = np.random.default_rng(20_180_706)
    hts8 = mfn["hts8"].to_numpy()[rng.integers(0, len(mfn), n)]
    dates = np.datetime64("2018-01-01") + rng.integers(0, 1096, n).astype("timedelta64[D]")
    customs = pd.DataFrame({"hts8": hts8, "date": pd.to_datetime(dates)})
    lines = [f"{c:08d}" for c in hts8.tolist()]
    date_str = dates.astype(str).tolist()
    reps = 1 if args.quick else 3
    peer_times = []
    ref = None
    for k in range(reps):
        print(f"[schedule] pandas run {k + 1}/{reps}", flush=True)
        start = time.perf_counter()
        ref = pandas_lookup(customs, mfn, extra)
        peer_times.append(time.perf_counter() - start)
    ours_reps = 1 if args.quick else 5
    print(f"[schedule] tradewar bulk query x{ours_reps}", flush=True)
    r = _core.bench_schedule_bulk("USA", "CHN", lines, date_str, repeats=ours_reps)
    got = np.frombuffer(r["total_micro_pct"], dtype=np.int64)
    mismatches = int((got != ref).sum())
    ok = mismatches == 0
    with_extra = int((ref != customs.merge(mfn, on="hts8", how="left")["mfn"].to_numpy()).sum())
    print(f"     lines with an additional duty: {with_extra:,} of {n:,}; mismatches: {mismatches}")
    verdict = f"mismatches = {mismatches}: {'IDENTICAL' if ok else 'DIFFERENT'}"
    record("Duty lookup, 1M customs lines", "pandas merges", peer_times, "", r["seconds"], verdict)
    return ok



# ---------------------------------------------------------------------------------------------------------------
# 4. PPML with high-dimensional fixed effects: pyfixest against tradewar
# ---------------------------------------------------------------------------------------------------------------

YOTOV = ROOT.parent / "shared" / "data" / "yotov-advanced-guide" / "chapter2_application2.csv"


def yotov_panel():
    """The Advanced Guide's panel, 1986-2006 every four years, with the book's pair effect (one per unordered
    international pair, one for all domestic pairs)."""
    import pandas as pd

    df = pd.read_csv(YOTOV)
    df = df[df["year"].isin([1986, 1990, 1994, 1998, 2002, 2006])].reset_index(drop=True)
    df["pair"] = ["domestic" if e == i else "-".join(sorted((e, i))) for e, i in zip(df["exporter"], df["importer"])]
    return df


def synthetic_panel(countries: int = 150, years: int = 10, seed: int = 7):
    """Homogeneous: every ordered pair (domestic included) in every year, 1,500 + 1,500 + 22,500 effects at the
    defaults; effects uniform (exporter-year and importer-year in [0, 3], pair in [-2, 0]); an RTA dummy switched on
    in the second half of the years for a seventh of the pairs; trade = exp(effects + 0.5 RTA) times lognormal
    noise, a tenth of the flows zero."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t, i, j = np.meshgrid(np.arange(years), np.arange(countries), np.arange(countries), indexing="ij")
    t, i, j = t.ravel(), i.ravel(), j.ravel()
    exp_year = i * years + t
    imp_year = j * years + t
    pair = i * countries + j
    rta = ((i != j) & ((i + j) % 7 == 0) & (t >= years // 2)).astype(float)
    eta = (
        3 * rng.random(countries * years)[exp_year]
        + 3 * rng.random(countries * years)[imp_year]
        - 2 * rng.random(countries * countries)[pair]
        + 0.5 * rta
    )
    trade = np.exp(eta + rng.normal(0, 0.5, eta.size)) * (rng.random(eta.size) >= 0.1)
    return pd.DataFrame({"trade": trade, "RTA": rta, "exp_year": exp_year, "imp_year": imp_year, "pair": pair})


def gravity_like_panel(countries: int = 150, years: int = 10, seed: int = 11):
    """Gravity-like: the same 1,500 + 1,500 + 22,500 effects, with sizes spanning orders of magnitude as real trade
    does (log GDP ~ N(0, 1.5^2) with country growth), pair effects -ln(distance) on a 100 x 100 plane plus noise
    and a domestic premium, an RTA between pairs closer than 20 from the sixth year, and Poisson counts of an
    overdispersed mean (gamma, shape 2): most small flows are zero, as in real panels."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t, i, j = np.meshgrid(np.arange(years), np.arange(countries), np.arange(countries), indexing="ij")
    t, i, j = t.ravel(), i.ravel(), j.ravel()
    size = rng.normal(0, 1.5, countries)
    growth = rng.normal(0.03, 0.02, countries)
    pos = rng.uniform(0, 100, (countries, 2))
    dist = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)) + 1.0
    np.fill_diagonal(dist, 0.5)
    noise = rng.normal(0, 0.5, (countries, countries))
    pair_fe = -np.log(dist) + (noise + noise.T) / 2 + 3.0 * np.eye(countries)
    rta = (((dist < 20) & ~np.eye(countries, dtype=bool))[i, j] & (t >= years // 2)).astype(float)
    eta = 1.0 + size[i] + growth[i] * t + size[j] + growth[j] * t + pair_fe[i, j] + 0.4 * rta
    mu = np.exp(eta)
    trade = rng.poisson(mu * rng.gamma(2.0, 0.5, mu.size)).astype(float)
    return pd.DataFrame(
        {"trade": trade, "RTA": rta, "exp_year": i * years + t, "imp_year": j * years + t, "pair": i * countries + j}
    )


def run_pyfixest(df, formula: str):
    import pyfixest as pf

    start = time.perf_counter()
    fit = pf.fepois(formula, data=df, vcov="hetero")
    table = fit.tidy()
    return time.perf_counter() - start, fit, table


def run_tradewar_ppml(df, fixed_effects, separation=None):
    import tradewar as tw

    start = time.perf_counter()
    fit = tw.ppml(df, "trade", ["RTA"], fixed_effects, small_sample="fixest", separation=separation)
    table = fit.coefficients.to_pandas()
    return time.perf_counter() - start, fit, table


def bench_ppml(args: argparse.Namespace) -> bool:
    cases = []
    if YOTOV.exists():
        cases.append(
            (
                "Yotov ch. 2 panel, 28,566 rows, 3 FE",
                yotov_panel,
                "trade ~ RTA | pair + exporter^year + importer^year",
                ["pair", ("exporter", "year"), ("importer", "year")],
            )
        )
    else:
        print(f"\n[PPML] SKIP the Yotov panel: {YOTOV} is absent (../shared/data is not checked out)")
    for name, build in [
        ("homogeneous synthetic panel, 225,000 rows, 1,500 + 1,500 + 22,500 FE", synthetic_panel),
        ("gravity-like synthetic panel, 225,000 rows, 1,500 + 1,500 + 22,500 FE", gravity_like_panel),
    ]:
        cases.append((name, build, "trade ~ RTA | exp_year + imp_year + pair", ["exp_year", "imp_year", "pair"]))
    ok = True
    for name, build, formula, fixed_effects in cases:
        reps = 1 if args.quick else 5
        print(f"\n[PPML] {name}: building inputs", flush=True)
        df = build()
        print(f"[PPML] {name}: pyfixest warm-up (numba compiles on first use; not timed)", flush=True)
        run_pyfixest(df, formula)
        peer_times, ours_times = [], []
        peer = ours = None
        for _ in range(reps):
            seconds, peer, _ = run_pyfixest(df, formula)
            peer_times.append(seconds)
        for _ in range(max(reps, 5)):
            seconds, ours, _ = run_tradewar_ppml(df, fixed_effects)
            ours_times.append(seconds)
        b_peer, b_ours = float(peer.coef()["RTA"]), ours.coef["RTA"]
        se_peer, se_ours = float(peer.se()["RTA"]), ours.se["RTA"]
        diff = abs(b_peer - b_ours)
        agree = diff <= 1e-7
        ok &= agree
        print(
            f"     RTA: pyfixest {b_peer:.10f} (SE {se_peer:.8f}, N {peer._N}), tradewar {b_ours:.10f} "
            f"(SE {se_ours:.8f}, N {ours.nobs}, {ours.iterations} IRLS iterations)"
        )
        print(f"     |coefficient difference| {diff:.1e}; SE relative difference {abs(se_ours / se_peer - 1):.1e}")
        verdict = f"|diff RTA| {diff:.1e} {'<=' if agree else '>'} 1e-7: {'AGREE' if agree else 'DISAGREE'}"
        record(f"PPML {name}", "pyfixest fepois", peer_times, "", ours_times, verdict)
        # tradewar checks separation as ppmlhdfe does (fixed effects, simplex, ReLU); pyfixest's default checks
        # fixed effects only. The same check on both sides:
        fe_times = []
        fe_only = None
        for _ in range(max(reps, 5)):
            seconds, fe_only, _ = run_tradewar_ppml(df, fixed_effects, separation=["fe"])
            fe_times.append(seconds)
        same = fe_only.nobs == ours.nobs and abs(fe_only.coef["RTA"] - b_ours) <= 1e-9
        ok &= same
        record(
            f"PPML {name}, fixed-effect separation check only on both sides",
            "pyfixest fepois",
            peer_times,
            "",
            fe_times,
            f"same N and RTA as the full check: {'YES' if same else 'NO'}",
        )
    return ok

# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# 4. Caliendo-Parro multi-sector GE: a vectorised numpy implementation of the same fixed point against tradewar
# ---------------------------------------------------------------------------------------------------------------
#
# The same exact-hat system and the same algorithm as tradewar's solver (wages in an outer loop with damped
# Anderson mixing, input costs and prices in an inner loop, spending from goods-market clearing; the inner
# tolerance tightening with the outer residual; the world wage bill as numeraire), written with numpy arrays:
# pi[j, n, i] (sector, importer, exporter), io[n, j, k] (region, user sector, input sector).

CP_TOL = 1e-12


class CpNumpy:
    """A Caliendo-Parro world in numpy arrays, from tradewar's `CaliendoParroWorld.coefficients()`."""

    def __init__(self, c: dict) -> None:
        import numpy as np

        n, j = len(c["regions"]), len(c["sectors"])
        self.n, self.j = n, j
        self.trade = np.asarray(c["trade"], dtype=float).reshape(j, n, n)
        self.tau0 = np.asarray(c["tariffs"], dtype=float).reshape(j, n, n)
        self.io = np.asarray(c["io"], dtype=float).reshape(n, j, j)
        self.gva = np.asarray(c["value_added_share"], dtype=float).reshape(n, j)
        self.alpha = np.asarray(c["final_share"], dtype=float).reshape(n, j)
        self.wl = np.asarray(c["labour_income"], dtype=float)
        self.deficits = np.asarray(c["deficits"], dtype=float)
        self.theta = np.asarray(c["theta"], dtype=float)
        spend = (self.trade * (1 + self.tau0)).sum(axis=2)
        self.x0 = spend
        self.pi0 = self.trade * (1 + self.tau0) / spend[:, :, None]

    def solve(self, tau1, deficits: str, theta=None, start=None) -> dict:
        """One exact-hat solve relative to the data."""
        import numpy as np

        th = self.theta if theta is None else theta
        d = self.deficits if deficits == "held" else np.zeros(self.n)
        with np.errstate(divide="ignore"):
            weight = self.pi0 * ((1 + tau1) / (1 + self.tau0)) ** (-th[:, None, None])
        net, duty = 1 / (1 + tau1), tau1 / (1 + tau1)
        io_t = self.io.transpose(0, 2, 1)  # [n, input, user]
        lnw = np.zeros(self.n) if start is None else start["lnw"].copy()
        lnp = np.zeros((self.j, self.n)) if start is None else start["lnp"].copy()
        x = self.x0.copy() if start is None else start["x"].copy()
        floor_x = 1e-9 * self.x0.mean()

        def costs(lnw, lnp):
            return (self.gva * lnw[:, None] + np.matmul(self.io, lnp.T[:, :, None])[:, :, 0]).T  # [j, i]

        def prices(lnc):
            ref = lnc.min(axis=1, keepdims=True)
            a = np.exp(-th[:, None] * (lnc - ref))
            s = np.einsum("jni,ji->jn", weight, a)
            return ref - np.log(s) / th[:, None], a, s

        def wage_map(lnw, lnp, x, tol):
            while True:
                lnc = costs(lnw, lnp)
                new, _, _ = prices(lnc)
                step = np.abs(new - lnp).max()
                lnp = new
                if step <= tol:
                    break
            lnc = costs(lnw, lnp)
            lnp, a, s = prices(lnc)
            pi = weight * a[:, None, :] / s[:, :, None]
            f, rshare = pi * net, (pi * duty).sum(axis=2)
            w = np.exp(lnw)
            while True:
                y = np.einsum("jni,jn->ji", f, x)
                income = w * self.wl + (rshare * x).sum(axis=0) + d
                new = (np.matmul(io_t, y.T[:, :, None])[:, :, 0] + self.alpha * income[:, None]).T
                step = (np.abs(new - x) / np.maximum(np.abs(new), floor_x)).max()
                x = new
                if step <= tol:
                    break
            y = np.einsum("jni,jn->ji", f, x)
            labour = (self.gva.T * y).sum(axis=0)
            g = np.log(labour * self.wl.sum() / labour.sum() / self.wl)
            return g, lnp, x, dict(lnc=lnc, pi=pi, y=y, income=income, revenue=(rshare * x).sum(axis=0))

        damping, memory = 0.5, 5
        xs, fs = [], []
        residual, best, since_best = np.inf, np.inf, 0
        floor = max(0.01 * CP_TOL, 1e-15)
        for _ in range(2000):
            inner = min(max(0.1 * residual, floor), 1e-4)
            g, lnp, x, _ = wage_map(lnw, lnp, x, inner)
            f = g - lnw
            res = np.abs(f).max()
            if res <= CP_TOL:
                break
            if res > 4 * best:
                xs, fs = [], []
            if res < best:
                best, since_best = res, 0
            else:
                since_best += 1
                if since_best > memory + 10:
                    damping, xs, fs, since_best, best = 0.5 * damping, [], [], 0, res
            residual = res
            xs.append(lnw.copy())
            fs.append(f.copy())
            xs, fs = xs[-(memory + 1):], fs[-(memory + 1):]
            new = lnw + damping * f
            if len(xs) > 1:
                dx = np.diff(np.array(xs), axis=0).T
                df = np.diff(np.array(fs), axis=0).T
                gamma = np.linalg.lstsq(df, f, rcond=None)[0]
                new = new - (dx + damping * df) @ gamma
            longest = np.abs(new - lnw).max()
            lnw = lnw + (new - lnw) * min(1.0, 0.5 / longest) if longest > 0 else new
        else:
            raise RuntimeError(f"numpy Caliendo-Parro did not converge (residual {res:.1e})")
        lnw = g
        _, lnp, x, extra = wage_map(lnw, lnp, x, floor)
        return dict(lnw=lnw, lnp=lnp, x=x, tau=tau1, **extra)

    def compare(self, base: dict, cf: dict) -> dict:
        """Welfare and its decomposition (percent of baseline income), real wages, trade at factory prices."""
        import numpy as np

        tb = base["x"][:, :, None] * base["pi"] / (1 + base["tau"])
        tc = cf["x"][:, :, None] * cf["pi"] / (1 + cf["tau"])
        c_hat = np.exp(cf["lnc"] - base["lnc"])  # [j, i]
        inc = base["income"]
        exports = tb.transpose(0, 2, 1)  # [j, region, partner]: region -> partner
        tot = ((exports * (c_hat[:, :, None] - 1)).sum(axis=(0, 2)) - (tb * (c_hat[:, None, :] - 1)).sum(axis=(0, 2))) / inc * 100
        ratio = np.divide(tc, tb, out=np.zeros_like(tb), where=tb > 0)
        vot = (base["tau"] * tb * (ratio - c_hat[:, None, :]) * (tb > 0)).sum(axis=(0, 2)) / inc * 100
        ln_p = (self.alpha * (cf["lnp"] - base["lnp"]).T).sum(axis=1)
        real_wage = (np.exp(cf["lnw"] - base["lnw"] - ln_p) - 1) * 100
        return dict(tot=tot, vot=vot, welfare=tot + vot, real_wage=real_wage, trade_b=tb, trade_c=tc)

    def counterfactual(self, tau1, deficits: str, theta=None) -> dict:
        base = self.solve(self.tau0, deficits, theta)
        cf = self.solve(tau1, deficits, theta, start=base)
        return self.compare(base, cf)


def cp_tariff_frame(world, cube):
    """The tariff cube as the DataFrame tradewar's public API takes (cells of traded sectors between regions)."""
    import pandas as pd

    regions, sectors = world.regions, world.sectors
    n = len(regions)
    traded = set(world.traded_sectors)
    rows = [
        (regions[m], regions[e], sectors[s], float(cube[s, m, e]))
        for s in range(len(sectors))
        if sectors[s] in traded
        for m in range(n)
        for e in range(n)
        if m != e
    ]
    return pd.DataFrame(rows, columns=["importer", "exporter", "sector", "tariff"])


def cp_synthetic(n: int, j: int):
    """A synthetic world of n countries and j sectors (two thirds traded), seeded, as national accounts, and a
    counterfactual: the first country raises its tariffs on every traded good by 10 points."""
    import numpy as np
    import tradewar

    rng = np.random.default_rng(1_993 + n * 100 + j)
    traded = 2 * j // 3
    size = 1 + 9 * rng.random(n)
    trade = size[None, :, None] * size[None, None, :] * rng.random((j, n, n))
    trade[traded:] = 0.0
    tariffs = 0.15 * rng.random((j, n, n))
    tariffs[traded:] = 0.0
    idx = np.arange(n)
    trade[:, idx, idx] = size[None, :] * (50 + 50 * rng.random((j, n)))
    tariffs[:, idx, idx] = 0.0
    intermediate = size[:, None, None] * rng.random((n, j, j))
    value_added = size[:, None] * j * (0.5 + rng.random((n, j)))
    final = 0.01 + rng.random((n, j))
    deficits = size * j * 0.2 * (rng.random(n) - 0.5)
    deficits -= deficits.mean()
    world = tradewar.CaliendoParroWorld.from_accounts(
        [f"C{k:02d}" for k in range(n)],
        [f"S{k:02d}" for k in range(j)],
        trade=trade,
        tariffs=tariffs,
        intermediate=intermediate,
        value_added=value_added,
        final_demand=final,
        deficits=deficits,
        theta=2 + 8 * rng.random(j),
    )
    cube = tariffs.copy()
    cube[:traded, 0, 1:] += 0.10
    return world, cube


def cp_agreement(world, ours, ref) -> float:
    """Largest absolute difference of the region results (percentage points) and relative of trade flows."""
    import numpy as np

    w = ours.welfare().to_pandas().set_index("region").loc[world.regions]
    worst = 0.0
    for col, key in (("terms_of_trade_pct", "tot"), ("volume_of_trade_pct", "vot"), ("welfare_pct", "welfare"), ("real_wage_pct", "real_wage")):
        worst = max(worst, float(np.abs(w[col].to_numpy() - ref[key]).max()))
    t = ours.trade().to_pandas()
    pos = {r: k for k, r in enumerate(world.regions)}
    sec = {s: k for k, s in enumerate(world.sectors)}
    s_i, m_i, e_i = (t.sector.map(sec).to_numpy(), t.importer.map(pos).to_numpy(), t.exporter.map(pos).to_numpy())
    rel = np.abs(t.trade_counterfactual.to_numpy() / ref["trade_c"][s_i, m_i, e_i] - 1)
    return max(worst, float(rel.max()))


def bench_cp(args: argparse.Namespace) -> bool:
    import numpy as np
    import tradewar

    ok = True
    cases = [("cp2015 31x40 NAFTA (1993 -> 2005 tariffs)", None), ("synthetic 31x40", (31, 40))]
    if not args.quick:
        cases.append(("synthetic 77x45 (OECD ICIO size)", (77, 45)))
    for name, size in cases:
        print(f"\n[CP] {name}: building inputs", flush=True)
        if size is None:
            world = tradewar.CaliendoParroWorld.cp2015()
            frame = world.nafta_2005_tariffs().to_pandas()
            peer = CpNumpy(world.coefficients())
            cube = peer.tau0.copy()
            pos = {r: k for k, r in enumerate(world.regions)}
            sec = {s: k for k, s in enumerate(world.sectors)}
            cube[frame.sector.map(sec), frame.importer.map(pos), frame.exporter.map(pos)] = frame.tariff.to_numpy()
        else:
            world, cube = cp_synthetic(*size)
            frame = cp_tariff_frame(world, cube)
            peer = CpNumpy(world.coefficients())
        reps = 1 if args.quick else 3
        peer_times, ref = [], None
        for k in range(reps):
            start = time.perf_counter()
            ref = peer.counterfactual(cube, "held")
            peer_times.append(time.perf_counter() - start)
            print(f"[CP] {name}: numpy run {k + 1}/{reps}: {fmt_s(peer_times[-1])}", flush=True)
        ours_reps = 3 if args.quick else 7
        times = {True: [], False: []}
        result = None
        for threads in (True, False):
            for _ in range(ours_reps):
                start = time.perf_counter()
                result = world.counterfactual(frame, deficits="held", threads=threads)
                result.welfare().to_pandas()
                times[threads].append(time.perf_counter() - start)
        worst = cp_agreement(world, result, ref)
        agree = worst <= 1e-9
        ok &= agree
        conv = result.convergence
        print(
            f"[CP] {name}: tradewar {conv['baseline']['wage_iterations']} + {conv['counterfactual']['wage_iterations']} "
            f"wage iterations, equation residual {conv['counterfactual']['equation_residual']:.1e}"
        )
        verdict = f"max diff {worst:.1e} {'<=' if agree else '>'} 1e-9: {'AGREE' if agree else 'DISAGREE'}"
        print(f"     results {'agree' if agree else 'DO NOT agree'} (welfare parts and real wages in points, trade relative): {verdict}")
        record(f"Caliendo-Parro {name}: baseline + counterfactual", "numpy (vectorised)", peer_times, "Python API, rayon", times[True], verdict)
        record(f"Caliendo-Parro {name}: one thread", "numpy (vectorised)", peer_times, "Python API, 1 thread", times[False], "(same check)")

    # Monte Carlo over theta on the NAFTA counterfactual: tradewar runs every draw (rayon over draws); numpy runs
    # the first few draws with the same theta (its time is per draw, measured), and the results are compared.
    draws = 100 if args.quick else 1000
    world = tradewar.CaliendoParroWorld.cp2015()
    frame = world.nafta_2005_tariffs().to_pandas()
    print(f"\n[CP] Monte Carlo: {draws} draws of theta (sd 20% of each theta), rayon over draws", flush=True)
    start = time.perf_counter()
    welfare, thetas = world.theta_monte_carlo(frame, sd=0.2, draws=draws, seed=2015, deficits="held")
    mc_time = time.perf_counter() - start
    print(f"[CP] Monte Carlo: tradewar {fmt_s(mc_time)} for {draws} draws ({fmt_s(mc_time / draws)} per draw)", flush=True)
    peer = CpNumpy(world.coefficients())
    cube = peer.tau0.copy()
    pos = {r: k for k, r in enumerate(world.regions)}
    sec = {s: k for k, s in enumerate(world.sectors)}
    cube[frame.sector.map(sec), frame.importer.map(pos), frame.exporter.map(pos)] = frame.tariff.to_numpy()
    w = welfare.to_pandas()
    th = thetas.to_pandas()
    check = 3 if args.quick else 5
    peer_times, worst = [], 0.0
    for k in range(check):
        theta = th[th.draw == k].theta.to_numpy()
        start = time.perf_counter()
        ref = peer.counterfactual(cube, "held", theta=theta)
        peer_times.append(time.perf_counter() - start)
        ours = w[w.draw == k].welfare_pct.to_numpy()
        worst = max(worst, float(np.abs(ours - ref["welfare"]).max()))
    agree = worst <= 1e-9
    ok &= agree
    verdict = f"{check} draws checked, max diff {worst:.1e} {'<=' if agree else '>'} 1e-9: {'AGREE' if agree else 'DISAGREE'}"
    print(f"     numpy per draw {fmt_s(median(peer_times))}; results {'agree' if agree else 'DO NOT agree'}: {verdict}")
    q = w.groupby("region").welfare_pct.quantile([0.05, 0.5, 0.95]).unstack().loc[["Mexico", "Canada", "USA"]]
    print("     welfare quantiles (5%, 50%, 95%) over the draws:")
    for region, row in q.iterrows():
        print(f"       {region:<8} {row[0.05]:+.4f} {row[0.5]:+.4f} {row[0.95]:+.4f}")
    record(
        f"Caliendo-Parro Monte Carlo, {draws} theta draws (per draw)",
        "numpy (vectorised)",
        peer_times,
        f"rayon ({os.cpu_count()} threads), {fmt_s(mc_time)} in all",
        [mc_time / draws],
        verdict,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition each, gegravity only at N = 30")
    parser.add_argument("--no-rebuild", action="store_true", help="keep the tradewar already in benchmarks/.venv")
    parser.add_argument(
        "--only",
        choices=["GE", "SMART", "schedule", "CP", "PPML"],
        action="append",
        help="run only these comparisons (repeatable)",
    )
    args = parser.parse_args()
    if not in_our_venv():
        bootstrap(args)
        return 0  # not reached: bootstrap re-executes this script
    import gegravity  # noqa: F401  (fail early)
    import numpy as np
    import pandas as pd
    import tradewar

    print("machine:")
    for ln in machine():
        print(f"  {ln}")
    print(f"  numpy {np.__version__}, pandas {pd.__version__}, gegravity 0.3, tradewar {tradewar.__version__}")
    benches = {"GE": bench_ge, "SMART": bench_smart, "schedule": bench_schedule, "CP": bench_cp, "PPML": bench_ppml}
    results = {name: bench(args) for name, bench in benches.items() if not args.only or name in args.only}
    if hasattr(os, "getloadavg"):
        print("\nload average at end (1/5/15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    head = ("benchmark", "peer (runs)", "peer median", "tradewar median (runs)", "peer / tradewar", "agreement")
    widths = [max(len(str(r[i])) for r in [head, *ROWS]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    print("\n" + line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in ROWS:
        print(line(r))
    print(
        "\nMedians of wall-clock seconds. tradewar is timed inside Rust around the kernel call (GIL released);"
        "\nthe peers around the same work in Python. gegravity's time covers OneSectorGE construction, baseline and"
        "\ncounterfactual (its N = 160 case runs once: about a minute per solve). Caliendo-Parro: tradewar timed in"
        "\nPython around the public call (DataFrame in, welfare DataFrame out), both solves (baseline, counterfactual). PPML is timed on both sides"
        "\naround the public Python call, DataFrame in, coefficient DataFrame out (pyfixest after a numba warm-up)."
    )
    failed = [k for k, v in results.items() if not v]
    if failed:
        print(f"\nAGREEMENT FAILED: {', '.join(failed)}")
        return 1
    print(
        "\nAll results agree: GE to 1e-6 relative, SMART to 1e-9 relative, duties identical, Caliendo-Parro to 1e-9,"
        " PPML to 1e-7."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
