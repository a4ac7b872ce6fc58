#!/usr/bin/env bash
# Assembles the Android library as an AAR zip without Gradle:
#   AndroidManifest.xml, classes.jar (generated bindings + android/src/main), jni/<abi>/*.so,
#   proguard.txt (consumer rules), R.txt, plus a POM next to it.
#
#   scripts/build-aar.sh [JNI_LIBS_DIR]
#
# JNI_LIBS_DIR holds <abi>/libopenim_sdk.so, e.g. the output of
#   cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o build/jniLibs \
#     build --profile mobile-release -p openim-sdk
# Without it (no NDK here), the host library built with the mobile-release profile is packed
# under jni/<host abi>/ so the AAR's structure can be checked; that AAR does not run on Android.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
out=$BUILD_DIR/aar
stage=$out/stage
rm -rf "$out"; mkdir -p "$stage/jni"

jni_dir=${1:-}
if [ -z "$jni_dir" ]; then
  log "no jniLibs given: packing the host library (structure check only)"
  cargo build -p openim-sdk --lib --profile mobile-release
  case "$(uname -m)" in
    x86_64) abi=x86_64 ;; aarch64|arm64) abi=arm64-v8a ;; *) abi=$(uname -m) ;;
  esac
  mkdir -p "$stage/jni/$abi"
  cp "$TARGET_DIR/mobile-release/libopenim_sdk.$LIB_EXT" "$stage/jni/$abi/libopenim_sdk.so"
else
  cp -r "$jni_dir"/. "$stage/jni/"
  find "$stage/jni" -name '*.so' ! -name 'libopenim_sdk.so' -delete
fi

log "kotlinc: classes.jar"
deps=$JNA_JAR:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar
mkdir -p "$out/classes"
kotlinc -nowarn -jvm-target 1.8 -cp "$deps" -d "$out/classes" $(find bindings/kotlin android/src/main/kotlin -name '*.kt' | sort)
(cd "$out/classes" && jar cf "$stage/classes.jar" io)

cp android/AndroidManifest.xml "$stage/AndroidManifest.xml"
cp android/consumer-rules.pro "$stage/proguard.txt"
: > "$stage/R.txt"
aar=$out/openim-sdk-$VERSION.aar
(cd "$stage" && zip -qr "$aar" AndroidManifest.xml classes.jar jni proguard.txt R.txt)
sed "s/@VERSION@/$VERSION/" android/pom.xml.in > "$out/openim-sdk-$VERSION.pom"
log "built $aar"
unzip -l "$aar"
