//! Downloads: files streamed to any `AsyncWrite` (or a file) in constant memory while their
//! digests are computed; bills from an apply answer; download URLs the platform hands out.
//! [`RequestBuilder::download`](crate::RequestBuilder::download) and
//! [`Client::bill`](crate::Client::bill) are the entry points.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};
use url::Url;

use crate::error::{BodyError, Error, RequestError, Result, TransportError};
use crate::protocol::api_error::api_error;
use crate::protocol::downloads::{Digest, Digests, Hasher};
use crate::protocol::v2::{self, AnswerSignature};
use crate::send::Sender;
use crate::send::checks::{self, Statement};
use crate::text::sanitize;
use crate::trust::Asker;
use crate::wire::{Check, Prepared};

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
        crate::protocol::request_id(&self.headers)
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

/// How a download is received, beyond the prepared request's checks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Receiving {
    /// The digest the bytes must have (also for a signed answer written out).
    pub(crate) expect: Option<Digest>,
    /// Gunzip on the fly (the digest stays that of the compressed bytes).
    pub(crate) gunzip: bool,
    /// The most inflated bytes a gzip download may produce; `None`: [`default_inflation_limit`].
    pub(crate) max_inflated: Option<u64>,
}

/// Inflated bytes allowed by default, whatever the compressed size: 64 MiB.
pub const DEFAULT_INFLATION_ALLOWANCE: u64 = 64 * 1024 * 1024;

/// Inflated bytes allowed by default for each compressed byte received: bills compress about
/// ten to one; a ratio far beyond that is a decompression bomb.
pub const DEFAULT_INFLATION_RATIO: u64 = 100;

/// The default limit on what `compressed` bytes may inflate to.
fn default_inflation_limit(compressed: u64) -> u64 {
    DEFAULT_INFLATION_ALLOWANCE.saturating_add(compressed.saturating_mul(DEFAULT_INFLATION_RATIO))
}

/// Compressed bytes fed to the inflater at a time: deflate inflates at most about 1,032 to
/// one, so each step yields at most about half a MiB, whatever the chunk that arrived.
const INFLATE_STEP: usize = 512;

/// What is known of a 2xx download answer before its body: status, headers, and the
/// endpoint transport errors name (`METHOD host/template`, never the concrete URL).
struct Answered {
    status: StatusCode,
    headers: HeaderMap,
    endpoint: String,
}

impl Answered {
    /// Streams the rest of `response`'s body into `sink`.
    async fn stream_rest<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        response: &mut reqwest::Response,
        sink: &mut DigestingWriter<'_, W>,
    ) -> Result<()> {
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| TransportError::new(e, self.endpoint.clone()))?
        {
            sink.write(&chunk).await?;
        }
        Ok(())
    }

    /// What was received, once every check passed.
    fn download(self, bytes: u64, digests: Digests, verified_by: Option<String>) -> Download {
        Download {
            status: self.status,
            headers: self.headers,
            bytes,
            sha1: digests.sha1,
            sha256: digests.sha256,
            verified_by,
        }
    }
}

/// Sends a prepared download (one attempt) and streams its answer into `writer`, with
/// every check.
pub(crate) async fn receive<W: AsyncWrite + Unpin + ?Sized>(
    sender: &Sender,
    prepared: &Prepared,
    receiving: &Receiving,
    writer: &mut W,
) -> Result<Download> {
    let endpoint = crate::wire::endpoint(prepared, &prepared.url);
    let mut response = sender.open(prepared).await?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    if !status.is_success() {
        let body = sender.wire.read_body(response, &endpoint).await?;
        return Err(api_error(status, headers, &body).into());
    }
    let answered = Answered {
        status,
        headers,
        endpoint,
    };
    match prepared.check {
        Check::V2 {
            signature,
            download: true,
        } => receive_v2(sender, response, answered, signature, receiving, writer).await,
        Check::Signature | Check::V2 { download: false, .. } => {
            // A signed answer must be verified before a byte of it is trusted: read it whole.
            let body = sender.wire.read_body(response, &answered.endpoint).await?;
            let verified_by = match prepared.check {
                // An APIv2 endpoint other than a bill download answers signed XML (or unsigned
                // by design, its return_code and result_code still read).
                Check::V2 { signature, .. } => sender.read_v2_answer(&body, signature)?.1,
                _ => Some(sender.keys.verify(&answered.headers, &body, Asker::Response).await?),
            };
            let mut sink = DigestingWriter::new(writer, None);
            sink.write(&body).await?;
            let (bytes, digests) = sink.finish().await?;
            if let Some(expect) = &receiving.expect {
                expect.check(&digests)?;
            }
            Ok(answered.download(bytes, digests, verified_by))
        }
        _ => {
            let statement = checks::statement_sha1(
                &sender.keys,
                &answered.headers,
                matches!(prepared.check, Check::Statement { .. }),
            )
            .await?;
            let mut sink = DigestingWriter::new(writer, receiving.gunzip.then_some(receiving.max_inflated));
            answered.stream_rest(&mut response, &mut sink).await?;
            let (bytes, digests) = sink.finish().await?;
            checks::check_digests(&prepared.check, statement.as_ref(), &digests)?;
            let verified_by = statement.map(|Statement { verified_by, .. }| verified_by);
            Ok(answered.download(bytes, digests, verified_by))
        }
    }
}

