#!/usr/bin/env python3
"""Regenerate the compact embedded data files of tradewar-data.

Usage: python3 generate.py [PATH_TO_SHARED_DATA]

PATH_TO_SHARED_DATA defaults to ../../../../shared/data relative to this
script (i.e. the shared/data folder next to the repository).  Output goes to
../data relative to this script.  Standard library only; the output is
deterministic (sorted rows, "\n" line endings, no timestamps), so a rerun
produces byte-identical files.

Only shippable sources are read: US government data (public domain), MIT
licensed files (their notice is copied into data/licences/) and the Chinese
government notice of 2018-04-01.  Hard checks raise an error; measured numbers
are printed as a report (they are quoted in data/PROVENANCE.md).
"""

import collections
import csv
import os
import re
import shutil
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data"))


# ----------------------------------------------------------------------------
# helpers


def fail(msg):
    raise SystemExit("generate.py: check failed: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def read_csv(src, rel):
    path = os.path.join(src, rel)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(name, header, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    print("  wrote %-36s %7d rows %9d bytes" % (name, len(rows), os.path.getsize(path)))
    return len(rows)


def num(d):
    """Plain decimal text: no exponent, no trailing zeros, no '-0'."""
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def usd_int(text, what):
    d = Decimal(text)
    check(d == d.to_integral_value(), "%s: value %s is not whole dollars" % (what, text))
    return int(d)


def report(*parts):
    print("    " + " ".join(str(p) for p in parts))


# ----------------------------------------------------------------------------
# 1. US-China trade (Census via UN Comtrade)

HS_REV = {"H4": "HS2012", "H5": "HS2017"}
FLOW = {"X": ("USA", "CHN", "fob"), "M": ("CHN", "USA", "cif")}


def us_china_trade(src):
    print("us-china trade")
    rows = read_csv(src, "us-china-trade-comtrade/us_china_comtrade_hs6_2015_2021.csv")
    out = []
    seen = set()
    dropped_zero = 0
    hs6_sum = collections.Counter()
    hs6_sum_specified = collections.Counter()
    for r in rows:
        check(r["reporter"] == "USA" and r["partner"] == "CHN", "reporter/partner")
        check(r["hs_digits"] == "6" and len(r["hs_code"]) == 6 and r["hs_code"].isdigit(),
              "hs6 code %r" % r["hs_code"])
        check(r["hs_revision"] in HS_REV, "hs_revision %r" % r["hs_revision"])
        exporter, importer, basis = FLOW[r["flow"]]
        if r["flow"] == "M":
            check(r["primary_value_usd"] == r["cif_value_usd"],
                  "M row primary != cif: %r" % r)
        else:
            check(r["primary_value_usd"] == r["fob_value_usd"],
                  "X row primary != fob: %r" % r)
        v = usd_int(r["primary_value_usd"], "hs6 %s" % r["hs_code"])
        check(v >= 0, "negative value")
        if v == 0:
            dropped_zero += 1
            continue
        key = (r["year"], exporter, r["hs_code"])
        check(key not in seen, "duplicate %r" % (key,))
        seen.add(key)
        hs6_sum[(r["year"], exporter)] += v
        if r["hs_code"] != "999999":
            hs6_sum_specified[(r["year"], exporter)] += v
        out.append((r["year"], exporter, importer, HS_REV[r["hs_revision"]], r["hs_code"], v, basis))
    out.sort(key=lambda t: (t[0], t[1], t[4]))
    write_csv("us_china_trade_hs6.csv",
              ["year", "exporter", "importer", "hs_revision", "hs6", "value_usd", "basis"], out)
    report("source rows", len(rows), "zero rows dropped", dropped_zero,
           "M primary==cif and X primary==fob on every row; all values whole dollars")

    trows = read_csv(src, "us-china-trade-comtrade/us_china_comtrade_totals_2015_2021.csv")
    tout = []
    for r in trows:
        exporter, importer, basis = FLOW[r["flow"]]
        tout.append((r["year"], exporter, importer, usd_int(r["primary_value_usd"], "total"), basis))
    tout.sort()
    write_csv("us_china_trade_totals.csv",
              ["year", "exporter", "importer", "value_usd", "basis"], tout)
    report("HS6 sum vs reported total (year exporter: total | HS6 sum incl. 999999 | "
           "shortfall of specified HS6 = 999999 residual, share):")
    for year, exporter, _imp, total, _b in tout:
        k = (year, exporter)
        short = total - hs6_sum_specified[k]
        report("  %s %s: %d | %d (diff %d) | %d (%.2f%%)" % (
            year, exporter, total, hs6_sum[k], total - hs6_sum[k], short, 100.0 * short / total))

    census = [
        ("us_exports_2017_first_published", "USA", "CHN", 130400000000, "fob",
         "US Census Bureau, FT-900 annual 2017 (first published February 2018), rounded to $0.1B"),
        ("us_general_imports_2017_first_published", "CHN", "USA", 505600000000, "customs",
         "US Census Bureau, FT-900 annual 2017 (first published February 2018), rounded to $0.1B"),
    ]
    write_csv("census_2017_totals.csv",
              ["series", "exporter", "importer", "value_usd", "basis", "source"], census)
    return hs6_sum


# ----------------------------------------------------------------------------
# 1b. Unit values: the quantities of the same flows

# UN Comtrade's units of quantity that the library reads (QuantityUnit).
QTY_UNITS = {"u", "2u", "12u", "1000u", "U (jeu/pack)", "kg", "l", "m", "m²", "m³", "carat"}


def unit_values(src):
    print("unit values")
    rows = read_csv(src, "us-china-trade-comtrade/us_china_comtrade_hs6_2015_2021.csv")
    out = []
    seen = set()
    no_quantity = 0
    units = collections.Counter()
    weights = 0

    def positive(text, what):
        if text == "":
            return None
        d = Decimal(text)
        check(d >= 0, "%s: negative %s" % (what, text))
        return d if d > 0 else None

    for r in rows:
        if r["hs_code"] == "999999":     # not a product: no unit value
            continue
        exporter, importer, basis = FLOW[r["flow"]]
        v = usd_int(r["primary_value_usd"], "hs6 %s" % r["hs_code"])
        if v == 0:
            continue
        where = "%s %s %s" % (r["year"], r["flow"], r["hs_code"])
        w = positive(r["net_weight_kg"], where + " net weight")
        q = positive(r["qty"], where + " qty")
        unit = r["qty_unit"]
        if unit == "N/A":
            check(q is None, "%s: a quantity without a unit" % where)
        elif q is not None:
            check(unit in QTY_UNITS, "%s: unknown unit %r" % (where, unit))
        if w is None and q is None:
            no_quantity += 1
            continue
        key = (r["year"], exporter, r["hs_code"])
        check(key not in seen, "duplicate %r" % (key,))
        seen.add(key)
        weights += w is not None
        if q is not None:
            units[unit] += 1
        out.append((r["year"], exporter, importer, r["hs_code"], v, basis,
                    "" if w is None else num(w), "" if q is None else num(q), "" if q is None else unit))
    out.sort(key=lambda t: (t[0], t[1], t[3]))
    write_csv("us_china_unit_values_hs6.csv",
              ["year", "exporter", "importer", "hs6", "value_usd", "basis", "net_weight_kg", "qty", "qty_unit"], out)
    report("flows with a net weight or a quantity", len(out), "of which with a net weight", weights,
           "without either (left out)", no_quantity)
    report("quantity units:", ", ".join("%s=%d" % (u, n) for u, n in sorted(units.items(), key=lambda t: -t[1])))
    by_year = collections.Counter((t[0], t[1]) for t in out)
    report("flows by year and exporter:", ", ".join("%s %s=%d" % (y, e, n) for (y, e), n in sorted(by_year.items())))


# ----------------------------------------------------------------------------
# 2. US MFN 2017 (USITC tariff database)

SENTINEL = Decimal("9999.999999")

# Numeric fields of the source that disagree with the legal text of the rate,
# corrected to the text: hts8 -> (text, field in the source, value written).
SPECIFIC_FIXES = {"22042260": ("14¢/liter", Decimal("0.014"), Decimal("0.14"))}

AMOUNT = re.compile(r"^(?:\$(?P<usd>\d+(?:\.\d+)?)|(?P<cents>\d+(?:\.\d+)?)\s*(?:cents|¢))\s*(?P<rest>.*)$")
PCT = re.compile(r"^(?P<pct>\d+(?:\.\d+)?)%$")


def components(text):
    """The parts of a USITC text rate: ('pct', Decimal) or ('amount', usd Decimal, unit text, raw)."""
    out = []
    for part in re.split(r"\s*\+\s*", text.strip()):
        m = PCT.match(part)
        if m:
            out.append(("pct", Decimal(m["pct"]), None, part))
            continue
        m = AMOUNT.match(part)
        if not m:
            return None
        usd = Decimal(m["usd"]) if m["usd"] else Decimal(m["cents"]) / 100
        rest = m["rest"].strip()
        if rest == "each":
            unit = "each"
        elif rest.startswith("/"):
            unit = re.sub(r"\s+", " ", rest[1:].strip())
        else:
            return None
        out.append(("amount", usd, unit, part))
    return out


def specific_unit(text, spec, other):
    """The unit the specific amount is per, from the text rate; with the text
    of an 'other' part appended. None when the text does not fit the numbers."""
    comps = components(text)
    if comps is None:
        return None
    amounts = [c for c in comps if c[0] == "amount"]
    mine = None
    for c in amounts:
        if c[1] == spec:
            mine = c
            unit = c[2]
            break
        if c[2] == "1000" and c[1] / 1000 == spec:
            # "89.6 cents/1000" (bulbs) is stored per item: 0.000896
            mine = c
            unit = "each"
            break
    if mine is None:
        return None
    rest = [c for c in amounts if c is not mine]
    if other:
        if len(rest) != 1 or rest[0][1] != other:
            return None
        return unit + " + " + rest[0][3]
    if rest:
        return None
    return unit


def us_mfn(src):
    print("us mfn 2017")
    rows = read_csv(src, "section301-usitc/tariff_database_2017.csv")
    # The annual file holds two rows for HTS8 lines whose rate changed during
    # 2017; keep the row in force at the end of 2017 (what applied on the eve
    # of the trade war).
    by = {}
    expired = 0
    for r in rows:
        check(len(r["hts8"]) == 8 and r["hts8"].isdigit(), "hts8 %r" % r["hts8"])
        if r["end_effective_date"] < "2017-12-31":
            expired += 1
            continue
        check(r["hts8"] not in by, "two rows in force on 2017-12-31 for %s" % r["hts8"])
        by[r["hts8"]] = r
    sentinel = 0
    checked_pct = 0
    units = collections.Counter()
    unparsed = []
    out = []

    def dec_field(text):
        if text == "":
            return ""
        d = Decimal(text)
        return d

    for h in sorted(by):
        r = by[h]
        adv, spec, oth = (dec_field(r[k]) for k in ("mfn_ad_val_rate", "mfn_specific_rate", "mfn_other_rate"))
        if SENTINEL in (adv, spec, oth):
            check(adv == spec == oth == SENTINEL, "partial sentinel on %s" % h)
            sentinel += 1
            adv = spec = oth = ""
        text = r["mfn_text_rate"]
        if text.endswith("%") and text[:-1].replace(".", "", 1).isdigit():
            check(adv != "" and adv * 100 == Decimal(text[:-1]),
                  "%s: text %s vs ad valorem fraction %s" % (h, text, adv))
            checked_pct += 1
        if h in SPECIFIC_FIXES:
            fix_text, fix_from, fix_to = SPECIFIC_FIXES[h]
            check(text == fix_text and spec == fix_from, "%s: the fix of its specific rate no longer applies" % h)
            spec = fix_to
        # The unit the specific amount is per, read off the text: the
        # quantity_1 code is the statistical unit, often another one (1 cent/kg on
        # live cattle counted by number).
        sunit = ""
        if spec not in ("", 0):
            sunit = specific_unit(text, spec, None if oth in ("", 0) else oth)
            if sunit is None:
                unparsed.append(h)
                sunit = ""
            else:
                units[sunit] += 1
        out.append((h, r["mfn_rate_type_code"],
                    "" if adv == "" else num(adv * 100),
                    "" if spec == "" else num(spec),
                    "" if oth == "" else num(oth),
                    r["quantity_1_code"], text, r["brief_description"], sunit))
    check(all(h[:2] in ("98", "99") for h in unparsed),
          "specific rates whose text does not fit: %r" % [h for h in unparsed if h[:2] not in ("98", "99")])
    write_csv("us_mfn_2017.csv",
              ["hts8", "rate_type", "ad_valorem_pct", "specific_usd", "other_usd", "unit", "text",
               "description", "specific_unit"], out)
    report("source rows", len(rows), "rows ended before 2017-12-31 dropped", expired,
           "HTS8 kept", len(out), "sentinel 9999.999999 rows blanked", sentinel,
           "pure 'x%' text rates equal to 100*fraction", checked_pct)
    report("specific rates corrected to their text:", ", ".join(
        "%s %s (field %s -> %s)" % (h, t, a, b) for h, (t, a, b) in sorted(SPECIFIC_FIXES.items())))
    report("units of the specific parts (from the text):", ", ".join(
        "%s=%d" % (u, n) for u, n in sorted(units.items(), key=lambda t: (-t[1], t[0]))))
    report("specific rates whose text gives no unit (chapter 98/99 only):", len(unparsed), unparsed)
    return {h: by[h] for h in by}


# ----------------------------------------------------------------------------
# 3. Section 301 lists (USITC China Tariffs table, 2020-01-01)

LIST_CODE = {"List 1": "1", "List 2": "2", "List 3": "3", "List 4A": "4A", "List 4B": "4B"}
EXPECTED_301 = {("1", 8): 818, ("2", 8): 279, ("3", 8): 5759, ("3", 10): 43,
                ("4A", 8): 3229, ("4A", 10): 14, ("4B", 8): 542, ("4B", 10): 13}


def section301(src):
    print("section 301 lists")
    rows = read_csv(src, "section301-usitc/china_tariffs_ch99_headings_2020-01-01.csv")
    out = set()
    for r in rows:
        digits = r["hts_digits"]
        check(digits.isdigit() and len(digits) in (8, 10), "hts %r" % digits)
        check(digits == r["hts"].replace(".", ""), "hts vs digits %r" % r)
        out.add((digits, LIST_CODE[r["list"]], r["heading"]))
    check(len(out) == len(rows), "duplicate rows")
    counts = collections.Counter((l, len(h)) for h, l, _ in out)
    check(dict(counts) == EXPECTED_301, "list counts %r" % dict(counts))
    heads = collections.Counter((l, hd) for _, l, hd in out)
    out = sorted(out, key=lambda t: (t[0], t[1]))
    write_csv("us_section301_lists.csv", ["hts", "list", "heading"], out)
    report("counts (list, digits):", ", ".join("%s/%d=%d" % (k[0], k[1], counts[k]) for k in sorted(counts)))
    report("headings:", ", ".join("%s %s=%d" % (k[0], k[1], heads[k]) for k in sorted(heads)))


# ----------------------------------------------------------------------------
# 4. China's tariffs on US goods

CN_SRC = "china-retaliation-piie/new_tariff_list_2020.csv"   # Waugh, MIT
Q3 = Decimal("0.001")

# What each source date stands for, and the date used in the decomposition.
EFFECTIVE = {"2019-01-02": "2019-01-01"}
DATE_CLASS = {
    "2018-01-01": "base",
    "2018-04-02": "new_wave",
    "2018-05-01": "mfn",
    "2018-07-01": "mfn",
    "2018-07-06": "new_wave",
    "2018-08-23": "new_wave",
    "2018-09-24": "new_wave",
    "2018-11-01": "mfn",
    "2019-01-02": "auto_suspension_or_mfn",
    "2019-06-01": "raise_2018-09-24",
    "2019-09-01": "new_wave",
    "2019-12-26": "exclusion",
}
# HS prefixes treated as motor vehicles and parts for the 2019-01-01 rule.
AUTO_PREFIXES = ("87", "840734", "840820", "8409", "8483", "8511", "8512", "4011", "7007",
                 "854430", "940120")
AUTO_WAVES = ("2018-07-06", "2018-08-23", "2018-09-24")
STATUTORY = {"2018-04-02": {15, 25}, "2018-07-06": {25}, "2018-08-23": {25},
             "2018-09-24": {5, 10}, "2019-09-01": {5, 10}}
WAVES = [
    ("2018-04-02", "2018-04-02", "Retaliation for Section 232 (128 lines)",
     "MOF/Customs Tariff Commission notice of 2018-04-01: 120 HS8 lines +15%, 8 lines +25% "
     "(pork, aluminium scrap); concessions suspended in answer to US steel/aluminium tariffs"),
    ("2018-07-06", "2018-07-06", "Retaliation for List 1 ($34B)",
     "545 HS8 lines +25% (soybeans, pork, autos); motor vehicles suspended from 2019-01-01"),
    ("2018-08-23", "2018-08-23", "Retaliation for List 2 ($16B)",
     "333 HS8 lines +25%; motor vehicles suspended from 2019-01-01"),
    ("2018-09-24", "2018-09-24", "Retaliation for List 3 ($60B)",
     "5,207 HS8 lines +5%/+10%; raised 2019-06-01 to 25/20/10/5%; vehicle parts at +5% "
     "suspended from 2019-01-01"),
    ("2019-09-01", "2019-09-01", "Retaliation for List 4A ($75B, first tranche)",
     "+5%/+10% from 2019-09-01; the 2019-12-15 tranche never took effect; the halving of "
     "2020-02-14 is not in the source series"),
]


def cn_tariffs(src):
    print("china tariffs")
    # --- 4b. MOF 2018-04-02 list
    mof = read_csv(src, "china-retaliation-mof-2018-04/china_retaliation_2018-04-02_s232_128lines.csv")
    check(len(mof) == 128, "MOF rows %d" % len(mof))
    mof_out = []
    for r in mof:
        check(len(r["hs8_china"]) == 8 and r["hs8_china"].isdigit(), "hs8 %r" % r["hs8_china"])
        check(r["effective_date"] == "2018-04-02", "MOF date")
        mof_out.append((r["hs8_china"], num(Decimal(r["additional_tariff_pct"]))))
    check(len({h for h, _ in mof_out}) == 128, "MOF duplicate hs8")
    mof_out.sort()
    write_csv("cn_retaliation_2018_04_02_hs8.csv", ["hs8", "rate_pct"], mof_out)
    report("MOF rates:", dict(collections.Counter(r for _, r in mof_out)))
    mof_hs6 = collections.defaultdict(set)
    for h, r in mof_out:
        mof_hs6[h[:6]].add(Decimal(r))

    # --- 4a. raw series, float artefacts removed
    rows = read_csv(src, CN_SRC)
    series = collections.defaultdict(dict)
    raw = collections.defaultdict(dict)
    rounded = 0
    max_adj = Decimal(0)
    for r in rows:
        check(len(r["hs6"]) == 6 and r["hs6"].isdigit(), "hs6 %r" % r["hs6"])
        check(r["time_of_tariff"] in DATE_CLASS, "unexpected date %s" % r["time_of_tariff"])
        check(r["time_of_tariff"] not in series[r["hs6"]], "duplicate hs6/date")
        if r["tariff"] == "":
            series[r["hs6"]][r["time_of_tariff"]] = None
            continue
        d = Decimal(r["tariff"])
        q = d.quantize(Q3)
        if q != d:
            rounded += 1
            max_adj = max(max_adj, abs(q - d))
        series[r["hs6"]][r["time_of_tariff"]] = q
        raw[r["hs6"]][r["time_of_tariff"]] = d
    dates = sorted(DATE_CLASS)
    for h, s in series.items():
        check(sorted(s) == dates, "hs6 %s lacks dates" % h)
    check(max_adj < Decimal("0.00001"), "rounding to 0.001 moved a value by %s" % max_adj)
    missing = [(h, d) for h in series for d in dates if series[h][d] is None]
    wide = []
    for h in sorted(series):
        wide.append([h] + ["" if series[h][d] is None else num(series[h][d]) for d in dates])
    write_csv("cn_tariff_hs6_series.csv", ["hs6"] + ["t" + d.replace("-", "_") for d in dates], wide)
    report("hs6", len(series), "dates", len(dates), "values rounded to 0.001 (float artefacts)",
           rounded, "max change", max_adj, "empty cells", len(missing),
           "in", sorted({h for h, _ in missing}), "at", sorted({d for _, d in missing}))

    # --- 4c. decomposition
    # Missing cells: carry the previous known value forward (first date: the
    # next known value), so they add no change of their own.
    filled = {}
    for h, s in series.items():
        vals = [s[d] for d in dates]
        first = next(v for v in vals if v is not None)
        cur = first
        f = {}
        for d, v in zip(dates, vals):
            if v is not None:
                cur = v
            f[d] = cur
        filled[h] = f

    mfn_rows = []          # (hs6, date, rate)
    wave_rows = []         # (hs6, wave, date, rate, event)
    klass = collections.Counter()   # (source date, class) -> hs6 count
    off_statutory = collections.Counter()
    stat_examples = collections.defaultdict(list)
    unexpected = []
    for h in sorted(filled):
        f = filled[h]
        mfn = f[dates[0]]
        mfn_rows.append((h, dates[0], mfn))
        waves = collections.OrderedDict()      # wave -> current rate
        for prev, d in zip(dates, dates[1:]):
            delta = f[d] - f[prev]
            if delta == 0:
                continue
            eff = EFFECTIVE.get(d, d)
            c = DATE_CLASS[d]
            if c == "mfn":
                mfn += delta
                mfn_rows.append((h, eff, mfn))
                klass[(d, "mfn_up" if delta > 0 else "mfn_down")] += 1
            elif c == "new_wave":
                if delta < 0:
                    unexpected.append((h, d, delta))
                    mfn += delta
                    mfn_rows.append((h, eff, mfn))
                    klass[(d, "unexpected_decrease_to_mfn")] += 1
                    continue
                waves[d] = delta
                wave_rows.append((h, d, eff, delta, "start"))
                klass[(d, "wave_start")] += 1
                if delta not in STATUTORY[d]:
                    off_statutory[d] += 1
                    stat_examples[d].append((h, num(delta)))
            elif c == "raise_2018-09-24":
                w = "2018-09-24"
                new = waves.get(w, Decimal(0)) + delta
                if w not in waves:
                    klass[(d, "raise_without_visible_start")] += 1
                else:
                    klass[(d, "raise")] += 1
                waves[w] = new
                wave_rows.append((h, w, eff, new, "raise"))
                if new not in (5, 10, 20, 25):
                    off_statutory["2019-06-01"] += 1
                    stat_examples["2019-06-01"].append((h, num(new)))
            elif c == "auto_suspension_or_mfn":
                hit = None
                if delta < 0 and h.startswith(AUTO_PREFIXES):
                    hit = match_waves(waves, -delta, AUTO_WAVES)
                if hit:
                    for w in hit:
                        waves[w] = Decimal(0)
                        wave_rows.append((h, w, eff, Decimal(0), "suspend"))
                    klass[(d, "auto_suspension")] += 1
                else:
                    mfn += delta
                    mfn_rows.append((h, eff, mfn))
                    klass[(d, "mfn_up" if delta > 0 else "mfn_down")] += 1
            elif c == "exclusion":
                hit = match_waves(waves, -delta, tuple(waves)) if delta < 0 else None
                if hit:
                    for w in hit:
                        waves[w] = Decimal(0)
                        wave_rows.append((h, w, eff, Decimal(0), "exclude"))
                    klass[(d, "exclusion")] += 1
                else:
                    mfn += delta
                    mfn_rows.append((h, eff, mfn))
                    klass[(d, "mfn_up" if delta > 0 else "mfn_down")] += 1
            else:
                fail("unclassified date %s" % d)

    # Invariant: rebuild every total from the rows to be written.
    mfn_by = collections.defaultdict(list)
    for h, d, r in mfn_rows:
        mfn_by[h].append((d, r))
    wave_by = collections.defaultdict(lambda: collections.defaultdict(list))
    for h, w, d, r, _e in wave_rows:
        wave_by[h][w].append((d, r))

    def at(path, day):
        val = Decimal(0)
        for d, r in path:          # rows are in date order
            if d <= day:
                val = r
        return val

    checked = 0
    worst_raw = Decimal(0)
    negative_mfn = sorted({h for h, _d, r in mfn_rows if r < 0})
    for h in sorted(series):
        for d in dates:
            if series[h][d] is None:
                continue
            day = EFFECTIVE.get(d, d)
            total = at(mfn_by[h], day) + sum(at(p, day) for p in wave_by[h].values())
            check(total == series[h][d], "invariant broken for %s at %s: %s != %s"
                  % (h, d, total, series[h][d]))
            worst_raw = max(worst_raw, abs(total - raw[h][d]))
            checked += 1

    write_csv("cn_mfn_hs6.csv", ["hs6", "date", "rate_pct"],
              [(h, d, num(r)) for h, d, r in mfn_rows])
    wave_rows.sort(key=lambda t: (t[0], t[1], t[2]))
    write_csv("cn_retaliation_hs6.csv", ["hs6", "wave", "date", "rate_pct", "event"],
              [(h, w, d, num(r), e) for h, w, d, r, e in wave_rows])
    write_csv("cn_waves.csv", ["wave", "date", "name", "basis_note"], WAVES)

    report("invariant MFN(date)+sum(waves in force at date) == source total: holds on",
           checked, "cells exactly (0.001-rounded values); max distance to unrounded source",
           worst_raw)
    report("classification of HS6 changes by source date:")
    for d in dates[1:]:
        parts = ["%s=%d" % (k[1], v) for k, v in sorted(klass.items()) if k[0] == d]
        report("  %s (%s): %s" % (d, DATE_CLASS[d], ", ".join(parts) or "no change"))
    cover = collections.Counter(w for _h, w, _d, _r, e in wave_rows if e == "start")
    cover_any = collections.Counter()
    for h in wave_by:
        for w in wave_by[h]:
            cover_any[w] += 1
    report("HS6 covered per wave (start rows / any row):",
           ", ".join("%s=%d/%d" % (w, cover[w], cover_any[w]) for w in sorted(cover_any)))
    report("HS6 whose wave increment is outside the statutory rates (max-over-lines effect):",
           dict(off_statutory))
    for k in sorted(stat_examples):
        report("   ", k, stat_examples[k][:12], "..." if len(stat_examples[k]) > 12 else "")
    report("HS6 with a negative MFN part:", negative_mfn, "unexpected:", unexpected)
    events = collections.Counter((w, e, d) for _h, w, d, _r, e in wave_rows if e != "start")
    report("wave change rows:", ", ".join("%s %s@%s=%d" % (k[0], k[1], k[2], v)
                                          for k, v in sorted(events.items())))
    # the 2018-04-02 wave against the MOF list
    started = {h for h, w, _d, _r, e in wave_rows if w == "2018-04-02"}
    report("2018-04-02: MOF list covers", len(mof_hs6), "HS6; series rises in", len(started),
           "; in MOF not rising:", sorted(set(mof_hs6) - started),
           "; rising not in MOF:", sorted(started - set(mof_hs6)))
    diff = []
    for h, w, _d, r, e in wave_rows:
        if w == "2018-04-02" and r not in mof_hs6[h]:
            diff.append((h, num(r), sorted(num(x) for x in mof_hs6[h])))
    report("  HS6 whose rise differs from the MOF rate:", diff)
    # 2018-11-01 rises reversed on 2019-01-01
    ups = {h for h, f in filled.items() if f["2018-11-01"] > f["2018-09-24"]}
    rev = {h for h in ups if filled[h]["2019-01-02"] == filled[h]["2018-09-24"]}
    report("2018-11-01 MFN rises:", len(ups), "of which undone exactly at 2019-01-01:", len(rev))
    return filled


def match_waves(waves, amount, allowed):
    """Smallest set of waves in force (rate > 0, among allowed) whose rates sum
    to amount (the smallest such set); None if no set matches."""
    live = [w for w in waves if w in allowed and waves[w] > 0]
    best = None
    n = len(live)
    for mask in range(1, 1 << n):
        pick = [live[i] for i in range(n) if mask >> i & 1]
        if sum(waves[w] for w in pick) == amount:
            if best is None or len(pick) < len(best):
                best = pick
    return best


# ----------------------------------------------------------------------------
# 5. Phase One

LOW_FIX = {
    "Industrial mac.hin ery": "Industrial machinery",
    "Electrical equipment and mac.hioery": "Electrical equipment and machinery",
    "Air craf t (ord ers and deliverie s)": "Aircraft (orders and deliveries)",
}
HIGH = {"1. Manufactured Goods": "manufactured", "2. Agriculture": "agriculture",
        "3. Energy": "energy"}


def phase_one(src, trade_rows_path):
    print("phase one")
    rows = read_csv(src, "phase-one/annex-6-1.csv")
    out = {}
    for r in rows:
        code = "".join(c for c in r["hs4_o"] if c.isdigit())
        check(len(code) >= 4, "annex code %r" % r["hs4_o"])
        check(code not in out, "duplicate annex code %s" % code)
        check(r["high_catagory"] in HIGH, "high category %r" % r["high_catagory"])
        out[code] = (code, LOW_FIX.get(r["low_catagory"], r["low_catagory"]), HIGH[r["high_catagory"]])
    annex = [out[k] for k in sorted(out)]
    write_csv("phase_one_annex_6_1.csv", ["code", "low_category", "high_category"], annex)
    report("codes by length:", dict(sorted(collections.Counter(len(c) for c in out).items())),
           "by category:", dict(sorted(collections.Counter(v[2] for v in annex).items())),
           "low labels fixed:", sum(1 for r in rows if r["low_catagory"] in LOW_FIX))

    crows = read_csv(src, "phase-one/phase_one_purchase_commitments_agreement_art6-2.csv")
    names = {"manufactured goods (Annex 6.1)": "manufactured",
             "agricultural goods (Annex 6.1)": "agriculture",
             "energy products (Annex 6.1)": "energy", "services (Annex 6.1)": "services"}
    com = []
    for r in crows:
        if r["category"] in names:
            com.append((names[r["category"]], int(r["increment_over_2017_baseline_2020_usd"]),
                        int(r["increment_over_2017_baseline_2021_usd"])))
    check(len(com) == 4, "commitment rows")
    check(sum(a + b for _, a, b in com) == 200000000000, "commitments do not sum to 200B")
    order = ["manufactured", "agriculture", "energy", "services"]
    com.sort(key=lambda t: order.index(t[0]))
    write_csv("phase_one_commitments.csv", ["category", "increment_2020_usd", "increment_2021_usd"], com)

    # check: our US exports -> annex categories vs the DERIVED table in shared/data
    with open(trade_rows_path, encoding="utf-8", newline="") as fh:
        trade = [r for r in csv.DictReader(fh) if r["exporter"] == "USA"]
    derived = read_csv(src, "phase-one/DERIVED_phase_one_us_exports_by_category_2017_2021_comtrade.csv")
    dname = {"1. Manufactured Goods": "manufactured", "2. Agriculture": "agriculture",
             "3. Energy": "energy", "not in agreement": "none"}
    ref = {}
    for r in derived:
        for y in ("2017", "2018", "2019", "2020", "2021"):
            ref[(y, dname[r["high_category"]])] = int(Decimal(r["us_exports_%s_usd" % y]))
    for variant in ("code cut to 6 digits", "strict prefix"):
        tot = collections.Counter()
        for r in trade:
            best = None
            for code, _low, high in annex:
                c = code[:6] if variant == "code cut to 6 digits" else code
                if r["hs6"].startswith(c) and (best is None or len(c) > best[0]):
                    best = (len(c), high)
            tot[(r["year"], best[1] if best else "none")] += int(r["value_usd"])
        report("category totals, longest-prefix match (%s); ours - DERIVED:" % variant)
        for y in ("2017", "2020", "2021"):
            report("  %s: %s" % (y, ", ".join("%s %d (%+d)" % (c, tot[(y, c)], tot[(y, c)] - ref[(y, c)])
                                          for c in ("manufactured", "agriculture", "energy", "none"))))


# ----------------------------------------------------------------------------
# 6. Broda-Weinstein sigmas; 7. gravity sample; licences


def broda_weinstein(src):
    print("broda-weinstein")
    rows = read_csv(src, "elasticities-broda-weinstein/ElasticitiesBrodaWeinstein90-01_HTS.csv")
    out = []
    for i, r in enumerate(rows):
        check(len(r["hts10"]) == 10 and r["hts10"].isdigit(), "hts10 %r" % r["hts10"])
        Decimal(r["sigma_1990_2001"])   # must parse
        out.append((r["hts10"], i, r["sigma_1990_2001"]))
    out.sort()
    dup = [k for k, n in collections.Counter(h for h, _i, _s in out).items() if n > 1]
    write_csv("bw_sigma_hts10.csv", ["hts10", "sigma"], [(h, s) for h, _i, s in out])
    report("duplicate hts10 kept in source order:", dup)


GRAVITY_COLS = ["exporter", "importer", "year", "trade", "Y", "E", "pta", "contiguity",
                "common_language", "lndist", "international"]


def gravity(src):
    print("gravity sample")
    rows = read_csv(src, "world-trade-gravity-sample/sample_data_set.dlm")
    check(list(rows[0].keys()) == GRAVITY_COLS, "gravity columns")
    check(len(rows) == 900, "gravity rows %d" % len(rows))
    # Rows sorted by (exporter, importer): the values are the source's, the order is ours.
    rows.sort(key=lambda r: (r["exporter"], r["importer"]))
    write_csv("world_gravity_sample_2006.csv", GRAVITY_COLS,
              [[r[c] for c in GRAVITY_COLS] for r in rows])


LICENCES = ["tradewar-tracker.MIT.txt", "concordance.MIT.md", "gegravity.MIT.txt"]


def licences(src):
    os.makedirs(os.path.join(OUT, "licences"), exist_ok=True)
    for name in LICENCES:
        shutil.copyfile(os.path.join(src, "licences", name), os.path.join(OUT, "licences", name))
        print("  copied licences/%s" % name)


def main(argv):
    if len(argv) > 2:
        raise SystemExit(__doc__)
    src = argv[1] if len(argv) == 2 else os.path.join(HERE, "..", "..", "..", "..", "shared", "data")
    src = os.path.normpath(os.path.abspath(src))
    if not os.path.isfile(os.path.join(src, "PROVENANCE.md")):
        raise SystemExit("generate.py: %s does not look like shared/data" % src)
    os.makedirs(OUT, exist_ok=True)
    print("source:", src)
    print("output:", OUT)
    us_china_trade(src)
    unit_values(src)
    us_mfn(src)
    section301(src)
    cn_tariffs(src)
    phase_one(src, os.path.join(OUT, "us_china_trade_hs6.csv"))
    broda_weinstein(src)
    gravity(src)
    licences(src)
    total = 0
    for base, _dirs, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(base, f))
    print("data directory total: %d bytes" % total)


if __name__ == "__main__":
    main(sys.argv)
