#!/usr/bin/env bash
# Build every fuzz target once and run each for SECONDS (default 20) on its seed corpus: what CI runs.
# Given TARGETs, only those run (in order). Installs cargo-fuzz when it is missing. A crash stops
# the script with libFuzzer's exit code and leaves the input in fuzz/artifacts/TARGET/; make it a
# regression test, then fix it.
#
#   bash fuzz/run.sh [SECONDS [TARGET...]]
#
# cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept
# them. `-s none`: no AddressSanitizer (the fuzzed code is safe Rust but for the SSE2 loads of the
# word cutter, inside a 64-byte array; debug assertions and overflow checks stay on), about twice
# the executions a second.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
shift || true
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz/run.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2
fi
CYBERDIFF_BIN="${CYBERDIFF_BIN:-target/debug/cyberdiff}" bash fuzz/seed.sh
cargo fuzz build -s none
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
for t in "${targets[@]}"; do
    echo "fuzz/run.sh: $t for ${secs}s"
    if ! cargo fuzz run -s none "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=60 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz/run.sh: $t failed; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|DONE' "$log" || true
done
