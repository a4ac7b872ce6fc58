#!/usr/bin/env bash
# Builds, in one cargo invocation, the SDK library with the binding generator, the devserver
# binary and every test and example. Selecting the tests here turns on the dev-dependencies'
# features (tokio's io-util/process, …) exactly as `cargo test --workspace` will, so the test
# run reuses every artifact instead of compiling the dependency tree a second time.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
log "cargo build --workspace (openim-sdk + uniffi-bindgen + openim-devserver + tests)"
cargo build --workspace --features openim-sdk/bindgen --lib --bins --tests --examples
