#!/usr/bin/env python3
"""Regenerate data/us2025/: the 2025-2026 US tariff stack in compact form.

Usage: python3 generate_2025.py [PATH_TO_SHARED_DATA]

PATH_TO_SHARED_DATA defaults to ../../../../shared/data relative to this
script.  The source folder is shared/data/us-tariff-stack-2025-2026 (files of
the Budget Lab at Yale's tariff-rate-tracker, MIT, plus two US government
texts).  Output goes to ../data/us2025/.  Standard library only; the output
is deterministic (sorted rows, "\n" line endings, no timestamps).

Two files are written:

- lists.csv  `list,start,codes`: the product lists the timeline needs, one
  row per list and start date, codes (4 to 10 HTS digits) separated by
  spaces.  `start` is empty when the list applies whenever its layer does.
- events.csv `date,measure,op,rate_pct,source`: every dated rate of every
  layer (op: impose, set, suspend, resume, lift), each with the source row
  or Chapter 99 heading it is read from.

Dates follow the tracker's timeline (revision_dates.csv: the HTS revision
that carried the change, or its policy_effective_date where it gives one;
policy_params.yaml for the IEEPA invalidation, Section 122 and the Swiss
framework).  Rates are read from policy_params.yaml and, for the IEEPA
country rates and the Section 301 start dates, parsed from the Chapter 99
text.  Hard checks stop the script with an error.
"""

import csv
import os
import re
import shutil
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "us2025"))
FOLDER = "us-tariff-stack-2025-2026"


