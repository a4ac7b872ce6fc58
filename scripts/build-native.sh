#!/usr/bin/env bash
# Builds the SDK library (debug), the binding generator and the devserver binary.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
log "cargo build (openim-sdk with bindgen, openim-devserver)"
cargo build --features bindgen -p openim-sdk --lib --bin uniffi-bindgen
cargo build -p openim-devserver --bin openim-devserver
