//! The configuration: each setting from a flag, else the environment, else a profile.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead as _, IsTerminal as _};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;
use wechatpay::{ClientBuilder, env as vars};
use zeroize::Zeroizing;

use crate::exit::Failure;

/// Where the configuration comes from; see the table in `wechatpay --help`. Flattened into
/// each command that uses the merchant configuration (so the others do not list it), and
/// into the top level, where it may also come before the command.
#[derive(Args, Debug, Default, Clone)]
#[command(next_help_heading = "Configuration (flag > environment > profile)")]
pub struct ConfigArgs {
    /// Merchant id (env WECHATPAY_MCHID)
    #[arg(long, value_name = "DIGITS")]
    pub mchid: Option<String>,
    /// Merchant API certificate serial; not needed with --merchant-certificate (env WECHATPAY_MERCHANT_SERIAL)
    #[arg(long, value_name = "HEX")]
    pub merchant_serial: Option<String>,
    /// Merchant API private key PEM file, apiclient_key.pem (env WECHATPAY_PRIVATE_KEY)
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// Merchant API certificate PEM file, apiclient_cert.pem: gives the serial, and the client certificate
    /// some APIv2 operations need (env WECHATPAY_MERCHANT_CERTIFICATE)
    #[arg(long, value_name = "FILE")]
    pub merchant_certificate: Option<PathBuf>,
    /// Platform public key id, PUB_KEY_ID_... (env WECHATPAY_PUBLIC_KEY_ID)
    #[arg(long, value_name = "ID")]
    pub public_key_id: Option<String>,
    /// Platform public key PEM file (env WECHATPAY_PUBLIC_KEY)
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// Folder of platform certificate PEM files (env WECHATPAY_CERTIFICATES)
    #[arg(long, value_name = "DIR")]
    pub certificates: Option<PathBuf>,
    /// File holding the APIv3 key (else env WECHATPAY_APIV3_KEY, else a prompt when needed)
    #[arg(long, value_name = "FILE")]
    pub apiv3_key_file: Option<PathBuf>,
    /// File holding the APIv2 key, for v2/... requests (else env WECHATPAY_APIV2_KEY)
    #[arg(long, value_name = "FILE")]
    pub apiv2_key_file: Option<PathBuf>,
    /// CA certificate PEM file to trust besides the system's, e.g. a sandbox's sandbox_ca.pem
    /// (env WECHATPAY_CA_CERTIFICATE)
    #[arg(long, value_name = "FILE")]
    pub ca_certificate: Option<PathBuf>,
    /// API base URL, default https://api.mch.weixin.qq.com/ (env WECHATPAY_BASE_URL)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Profile to read from the profiles file
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Profiles file (default: <config folder>/wechatpay/profiles.toml)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ConfigArgs {
    /// These flags, each one not given taken from `earlier` (the flags before the command).
    pub fn or(&self, earlier: &ConfigArgs) -> ConfigArgs {
        let ConfigArgs {
            mchid,
            merchant_serial,
            private_key,
            merchant_certificate,
            public_key_id,
            public_key,
            certificates,
            apiv3_key_file,
            apiv2_key_file,
            ca_certificate,
            base_url,
            profile,
            config,
        } = self.clone();
        ConfigArgs {
            mchid: mchid.or_else(|| earlier.mchid.clone()),
            merchant_serial: merchant_serial.or_else(|| earlier.merchant_serial.clone()),
            private_key: private_key.or_else(|| earlier.private_key.clone()),
            merchant_certificate: merchant_certificate.or_else(|| earlier.merchant_certificate.clone()),
            public_key_id: public_key_id.or_else(|| earlier.public_key_id.clone()),
            public_key: public_key.or_else(|| earlier.public_key.clone()),
            certificates: certificates.or_else(|| earlier.certificates.clone()),
            apiv3_key_file: apiv3_key_file.or_else(|| earlier.apiv3_key_file.clone()),
            apiv2_key_file: apiv2_key_file.or_else(|| earlier.apiv2_key_file.clone()),
            ca_certificate: ca_certificate.or_else(|| earlier.ca_certificate.clone()),
            base_url: base_url.or_else(|| earlier.base_url.clone()),
            profile: profile.or_else(|| earlier.profile.clone()),
            config: config.or_else(|| earlier.config.clone()),
        }
    }

    /// Whether no flag was given.
    pub fn is_empty(&self) -> bool {
        let ConfigArgs {
            mchid,
            merchant_serial,
            public_key_id,
            base_url,
            profile,
            private_key,
            merchant_certificate,
            public_key,
            certificates,
            apiv3_key_file,
            apiv2_key_file,
            ca_certificate,
            config,
        } = self;
        [mchid, merchant_serial, public_key_id, base_url, profile]
            .iter()
            .all(|v| v.is_none())
            && [
                private_key,
                merchant_certificate,
                public_key,
                certificates,
                apiv3_key_file,
                apiv2_key_file,
                ca_certificate,
                config,
            ]
            .iter()
            .all(|v| v.is_none())
    }
}

/// Where a setting came from.
#[derive(Debug, Clone)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    Profile(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "--{flag}"),
            Source::Env(name) => write!(f, "{name}"),
            Source::Profile(profile) => write!(f, "profile {profile}"),
        }
    }
}

