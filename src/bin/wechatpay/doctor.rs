//! `wechatpay doctor`: checks a configuration, one line per check, in plain words.

use std::path::Path;
use std::time::Duration;

use wechatpay::{Certificate, Error};

use crate::config::{Config, Setting};
use crate::exit;
use crate::exit::Failure;
use crate::util::{certificate_key_bits, format_unix, now, pem_key_bits};

/// Certificates expiring sooner than this get a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;
/// The platform refuses signatures further than this from its clock.
const MAX_SKEW_SECONDS: i64 = 300;
/// A clock further off than this gets a warning.
const SKEW_WARNING_SECONDS: i64 = 60;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Skip,
    Fail,
}

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
        println!("{label:<4}  {what}: {}", detail.as_ref());
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

pub async fn run(config: &Config, merchant_certificate: Option<&Path>, offline: bool) -> Result<u8, Failure> {
    let mut r = Report { failed: false };
    if let Some((name, file)) = &config.profile {
        r.line(Level::Ok, "profile", format!("[{name}] from {}", file.display()));
    }

    // The merchant id.
    match &config.mchid {
        None => r.line(
            Level::Fail,
            "merchant id",
            "not set (--mchid, WECHATPAY_MCHID or mchid in a profile)",
        ),
        Some(s) if s.value.is_empty() || !s.value.bytes().all(|b| b.is_ascii_digit()) => r.line(
            Level::Fail,
            "merchant id",
            format!("{:?} {} is not decimal digits", s.value, from(s)),
        ),
        Some(s) => r.line(Level::Ok, "merchant id", format!("{} {}", s.value, from(s))),
    }

    // The merchant serial.
    match &config.merchant_serial {
        None => r.line(
            Level::Fail,
            "merchant serial",
            "not set (--merchant-serial, WECHATPAY_MERCHANT_SERIAL or merchant_serial in a profile)",
        ),
        Some(s) if s.value.is_empty() || !s.value.bytes().all(|b| b.is_ascii_hexdigit()) => r.line(
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

    // The private key: readable, parses, big enough.
    let private_key_pem = match &config.private_key {
        None => {
            r.line(
                Level::Fail,
                "merchant private key",
                "not set (--private-key FILE, WECHATPAY_PRIVATE_KEY or private_key in a profile)",
            );
            None
        }
        Some(s) => match read(&s.value) {
            Err(e) => {
                r.line(Level::Fail, "merchant private key", format!("{e} {}", from(s)));
                None
            }
            Ok(pem) => match wechatpay::Client::builder().private_key_pem(&pem) {
                Err(e) => {
                    r.line(
                        Level::Fail,
                        "merchant private key",
                        format!("{}: {}", s.value.display(), exit::describe(&e)),
                    );
                    None
                }
                Ok(_) => {
                    let bits = pem_key_bits(&pem).map_or("RSA".to_owned(), |b| format!("RSA {b} bits"));
                    r.line(
                        Level::Ok,
                        "merchant private key",
                        format!("{}, {bits} {}", s.value.display(), from(s)),
                    );
                    Some(zeroize::Zeroizing::new(pem))
                }
            },
        },
    };

    // The merchant certificate: validity, serial, and the key belonging to it.
    match merchant_certificate {
        None => r.line(
            Level::Skip,
            "merchant certificate",
            "not checked: give --merchant-certificate apiclient_cert.pem to check the key and serial against it",
        ),
        Some(path) => {
            match read(path).and_then(|pem| {
                Certificate::from_pem(&pem)
                    .map(|c| (pem, c))
                    .map_err(|e| format!("{}: {}", path.display(), exit::describe(&e)))
            }) {
                Err(e) => r.line(Level::Fail, "merchant certificate", e),
                Ok((pem, cert)) => {
                    let (level, words) = validity(&cert);
                    let bits = certificate_key_bits(&pem).map_or(String::new(), |b| format!(", RSA {b} bits"));
                    r.line(
                        level,
                        "merchant certificate",
                        format!("serial {}, {words}{bits}", cert.serial()),
                    );
                    if let Some(s) = &config.merchant_serial {
                        let configured = s.value.trim_start_matches('0').to_ascii_uppercase();
                        if configured == cert.serial() {
                            r.line(Level::Ok, "merchant serial matches the certificate", cert.serial());
                        } else {
                            r.line(
                            Level::Fail,
                            "merchant serial matches the certificate",
                            format!(
                                "the configured serial {} {} is not the certificate's {}: the platform would answer \
                                 SIGN_ERROR",
                                s.value,
                                from(s),
                                cert.serial()
                            ),
                        );
                        }
                    }
                    if let Some(key) = &private_key_pem {
                        // The library checks that the key belongs to the certificate at build().
                        let built = wechatpay::Client::builder()
                            .mchid("1")
                            .merchant_certificate(&pem)
                            .and_then(|b| b.private_key_pem(key))
                            .map(|b| b.apiv3_key([b'0'; 32]))
                            .and_then(|b| b.build());
                        match built {
                        Ok(_) => r.line(
                            Level::Ok,
                            "private key matches the certificate",
                            format!("the key belongs to certificate {}", cert.serial()),
                        ),
                        Err(Error::Key { what: "merchant private key", .. }) => r.line(
                            Level::Fail,
                            "private key matches the certificate",
                            format!(
                                "the private key does NOT belong to the merchant certificate {} ({}): every request \
                                 would be refused with SIGN_ERROR; use the apiclient_key.pem issued with this \
                                 certificate",
                                cert.serial(),
                                path.display()
                            ),
                        ),
                        Err(e) => r.line(Level::Fail, "private key matches the certificate", exit::describe(&e)),
                    }
                    }
                }
            }
        }
    }

    // The APIv3 key (never prompted for here).
    match config.apiv3_key(false) {
        Err(e) => r.line(Level::Fail, "APIv3 key", e.message),
        Ok(None) => r.line(
            Level::Warn,
            "APIv3 key",
            "not set: callbacks (notify parse) and certificate downloads need it (WECHATPAY_APIV3_KEY or \
             --apiv3-key-file)",
        ),
        Ok(Some(key)) if key.key.len() != 32 => r.line(
            Level::Fail,
            "APIv3 key",
            format!(
                "{} bytes (from {}); it must be exactly 32: the key set in the merchant portal, not the APIv2 key",
                key.key.len(),
                key.source
            ),
        ),
        Ok(Some(key)) => r.line(Level::Ok, "APIv3 key", format!("32 bytes (from {})", key.source)),
    }

    // The platform public key and its id.
    match (&config.public_key_id, &config.public_key) {
        (None, None) => {}
        (Some(id), None) => r.line(
            Level::Fail,
            "platform public key",
            format!(
                "the id {} {} is set but not the key file (WECHATPAY_PUBLIC_KEY)",
                id.value,
                from(id)
            ),
        ),
        (None, Some(file)) => r.line(
            Level::Fail,
            "platform public key",
            format!(
                "the key file {} {} is set but not its id (WECHATPAY_PUBLIC_KEY_ID)",
                file.value.display(),
                from(file)
            ),
        ),
        (Some(id), Some(file)) => {
            let digits = id.value.strip_prefix("PUB_KEY_ID_").unwrap_or("");
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
                r.line(
                    Level::Fail,
                    "PUB_KEY_ID",
                    format!(
                        "{:?} {} is not a platform public key id: it looks like PUB_KEY_ID_0114232134912410000000000000",
                        id.value,
                        from(id)
                    ),
                );
            } else if !digits.bytes().all(|b| b.is_ascii_digit()) {
                r.line(
                    Level::Warn,
                    "PUB_KEY_ID",
                    format!(
                        "{} {}: ids issued so far are PUB_KEY_ID_ and digits",
                        id.value,
                        from(id)
                    ),
                );
            } else {
                r.line(Level::Ok, "PUB_KEY_ID", format!("{} {}", id.value, from(id)));
            }
            match read(&file.value) {
                Err(e) => r.line(Level::Fail, "platform public key", e),
                Ok(pem) => {
                    let mut keys = wechatpay::auth::PlatformKeys::default();
                    // A well-formed placeholder id: the id itself is checked above.
                    match keys.add_public_key("PUB_KEY_ID_0", &pem) {
                        Err(e) => r.line(
                            Level::Fail,
                            "platform public key",
                            format!("{}: {}", file.value.display(), exit::describe(&e)),
                        ),
                        Ok(()) => {
                            let bits = pem_key_bits(&pem).map_or("RSA".to_owned(), |b| format!("RSA {b} bits"));
                            r.line(
                                Level::Ok,
                                "platform public key",
                                format!("{}, {bits} {}", file.value.display(), from(file)),
                            );
                        }
                    }
                }
            }
        }
    }

    // The platform certificates.
    if let Some(dir) = &config.certificates {
        check_certificates(&mut r, &dir.value);
    }
    if !config.has_platform_keys() {
        let has_apiv3 = matches!(config.apiv3_key(false), Ok(Some(_)));
        if has_apiv3 {
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

    // The base URL and the clock.
    let base_url = config.base_url();
    let source = config.base_url.as_ref().map_or("(the default)".to_owned(), from);
    match wechatpay::Client::builder().base_url(base_url) {
        Err(e) => r.line(
            Level::Fail,
            "base URL",
            format!("{base_url} {source}: {}", exit::describe(&e)),
        ),
        Ok(_) => {
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
            if offline {
                r.line(Level::Skip, "clock", "not checked (--offline)");
            } else {
                check_clock(&mut r, base_url).await;
            }
        }
    }

    if r.failed {
        eprintln!("some checks FAILed: fix them before sending requests");
        Ok(exit::FAILURE)
    } else {
        Ok(exit::OK)
    }
}

fn check_certificates(r: &mut Report, dir: &Path) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            r.line(
                Level::Fail,
                "platform certificates",
                format!("cannot read the folder {}: {e}", dir.display()),
            );
            return;
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        r.line(
            Level::Fail,
            "platform certificates",
            format!(
                "no .pem file in {} (wechatpay certificates download --output DIR)",
                dir.display()
            ),
        );
        return;
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

/// Compares the local clock with the server's `Date` header (a plain GET, any status).
async fn check_clock(r: &mut Report, base_url: &str) {
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            r.line(Level::Fail, "clock", format!("cannot build an HTTP client: {e}"));
            return;
        }
    };
    let before = now();
    let response = match http.get(base_url).send().await {
        Ok(response) => response,
        Err(e) => {
            r.line(
                Level::Fail,
                "server reachable",
                format!("GET {base_url}: {}", exit::describe(&e)),
            );
            return;
        }
    };
    let after = now();
    let date = response
        .headers()
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let Some(date) = date else {
        r.line(
            Level::Warn,
            "clock",
            format!("{base_url} sent no Date header: the clock was not checked"),
        );
        return;
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
