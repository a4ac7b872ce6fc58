//! The exported surface: the `OpenIMClient` object, its records and enums, and the listener
//! traits hosts implement. Thin by design: every method validates, hops onto the engine runtime
//! and converts.

mod client;
mod config;
mod listeners;
mod user;

pub use client::OpenIMClient;
pub use config::{LogLevel, LoginStatus, OpenIMConfig};
pub use listeners::ConnListener;
pub use user::UserInfo;
