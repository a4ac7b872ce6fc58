//! openim-sdk: an OpenIM v3 client SDK with a Rust engine and Kotlin/Swift APIs through UniFFI.
//!
//! Layers point one way, each importing only those below it:
//!
//! - [`ffi`]: the exported surface (thin: validate, hop onto the runtime, convert);
//! - [`engine`]: login state, sessions, seq sync, the notification router, event dispatch;
//! - domains: [`message`], [`friend`] → [`conversation`] → [`user`], over the session [`context`];
//! - [`store`] (per-user SQLite, its own row types) and [`transport`] (gateway, REST);
//! - the base: [`model`] (the records apps see), [`events`], [`error`], logging, runtime.
//!
//! Wire types come from `openim-wire`, shared with the devserver.

uniffi::setup_scaffolding!("openim_sdk");

pub mod context;
pub mod conversation;
pub mod engine;
pub mod error;
pub mod events;
pub mod ffi;
pub mod friend;
pub mod group;
pub mod logging;
pub mod message;
pub mod model;
mod runtime;
pub mod store;
pub mod transport;
pub mod user;
mod util;
pub mod versioned;

pub use error::{OpenIMError, Result};
pub use ffi::*;
