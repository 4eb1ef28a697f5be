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
- events.csv `hts_date,legal_date,measure,op,rate_pct,event,hts_source,
  legal_source`: every dated rate of every layer (op: impose, set, suspend,
  resume, lift, last_day, metal_share), every dated list (list_start) and the
  tracker's policy events (milestone), each with its two dates and sources.

The HTS date follows the tracker's timeline (revision_dates.csv: the HTS
revision that carried the change, or its policy_effective_date where it
gives one; policy_params.yaml for the IEEPA invalidation, Section 122 and the
Swiss framework).  The legal date, the date the change took legal effect for
goods entered, comes from us2025_legal_dates.csv beside this script: one row
per event naming its instrument and, where a source file states the date,
the words that state it (checked here).  Rates are read from
policy_params.yaml and, for the IEEPA country rates, the annex headings and
the Section 301 start dates, parsed from the Chapter 99 text; the April 2026
annex lists are U.S. note 16(c) of that text, checked against the
proclamation's annexes (annexes_text.txt).  Hard checks stop the script with
an error.
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
# the April 2026 Section 232 annexes


NOTE16_LISTS = {
    # list of U.S. note 16(c): (annex tier, metal, heading)
    "i": ("1a", "aluminum"), "ii": ("1a", "aluminum"), "iii": ("1a", "steel"), "iv": ("1a", "steel"),
    "v": ("1a", "copper"), "vi": ("1b", "aluminum"), "vii": ("1b", "steel"), "viii": ("1b", "copper"),
    "ix": ("3", "aluminum"), "x": ("3", "steel"),
}
CODE_TOKEN = re.compile(r"^\d{4}(?:\.\d{2}(?:\.\d{2}(?:\d{2})?)?(?:\.\d{2})?)?$")


def code_of(token):
    """A listed provision as digits: a 10-digit code with statistical suffix
    00 is its 8-digit line (as in normalise)."""
    d = digits(token)
    check(len(d) in (4, 6, 8, 10), "bad provision %r" % token)
    return d[:8] if len(d) == 10 and d.endswith("00") else d


def note16_lists(src):
    """The provisions of U.S. note 16(c), lists (i) to (x), as in force from
    2026-04-06 (Chapter 99, 2026 Revision 6): list name -> codes.

    The PDF layout puts lists (iii), (iv) and (v) side by side on one page, so
    their codes interleave in the text; (v) (articles of copper) is exactly
    the chapter-74 codes of the three, and (iii) and (iv) are both Annex I-A
    steel, so the interleaving changes neither tier nor metal."""
    lines = src.text("chapter99_2026_rev_6.txt").replace("\xad", "-").split("\n")
    start = [i for i, l in enumerate(lines) if l.lstrip().startswith("(c) Headings 9903.82.02")]
    check(len(start) == 1, "note 16(c) not found once")
    end = [i for i, l in enumerate(lines) if i > start[0] and l.lstrip().startswith("(d) Headings 9903.82.04")]
    check(end, "note 16(d) not found")
    out = defaultdict(list)
    cur = None
    for l in lines[start[0] + 1:end[0]]:
        if "Harmonized Tariff Schedule" in l or "99 - III" in l:
            continue
        m = re.search(r"\((i|ii|iii|iv|v|vi|vii|viii|ix|x)\) ([A-Z][a-z]+ [a-z ]+):", l)
        if m:
            cur = m.group(1)
            l = l[:m.start()] + l[m.end():]
        for t in l.replace("U.S. Notes (con.)", "").split():
            if cur is not None and CODE_TOKEN.match(t):  # before list (i): the headings cited
                out[cur].append(code_of(t))
    steel_copper = out["iii"] + out["iv"] + out["v"]
    out["v"] = [c for c in steel_copper if c.startswith("74")]
    out["iii"] = [c for c in steel_copper if not c.startswith("74")]  # (iii) and (iv) together
    out["iv"] = []
    check(sorted(out) == sorted(NOTE16_LISTS), "note 16(c) lists: %s" % sorted(out))
    return out


