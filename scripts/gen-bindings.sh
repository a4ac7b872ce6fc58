#!/usr/bin/env bash
# Regenerates bindings/kotlin and bindings/swift from the built library (library mode), and the
# copies the Swift package in ios/ compiles (ios/Sources/OpenIMSDK/OpenIMSDK.swift and
# ios/Sources/OpenIMSDKFFI/OpenIMSDKFFI.h: SwiftPM targets cannot reach outside the package).
# `--check` fails when any committed copy differs from what the library generates.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
[ -f "$NATIVE_LIB" ] || "$ROOT/scripts/build-native.sh"
out=$BUILD_DIR/bindings
rm -rf "$out"
"$PROFILE_DIR/uniffi-bindgen" generate --library "$NATIVE_LIB" -l kotlin -o "$out/kotlin" --no-format >/dev/null
"$PROFILE_DIR/uniffi-bindgen" generate --library "$NATIVE_LIB" -l swift -o "$out/swift" --no-format >/dev/null
ios_copies=("$out/swift/OpenIMSDK.swift:ios/Sources/OpenIMSDK/OpenIMSDK.swift" "$out/swift/OpenIMSDKFFI.h:ios/Sources/OpenIMSDKFFI/OpenIMSDKFFI.h")
if [ "${1:-}" = "--check" ]; then
  stale=0
  if ! diff -r "$out" "$ROOT/bindings" >/dev/null; then
    diff -r "$out" "$ROOT/bindings" | head -40 >&2
    stale=1
  fi
  for pair in "${ios_copies[@]}"; do
    cmp -s "${pair%%:*}" "$ROOT/${pair##*:}" || { echo "${pair##*:} differs" >&2; stale=1; }
  done
  if [ "$stale" -ne 0 ]; then
    echo "bindings are out of date: run scripts/gen-bindings.sh and commit the result" >&2
    exit 1
  fi
else
  rm -rf "$ROOT/bindings/kotlin" "$ROOT/bindings/swift"
  cp -r "$out/kotlin" "$out/swift" "$ROOT/bindings/"
  for pair in "${ios_copies[@]}"; do cp "${pair%%:*}" "$ROOT/${pair##*:}"; done
  log "bindings regenerated in bindings/ and ios/Sources"
fi
