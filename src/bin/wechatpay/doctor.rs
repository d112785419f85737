//! `wechatpay doctor`: checks a configuration, one line per check, in plain words. Each
//! check is a small function that applies the library's own rule and says what it found.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use wechatpay::auth::PlatformKeys;
use wechatpay::auth::signing::{check_mchid, check_serial};
use wechatpay::error::ConfigError;
use wechatpay::protocol::MAX_SKEW_SECONDS;
use wechatpay::{Certificate, Error};
use zeroize::Zeroizing;

use crate::config::{Config, ConfigArgs, Setting};
use crate::exit::{self, Failure};
use crate::output::{format_unix, now};

/// Shown after `wechatpay doctor --help`.
pub const HELP: &str = "\
Checks: the merchant id and serial, the private key (readable, size) and, with the merchant
certificate (--merchant-certificate, WECHATPAY_MERCHANT_CERTIFICATE or merchant_certificate),
its validity and that the key and serial belong to it; the APIv3 and APIv2 key lengths (the
keys are never shown); the CA certificate; the platform public key and its PUB_KEY_ID; each
platform certificate's validity; the base URL; and the clock against the server's Date
header (skip with --offline).
Each line reads ok, warn, skip or FAIL; the exit code is 1 when any check FAILs.

Example:
  wechatpay doctor --merchant-certificate apiclient_cert.pem";

#[derive(Args)]
pub struct DoctorArgs {
    /// Skip the checks that need the network (the clock against the server)
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Certificates expiring sooner than this get a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;
/// A clock further off than this gets a warning.
const SKEW_WARNING_SECONDS: i64 = 60;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Skip,
    Fail,
}

/// The lines printed so far, and whether any FAILed.
struct Report {
    failed: bool,
}

impl Report {
    fn line(&mut self, level: Level, what: &str, detail: impl AsRef<str>) {
        let label = match level {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Skip => "skip",
            Level::Fail => {
                self.failed = true;
                "FAIL"
            }
        };
        out!("{label:<4}  {what}: {}", detail.as_ref());
    }
}

pub async fn run(config: &Config, args: DoctorArgs) -> Result<u8, Failure> {
    let mut r = Report { failed: false };
    if let Some((name, file)) = &config.profile {
        r.line(Level::Ok, "profile", format!("[{name}] from {}", file.display()));
    }
    merchant_id(&mut r, config);
    merchant_serial(&mut r, config);
    let private_key = private_key(&mut r, config);
    match &config.merchant_certificate {
        None => r.line(
            Level::Skip,
            "merchant certificate",
            "not set: give it (--merchant-certificate apiclient_cert.pem, WECHATPAY_MERCHANT_CERTIFICATE or \
             merchant_certificate in a profile) to check the key and serial against it; the APIv2 operations \
             that need a client certificate (refunds) need it",
        ),
        Some(setting) => merchant_certificate(&mut r, config, setting, private_key.as_deref().map(String::as_str)),
    }
    apiv3_key(&mut r, config);
    apiv2_key(&mut r, config);
    ca_certificate(&mut r, config);
    public_key(&mut r, config);
    if let Some(dir) = &config.certificates {
        certificates(&mut r, &dir.value);
    }
    platform_keys_present(&mut r, config);
    if base_url(&mut r, config) {
        if args.offline {
            r.line(Level::Skip, "clock", "not checked (--offline)");
        } else {
            clock(&mut r, config).await;
        }
    }
    if r.failed {
        note!("some checks FAILed: fix them before sending requests");
        Ok(exit::FAILURE)
    } else {
        Ok(exit::OK)
    }
}

fn from<T>(setting: &Setting<T>) -> String {
    format!("(from {})", setting.source)
}