/// A setting's value and its source.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// A profile: a table of the profiles file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key: Option<PathBuf>,
    merchant_certificate: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key: Option<PathBuf>,
    certificates: Option<PathBuf>,
    apiv3_key_file: Option<PathBuf>,
    apiv2_key_file: Option<PathBuf>,
    ca_certificate: Option<PathBuf>,
    base_url: Option<String>,
}

/// The resolved configuration. Nothing is checked here beyond presence; the library
/// checks the rest when the client is built.
#[derive(Debug, Clone)]
pub struct Config {
    pub mchid: Option<Setting<String>>,
    pub merchant_serial: Option<Setting<String>>,
    pub private_key: Option<Setting<PathBuf>>,
    pub merchant_certificate: Option<Setting<PathBuf>>,
    pub public_key_id: Option<Setting<String>>,
    pub public_key: Option<Setting<PathBuf>>,
    pub certificates: Option<Setting<PathBuf>>,
    /// The APIv3 key file of the flag or the profile (the environment holds the key itself).
    pub apiv3_key_file: Option<Setting<PathBuf>>,
    /// The APIv2 key file of the flag or the profile (the environment holds the key itself).
    pub apiv2_key_file: Option<Setting<PathBuf>>,
    pub ca_certificate: Option<Setting<PathBuf>>,
    pub base_url: Option<Setting<String>>,
    /// The profile read, and the file it came from.
    pub profile: Option<(String, PathBuf)>,
}

/// An APIv3 or APIv2 key and where it came from.
pub struct SecretKey {
    pub key: Zeroizing<String>,
    pub source: String,
}

/// A setting from the environment, by the library's rule (unset or empty: not set).
fn env(name: &'static str) -> Option<Setting<String>> {
    vars::var(name).map(|value| Setting {
        value,
        source: Source::Env(name),
    })
}

fn flag<T: Clone>(value: &Option<T>, name: &'static str) -> Option<Setting<T>> {
    value.as_ref().map(|v| Setting {
        value: v.clone(),
        source: Source::Flag(name),
    })
}

fn from_profile<T>(value: Option<T>, profile: &str) -> Option<Setting<T>> {
    value.map(|value| Setting {
        value,
        source: Source::Profile(profile.to_owned()),
    })
}

fn path(setting: Setting<String>) -> Setting<PathBuf> {
    Setting {
        value: PathBuf::from(setting.value),
        source: setting.source,
    }
}

