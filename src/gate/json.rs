//! The JSON report of `check` (schema version 1): the tool and its settings, every input file with
//! its size and xxh3, the result, a summary, how the index cache was used, the findings (new and
//! baselined) and the baselined findings that are gone.
//!
//! The model borrows from the state and the verdict: the report of a 10,000-document corpus copies
//! neither its findings nor its documents' entries. [`crate::report::json::to_json`] writes it.

use serde::Serialize;

use super::config::CheckSettings;
use super::plan::CacheInfo;
use super::state::{self, State};
use super::{BaselineEntry, Finding, Thresholds, Verdict};
use crate::align::Params;
use crate::report::InputInfo;

/// The JSON report of `check` (schema version 1).
#[derive(Serialize)]
pub struct CheckReport<'a> {
    pub schema_version: u32,
    pub command: &'static str,
    pub manifest: CheckManifest<'a>,
    pub result: &'static str,
    pub summary: Summary,
    pub cache: &'a CacheInfo,
    pub findings: &'a [Finding],
    pub gone: &'a [BaselineEntry],
}

#[derive(Serialize)]
pub struct CheckManifest<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub parameters: &'a Params,
    pub check: CheckParams<'a>,
    pub inputs: Vec<InputInfo>,
}

/// The gate's settings, as the report records them.
#[derive(Serialize)]
pub struct CheckParams<'a> {
    pub thresholds: &'a Thresholds,
    pub min_shared: usize,
    pub max_df: usize,
    pub boilerplate_min_docs: usize,
    pub baseline: String,
    /// The statements file tracked, with its size and xxh3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<InputInfo>,
}

#[derive(Serialize)]
pub struct Summary {
    pub documents: usize,
    pub findings: usize,
    pub new: usize,
    pub baselined: usize,
    pub gone: usize,
}

/// The report of a run of `check` with the settings `r`: `statements_hash` is the xxh3 of the
/// statements file, when there is one.
pub fn report<'a>(
    r: &'a CheckSettings,
    statements_hash: u64,
    state: &'a State,
    v: &'a Verdict,
    cache: &'a CacheInfo,
) -> CheckReport<'a> {
    let mut files: Vec<&state::DocEntry> = state.docs.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let inputs = files
        .into_iter()
        .map(|d| InputInfo {
            path: d.path.to_string_lossy().into_owned(),
            path_bytes: crate::report::path_bytes(&d.path),
            bytes: d.meta.size,
            xxh3: format!("{:016x}", d.file_hash),
        })
        .collect();
    CheckReport {
        schema_version: 1,
        command: "check",
        manifest: CheckManifest {
            tool: "cyberdiff",
            version: env!("CARGO_PKG_VERSION"),
            parameters: &r.settings.params,
            check: CheckParams {
                thresholds: &r.thresholds,
                min_shared: r.settings.min_shared,
                max_df: r.settings.max_df,
                boilerplate_min_docs: state.bmd,
                baseline: r.baseline.display().to_string(),
                statements: r.statements.as_ref().map(|p| InputInfo {
                    path: p.display().to_string(),
                    path_bytes: crate::report::path_bytes(p),
                    bytes: std::fs::metadata(p).map_or(0, |m| m.len()),
                    xxh3: format!("{statements_hash:016x}"),
                }),
            },
            inputs,
        },
        result: if v.new > 0 { "fail" } else { "pass" },
        summary: Summary {
            documents: state.docs.len(),
            findings: v.findings.len(),
            new: v.new,
            baselined: v.findings.len() - v.new,
            gone: v.gone.len(),
        },
        cache,
        findings: &v.findings,
        gone: &v.gone,
    }
}
