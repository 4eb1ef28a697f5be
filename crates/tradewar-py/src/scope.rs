//! Product scopes and the entities a measure can name.

use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{Entity, HsCode, Overlap, ProductScope};

use crate::convert::{arg, class_arg, each_named, economy_param, from_json, hs_param, py_str_repr, str_arg, to_json};
use crate::error::{invalid, Result};
use crate::values::{PyEconomy, PyHsCode};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// The codes of a list argument: an iterable of `HsCode` or strings, or None.
fn codes_arg(v: Option<&Bound<'_, PyAny>>, what: &str) -> Result<Vec<HsCode>> {
    match v.filter(|x| !x.is_none()) {
        None => Ok(Vec::new()),
        Some(x) => {
            let mut i = 0;
            each_named(x, what, |c| {
                let code = hs_param(c, &format!("{what}[{i}]"));
                i += 1;
                code
            })
        }
    }
}

/// A measure's scope from the `scope=` and `exclude=` arguments: `scope` is a
/// `ProductScope`, an iterable of codes, or None for every product; `exclude`
/// adds exclusions to either.
pub(crate) fn scope_arg(scope: Option<&Bound<'_, PyAny>>, exclude: Option<&Bound<'_, PyAny>>) -> Result<ProductScope> {
    let base = match scope.filter(|s| !s.is_none()) {
        None => ProductScope::all(),
        Some(s) => {
            if let Ok(p) = s.cast::<PyProductScope>() {
                p.get().0.clone()
            } else {
                let codes = codes_arg(Some(s), "scope")?;
                if codes.is_empty() {
                    return Err(invalid("scope: an empty list covers nothing (pass None for every product)"));
                }
                ProductScope::new(codes)
            }
        }
    };
    let exclude = codes_arg(exclude, "exclude")?;
    Ok(if exclude.is_empty() { base } else { base.with_exclusions(exclude) })
}

fn code_list(codes: &[HsCode]) -> String {
    let items: Vec<String> = codes.iter().map(|c| format!("'{c}'")).collect();
    format!("[{}]", items.join(", "))
}

fn overlap_name(o: Overlap) -> &'static str {
    match o {
        Overlap::Full => "full",
        Overlap::Partial => "partial",
        Overlap::None => "none",
    }
}

fn hash_scope<H: Hasher>(s: &ProductScope, h: &mut H) {
    (s.is_all(), s.included(), s.excluded()).hash(h);
}

/// A set of products: codes at any level (chapter 12 and line 8542.31.00
/// together), minus exclusions. A line is in the scope when it or one of its
/// ancestors is listed and neither it nor an ancestor is excluded.
///
/// `ProductScope(["12", "8542.31.00"], exclude=["1201.90"])`;
/// `ProductScope.all()` for every product.
#[pyclass(frozen, eq, hash, name = "ProductScope", module = "tradewar")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyProductScope(pub ProductScope);

impl Hash for PyProductScope {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_scope(&self.0, h);
    }
}

