//! The accounting model: no behaviour. Trade stays at its baseline (plus
//! commitments, met mechanically); duties are rate times value.

use crate::commitments;
use crate::error::Result;
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome};
use crate::scenario::Scenario;

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
        let revenue_change = (0..s.len()).map(|k| s.t1[k] * new_value[k] - s.t0[k] * s.value[k]).collect();
        let flows = FlowTable {
            exporter: s.exporter.clone(),
            importer: s.importer.clone(),
            product: s.product.iter().copied().map(Some).collect(),
            baseline: s.value.clone(),
            new_value,
            tariff_before: s.t0.clone(),
            tariff_after: s.t1.clone(),
            revenue_change,
            welfare_gain: vec![0.0; s.len()],
        };
        let mut o = Outcome::from_flows(self.name(), scenario.name(), "none (no behaviour)", flows);
        for (id, usd, undiverted) in applied {
            o.notes.push(format!(
                "commitment {id}: {:.1}B met mechanically ({:?}; {:.1}B could not be diverted)",
                usd / 1e9,
                scenario.commitment_mode(),
                undiverted / 1e9
            ));
        }
        o.score(scenario.target());
        Ok(o)
    }
}
