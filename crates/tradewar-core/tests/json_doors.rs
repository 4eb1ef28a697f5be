//! JSON is one more way in: it must refuse what the constructors refuse.
//!
//! The regression tests are the cases of issue 11 (each was accepted from
//! JSON although a constructor refuses it); the property test mutates valid
//! documents of every serialisable domain type and checks that whatever the
//! JSON path accepts, the constructor path ([`support::rebuild`]) accepts
//! too, equal, and that it writes back to JSON that reads back equal.

mod support {
    pub mod rebuild;
}

use chrono::NaiveDate;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use support::rebuild;
use tradewar_core::{
    Action, CommitmentKind, CommitmentYear, DateWindow, Duty, Economy, Entity, Event, LegalBasis, LiftCondition,
    Measure, MeasureHeader, MeasureId, MfnTable, Money, Percent, ProductScope, RateChange, Schedule, Selector,
    ShareLimit, Stacking, Target, TariffRates, Timeline, TradeFlow, TradeMatrix, ValuationBasis,
};

fn d(s: &str) -> NaiveDate {
    tradewar_core::parse_date(s).unwrap()
}

fn header(id: &str, target: Economy) -> MeasureHeader {
    MeasureHeader::new(
        id,
        "a measure",
        Economy::USA,
        target,
        ProductScope::from_codes(["84", "8542.31.00"]).unwrap().excluding(["8471"]).unwrap(),
        DateWindow::new(d("2019-01-01"), Some(d("2020-01-01"))).unwrap(),
        LegalBasis::Section301,
    )
    .unwrap()
}

fn stacking() -> Stacking {
    Stacking {
        combine: tradewar_core::Combine::MaxInGroup { group: "s301".into() },
        value_share: Some("50".parse().unwrap()),
        switches_off: vec![Selector::LegalBasis(LegalBasis::Ieepa)],
        confines: vec![ShareLimit { selector: Selector::IdPrefix("RECIP".into()), share: "40".parse().unwrap() }],
    }
}

fn tariff() -> Measure {
    Measure::Tariff {
        header: header("T", Economy::CHN),
        rates: TariffRates::uniform_ad_valorem("10".parse().unwrap()),
        stacking: stacking(),
    }
}

fn measures() -> Vec<Measure> {
    let usd = |s| Money::usd(s).unwrap();
    let by_product = [
        ("8542".parse().unwrap(), Duty::ad_valorem("25".parse().unwrap())),
        ("8471.30".parse().unwrap(), Duty::compound("5".parse().unwrap(), usd("0.014"), "kg").unwrap()),
    ];
    vec![
        tariff(),
        Measure::tariff_by_product(header("TP", Economy::CHN), by_product.into_iter().collect()),
        Measure::TariffExclusion { header: header("EX", Economy::CHN), tariff: MeasureId::new("T").unwrap() },
        Measure::MfnChange {
            header: header("MFN", Economy::WLD),
            rates: TariffRates::Uniform { duty: Duty::specific(usd("1.5"), "kg").unwrap() },
        },
        Measure::ExportBan {
            header: header("BAN", Economy::CHN),
            entity: Some(Entity::new("ZTE", Economy::CHN).unwrap().buying(ProductScope::from_codes(["85"]).unwrap())),
        },
        Measure::ImportBan { header: header("IB", Economy::CHN) },
        Measure::Quota {
            header: header("Q", Economy::CHN),
            annual_value: usd("1000"),
            out_of_quota: Duty::complex("sliding scale").unwrap(),
        },
        Measure::PurchaseCommitment {
            header: header("P1", Economy::CHN),
            kind: CommitmentKind::AboveBaseline,
            baseline_year: 2017,
            years: vec![CommitmentYear { year: 2020, amount: usd("32900000000") }],
        },
        Measure::Subsidy { header: header("S", Economy::CHN), rate: "10".parse().unwrap(), export_only: true },
    ]
}