/// An APIv2 bill download: a CSV or gzip file on success, streamed like any file; an XML
/// answer on failure, read (bounded) into its typed error.
async fn receive_v2<W: AsyncWrite + Unpin + ?Sized>(
    sender: &Sender,
    mut response: reqwest::Response,
    answered: Answered,
    signature: AnswerSignature,
    receiving: &Receiving,
    writer: &mut W,
) -> Result<Download> {
    // Enough of the start to tell a file from an XML error.
    let mut start = Vec::new();
    while start.len() < 64 {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| TransportError::new(e, answered.endpoint.clone()))?;
        match chunk {
            Some(chunk) => start.extend_from_slice(&chunk),
            None => break,
        }
    }
    if v2::classify_download(&start) == v2::DownloadKind::Xml {
        let rest = sender.wire.read_body(response, &answered.endpoint).await?;
        start.extend_from_slice(&rest);
        sender.read_v2_answer(&start, signature)?;
        return Err(BodyError::Xml {
            reason: "a bill download answered XML that reports no failure".into(),
        }
        .into());
    }
    let mut sink = DigestingWriter::new(writer, receiving.gunzip.then_some(receiving.max_inflated));
    sink.write(&start).await?;
    answered.stream_rest(&mut response, &mut sink).await?;
    let (bytes, digests) = sink.finish().await?;
    if let Some(expect) = &receiving.expect {
        expect.check(&digests)?;
    }
    Ok(answered.download(bytes, digests, None))
}

/// A download's file under a temporary name beside its target, renamed into place only
/// when everything checked out, so a failed or tampered download never leaves a file
/// (whole or partial) under the target name.
pub(crate) struct TemporaryFile {
    file: tokio::fs::File,
    temporary: PathBuf,
    target: PathBuf,
}

impl TemporaryFile {
    /// Creates the temporary file beside `target`: a new file (never an existing one, nor
    /// through a symlink), readable by its owner only (bills hold payer data).
    pub(crate) async fn create(target: &Path) -> Result<Self> {
        let temporary = temporary_path(target)?;
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&temporary).await?;
        Ok(Self {
            file,
            temporary,
            target: target.to_owned(),
        })
    }

    /// Where the download is written.
    pub(crate) fn writer(&mut self) -> &mut tokio::fs::File {
        &mut self.file
    }

    /// On success, syncs and renames the file into place; on failure, removes it.
    pub(crate) async fn finish(self, result: Result<Download>) -> Result<Download> {
        let Self {
            file,
            temporary,
            target,
        } = self;
        let finished = async {
            let download = result?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&temporary, &target).await?;
            Ok(download)
        }
        .await;
        if finished.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        finished
    }
}

fn temporary_path(path: &Path) -> Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| RequestError::InvalidDownload {
        reason: format!("{} is not a file path", path.display()),
    })?;
    let nonce = &crate::auth::signing::nonce()?[..8];
    Ok(path.with_file_name(format!(".{}.{nonce}.part", name.to_string_lossy())))
}

/// Writes chunks to an `AsyncWrite` while hashing them, optionally gunzipping first.
struct DigestingWriter<'w, W: ?Sized> {
    writer: &'w mut W,
    hasher: Hasher,
    /// Compressed bytes received.
    bytes: u64,
    gunzip: Option<Inflater>,
}

/// A gzip decoder that inflates in bounded steps and counts what it produced against a limit.
struct Inflater {
    decoder: flate2::write::GzDecoder<Vec<u8>>,
    inflated: u64,
    /// An explicit limit, or `None` for the default one (which grows with the input).
    limit: Option<u64>,
}

impl Inflater {
    /// The limit after `compressed` bytes were received.
    fn limit(&self, compressed: u64) -> u64 {
        self.limit.unwrap_or_else(|| default_inflation_limit(compressed))
    }

