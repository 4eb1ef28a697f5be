#!/usr/bin/env bash
# Bounded fuzzing of every cargo-fuzz target: each runs for N seconds
# (default 5) from its seed corpus in fuzz/corpus/<target>. Fails if any
# target crashes (the input is kept in fuzz/artifacts/<target>/).
#
#   fuzz/run-bounded.sh              every target, 5 s each
#   fuzz/run-bounded.sh 60           every target, 60 s each
#   fuzz/run-bounded.sh 10 money     one target
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it take the
# -Z flags libFuzzer needs. cargo-fuzz is installed if missing. Set
# FUZZ_SANITIZER=address for ASan (the default is none: the library forbids
# unsafe code, and without ASan each target runs several times faster).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-5}}"
shift || true
sanitizer="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# One build of every target (release, debug assertions and overflow checks on).
cargo fuzz build --sanitizer "$sanitizer" --debug-assertions

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
    # New inputs go to a scratch directory (the first corpus directory);
    # the seeds in fuzz/corpus/<t> are only read.
    mkdir -p "$scratch/$t"
    log="$scratch/$t.log"
    if cargo fuzz run --sanitizer "$sanitizer" --debug-assertions "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
        speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
        echo "fuzz: $t ok: ${runs:-?} runs in ${seconds}s (${speed:-?}/s)"
    else
        echo "fuzz: $t FAILED:"
        grep -E "panicked|ERROR|SUMMARY|Test unit written|Failing input" "$log" | head -20 || tail -40 "$log"
        failed+=("$t")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