fn events() -> Vec<Event> {
    let t = MeasureId::new("T").unwrap();
    vec![
        Event::new(d("2019-01-01"), Action::Impose { measure: tariff() }).with_note("imposed"),
        Event::new(
            d("2019-03-01"),
            Action::ChangeRates { id: t.clone(), change: RateChange::Scale { factor: "0.5".parse().unwrap() } },
        ),
        Event::new(d("2019-04-01"), Action::Suspend { id: t.clone() }),
        Event::new(d("2019-05-01"), Action::Resume { id: t.clone() }),
        Event::new(
            d("2019-06-01"),
            Action::Lift {
                id: t,
                conditions: vec![
                    LiftCondition::Penalty { amount: Money::usd("1000000000").unwrap() },
                    LiftCondition::Other { text: "a new board".into() },
                ],
            },
        ),
        Event::new(d("2019-07-01"), Action::Milestone { title: "talks".into() }),
    ]
}

fn timeline() -> Timeline {
    Timeline::from_events("t", events()).unwrap()
}

fn mfn() -> MfnTable {
    MfnTable::new(
        Economy::USA,
        [
            ("8471.30.01".parse().unwrap(), Duty::ad_valorem(Percent::ZERO)),
            ("0101.21".parse().unwrap(), Duty::specific(Money::usd("0.014").unwrap(), "kg").unwrap()),
        ],
    )
    .unwrap()
}

fn target() -> Target {
    Target::new("cut", Economy::USA, Economy::CHN, 2017, Money::usd("200000000000").unwrap(), 2020).unwrap()
}

fn matrix() -> TradeMatrix {
    let f = |e, i, p: &str, y, v| TradeFlow {
        exporter: e,
        importer: i,
        product: p.parse().unwrap(),
        year: y,
        value: Money::usd(v).unwrap(),
        basis: ValuationBasis::Cif,
    };
    let mut m = TradeMatrix::new();
    m.extend([
        f(Economy::CHN, Economy::USA, "9403.10", 2017, "100.25"),
        f(Economy::CHN, Economy::USA, "8471.30", 2017, "7"),
        f(Economy::USA, Economy::CHN, "1201.90", 2018, "1"),
    ])
    .unwrap();
    m
}

fn value<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

fn edit(mut v: Value, path: &[&str], new: Value) -> Value {
    let mut at = &mut v;
    for p in &path[..path.len() - 1] {
        at = at.get_mut(*p).unwrap();
    }
    let last = path[path.len() - 1];
    match new {
        Value::Null if last.starts_with('-') => {
            at.as_object_mut().unwrap().remove(&last[1..]);
        }
        new => {
            at.as_object_mut().unwrap().insert(last.to_string(), new);
        }
    }
    v
}

#[allow(clippy::needless_pass_by_value)] // callers build the value in the call
fn refused<T: DeserializeOwned + std::fmt::Debug>(v: Value, why: &str) -> String {
    match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => panic!("{why}: accepted {t:?} from {v}"),
        Err(e) => e.to_string(),
    }
}

