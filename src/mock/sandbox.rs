//! Running the mock as a standalone sandbox (what `wechatpay mock serve` does): writing its
//! keys and ids to files other tools and SDKs can read, loading routes from JSON, and
//! following the requests as they arrive.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::{
    APIV2_KEY, APIV3_KEY, MCHID, MERCHANT_SERIAL, MockReply, MockRequest, MockServer, PLATFORM_CERTIFICATE_SERIAL,
    PLATFORM_PUBLIC_KEY_ID, keys,
};
use crate::env as vars;

/// The files [`MockServer::write_keys`] wrote (absolute paths).
#[derive(Debug, Clone)]
pub struct SandboxFiles {
    /// The folder holding them all.
    pub dir: PathBuf,
    /// `apiclient_key.pem`: the merchant API private key (mode 0600).
    pub private_key: PathBuf,
    /// `apiclient_cert.pem`: the merchant API certificate.
    pub merchant_certificate: PathBuf,
    /// `pub_key.pem`: the platform public key.
    pub public_key: PathBuf,
    /// `pub_key_id.txt`: the platform public key's id.
    pub public_key_id: PathBuf,
    /// `certificates/`: a folder holding the platform certificate (`wechatpay_<serial>.pem`).
    pub certificates: PathBuf,
    /// `certificates/wechatpay_<serial>.pem`: the platform certificate.
    pub platform_certificate: PathBuf,
    /// `apiv3_key.txt`: the APIv3 key, 32 characters without a newline (mode 0600).
    pub apiv3_key: PathBuf,
    /// `apiv2_key.txt`: the APIv2 key, 32 characters without a newline (mode 0600).
    pub apiv2_key: PathBuf,
    /// `sandbox_ca.pem`: the test CA that issued the TLS mode's server certificate
    /// ([`keys::SANDBOX_CA`]); written in TLS mode only.
    pub ca_certificate: Option<PathBuf>,
    /// `env.sh`: exports the `WECHATPAY_*` variables pointing at the files above and at the
    /// mock's base URL (mode 0600: it holds the APIv3 and APIv2 keys).
    pub env_sh: PathBuf,
}

/// One route of a routes file: an array of these in JSON, such as
/// `[{"method": "POST", "path": "/v3/parking/reminders/ext-payment", "status": 204}]`.
///
/// `path` is a template (`/v3/pay/transactions/out-trade-no/{out_trade_no}`); `status`
/// defaults to 200; `body` is the JSON answer (none when absent or `null`). In the body's
/// strings, `{name}` is replaced by the value of the path variable `name`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockRoute {
    /// The HTTP method (any case).
    pub method: String,
    /// The path template, with or without the leading `/`.
    pub path: String,
    /// The status to answer (default 200).
    #[serde(default = "default_status")]
    pub status: u16,
    /// The JSON body to answer (default: none).
    #[serde(default)]
    pub body: Value,
}

fn default_status() -> u16 {
    200
}

impl MockRoute {
    /// Parses a JSON array of routes, checking each method and status.
    ///
    /// ```
    /// use wechatpay::mock::MockRoute;
    /// let routes = MockRoute::parse_list(r#"[{"method": "get", "path": "/v3/x/{id}", "body": {"id": "{id}"}}]"#)?;
    /// assert_eq!((routes[0].method.as_str(), routes[0].status), ("GET", 200));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn parse_list(json: &str) -> io::Result<Vec<MockRoute>> {
        let mut routes: Vec<MockRoute> = serde_json::from_str(json).map_err(|e| {
            invalid(format!(
                "routes must be a JSON array of {{method, path, status, body}}: {e}"
            ))
        })?;
        for (i, route) in routes.iter_mut().enumerate() {
            route.method = route.method.to_ascii_uppercase();
            if http::Method::from_bytes(route.method.as_bytes()).is_err() || route.method.is_empty() {
                return Err(invalid(format!("route {i}: {:?} is not an HTTP method", route.method)));
            }
            if !(100..=599).contains(&route.status) {
                return Err(invalid(format!(
                    "route {i}: status {} is not an HTTP status",
                    route.status
                )));
            }
            if route.path.trim_start_matches('/').is_empty() {
                return Err(invalid(format!("route {i}: the path is empty")));
            }
        }
        Ok(routes)
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Replaces `{name}` in every string of `value` with the path variable's value.
fn substitute(value: &Value, params: &std::collections::HashMap<String, String>) -> Value {
    match value {
        Value::String(text) => {
            let mut text = text.clone();
            for (name, param) in params {
                text = text.replace(&format!("{{{name}}}"), param);
            }
            Value::String(text)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, params)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, params))).collect()),
        other => other.clone(),
    }
}

