#!/usr/bin/env bash
# Tests the Swift package as an app consumes it: builds the distributable package
# (scripts/build-swift-package.sh), then an app (tests/apps/swift + the README's Swift quick
# start) that depends on it by path and, from a local clone, by git URL, each built with plain
# `swift build` (no flags) and run against a devserver. Prints "swift-app: N passed, M failed".
source "$(dirname "$0")/common.sh"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
  echo "!!! swift-app: SKIPPED — no Swift toolchain on this machine" >&2
  echo "swift-app: 0 passed, 0 failed (skipped: no swift)"
  exit 0
fi
[ -x "$DEVSERVER_BIN" ] || "$ROOT/scripts/build-native.sh"
SUITE=swift-app

log "build the Swift package"
OPENIM_LIB_PROFILE=${OPENIM_LIB_PROFILE:-debug} "$ROOT/scripts/build-swift-package.sh" || { bad "build-swift-package.sh"; finish; }
pkg=$BUILD_DIR/swift-package/OpenIMSDK
grep -q unsafeFlags "$pkg/Package.swift" && bad "the package manifest uses unsafeFlags" || ok "no unsafeFlags in the package manifest"
clone=$BUILD_DIR/swift-package/OpenIMSDK.git
rm -rf "$clone"; git clone -q --bare "$pkg" "$clone"

for mode in path url; do
  app=$BUILD_DIR/app-swift-$mode
  rm -rf "$app"; mkdir -p "$app/Sources/ChatApp"
  cp tests/apps/swift/main.swift "$app/Sources/ChatApp/main.swift"
  python3 scripts/readme-snippet.py swift > "$app/Sources/ChatApp/Readme.swift"
  if [ "$mode" = path ]; then dep=".package(path: \"$pkg\")"; else dep=".package(url: \"file://$clone\", from: \"$VERSION\")"; fi
  cat > "$app/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ChatApp",
    platforms: [.macOS(.v12)],
    dependencies: [$dep],
    targets: [
        .executableTarget(name: "ChatApp", dependencies: [.product(name: "OpenIMSDK", package: "OpenIMSDK")]),
    ]
)
SWIFT
  log "swift build: an app depending on the package by $mode"
  set +e
  (cd "$app" && swift build > build.log 2>&1)
  status=$?
  set -e
  tail -15 "$app/build.log"
  if [ "$status" -eq 0 ] && [ -x "$app/.build/debug/ChatApp" ]; then
    ok "by $mode: the app and the README's snippet build with plain swift build"
  else
    bad "by $mode: swift build"; continue
  fi
  set +e
  OPENIM_DEVSERVER=$DEVSERVER_BIN timeout 120 "$app/.build/debug/ChatApp" 2>&1 | tee "$app/run.log"
  set -e
  add_summary "$app/run.log"
done
finish