/// Issue 11, group 2: each of these was accepted from JSON.
#[test]
fn json_refuses_what_the_constructors_refuse() {
    let t = value(&tariff());
    let e = refused::<Measure>(edit(t.clone(), &["window", "ned"], json!("2020-06-01")), "ned in a window");
    assert!(e.contains("unknown field `ned`"), "{e}");
    let e = refused::<Measure>(edit(t.clone(), &["scope", "exlude"], json!(["8471"])), "exlude in a scope");
    assert!(e.contains("unknown field `exlude`"), "{e}");
    for (scope, why) in [
        (json!({"include": []}), "empty include"),
        (json!({}), "no include"),
        (json!({"include": ["84"], "exclude": ["84"]}), "84 minus 84"),
    ] {
        let e = refused::<Measure>(edit(t.clone(), &["scope"], scope), why);
        assert!(e.contains("holds no product"), "{why}: {e}");
    }
    let e = refused::<Measure>(edit(t.clone(), &["target"], json!("USA")), "imposer equal to target");
    assert!(e.contains("imposer and target are both USA"), "{e}");
    let e = refused::<Measure>(edit(t.clone(), &["name"], json!("")), "empty name");
    assert!(e.contains("empty name"), "{e}");
    let e = refused::<Measure>(edit(t.clone(), &["nmae"], json!("x")), "unknown field of a measure");
    assert!(e.contains("unknown field \"nmae\""), "{e}");
    let e = refused::<Measure>(edit(t.clone(), &["stacking", "combine", "group"], json!(" ")), "blank group");
    assert!(e.contains("group"), "{e}");
    let e = refused::<Measure>(edit(t, &["rates", "duty", "rate"], json!("-5%")), "negative rate");
    assert!(e.contains("must not be negative"), "{e}");

    let tg = value(&target());
    let e = refused::<Target>(edit(tg.clone(), &["reduction"], json!({"amount": "-5", "currency": "USD"})), "-5");
    assert!(e.contains("must be positive"), "{e}");
    let e = refused::<Target>(edit(tg.clone(), &["partner"], json!("USA")), "reporter equal to partner");
    assert!(e.contains("reporter and partner are both USA"), "{e}");
    let e = refused::<Target>(edit(tg, &["by_year"], json!(2010)), "by_year before base_year");
    assert!(e.contains("not after the base year"), "{e}");

    let mut m = value(&mfn());
    let first = m["lines"][0].clone();
    m["lines"].as_array_mut().unwrap().push(first);
    let e = refused::<MfnTable>(m, "an MFN line listed twice");
    assert!(e.contains("listed twice"), "{e}");
    let m = edit(value(&mfn()), &["lines"], json!([["01", {"kind": "ad_valorem", "rate": "-5%"}]]));
    refused::<MfnTable>(m, "a negative MFN rate");

    let mut s = value(&Schedule::new(timeline()).with_mfn(mfn()));
    let table = s["mfn"][0].clone();
    s["mfn"].as_array_mut().unwrap().push(table);
    let e = refused::<Schedule>(s, "two MFN tables of one importer");
    assert!(e.contains("two MFN tables for importer USA"), "{e}");

    let ev = value(&events()[4]);
    refused::<Event>(edit(ev.clone(), &["condition"], json!([])), "a misspelt field of an event");
    let bad_penalty = json!([{"kind": "penalty", "amount": {"amount": "-1", "currency": "USD"}}]);
    refused::<Event>(edit(ev, &["conditions"], bad_penalty), "a negative penalty");
    refused::<Event>(edit(value(&events()[5]), &["title"], json!(" ")), "a milestone without a title");
    refused::<Event>(edit(value(&events()[1]), &["change", "factor"], json!("11")), "a scale factor above 10");
    refused::<Event>(edit(value(&events()[0]), &["date"], json!("18-07-06")), "a two-digit year");
    refused::<Entity>(json!({"name": " ", "economy": "CHN"}), "an entity without a name");
    // Found by the json_values fuzz target: the parts of a measure read on their own were not checked.
    let confined = json!({"confines": [{"selector": {"kind": "id_prefix", "value": "R"}, "share": "140%"}]});
    let e = refused::<Stacking>(confined, "a confined share above 100%");
    assert!(e.contains("140% is above 100%"), "{e}");
    refused::<Stacking>(json!({"switches_off": [{"kind": "id_prefix", "value": ""}]}), "an empty id prefix");
    refused::<LiftCondition>(json!({"kind": "escrow", "amount": {"amount": "-1", "currency": "USD"}}), "escrow");
    refused::<RateChange>(json!({"op": "scale", "factor": "11"}), "a scale factor above 10");
    refused::<TariffRates>(json!({"kind": "by_product", "rates": []}), "no per-product rates");
    refused::<TradeFlow>(
        json!({"exporter": "CHN", "importer": "USA", "product": "9403.10", "year": 4034,
               "value": {"amount": "1", "currency": "USD"}, "basis": "cif"}),
        "a flow in the year 4034",
    );
    let e = refused::<TradeMatrix>(edit(value(&matrix()), &["value_usd"], json!(["1", "1e3", "1"])), "an exponent");
    assert!(e.contains("not a plain decimal"), "{e}");
}

