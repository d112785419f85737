//! Authentication on the wire: the request signature (`Authorization`), the verification
//! of signed answers and callbacks, and the set of platform keys trusted to sign them.
//! Pure functions over bytes and headers; no network.

mod platform_keys;
pub mod signing;
pub mod verify;

pub use platform_keys::{PUBLIC_KEY_ID_PREFIX, PlatformKeys};
pub(crate) use platform_keys::{normalize_serial, same_key_id};
