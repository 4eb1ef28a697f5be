#!/usr/bin/env python3
"""Regenerate the embedded Caliendo-Parro (2015) world and its HS6 -> sector concordance.

Usage: python3 generate_cp2015.py [PATH_TO_SHARED_DATA]

PATH_TO_SHARED_DATA defaults to ../../../../shared/data relative to this script.  Output goes to
../data/cp2015 relative to this script.  Standard library only; deterministic output ("\n" line
endings, rows in model order, no timestamps), so a rerun gives byte-identical files.

Sources (both MIT; notices copied into data/cp2015/licences/):
  caliendo-parro-2015/   the cp2015 R package's data object (paulofelipe/cp2015, MIT), as CSV
  hs-isic-concordance/   HS 2017 / HS 2012 -> ISIC Rev. 3 (insongkim/concordance, MIT; WITS tables)
Not read: tariffs2005.txt and tariffs_2005_all_pairs.csv (their repository has no licence).

Numbers are written as the shortest decimal that reads back to the same double (Python's repr), so
the embedded world is bit for bit the package's data.  Hard checks stop the script.
"""

import collections
import csv
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "cp2015"))

# Caliendo and Parro's regions, in model order, with ISO 3166-1 alpha-3 codes ("Row": rest of world).
ECONOMIES = {
    "Argentina": "ARG", "Australia": "AUS", "Austria": "AUT", "Brazil": "BRA", "Canada": "CAN",
    "Chile": "CHL", "China": "CHN", "Denmark": "DNK", "Finland": "FIN", "France": "FRA",
    "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "India": "IND", "Indonesia": "IDN",
    "Ireland": "IRL", "Italy": "ITA", "Japan": "JPN", "Korea": "KOR", "Mexico": "MEX",
    "Netherlands": "NLD", "New Zealand": "NZL", "Norway": "NOR", "Portugal": "PRT",
    "South Africa": "ZAF", "Spain": "ESP", "Sweden": "SWE", "Turkey": "TUR", "UK": "GBR",
    "USA": "USA", "Row": "ROW",
}

# The 20 traded sectors of Caliendo and Parro (2015, Table 1), as ISIC Rev. 3 divisions.
TRADED = [
    ("Agriculture", ["01", "02", "05"]),  # agriculture, hunting, forestry, fishing
    ("Mining", ["10", "11", "12", "13", "14"]),
    ("Food", ["15", "16"]),  # food products, beverages, tobacco
    ("Textile", ["17", "18", "19"]),  # textiles, apparel, leather and footwear
    ("Wood", ["20"]),
    ("Paper", ["21", "22"]),  # paper; publishing and printing
    ("Petroleum", ["23"]),  # coke, refined petroleum, nuclear fuel
    ("Chemicals", ["24"]),
    ("Plastic", ["25"]),  # rubber and plastics
    ("Minerals", ["26"]),  # other non-metallic minerals
    ("Basic metals", ["27"]),
    ("Metal products", ["28"]),
    ("Machinery n.e.c", ["29"]),
    ("Office", ["30"]),  # office, accounting and computing machinery
    ("Electrical", ["31"]),
    ("Communication", ["32"]),  # radio, television and communication equipment
    ("Medical", ["33"]),  # medical, precision and optical instruments
    ("Auto", ["34"]),
    ("Other Transport", ["35"]),
    ("Other", ["36", "37"]),  # manufacturing n.e.c.; recycling
]
DIVISION = {d: s for s, ds in TRADED for d in ds}
# ISIC 40 (electricity, gas, steam) is Caliendo and Parro's non-traded "Electricity" sector: its HS
# lines (2705 coal gas, 2716 electrical energy, 2844.50 spent fuel) get no traded sector.
NON_TRADED_DIVISIONS = {"40"}