/// Valid documents of every type, as JSON values, each with the name of its type.
fn seeds() -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("scope", value(&ProductScope::from_codes(["12", "8542.31.00"]).unwrap().excluding(["1201"]).unwrap())),
        ("scope", value(&ProductScope::all().excluding(["85"]).unwrap())),
        ("window", value(&DateWindow::new(d("2018-04-15"), Some(d("2025-03-13"))).unwrap())),
        ("money", value(&Money::usd("375200000000.10").unwrap())),
        ("percent", value(&"7.5".parse::<Percent>().unwrap())),
        ("stacking", value(&stacking())),
        ("entity", value(&Entity::new("ZTE", Economy::CHN).unwrap())),
        ("timeline", value(&timeline())),
        ("mfn", value(&mfn())),
        ("target", value(&target())),
        ("matrix", value(&matrix())),
        ("schedule", value(&Schedule::new(timeline()).with_mfn(mfn()))),
    ];
    out.extend(measures().iter().map(|m| ("measure", value(m))));
    out.extend(events().iter().map(|e| ("event", value(e))));
    for m in measures() {
        if let Measure::Quota { out_of_quota, .. } = m {
            out.push(("duty", value(&out_of_quota)));
        }
    }
    out.push(("duty", value(&Duty::compound("5".parse().unwrap(), Money::usd("0.014").unwrap(), "kg").unwrap())));
    out.push(("duty", value(&Duty::Prohibitive)));
    out
}

/// Values that break documents in the ways issue 11 found, and others.
fn junk() -> impl Strategy<Value = Value> {
    let strings = [
        "",
        " ",
        "USA",
        "usa",
        "CHN",
        "WLD",
        "XXX",
        "EU27",
        "84",
        "7701",
        "8471.30.0.1",
        "84.71.30",
        "0101",
        "8471",
        "-5%",
        "5%",
        "150%",
        "0%",
        "-5",
        "1e3",
        "0.001",
        "100.505",
        "1_000",
        "2019-01-01",
        "2019-06-01",
        "18-07-06",
        "0000-01-01",
        "2101-01-01",
        "section301",
        "ieepa",
        "ad_valorem",
        "uniform",
        "by_product",
        "prohibitive",
        "add",
        "floor",
        "max_in_group",
        "tariff",
        "impose",
        "lift",
        "milestone",
        "kg",
        "T",
        "RECIP",
        "fob",
        "cif",
    ];
    prop_oneof![
        proptest::sample::select(strings.to_vec()).prop_map(|s| json!(s)),
        prop_oneof![Just(0i64), Just(-5), Just(1899), Just(2017), Just(2020), Just(2101), Just(i64::MAX)]
            .prop_map(|n| json!(n)),
        Just(json!(1.5)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"include": []})),
        Just(json!({"include": ["84"], "exclude": ["84"]})),
        Just(json!({"amount": "-5", "currency": "USD"})),
        Just(json!({"kind": "ad_valorem", "rate": "-5%"})),
        Just(json!({"kind": "add", "group": "x"})),
    ]
}

const KEYS: [&str; 16] = [
    "exlude",
    "ned",
    "extra",
    "all",
    "include",
    "exclude",
    "end",
    "note",
    "unit",
    "group",
    "value_share",
    "name",
    "rate",
    "kind",
    "target",
    "years",
];

#[derive(Debug, Clone)]
enum Mutation {
    Remove(usize),
    AddKey(usize, Value),
    Replace(usize, Value),
    DuplicateItem(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Remove),
        (any::<usize>(), junk()).prop_map(|(k, v)| Mutation::AddKey(k, v)),
        (any::<usize>(), junk()).prop_map(|(k, v)| Mutation::Replace(k, v)),
        any::<usize>().prop_map(Mutation::DuplicateItem),
    ]
}

