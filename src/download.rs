//! Downloads: files streamed to any `AsyncWrite` (or a file) in constant memory while their
//! digests are computed, bills from an apply response, overseas statements
//! (PROTOCOL.md sections 3 and 7).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::auth::sanitize;
use crate::certificates::Asker;
use crate::client::Client;
use crate::crypto::digest::{Sha1, Sha256};
use crate::error::{Error, Result};
use crate::request::{Prepared, RequestBuilder};
use crate::transport::api_error;

/// The header that carries an overseas statement's SHA-1.
pub const STATEMENT_SHA1: &str = "Wechatpay-Statement-Sha1";

/// A digest a download must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    /// SHA-1, hex (case-insensitive).
    Sha1(String),
    /// SHA-256, hex (case-insensitive).
    Sha256(String),
}

impl Digest {
    /// From an apply response's `hash_type` (`SHA1` or `SHA256`) and `hash_value`.
    pub fn from_hash_type(hash_type: &str, value: &str) -> Result<Digest> {
        match hash_type.to_ascii_uppercase().as_str() {
            "SHA1" => Ok(Digest::Sha1(value.to_owned())),
            "SHA256" => Ok(Digest::Sha256(value.to_owned())),
            _ => Err(Error::InvalidUpload {
                reason: format!("unsupported hash_type {:?}", sanitize(hash_type)),
            }),
        }
    }
}

/// What a download received.
#[derive(Debug, Clone)]
pub struct Download {
    status: StatusCode,
    headers: HeaderMap,
    bytes: u64,
    sha1: String,
    sha256: String,
    verified_by: Option<String>,
}

impl Download {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The platform's `Request-ID`.
    pub fn request_id(&self) -> Option<&str> {
        crate::response::request_id(&self.headers)
    }

    /// Bytes received (before any decompression).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// SHA-1 of the bytes received, lower-case hex.
    pub fn sha1(&self) -> &str {
        &self.sha1
    }

    /// SHA-256 of the bytes received, lower-case hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The platform key that verified a signed download (a statement's SHA-1 header, or a
    /// JSON answer downloaded through this call); `None` for unsigned files.
    pub fn verified_by(&self) -> Option<&str> {
        self.verified_by.as_deref()
    }
}

/// How a download is received: digest to check, decompression, statement rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct DownloadOptions {
    pub(crate) expect: Option<Digest>,
    pub(crate) gunzip: bool,
    /// An overseas statement: `Wechatpay-Statement-Sha1` is required and checked.
    pub(crate) statement: bool,
}

/// The overseas statement paths, whose files carry a signed `Wechatpay-Statement-Sha1`.
const STATEMENTS: &[&str] = &["/v3/global/statements", "/hk/v3/statements"];

/// Whether `path` is an overseas statement download.
pub(crate) fn is_statement(path: &str) -> bool {
    STATEMENTS.contains(&path)
}

