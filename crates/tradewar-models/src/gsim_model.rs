//! GSIM run on a scenario: one multi-market model per product, with every
//! economy of the baseline matrix as a region.
//!
//! The form solved is [`GsimOptions::form`]: the levels form (default) or
//! Francois & Hall's percentage-change form. The percentage-change form is a
//! first-order approximation: a ban (a prohibitive tariff) is refused in it,
//! and so is an answer that sends a flow below zero (the error names the
//! flow and says to solve the levels form), since an outcome's money tables
//! cannot hold negative trade.

use std::collections::BTreeMap;

use tradewar_core::{Economy, HsCode, HsLevel};

use crate::commitments::calibrate_factor;
use crate::error::ModelError;
use crate::error::Result;
use crate::gsim::{gsim, BilateralMatrix, GsimBaseline, GsimElasticities, GsimForm, GsimOptions};
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome, PriceTable};
use crate::scenario::{CommitmentMode, PolicyShocks, Scenario};

/// Power factor standing for a ban (trade falls to about zero).
const PROHIBITIVE_FACTOR: f64 = 1e6;

/// GSIM (Francois & Hall) on a scenario, product by product.
#[derive(Debug, Clone)]
pub struct GsimModel {
    /// Elasticities of every region (canonical −1.25, 5, 1.5 by default).
    pub elasticities: GsimElasticities,
    /// Solver options.
    pub options: GsimOptions,
    /// The product level markets are built at (HS6 by default; chapters for speed).
    pub level: HsLevel,
}

impl Default for GsimModel {
    fn default() -> Self {
        Self { elasticities: GsimElasticities::CANONICAL, options: GsimOptions::default(), level: HsLevel::Subheading }
    }
}

/// One product's market: regions and the rows of the shocks in it.
struct Market {
    rows: Vec<usize>,
}

impl GsimModel {
    /// Solves every product; each boost divides the tariff factors of its
    /// rows by its factor (a preference shift toward the seller, used to
    /// meet a commitment by diversion).
    fn solve(
        &self,
        s: &PolicyShocks,
        regions: &[Economy],
        markets: &BTreeMap<HsCode, Market>,
        boosts: &[(Vec<usize>, f64)],
    ) -> Result<SolvedFlows> {
        let n = regions.len();
        let idx = |e: Economy| regions.binary_search(&e).unwrap_or(0);
        let mut out = SolvedFlows {
            new_value: s.value.clone(),
            revenue_change: vec![0.0; s.len()],
            welfare_by_region: vec![0.0; n],
            prices: PriceTable::default(),
        };
        let codes: Vec<String> = regions.iter().map(ToString::to_string).collect();
        let boosted: std::collections::HashMap<usize, f64> =
            boosts.iter().flat_map(|(rows, f)| rows.iter().map(move |&r| (r, *f))).collect();
        for (product, m) in markets {
            let mut trade = BilateralMatrix::filled(n, 0.0);
            let mut t0 = BilateralMatrix::filled(n, 1.0);
            let mut t1 = BilateralMatrix::filled(n, 1.0);
            // Several rows may share a cell when markets are coarser than the
            // rows: tariff factors are then trade-weighted within the cell.
            for &k in &m.rows {
                let (i, j) = (idx(s.exporter[k]), idx(s.importer[k]));
                trade.set(i, j, trade.get(i, j) + s.value[k]);
            }
            let mut w0 = BilateralMatrix::filled(n, 0.0);
            let mut w1 = BilateralMatrix::filled(n, 0.0);
            for &k in &m.rows {
                let (i, j) = (idx(s.exporter[k]), idx(s.importer[k]));
                let cell = trade.get(i, j);
                let w = if cell > 0.0 { s.value[k] / cell } else { 1.0 / m.rows.len() as f64 };
                let mut after = if s.banned[k] { PROHIBITIVE_FACTOR } else { 1.0 + s.t1[k] };
                if let Some(f) = boosted.get(&k) {
                    after /= f;
                }
                w0.set(i, j, w0.get(i, j) + w * (1.0 + s.t0[k]));
                w1.set(i, j, w1.get(i, j) + w * after);
            }
            for i in 0..n {
                for j in 0..n {
                    if trade.get(i, j) > 0.0 {
                        t0.set(i, j, w0.get(i, j));
                        t1.set(i, j, w1.get(i, j));
                    }
                }
            }
            let base =
                GsimBaseline { regions: codes.clone(), trade, tariffs: t0, elasticities: vec![self.elasticities; n] };
            let o = gsim(&base, &t1, &self.options)?;
            if let Some(&(r, v)) = o.negative_flows.first() {
                return Err(ModelError::OutOfDomain {
                    what: format!("GSIM percentage-change form: new trade {}→{} in {product}", regions[r], regions[v]),
                    value: o.trade_after.get(r, v),
                    requirement: format!(
                        "the first-order approximation is outside its range (the market has {} flow(s) below \
                         zero); solve the levels form (GsimForm::Levels; Python: GsimModel(form=\"levels\"))",
                        o.negative_flows.len()
                    ),
                });
            }
            for (r, region) in regions.iter().enumerate() {
                let exports: f64 = base.trade.row(r).iter().sum();
                let imports: f64 = (0..n).map(|e| base.trade.get(e, r)).sum();
                if exports > 0.0 || imports > 0.0 {
                    let pct = |traded: bool, change: f64| if traded { 100.0 * change } else { f64::NAN };
                    out.prices.product.push(*product);
                    out.prices.economy.push(*region);
                    out.prices.world_price_change_pct.push(pct(exports > 0.0, o.world_price_change[r]));
                    out.prices.import_price_change_pct.push(pct(imports > 0.0, o.import_price_index_change[r]));
                }
            }
            for &k in &m.rows {
                let (i, j) = (idx(s.exporter[k]), idx(s.importer[k]));
                let share = if base.trade.get(i, j) > 0.0 { s.value[k] / base.trade.get(i, j) } else { 0.0 };
                out.new_value[k] = o.trade_after.get(i, j) * share;
                // Revenue at the row's own tariffs: a preference shift toward a
                // seller (diversion) is not a tariff cut.
                let revenue_after = if s.banned[k] { 0.0 } else { s.t1[k] * o.trade_after.get(i, j) * share };
                out.revenue_change[k] = revenue_after - s.t0[k] * s.value[k];
            }
            for (r, w) in o.welfare_gain.iter().enumerate() {
                out.welfare_by_region[r] += w;
            }
        }
        Ok(out)
    }
}