#[pymethods]
impl PyProductScope {
    /// The listed `codes` (HsCode or strings, any level) minus `exclude`.
    #[new]
    #[pyo3(signature = (codes, exclude = None))]
    fn new(codes: &Bound<'_, PyAny>, exclude: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        if codes.is_none() {
            return Err(invalid("codes: expected an iterable of codes (use ProductScope.all() for every product)"));
        }
        let scope = ProductScope::new(codes_arg(Some(codes), "codes")?);
        Ok(Self(scope.with_exclusions(codes_arg(exclude, "exclude")?)))
    }
    /// Every product, minus `exclude`.
    #[staticmethod]
    #[pyo3(signature = (exclude = None))]
    fn all(exclude: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        Ok(Self(ProductScope::all().with_exclusions(codes_arg(exclude, "exclude")?)))
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(from_json(&text, "product scope")?))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// Whether the scope is every product (before exclusions).
    #[getter]
    fn is_all(&self) -> bool {
        self.0.is_all()
    }
    /// The listed codes, sorted (empty for `ProductScope.all()`).
    #[getter]
    fn codes(&self) -> Vec<PyHsCode> {
        self.0.included().iter().copied().map(PyHsCode).collect()
    }
    /// The excluded codes, sorted.
    #[getter]
    fn excluded(&self) -> Vec<PyHsCode> {
        self.0.excluded().iter().copied().map(PyHsCode).collect()
    }
    /// Whether `code` (and so everything below it) is in the scope.
    fn contains(&self, code: &Bound<'_, PyAny>) -> Result<bool> {
        Ok(self.0.contains(hs_param(code, "code")?))
    }
    fn __contains__(&self, code: &Bound<'_, PyAny>) -> Result<bool> {
        self.contains(code)
    }
    /// How much of `code` the scope covers: "full", "partial" (some lines
    /// below it are listed, or some are excluded) or "none".
    fn overlap(&self, code: &Bound<'_, PyAny>) -> Result<&'static str> {
        Ok(overlap_name(self.0.overlap(hs_param(code, "code")?)))
    }
    /// The exclusion that keeps `code` out of a scope that would otherwise
    /// hold it, or None when that is not why it is out (or it is in).
    fn exempting(&self, code: &Bound<'_, PyAny>) -> Result<Option<PyHsCode>> {
        Ok(self.0.exempting(hs_param(code, "code")?).map(PyHsCode))
    }
    /// The listed codes at or below `code`, minus exclusions (e.g. the HTS8
    /// lines of a list inside one HS6 subheading).
    fn included_below(&self, code: &Bound<'_, PyAny>) -> Result<Vec<PyHsCode>> {
        Ok(self.0.included_below(hs_param(code, "code")?).map(PyHsCode).collect())
    }
    /// The same scope with more exclusions.
    fn excluding(&self, codes: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(self.0.clone().with_exclusions(codes_arg(Some(codes), "codes")?)))
    }
    /// The scope of every code in either scope (refused where an exclusion of one side is
    /// partly included by the other: that union has no exact form at the codes given).
    fn union(&self, other: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(self.0.union(&class_arg::<PyProductScope>(other, "other")?.0)?))
    }
    fn __str__(&self) -> String {
        format!("{:?}", self.0)
    }
    pub fn __repr__(&self) -> String {
        let ex = self.0.excluded();
        match (self.0.is_all(), ex.is_empty()) {
            (true, true) => "ProductScope.all()".into(),
            (true, false) => format!("ProductScope.all(exclude={})", code_list(ex)),
            (false, true) => format!("ProductScope({})", code_list(self.0.included())),
            (false, false) => format!("ProductScope({}, exclude={})", code_list(self.0.included()), code_list(ex)),
        }
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let strs = |c: &[HsCode]| c.iter().map(ToString::to_string).collect::<Vec<_>>();
        let ex = strs(self.0.excluded());
        if self.0.is_all() {
            Ok((py.get_type::<Self>().getattr("all")?, (ex,).into_pyobject(py)?))
        } else {
            Ok((py.get_type::<Self>().into_any(), (strs(self.0.included()), ex).into_pyobject(py)?))
        }
    }
}

/// A firm or body that a measure names, e.g. `Entity("ZTE Corporation", "CHN")`;
/// `buys` is what it buys, where known (it sizes a denial order).
#[pyclass(frozen, eq, hash, name = "Entity", module = "tradewar")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyEntity(pub Entity);

impl Hash for PyEntity {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.0.name(), self.0.economy()).hash(h);
        if let Some(b) = self.0.buys() {
            hash_scope(b, h);
        }
    }
}

#[pymethods]
impl PyEntity {
    #[new]
    #[pyo3(signature = (name, economy, buys = None))]
    fn new(name: &Bound<'_, PyAny>, economy: &Bound<'_, PyAny>, buys: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        let name = str_arg(name, "name")?;
        let e = Entity::new(&name, economy_param(economy, "economy")?)?;
        Ok(Self(match buys.filter(|b| !b.is_none()) {
            None => e,
            Some(b) => e.buying(scope_arg(Some(b), None)?),
        }))
    }
    /// Its name.
    #[getter]
    fn name(&self) -> String {
        self.0.name().to_string()
    }
    /// The economy it belongs to.
    #[getter]
    fn economy(&self) -> PyEconomy {
        PyEconomy(self.0.economy())
    }
    /// The products it buys, if known.
    #[getter]
    fn buys(&self) -> Option<PyProductScope> {
        self.0.buys().cloned().map(PyProductScope)
    }
    fn __str__(&self) -> String {
        format!("{} ({})", self.0.name(), self.0.economy())
    }
    pub fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let name = py_str_repr(py, self.0.name())?;
        Ok(match self.0.buys() {
            None => format!("Entity({name}, '{}')", self.0.economy()),
            Some(b) => format!("Entity({name}, '{}', buys={})", self.0.economy(), PyProductScope(b.clone()).__repr__()),
        })
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let args = (self.name(), self.0.economy().to_string(), self.buys()).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProductScope>()?;
    m.add_class::<PyEntity>()?;
    Ok(())
}
