#!/usr/bin/env bash
# The HTML report in a real browser: installs what is missing (Debian's chromium, playwright-core from
# package-lock.json), builds cyberdiff, and runs report.test.mjs (the compare page) and pages.test.mjs
# (the track page, the scan page and its pair pages, and the index of `cyberdiff report`) with node's
# test runner.
#
#   bash tests/browser/run.sh
#
# Environment: CHROMIUM (default /usr/bin/chromium), CYBERDIFF_BIN (default: build target/debug/cyberdiff),
# SCREENSHOTS (the folder the README's screenshots of the index, compare, scan and track pages are written
# to; default docs/, empty for none).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
    if [[ "$CHROMIUM" != /usr/bin/chromium ]]; then
        echo "run.sh: CHROMIUM=$CHROMIUM is not an executable" >&2
        exit 2
    fi
    if [[ "$(id -u)" != 0 ]]; then
        echo "run.sh: $CHROMIUM is missing; install it (sudo apt-get install chromium) or set CHROMIUM" >&2
        exit 2
    fi
    echo "run.sh: installing chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null || true

# Exactly the locked playwright-core; it drives the system Chromium and never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

if [[ -z "${CYBERDIFF_BIN:-}" ]]; then
    (cd "$root" && cargo build --locked --quiet --bin cyberdiff)
    export CYBERDIFF_BIN="$root/target/debug/cyberdiff"
fi

cd "$here"
node --test report.test.mjs pages.test.mjs
