//! The `cyberdiff._native` extension module.

use pyo3::prelude::*;

mod stages;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    stages::register(m)?;
    Ok(())
}
