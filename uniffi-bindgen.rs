//! The UniFFI binding generator, pinned to the same uniffi version as the library.
//! `cargo run --features bindgen --bin uniffi-bindgen -- generate --library <lib> -l kotlin -o <dir>`
fn main() {
    uniffi::uniffi_bindgen_main()
}