/// Days from now until `when`, rounded down.
fn days_until(when: i64) -> i64 {
    (when - now()).div_euclid(86_400)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn bits(pem: &str) -> String {
    wechatpay::crypto::key_bits(pem).map_or("RSA".to_owned(), |b| format!("RSA {b} bits"))
}

fn merchant_id(r: &mut Report, config: &Config) {
    match &config.mchid {
        None => r.line(
            Level::Fail,
            "merchant id",
            "not set (--mchid, WECHATPAY_MCHID or mchid in a profile)",
        ),
        Some(s) if check_mchid(&s.value).is_err() => r.line(
            Level::Fail,
            "merchant id",
            format!("{:?} {} is not decimal digits", s.value, from(s)),
        ),
        Some(s) => r.line(Level::Ok, "merchant id", format!("{} {}", s.value, from(s))),
    }
}

fn merchant_serial(r: &mut Report, config: &Config) {
    match &config.merchant_serial {
        None if config.merchant_certificate.is_some() => r.line(
            Level::Ok,
            "merchant serial",
            "not set: taken from the merchant certificate",
        ),
        None => r.line(
            Level::Fail,
            "merchant serial",
            "not set (--merchant-serial, WECHATPAY_MERCHANT_SERIAL or merchant_serial in a profile; or the merchant \
             certificate, which holds it)",
        ),
        Some(s) if check_serial(&s.value).is_err() => r.line(
            Level::Fail,
            "merchant serial",
            format!(
                "{:?} {} is not hex: copy it from the merchant certificate",
                s.value,
                from(s)
            ),
        ),
        Some(s) if s.value.len() != 40 => r.line(
            Level::Warn,
            "merchant serial",
            format!(
                "{} {} has {} hex digits; merchant certificate serials have 40",
                s.value,
                from(s),
                s.value.len()
            ),
        ),
        Some(s) => r.line(Level::Ok, "merchant serial", format!("{} {}", s.value, from(s))),
    }
}

/// Reads, parses and measures the private key; returns its PEM when it is usable.
fn private_key(r: &mut Report, config: &Config) -> Option<Zeroizing<String>> {
    const WHAT: &str = "merchant private key";
    let Some(s) = &config.private_key else {
        r.line(
            Level::Fail,
            WHAT,
            "not set (--private-key FILE, WECHATPAY_PRIVATE_KEY or private_key in a profile)",
        );
        return None;
    };
    let pem = match read(&s.value) {
        Ok(pem) => Zeroizing::new(pem),
        Err(e) => {
            r.line(Level::Fail, WHAT, format!("{e} {}", from(s)));
            return None;
        }
    };
    match wechatpay::Client::builder().private_key_pem(&pem) {
        Err(e) => {
            r.line(
                Level::Fail,
                WHAT,
                format!("{}: {}", s.value.display(), exit::describe(&e)),
            );
            None
        }
        Ok(_) => {
            r.line(
                Level::Ok,
                WHAT,
                format!("{}, {} {}", s.value.display(), bits(&pem), from(s)),
            );
            Some(pem)
        }
    }
}

/// Validity of a certificate, as a level and words.
fn validity(cert: &Certificate) -> (Level, String) {
    let t = now();
    let range = format!(
        "valid {} to {}",
        format_unix(cert.not_before()),
        format_unix(cert.not_after())
    );
    if t < cert.not_before() {
        (Level::Fail, format!("{range}: not valid yet (check the clock)"))
    } else if t > cert.not_after() {
        (Level::Fail, format!("{range}: EXPIRED"))
    } else if days_until(cert.not_after()) < EXPIRY_WARNING_DAYS {
        (
            Level::Warn,
            format!("{range}: expires in {} days", days_until(cert.not_after())),
        )
    } else {
        (
            Level::Ok,
            format!("{range} ({} days left)", days_until(cert.not_after())),
        )
    }
}

/// The merchant certificate's validity, and that the configured serial and private key
/// belong to it.
fn merchant_certificate(r: &mut Report, config: &Config, setting: &Setting<PathBuf>, private_key: Option<&str>) {
    const WHAT: &str = "merchant certificate";
    let path = &setting.value;
    let loaded = read(path).and_then(|pem| {
        Certificate::from_pem(&pem)
            .map(|c| (pem, c))
            .map_err(|e| format!("{}: {}", path.display(), exit::describe(&e)))
    });
    let (pem, cert) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return r.line(Level::Fail, WHAT, format!("{e} {}", from(setting))),
    };
    let (level, words) = validity(&cert);
    r.line(
        level,
        WHAT,
        format!(
            "{}, serial {}, {words}, RSA {} bits {}",
            path.display(),
            cert.serial(),
            cert.key_bits(),
            from(setting)
        ),
    );
    if let Some(s) = &config.merchant_serial {
        serial_matches_certificate(r, s, &cert);
    }
    if let Some(key) = private_key {
        key_matches_certificate(r, path, &pem, &cert, key);
    }
}