/// The default profiles file: `$XDG_CONFIG_HOME/wechatpay/profiles.toml`, else
/// `~/.config/wechatpay/profiles.toml` (`%APPDATA%\wechatpay\profiles.toml` on Windows).
pub fn default_profiles_file() -> Option<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("wechatpay").join("profiles.toml"));
    }
    #[cfg(windows)]
    if let Some(appdata) = std::env::var_os("APPDATA") {
        return Some(PathBuf::from(appdata).join("wechatpay").join("profiles.toml"));
    }
    std::env::var_os("HOME").map(|home| {
        PathBuf::from(home)
            .join(".config")
            .join("wechatpay")
            .join("profiles.toml")
    })
}

/// A TOML error as its position (line and column, when known) and message, without the
/// snippet of the file that toml's own text quotes: the line may hold a secret written
/// where it does not belong (`apiv3_key = ...`).
fn toml_error_without_text(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_owned(),
    }
}

/// Reads the chosen profile: `--profile NAME` (which must exist), else `[default]` when
/// the file has one.
fn load_profile(args: &ConfigArgs) -> Result<Option<(String, PathBuf, Profile)>, Failure> {
    let file = match (&args.config, default_profiles_file()) {
        (Some(file), _) => file.clone(),
        (None, Some(file)) => file,
        (None, None) => {
            return match &args.profile {
                Some(_) => Err(Failure::config(
                    "no profiles file: HOME and XDG_CONFIG_HOME are not set; give --config FILE",
                )),
                None => Ok(None),
            };
        }
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.config.is_none() && args.profile.is_none() => {
            return Ok(None);
        }
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read the profiles file {}: {e}",
                file.display()
            )));
        }
    };
    let bad = |why: String| Failure::config(format!("profiles file {}: {why}", file.display()));
    let mut tables: BTreeMap<String, toml::Value> =
        toml::from_str(&text).map_err(|e| bad(toml_error_without_text(&e, &text)))?;
    let name = match &args.profile {
        Some(name) => name.clone(),
        None if tables.contains_key("default") => "default".to_owned(),
        None => return Ok(None),
    };
    let Some(table) = tables.remove(&name) else {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        return Err(bad(format!("no profile [{name}] (profiles: {})", known.join(", "))));
    };
    for (secret, variable) in [("apiv3_key", vars::APIV3_KEY), ("apiv2_key", vars::APIV2_KEY)] {
        if table.get(secret).is_some() {
            return Err(bad(format!(
                "profile [{name}] holds {secret}: profiles never hold secrets; put the key in a file \
                 ({secret}_file = \"...\", mode 0600) or in {variable}"
            )));
        }
    }
    let mut profile: Profile = table
        .try_into()
        .map_err(|e: toml::de::Error| bad(format!("[{name}]: {}", toml_error_without_text(&e, &text))))?;
    // Relative paths are relative to the profiles file.
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    for slot in [
        &mut profile.private_key,
        &mut profile.merchant_certificate,
        &mut profile.public_key,
        &mut profile.certificates,
        &mut profile.apiv3_key_file,
        &mut profile.apiv2_key_file,
        &mut profile.ca_certificate,
    ] {
        if let Some(p) = slot.as_mut()
            && p.is_relative()
        {
            *p = base.join(&*p);
        }
    }
    Ok(Some((name, file, profile)))
}

