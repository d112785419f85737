//! Requests: the chain that names a path, the builder that describes a request, preparing
//! it in small checked steps, uploads.

mod builder;
mod chain;
mod prepare;
mod upload;
mod v2;
#[cfg(feature = "catalog")]
mod validate;

pub use builder::RequestBuilder;
pub use chain::Chain;
#[cfg(feature = "catalog")]
pub use validate::ValidationMode;
