#!/usr/bin/env bash
# Builds, in one cargo invocation (so `cargo test --workspace` reuses every artifact), the SDK
# library with the binding generator and the devserver binary.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
log "cargo build --workspace (openim-sdk + uniffi-bindgen + openim-devserver)"
cargo build --workspace --features openim-sdk/bindgen