/// The serial by the rule the client builder applies (`Certificate::has_serial`): it
/// refuses a merchant serial that is not the certificate's.
fn serial_matches_certificate(r: &mut Report, serial: &Setting<String>, cert: &Certificate) {
    const WHAT: &str = "merchant serial matches the certificate";
    if check_serial(&serial.value).is_err() {
        return r.line(Level::Skip, WHAT, "the configured serial is not hex");
    }
    match cert.has_serial(&serial.value) {
        true => r.line(Level::Ok, WHAT, cert.serial()),
        false => r.line(
            Level::Fail,
            WHAT,
            format!(
                "the configured serial {} {} is not the certificate's {}: the platform would answer SIGN_ERROR; \
                 leave the serial out to take the certificate's",
                serial.value,
                from(serial),
                cert.serial()
            ),
        ),
    }
}

/// The library checks that the key belongs to the certificate when a client is built.
fn key_matches_certificate(r: &mut Report, path: &Path, pem: &str, cert: &Certificate, key: &str) {
    const WHAT: &str = "private key matches the certificate";
    let signer = wechatpay::Client::builder()
        .mchid("1")
        .merchant_certificate(pem)
        .and_then(|b| b.private_key_pem(key))
        .and_then(|b| b.signer());
    match signer {
        Ok(_) => r.line(
            Level::Ok,
            WHAT,
            format!("the key belongs to certificate {}", cert.serial()),
        ),
        Err(Error::Config(ConfigError::Key {
            what: "merchant private key",
            ..
        })) => r.line(
            Level::Fail,
            WHAT,
            format!(
                "the private key does NOT belong to the merchant certificate {} ({}): every request would be \
                 refused with SIGN_ERROR; use the apiclient_key.pem issued with this certificate",
                cert.serial(),
                path.display()
            ),
        ),
        Err(e) => r.line(Level::Fail, WHAT, exit::describe(&e)),
    }
}

/// The APIv3 key's length (never prompted for here).
fn apiv3_key(r: &mut Report, config: &Config) {
    match config.apiv3_key(false) {
        Err(e) => r.line(Level::Fail, "APIv3 key", e.message),
        Ok(None) => r.line(
            Level::Warn,
            "APIv3 key",
            "not set: callbacks (notify parse) and certificate downloads need it (WECHATPAY_APIV3_KEY or \
             --apiv3-key-file)",
        ),
        Ok(Some(key)) => match key.key.len() == wechatpay::crypto::aes_gcm::KEY_LEN {
            false => r.line(
                Level::Fail,
                "APIv3 key",
                format!(
                    "{} bytes (from {}); it must be exactly 32: the key set in the merchant portal, not the APIv2 key",
                    key.key.len(),
                    key.source
                ),
            ),
            true => r.line(Level::Ok, "APIv3 key", format!("32 bytes (from {})", key.source)),
        },
    }
}

/// The APIv2 key, by the library's rule (32 printable ASCII characters); never shown.
fn apiv2_key(r: &mut Report, config: &Config) {
    const WHAT: &str = "APIv2 key";
    match config.apiv2_key() {
        Err(e) => r.line(Level::Fail, WHAT, e.message),
        Ok(None) => r.line(
            Level::Skip,
            WHAT,
            "not set: only v2/... requests and v2 callbacks need it (--apiv2-key-file FILE, WECHATPAY_APIV2_KEY or \
             apiv2_key_file in a profile)",
        ),
        Ok(Some(key)) => match wechatpay::protocol::v2::ApiV2Key::new(&key.key) {
            Ok(_) => r.line(
                Level::Ok,
                WHAT,
                format!("{} characters (from {})", key.key.chars().count(), key.source),
            ),
            Err(e) => r.line(
                Level::Fail,
                WHAT,
                format!(
                    "{} (from {}): the key set in the merchant portal's APIv2 settings",
                    exit::describe(&e),
                    key.source
                ),
            ),
        },
    }
}

