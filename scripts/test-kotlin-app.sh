#!/usr/bin/env bash
# Tests the AAR as an app consumes it: builds it (scripts/build-aar.sh, host library), reads it
# back from the Maven repository layout, checks classes.jar, compiles an app
# (tests/apps/kotlin + the README's Kotlin quick start) against classes.jar and the jars its
# POM names only, and runs it against a devserver. Prints "kotlin-app: N passed, M failed" last.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
[ -x "$DEVSERVER_BIN" ] || "$ROOT/scripts/build-native.sh"
SUITE=kotlin-app

log "build the AAR"
OPENIM_LIB_PROFILE=${OPENIM_LIB_PROFILE:-debug} "$ROOT/scripts/build-aar.sh" > "$BUILD_DIR/build-aar.log" 2>&1 || { cat "$BUILD_DIR/build-aar.log"; bad "build-aar.sh"; finish; }
coords=$(sed -n 's/^coordinates: //p' "$BUILD_DIR/build-aar.log")
repo=$(sed -n 's/^maven repository: //p' "$BUILD_DIR/build-aar.log")
IFS=: read -r group artifact version <<<"$coords"
dir=$repo/${group//.//}/$artifact/$version
aar=$dir/$artifact-$version.aar
pom=$dir/$artifact-$version.pom
[ -f "$aar" ] && [ -f "$pom" ] && grep -q "<artifactId>$artifact</artifactId>" "$pom" && grep -q "<version>$version</version>" "$pom" \
  && ok "Maven layout $coords" || { bad "Maven layout ($aar)"; finish; }

app=$BUILD_DIR/app-kotlin
rm -rf "$app"; mkdir -p "$app/aar" "$app/src"
unzip -q "$aar" -d "$app/aar"
for f in AndroidManifest.xml classes.jar proguard.txt R.txt; do [ -f "$app/aar/$f" ] || bad "AAR has no $f"; done
so=$(find "$app/aar/jni" -name libopenim_sdk.so | head -1)
[ -n "$so" ] && ok "AAR holds $(dirname "${so#$app/aar/}")/libopenim_sdk.so" || bad "AAR has no jni/<abi>/libopenim_sdk.so"
listing=$(unzip -Z1 "$app/aar/classes.jar")
grep -qx "META-INF/openim-sdk.kotlin_module" <<<"$listing" \
  && ok "classes.jar has its Kotlin module file" || bad "classes.jar lacks META-INF/openim-sdk.kotlin_module"
# The metadata version Kotlin compilers check: 2.0.0 is readable by Kotlin 2.0 and newer.
unzip -q -o "$app/aar/classes.jar" 'io/openim/sdk/*.class' -d "$app/meta"
mv=$(javap -v -cp "$app/meta" io.openim.sdk.OpenImClient | grep -oE "mv=\[[0-9,]+\]" | head -1)
[ "$mv" = "mv=[2,0,0]" ] && ok "Kotlin metadata 2.0.0 (readable by Kotlin 2.0 apps)" || bad "Kotlin metadata is $mv, not 2.0.0"

deps=$(python3 scripts/pom-deps.py "$pom") && ok "POM dependencies resolve: $deps" || { bad "POM dependencies"; finish; }
python3 scripts/readme-snippet.py kotlin > "$app/src/Readme.kt"
log "kotlinc: the app against classes.jar + POM dependencies"
if kotlinc -nowarn -jvm-target 17 -cp "$app/aar/classes.jar:$deps" -d "$app/app.jar" \
    tests/apps/kotlin/ChatApp.kt android/src/test/kotlin/io/openim/sdk/DevServer.kt "$app/src/Readme.kt"; then
  ok "the app and the README's snippet compile"
else
  bad "the app and the README's snippet compile"; finish
fi
log "run the app"
set +e
OPENIM_DEVSERVER=$DEVSERVER_BIN timeout 120 java -Djna.library.path="$(dirname "$so")" \
  -cp "$app/app.jar:$app/aar/classes.jar:$deps" ChatAppKt 2>&1 | tee "$app/run.log"
set -e
add_summary "$app/run.log"
finish
