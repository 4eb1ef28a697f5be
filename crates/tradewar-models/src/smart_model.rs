//! SMART run on a scenario: one market per importer and HS6 product, the
//! exporters of the baseline matrix as partners.

use std::collections::HashMap;

use tradewar_core::{Economy, HsCode, HsLevel};

use crate::error::Result;
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome};
use crate::scenario::Scenario;
use crate::smart::{
    smart, QuantityConstraint, SigmaTable, SmartElasticities, SmartFlows, DEFAULT_SUBSTITUTION, INFINITE_EXPORT_SUPPLY,
};

/// SMART (WITS) partial equilibrium on a scenario.
#[derive(Debug, Clone)]
pub struct SmartModel {
    /// Substitution elasticities by HS6 (with a default).
    pub sigmas: SigmaTable,
    /// Import-demand elasticity (negative) used where no override is given.
    pub import_demand: f64,
    /// Import-demand elasticities by HS6.
    pub import_demand_by_product: HashMap<HsCode, f64>,
    /// Export-supply elasticity (99 or more: infinite).
    pub export_supply: f64,
}

impl SmartModel {
    /// WITS's defaults: σ = 1.5 everywhere, e_x infinite, and the given e_m
    /// (finite and negative, else refused here rather than at run time).
    pub fn wits_defaults(import_demand: f64) -> Result<Self> {
        crate::smart::SmartElasticities::with_infinite_supply(import_demand).check("SMART import demand")?;
        Ok(Self {
            sigmas: SigmaTable::new(DEFAULT_SUBSTITUTION)?,
            import_demand,
            import_demand_by_product: HashMap::new(),
            export_supply: INFINITE_EXPORT_SUPPLY,
        })
    }

    /// σ by HS6 from a table (e.g. Broda–Weinstein medians), e_x infinite.
    pub fn with_sigmas(sigmas: SigmaTable, import_demand: f64) -> Self {
        Self { sigmas, import_demand, import_demand_by_product: HashMap::new(), export_supply: INFINITE_EXPORT_SUPPLY }
    }
}

impl SmartModel {
    /// The elasticities used, in words (every outcome states them).
    pub fn describe_elasticities(&self) -> String {
        let supply = if self.export_supply >= INFINITE_EXPORT_SUPPLY {
            "infinite".to_string()
        } else {
            format!("{}", self.export_supply)
        };
        format!(
            "elasticities: import demand {} ({} HS6 overrides), substitution {} by default ({} HS6 values from \
             the table), export supply {supply}",
            self.import_demand,
            self.import_demand_by_product.len(),
            self.sigmas.default_sigma(),
            self.sigmas.len()
        )
    }
}

impl Model for SmartModel {
    fn name(&self) -> &'static str {
        "SMART (partial equilibrium)"
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        let s = scenario.shocks()?;
        s.refuse_other_changes(self.name())?;
        let mut markets: HashMap<(Economy, HsCode), u32> = HashMap::new();
        let mut partners: HashMap<Economy, u32> = HashMap::new();
        let mut elasticities = Vec::new();
        let mut flows = SmartFlows::with_capacity(s.len());
        for k in 0..s.len() {
            let p = s.product[k].truncate(HsLevel::Subheading).unwrap_or(s.product[k]);
            let next = markets.len() as u32;
            let m = *markets.entry((s.importer[k], p)).or_insert_with(|| {
                let e_m = self.import_demand_by_product.get(&p).copied().unwrap_or(self.import_demand);
                elasticities.push(SmartElasticities {
                    import_demand: e_m,
                    export_supply: self.export_supply,
                    substitution: self.sigmas.get(p),
                });
                next
            });
            let np = partners.len() as u32;
            let partner = *partners.entry(s.exporter[k]).or_insert(np);
            flows.push(m, partner, s.value[k], s.t0[k], s.t1[k]);
        }
        let mut constraints: Vec<QuantityConstraint> =
            (0..s.len()).filter(|&k| s.banned[k]).map(|row| QuantityConstraint::Ban { row }).collect();
        for c in &s.commitments {
            // The extra purchases go to the open rows, pro rata to their values.
            let open: Vec<usize> = c.rows.iter().copied().filter(|&r| !s.banned[r]).collect();
            let base: f64 = open.iter().map(|&r| s.value[r]).sum();
            for &row in &open {
                let w = if base > 0.0 { s.value[row] / base } else { 1.0 / open.len() as f64 };
                constraints.push(QuantityConstraint::Commitment {
                    row,
                    increase: c.extra_usd * w,
                    mode: scenario.commitment_mode(),
                });
            }
        }
        let r = smart(&flows, &elasticities, &constraints)?;
        let table = FlowTable {
            exporter: s.exporter.clone(),
            importer: s.importer.clone(),
            product: s.product.iter().copied().map(Some).collect(),
            baseline: s.value.clone(),
            new_value: r.flows.imports_after.clone(),
            tariff_before: s.t0.clone(),
            tariff_after: s.t1.clone(),
            revenue_change: r.flows.revenue_change.clone(),
            welfare_gain: r.flows.harberger_welfare_gain.clone(),
        };
        let mut o =
            Outcome::from_flows(self.name(), scenario.name(), "Harberger triangle (½·|Δt|·trade creation)", table);
        let shortfall: f64 = r.markets.iter().map(|m| m.commitment_shortfall).sum();
        let unplaced: f64 = r.markets.iter().map(|m| m.unplaced_banned_demand).sum();
        let clamped: usize = r.markets.iter().map(|m| m.clamped_flows).sum();
        o.notes.push(format!(
            "{} markets (importer × HS6); commitments as {:?}",
            markets.len(),
            scenario.commitment_mode()
        ));
        o.notes.push(self.describe_elasticities());
        if clamped > 0 {
            let with_trade = s.value.iter().filter(|v| **v > 0.0).count();
            o.notes.push(format!(
                "{clamped} of {with_trade} flows were taken to zero by the formulas (trade creation capped at the \
                 flow, diversion floored at what is left): the price changes are beyond what the linear SMART \
                 form describes; read those flows as 'stopped', and consider smaller elasticities"
            ));
        }
        if shortfall > 0.0 {
            o.notes.push(format!(
                "{:.2}B of the commitments could not be taken from other suppliers in the data; it is bought \
                 from suppliers outside the data, which adds to the buyer's imports here",
                shortfall / 1e9
            ));
        }
        if unplaced > 0.0 {
            o.notes.push(format!("{:.2}B of banned demand had no other supplier", unplaced / 1e9));
        }
        o.notes.extend(s.notes.iter().cloned());
        o.caveats.clone_from(&s.caveats);
        o.score(scenario.target());
        Ok(o)
    }
}