/// The extra trusted CA certificate, by the rule the client builder applies.
fn ca_certificate(r: &mut Report, config: &Config) {
    const WHAT: &str = "CA certificate";
    let Some(setting) = &config.ca_certificate else {
        return;
    };
    let checked = read(&setting.value).and_then(|pem| {
        wechatpay::Client::builder()
            .add_root_certificate(&pem)
            .map_err(|e| format!("{}: {}", setting.value.display(), exit::describe(&e)))
    });
    match checked {
        Ok(_) => r.line(
            Level::Ok,
            WHAT,
            format!(
                "{}, trusted besides the system's {}",
                setting.value.display(),
                from(setting)
            ),
        ),
        Err(e) => r.line(Level::Fail, WHAT, format!("{e} {}", from(setting))),
    }
}

/// The platform public key and its id, by the rules the client builder applies.
fn public_key(r: &mut Report, config: &Config) {
    let (id, file) = match (&config.public_key_id, &config.public_key) {
        (None, None) => return,
        (Some(id), None) => {
            return r.line(
                Level::Fail,
                "platform public key",
                format!(
                    "the id {} {} is set but not the key file (WECHATPAY_PUBLIC_KEY)",
                    id.value,
                    from(id)
                ),
            );
        }
        (None, Some(file)) => {
            return r.line(
                Level::Fail,
                "platform public key",
                format!(
                    "the key file {} {} is set but not its id (WECHATPAY_PUBLIC_KEY_ID)",
                    file.value.display(),
                    from(file)
                ),
            );
        }
        (Some(id), Some(file)) => (id, file),
    };
    let pem = match read(&file.value) {
        Ok(pem) => pem,
        Err(e) => return r.line(Level::Fail, "platform public key", e),
    };
    match PlatformKeys::default().add_public_key(&id.value, &pem) {
        Err(Error::Config(ConfigError::Invalid(message))) => r.line(
            Level::Fail,
            "PUB_KEY_ID",
            format!("{:?} {}: {message}", id.value, from(id)),
        ),
        Err(e) => r.line(
            Level::Fail,
            "platform public key",
            format!("{}: {}", file.value.display(), exit::describe(&e)),
        ),
        Ok(()) => {
            let digits = id.value.trim_start_matches(wechatpay::auth::PUBLIC_KEY_ID_PREFIX);
            if digits.bytes().all(|b| b.is_ascii_digit()) {
                r.line(Level::Ok, "PUB_KEY_ID", format!("{} {}", id.value, from(id)));
            } else {
                r.line(
                    Level::Warn,
                    "PUB_KEY_ID",
                    format!(
                        "{} {}: ids issued so far are PUB_KEY_ID_ and digits",
                        id.value,
                        from(id)
                    ),
                );
            }
            r.line(
                Level::Ok,
                "platform public key",
                format!("{}, {} {}", file.value.display(), bits(&pem), from(file)),
            );
        }
    }
}

/// Each platform certificate of the folder: readable, and valid now.
fn certificates(r: &mut Report, dir: &Path) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return r.line(
                Level::Fail,
                "platform certificates",
                format!("cannot read the folder {}: {e}", dir.display()),
            );
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return r.line(
            Level::Fail,
            "platform certificates",
            format!(
                "no .pem file in {} (wechatpay certificates download --output DIR)",
                dir.display()
            ),
        );
    }
    for path in paths {
        let what = format!(
            "platform certificate {}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        match read(&path).and_then(|pem| Certificate::from_pem(&pem).map_err(|e| exit::describe(&e))) {
            Err(e) => r.line(Level::Fail, &what, e),
            Ok(cert) => {
                let (level, words) = validity(&cert);
                r.line(level, &what, format!("serial {}, {words}", cert.serial()));
            }
        }
    }
}

