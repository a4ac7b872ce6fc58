#!/usr/bin/env bash
# Receive throughput into a Kotlin listener across the FFI, beside a raw WebSocket client on the
# same pushes (the Kotlin part of the bench; openim-bench measures the Rust side).
#   scripts/bench-kotlin.sh            # BENCH_MESSAGES=5000 by default
# Uses the release library and devserver (built here if missing).
source "$(dirname "$0")/common.sh"
cd "$ROOT"
cargo build --release -p openim-sdk --lib >&2
cargo build --release -p openim-devserver --bin openim-devserver >&2
out=$BUILD_DIR/bench-kotlin
mkdir -p "$out"
deps=$JNA_JAR:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar
kotlinc -nowarn -jvm-target 17 -cp "$deps" -d "$out/bench.jar" \
  $(find bindings/kotlin android/src/main/kotlin -name '*.kt' | sort) android/src/test/kotlin/io/openim/sdk/DevServer.kt benches/kotlin/ReceiveBench.kt
OPENIM_DEVSERVER=$TARGET_DIR/release/openim-devserver java -Djna.library.path="$TARGET_DIR/release" \
  -cp "$out/bench.jar:$deps:$KOTLIN_LIB/kotlin-stdlib.jar" ReceiveBenchKt