/// The checks of an unsigned download received whole (sent with `.await`): the statement
/// header when it is a statement, the expected digest when one was given. Returns the key
/// that verified a statement.
pub(crate) async fn check_whole(
    client: &Client,
    options: &DownloadOptions,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>> {
    let statement = statement_sha1(client, headers, options.statement).await?;
    if statement.is_none() && options.expect.is_none() {
        return Ok(None);
    }
    let (mut sha1, mut sha256) = (Sha1::new(), Sha256::new());
    sha1.update(body);
    sha256.update(body);
    let (sha1, sha256) = (sha1.finish_hex(), sha256.finish_hex());
    if let Some((expected, _)) = &statement {
        check_digest(Some(&Digest::Sha1(expected.clone())), &sha1, &sha256)?;
    }
    check_digest(options.expect.as_ref(), &sha1, &sha256)?;
    Ok(statement.map(|(_, key)| key))
}

impl RequestBuilder {
    /// Requires the bytes received to have this digest; a mismatch is
    /// [`Error::DigestMismatch`] (and [`download_to_file`](Self::download_to_file) leaves no
    /// file behind).
    pub fn expect_digest(mut self, digest: Digest) -> Self {
        self.download_options().expect = Some(digest);
        self
    }

    /// Decompresses a gzip download on the fly (a bill asked for with `tar_type=GZIP`); the
    /// digest is still computed over the compressed bytes, as the platform computes it.
    pub fn gunzip(mut self) -> Self {
        self.download_options().gunzip = true;
        self
    }

    /// Sends the request and streams the answer's body into `writer`, in constant memory,
    /// computing its SHA-1 and SHA-256 on the way. The bytes reach `writer` as they arrive
    /// and the digest is checked at the end: a mismatch is an error after the bytes were
    /// written, so use [`download_to_file`](Self::download_to_file) (which only renames a
    /// checked file into place) when a partial or altered file must never be seen.
    ///
    /// The file downloads the platform does not sign (`wechatpay::UNSIGNED_DOWNLOADS`) are
    /// checked by digest instead: use [`expect_digest`](Self::expect_digest), or
    /// [`Client::bill`] which does it from the apply response. An overseas statement's
    /// `Wechatpay-Statement-Sha1` is verified (its signature and the file's SHA-1). Any other
    /// answer is read whole, verified like a normal response, then written.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let mut out = tokio::io::sink();
    /// let download = client
    ///     .chain("v3/billdownload/file")
    ///     .get()
    ///     .query("token", "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO")
    ///     .download(&mut out)
    ///     .await?;
    /// println!("{} bytes, sha1 {}", download.bytes(), download.sha1());
    /// # Ok(()) }
    /// ```
    ///
    /// The request's or the client's [deadline](Self::deadline) bounds the whole transfer.
    /// A download is not retried: the writer may already hold part of the file.
    pub async fn download<W: AsyncWrite + Unpin + ?Sized>(self, writer: &mut W) -> Result<Download> {
        let client = self.client().clone();
        match self.deadline_or(&client) {
            None => self.download_once(&client, writer).await,
            Some(deadline) => tokio::time::timeout(deadline, self.download_once(&client, writer))
                .await
                .unwrap_or(Err(Error::DeadlineExceeded { deadline, attempts: 1 })),
        }
    }

    async fn download_once<W: AsyncWrite + Unpin + ?Sized>(&self, client: &Client, writer: &mut W) -> Result<Download> {
        use tracing::Instrument as _;
        let span = tracing::info_span!("wechatpay.download", path = %format!("/{}", self.template_ref()));
        async move {
            client.ensure_platform_keys().await?;
            let prepared = self.prepare()?;
            receive(client, &prepared, writer).await
        }
        .instrument(span)
        .await
    }
}

/// Sends a prepared download and streams its answer into `writer`, with every check.
async fn receive<W: AsyncWrite + Unpin + ?Sized>(
    client: &Client,
    prepared: &Prepared,
    writer: &mut W,
) -> Result<Download> {
    let options = prepared.download.clone();
    let unsigned = prepared.unsigned_download;
    let mut response = crate::transport::send_request(client, prepared).await?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    if !status.is_success() {
        let body = crate::transport::read_body(response, client.inner.max_response_bytes).await?;
        return Err(api_error(status, headers, &body));
    }
    if !unsigned {
        // A signed answer must be verified before a byte of it is trusted: read it whole.
        let body = crate::transport::read_body(response, client.inner.max_response_bytes).await?;
        let verified_by = client.verify_signed(&headers, &body, Asker::Response).await?;
        let mut sink = DigestingWriter::new(writer, false);
        sink.write(&body).await?;
        let (bytes, sha1, sha256) = sink.finish().await?;
        check_digest(options.expect.as_ref(), &sha1, &sha256)?;
        return Ok(Download {
            status,
            headers,
            bytes,
            sha1,
            sha256,
            verified_by: Some(verified_by),
        });
    }
    let statement = statement_sha1(client, &headers, options.statement).await?;
    let mut sink = DigestingWriter::new(writer, options.gunzip);
    while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
        sink.write(&chunk).await?;
    }
    let (bytes, sha1, sha256) = sink.finish().await?;
    if let Some((expected, _)) = &statement {
        check_digest(Some(&Digest::Sha1(expected.clone())), &sha1, &sha256)?;
    }
    check_digest(options.expect.as_ref(), &sha1, &sha256)?;
    Ok(Download {
        status,
        headers,
        bytes,
        sha1,
        sha256,
        verified_by: statement.map(|(_, key)| key),
    })
}

impl RequestBuilder {
    /// [`download`](Self::download) into a file: written under a temporary name beside it,
    /// flushed, and renamed into place only when everything checked out, so a failed or
    /// tampered download never leaves a file (whole or partial) under `path`.
    pub async fn download_to_file(self, path: impl AsRef<Path>) -> Result<Download> {
        let path = path.as_ref();
        let temporary = temporary_path(path)?;
        let result = async {
            let mut file = tokio::fs::File::create(&temporary).await?;
            let download = self.download(&mut file).await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&temporary, path).await?;
            Ok(download)
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        result
    }
}

/// A statement's `Wechatpay-Statement-Sha1`, verified: its signature covers the text
/// `{"sha1":"<value>"}`. Returns the SHA-1 to check and the key that verified it. The header
/// is required on a statement path (`required`): without it the file could not be checked.
async fn statement_sha1(client: &Client, headers: &HeaderMap, required: bool) -> Result<Option<(String, String)>> {
    let Some(value) = headers.get(STATEMENT_SHA1) else {
        return if required {
            Err(Error::MissingHeader { header: STATEMENT_SHA1 })
        } else {
            Ok(None)
        };
    };
    let sha1 = value
        .to_str()
        .map_err(|_| Error::MalformedHeader {
            header: STATEMENT_SHA1,
            reason: "not ASCII text",
        })?
        .to_owned();
    let signed = format!(r#"{{"sha1":"{sha1}"}}"#);
    let key = client
        .verify_signed(headers, signed.as_bytes(), Asker::Response)
        .await?;
    Ok(Some((sha1, key)))
}

fn check_digest(expect: Option<&Digest>, sha1: &str, sha256: &str) -> Result<()> {
    let (algorithm, expected, actual) = match expect {
        None => return Ok(()),
        Some(Digest::Sha1(hex)) => ("SHA1", hex, sha1),
        Some(Digest::Sha256(hex)) => ("SHA256", hex, sha256),
    };
    if expected.eq_ignore_ascii_case(actual) {
        Ok(())
    } else {
        Err(Error::DigestMismatch {
            algorithm,
            expected: sanitize(expected),
            actual: actual.to_owned(),
        })
    }
}

fn temporary_path(path: &Path) -> Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| Error::InvalidUpload {
        reason: format!("{} is not a file path", path.display()),
    })?;
    let nonce = &crate::auth::signing::nonce()?[..8];
    Ok(path.with_file_name(format!(".{}.{nonce}.part", name.to_string_lossy())))
}

