#!/usr/bin/env bash
# Runs the XCTest suite of the Swift package in ios/ against the cargo-built library and a
# devserver child process. Prints "swift: N passed, M failed" last.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
  echo "!!! swift: SKIPPED — no Swift toolchain on this machine (the Swift suite did not run)" >&2
  echo "swift: 0 passed, 0 failed (skipped: no swift)"
  exit 0
fi
[ -f "$NATIVE_LIB" ] && [ -x "$DEVSERVER_BIN" ] || "$ROOT/scripts/build-native.sh"
log "swift test (ios/)"
out=$BUILD_DIR/swift-test.log
mkdir -p "$BUILD_DIR"
set +e
OPENIM_DEVSERVER=$DEVSERVER_BIN swift test --package-path ios \
  -Xlinker -L"$PROFILE_DIR" -Xlinker -rpath -Xlinker "$PROFILE_DIR" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$out" | tail -1)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
total=${total:-0}; failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "swift: $((total - failed)) passed, $failed failed"
[ "$status" -eq 0 ]
