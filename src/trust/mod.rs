//! Trust in platform keys: the store of trusted keys (snapshots, verification, installing a
//! downloaded set), fed by an injected certificate fetcher, with a download budget and a
//! background refresh for automatic mode.

mod background;
mod budget;
mod fetch;
mod store;

pub(crate) use budget::Asker;
pub use budget::ON_DEMAND_BURST;
pub use fetch::{CertificateDownload, DownloadedCertificate};
pub(crate) use fetch::{CertificateFetcher, WireFetcher};
pub(crate) use store::{AutoRefresh, KeyStore};
pub use store::{DEFAULT_MIN_ON_DEMAND_INTERVAL, DEFAULT_REFRESH_INTERVAL};
