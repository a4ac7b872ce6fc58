#!/usr/bin/env bash
# Compiles the generated Kotlin bindings with the hand-written adapters (android/src/main) and
# runs the JUnit 5 suite (android/src/test) on the JVM against the cargo-built library and a
# devserver child process. Prints "kotlin: N passed, M failed" last.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
command -v kotlinc >/dev/null || { echo "kotlinc not found (run ../shared/toolchain/setup.sh or install kotlin)" >&2; exit 1; }
for jar in "$JNA_JAR" "$JUNIT_CONSOLE_JAR" "$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar"; do
  [ -f "$jar" ] || { echo "missing $jar" >&2; exit 1; }
done
[ -f "$NATIVE_LIB" ] && [ -x "$DEVSERVER_BIN" ] || "$ROOT/scripts/build-native.sh"

out=$BUILD_DIR/kotlin
mkdir -p "$out"
deps=$JNA_JAR:$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar
log "kotlinc: bindings + android/src/main"
kotlinc -nowarn -jvm-target 17 -cp "$deps" -d "$out/openim-sdk.jar" \
  $(find bindings/kotlin android/src/main/kotlin -name '*.kt' | sort)
log "kotlinc: android/src/test"
kotlinc -nowarn -jvm-target 17 -cp "$out/openim-sdk.jar:$deps:$JUNIT_CONSOLE_JAR" -d "$out/tests.jar" \
  $(find android/src/test/kotlin -name '*.kt' | sort)

log "JUnit 5"
set +e
OPENIM_DEVSERVER=$DEVSERVER_BIN java -Djna.library.path="$PROFILE_DIR" -jar "$JUNIT_CONSOLE_JAR" \
  --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
  -cp "$out/tests.jar:$out/openim-sdk.jar:$deps:$KOTLIN_LIB/kotlin-stdlib.jar" \
  --scan-classpath "$out/tests.jar" 2>&1 | tee "$out/junit.log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -E "\[ *[0-9]+ tests successful" "$out/junit.log" | grep -oE "[0-9]+" | head -1)
failed=$(grep -E "\[ *[0-9]+ tests failed" "$out/junit.log" | grep -oE "[0-9]+" | head -1)
passed=${passed:-0}; failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "kotlin: $passed passed, $failed failed"
[ "$status" -eq 0 ]