/// Writes chunks to an `AsyncWrite` while hashing them, optionally gunzipping first.
struct DigestingWriter<'w, W: ?Sized> {
    writer: &'w mut W,
    sha1: Sha1,
    sha256: Sha256,
    bytes: u64,
    gunzip: Option<flate2::write::GzDecoder<Vec<u8>>>,
}

impl<'w, W: AsyncWrite + Unpin + ?Sized> DigestingWriter<'w, W> {
    fn new(writer: &'w mut W, gunzip: bool) -> Self {
        Self {
            writer,
            sha1: Sha1::new(),
            sha256: Sha256::new(),
            bytes: 0,
            gunzip: gunzip.then(|| flate2::write::GzDecoder::new(Vec::new())),
        }
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.sha1.update(chunk);
        self.sha256.update(chunk);
        self.bytes += chunk.len() as u64;
        match &mut self.gunzip {
            None => self.writer.write_all(chunk).await?,
            Some(decoder) => {
                decoder.write_all(chunk).map_err(gzip_error)?;
                let inflated = std::mem::take(decoder.get_mut());
                self.writer.write_all(&inflated).await?;
            }
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<(u64, String, String)> {
        if let Some(decoder) = self.gunzip.take() {
            let rest = decoder.finish().map_err(gzip_error)?;
            self.writer.write_all(&rest).await?;
        }
        self.writer.flush().await?;
        Ok((self.bytes, self.sha1.finish_hex(), self.sha256.finish_hex()))
    }
}

fn gzip_error(e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(e.kind(), format!("gzip decompression failed: {e}")))
}

/// The fields of a bill apply response.
#[derive(Deserialize)]
struct BillApply {
    hash_type: String,
    hash_value: String,
    download_url: String,
}

impl Client {
    /// Step two of a bill download: from the apply response (`hash_type`, `hash_value`,
    /// `download_url`), a signed GET of the download URL that checks the digest. The URL
    /// must be on the API host (or a host allowed with
    /// [`ClientBuilder::allow_download_host`](crate::ClientBuilder::allow_download_host)):
    /// the merchant's signature goes nowhere else.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let apply: serde_json::Value = client
    ///     .chain("v3/bill/tradebill")
    ///     .get()
    ///     .query("bill_date", "2026-11-25")
    ///     .await?
    ///     .json()?;
    /// let download = client.bill(&apply)?.download_to_file("tradebill-2026-11-25.csv").await?;
    /// println!("{} bytes, digest checked", download.bytes());
    /// # Ok(()) }
    /// ```
    pub fn bill(&self, apply: &Value) -> Result<RequestBuilder> {
        let apply = BillApply::deserialize(apply).map_err(|_| Error::InvalidUpload {
            reason: "the apply response lacks hash_type, hash_value or download_url".into(),
        })?;
        let digest = Digest::from_hash_type(&apply.hash_type, &apply.hash_value)?;
        Ok(self.download_url(&apply.download_url)?.expect_digest(digest))
    }

    /// A signed `GET` of an absolute URL the platform handed out (a `download_url`), sent
    /// with its path and query exactly as given. Refused unless the URL is on the API host
    /// or an allowed download host.
    pub fn download_url(&self, url: &str) -> Result<RequestBuilder> {
        let url = url::Url::parse(url).map_err(|_| Error::InvalidPath {
            path: sanitize(url),
            reason: "not an absolute URL",
        })?;
        let host = url.host_str().unwrap_or("").to_owned();
        let base = &self.inner.base_url;
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        // An allowed host still gets the API host's scheme: a signed request never goes out
        // in clear text to reach a host the API host does not run on.
        let allowed = same_origin
            || (url.scheme() == base.scheme()
                && self.inner.download_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)));
        if !allowed {
            return Err(Error::ForeignHost { host: sanitize(&host) });
        }
        if url.fragment().is_some() {
            return Err(Error::InvalidPath {
                path: sanitize(url.as_str()),
                reason: "a download URL must not have a fragment",
            });
        }
        Ok(RequestBuilder::for_url(self.clone(), url))
    }
}
