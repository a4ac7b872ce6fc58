#!/usr/bin/env bash
# Builds libopenim_sdk.so for the Android release ABIs with cargo-ndk, into
# $OPENIM_BUILD_DIR/jniLibs/<abi>/, then the AAR from them:
#
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
#   cargo install cargo-ndk            # once
#   export ANDROID_NDK_HOME=/path/to/ndk/26.x
#   scripts/build-android-libs.sh      # then scripts/build-aar.sh runs on the result
#
# minSdk 21 (android/AndroidManifest.xml) is passed as the platform level. `rustc --crate-type
# cdylib` builds the shared library alone (with the crate's rlib and static library beside it,
# it comes out ~1.4 MB larger).
source "$(dirname "$0")/common.sh"
cd "$ROOT"
command -v cargo-ndk >/dev/null 2>&1 || { echo "cargo-ndk not found: cargo install cargo-ndk" >&2; exit 1; }
[ -n "${ANDROID_NDK_HOME:-}" ] || { echo "ANDROID_NDK_HOME is not set (an Android NDK is needed)" >&2; exit 1; }
jni=$BUILD_DIR/jniLibs
rm -rf "$jni"
cargo ndk --platform 21 -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o "$jni" \
  rustc --profile mobile-release -p openim-sdk --lib --crate-type cdylib
"$ROOT/scripts/build-aar.sh" "$jni"
