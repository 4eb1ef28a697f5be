"""Independent solution of GSIM's four-region example, both forms.

The documentation's example (DESIGN.md section 4.3; Francois & Hall 2003): regions US, JP,
EU, RW; rows exporters, columns importers; trade at world prices; tariffs as power factors
1 + t; E_m = -1.25, E_s = 5, E_x = 1.5 everywhere; experiment: US-EU free trade (both
factors set to 1.00).

Written from the model's equations with the Python standard library only, sharing no code
with the Rust kernel (crates/tradewar-models/src/gsim.rs):

- the percentage-change form is built from Francois & Hall's own- and cross-price demand
  elasticities (eta_rv,rv = N_rv E_m - (1 - N_rv) E_s; eta_rv,sv = N_sv (E_m + E_s)) and
  solved EXACTLY in rational arithmetic (fractions.Fraction, Gaussian elimination), so its
  printed digits are all correct;
- the levels (constant-elasticity) form is solved in 50-digit decimal arithmetic by Newton
  on the market-clearing conditions in levels, with a finite-difference Jacobian (the kernel
  works in logs with an analytic Jacobian).

Run: python3 crates/tradewar-models/tests/reference/gsim_four_region.py
Its output is pasted into crates/tradewar-models/tests/pe_published.rs and
python/tests/test_gsim_forms.py.
"""

from __future__ import annotations

from decimal import Decimal, getcontext
from fractions import Fraction as F

REGIONS = ["US", "JP", "EU", "RW"]
TRADE = [
    ["0", "50", "200", "300"],
    ["500", "0", "150", "200"],
    ["300", "100", "200", "200"],
    ["50", "100", "110", "20"],
]
TARIFFS = [
    ["1.00", "1.21", "1.41", "1.22"],
    ["1.37", "1.00", "1.31", "1.23"],
    ["1.32", "1.36", "1.00", "1.18"],
    ["1.57", "1.41", "1.25", "1.15"],
]
EM, ES, EX = "-1.25", "5", "1.5"
US, EU = 0, 2
N = 4


def after(t0: list[list[str]]) -> list[list[str]]:
    t1 = [row[:] for row in t0]
    t1[US][EU] = "1.00"
    t1[EU][US] = "1.00"
    return t1


def solve(a: list[list], b: list) -> list:
    """Gaussian elimination with pivoting on the largest magnitude (exact for Fractions)."""
    n = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [a[i][n] / a[i][i] for i in range(n)]


def linear() -> dict[str, list]:
    m = [[F(x) for x in row] for row in TRADE]
    t0 = [[F(x) for x in row] for row in TARIFFS]
    t1 = [[F(x) for x in row] for row in after(TARIFFS)]
    em, es, ex = F(EM), F(ES), F(EX)
    x0 = [sum(m[r]) for r in range(N)]
    q0 = [sum(t0[r][v] * m[r][v] for r in range(N)) for v in range(N)]
    share = [[t0[r][v] * m[r][v] / q0[v] for v in range(N)] for r in range(N)]
    that = [[t1[r][v] / t0[r][v] - 1 for v in range(N)] for r in range(N)]

    def eta(r: int, s: int, v: int) -> F:
        if r == s:
            return share[r][v] * em - (1 - share[r][v]) * es
        return share[s][v] * (em + es)

    # sum_v M_rv [sum_s eta(r,s,v) (T^_sv + p_s)] = X_r E_x p_r, linear in p.
    a = [[F(0)] * N for _ in range(N)]
    b = [F(0)] * N
    for r in range(N):
        for v in range(N):
            for s in range(N):
                a[r][s] += m[r][v] * eta(r, s, v)
                b[r] -= m[r][v] * eta(r, s, v) * that[s][v]
        a[r][r] -= x0[r] * ex
    p = solve(a, b)
    mhat = [[sum(eta(r, s, v) * (that[s][v] + p[s]) for s in range(N)) for v in range(N)] for r in range(N)]
    index = [sum(share[s][v] * (that[s][v] + p[s]) for s in range(N)) for v in range(N)]
    volume = [[m[r][v] * (1 + mhat[r][v]) for v in range(N)] for r in range(N)]
    value = [[volume[r][v] * (1 + p[r]) for v in range(N)] for r in range(N)]
    cs = [-q0[v] * index[v] - F(1, 2) * (em * q0[v] * index[v]) * index[v] for v in range(N)]
    ps = [x0[r] * p[r] + F(1, 2) * (ex * x0[r] * p[r]) * p[r] for r in range(N)]
    rev = [
        sum((t1[r][v] - 1) * value[r][v] - (t0[r][v] - 1) * m[r][v] for r in range(N)) for v in range(N)
    ]
    welfare = [cs[i] + ps[i] + rev[i] for i in range(N)]
    return {"world_price": p, "import_price": index, "cs": cs, "ps": ps, "revenue": rev, "welfare": welfare,
            "trade_after": value, "volume_after": volume}


