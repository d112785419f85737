//! The wire formats of authentication: the request signature (`Authorization`) and the
//! verification of signed answers. Pure functions over bytes and headers; no network.

mod platform_keys;
pub mod signing;
pub mod verify;

pub use platform_keys::PlatformKeys;
pub(crate) use platform_keys::{normalize_serial, same_key_id, sanitize};
