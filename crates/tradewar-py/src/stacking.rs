//! How a tariff layer stacks on the others: the core's `Stacking`, with
//! selectors written as `"kind:value"` strings.

use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use tradewar_core::{Combine, Error as CoreError, MeasureId, Selector, ShareLimit, Stacking};

use crate::convert::{arg, each_named, from_json, py_str_repr, shown, to_json, type_error};
use crate::error::{invalid, Result};
use crate::policy::percent_arg;
use crate::values::PyPercent;

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

const SELECTOR_FORMS: &str = "\"measure:<id>\", \"legal_basis:<basis>\" or \"id_prefix:<prefix>\"";

/// A selector from `"measure:US232-AUTOS"`, `"legal_basis:ieepa"` or `"id_prefix:IEEPA-RECIP"`.
fn parse_selector(text: &str) -> Result<Selector> {
    let unknown = || CoreError::UnknownKeyword {
        kind: "layer selector",
        value: tradewar_core::excerpt(text),
        expected: SELECTOR_FORMS,
    };
    let (kind, value) = text.split_once(':').ok_or_else(unknown)?;
    Ok(match kind.trim() {
        "measure" => Selector::Measure(MeasureId::new(value.trim())?),
        "legal_basis" => Selector::LegalBasis(value.parse()?),
        "id_prefix" => {
            let v = value.trim();
            if v.is_empty() {
                return Err(invalid(format!(
                    "selector {:?}: the prefix is empty (it would select every layer)",
                    tradewar_core::excerpt(text)
                )));
            }
            Selector::IdPrefix(v.to_string())
        }
        _ => return Err(unknown().into()),
    })
}

fn selector_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Selector> {
    let s = v
        .cast::<PyString>()
        .map_err(|_| type_error(format!("{what}: expected a selector string ({SELECTOR_FORMS}), got {}", shown(v))))?;
    parse_selector(&s.to_string()).map_err(|e| crate::error::located(e, what))
}

/// The text form of a selector, as [`parse_selector`] reads it.
pub(crate) fn selector_text(s: &Selector) -> String {
    match s {
        Selector::Measure(id) => format!("measure:{id}"),
        Selector::LegalBasis(b) => format!("legal_basis:{b}"),
        Selector::IdPrefix(p) => format!("id_prefix:{p}"),
    }
}

fn combine_name(c: &Combine) -> &'static str {
    match c {
        Combine::Add => "add",
        Combine::MaxInGroup { .. } => "max_in_group",
        Combine::Floor => "floor",
    }
}

/// The rules the core checks on a tariff's stacking (`Measure::validate`), checked early.
fn check(s: &Stacking) -> Result<()> {
    Ok(s.validate()?)
}

/// The items of a (short) non-string iterable, or None if it is not one.
pub(crate) fn items<'py>(v: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    if v.is_instance_of::<PyString>() {
        return None;
    }
    v.try_iter().ok()?.collect::<PyResult<Vec<_>>>().ok()
}

fn confine_arg(pair: &Bound<'_, PyAny>, i: usize) -> Result<ShareLimit> {
    let items = items(pair)
        .ok_or_else(|| type_error(format!("confines[{i}]: expected a (selector, share) pair, got {}", shown(pair))))?;
    match items.as_slice() {
        [sel, share] => Ok(ShareLimit {
            selector: selector_arg(sel, &format!("confines[{i}]"))?,
            share: percent_arg(share, &format!("confines[{i}] share"))?,
        }),
        _ => Err(invalid(format!("confines[{i}]: expected a (selector, share) pair, got {} items", items.len()))),
    }
}

/// How a tariff layer combines with the others on the same line.
///
/// `combine` is "add" (the default: adds to what is there), "max_in_group"
/// (only the highest rate of `group` applies) or "floor" (raises base plus
/// layer to at least the layer's rate; only the highest floor pays).
/// `value_share`: the layer applies to this share of the customs value.
/// `switches_off`: layers this one switches off on the lines it covers.
/// `confines`: (selector, share) pairs; the selected layers apply to at most
/// that share of the value on the lines this one covers. A selector is
/// `"measure:<id>"`, `"legal_basis:<basis>"` or `"id_prefix:<prefix>"`.
#[pyclass(frozen, eq, hash, name = "Stacking", module = "tradewar")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyStacking(pub Stacking);

impl Hash for PyStacking {
    fn hash<H: Hasher>(&self, h: &mut H) {
        // The JSON form is canonical (rates are normalized), and equal stackings serialize alike.
        serde_json::to_string(&self.0).unwrap_or_default().hash(h);
    }
}