impl Config {
    /// Flags, then the environment, then the profile, setting by setting.
    pub fn resolve(args: &ConfigArgs) -> Result<Config, Failure> {
        let loaded = load_profile(args)?;
        let (name, profile) = match &loaded {
            Some((name, _, profile)) => (name.as_str(), Some(profile)),
            None => ("", None),
        };
        let p = |f: fn(&Profile) -> Option<String>| from_profile(profile.and_then(f), name);
        let pp = |f: fn(&Profile) -> Option<PathBuf>| from_profile(profile.and_then(f), name);
        Ok(Config {
            mchid: flag(&args.mchid, "mchid")
                .or_else(|| env(vars::MCHID))
                .or_else(|| p(|p| p.mchid.clone())),
            merchant_serial: flag(&args.merchant_serial, "merchant-serial")
                .or_else(|| env(vars::MERCHANT_SERIAL))
                .or_else(|| p(|p| p.merchant_serial.clone())),
            private_key: flag(&args.private_key, "private-key")
                .or_else(|| env(vars::PRIVATE_KEY).map(path))
                .or_else(|| pp(|p| p.private_key.clone())),
            merchant_certificate: flag(&args.merchant_certificate, "merchant-certificate")
                .or_else(|| env(vars::MERCHANT_CERTIFICATE).map(path))
                .or_else(|| pp(|p| p.merchant_certificate.clone())),
            public_key_id: flag(&args.public_key_id, "public-key-id")
                .or_else(|| env(vars::PUBLIC_KEY_ID))
                .or_else(|| p(|p| p.public_key_id.clone())),
            public_key: flag(&args.public_key, "public-key")
                .or_else(|| env(vars::PUBLIC_KEY).map(path))
                .or_else(|| pp(|p| p.public_key.clone())),
            certificates: flag(&args.certificates, "certificates")
                .or_else(|| env(vars::CERTIFICATES).map(path))
                .or_else(|| pp(|p| p.certificates.clone())),
            apiv3_key_file: flag(&args.apiv3_key_file, "apiv3-key-file").or_else(|| pp(|p| p.apiv3_key_file.clone())),
            apiv2_key_file: flag(&args.apiv2_key_file, "apiv2-key-file").or_else(|| pp(|p| p.apiv2_key_file.clone())),
            ca_certificate: flag(&args.ca_certificate, "ca-certificate")
                .or_else(|| env(vars::CA_CERTIFICATE).map(path))
                .or_else(|| pp(|p| p.ca_certificate.clone())),
            base_url: flag(&args.base_url, "base-url")
                .or_else(|| env(vars::BASE_URL))
                .or_else(|| p(|p| p.base_url.clone())),
            profile: loaded.map(|(name, file, _)| (name, file)),
        })
    }

