//! Rust errors as Python exceptions, and Rust work run with the GIL released.
//!
//! Bad options and bad records are `ValueError`s that name the option (`min_words`) or the record
//! (`documents[3]`); a file that cannot be read is an `OSError` (`FileNotFoundError` when it is
//! missing) naming it; a panic in the engine, a bug, is a `RuntimeError` rather than an abort of the
//! interpreter or PyO3's `PanicException` (which is not an `Exception` and escapes `except Exception`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use cyberdiff::{Error, OptionError};

/// An option out of range, named as Python spells it: "min_words must be at least 1, got 0".
pub fn option_error(e: OptionError) -> PyErr {
    PyValueError::new_err(format!("{} {}", e.option.replace('-', "_"), e.problem))
}

/// A library error: `OSError` for a file that cannot be read, `ValueError` for one whose contents are
/// refused (a statements file with an error names the file and line).
pub fn library_error(e: Error) -> PyErr {
    match &e {
        Error::Io { cause, .. } if cause.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(e.to_string())
        }
        Error::Io { .. } | Error::IsDirectory(_) | Error::Write { .. } => {
            PyOSError::new_err(e.to_string())
        }
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// What went wrong in Rust work done without the GIL.
pub enum Failure {
    Option(OptionError),
    Library(Error),
    Value(String),
}

impl From<OptionError> for Failure {
    fn from(e: OptionError) -> Self {
        Failure::Option(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Library(e)
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Option(e) => option_error(e),
            Failure::Library(e) => library_error(e),
            Failure::Value(m) => PyValueError::new_err(m),
        }
    }
}

/// Run `work` with the GIL released, so that other Python threads run meanwhile; a panic (in this
/// thread or, carried over by rayon, in a worker) becomes a `RuntimeError` with the panic's message.
pub fn without_gil<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Failure> + Send,
    T: Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(result) => result.map_err(PyErr::from),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(PyRuntimeError::new_err(format!(
                "cyberdiff failed inside (a bug, please report it with the input): {message}"
            )))
        }
    }
}
