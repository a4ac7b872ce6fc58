//! openim-sdk: an OpenIM v3 client SDK with a Rust engine and Kotlin/Swift APIs through UniFFI.
//!
//! Layers point one way: [`ffi`] (the exported surface, thin) → [`engine`] (session, connection
//! supervision, listener dispatch) → [`transport`] (gateway WebSocket, REST) and [`store`]
//! (per-user SQLite), plus domain modules such as [`user`]. Wire types come from `openim-wire`,
//! shared with the devserver.

uniffi::setup_scaffolding!("openim_sdk");

pub mod context;
pub mod conversation;
pub mod engine;
pub mod error;
pub mod events;
pub mod ffi;
mod logging;
pub mod message;
mod runtime;
pub mod store;
pub mod transport;
pub mod user;
mod util;

pub use error::{OpenIMError, Result};
pub use ffi::*;