def levels() -> dict[str, list]:
    getcontext().prec = 50
    D = Decimal
    m = [[D(x) for x in row] for row in TRADE]
    t0 = [[D(x) for x in row] for row in TARIFFS]
    t1 = [[D(x) for x in row] for row in after(TARIFFS)]
    em, es, ex = D(EM), D(ES), D(EX)
    one = D(1)
    x0 = [sum(m[r]) for r in range(N)]
    q0 = [sum(t0[r][v] * m[r][v] for r in range(N)) for v in range(N)]
    share = [[t0[r][v] * m[r][v] / q0[v] for v in range(N)] for r in range(N)]

    def pw(x: Decimal, y: Decimal) -> Decimal:
        return (y * x.ln()).exp()

    def index(p: list[Decimal]) -> list[Decimal]:
        # CES price index of the importer's composite, baseline 1.
        return [
            pw(sum(share[s][v] * pw(t1[s][v] / t0[s][v] * p[s], one - es) for s in range(N) if share[s][v] > 0),
               one / (one - es))
            for v in range(N)
        ]

    def demand(p: list[Decimal]) -> list[list[Decimal]]:
        idx = index(p)
        return [
            [
                m[r][v] * pw(t1[r][v] / t0[r][v] * p[r] / idx[v], -es) * pw(idx[v], em) if m[r][v] > 0 else D(0)
                for v in range(N)
            ]
            for r in range(N)
        ]

    def excess(p: list[Decimal]) -> list[Decimal]:
        d = demand(p)
        return [sum(d[r]) / (x0[r] * pw(p[r], ex)) - one for r in range(N)]

    p = [one] * N
    h = D("1e-22")
    for _ in range(100):
        f = excess(p)
        if max(abs(x) for x in f) < D("1e-45"):
            break
        jac = [[D(0)] * N for _ in range(N)]
        for s in range(N):
            q = p[:]
            q[s] += h
            g = excess(q)
            for r in range(N):
                jac[r][s] = (g[r] - f[r]) / h
        step = solve(jac, [-x for x in f])
        p = [a + b for a, b in zip(p, step)]
    else:
        raise SystemExit("levels form: Newton did not converge")
    idx = index(p)
    volume = demand(p)
    value = [[volume[r][v] * p[r] for v in range(N)] for r in range(N)]
    cs = [-q0[v] * (pw(idx[v], one + em) - one) / (one + em) for v in range(N)]
    ps = [x0[r] * (pw(p[r], one + ex) - one) / (one + ex) for r in range(N)]
    rev = [
        sum((t1[r][v] - 1) * value[r][v] - (t0[r][v] - 1) * m[r][v] for r in range(N)) for v in range(N)
    ]
    welfare = [cs[i] + ps[i] + rev[i] for i in range(N)]
    return {"world_price": [x - one for x in p], "import_price": [x - one for x in idx], "cs": cs, "ps": ps,
            "revenue": rev, "welfare": welfare, "trade_after": value, "volume_after": volume}


def show(name: str, res: dict[str, list]) -> None:
    print(f"{name}:")
    for key in ("world_price", "import_price", "cs", "ps", "revenue", "welfare"):
        print(f"  {key:13} " + "  ".join(f"{REGIONS[i]} {float(x):+.14e}" for i, x in enumerate(res[key])))
    for key in ("trade_after", "volume_after"):
        for r in range(N):
            row = "  ".join(f"{float(x):.14e}" for x in res[key][r])
            print(f"  {key:13} from {REGIONS[r]}: {row}")


if __name__ == "__main__":
    show("linear (exact rational solution, rounded)", linear())
    show("levels (50-digit Newton, rounded)", levels())