    /// The environment variables that set something here: the settings taken from the
    /// environment, and the APIv3 and APIv2 keys when the environment holds them and no
    /// flag names a key file.
    pub fn environment_variables_used(&self) -> Vec<&'static str> {
        let sources = [
            self.mchid.as_ref().map(|s| &s.source),
            self.merchant_serial.as_ref().map(|s| &s.source),
            self.private_key.as_ref().map(|s| &s.source),
            self.merchant_certificate.as_ref().map(|s| &s.source),
            self.public_key_id.as_ref().map(|s| &s.source),
            self.public_key.as_ref().map(|s| &s.source),
            self.certificates.as_ref().map(|s| &s.source),
            self.ca_certificate.as_ref().map(|s| &s.source),
            self.base_url.as_ref().map(|s| &s.source),
        ];
        let mut names: Vec<&'static str> = sources
            .into_iter()
            .filter_map(|source| match source {
                Some(Source::Env(name)) => Some(*name),
                _ => None,
            })
            .collect();
        for (file, name) in [
            (&self.apiv3_key_file, vars::APIV3_KEY),
            (&self.apiv2_key_file, vars::APIV2_KEY),
        ] {
            let named_by_flag = matches!(
                file,
                Some(Setting {
                    source: Source::Flag(_),
                    ..
                })
            );
            if !named_by_flag && env(name).is_some() {
                names.push(name);
            }
        }
        names
    }

    /// A note on standard error when `--profile NAME` was given and the environment still
    /// sets some of the settings (it comes before profiles): a sourced sandbox `env.sh`
    /// would otherwise mix into another profile unseen.
    pub fn note_environment_over(&self, profile: &str) {
        let names = self.environment_variables_used();
        if !names.is_empty() {
            note!(
                "note: --profile {} is given, but the environment sets {}, which come before profiles; unset them to \
                 use the profile's",
                wechatpay::text::visible(profile),
                names.join(", ")
            );
        }
    }

    /// The base URL the client uses.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_ref()
            .map_or(wechatpay::DEFAULT_BASE_URL, |s| s.value.as_str())
    }

    /// Whether a platform public key or certificates folder is configured.
    pub fn has_platform_keys(&self) -> bool {
        self.public_key_id.is_some() || self.public_key.is_some() || self.certificates.is_some()
    }

    /// The APIv3 key: `--apiv3-key-file`, else `WECHATPAY_APIV3_KEY`, else the profile's
    /// `apiv3_key_file`, else (when `prompt`) a prompt without echo, or one line of
    /// standard input when it is not a terminal.
    pub fn apiv3_key(&self, prompt: bool) -> Result<Option<SecretKey>, Failure> {
        if let Some(key) = secret_key(self.apiv3_key_file.as_ref(), vars::APIV3_KEY, "APIv3 key")? {
            return Ok(Some(key));
        }
        if !prompt {
            return Ok(None);
        }
        let key = if std::io::stdin().is_terminal() {
            rpassword::prompt_password("APIv3 key (not echoed): ")
                .map_err(|e| Failure::config(format!("cannot read the APIv3 key: {e}")))?
        } else {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::config(format!("cannot read the APIv3 key from standard input: {e}")))?;
            line
        };
        let key = Zeroizing::new(key);
        let trimmed = key.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            return Ok(None);
        }
        Ok(Some(SecretKey {
            key: Zeroizing::new(trimmed.to_owned()),
            source: "the prompt".into(),
        }))
    }

    /// The APIv2 key: `--apiv2-key-file`, else `WECHATPAY_APIV2_KEY`, else the profile's
    /// `apiv2_key_file`; never prompted for.
    pub fn apiv2_key(&self) -> Result<Option<SecretKey>, Failure> {
        secret_key(self.apiv2_key_file.as_ref(), vars::APIV2_KEY, "APIv2 key")
    }

    /// A client builder with the merchant's signing identity only: the merchant id, the
    /// serial (unless the merchant certificate gives it), the private key and the merchant
    /// certificate.
    pub fn merchant_builder(&self) -> Result<ClientBuilder, Failure> {
        let mchid = self
            .mchid
            .as_ref()
            .ok_or_else(|| missing("merchant id", "mchid", vars::MCHID, "mchid"))?;
        let key = self.private_key.as_ref().ok_or_else(|| {
            missing(
                "merchant private key",
                "private-key FILE",
                vars::PRIVATE_KEY,
                "private_key",
            )
        })?;
        let mut builder = wechatpay::Client::builder()
            .mchid(&mchid.value)
            .private_key_file(&key.value)?;
        if let Some(certificate) = &self.merchant_certificate {
            builder = builder.merchant_certificate_file(&certificate.value)?;
        }
        match &self.merchant_serial {
            Some(serial) => builder = builder.merchant_serial(&serial.value),
            None if self.merchant_certificate.is_none() => {
                return Err(Failure::config(format!(
                    "no merchant serial: give --merchant-serial, set {} or add merchant_serial to a profile, or \
                     give the merchant certificate, which holds it (--merchant-certificate FILE, {} or \
                     merchant_certificate; see wechatpay --help)",
                    vars::MERCHANT_SERIAL,
                    vars::MERCHANT_CERTIFICATE
                )));
            }
            None => {}
        }
        Ok(builder)
    }

    /// A client builder with the merchant settings, the APIv2 key and CA certificate when
    /// configured, the platform keys, the APIv3 key (when given) and the base URL. With no
    /// platform key configured and an APIv3 key given, `auto` turns on automatic
    /// certificates (downloaded before the first request).
    pub fn client_builder(&self, apiv3: Option<&SecretKey>, auto: bool) -> Result<ClientBuilder, Failure> {
        let mut builder = self.merchant_builder()?;
        if let Some(apiv2) = self.apiv2_key()? {
            builder = builder.apiv2_key(apiv2.key.as_str());
        }
        if let Some(ca) = &self.ca_certificate {
            builder = builder.add_root_certificate_file(&ca.value)?;
        }
        builder = self.platform_keys(builder)?;
        if let Some(apiv3) = apiv3 {
            builder = builder.apiv3_key(apiv3.key.as_bytes());
            if auto && !self.has_platform_keys() {
                builder = builder.auto_certificates();
            }
        }
        if let Some(url) = &self.base_url {
            builder = builder.base_url(&url.value)?;
        }
        Ok(builder)
    }

    /// The platform public key (with its id) and the certificates folder, when configured.
    fn platform_keys(&self, mut builder: ClientBuilder) -> Result<ClientBuilder, Failure> {
        match (&self.public_key_id, &self.public_key) {
            (Some(id), Some(file)) => {
                let pem = read_text(&file.value, "platform public key")?;
                builder = builder.platform_public_key(&id.value, &pem)?;
            }
            (Some(id), None) => {
                return Err(Failure::config(format!(
                    "the platform public key id is set ({}) but not the key file: give --public-key FILE or set \
                     WECHATPAY_PUBLIC_KEY",
                    id.source
                )));
            }
            (None, Some(file)) => {
                return Err(Failure::config(format!(
                    "the platform public key file is set ({}) but not its id: give --public-key-id or set \
                     WECHATPAY_PUBLIC_KEY_ID",
                    file.source
                )));
            }
            (None, None) => {}
        }
        if let Some(dir) = &self.certificates {
            builder = builder.platform_certificates_dir(&dir.value)?;
        }
        Ok(builder)
    }
}

