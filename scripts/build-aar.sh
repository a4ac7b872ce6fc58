#!/usr/bin/env bash
# Builds the Android library as an app consumes it, without Gradle: an AAR (AndroidManifest.xml,
# classes.jar with the bindings and adapters, jni/<abi>/libopenim_sdk.so, proguard.txt, R.txt)
# and its POM, laid out as a Maven repository:
#
#   $OPENIM_BUILD_DIR/maven/io/openim/openim-sdk/<version>/openim-sdk-<version>.{aar,pom}
#
#   scripts/build-aar.sh [JNI_LIBS_DIR]
#
# JNI_LIBS_DIR holds <abi>/libopenim_sdk.so for the release ABIs; scripts/build-android-libs.sh
# makes it with cargo-ndk where an Android NDK is installed. Without it (no NDK here), the host
# library is packed under jni/<host abi>/ and the version is marked `-host-<abi>`: that AAR
# checks the structure and serves JVM tests; it does not run on Android.
# OPENIM_LIB_PROFILE picks the cargo profile of the host library (default mobile-release; the
# test command uses `debug`, already built).
# Prints the Maven coordinates last.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
out=$BUILD_DIR/aar
stage=$out/stage
rm -rf "$out"; mkdir -p "$stage/jni"

jni_dir=${1:-}
version=$VERSION
if [ -z "$jni_dir" ]; then
  profile=${OPENIM_LIB_PROFILE:-mobile-release}
  case "$(uname -m)" in
    x86_64) abi=x86_64 ;; aarch64|arm64) abi=arm64-v8a ;; *) abi=$(uname -m) ;;
  esac
  log "no jniLibs given: packing the host library ($profile) as a host-only build"
  if [ "$profile" = debug ]; then
    [ -f "$TARGET_DIR/debug/libopenim_sdk.$LIB_EXT" ] || cargo build -p openim-sdk --lib
  else
    # The shared library alone: built beside the rlib and the static library (the crate's
    # three types) it comes out ~1.4 MB larger.
    cargo rustc -p openim-sdk --lib --profile "$profile" --crate-type cdylib
  fi
  mkdir -p "$stage/jni/$abi"
  cp "$TARGET_DIR/$profile/libopenim_sdk.$LIB_EXT" "$stage/jni/$abi/libopenim_sdk.so"
  version=$VERSION-host-$abi
else
  cp -r "$jni_dir"/. "$stage/jni/"
  find "$stage/jni" -name '*.so' ! -name 'libopenim_sdk.so' -delete
fi

# Kotlin 2.0 metadata and API, so apps on Kotlin 2.0+ can read it; JVM 1.8 bytecode for Android.
log "kotlinc: classes.jar"
deps=$JNA_JAR:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar
mkdir -p "$out/classes"
kotlinc -nowarn -language-version 2.0 -api-version 2.0 -jvm-target 1.8 -module-name openim-sdk \
  -cp "$deps" -d "$out/classes" $(find bindings/kotlin android/src/main/kotlin -name '*.kt' | sort)
# The whole tree: META-INF/openim-sdk.kotlin_module is what lets Kotlin see top-level
# declarations (the OpenIM* aliases, extension functions) from outside.
(cd "$out/classes" && jar cf "$stage/classes.jar" .)

cp android/AndroidManifest.xml "$stage/AndroidManifest.xml"
cp android/consumer-rules.pro "$stage/proguard.txt"
: > "$stage/R.txt"
repo=$BUILD_DIR/maven
dir=$repo/io/openim/openim-sdk/$version
rm -rf "$repo/io/openim/openim-sdk"; mkdir -p "$dir"
aar=$dir/openim-sdk-$version.aar
(cd "$stage" && zip -qr "$aar" AndroidManifest.xml classes.jar jni proguard.txt R.txt)
sed "s/@VERSION@/$version/" android/pom.xml.in > "$dir/openim-sdk-$version.pom"
for f in "$aar" "$dir/openim-sdk-$version.pom"; do
  sha1sum "$f" | cut -d' ' -f1 > "$f.sha1"
  md5sum "$f" | cut -d' ' -f1 > "$f.md5"
done
log "built $aar"
unzip -l "$aar"
echo "maven repository: $repo"
echo "coordinates: io.openim:openim-sdk:$version"