/// Some way to verify answers: a platform key, or the APIv3 key to download certificates.
fn platform_keys_present(r: &mut Report, config: &Config) {
    if config.has_platform_keys() {
        return;
    }
    if matches!(config.apiv3_key(false), Ok(Some(_))) {
        r.line(
            Level::Warn,
            "platform keys",
            "none configured: the certificates will be downloaded with the APIv3 key at each run; configure \
             WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY (or WECHATPAY_CERTIFICATES)",
        );
    } else {
        r.line(
            Level::Fail,
            "platform keys",
            "none configured and no APIv3 key to download them: answers cannot be verified; set \
             WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY, or WECHATPAY_CERTIFICATES",
        );
    }
}

/// The base URL, by the builder's rule; warns on plain http to a remote host. Returns
/// whether it is usable.
fn base_url(r: &mut Report, config: &Config) -> bool {
    let base_url = config.base_url();
    let source = config.base_url.as_ref().map_or("(the default)".to_owned(), from);
    if let Err(e) = wechatpay::Client::builder().base_url(base_url) {
        r.line(
            Level::Fail,
            "base URL",
            format!("{base_url} {source}: {}", exit::describe(&e)),
        );
        return false;
    }
    let url = url::Url::parse(base_url).ok();
    let loopback = url
        .as_ref()
        .and_then(|u| u.host_str())
        .is_some_and(|h| h == "localhost" || h.starts_with("127.") || h == "[::1]");
    if url.as_ref().is_some_and(|u| u.scheme() == "http") && !loopback {
        r.line(
            Level::Warn,
            "base URL",
            format!("{base_url} {source} is plain http to a remote host: use https"),
        );
    } else {
        r.line(Level::Ok, "base URL", format!("{base_url} {source}"));
    }
    true
}

/// Compares the local clock with the server's `Date` header (a plain GET, any status, the
/// configured CA certificate trusted) against the platform's replay window.
async fn clock(r: &mut Report, config: &Config) {
    let base_url = config.base_url();
    let mut http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10));
    let roots = config
        .ca_certificate
        .as_ref()
        .and_then(|ca| std::fs::read(&ca.value).ok())
        .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .unwrap_or_default();
    for root in roots {
        http = http.add_root_certificate(root);
    }
    let http = match http.build() {
        Ok(http) => http,
        Err(e) => return r.line(Level::Fail, "clock", format!("cannot build an HTTP client: {e}")),
    };
    let before = now();
    let response = match http.get(base_url).send().await {
        Ok(response) => response,
        Err(e) => {
            return r.line(
                Level::Fail,
                "server reachable",
                format!("GET {base_url}: {}", exit::describe(&e)),
            );
        }
    };
    let after = now();
    let date = response
        .headers()
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let Some(date) = date else {
        return r.line(
            Level::Warn,
            "clock",
            format!("{base_url} sent no Date header: the clock was not checked"),
        );
    };
    let server = date
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // The Date header has one-second resolution: take the local time halfway.
    let skew = (before + after) / 2 - server;
    let words = match skew {
        0 => "the local clock agrees with the server".to_owned(),
        s if s > 0 => format!("the local clock is {s} s ahead of the server"),
        s => format!("the local clock is {} s behind the server", -s),
    };
    if skew.abs() > MAX_SKEW_SECONDS {
        r.line(
            Level::Fail,
            "clock",
            format!("{words}: beyond the {MAX_SKEW_SECONDS} s the platform allows; fix the system clock (NTP)"),
        );
    } else if skew.abs() > SKEW_WARNING_SECONDS {
        r.line(
            Level::Warn,
            "clock",
            format!("{words}: close to the {MAX_SKEW_SECONDS} s limit"),
        );
    } else {
        r.line(Level::Ok, "clock", words);
    }
}
