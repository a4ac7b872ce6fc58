#!/usr/bin/env bash
# Builds the distributable Swift package an app depends on, by path or by git URL:
#
#   $OPENIM_BUILD_DIR/swift-package/OpenIMSDK/
#     Package.swift                      library OpenIMSDK; no unsafe flags
#     Sources/OpenIMSDK/*.swift          generated bindings + AsyncStream adapters
#     OpenIMSDKFFI.artifactbundle/       Linux: the static library (SE-0482, SwiftPM 6.2+)
#     OpenIMSDKFFI.xcframework/          macOS: the static libraries per Apple platform
#
# The folder is also a git repository tagged with the version, so it can be pushed as it is
# (or cloned locally) and added with `.package(url:from:)`.
# OPENIM_LIB_PROFILE picks the cargo profile (default mobile-release; the test command uses the
# `debug` build it already has, with its debug info stripped).
source "$(dirname "$0")/common.sh"
cd "$ROOT"
profile=${OPENIM_LIB_PROFILE:-mobile-release}
pkg=$BUILD_DIR/swift-package/OpenIMSDK
rm -rf "$pkg"; mkdir -p "$pkg/Sources/OpenIMSDK"
# The adapters, and the generated bindings their symlink points at (cp copies the target).
cp ios/Sources/OpenIMSDK/*.swift "$pkg/Sources/OpenIMSDK/"

build_lib() { # <cargo target or ""> -> path of libopenim_sdk.a
  local target=$1 dir=$TARGET_DIR
  if [ "$profile" = debug ] && [ -z "$target" ] && [ -f "$TARGET_DIR/debug/libopenim_sdk.a" ]; then
    echo "$TARGET_DIR/debug/libopenim_sdk.a"; return
  fi
  if [ "$profile" = debug ]; then
    cargo build -p openim-sdk --lib ${target:+--target "$target"} >&2
  else
    # The static library alone, not the crate's three types at once (see build-aar.sh).
    cargo rustc -p openim-sdk --lib ${target:+--target "$target"} --profile "$profile" --crate-type staticlib >&2
  fi
  [ -n "$target" ] && dir=$dir/$target
  echo "$dir/$profile/libopenim_sdk.a"
}

headers() { # <dir>: the C header and a module map for module OpenIMSDKFFI (no link line:
            # SwiftPM links the binary target's library itself)
  mkdir -p "$1"
  cp bindings/swift/OpenIMSDKFFI.h "$1/OpenIMSDKFFI.h"
  printf 'module OpenIMSDKFFI {\n    header "OpenIMSDKFFI.h"\n    export *\n}\n' > "$1/module.modulemap"
}

case "$(uname -s)" in
  Darwin)
    log "static libraries for macOS, iOS and the iOS simulator"
    mac_arm=$(build_lib aarch64-apple-darwin); mac_x86=$(build_lib x86_64-apple-darwin)
    ios=$(build_lib aarch64-apple-ios)
    sim_arm=$(build_lib aarch64-apple-ios-sim); sim_x86=$(build_lib x86_64-apple-ios)
    work=$BUILD_DIR/swift-package/xcf; rm -rf "$work"; mkdir -p "$work/mac" "$work/sim"
    lipo -create "$mac_arm" "$mac_x86" -output "$work/mac/libopenim_sdk.a"
    lipo -create "$sim_arm" "$sim_x86" -output "$work/sim/libopenim_sdk.a"
    headers "$work/include"
    xcodebuild -create-xcframework \
      -library "$work/mac/libopenim_sdk.a" -headers "$work/include" \
      -library "$ios" -headers "$work/include" \
      -library "$work/sim/libopenim_sdk.a" -headers "$work/include" \
      -output "$pkg/OpenIMSDKFFI.xcframework"
    binary='.binaryTarget(name: "OpenIMSDKFFI", path: "OpenIMSDKFFI.xcframework")'
    ;;
  *)
    lib=$(build_lib "")
    triple=$(uname -m)-unknown-linux-gnu
    bundle=$pkg/OpenIMSDKFFI.artifactbundle
    log "artifact bundle for $triple ($profile)"
    mkdir -p "$bundle/$triple"
    cp "$lib" "$bundle/$triple/libopenim_sdk.a"
    # Debug info is most of a debug build's archive; an app does not need it.
    strip --strip-debug "$bundle/$triple/libopenim_sdk.a"
    headers "$bundle/include"
    cat > "$bundle/info.json" <<JSON
{
  "schemaVersion": "1.0",
  "artifacts": {
    "OpenIMSDKFFI": {
      "type": "staticLibrary",
      "version": "$VERSION",
      "variants": [
        {
          "path": "$triple/libopenim_sdk.a",
          "supportedTriples": ["$triple"],
          "staticLibraryMetadata": { "headerPaths": ["include"], "moduleMapPath": "include/module.modulemap" }
        }
      ]
    }
  }
}
JSON
    binary='.binaryTarget(name: "OpenIMSDKFFI", path: "OpenIMSDKFFI.artifactbundle")'
    ;;
esac

cat > "$pkg/Package.swift" <<SWIFT
// swift-tools-version:6.2
// OpenIMSDK $VERSION: the OpenIM v3 client SDK (Rust engine, Swift API). Built by
// openim-sdk-rs scripts/build-swift-package.sh; do not edit.
import PackageDescription

let package = Package(
    name: "OpenIMSDK",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "OpenIMSDK", targets: ["OpenIMSDK"]),
    ],
    targets: [
        $binary,
        .target(
            name: "OpenIMSDK",
            dependencies: ["OpenIMSDKFFI"],
            path: "Sources/OpenIMSDK",
            // What the Rust standard library needs from the system on Linux.
            linkerSettings: ["gcc_s", "util", "rt", "pthread", "m", "dl"].map { .linkedLibrary(\$0, .when(platforms: [.linux])) }
        ),
    ],
    swiftLanguageModes: [.v5]
)
SWIFT
cat > "$pkg/.gitignore" <<'EOF2'
.build/
.swiftpm/
EOF2
(cd "$pkg" && git init -q && git add -A && git -c user.name=openim-sdk-rs -c user.email=build@localhost commit -qm "OpenIMSDK $VERSION" && git tag "$VERSION")
log "built $pkg (git tag $VERSION)"
du -sh "$pkg"