    /// Takes what the decoder inflated so far, counting it against the limit.
    fn take(&mut self, compressed: u64) -> Result<Vec<u8>> {
        let out = std::mem::take(self.decoder.get_mut());
        self.inflated += out.len() as u64;
        let limit = self.limit(compressed);
        if self.inflated > limit {
            return Err(BodyError::InflatedTooLarge { limit }.into());
        }
        Ok(out)
    }
}

impl<'w, W: AsyncWrite + Unpin + ?Sized> DigestingWriter<'w, W> {
    /// `gunzip`: `None` to write the bytes as received, `Some(limit)` to inflate them
    /// (`Some(None)`: the default limit).
    fn new(writer: &'w mut W, gunzip: Option<Option<u64>>) -> Self {
        Self {
            writer,
            hasher: Hasher::default(),
            bytes: 0,
            gunzip: gunzip.map(|limit| Inflater {
                decoder: flate2::write::GzDecoder::new(Vec::new()),
                inflated: 0,
                limit,
            }),
        }
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.hasher.update(chunk);
        let Some(inflater) = &mut self.gunzip else {
            self.bytes += chunk.len() as u64;
            self.writer.write_all(chunk).await?;
            return Ok(());
        };
        for step in chunk.chunks(INFLATE_STEP) {
            self.bytes += step.len() as u64;
            inflater.decoder.write_all(step).map_err(gzip_error)?;
            let inflated = inflater.take(self.bytes)?;
            self.writer.write_all(&inflated).await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<(u64, Digests)> {
        if let Some(mut inflater) = self.gunzip.take() {
            inflater.decoder.try_finish().map_err(gzip_error)?;
            let rest = inflater.take(self.bytes)?;
            self.writer.write_all(&rest).await?;
        }
        self.writer.flush().await?;
        Ok((self.bytes, self.hasher.finish()))
    }
}

/// Inflates a gzip `input` the way a download does, in bounded steps, handing each piece to
/// `sink`; returns the inflated size. For the fuzz target of this path: no network, no
/// writer.
#[doc(hidden)]
pub fn inflate_in_steps(input: &[u8], limit: Option<u64>, mut sink: impl FnMut(&[u8])) -> Result<u64> {
    let mut inflater = Inflater {
        decoder: flate2::write::GzDecoder::new(Vec::new()),
        inflated: 0,
        limit,
    };
    let mut compressed = 0u64;
    for step in input.chunks(INFLATE_STEP) {
        compressed += step.len() as u64;
        inflater.decoder.write_all(step).map_err(gzip_error)?;
        sink(&inflater.take(compressed)?);
    }
    inflater.decoder.try_finish().map_err(gzip_error)?;
    sink(&inflater.take(compressed)?);
    Ok(inflater.inflated)
}

fn gzip_error(e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(e.kind(), format!("gzip decompression failed: {e}")))
}

/// The fields of a bill apply answer.
#[derive(Deserialize)]
struct BillApply {
    hash_type: String,
    hash_value: String,
    download_url: String,
}

/// The download URL and digest of a bill apply answer (`hash_type`, `hash_value`,
/// `download_url`).
pub(crate) fn bill(apply: &Value) -> Result<(String, Digest)> {
    let apply = BillApply::deserialize(apply).map_err(|_| RequestError::InvalidDownload {
        reason: "the apply response lacks hash_type, hash_value or download_url".into(),
    })?;
    let digest = Digest::from_hash_type(&apply.hash_type, &apply.hash_value)?;
    Ok((apply.download_url, digest))
}

/// A download URL the platform handed out, if the merchant's signature may go there: the
/// API host, or an allowed host on the API host's scheme (a signed request never goes out
/// in clear text to reach a host the API host does not run on).
pub(crate) fn download_url(url: &str, base: &Url, allowed_hosts: &[String]) -> Result<Url> {
    let url = Url::parse(url).map_err(|_| RequestError::InvalidPath {
        path: without_query(url),
        reason: "not an absolute URL",
    })?;
    let host = url.host_str().unwrap_or("").to_owned();
    let same_origin = url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default();
    let allowed =
        same_origin || (url.scheme() == base.scheme() && allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)));
    if !allowed {
        return Err(RequestError::ForeignHost { host: sanitize(&host) }.into());
    }
    if url.fragment().is_some() {
        return Err(RequestError::InvalidPath {
            path: shown(&url),
            reason: "a download URL must not have a fragment",
        }
        .into());
    }
    if crate::protocol::path::names_apiv2(url.path()) {
        // The chain would take it for an APIv2 call (XML, signed with the APIv2 key).
        return Err(RequestError::InvalidPath {
            path: shown(&url),
            reason: "a download URL is an APIv3 one; an APIv2 bill is a call: chain(\"v2/pay/downloadbill\")",
        }
        .into());
    }
    Ok(url)
}

