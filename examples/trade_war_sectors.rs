//! The 2018–2020 US–China trade war in Caliendo and Parro's multi-sector world with input–output links.
//!
//! 1. The model's check: Caliendo and Parro's NAFTA exercise (1993 → 2005 tariffs) on the embedded data, next to the
//!    paper's numbers.
//! 2. The trade war: the tariffs in force on 2019-09-01 and under Phase One (2020-02-14), each against the tariffs
//!    before the war, mapped from HS6 lines to the 20 traded sectors (trade-weighted on 2017 US–China trade) and
//!    added to the 1993 tariffs of the world; US and Chinese welfare and real wages, the sectors hurt through the
//!    cost of their inputs, and the third countries that gain.
//!
//! Limits, stated with the output: the world is 1993's (31 regions, 40 sectors), China is far smaller in it than in
//! 2018 and the US–China flows are 1993's; the shock is an aggregate of HS6 tariffs to sectors; Phase One's purchase
//! commitments are left out (tariffs only); measures on third countries (Section 232 on everyone, China's MFN cuts)
//! enter only through their US–China part.
//!
//! Run: `cargo run --release --example trade_war_sectors`

use std::error::Error;
use std::sync::Arc;

use tradewar::models::caliendo_parro::{
    counterfactual, CaliendoParroModel, CommitmentHandling, CpAccounts, CpResults, CpSolverOptions, CpWorld,
    CpWorldOptions, Deficits, SectorConcordance, SectorShock, TariffCube,
};
use tradewar::models::{Model, Scenario};
use tradewar::{cp2015, embedded, parse_date, us_china_2018, Economy};

fn world() -> Result<CpWorld, Box<dyn Error>> {
    let d = cp2015::embedded()?;
    let w = CpWorld::from_accounts(
        CpAccounts {
            regions: d.regions.clone(),
            sectors: d.sectors.clone(),
            trade: d.trade.clone(),
            tariffs: d.tariffs_1993.clone(),
            intermediate: d.intermediate.clone(),
            value_added: d.value_added.clone(),
            final_demand: d.final_demand.clone(),
            deficits: d.deficits.clone(),
            theta: d.theta.clone(),
        },
        CpWorldOptions::published_data(),
    )?;
    Ok(w.with_economies(d.economies.clone())?)
}

fn nafta(w: &CpWorld) -> Result<(), Box<dyn Error>> {
    let d = cp2015::embedded()?;
    let cube = TariffCube::from_values(w.regions_len(), w.sectors_len(), d.tariffs_nafta_2005.clone())?;
    let r = counterfactual(w, &cube, Deficits::Zero, &CpSolverOptions::default())?;
    println!("== NAFTA (1993 -> 2005 tariffs among Canada, Mexico, USA; zero deficits), percent");
    println!(
        "  {:<8} {:>9} {:>9} {:>9} {:>10} {:>16}",
        "region", "ToT", "VoT", "welfare", "real wage", "intra-NAFTA imp."
    );
    let paper = [("Mexico", 1.31, 118.0), ("Canada", -0.06, 11.0), ("USA", 0.08, 41.0)];
    let ids: Vec<usize> = paper.iter().map(|p| w.region_index(p.0)).collect::<Result<_, _>>()?;
    for (k, &(name, _, _)) in paper.iter().enumerate() {
        let me = ids[k];
        let others: Vec<usize> = ids.iter().copied().filter(|&x| x != me).collect();
        println!(
            "  {:<8} {:>9.4} {:>9.4} {:>9.4} {:>10.4} {:>16.2}",
            name,
            r.terms_of_trade_pct[me],
            r.volume_of_trade_pct[me],
            r.welfare_pct[me],
            r.real_wage_pct[me],
            r.imports_change_pct(me, &others, None)
        );
    }
    println!("  the paper: welfare Mexico +1.31, USA +0.08, Canada -0.06; intra-bloc imports +118 / +41 / +11");
    println!();
    Ok(())
}

fn concordance(w: &CpWorld) -> Result<SectorConcordance, Box<dyn Error>> {
    let rows = cp2015::hs6_sectors()?;
    // The 2017 trade is in HS 2017: take those rows (HS 2012 rows are for codes HS 2017 dropped).
    let pairs = rows.iter().filter(|r| r.revision == "HS2017").map(|r| (r.code, r.sector.as_str()));
    Ok(SectorConcordance::new(w, pairs)?)
}

fn shock_table(shock: &SectorShock, importer: Economy, exporter: Economy) {
    println!("  {importer} tariffs on {exporter} by sector (trade-weighted on 2017 trade, added to 1993 tariffs):");
    let mut cells: Vec<_> = shock.cells.iter().filter(|c| c.importer == importer && c.exporter == exporter).collect();
    cells.sort_by(|a, b| (b.value * b.change()).total_cmp(&(a.value * a.change())));
    for c in cells.iter().take(8) {
        println!(
            "    {:<16} trade {:>7.1}B  {:>5.1}% -> {:>5.1}%  (+{:.1} points)",
            c.sector_name,
            c.value / 1e9,
            100.0 * c.tariff_before,
            100.0 * c.tariff_after,
            100.0 * c.change()
        );
    }
    println!("    all sectors: +{:.1} points on average", 100.0 * shock.mean_change(importer, exporter));
}