def annex_text_codes(src):
    """The provisions of the proclamation's Annexes I-A, I-B, II and III
    (annexes_text.txt) read from the lines that hold codes only: annex ->
    codes. The dump mixes some codes into description lines, so this is a
    subset of each annex, used to check note 16(c) and to read Annex II."""
    labels = ["Aluminum Derivatives", "Steel Derivatives", "Copper Articles", "Aluminum", "Steel"]
    out = defaultdict(set)
    cur = None
    for line in src.text("annexes_text.txt").split("\n"):
        s = line.strip()
        m = re.match(r"^Annex (I-A|I-B|II|III|IV)\b", s)
        if m:
            cur = m.group(1)
            continue
        if cur in (None, "IV"):
            continue
        for lab in labels:
            if s.startswith(lab + " ") or s == lab:
                s = s[len(lab):].strip()
                break
        toks = s.split()
        if toks and all(re.match(r"^\d{4}(?:\.\d{2}){0,3}(?:\d{2})?$", t) for t in toks):
            out[cur].update(code_of(t) for t in toks)
    return out


def annex_lists(src):
    """Each provision of the April 2026 annexes with its tier (1a, 1b, 3) and
    metals, from note 16(c); checked against the proclamation's annex text and
    compared with the tracker's s232_annex_products.csv (differences printed).
    Returns {"tier": code -> tier, "metal": code -> metals, "annex_2": codes}."""
    lists = note16_lists(src)
    tier, metal = {}, defaultdict(set)
    for name, codes in lists.items():
        t, mt = NOTE16_LISTS[name]
        if name == "iii":
            mt = "steel"
        for c in codes:
            check(tier.get(c, t) == t, "provision %s in two annex tiers" % c)
            tier[c] = t
            metal[c].add(mt)
    counts = {n: len(set(c)) for n, c in lists.items()}
    check(counts["i"] == 9 and counts["v"] == 76 and counts["viii"] == 4 and counts["ix"] == 13
          and counts["x"] == 35, "note 16(c) list sizes %s" % counts)
    # cross-tier nesting would need carve-outs; note 16(c) has none
    for c, t in tier.items():
        for k in range(4, len(c), 2):
            check(tier.get(c[:k], t) == t, "provision %s nested in another tier (%s)" % (c, c[:k]))
    # the proclamation's annexes agree with the HTS note, tier by tier
    text = annex_text_codes(src)
    for annex, t in [("I-A", "1a"), ("I-B", "1b"), ("III", "3")]:
        bad = sorted(c for c in text[annex] if tier.get(c) != t)
        check(not bad, "Annex %s provisions not in note 16(c) tier %s: %s" % (annex, t, bad))
        n = sum(1 for v in tier.values() if v == t)
        print("  Annex %-3s %3d provisions in note 16(c); %3d read from the annex text agree" % (annex, n, len(text[annex])))
    both = sorted(c for c in text["II"] if c in tier)
    print("  Annex II (out of 232) provisions also on note 16(c), kept as note 16(c) has them:", " ".join(both))
    # the tracker's derivation, for the record
    tracker = {}
    for r in src.rows("s232_annex_products.csv"):
        tracker.setdefault(code_of(r["hts_prefix"]), set()).add(r["annex"])
    missing = sorted(c for c in tier if tier[c] not in tracker.get(c, set()))
    extra = sorted(c for c, a in tracker.items() if a - {"2"} and c not in tier)
    print("  s232_annex_products.csv lacks %d provisions of note 16(c) (e.g. %s)" % (len(missing), " ".join(missing[:12])))
    print("  s232_annex_products.csv has %d codes not on note 16(c): %s" % (len(extra), " ".join(extra)))
    return {"tier": tier, "metal": metal, "annex_2": text["II"]}


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
    # Section 232 on steel and aluminium before April 2026: the tracker's
    # chapter blankets (policy_params section_232_chapters), less the headings
    # outside both the steel and aluminium articles of Proclamations 9705/9704
    # (steel from 7206, aluminium 7601 and 7604-7609) and every list of April
    # 2026 (Annexes I-A, I-B, II and III): pig iron, ferro-alloys, ferrous
    # scrap and granules (7201-7205) and aluminium scrap (7602).
    blanket = {"steel": ["72", "73"], "aluminum": ["76"]}
    y = src.text("policy_params.yaml")
    m = re.search(r"section_232_chapters:\n\s*steel: \[([^\]]*)\]\n\s*aluminum: \[([^\]]*)\]", y)
    check(m is not None and re.findall(r"'(\d+)'", m.group(1)) == blanket["steel"]
          and re.findall(r"'(\d+)'", m.group(2)) == blanket["aluminum"], "section_232_chapters changed")
    outside = {"steel": ["7201", "7202", "7203", "7204", "7205"], "aluminum": ["7602"]}
    notes = annex_lists(src)
    listed = set(notes["tier"]) | notes["annex_2"]
    for metal, heads in outside.items():
        for h in heads:
            check(not any(c.startswith(h) or h.startswith(c) for c in listed),
                  "heading %s is on an April 2026 list" % h)
    lists["s232_steel"][""] = blanket["steel"] + ["-" + h for h in outside["steel"]]
    lists["s232_aluminium"][""] = blanket["aluminum"] + ["-" + h for h in outside["aluminum"]]
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
    # April 2026 annexes: U.S. note 16(c) of Chapter 99 as amended by Annex IV
    # of the proclamation (headings 9903.82.02/.04 for lists (i)-(v), .05/.09
    # for (vi)-(viii), .10/.11 for (ix)-(x)); see annex_lists.
    for c, tier in sorted(notes["tier"].items()):
        lists["s232_annex_" + tier][""].append(c)
        if notes["metal"][c] & {"steel", "aluminum"} and tier in ("1a", "1b"):
            lists["s232_annex_%s_steel_alu" % tier][""].append(c)
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
    # the annex rates of policy_params are those of the Chapter 99 headings
    for heading, key in [("9903.82.02", "annex_1a"), ("9903.82.04", "annex_1a_uk"), ("9903.82.05", "annex_1b_uk"),
                         ("9903.82.09", "annex_1b")]:
        check(heading_rate(blocks, heading, None) == p[key], "%s rate is not policy_params %s" % (heading, key))
    check("15% 15% No change" in blocks["9903.82.10"] and "less than 15 percent" in blocks["9903.82.10"]
          and p["annex_3"] == "15", "9903.82.10 is not a 15% floor")
    for mid in ["US232-STEEL", "US232-ALU"] + derivs + ["US232-DERIV-STEEL-INCL", "US232-DERIV-ALU-INCL",
                                                         "US232-COPPER", "US232-STEEL-ALU-GBR"]:
        e(an, mid, "lift")
    e(an, "US232-ANNEX-1A", "impose", p["annex_1a"])
    e(an, "US232-ANNEX-1B", "impose", p["annex_1b"])
    e(an, "US232-ANNEX-3", "impose", p["annex_3"])
    e(an, "US232-ANNEX-1A-GBR", "impose", p["annex_1a_uk"])
    e(an, "US232-ANNEX-1B-GBR", "impose", p["annex_1b_uk"])
    ev.append([p["annex_3_sunset"], "US232-ANNEX-3", "last_day", "", "policy_params annex_3 sunset_date"])
    # From 2028-01-01 lists (ix)-(x) join (vi)-(vii): Annex I-B at 25%, the UK's 15%
    # (Annex IV part B; policy_params post_sunset_annex)
    part_b = re.sub(r"\s+", " ", src.text("annexes_text.txt"))
    check("on or after 12:01 a.m. eastern time on January 1, 2028" in part_b
          and "the provisions enumerated in subdivision (c)(ix) into the list of provisions in subdivision (c)(vi)"
          in part_b and "(c)(x) into the list of provisions in subdivision (c)(vii)" in part_b
          and re.search(r"post_sunset_annex:\s*'annex_1b'", src.text("policy_params.yaml")), "Annex IV part B")
    check(p["annex_3_sunset"] == "2027-12-31", "annex III sunset")
    b_src = ("2028-01-01", "annexes_text.txt Annex IV part B: lists (c)(ix)-(x) of note 16 join (c)(vi)-(vii)")
    e(b_src, "US232-ANNEX-3-1B", "impose", p["annex_1b"])
    e(b_src, "US232-ANNEX-3-1B-GBR", "impose", p["annex_1b_uk"])
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
            # ship-to-shore cranes at 25% are one of the 2024 increases of the
            # four-year review (in force from 2024-09-27 like 9903.91.01-.03);
            # the tracker's rev_27 "301 cranes (100%)" is heading 9903.91.14
            # of October 2025, which the source's lists do not carry
            d = (starts["9903.91.01"], "USTR four-year review, 2024 increases (89 FR 76581); "
                 "not revision_dates rev_27, which is the 100% heading 9903.91.14")
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
    rows = with_legal_dates(src, ev, lists)
    path = os.path.join(OUT, "events.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["hts_date", "legal_date", "measure", "op", "rate_pct", "event", "hts_source", "legal_source"])
        w.writerows(rows)
    print("  wrote events.csv  %4d rows %8d bytes" % (len(rows), os.path.getsize(path)))
    return rows


LEGAL_DATES = os.path.join(HERE, "us2025_legal_dates.csv")
STATED_IN = ["chapter99_2026_rev_6.txt", "annexes_text.txt", "policy_params.yaml", "revision_dates.csv",
             "country_eo_exempt_products.csv"]


def with_legal_dates(src, ev, lists):
    """Every event with its two dates: the tracker's (the HTS revision that
    carried it, `hts_date`) and the date it took legal effect for goods
    entered (`legal_date`), from us2025_legal_dates.csv. Each legal date names
    its instrument; where a source file states the date, the quoted words
    must be in that file. Dated product lists get a `list_start` row. The
    tracker's revision milestones have no legal date."""
    flat = {}
    for name in STATED_IN:
        flat[name] = re.sub(r"\s+", " ", src.text(name).replace("\xad", "-"))
    table = {}
    with open(LEGAL_DATES, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            key = (r["measure"], r["op"], r["hts_date"])
            check(key not in table, "legal date given twice for %s" % (key,))
            if r["stated_in"]:
                name, _, words = r["stated_in"].partition(": ")
                check(name in flat, "unknown source file %r" % name)
                check(re.sub(r"\s+", " ", words) in flat[name], "%s does not say %r" % (name, words))
                check('"' not in words, "quoted words with a double quote: %r" % words)
                where = 'date stated in %s: "%s"' % (name, words)
            else:
                where = "date not stated in the source files"
            table[key] = (r["legal_date"], r["event"], "%s; %s" % (r["instrument"], where))
    used = set()
    out = []
    for d, measure, op, rate, source in ev:
        if op == "milestone":
            out.append([d, "", measure, op, rate, source.split(": ", 1)[-1], source, ""])
            continue
        key = (measure, op, d)
        check(key in table, "no legal date for %s %s on %s" % (measure, op, d))
        used.add(key)
        legal, what, legal_source = table[key]
        out.append([d, legal, measure, op, rate, what, source, legal_source])
    for name in sorted(lists):
        for start in sorted(lists[name]):
            if start and lists[name][start]:
                key = ("list:" + name, "start", start)
                check(key in table, "no legal date for list %s of %s" % (name, start))
                used.add(key)
                legal, what, legal_source = table[key]
                out.append([start, legal, name, "list_start", "", what, "lists.csv %s start" % name, legal_source])
    unused = sorted(set(table) - used)
    check(not unused, "legal dates for events that do not exist: %s" % unused)
    out.sort(key=lambda r: (r[0], r[2], r[3], r[6]))
    moved = sum(1 for r in out if r[1] and r[1] != r[0])
    print("  legal dates: %d of %d dated rows differ from the tracker's date" % (moved, sum(1 for r in out if r[1])))
    return out


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
