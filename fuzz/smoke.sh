#!/usr/bin/env bash
# CI smoke for the fuzz targets: installs cargo-fuzz when missing (pinned),
# builds every target, seeds the corpora and runs each target briefly.
# Fails when a target does not build or finds a crash (a panic, a secret in an
# output, a timeout or running out of memory); the reproducer is left in
# fuzz/artifacts/<target>/.
#
# Only stable Rust is needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its
# nightly-only flags (-Zsanitizer=address, sanitizer coverage) to stable rustc.
#
# SMOKE_SECONDS (default 5) is the run time of each target.
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.2
seconds=${SMOKE_SECONDS:-5}
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
# Custom rule codes are leaked on purpose; see lsan.supp.
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
cargo fuzz build
./seed.sh >/dev/null

failed=()
for target in $(cargo fuzz list); do
    echo "fuzz smoke: $target (${seconds}s)"
    log=$(mktemp)
    if cargo fuzz run "$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" || true
    else
        tail -n 40 "$log"
        failed+=("$target")
    fi
    rm -f "$log"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz smoke: FAILED: ${failed[*]} (reproducers in fuzz/artifacts/)"
    exit 1
fi
echo "fuzz smoke: all targets ran without a crash"