fn report(w: &CpWorld, label: &str, shock: &SectorShock, r: &CpResults) -> Result<(), Box<dyn Error>> {
    let (usa, chn) = (w.economy_index(Economy::USA)?, w.economy_index(Economy::CHN)?);
    let n = w.regions_len();
    println!("== {label}");
    shock_table(shock, Economy::USA, Economy::CHN);
    shock_table(shock, Economy::CHN, Economy::USA);
    println!(
        "  {:<10} {:>10} {:>9} {:>9} {:>11} {:>13}",
        "", "welfare %", "ToT %", "VoT %", "real wage %", "real income %"
    );
    for (name, k) in [("USA", usa), ("China", chn)] {
        println!(
            "  {:<10} {:>10.4} {:>9.4} {:>9.4} {:>11.4} {:>13.4}",
            name,
            r.welfare_pct[k],
            r.terms_of_trade_pct[k],
            r.volume_of_trade_pct[k],
            r.real_wage_pct[k],
            r.real_income_pct[k]
        );
    }
    let traded: Vec<usize> = (0..w.sectors_len()).filter(|&s| w.is_traded(s)).collect();
    println!(
        "  US imports from China {:+.1}%, US exports to China {:+.1}% (all goods, 1993 flows)",
        r.imports_change_pct(usa, &[chn], Some(&traded)),
        r.imports_change_pct(chn, &[usa], Some(&traded))
    );
    let sectors: Vec<usize> = (0..w.sectors_len()).collect();
    let mut by_input = sectors.clone();
    by_input.sort_by(|&a, &b| r.input_cost_pct[b * n + usa].total_cmp(&r.input_cost_pct[a * n + usa]));
    let top: Vec<String> = by_input
        .iter()
        .take(5)
        .map(|&s| {
            format!("{} {:+.3}% (output {:+.2}%)", w.sectors()[s], r.input_cost_pct[s * n + usa], r.output_pct(usa, s))
        })
        .collect();
    println!("  US sectors whose inputs cost most more: {}", top.join("; "));
    for (name, k) in [("US", usa), ("Chinese", chn)] {
        let mut by_output = sectors.clone();
        by_output.sort_by(|&a, &b| r.output_pct(k, a).total_cmp(&r.output_pct(k, b)));
        let worst: Vec<String> =
            by_output.iter().take(5).map(|&s| format!("{} {:+.2}%", w.sectors()[s], r.output_pct(k, s))).collect();
        println!("  {name} sectors whose output falls most: {}", worst.join("; "));
    }
    let mut third: Vec<usize> = (0..n).filter(|&k| k != usa && k != chn).collect();
    third.sort_by(|&a, &b| r.welfare_pct[b].total_cmp(&r.welfare_pct[a]));
    let gains: Vec<String> =
        third.iter().take(6).map(|&k| format!("{} {:+.4}%", w.regions()[k], r.welfare_pct[k])).collect();
    println!("  third countries that gain most: {}", gains.join(", "));
    let losers: Vec<String> =
        third.iter().rev().take(3).map(|&k| format!("{} {:+.4}%", w.regions()[k], r.welfare_pct[k])).collect();
    println!("  and lose most: {}", losers.join(", "));
    println!(
        "  tariff revenue (1993 USD): USA {:+.2}B, China {:+.2}B",
        (r.revenue_counterfactual[usa] - r.revenue_baseline[usa]) / 1e9,
        (r.revenue_counterfactual[chn] - r.revenue_baseline[chn]) / 1e9
    );
    println!();
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let w = world()?;
    nafta(&w)?;
    let concordance = concordance(&w)?;
    let model = CaliendoParroModel::new(Arc::new(w.clone()), concordance, Deficits::Held, CpSolverOptions::default())?
        .with_commitments(CommitmentHandling::LeaveOut);
    let trade = Arc::new(embedded::us_china_trade()?.clone());
    let schedule = Arc::new(us_china_2018::schedule()?);
    for (label, date) in [
        ("Tariffs in force on 2019-09-01 (against before the war; deficits held)", "2019-09-01"),
        ("Phase One, 2020-02-14 (tariffs only; deficits held)", "2020-02-14"),
    ] {
        let s = Scenario::at(label, trade.clone(), schedule.clone(), 2017, parse_date(date)?)?;
        let (shock, r, _) = model.results(&s)?;
        report(&w, label, &shock, &r)?;
        let outcome = model.run(&s)?;
        for note in &outcome.notes {
            println!("  note: {note}");
        }
        println!();
    }
    println!("Limits: a 1993 world (China's size and the US-China flows of 1993, 31 regions, 40 sectors); HS6 tariffs");
    println!(
        "aggregated to 20 traded sectors, trade-weighted on 2017 trade and added to 1993 tariffs; measures on third"
    );
    println!("countries only through their US-China part; Phase One's purchases left out.");
    Ok(())
}
