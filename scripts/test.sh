#!/usr/bin/env bash
# Runs every test suite — Rust (the whole workspace), Kotlin (JUnit 5) and Swift (XCTest) —
# and ends with one line per suite: "<suite>: N passed, M failed". Exits non-zero if any failed.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
mkdir -p "$BUILD_DIR"
summary=()
failed_any=0

"$ROOT/scripts/build-native.sh"

log "bindings/ up to date"
if "$ROOT/scripts/gen-bindings.sh" --check; then
  summary+=("bindings: 1 passed, 0 failed")
else
  summary+=("bindings: 0 passed, 1 failed")
  failed_any=1
fi

log "cargo test --workspace"
set +e
# Most tests wait on sockets, not CPU: run more of them at once than there are cores.
cargo test --workspace --features openim-sdk/bindgen -- --test-threads=8 2>&1 | tee "$BUILD_DIR/rust-test.log"
rust_status=${PIPESTATUS[0]}
set -e
read -r rust_passed rust_failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i }
  } END { print p + 0, f + 0 }' "$BUILD_DIR/rust-test.log")
rust_passed=${rust_passed:-0}; rust_failed=${rust_failed:-0}
if [ "$rust_status" -ne 0 ] && [ "$rust_failed" -eq 0 ]; then rust_failed=1; fi
summary+=("rust: $rust_passed passed, $rust_failed failed")
[ "$rust_status" -eq 0 ] || failed_any=1

for suite in kotlin swift kotlin-app swift-app; do
  set +e
  "$ROOT/scripts/test-$suite.sh" 2>&1 | tee "$BUILD_DIR/$suite.log"
  status=${PIPESTATUS[0]}
  set -e
  line=$(grep -E "^$suite: " "$BUILD_DIR/$suite.log" | tail -1 || true)
  summary+=("${line:-$suite: 0 passed, 1 failed}")
  [ "$status" -eq 0 ] || failed_any=1
done

# The failures again, just above the summary: a CI log that keeps only its tail still names them.
if [ "$failed_any" -ne 0 ]; then
  printf '\n==> failed tests\n'
  grep -hE -A2 '^test .* FAILED$|^---- .* stdout ----$|panicked at|^error(\[E[0-9]+\])?: ' "$BUILD_DIR/rust-test.log" 2>/dev/null | head -60 || true
  grep -hE '✘|^ +=> |^error: |\.kt:[0-9]+:[0-9]+: error: ' "$BUILD_DIR/kotlin.log" 2>/dev/null | head -40 || true
  grep -hE "^[^ ]+:[0-9]+(:[0-9]+)?: error: |^Test Case .* failed \(" "$BUILD_DIR/swift.log" 2>/dev/null | head -40 || true
  grep -hE '^FAILED: ' "$BUILD_DIR/kotlin-app.log" "$BUILD_DIR/swift-app.log" 2>/dev/null | head -20 || true
fi

printf '\n==> summary\n'
printf '%s\n' "${summary[@]}"
exit "$failed_any"