impl MockServer {
    /// Writes the mock's merchant and platform keys and ids into `dir`, with an `env.sh`
    /// exporting the `WECHATPAY_*` variables that point at them and at this mock, so other
    /// SDKs and tools can be pointed at it. These are the fixed test keys of [`keys`]:
    /// public, never for anything real.
    ///
    /// The folder's path must be text without control characters: it is written into
    /// `env.sh` and `profiles.toml`, where a line feed would start a line of its own.
    ///
    /// A missing `dir` is created readable by its owner only (0700 on Unix); an existing one
    /// must be a real folder of this user that others cannot write to, and empty or the
    /// sandbox's own (marked by a `.wechatpay-sandbox` file it writes), or nothing is
    /// written: the files carry the names of a merchant's real ones. Each file goes to a new
    /// temporary name first and is renamed into place, so a symlink planted under a file's
    /// name is replaced, never followed.
    ///
    /// In TLS mode ([`super::MockBuilder::tls`]) it also writes the test CA
    /// (`sandbox_ca.pem`) that clients must trust, exported as `WECHATPAY_CA_CERTIFICATE`.
    ///
    /// ```
    /// let mock = wechatpay::mock::MockServer::start();
    /// let dir = std::env::temp_dir().join(format!("wechatpay-sandbox-doc-{}", std::process::id()));
    /// let files = mock.write_keys(&dir)?;
    /// let env = std::fs::read_to_string(&files.env_sh)?;
    /// assert!(env.contains("WECHATPAY_BASE_URL") && env.contains("WECHATPAY_APIV2_KEY"));
    /// assert_eq!(std::fs::read_to_string(&files.apiv2_key)?, wechatpay::mock::APIV2_KEY);
    /// assert!(files.ca_certificate.is_none()); // not in TLS mode
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_keys(&self, dir: impl AsRef<Path>) -> io::Result<SandboxFiles> {
        files::check_path_text(dir.as_ref())?;
        let dir = files::private_dir(dir.as_ref())?;
        files::check_path_text(&dir)?;
        files::check_sandbox_dir(&dir, keys::MERCHANT_PRIVATE_KEY)?;
        files::write_file(&dir, files::MARKER, MARKER_TEXT.as_bytes(), PUBLIC)?;
        let certificates = files::private_dir(&dir.join("certificates"))?;
        let files = SandboxFiles {
            private_key: dir.join("apiclient_key.pem"),
            merchant_certificate: dir.join("apiclient_cert.pem"),
            public_key: dir.join("pub_key.pem"),
            public_key_id: dir.join("pub_key_id.txt"),
            platform_certificate: certificates.join(format!("wechatpay_{PLATFORM_CERTIFICATE_SERIAL}.pem")),
            certificates,
            apiv3_key: dir.join("apiv3_key.txt"),
            apiv2_key: dir.join("apiv2_key.txt"),
            ca_certificate: self.is_tls().then(|| dir.join("sandbox_ca.pem")),
            env_sh: dir.join("env.sh"),
            dir,
        };
        files.write_in_place(&files.private_key, keys::MERCHANT_PRIVATE_KEY, PRIVATE)?;
        files.write_in_place(&files.merchant_certificate, keys::MERCHANT_CERTIFICATE, PUBLIC)?;
        files.write_in_place(&files.public_key, keys::PLATFORM_PUBLIC_KEY, PUBLIC)?;
        files.write_in_place(&files.public_key_id, PLATFORM_PUBLIC_KEY_ID, PUBLIC)?;
        files.write_in_place(&files.platform_certificate, keys::PLATFORM_CERTIFICATE, PUBLIC)?;
        files.write_in_place(&files.apiv3_key, APIV3_KEY, PRIVATE)?;
        files.write_in_place(&files.apiv2_key, APIV2_KEY, PRIVATE)?;
        if let Some(ca) = &files.ca_certificate {
            files.write_in_place(ca, keys::SANDBOX_CA, PUBLIC)?;
        }
        files.write_in_place(&files.env_sh, &files.env(&self.base_url()), PRIVATE)?;
        Ok(files)
    }

    /// Adds routes (see [`MockRoute`]); a route for the same method and path as an earlier
    /// one replaces it. A method that is not valid HTTP is an error, and no route is added.
    pub fn add_routes(&self, routes: &[MockRoute]) -> io::Result<()> {
        let methods = routes
            .iter()
            .map(|route| {
                http::Method::from_bytes(route.method.to_ascii_uppercase().as_bytes())
                    .map_err(|_| invalid(format!("{:?} is not an HTTP method", route.method)))
            })
            .collect::<io::Result<Vec<_>>>()?;
        for (route, method) in routes.iter().zip(methods) {
            let status = route.status;
            let body = route.body.clone();
            self.route_fn(method, &route.path, move |request| {
                if body.is_null() {
                    MockReply::empty(status)
                } else {
                    MockReply::json(status, &substitute(&body, &request.params))
                }
            });
        }
        Ok(())
    }