#[pymethods]
impl PyStacking {
    #[new]
    #[pyo3(signature = (combine = "add".to_string(), *, group = None, value_share = None, switches_off = None, confines = None), text_signature = "(combine='add', *, group=None, value_share=None, switches_off=None, confines=None)")]
    fn new(
        #[pyo3(from_py_with = arg::combine)] combine: String,
        #[pyo3(from_py_with = arg::group)] group: Option<String>,
        value_share: Option<&Bound<'_, PyAny>>,
        switches_off: Option<&Bound<'_, PyAny>>,
        confines: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let combine = match (combine.as_str(), group.as_deref()) {
            ("add", None) => Combine::Add,
            ("floor", None) => Combine::Floor,
            ("max_in_group", Some(g)) if !g.trim().is_empty() => Combine::MaxInGroup { group: g.trim().to_string() },
            ("max_in_group", Some(_)) => return Err(invalid("group: an empty group name")),
            ("max_in_group", None) => return Err(invalid("combine=\"max_in_group\" needs group=")),
            ("add" | "floor", Some(g)) => {
                return Err(invalid(format!(
                    "group={:?} is only meaningful with combine=\"max_in_group\"",
                    tradewar_core::excerpt(g)
                )))
            }
            (other, _) => {
                return Err(CoreError::UnknownKeyword {
                    kind: "stacking combine",
                    value: tradewar_core::excerpt(other),
                    expected: "add, max_in_group, floor",
                }
                .into())
            }
        };
        let value_share = value_share.filter(|v| !v.is_none()).map(|v| percent_arg(v, "value_share")).transpose()?;
        let switches_off = match switches_off.filter(|v| !v.is_none()) {
            None => Vec::new(),
            Some(v) => {
                let mut i = 0;
                each_named(v, "switches_off", |x| {
                    i += 1;
                    selector_arg(x, &format!("switches_off[{}]", i - 1))
                })?
            }
        };
        let confines = match confines.filter(|v| !v.is_none()) {
            None => Vec::new(),
            Some(v) => {
                let pairs = match v.cast::<PyDict>() {
                    Ok(d) => d.items().into_any(),
                    Err(_) => v.clone(),
                };
                let mut i = 0;
                each_named(&pairs, "confines", |x| {
                    i += 1;
                    confine_arg(x, i - 1)
                })?
            }
        };
        let s = Stacking { combine, value_share, switches_off, confines };
        check(&s)?;
        Ok(Self(s))
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let s: Stacking = from_json(&text, "stacking")?;
        check(&s)?;
        Ok(Self(s))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// "add", "max_in_group" or "floor".
    #[getter]
    fn combine(&self) -> &'static str {
        combine_name(&self.0.combine)
    }
    /// The group, for "max_in_group".
    #[getter]
    fn group(&self) -> Option<String> {
        match &self.0.combine {
            Combine::MaxInGroup { group } => Some(group.clone()),
            _ => None,
        }
    }
    /// The share of the customs value the layer applies to (None: all of it).
    #[getter]
    fn value_share(&self) -> Option<PyPercent> {
        self.0.value_share.map(PyPercent)
    }
    /// Selectors of the layers this one switches off.
    #[getter]
    fn switches_off(&self) -> Vec<String> {
        self.0.switches_off.iter().map(selector_text).collect()
    }
    /// (selector, share) pairs: layers confined to a share of the value.
    #[getter]
    fn confines(&self) -> Vec<(String, PyPercent)> {
        self.0.confines.iter().map(|l| (selector_text(&l.selector), PyPercent(l.share))).collect()
    }
    pub fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = &self.0;
        let mut parts = Vec::new();
        if s.combine != Combine::Add {
            parts.push(format!("'{}'", combine_name(&s.combine)));
        }
        if let Combine::MaxInGroup { group } = &s.combine {
            parts.push(format!("group={}", py_str_repr(py, group)?));
        }
        if let Some(p) = s.value_share {
            parts.push(format!("value_share={}", PyPercent(p).__repr__()));
        }
        if !s.switches_off.is_empty() {
            let v = s.switches_off.iter().map(|x| py_str_repr(py, &selector_text(x))).collect::<PyResult<Vec<_>>>()?;
            parts.push(format!("switches_off=[{}]", v.join(", ")));
        }
        if !s.confines.is_empty() {
            let v = s
                .confines
                .iter()
                .map(|l| {
                    Ok(format!(
                        "({}, {})",
                        py_str_repr(py, &selector_text(&l.selector))?,
                        PyPercent(l.share).__repr__()
                    ))
                })
                .collect::<PyResult<Vec<_>>>()?;
            parts.push(format!("confines=[{}]", v.join(", ")));
        }
        Ok(format!("Stacking({})", parts.join(", ")))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStacking>()
}