def fail(msg):
    raise SystemExit("generate_cp2015.py: check failed: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(name, header, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    print("  wrote %-24s %6d rows %9d bytes" % (name, len(rows), os.path.getsize(path)))
    return os.path.getsize(path)


def num(x):
    """Shortest round-trip decimal of a double; whole numbers without '.0'."""
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e17:
        return str(int(x))
    return repr(x)


def world(src):
    d = os.path.join(src, "caliendo-parro-2015")
    regions = [r["region"] for r in sorted(read_csv(os.path.join(d, "regions.csv")), key=lambda r: int(r["index"]))]
    sectors = [r["sector"] for r in sorted(read_csv(os.path.join(d, "sectors.csv")), key=lambda r: int(r["index"]))]
    check(len(regions) == 31 and len(sectors) == 40, "31 regions and 40 sectors")
    check(set(regions) == set(ECONOMIES), "region names as in ECONOMIES")
    check([s for s, _ in TRADED] == sectors[:20], "the first 20 sectors are the traded ones, in order")
    ri = {r: k for k, r in enumerate(regions)}
    si = {s: k for k, s in enumerate(sectors)}
    n, j = len(regions), len(sectors)
    sizes = 0

    sizes += write_csv("regions.csv", ["index", "region", "economy"],
                       [[k + 1, r, ECONOMIES[r]] for k, r in enumerate(regions)])
    isic = {s: "-".join([ds[0], ds[-1]]) if len(ds) > 1 else ds[0] for s, ds in TRADED}
    sizes += write_csv("sectors.csv", ["index", "sector", "isic_rev3", "traded"],
                       [[k + 1, s, isic.get(s, ""), 1 if k < 20 else 0] for k, s in enumerate(sectors)])
    theta = {r["sector"]: float(r["value"]) for r in read_csv(os.path.join(d, "theta.csv"))}
    sizes += write_csv("theta.csv", ["sector", "theta"], [[s, num(theta[s])] for s in sectors])

    trade = [[[0.0] * n for _ in range(n)] for _ in range(j)]
    t93 = [[[0.0] * n for _ in range(n)] for _ in range(j)]
    cfl = []
    rows = read_csv(os.path.join(d, "trade.csv"))
    check(len(rows) == j * n * n, "trade.csv has J x N x N rows")
    for r in rows:
        s, m, e = si[r["sector"]], ri[r["importer"]], ri[r["exporter"]]
        trade[s][m][e] = float(r["value"])
        t93[s][m][e] = float(r["tariff"])
        check(r["tariff_bln"] == r["tariff"], "tariff_bln equals tariff")
        check(float(r["d_bln"]) == 1.0 and float(r["d_cfl"]) == 1.0, "no iceberg changes")
        if r["tariff_cfl"] != r["tariff"]:
            cfl.append((s, m, e, float(r["tariff_cfl"])))
    for s in range(20, j):
        for m in range(n):
            for e in range(n):
                check(t93[s][m][e] == 0.0, "services carry no tariff")
                if m != e and trade[s][m][e] != 0.0:
                    check(abs(trade[s][m][e]) < 0.01, "services trade off the diagonal is rounding noise")
    # Services trade off the diagonal is float noise (at most 0.004 USD in all); the package keeps it,
    # and so do we, to stay bit for bit the same.
    hdr = [ECONOMIES[r] for r in regions]
    sizes += write_csv("trade.csv", ["sector", "importer"] + hdr,
                       [[s + 1, ECONOMIES[regions[m]]] + [num(v) for v in trade[s][m]] for s in range(j) for m in range(n)])
    sizes += write_csv("tariffs_1993.csv", ["sector", "importer"] + hdr,
                       [[s + 1, ECONOMIES[regions[m]]] + [num(v) for v in t93[s][m]] for s in range(20) for m in range(n)])
    nafta = {"Canada", "Mexico", "USA"}
    for s, m, e, _ in cfl:
        check(regions[m] in nafta and regions[e] in nafta, "2005 tariffs differ only inside NAFTA")
    sizes += write_csv("tariffs_nafta_2005.csv", ["sector", "importer", "exporter", "tariff"],
                       [[s + 1, ECONOMIES[regions[m]], ECONOMIES[regions[e]], num(t)] for s, m, e, t in sorted(cfl)])

    inter = [[[0.0] * j for _ in range(j)] for _ in range(n)]
    for r in read_csv(os.path.join(d, "intermediate_consumption.csv")):
        inter[ri[r["region"]]][si[r["sector"]]][si[r["input"]]] = float(r["value"])
    sizes += write_csv("intermediate.csv", ["region", "sector"] + ["input %d" % (k + 1) for k in range(j)],
                       [[ECONOMIES[regions[m]], s + 1] + [num(v) for v in inter[m][s]] for m in range(n) for s in range(j)])
    va = {(ri[r["region"]], si[r["sector"]]): float(r["value"]) for r in read_csv(os.path.join(d, "value_added.csv"))}
    fd = {(ri[r["region"]], si[r["sector"]]): float(r["value"]) for r in read_csv(os.path.join(d, "final_consumption.csv"))}
    check(len(va) == n * j and len(fd) == n * j, "value added and final demand for every region and sector")
    sizes += write_csv("accounts.csv", ["region", "sector", "value_added", "final_demand"],
                       [[ECONOMIES[regions[m]], s + 1, num(va[m, s]), num(fd[m, s])] for m in range(n) for s in range(j)])
    dd = {r["region"]: float(r["D"]) for r in read_csv(os.path.join(d, "deficit.csv"))}
    sizes += write_csv("deficits.csv", ["region", "deficit"], [[ECONOMIES[r], num(dd[r])] for r in regions])

    # Control totals of the README.
    wva = sum(va.values())
    check(abs(wva - 2.4915e13) / 2.4915e13 < 1e-4, "world value added 2.4915e13 (got %g)" % wva)
    us = ri["USA"]
    check(abs(trade[0][ri["Mexico"]][us] + sum(trade[s][ri["Mexico"]][us] for s in range(1, 20)) - 4.2890e10) < 1e7,
          "USA -> Mexico goods 4.2890e10")
    print("    world value added %.4e; NAFTA 2005 cells %d; sum of deficits %g" % (wva, len(cfl), sum(dd.values())))
    return sectors, sizes


def concordance(src, sectors):
    d = os.path.join(src, "hs-isic-concordance")
    rows17 = read_csv(os.path.join(d, "hs2017_isic3.csv"))
    rows12 = read_csv(os.path.join(d, "hs2012_isic3.csv"))
    check(len(rows17) == 5388 and len(rows12) == 5205, "row counts of the concordance files")

    def direct(isic4):
        return DIVISION.get(isic4[:2]) if isic4 else None

    def majority(rows, key, code_key, prefix_len, code):
        votes = collections.Counter(direct(r["ISIC3_4d"]) for r in rows
                                    if r[code_key][:prefix_len] == code[:prefix_len] and direct(r["ISIC3_4d"]))
        if not votes:
            return None
        best = max(votes.values())
        return sorted(s for s, c in votes.items() if c == best)[0]

    out = []
    rules = collections.Counter()
    indirect = []
    for revision, rows, key in (("HS2017", rows17, "HS5_6d"), ("HS2012", rows12, "HS4_6d")):
        for r in rows:
            code, isic4 = r[key], r["ISIC3_4d"]
            check(len(code) == 6 and code.isdigit(), "HS6 code %r" % code)
            if code == "999999":
                continue  # "commodities not specified": no product, no sector
            if isic4[:2] in NON_TRADED_DIVISIONS:
                rules["non-traded (ISIC 40)"] += 1
                indirect.append((revision, code, isic4, "", "non-traded"))
                continue
            s, rule = direct(isic4), "isic"
            if s is None:
                # Goods the WITS table files under 9999 (waste and scrap, residues) or under service
                # divisions (74 photographs and plans, 92 films and works of art, 93 human hair): the
                # sector most subheadings of the same heading map to, else of the chapter, else Other.
                s, rule = majority(rows, key, key, 4, code), "heading"
                if s is None:
                    s, rule = majority(rows, key, key, 2, code), "chapter"
                if s is None:
                    s, rule = "Other", "other"
                indirect.append((revision, code, isic4, s, rule))
            rules[rule] += 1
            out.append((revision, code, isic4, s, rule))
    # HS2012 codes that HS2017 also has keep the HS2017 row (same code, same products in both revisions
    # for the codes carried over); only codes HS2017 dropped are added from HS2012.
    seen17 = {c for rev, c, *_ in out if rev == "HS2017"}
    conflicts = sum(1 for rev, c, i, s, _ in out if rev == "HS2012" and c in seen17 and
                    s != next(x[3] for x in out if x[0] == "HS2017" and x[1] == c))
    final = [r for r in out if r[0] == "HS2017" or r[1] not in seen17]
    check(all(s in sectors[:20] for _, _, _, s, _ in final), "every mapped code goes to a traded sector")
    size = write_csv("hs6_sectors.csv", ["hs_revision", "hs6", "isic_rev3", "sector", "rule"],
                     [list(r) for r in sorted(final, key=lambda r: (r[1], r[0]))])
    print("    rules (both revisions):", dict(sorted(rules.items())))
    print("    HS2012 codes also in HS2017 with another sector: %d (the HS2017 row is kept)" % conflicts)
    print("    mapped without an ISIC goods division (HS2017 rows):")
    for rev, code, isic4, s, rule in indirect:
        if rev == "HS2017":
            print("      %s %-5s -> %-16s (%s)" % (code, isic4 or "none", s or "no traded sector", rule))
    return size


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
    check(os.path.isdir(os.path.join(src, "caliendo-parro-2015")), "shared data folder at %s" % src)
    os.makedirs(os.path.join(OUT, "licences"), exist_ok=True)
    print("Caliendo-Parro 2015 world:")
    sectors, size = world(src)
    print("HS6 -> sector concordance:")
    size += concordance(src, sectors)
    for f in ("cp2015.MIT.txt", "concordance.MIT.md"):
        shutil.copyfile(os.path.join(src, "licences", f), os.path.join(OUT, "licences", f))
    print("total %d bytes of data files" % size)


if __name__ == "__main__":
    main(sys.argv)
