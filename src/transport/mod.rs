//! Network transports: the REST client ([`http`]) and the gateway WebSocket ([`ws`]).

pub mod http;
pub mod ws;
