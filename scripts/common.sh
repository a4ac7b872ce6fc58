# Shared settings for the scripts in this directory (sourced, not run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE_DIR=$TARGET_DIR/debug
case "$(uname -s)" in
  Darwin) LIB_EXT=dylib ;;
  *) LIB_EXT=so ;;
esac
NATIVE_LIB=$PROFILE_DIR/libopenim_sdk.$LIB_EXT
DEVSERVER_BIN=$PROFILE_DIR/openim-devserver
# Everything the scripts write goes under here (never into tracked sources).
BUILD_DIR=${OPENIM_BUILD_DIR:-$ROOT/build}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)

# Where kotlinc, JNA and the JUnit console launcher live (setup.sh exports these; these are the
# Debian/npm defaults otherwise).
JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}
JUNIT_CONSOLE_JAR=${JUNIT_CONSOLE_JAR:-/usr/share/java/junit-platform-console-standalone.jar}
if [ -z "${KOTLIN_HOME:-}" ] && command -v kotlinc >/dev/null 2>&1; then
  KOTLIN_HOME=$(cd "$(dirname "$(readlink -f "$(command -v kotlinc)")")/.." && pwd)
fi
KOTLIN_LIB=${KOTLIN_LIB:-${KOTLIN_HOME:-}/lib}

log() { printf '\n==> %s\n' "$*" >&2; }

# Check counting for the app suites (set SUITE first): `ok`/`bad` print one line each,
# `add_summary LOG` adds the "app: N passed, M failed" line an app printed, and `finish` prints
# "$SUITE: N passed, M failed" and exits with the verdict.
passed=0; failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAILED: $1"; failed=$((failed + 1)); }
add_summary() {
  local line
  line=$(grep -E "^app: " "$1" | tail -1)
  if [ -z "$line" ]; then bad "the app ran to its summary"; return; fi
  passed=$((passed + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}
finish() { echo "$SUITE: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
