//! Wire protocols other than the APIv3 core: [`v2`], the platform's older XML protocol.

pub mod v2;
