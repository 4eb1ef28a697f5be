//! Duties: ad valorem, specific, compound, prohibitive, or given only as text.

use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{Currency, Duty, Money};

use crate::convert::{arg, decimal_arg, from_json, py_str_repr, to_json};
use crate::error::{invalid, Result};
use crate::values::{PyMoney, PyPercent};

/// What an importer pays on a line: a share of value (`Duty.ad_valorem("25")`), an
/// amount per unit (`Duty.specific("0.014", "kg")`), both (`Duty.compound`), so much
/// that trade stops (`Duty.prohibitive()`), or a rate the schedule only gives as text
/// (`Duty.complex(...)`). Anywhere a rate is taken, a Duty is taken too.
#[pyclass(frozen, eq, hash, name = "Duty", module = "tradewar")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyDuty(pub Duty);

impl Hash for PyDuty {
    fn hash<H: Hasher>(&self, h: &mut H) {
        // Money compares 1.0 and 1.00 equal: hash the normalized amount.
        match &self.0 {
            Duty::AdValorem { rate } => (0u8, rate.value().normalize()).hash(h),
            Duty::Specific { amount, unit } => (1u8, amount.amount().normalize(), unit).hash(h),
            Duty::Compound { rate, amount, unit } => {
                (2u8, rate.value().normalize(), amount.amount().normalize(), unit).hash(h);
            }
            Duty::Prohibitive => 3u8.hash(h),
            Duty::Complex { text } => (4u8, text).hash(h),
            other => format!("{other:?}").hash(h),
        }
    }
}

fn money_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Money> {
    let m = match v.cast::<PyMoney>() {
        Ok(m) => m.get().0,
        Err(_) => Money::new(decimal_arg(v, what)?, Currency::USD),
    };
    if m.is_negative() {
        return Err(invalid(format!("{what}: {m} is negative; a duty is never negative")));
    }
    Ok(m)
}

#[pymethods]
impl PyDuty {
    /// A share of the customs value, in percent.
    #[staticmethod]
    fn ad_valorem(rate: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(Duty::ad_valorem(crate::policy::percent_arg(rate, "rate")?)))
    }
    /// An amount per unit of quantity (US dollars unless a Money says otherwise), per `unit`
    /// ("kg", "No.", ...; empty where the schedule does not give it).
    #[staticmethod]
    fn specific(amount: &Bound<'_, PyAny>, #[pyo3(from_py_with = arg::unit)] unit: String) -> Result<Self> {
        Ok(Self(Duty::specific(money_arg(amount, "amount")?, &unit)?))
    }
    /// A rate in percent plus an amount per unit.
    #[staticmethod]
    fn compound(
        rate: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::unit)] unit: String,
    ) -> Result<Self> {
        Ok(Self(Duty::compound(crate::policy::percent_arg(rate, "rate")?, money_arg(amount, "amount")?, &unit)?))
    }
    /// So high that trade stops: a ban expressed as a duty.
    #[staticmethod]
    fn prohibitive() -> Self {
        Self(Duty::Prohibitive)
    }
    /// A rate given only as legal text (empty where the schedule gives no rate at all); it adds
    /// nothing to ad valorem totals.
    #[staticmethod]
    fn complex(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(Duty::complex(&text)?))
    }
    /// The duty from its JSON form (read through the same checks as the constructors).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(from_json(&text, "duty")?))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// "ad_valorem", "specific", "compound", "prohibitive" or "complex".
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0 {
            Duty::AdValorem { .. } => "ad_valorem",
            Duty::Specific { .. } => "specific",
            Duty::Compound { .. } => "compound",
            Duty::Prohibitive => "prohibitive",
            _ => "complex",
        }
    }
    /// The ad valorem rate, for ad valorem and compound duties.
    #[getter]
    fn rate(&self) -> Option<PyPercent> {
        match &self.0 {
            Duty::AdValorem { rate } | Duty::Compound { rate, .. } => Some(PyPercent(*rate)),
            _ => None,
        }
    }
    /// The amount per unit, for specific and compound duties.
    #[getter]
    fn amount(&self) -> Option<PyMoney> {
        match &self.0 {
            Duty::Specific { amount, .. } | Duty::Compound { amount, .. } => Some(PyMoney(*amount)),
            _ => None,
        }
    }
    /// The unit of quantity, for specific and compound duties.
    #[getter]
    fn unit(&self) -> Option<String> {
        match &self.0 {
            Duty::Specific { unit, .. } | Duty::Compound { unit, .. } => Some(unit.clone()),
            _ => None,
        }
    }
    /// The legal text, for complex duties.
    #[getter]
    fn text(&self) -> Option<String> {
        match &self.0 {
            Duty::Complex { text } => Some(text.clone()),
            _ => None,
        }
    }
    /// The part an ad valorem total counts: the rate, zero for specific and complex
    /// duties, None for a prohibitive one.
    #[getter]
    fn ad_valorem_part(&self) -> Option<PyPercent> {
        self.0.ad_valorem_part().map(PyPercent)
    }
    /// Whether part of the duty is per unit (left out of ad valorem totals).
    #[getter]
    fn has_specific_part(&self) -> bool {
        self.0.has_specific_part()
    }
    fn __str__(&self) -> String {
        match &self.0 {
            Duty::AdValorem { rate } => rate.to_string(),
            Duty::Specific { amount, unit } => format!("{amount}/{unit}"),
            Duty::Compound { rate, amount, unit } => format!("{rate} + {amount}/{unit}"),
            Duty::Prohibitive => "prohibitive".to_string(),
            Duty::Complex { text } => text.clone(),
            other => format!("{other:?}"),
        }
    }
    /// Evaluates back to an equal duty.
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let money = |m: &Money| -> Result<String> {
            Ok(if m.currency() == Currency::USD {
                format!("'{}'", m.amount())
            } else {
                format!("Money('{}', {})", m.amount(), py_str_repr(py, &m.currency().to_string())?)
            })
        };
        Ok(match &self.0 {
            Duty::AdValorem { rate } => format!("Duty.ad_valorem('{}')", rate.value()),
            Duty::Specific { amount, unit } => format!("Duty.specific({}, {})", money(amount)?, py_str_repr(py, unit)?),
            Duty::Compound { rate, amount, unit } => {
                format!("Duty.compound('{}', {}, {})", rate.value(), money(amount)?, py_str_repr(py, unit)?)
            }
            Duty::Prohibitive => "Duty.prohibitive()".to_string(),
            Duty::Complex { text } => format!("Duty.complex({})", py_str_repr(py, text)?),
            _ => format!("Duty.from_json({})", py_str_repr(py, &self.to_json()?)?),
        })
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDuty>()
}