/// A setting that is missing: how to give it.
pub fn missing(what: &str, flag: &str, env: &str, key: &str) -> Failure {
    Failure::config(format!(
        "no {what}: give --{flag}, set {env} or add {key} to a profile (see wechatpay --help)"
    ))
}

/// A key given as a file (`--...-key-file`) or in the environment: the flag's file, else
/// the variable, else the profile's file. A file's trailing line break is not part of it.
fn secret_key(
    file: Option<&Setting<PathBuf>>,
    variable: &'static str,
    what: &str,
) -> Result<Option<SecretKey>, Failure> {
    let from_file = |setting: &Setting<PathBuf>| -> Result<SecretKey, Failure> {
        let text = Zeroizing::new(std::fs::read_to_string(&setting.value).map_err(|e| {
            Failure::config(format!(
                "cannot read the {what} file {} ({}): {e}",
                setting.value.display(),
                setting.source
            ))
        })?);
        Ok(SecretKey {
            key: Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_owned()),
            source: format!("{} ({})", setting.value.display(), setting.source),
        })
    };
    if let Some(setting) = file.filter(|s| matches!(s.source, Source::Flag(_))) {
        return from_file(setting).map(Some);
    }
    if let Some(key) = vars::var(variable) {
        return Ok(Some(SecretKey {
            key: Zeroizing::new(key),
            source: variable.into(),
        }));
    }
    file.map(from_file).transpose()
}

/// How to give a setting the library found missing, for the errors that name one.
pub fn hint(error: &wechatpay::Error) -> Option<String> {
    use wechatpay::error::ConfigError;
    let wechatpay::Error::Config(config) = error.last_cause() else {
        return None;
    };
    match config {
        ConfigError::MissingApiV2Key => Some(format!(
            "give the APIv2 key: --apiv2-key-file FILE, {} (the key itself) or apiv2_key_file in a profile",
            vars::APIV2_KEY
        )),
        ConfigError::MissingClientCertificate { .. } => Some(format!(
            "give the merchant certificate (apiclient_cert.pem): --merchant-certificate FILE, {} or \
             merchant_certificate in a profile",
            vars::MERCHANT_CERTIFICATE
        )),
        ConfigError::MissingApiV3Key => Some(format!(
            "give the APIv3 key: --apiv3-key-file FILE, {} (the key itself) or apiv3_key_file in a profile",
            vars::APIV3_KEY
        )),
        _ => None,
    }
}

/// Reads a text file named `what` in errors.
pub fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::config(format!("cannot read the {what} {}: {e}", path.display())))
}
