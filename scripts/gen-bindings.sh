#!/usr/bin/env bash
# Regenerates bindings/kotlin and bindings/swift from the built library (library mode). The
# Swift package in ios/ reaches the generated files through symlinks in its Sources.
# `--check` fails when the committed bindings differ from what the library generates.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
[ -f "$NATIVE_LIB" ] || "$ROOT/scripts/build-native.sh"
out=$BUILD_DIR/bindings
rm -rf "$out"
"$PROFILE_DIR/uniffi-bindgen" generate --library "$NATIVE_LIB" -l kotlin -o "$out/kotlin" --no-format >/dev/null
"$PROFILE_DIR/uniffi-bindgen" generate --library "$NATIVE_LIB" -l swift -o "$out/swift" --no-format >/dev/null
if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$out" "$ROOT/bindings" >/dev/null; then
    echo "bindings/ is out of date: run scripts/gen-bindings.sh and commit the result" >&2
    diff -r "$out" "$ROOT/bindings" | head -40 >&2
    exit 1
  fi
else
  rm -rf "$ROOT/bindings/kotlin" "$ROOT/bindings/swift"
  cp -r "$out/kotlin" "$out/swift" "$ROOT/bindings/"
  log "bindings regenerated in bindings/"
fi
