//! A progress line on standard error for long runs: one stage at a time, redrawn at most ten times a
//! second from any thread, shown only when asked for (a terminal, not `--quiet`), erased when done.
//! Drawn by `indicatif`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A progress line, or nothing when disabled.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress line drawn on standard error when `enabled`.
    pub fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            let style = ProgressStyle::with_template("{msg:<10} [{bar:30}] {pos}/{len} ({secs})")
                .expect("the template is valid")
                .with_key("secs", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} s", s.elapsed().as_secs_f64());
                })
                .progress_chars("#-");
            bar.set_style(style);
            bar
        });
        Self { bar }
    }

    /// A progress line that never draws.
    pub fn hidden() -> Self {
        Self::new(false)
    }

    /// Start a stage of `total` steps.
    pub fn stage(&self, stage: &'static str, total: usize) {
        if let Some(b) = &self.bar {
            b.set_message(stage);
            b.set_position(0);
            b.set_length(total as u64);
            // The time keeps counting through a stage that counts its steps only at its end.
            b.enable_steady_tick(Duration::from_millis(300));
        }
    }

    /// Count `n` steps done.
    pub fn inc(&self, n: usize) {
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
    }

    /// Erase the line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Stage times on standard error, for benchmarks: on when the environment variable
/// `CYBERDIFF_TIMINGS` is set to anything but empty or `0`. Each [`Timings::lap`] prints the time since
/// the previous one (or since [`Timings::new`]) as `cyberdiff: time: STAGE SECONDS s`. Nothing else
/// reads these times: every output is the same with or without them.
#[derive(Debug)]
pub struct Timings {
    on: bool,
    last: std::time::Instant,
}

impl Timings {
    pub fn new() -> Self {
        Timings {
            on: std::env::var_os("CYBERDIFF_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"),
            last: std::time::Instant::now(),
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if self.on {
            let now = std::time::Instant::now();
            // The peak memory so far, where the system tells it (Linux: VmHWM).
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
                })
                .map(|v| format!(" (peak {v})"))
                .unwrap_or_default();
            eprintln!(
                "cyberdiff: time: {stage} {:.4} s{peak}",
                (now - self.last).as_secs_f64()
            );
            self.last = now;
        }
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self::new()
    }
}