struct SolvedFlows {
    new_value: Vec<f64>,
    revenue_change: Vec<f64>,
    welfare_by_region: Vec<f64>,
    prices: PriceTable,
}

impl Model for GsimModel {
    fn name(&self) -> &'static str {
        "GSIM (multi-market partial equilibrium)"
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        let s = scenario.shocks()?;
        s.refuse_other_changes(self.name())?;
        if self.options.form == GsimForm::Linear {
            if let Some(k) = s.banned.iter().position(|&b| b) {
                return Err(ModelError::InvalidInput {
                    what: "GSIM percentage-change form".into(),
                    reason: format!(
                        "the flow {}→{} {} is banned on the later date; a ban is a prohibitive tariff, far outside \
                         the range of a first-order approximation: solve the levels form (GsimForm::Levels; Python: \
                         GsimModel(form=\"levels\"))",
                        s.exporter[k], s.importer[k], s.product[k]
                    ),
                });
            }
        }
        let mut regions: Vec<Economy> = s.exporter.iter().chain(&s.importer).copied().collect();
        regions.sort_unstable();
        regions.dedup();
        let mut markets: BTreeMap<HsCode, Market> = BTreeMap::new();
        for k in 0..s.len() {
            let p = s.product[k].truncate(self.level).unwrap_or(s.product[k]);
            markets.entry(p).or_insert_with(|| Market { rows: Vec::new() }).rows.push(k);
        }
        let mut boosts: Vec<(Vec<usize>, f64)> = Vec::new();
        let mut solved = self.solve(&s, &regions, &markets, &boosts)?;
        let e = &self.elasticities;
        let mut notes = vec![
            format!("{} product markets at {:?} level, {} regions", markets.len(), self.level, regions.len()),
            format!(
                "elasticities (every region): import demand {}, substitution {}, export supply {}",
                e.import_demand, e.substitution, e.export_supply
            ),
            match self.options.form {
                GsimForm::Levels => "form: levels (constant elasticities, exact for any shock)".to_string(),
                GsimForm::Linear => {
                    "form: percentage change (Francois & Hall's linear form, baseline shares; first order)".to_string()
                }
            },
        ];
        for c in &s.commitments {
            match scenario.commitment_mode() {
                CommitmentMode::AddedDemand => {
                    let open: Vec<usize> = c.rows.iter().copied().filter(|&r| !s.banned[r]).collect();
                    let before = solved.new_value.clone();
                    crate::commitments::add_pro_rata(&open, &before, &mut solved.new_value, c.extra_usd);
                    for &r in &open {
                        solved.revenue_change[r] += s.t1[r] * (solved.new_value[r] - before[r]);
                    }
                    notes.push(format!(
                        "commitment {}: {:.1}B added to demand (after the price solve: world prices reflect the \
                         tariff changes only)",
                        c.id,
                        c.extra_usd / 1e9
                    ));
                }
                CommitmentMode::Diversion => {
                    let before: f64 = c.rows.iter().map(|&r| solved.new_value[r]).sum();
                    let goal = before + c.extra_usd;
                    let f = calibrate_factor(goal, |f| {
                        let mut trial = boosts.clone();
                        trial.push((c.rows.clone(), f));
                        let v = self.solve(&s, &regions, &markets, &trial)?;
                        Ok(c.rows.iter().map(|&r| v.new_value[r]).sum())
                    })?;
                    boosts.push((c.rows.clone(), f));
                    solved = self.solve(&s, &regions, &markets, &boosts)?;
                    notes.push(format!(
                        "commitment {}: met by a preference shift of {:.1}% toward the seller",
                        c.id,
                        (f - 1.0) * 100.0
                    ));
                }
            }
        }
        let table = FlowTable {
            exporter: s.exporter.clone(),
            importer: s.importer.clone(),
            product: s.product.iter().copied().map(Some).collect(),
            baseline: s.value.clone(),
            new_value: solved.new_value,
            tariff_before: s.t0.clone(),
            tariff_after: s.t1.clone(),
            revenue_change: solved.revenue_change,
            // GSIM measures welfare by region, not by flow.
            welfare_gain: vec![f64::NAN; s.len()],
        };
        let mut o =
            Outcome::from_flows(self.name(), scenario.name(), "consumer + producer surplus + tariff revenue", table);
        o.prices = solved.prices;
        for (r, e) in regions.iter().enumerate() {
            if let Some(row) = o.economies.row(*e) {
                o.economies.welfare_gain[row] = solved.welfare_by_region[r];
            }
        }
        notes.extend(s.notes.iter().cloned());
        o.notes = notes;
        o.caveats.clone_from(&s.caveats);
        o.score(scenario.target());
        Ok(o)
    }
}
