//! The native part of the `cyberdiff` Python package (`cyberdiff._native`): the library's
//! `compare`, `scan` and `track` on Python values ([`reports`]), with options checked by the
//! library's own checks ([`options`]), records read by the rules of the command line's inputs
//! ([`records`]) and errors as Python exceptions ([`errors`]); the stages of the Spark job
//! ([`stages`]). The Python package (`python/cyberdiff/`) re-exports these functions.

use pyo3::prelude::*;

mod errors;
mod options;
mod records;
mod reports;
mod stages;

/// Panic in a worker thread with `message`, with the GIL released as the engine's calls do: for
/// the tests, which check that a panic in the engine is a `RuntimeError`, not an abort.
#[pyfunction]
fn _panic(py: Python<'_>, message: String) -> PyResult<()> {
    errors::without_gil(py, move || {
        let ((), ()) = rayon::join(|| (), || panic!("{message}"));
        Ok(())
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(reports::compare, m)?)?;
    m.add_function(wrap_pyfunction!(reports::scan, m)?)?;
    m.add_function(wrap_pyfunction!(reports::track, m)?)?;
    m.add_function(wrap_pyfunction!(_panic, m)?)?;
    stages::register(m)?;
    Ok(())
}
