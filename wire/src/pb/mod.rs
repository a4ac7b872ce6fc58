//! Protobuf messages carried in the gateway envelope's `data`, with the field numbers of
//! openimsdk/protocol. Only the messages the SDK and devserver exchange are defined.

pub mod go_maps;
pub mod jssdk;
pub mod msg;
pub mod push;
pub mod sdkws;

pub use go_maps::GoEncode;
pub use prost::Message;