    /// Reads a routes file (a JSON array of [`MockRoute`]) and adds its routes; returns how
    /// many there were.
    pub fn load_routes(&self, path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        let routes = MockRoute::parse_list(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        self.add_routes(&routes)?;
        Ok(routes.len())
    }

    /// The requests received after the first `skip` ones, in order: poll it with the
    /// number already seen to follow requests as they arrive. Requests dropped from the log
    /// (see [`MockServer::dropped_requests`]) are not returned.
    pub fn requests_since(&self, skip: usize) -> Vec<MockRequest> {
        let requests = self.state.requests.lock().unwrap_or_else(|e| e.into_inner());
        requests.since(skip as u64)
    }
}

/// The mode of the files that hold secrets (on Unix).
const PRIVATE: u32 = 0o600;
/// The mode of the others.
const PUBLIC: u32 = 0o644;

impl SandboxFiles {
    /// Writes another file into the sandbox folder, as safely as the keys: a new file under a
    /// temporary name (never through a symlink), mode 0600 on Unix, renamed to `name`.
    ///
    /// ```
    /// let mock = wechatpay::mock::MockServer::start();
    /// let dir = tempfile::tempdir()?;
    /// let files = mock.write_keys(dir.path().join("sandbox"))?;
    /// let notes = files.write("notes.txt", "test keys only")?;
    /// assert_eq!(std::fs::read_to_string(notes)?, "test keys only");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write(&self, name: &str, contents: &str) -> io::Result<PathBuf> {
        files::write_file(&self.dir, name, contents.as_bytes(), PRIVATE)
    }

    /// The text of `env.sh`: one `export` per variable, every value single-quoted.
    fn env(&self, base_url: &str) -> String {
        let quote = |path: &Path| shell_quote(&path.to_string_lossy());
        let mut variables = vec![
            (vars::MCHID, shell_quote(MCHID)),
            (vars::MERCHANT_SERIAL, shell_quote(MERCHANT_SERIAL)),
            (vars::PRIVATE_KEY, quote(&self.private_key)),
            (vars::MERCHANT_CERTIFICATE, quote(&self.merchant_certificate)),
            (vars::PUBLIC_KEY_ID, shell_quote(PLATFORM_PUBLIC_KEY_ID)),
            (vars::PUBLIC_KEY, quote(&self.public_key)),
            (vars::CERTIFICATES, quote(&self.certificates)),
            (vars::APIV3_KEY, shell_quote(APIV3_KEY)),
            (vars::APIV2_KEY, shell_quote(APIV2_KEY)),
        ];
        if let Some(ca) = &self.ca_certificate {
            variables.push((vars::CA_CERTIFICATE, quote(ca)));
        }
        variables.push((vars::BASE_URL, shell_quote(base_url)));
        let mut env = format!(
            "# The wechatpay mock sandbox: `. {}` points wechatpay tools and SDKs at it.\n\
             # These are fixed TEST keys, published with the crate: never use them for anything real.\n",
            quote(&self.env_sh)
        );
        for (name, value) in variables {
            env.push_str(&format!("export {name}={value}\n"));
        }
        env
    }

    /// Writes one of the sandbox's own files (`path` is inside its folder).
    fn write_in_place(&self, path: &Path, contents: &str, mode: u32) -> io::Result<()> {
        let dir = path.parent().unwrap_or(&self.dir);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        files::write_file(dir, name, contents.as_bytes(), mode).map(|_| ())
    }
}

/// What the marker file of a sandbox folder says.
const MARKER_TEXT: &str = "This folder holds the wechatpay sandbox's TEST keys (wechatpay mock serve).\n\
                           It may be written again by the sandbox; put no real key here.\n";

/// Single-quotes a value for a POSIX shell.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_checked() {
        assert!(MockRoute::parse_list(r#"[{"method": "POST", "path": "/v3/x", "status": 204}]"#).is_ok());
        for bad in [
            r#"{"method": "POST", "path": "/v3/x"}"#,
            r#"[{"method": "PO ST", "path": "/v3/x"}]"#,
            r#"[{"method": "POST", "path": "/v3/x", "status": 42}]"#,
            r#"[{"method": "POST", "path": "/"}]"#,
            r#"[{"method": "POST", "path": "/v3/x", "stauts": 204}]"#,
        ] {
            assert!(MockRoute::parse_list(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn body_strings_get_path_variables() {
        let params = [("id".to_owned(), "T1".to_owned())].into_iter().collect();
        let body = serde_json::json!({"id": "{id}", "list": ["x-{id}"], "n": 1});
        assert_eq!(
            substitute(&body, &params),
            serde_json::json!({"id": "T1", "list": ["x-T1"], "n": 1})
        );
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }
}