/// A URL as errors and logs show it: its origin and its path with identifiers masked (a
/// media id), without its query or fragment, which may hold a download token.
fn shown(url: &Url) -> String {
    format!(
        "{}{}",
        url.origin().ascii_serialization(),
        crate::protocol::path::template_for_logs(url.path())
    )
}

/// Text that did not parse as a URL, as errors show it: up to its query or fragment.
fn without_query(url: &str) -> String {
    sanitize(url.split(['?', '#']).next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_go_to_the_api_host_or_an_allowed_host_on_its_scheme() {
        let base = Url::parse("https://api.mch.weixin.qq.com/").unwrap();
        let allowed = ["files.example".to_owned()];
        assert!(download_url("https://api.mch.weixin.qq.com/v3/billdownload/file?token=x", &base, &[]).is_ok());
        assert!(download_url("https://files.example/x", &base, &allowed).is_ok());
        for (url, hosts) in [
            ("https://evil.example/x", &allowed[..]),
            ("http://files.example/x", &allowed[..]),
            ("http://api.mch.weixin.qq.com/x", &[][..]),
            ("https://api.mch.weixin.qq.com:8443/x", &[][..]),
        ] {
            assert!(
                matches!(
                    download_url(url, &base, hosts),
                    Err(Error::Request(RequestError::ForeignHost { .. }))
                ),
                "{url}"
            );
        }
        assert!(download_url("https://api.mch.weixin.qq.com/x#f", &base, &[]).is_err());
        assert!(download_url("not a url", &base, &[]).is_err());
    }

    #[test]
    fn a_download_url_under_v2_is_refused_not_sent_as_an_apiv2_call() {
        let base = Url::parse("https://api.mch.weixin.qq.com/").unwrap();
        for url in [
            "https://api.mch.weixin.qq.com/v2/pay/downloadbill",
            "https://api.mch.weixin.qq.com/V2/pay/downloadbill?x=1",
            "https://api.mch.weixin.qq.com//v2/pay/downloadbill",
            "https://api.mch.weixin.qq.com///v2/pay/downloadbill",
        ] {
            let err = download_url(url, &base, &[]).unwrap_err();
            assert!(
                matches!(&err, Error::Request(RequestError::InvalidPath { reason, .. }) if reason.contains("APIv2")),
                "{url}: {err:?}"
            );
        }
    }

    #[test]
    fn a_refused_download_url_does_not_show_its_token() {
        let base = Url::parse("https://api.mch.weixin.qq.com/").unwrap();
        for url in [
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=SECRET6XIv5TUPto7pByrTQKhd#f",
            "api.mch.weixin.qq.com/v3/billdownload/file?token=SECRET6XIv5TUPto7pByrTQKhd",
            "https://evil.example/v3/billdownload/file?token=SECRET6XIv5TUPto7pByrTQKhd",
        ] {
            let err = download_url(url, &base, &[]).unwrap_err();
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(!shown.contains("SECRET"), "{shown}");
            }
        }
        // Nor a media id in its path.
        let media = "https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMBgAIKX29P8F#f";
        let err = download_url(media, &base, &[]).unwrap_err().to_string();
        assert!(!err.contains("ChsyMDAwMBgAIKX29P8F"), "{err}");
        assert!(
            err.contains("https://api.mch.weixin.qq.com/v3/merchant-service/images/{…}"),
            "{err}"
        );
    }

    #[test]
    fn a_bill_apply_answer_gives_the_url_and_digest() {
        let apply = serde_json::json!({"hash_type": "SHA1", "hash_value": "ab", "download_url": "https://x/y"});
        assert_eq!(
            bill(&apply).unwrap(),
            ("https://x/y".to_owned(), Digest::Sha1("ab".into()))
        );
        let no_url = serde_json::json!({"hash_type": "SHA1", "hash_value": "ab"});
        assert!(matches!(
            bill(&no_url),
            Err(Error::Request(RequestError::InvalidDownload { .. }))
        ));
        let md5 = serde_json::json!({"hash_type": "MD5", "hash_value": "ab", "download_url": "https://x/y"});
        assert!(matches!(
            bill(&md5),
            Err(Error::Request(RequestError::InvalidDownload { .. }))
        ));
    }
}
