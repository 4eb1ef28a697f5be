//! The accounting model: no behaviour. Trade stays at its baseline (plus
//! commitments, met mechanically); duties are rate times value.

use tradewar_core::{Economy, Measure};

use crate::commitments;
use crate::error::Result;
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome};
use crate::scenario::{fraction, MeasureChange, PolicyShocks, Scenario};

/// No behavioural response: the static, "mechanical" reading of a scenario.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountingModel;

impl Model for AccountingModel {
    fn name(&self) -> &'static str {
        "Accounting (no behaviour)"
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        let s = scenario.shocks()?;
        let mut new_value: Vec<f64> = s.value.iter().zip(&s.banned).map(|(v, b)| if *b { 0.0 } else { *v }).collect();
        let applied = commitments::apply(&s, &mut new_value, scenario.commitment_mode());
        let mut revenue_change: Vec<f64> =
            (0..s.len()).map(|k| s.t1[k] * new_value[k] - s.t0[k] * s.value[k]).collect();
        let mut notes = Vec::new();
        for c in &s.other_changes {
            notes.push(AccountingModel.apply_change(&s, c, &mut new_value, &mut revenue_change)?);
        }
        let flows = FlowTable {
            exporter: s.exporter.clone(),
            importer: s.importer.clone(),
            product: s.product.iter().copied().map(Some).collect(),
            baseline: s.value.clone(),
            new_value,
            tariff_before: s.t0.clone(),
            tariff_after: s.t1.clone(),
            revenue_change,
            // No behaviour, no welfare measure.
            welfare_gain: vec![f64::NAN; s.len()],
        };
        let mut o = Outcome::from_flows(self.name(), scenario.name(), "none (no behaviour)", flows);
        o.notes.extend(notes);
        for (id, usd, undiverted) in applied {
            o.notes.push(format!(
                "commitment {id}: {:.1}B met mechanically ({:?}; {:.1}B could not be diverted)",
                usd / 1e9,
                scenario.commitment_mode(),
                undiverted / 1e9
            ));
        }
        o.notes.extend(s.notes.iter().cloned());
        o.caveats.clone_from(&s.caveats);
        o.score(scenario.target());
        Ok(o)
    }
}

impl AccountingModel {
    /// Applies a quota or a subsidy coming into force, mechanically; refuses
    /// the rest (a denial order on an entity, a quota or subsidy ending).
    fn apply_change(
        self,
        s: &PolicyShocks,
        c: &MeasureChange,
        new_value: &mut [f64],
        revenue_change: &mut [f64],
    ) -> Result<String> {
        if !c.after || c.before {
            let reason = match c.measure.as_ref() {
                Measure::ExportBan { entity: Some(_), .. } => {
                    "a denial order on one firm stops trade that product-level data cannot tell apart from the \
                     rest of the pair's, so the model can neither remove nor restore it: compare two dates on the \
                     same side of the order"
                }
                Measure::ExportBan { .. } => {
                    "an export ban in force at the earlier date would have to be lifted from trade that the base \
                     year's data do not show: compare two dates on the same side of the ban"
                }
                _ => {
                    "a quota or subsidy is applied only as it comes into force: models start from open, \
                      unsubsidised trade"
                }
            };
            return Err(c.unsupported(self.name(), reason));
        }
        let h = c.measure.header();
        let in_scope = |k: usize, importer_in: Economy, exporter_in: Economy| {
            importer_in.includes(s.importer[k]) && exporter_in.includes(s.exporter[k]) && h.scope.contains(s.product[k])
        };
        match c.measure.as_ref() {
            Measure::Quota { annual_value, out_of_quota, .. } => {
                let rows: Vec<usize> = (0..s.len()).filter(|&k| in_scope(k, h.imposer, h.target)).collect();
                let total: f64 = rows.iter().map(|&k| new_value[k]).sum();
                let cap = fraction(annual_value.amount()) * 100.0;
                if total <= cap {
                    return Ok(format!(
                        "quota {} does not bind: {:.2}B in scope, {:.2}B allowed",
                        h.id,
                        total / 1e9,
                        cap / 1e9
                    ));
                }
                match out_of_quota.ad_valorem_part() {
                    None => {
                        for &k in &rows {
                            let before = new_value[k];
                            new_value[k] *= cap / total;
                            revenue_change[k] += s.t1[k] * (new_value[k] - before);
                        }
                        Ok(format!(
                            "quota {}: imports in scope held to {:.2}B from {:.2}B (pro rata)",
                            h.id,
                            cap / 1e9,
                            total / 1e9
                        ))
                    }
                    Some(rate) => {
                        let extra = fraction(rate.value()) * (total - cap);
                        for &k in &rows {
                            revenue_change[k] += extra * new_value[k] / total;
                        }
                        Ok(format!(
                            "quota {}: {:.2}B above the {:.2}B allowed pays the out-of-quota duty {out_of_quota} \
                             ({:.2}B of revenue, no behaviour)",
                            h.id,
                            (total - cap) / 1e9,
                            cap / 1e9,
                            extra / 1e9
                        ))
                    }
                }
            }
            Measure::Subsidy { rate, export_only, .. } => {
                let exports: f64 = (0..s.len()).filter(|&k| in_scope(k, h.target, h.imposer)).map(|k| s.value[k]).sum();
                let cost = fraction(rate.value()) * exports;
                let what = if *export_only {
                    "export subsidy"
                } else {
                    "production subsidy (exports only; domestic sales are not in trade data)"
                };
                Ok(format!(
                    "{what} {}: {rate} on {:.2}B of {}'s exports to {} in scope costs {:.2}B a year (no behaviour)",
                    h.id,
                    exports / 1e9,
                    h.imposer,
                    h.target,
                    cost / 1e9
                ))
            }
            _ => Err(c.unsupported(self.name(), crate::scenario::other_change_reason(&c.measure))),
        }
    }
}