/// Every node of a document, depth first, as a path of keys and indices.
fn nodes(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(path.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                path.push(Step::Key(k.clone()));
                nodes(c, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                path.push(Step::Index(i));
                nodes(c, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn apply(v: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    nodes(v, &mut Vec::new(), &mut all);
    let pick = |k: usize| all[k % all.len()].clone();
    match m {
        Mutation::Remove(k) => {
            let path = pick(*k);
            if let Some((last, parent)) = path.split_last() {
                match (at(v, parent), last) {
                    (Value::Object(o), Step::Key(key)) => {
                        o.remove(key);
                    }
                    (Value::Array(a), Step::Index(i)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
        }
        Mutation::AddKey(k, new) => {
            let objects: Vec<Vec<Step>> = all.iter().filter(|p| at(&mut v.clone(), p).is_object()).cloned().collect();
            if let Some(path) = objects.get(k % objects.len().max(1)) {
                if let Value::Object(o) = at(v, path) {
                    o.insert(KEYS[k % KEYS.len()].to_string(), new.clone());
                }
            }
        }
        Mutation::Replace(k, new) => *at(v, &pick(*k)) = new.clone(),
        Mutation::DuplicateItem(k) => {
            let arrays: Vec<Vec<Step>> = all
                .iter()
                .filter(|p| at(&mut v.clone(), p).as_array().is_some_and(|a| !a.is_empty()))
                .cloned()
                .collect();
            if let Some(path) = arrays.get(k % arrays.len().max(1)) {
                if let Value::Array(a) = at(v, path) {
                    let item = a[k % a.len()].clone();
                    a.push(item);
                }
            }
        }
    }
}

/// `t` read from JSON: rebuilt through the constructors equal, and written
/// back to JSON that reads back equal.
fn agrees<T, F>(v: &Value, rebuild: F) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    F: Fn(&T) -> tradewar_core::Result<T>,
{
    if let Ok(t) = serde_json::from_value::<T>(v.clone()) {
        match rebuild(&t) {
            Ok(again) => prop_assert_eq!(&again, &t, "the constructors built another value from {}", v),
            Err(e) => prop_assert!(false, "JSON accepted {:?} that the constructors refuse ({}): {}", t, e, v),
        }
        let back: T = serde_json::from_value(value(&t)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &t);
    }
    Ok(())
}

fn check(kind: &str, v: &Value) -> Result<(), TestCaseError> {
    match kind {
        "scope" => agrees::<ProductScope, _>(v, rebuild::scope),
        "window" => agrees::<DateWindow, _>(v, rebuild::window),
        "money" => agrees::<Money, _>(v, rebuild::money),
        "percent" => agrees::<Percent, _>(v, |p| rebuild::percent(*p)),
        "duty" => agrees::<Duty, _>(v, rebuild::duty),
        "stacking" => agrees::<Stacking, _>(v, rebuild::stacking),
        "entity" => agrees::<Entity, _>(v, rebuild::entity),
        "measure" => agrees::<Measure, _>(v, rebuild::measure),
        "event" => agrees::<Event, _>(v, rebuild::event),
        "timeline" => agrees::<Timeline, _>(v, rebuild::timeline),
        "mfn" => agrees::<MfnTable, _>(v, rebuild::mfn),
        "target" => agrees::<Target, _>(v, rebuild::target),
        "matrix" => agrees::<TradeMatrix, _>(v, rebuild::matrix),
        "schedule" => agrees::<Schedule, _>(v, rebuild::schedule),
        other => panic!("no check for {other}"),
    }
}

#[test]
fn every_seed_is_accepted_by_both_paths() {
    for (kind, v) in seeds() {
        check(kind, &v).unwrap();
        // Seeds are valid: the JSON path must accept them (else the property below tests nothing).
        assert!(
            match kind {
                "measure" => serde_json::from_value::<Measure>(v.clone()).is_ok(),
                "event" => serde_json::from_value::<Event>(v.clone()).is_ok(),
                "schedule" => serde_json::from_value::<Schedule>(v.clone()).is_ok(),
                _ => true,
            },
            "{v}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whatever the JSON path accepts, the constructor path accepts too.
    #[test]
    fn json_accepts_nothing_the_constructors_refuse(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = seeds();
        let (kind, mut v) = all[seed.index(all.len())].clone();
        for m in &mutations {
            apply(&mut v, m);
        }
        check(kind, &v)?;
    }
}
