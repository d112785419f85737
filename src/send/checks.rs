//! The checks of a file the platform does not sign: an overseas statement's signed
//! `Wechatpay-Statement-Sha1`, and the digest the caller expects.

use http::HeaderMap;

use crate::error::{Result, VerificationError};
use crate::protocol::downloads::{Digest, Digests};
use crate::protocol::headers::STATEMENT_SHA1;
use crate::trust::{Asker, KeyStore};
use crate::wire::Check;

/// A statement's `Wechatpay-Statement-Sha1`, verified: its signature covers the text
/// `{"sha1":"<value>"}`. Returns the SHA-1 the file must have and the key that verified it.
/// On a statement path (`required`) the header must be there: without it the file could
/// not be checked; elsewhere it is verified when present.
pub(crate) async fn statement_sha1(keys: &KeyStore, headers: &HeaderMap, required: bool) -> Result<Option<Statement>> {
    let Some(value) = headers.get(STATEMENT_SHA1) else {
        return if required {
            Err(VerificationError::MissingHeader { header: STATEMENT_SHA1 }.into())
        } else {
            Ok(None)
        };
    };
    let sha1 = value
        .to_str()
        .map_err(|_| VerificationError::MalformedHeader {
            header: STATEMENT_SHA1,
            reason: "not ASCII text",
        })?
        .to_owned();
    let signed = format!(r#"{{"sha1":"{sha1}"}}"#);
    let verified_by = keys.verify(headers, signed.as_bytes(), Asker::Response).await?;
    Ok(Some(Statement { sha1, verified_by }))
}

/// A verified statement header.
#[derive(Debug)]
pub(crate) struct Statement {
    /// The SHA-1 the file must have.
    pub(crate) sha1: String,
    /// The key that verified the header.
    pub(crate) verified_by: String,
}

/// The digest a file must have, if the check names one.
pub(crate) fn expected(check: &Check) -> Option<&Digest> {
    match check {
        Check::File { expect } | Check::Statement { expect } => expect.as_ref(),
        Check::Signature | Check::V2 { .. } => None,
    }
}

/// The file's digests against the statement's SHA-1 and the expected digest.
pub(crate) fn check_digests(check: &Check, statement: Option<&Statement>, received: &Digests) -> Result<()> {
    if let Some(statement) = statement {
        Digest::Sha1(statement.sha1.clone()).check(received)?;
    }
    match expected(check) {
        Some(digest) => digest.check(received),
        None => Ok(()),
    }
}

/// The checks of an unsigned file received whole. Returns the key that verified a
/// statement's header.
pub(crate) async fn check_whole(
    keys: &KeyStore,
    check: &Check,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>> {
    let statement = statement_sha1(keys, headers, matches!(check, Check::Statement { .. })).await?;
    if statement.is_some() || expected(check).is_some() {
        check_digests(check, statement.as_ref(), &Digests::of(body))?;
    }
    Ok(statement.map(|s| s.verified_by))
}
