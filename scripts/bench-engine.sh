#!/usr/bin/env bash
# Builds the loan-engine benchmark in release mode and runs it.
#
# Usage: scripts/bench-engine.sh [--loans N] [--officers N] [--seed N]
#   --loans N      loans in the synthetic book (default 1000000)
#   --officers N   officers the loans are spread over (default 2000)
#   --seed N       generator seed (default 42)
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
#
# Prints loans/second on one core and on all cores, and the peak resident memory (VmHWM).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_flags=(-c release)
if [[ -n "${SWIFT_SCRATCH_PATH:-}" ]]; then
    build_flags+=(--scratch-path "$SWIFT_SCRATCH_PATH")
fi

swift build "${build_flags[@]}" --product engine-bench
bin_path="$(swift build "${build_flags[@]}" --show-bin-path)"
exec "$bin_path/engine-bench" "$@"
