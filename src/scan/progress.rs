//! A progress line on standard error for long runs: one stage at a time, redrawn at most ten times a
//! second from any thread, shown only when asked for (a terminal, not `--quiet`), erased when done.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A progress line, or nothing when disabled.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    done: AtomicUsize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    stage: &'static str,
    total: usize,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    /// A progress line drawn on standard error when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            done: AtomicUsize::new(0),
            state: Mutex::new(State {
                stage: "",
                total: 0,
                started: Instant::now(),
                last: None,
            }),
        }
    }

    /// A progress line that never draws.
    pub fn hidden() -> Self {
        Self::new(false)
    }

    /// Start a stage of `total` steps.
    pub fn stage(&self, stage: &'static str, total: usize) {
        if !self.enabled {
            return;
        }
        self.done.store(0, Ordering::Relaxed);
        if let Ok(mut s) = self.state.lock() {
            s.stage = stage;
            s.total = total;
            s.last = None;
        }
        self.draw(true);
    }

    /// Count `n` steps done.
    pub fn inc(&self, n: usize) {
        if !self.enabled {
            return;
        }
        self.done.fetch_add(n, Ordering::Relaxed);
        self.draw(false);
    }

    fn draw(&self, force: bool) {
        // Only one thread draws; the others go on.
        let Ok(mut s) = self.state.try_lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(s.started) < Duration::from_millis(300) && !force {
            return;
        }
        if !force
            && s.last
                .is_some_and(|l| now.duration_since(l) < Duration::from_millis(100))
        {
            return;
        }
        s.last = Some(now);
        let done = self.done.load(Ordering::Relaxed).min(s.total);
        let width = 30;
        let filled = (done * width).checked_div(s.total).unwrap_or(0);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{:<10} [{bar}] {done}/{} ({:.1} s)",
            s.stage,
            s.total,
            now.duration_since(s.started).as_secs_f64()
        );
        let _ = err.flush();
    }

    /// Erase the line.
    pub fn finish(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
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
