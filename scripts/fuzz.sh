#!/usr/bin/env bash
# Fuzzes the verifier's statement lexer, client-command scanners and dump rewriters with libFuzzer and
# AddressSanitizer (Fuzz/, a package of its own) for a bounded time, seeded with every SQL dump under
# Tests/Fixtures, the hand-made seeds and every earlier finding. Properties checked on each input:
# Tests/BackupVerifierTests/Fuzz/DumpInvariants.swift.
#
# A finding stops the run with exit code 1 and is copied to Tests/Fixtures/fuzz-findings/, where
# FuzzFindingsTests replays it in the normal test suite: fix the code, keep the file (rename it after what it
# found), commit both.
#
#   scripts/fuzz.sh [SECONDS]     default: $BACKUPFEED_FUZZ_SECONDS, else 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${BACKUPFEED_FUZZ_SECONDS:-60}}"
scratch=.build-fuzz

swift build --package-path Fuzz --scratch-path "$scratch" >&2
fuzzer="$scratch/debug/DumpFuzzer"

# The working corpus grows between runs on one machine (git-ignored); the seeds come from the repository.
corpus="$scratch/corpus"
seeds="$(mktemp -d)"
artifacts="$(mktemp -d)"
trap 'rm -rf "$seeds" "$artifacts"' EXIT
mkdir -p "$corpus"
find Tests/Fixtures -name '*.sql' -size -1024k -exec cp {} "$seeds/" \;
cp Tests/Fixtures/fuzz-seeds/* Tests/Fixtures/fuzz-findings/* "$seeds/" 2>/dev/null || true

echo "fuzzing the dump lexer, scanners and rewriters for ${seconds}s ($(ls "$seeds" | wc -l) seeds)" >&2
status=0
# Swift's own backtracer would hold a finding for tens of seconds; libFuzzer reports it anyway.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$fuzzer" \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "$seeds" > "$artifacts/fuzz.log" 2>&1 || status=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$artifacts/fuzz.log" >&2 || true

findings=("$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*)
kept=0
for finding in "${findings[@]}"; do
    [ -e "$finding" ] || continue
    name="Tests/Fixtures/fuzz-findings/$(basename "$finding")"
    cp "$finding" "$name"
    echo "FINDING: $name" >&2
    kept=1
done
if [ "$status" -ne 0 ] || [ "$kept" -ne 0 ]; then
    grep -a -A12 -E 'invariant violated|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY' "$artifacts/fuzz.log" | head -60 >&2 || true
    echo "the fuzzer found a failing input (exit $status); it is kept under Tests/Fixtures/fuzz-findings" >&2
    exit 1
fi
echo "fuzzing found nothing" >&2
