//! `tradewar._core`: the Python face of the tradewar crates.
//!
//! Every `#[pyclass]` of the project lives in this crate; the domain crates
//! stay free of pyo3. Classes are frozen, compare and hash where that means
//! something, and pickle through `__reduce__`. Tables leave Rust as
//! [`table::Table`], which Python turns into pandas or Arrow.

mod accounting;
mod arrow;
mod bench;
mod caliendo_parro;
mod caveats;
mod convert;
mod cost_shock;
mod datasets;
mod duty;
mod error;
mod estimation;
mod gegravity;
mod gsim;
mod loaders;
mod models;
mod policy;
mod rates;
mod replay;
mod scope;
mod stacking;
mod table;
mod trade;
mod values;
mod world;

use pyo3::prelude::*;

/// Runs heavy work without the GIL. Every model run, sweep and bulk query
/// goes through here, so other Python threads keep running meanwhile.
pub(crate) fn detached<T, F>(py: Python<'_>, f: F) -> T
where
    F: Send + FnOnce() -> T,
    T: Send,
{
    py.detach(f)
}

/// The extension module.
#[pymodule]
#[pyo3(name = "_core")]
fn core_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    values::register(m)?;
    duty::register(m)?;
    table::register(m)?;
    policy::register(m)?;
    rates::register(m)?;
    scope::register(m)?;
    stacking::register(m)?;
    replay::register(m)?;
    trade::register(m)?;
    accounting::register(m)?;
    world::register(m)?;
    models::register(m)?;
    caliendo_parro::register(m)?;
    datasets::register(m)?;
    loaders::register(m)?;
    estimation::register(m)?;
    cost_shock::register(m)?;
    gegravity::register(m)?;
    gsim::register(m)?;
    // The kernels of benchmarks/compare.py (not re-exported by the package).
    bench::register(m)?;
    Ok(())
}
