//! One attempt: the exchange on the wire, a non-2xx answer read as an API error, the
//! answer's checks (signature, or a file's digest and statement), inside a tracing span.

use tracing::Instrument as _;
use url::Url;

use super::Sender;
use super::checks;
use bytes::Bytes;

use crate::error::{ConfigError, Error, Result};
use crate::protocol::api_error::api_error;
use crate::protocol::v2::{self, AnswerSignature};
use crate::response::Response;
use crate::trust::Asker;
use crate::wire::RawAnswer;
use crate::wire::{Check, Prepared};

impl Sender {
    /// One attempt of `prepared` to `url`, in a `wechatpay.request` span: method, path
    /// template, attempt, then status, Request-ID and latency. Bodies and identifiers stay
    /// out of it.
    pub(crate) async fn attempt(&self, prepared: &Prepared, url: Url, number: u32) -> Result<Response> {
        let span = tracing::info_span!(
            "wechatpay.request",
            method = %prepared.method,
            path = %prepared.template,
            attempt = number,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let result = self.exchange_and_check(prepared, &url).instrument(span.clone()).await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = response.request_id() {
                    span.record("request_id", id);
                }
                tracing::debug!(parent: &span, "verified");
            }
            Err(error) => {
                if let Some(api) = error.api() {
                    span.record("status", api.status);
                    if let Some(id) = &api.request_id {
                        span.record("request_id", id.as_str());
                    }
                }
                tracing::info!(parent: &span, error = %error, "request failed");
            }
        }
        result
    }

    async fn exchange_and_check(&self, prepared: &Prepared, url: &Url) -> Result<Response> {
        let answer = self.wire.exchange(self.wire_attempt(prepared, url)).await?;
        if !answer.status.is_success() {
            return Err(api_error(answer.status, answer.headers, &answer.body).into());
        }
        let verified_by = match &prepared.check {
            Check::Signature => Some(self.keys.verify(&answer.headers, &answer.body, Asker::Response).await?),
            Check::V2 { signature, download } => return self.v2_answer(answer, *signature, *download),
            check => checks::check_whole(&self.keys, check, &answer.headers, &answer.body).await?,
        };
        Ok(Response::new(answer.status, answer.headers, answer.body, verified_by))
    }

    /// An APIv2 answer: its XML read (`return_code`, `sign`, `result_code`) into a JSON object
    /// of strings; a bill download's file as it came.
    fn v2_answer(&self, answer: RawAnswer, signature: AnswerSignature, download: bool) -> Result<Response> {
        if download && v2::classify_download(&answer.body) != v2::DownloadKind::Xml {
            return Ok(Response::new(answer.status, answer.headers, answer.body, None));
        }
        let (fields, verified_by) = self.read_v2_answer(&answer.body, signature)?;
        let body = serde_json::to_vec(&fields).map_err(Error::decode)?;
        Ok(Response::new(
            answer.status,
            answer.headers,
            Bytes::from(body),
            verified_by,
        ))
    }

    /// An APIv2 answer's XML read and checked (`return_code`, `sign`, `result_code`): its
    /// fields, and what verified it (`None` for an endpoint that answers unsigned).
    pub(crate) fn read_v2_answer(
        &self,
        body: &[u8],
        signature: AnswerSignature,
    ) -> Result<(serde_json::Value, Option<String>)> {
        let key = self.apiv2_key.as_deref().ok_or(ConfigError::MissingApiV2Key)?;
        let (fields, verified_by) = v2::read_verified(body, key, signature)?;
        Ok((
            fields,
            verified_by.map(|sign_type| format!("APIv2 key ({})", sign_type.as_str())),
        ))
    }
}
