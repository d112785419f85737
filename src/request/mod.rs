//! Requests: the chain that names a path, the builder that describes a request, preparing
//! it in small checked steps, uploads.

mod builder;
mod chain;
mod prepare;
mod upload;

pub use builder::RequestBuilder;
pub use chain::Chain;