def fail(msg):
    raise SystemExit("generate_2025.py: check failed: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


class Source:
    def __init__(self, root):
        self.root = os.path.join(root, FOLDER)
        check(os.path.isfile(os.path.join(self.root, "STACKING.md")), "no STACKING.md in " + self.root)

    def path(self, name):
        return os.path.join(self.root, name)

    def rows(self, name):
        with open(self.path(name), encoding="utf-8-sig", newline="") as fh:
            lines = [l for l in fh if not l.startswith("#")]
        return list(csv.DictReader(lines))

    def lines(self, name):
        with open(self.path(name), encoding="utf-8") as fh:
            return [l.strip() for l in fh if l.strip()]

    def text(self, name):
        with open(self.path(name), "rb") as fh:
            return fh.read().decode("latin-1")


# ----------------------------------------------------------------------------
# codes


def digits(code):
    d = re.sub(r"[^0-9]", "", code)
    check(d.isdigit() and 4 <= len(d) <= 12, "bad code %r" % code)
    return d


def normalise(code, dropped):
    """A code of even length 4-10; an odd-length prefix is expanded to its
    ten children one digit longer (exact); longer than 10 is dropped."""
    d = digits(code)
    if len(d) > 10:
        dropped.append(d)
        return []
    if len(d) % 2 == 1:
        return [d + str(i) for i in range(10)]
    if len(d) == 10 and d.endswith("00"):
        # statistical suffix 00: the HTS8 line has no breakout, so the
        # 10-digit code is the whole 8-digit line
        return [d[:8]]
    return [d]


def minimal(codes):
    """Drops codes covered by a shorter code of the same set."""
    out = []
    s = set(codes)
    for c in sorted(s):
        if any(c[:k] in s for k in range(4, len(c), 2)):
            continue
        out.append(c)
    return out


# ----------------------------------------------------------------------------
# policy_params.yaml (a few keys, read with regular expressions: stdlib only)


def params(src):
    y = src.text("policy_params.yaml")

    def one(pattern, what):
        m = re.search(pattern, y, re.M)
        check(m is not None, "policy_params: " + what)
        return m.group(1)

    def frac(s):
        return pct_text(float(s) * 100)

    p = {}
    p["s201_solar"] = frac(one(r"^\s*solar_rate:\s*([0-9.]+)", "solar_rate"))
    p["ieepa_invalid"] = one(r"^ieepa_invalidation_date:\s*'([0-9-]+)'", "ieepa_invalidation_date")
    p["s122_start"] = one(r"^section_122:\n(?:.*\n)*?\s*effective_date:\s*'([0-9-]+)'", "s122 start")
    p["s122_end"] = one(r"^section_122:\n(?:.*\n)*?\s*expiry_date:\s*'([0-9-]+)'", "s122 expiry")
    p["s122_rate"] = frac(one(r"^section_122:\n(?:.*\n)*?\s*rate:\s*([0-9.]+)", "s122 rate"))
    p["swiss_start"] = one(r"^swiss_framework:\n(?:.*\n)*?\s*effective_date:\s*'([0-9-]+)'", "swiss start")
    p["floor"] = frac(one(r"^\s*floor_rate:\s*([0-9.]+)", "floor_rate"))
    p["annex_start"] = one(r"^section_232_annexes:\n\s*effective_date:\s*'([0-9-]+)'", "annex date")
    p["annex_1a"] = frac(one(r"annex_1a:\n(?:.*\n)*?\s*rate:\s*([0-9.]+)", "annex 1a"))
    p["annex_1a_uk"] = frac(one(r"annex_1a:\n(?:.*\n)*?\s*uk_rate:\s*([0-9.]+)", "annex 1a uk"))
    p["annex_1b"] = frac(one(r"annex_1b:\n(?:.*\n)*?\s*rate:\s*([0-9.]+)", "annex 1b"))
    p["annex_1b_uk"] = frac(one(r"annex_1b:\n(?:.*\n)*?\s*uk_rate:\s*([0-9.]+)", "annex 1b uk"))
    p["annex_3"] = frac(one(r"annex_3:\n(?:.*\n)*?\s*floor_rate:\s*([0-9.]+)", "annex 3"))
    p["annex_3_sunset"] = one(r"sunset_date:\s*'([0-9-]+)'", "annex 3 sunset")
    p["russia"] = frac(one(r"countries: \['4621'\]\n\s*rate:\s*([0-9.]+)", "russia rate"))
    p["metal_share"] = frac(one(r"^\s*flat_share:\s*([0-9.]+)", "flat metal share"))
    for key in ["autos_passenger", "copper", "mhd_vehicles", "auto_parts", "mhd_parts", "buses", "semiconductors"]:
        p["232_" + key] = frac(one(r"^  %s:\n(?:.*\n)*?\s*default_rate:\s*([0-9.]+)" % key, key))
    # 232 heading prefixes given inline
    for key in ["autos_passenger", "autos_light_trucks", "mhd_vehicles", "buses"]:
        block = one(r"^  %s:\n\s*prefixes:\s*(\[[^\]]*\])" % key, key + " prefixes")
        p["prefixes_" + key] = re.findall(r"'([0-9]+)'", block)
    p["s301"] = {}
    for code, rate in re.findall(r"ch99_pattern:\s*'([0-9.]+)'\n\s*s301_rate:\s*([0-9.]+)", y):
        p["s301"][code] = frac(rate)
    check(len(p["s301"]) == 17, "section_301_rates has %d entries" % len(p["s301"]))
    return p


def pct_text(x):
    t = ("%.4f" % x).rstrip("0").rstrip(".")
    return t


# ----------------------------------------------------------------------------
# revision_dates.csv


def revisions(src):
    out = {}
    for r in src.rows("revision_dates.csv"):
        d = r["policy_effective_date"] if r["policy_effective_date"] not in ("", "NA") else r["effective_date"]
        out[r["revision"]] = (d, r["policy_event"])
    return out


# ----------------------------------------------------------------------------
# Chapter 99 text


def ch99_blocks(src):
    text = src.text("chapter99_2026_rev_6.txt").replace("\xad", "-")
    lines = text.split("\n")
    blocks = {}
    cur = None
    for l in lines:
        m = re.match(r"^(9903\.\d\d\.\d\d)\s", l)
        if m:
            cur = m.group(1)
            blocks.setdefault(cur, [])
        if cur:
            blocks[cur].append(l.strip())
    return {k: re.sub(r"\s+", " ", " ".join(v)) for k, v in blocks.items()}, re.sub(r"\s+", " ", text)


def heading_rate(blocks, heading, country):
    b = blocks.get(heading)
    check(b is not None, "heading %s not in Chapter 99 text" % heading)
    check(country is None or country in b, "heading %s does not name %s" % (heading, country))
    m = re.search(r"\+ ?([0-9]+(?:\.[0-9]+)?)%", b)
    if m is None:
        m = re.search(r"\.{3,}\s*1/\s*([0-9]+)%", b)
    check(m is not None, "no rate in heading " + heading)
    return m.group(1)


def heading_floor(blocks, heading, country):
    b = blocks.get(heading)
    check(b is not None and country in b and "less than 15 percent" in b, "floor heading %s" % heading)
    m = re.search(r"([0-9]+)% ", b)
    check(m is not None, "floor rate " + heading)
    return m.group(1)


MONTHS = {m: i + 1 for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"])}


def s301_start_dates(flat):
    """Start dates of the 2024 four-year-review headings (note 31 to subchapter III)."""
    out = {}
    for m in re.finditer(r"Heading (9903\.9[12]\.\d\d) applies (.{0,600}?)on or after 12:01 a\.m\. eastern "
                         r"(?:daylight|standard) time on ([A-Z][a-z]+) (\d+), (\d{4})", flat):
        h = m.group(1)
        if h not in out:
            out[h] = "%s-%02d-%02d" % (m.group(5), MONTHS[m.group(3)], int(m.group(4)))
    return out


# ----------------------------------------------------------------------------
# the lists


def build_lists(src, p):
    lists = defaultdict(lambda: defaultdict(list))  # name -> start -> codes
    dropped = []

    def add(name, start, codes):
        for c in codes:
            lists[name][start].extend(normalise(c, dropped))

    # IEEPA reciprocal exemptions (Annex II and others).  The file has no
    # dates; lines also on the Brazil order's 2025-11-13 list are the
    # agricultural exemptions of November 2025 and are dated so.
    brazil = src.rows("country_eo_exempt_products.csv")
    ag_nov = {digits(r["hts10"]) for r in brazil if r["effective_date_start"] == "2025-11-13"}
    for r in src.rows("ieepa_exempt_products.csv"):
        d = digits(r["hts10"])
        start = "2025-11-13" if d[:8] in ag_nov or any(d.startswith(a) for a in ag_nov) else ""
        add("ieepa_exempt", start, [d])
    for r in brazil:
        check(r["ch99_code"] == "9903.01.77", "Brazil list row for " + r["ch99_code"])
        add("brazil_eo_exempt", r["effective_date_start"], [r["hts10"]])
    for r in src.rows("fentanyl_carveout_products.csv"):
        name = {"9903.01.05": "fent_mx_reduced", "9903.01.13": "fent_ca_reduced", "9903.01.15": "fent_ca_reduced"}
        add(name[r["ch99_code"]], "", [r["hts8"]])
    # floor exemptions: a code's start is the first revision list that has it
    rev_files = [("floor_exempt_rev_23.csv", "rev_23"), ("floor_exempt_rev_24.csv", "rev_24"),
                 ("floor_exempt_rev_32.csv", "rev_32"), ("floor_exempt_products.csv", "2026_basic")]
    revs = revisions(src)
    seen = set()
    for f, rev in rev_files:
        for r in src.rows(f):
            key = (r["country_group"], r["hts8"])
            if key in seen:
                continue
            seen.add(key)
            add("floor_exempt_" + r["country_group"], revs[rev][0], [r["hts8"]])
    for r in src.rows("s122_exempt_products.csv"):
        add("s122_exempt", "", [r["hts8"]])
    # Section 232
    add("s232_steel", "", ["7200", "7300"][:0])  # chapters handled below
    lists["s232_steel"][""] = []
    for ch in ["72", "73"]:
        lists["s232_steel"][""].append(ch)
    lists["s232_aluminium"][""] = ["76"]
    for r in src.rows("s232_derivative_products.csv"):
        d = digits(r["hts_prefix"])
        if d[:2] in ("72", "73", "76"):
            continue  # the chapter layers cover them in full
        name = "s232_deriv_" + ("steel" if r["derivative_type"] == "steel" else "aluminium")
        add(name, r["effective_date"], [d])
    for r in src.rows("s232_copper_products.csv"):
        add("s232_copper", "", [r["hts10"]])
    add("s232_autos", "", p["prefixes_autos_passenger"] + p["prefixes_autos_light_trucks"])
    # Note 33(g) and 34(i) cover *parts of vehicles* classified in the listed
    # provisions.  Heading 8471 (automatic data processing machines) is a part
    # only by end use, which a line-level schedule cannot see: left out.
    end_use = {"8471"}
    parts = [c for c in src.lines("s232_auto_parts.txt") if c not in end_use]
    mhd_parts = [c for c in src.lines("s232_mhd_parts.txt") if c not in end_use]
    print("  left out of the 232 parts lists (vehicle part only by end use):", " ".join(sorted(end_use)))
    add("s232_auto_parts", "", parts)
    add("s232_mhd", "", p["prefixes_mhd_vehicles"])
    add("s232_mhd_parts", "", mhd_parts)
    add("s232_buses", "", p["prefixes_buses"])
    for r in src.rows("s232_semi_products.csv"):
        add("s232_semis", "", [r["hts10"]])
    for r in src.rows("s201_solar_products.csv"):
        add("s201_solar", "", [r["hts10"]])
    # April 2026 annexes: each code goes to the annex of its longest listed
    # prefix; a tier's list is its own prefixes, and the prefixes of other
    # tiers strictly below them are written as exclusions ("-" prefix).
    annex = {}
    metal = {}
    for r in src.rows("s232_annex_products.csv"):
        for c in normalise(r["hts_prefix"], dropped):
            check(annex.get(c, r["annex"]) == r["annex"], "annex conflict on %s" % c)
            annex[c] = r["annex"]
            metal.setdefault(c, set()).add(r["metal_type"])
    for c, tier in annex.items():
        if tier == "2":
            continue  # Annex II: removed from Section 232, no layer; it only cuts holes in the others
        lists["s232_annex_" + tier][""].append(c)
        if metal[c] & {"steel", "aluminum"}:
            lists["s232_annex_%s_steel_alu" % tier][""].append(c)
    for c, tier in annex.items():
        anc = [c[:k] for k in range(4, len(c), 2) if c[:k] in annex]
        if anc:
            parent = max(anc, key=len)
            if annex[parent] != tier and annex[parent] != "2":
                # a code nested under another tier: check the nesting is one level deep
                grand = [a for a in anc if a != parent and annex[a] == tier]
                check(not grand, "annex nesting deeper than one level at %s" % c)
                lists["s232_annex_" + annex[parent]][""].append("-" + c)
                if metal[parent] & {"steel", "aluminum"}:
                    lists["s232_annex_%s_steel_alu" % annex[parent]][""].append("-" + c)
    # Section 301 lists by Chapter 99 heading
    for r in src.rows("s301_product_lists.csv"):
        add("s301_" + r["ch99_code"], "", [r["hts8"]])
    return lists, dropped


def write_lists(lists):
    rows = []
    for name in sorted(lists):
        for start in sorted(lists[name]):
            codes = lists[name][start]
            inc = minimal([c for c in codes if not c.startswith("-")])
            exc = sorted({c for c in codes if c.startswith("-")})
            if inc or exc:
                rows.append([name, start, " ".join(inc + exc)])
    path = os.path.join(OUT, "lists.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["list", "start", "codes"])
        w.writerows(rows)
    print("  wrote lists.csv   %4d rows %8d bytes" % (len(rows), os.path.getsize(path)))
    return rows


# ----------------------------------------------------------------------------
# the events


def build_events(src, p, lists):
    revs = revisions(src)
    blocks, flat = ch99_blocks(src)
    ev = []

    def rev(name, expect):
        d, what = revs[name]
        check(expect.lower() in what.lower(), "revision %s is %r, expected %r" % (name, what, expect))
        return d, "revision_dates %s: %s" % (name, what)

    def e(date_src, measure, op, rate=""):
        d, s = date_src
        ev.append([d, measure, op, rate, s])

    invalid = (p["ieepa_invalid"], "policy_params ieepa_invalidation_date")
    # --- IEEPA fentanyl
    e(rev("rev_1", "China IEEPA fentanyl (+10%)"), "IEEPA-FENT-CHN", "impose", "10")
    e(rev("rev_3", "China fentanyl (+20%)"), "IEEPA-FENT-CHN", "set", "20")
    e(rev("rev_27", "China fentanyl: 20% -> 10%"), "IEEPA-FENT-CHN", "set",
      heading_rate(blocks, "9903.01.24", "China"))
    ca_1 = rev("rev_3", "CA/MX fentanyl (+25%)")
    e(ca_1, "IEEPA-FENT-CAN", "impose", "25")
    e(rev("rev_17", "CA fentanyl: 25% -> 35%"), "IEEPA-FENT-CAN", "set", heading_rate(blocks, "9903.01.10", "Canada"))
    e(ca_1, "IEEPA-FENT-CAN-REDUCED", "impose", heading_rate(blocks, "9903.01.13", None))
    check(heading_rate(blocks, "9903.01.15", "Canada") == heading_rate(blocks, "9903.01.13", None), "CA potash rate")
    e(ca_1, "IEEPA-FENT-MEX", "impose", heading_rate(blocks, "9903.01.01", "Mexico"))
    e(ca_1, "IEEPA-FENT-MEX-REDUCED", "impose", heading_rate(blocks, "9903.01.05", "Mexico"))
    # --- IEEPA reciprocal
    lib = rev("rev_7", "Liberation Day")
    e(lib, "IEEPA-RECIP-WLD", "impose", heading_rate(blocks, "9903.01.25", None))
    e(lib, "IEEPA-RECIP-CHN", "impose", heading_rate(blocks, "9903.01.63", "China"))
    e(rev("rev_8", "34% -> 84%"), "IEEPA-RECIP-CHN", "set", "84")
    e(rev("rev_9", "84% -> 125%"), "IEEPA-RECIP-CHN", "set", "125")
    check("provision suspended" in blocks["9903.01.63"], "9903.01.63 not suspended")
    e(rev("rev_12", "Geneva"), "IEEPA-RECIP-CHN", "suspend")
    p2 = rev("rev_18", "Phase 2 reciprocal")
    for iso, heading, name in [("IND", "9903.02.26", "India"), ("JPN", "9903.02.30", "Japan"),
                               ("KOR", "9903.02.56", "South Korea"), ("CHE", "9903.02.58", "Switzerland")]:
        e(p2, "IEEPA-RECIP-" + iso, "impose", heading_rate(blocks, heading, name))
    check(heading_rate(blocks, "9903.02.09", "Brazil") == "10", "Brazil's Phase 2 rate is the 10% baseline")
    e(p2, "IEEPA-RECIP-FLOOR-EU", "impose", heading_floor(blocks, "9903.02.20", "European Union"))
    jp = rev("rev_23", "Japan floor")
    e(jp, "IEEPA-RECIP-JPN", "lift")
    e(jp, "IEEPA-RECIP-FLOOR-JPN", "impose", heading_floor(blocks, "9903.02.73", "Japan"))
    kr = rev("rev_32", "S. Korea floor")
    e(kr, "IEEPA-RECIP-KOR", "lift")
    e(kr, "IEEPA-RECIP-FLOOR-KOR", "impose", heading_floor(blocks, "9903.02.80", "South Korea"))
    ch = (p["swiss_start"], "policy_params swiss_framework effective_date (FR 2025-23316)")
    e(ch, "IEEPA-RECIP-CHE", "lift")
    e(ch, "IEEPA-RECIP-FLOOR-CHE", "impose", heading_floor(blocks, "9903.02.83", "Switzerland"))
    e(rev("rev_18", "Brazil EO (+40%)"), "IEEPA-EO-BRA", "impose", heading_rate(blocks, "9903.01.77", "Brazil"))
    e(rev("rev_20", "India EO (+25%)"), "IEEPA-EO-IND", "impose", heading_rate(blocks, "9903.01.84", "India"))
    m = re.search(r"terminated as of ([A-Z][a-z]+) (\d+), (\d{4})", blocks["9903.01.84"])
    check(m is not None, "India order termination")
    e(("%s-%02d-%02d" % (m.group(3), MONTHS[m.group(1)], int(m.group(2))),
       "Chapter 99 heading 9903.01.84 compiler's note"), "IEEPA-EO-IND", "lift")
    for mid in ["IEEPA-FENT-CHN", "IEEPA-FENT-CAN", "IEEPA-FENT-CAN-REDUCED", "IEEPA-FENT-MEX",
                "IEEPA-FENT-MEX-REDUCED", "IEEPA-RECIP-WLD", "IEEPA-RECIP-CHN", "IEEPA-RECIP-IND",
                "IEEPA-RECIP-FLOOR-EU", "IEEPA-RECIP-FLOOR-JPN", "IEEPA-RECIP-FLOOR-KOR", "IEEPA-RECIP-FLOOR-CHE",
                "IEEPA-EO-BRA"]:
        e(invalid, mid, "lift")
    # --- Section 122
    e((p["s122_start"], "policy_params section_122 effective_date"), "S122", "impose",
      heading_rate(blocks, "9903.03.01", None))
    check(heading_rate(blocks, "9903.03.01", None) == p["s122_rate"], "s122 rate")
    ev.append([p["s122_end"], "S122", "last_day", "", "policy_params section_122 expiry_date (last active day)"])
    # --- Section 232
    pre = ("2025-01-01", "in force before 2025 (Proclamations 9704/9705; history in us_china_2018)")
    e(pre, "US232-STEEL", "impose", "25")
    e(pre, "US232-ALU", "impose", "10")
    e(("2025-01-01", "in force before 2025 (Proclamation 10522; policy_params section_232_country_exemptions)"),
      "US232-ALU-RUS", "impose", p["russia"])
    ex = rev("rev_6", "232 Autos (25%)")
    e(ex, "US232-EXEMPT", "lift")
    e(ex, "US232-ALU", "set", "25")
    e(ex, "US232-AUTOS", "impose", p["232_autos_passenger"])
    # derivative layers exist only where the source lists products for them
    # (its steel derivatives are all August 2025 inclusions; the earlier ones
    # sit in chapter 73, which the steel layer covers in full)
    derivs = [m for m, l in [("US232-DERIV-STEEL", "s232_deriv_steel"), ("US232-DERIV-ALU", "s232_deriv_aluminium")]
              if lists[l].get("")]
    check("US232-DERIV-ALU" in derivs, "no undated aluminium derivatives")
    for m in derivs:
        e(ex, m, "impose", "25")
    e(rev("rev_11", "232 Auto parts"), "US232-AUTO-PARTS", "impose", p["232_auto_parts"])
    dv = rev("rev_14", "232 derivatives doubled")
    for m in derivs:
        e(dv, m, "set", "50")
    fifty = rev("rev_16", "232 steel/aluminum 50%")
    e(fifty, "US232-STEEL", "set", "50")
    e(fifty, "US232-ALU", "set", "50")
    e(fifty, "US232-STEEL-ALU-GBR", "impose", p["annex_1a_uk"])
    e(rev("rev_17", "copper 232"), "US232-COPPER", "impose", p["232_copper"])
    incl = ("2025-08-18", "s232_derivative_products.csv effective_date (FR 2025-15819)")
    e(incl, "US232-DERIV-STEEL-INCL", "impose", "50")
    e(incl, "US232-DERIV-ALU-INCL", "impose", "50")
    share = ("2025-01-01", "policy_params metal_content flat_share (an estimate, not a legal figure)")
    for mid in derivs + ["US232-DERIV-STEEL-INCL", "US232-DERIV-ALU-INCL"]:
        e(share, mid, "metal_share", p["metal_share"])
    e(rev("rev_23", "Japan floor"), "US232-AUTOS-FLOOR-JPN", "impose", p["floor"])
    e(rev("rev_24", "EU exemption entries"), "US232-AUTOS-FLOOR-EU", "impose", p["floor"])
    e(rev("rev_32", "232 auto S. Korea"), "US232-AUTOS-FLOOR-KOR", "impose", p["floor"])
    mhd = rev("rev_26", "MHD vehicles/buses 232")
    e(mhd, "US232-MHD", "impose", p["232_mhd_vehicles"])
    e(mhd, "US232-MHD-PARTS", "impose", p["232_mhd_parts"])
    e(mhd, "US232-BUSES", "impose", p["232_buses"])
    e(rev("2026_rev_1", "Semiconductor tariffs"), "US232-SEMIS", "impose", p["232_semiconductors"])
    an = rev("2026_rev_5", "232 annex restructuring")
    check(an[0] == p["annex_start"], "annex date")
    for mid in ["US232-STEEL", "US232-ALU"] + derivs + ["US232-DERIV-STEEL-INCL", "US232-DERIV-ALU-INCL",
                                                         "US232-COPPER", "US232-STEEL-ALU-GBR"]:
        e(an, mid, "lift")
    e(an, "US232-ANNEX-1A", "impose", p["annex_1a"])
    e(an, "US232-ANNEX-1B", "impose", p["annex_1b"])
    e(an, "US232-ANNEX-3", "impose", p["annex_3"])
    e(an, "US232-ANNEX-1A-GBR", "impose", p["annex_1a_uk"])
    e(an, "US232-ANNEX-1B-GBR", "impose", p["annex_1b_uk"])
    ev.append([p["annex_3_sunset"], "US232-ANNEX-3", "last_day", "", "policy_params annex_3 sunset_date"])
    # --- Section 301
    starts = s301_start_dates(flat)
    for code, rate in sorted(p["s301"].items()):
        if code == "9903.88.16":
            continue  # List 4B: suspended since 2019-12-15, never in force
        if not lists.get("s301_" + code):
            print("  Section 301 heading %s has no product rows in s301_product_lists.csv: no layer" % code)
            continue
        if code.startswith("9903.88"):
            d = ("2025-01-01", "in force before 2025 (Section 301 Lists 1-4A; history in us_china_2018)")
        elif code == "9903.92.10":
            d = rev("rev_27", "301 cranes")
        else:
            check(code in starts, "no start date for " + code)
            d = (starts[code], "Chapter 99 U.S. note 31 to subchapter III, heading " + code)
        e(d, "US301-" + code[5:].replace(".", ""), "impose", rate)
    # --- Section 201 solar (Year 8 rate to 2026-02-07)
    e(("2025-02-07", "policy_params section_201 solar_rate (Year 8)"), "US201-SOLAR", "impose", p["s201_solar"])
    ev.append(["2026-02-06", "US201-SOLAR", "last_day", "", "policy_params section_201: Year 8 ends 2026-02-07"])
    # the tracker's revisions with a policy event, as milestones (the event dates)
    for name, (d, what) in revs.items():
        if what not in ("", "NA") and d >= "2025-01-27":
            ev.append([d, "MILESTONE", "milestone", "", "revision_dates %s: %s" % (name, what)])
    ev.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
    path = os.path.join(OUT, "events.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["date", "measure", "op", "rate_pct", "source"])
        w.writerows(ev)
    print("  wrote events.csv  %4d rows %8d bytes" % (len(ev), os.path.getsize(path)))
    return ev


def main(argv):
    if len(argv) > 2:
        raise SystemExit(__doc__)
    root = argv[1] if len(argv) == 2 else os.path.join(HERE, "..", "..", "..", "..", "shared", "data")
    root = os.path.normpath(os.path.abspath(root))
    src = Source(root)
    os.makedirs(os.path.join(OUT, "licences"), exist_ok=True)
    print("source:", src.root)
    print("output:", OUT)
    p = params(src)
    lists, dropped = build_lists(src, p)
    write_lists(lists)
    print("  dropped codes longer than 10 digits:", " ".join(dropped) or "none")
    build_events(src, p, lists)
    shutil.copyfile(os.path.join(root, "licences", "tariff-rate-tracker.MIT.txt"),
                    os.path.join(OUT, "licences", "tariff-rate-tracker.MIT.txt"))
    print("  copied licences/tariff-rate-tracker.MIT.txt")
    total = sum(os.path.getsize(os.path.join(b, f)) for b, _d, fs in os.walk(OUT) for f in fs)
    print("us2025 total: %d bytes" % total)


if __name__ == "__main__":
    main(sys.argv)
