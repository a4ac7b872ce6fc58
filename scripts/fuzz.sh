#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (cargo-fuzz) of every target in fuzz/: the gateway
# frame decoders (JSON and gob), the REST envelope decoder, the message content decoder and
# protobuf messages into the SDK's model. Each target starts from the seed inputs that
# tests/fuzz.rs checks and writes, keeps its corpus under build/fuzz/corpus/<target>, and
# runs for the given seconds; a crash stops the run and leaves its input in
# fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [seconds per target, default 120] [target ...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`; ../shared/toolchain/setup.sh --install-tools
# here), a nightly toolchain (AddressSanitizer), bash 4 and GNU coreutils. Not part of the
# test command: the properties of tests/fuzz.rs run there.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
[ $# -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "fuzz: seconds per target must be a number, not '$seconds'" >&2; exit 2 ;; esac
out=$(realpath -m "${OPENIM_BUILD_DIR:-build}/fuzz")
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}/fuzz")
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cd fuzz && cargo fuzz list); fi

rm -rf "$out/seeds"; mkdir -p "$out"
OPENIM_FUZZ_SEEDS="$out/seeds" cargo test -q --test fuzz libfuzzer_seeds_decode > "$out/seeds.log" 2>&1 || {
  cat "$out/seeds.log"; echo "fuzz: the seed inputs did not decode (tests/fuzz.rs libfuzzer_seeds_decode)" >&2; exit 1; }
(cd fuzz && cargo +nightly fuzz build -O --target-dir "$target_dir")

total=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  log="$out/$t.log"
  (cd fuzz && cargo +nightly fuzz run -O --target-dir "$target_dir" "$t" "$out/corpus/$t" "$out/seeds/$t" -- \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1) > "$log" 2>&1 || {
    tail -n 40 "$log"; echo "fuzz: $t FAILED (log: $log, input: fuzz/artifacts/$t/)"; exit 1; }
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  corpus=$(find "$out/corpus/$t" -type f | wc -l)
  printf 'fuzz %-20s %6ss  %10s inputs  coverage %5s edges  corpus %5s  no crash\n' "$t" "$seconds" "$runs" "$cov" "$corpus"
  total=$((total + ${runs:-0}))
done
echo "fuzz: ${#targets[@]} targets, $total inputs, no crash"
