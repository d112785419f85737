//! `wechatpay certificates download --output DIR`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::config::{Config, ConfigArgs};
use crate::exit::{self, Failure};
use crate::output::format_unix;

#[derive(Subcommand)]
pub enum CertificatesCommand {
    /// Download, decrypt and verify the platform certificates into a folder
    #[command(after_help = "\
Writes wechatpay_<serial>.pem (mode 0600) for each certificate valid now, and prints its
serial and validity; removes the wechatpay_<serial>.pem files of earlier downloads that have
expired since. Needs the APIv3 key. On any failure (a tampered answer included) it exits
non-zero and writes no file. The folder then serves as WECHATPAY_CERTIFICATES.

Example:
  wechatpay certificates download --output ./certificates")]
    Download {
        /// Folder to write the certificates into (created if missing)
        #[arg(long, short, value_name = "DIR")]
        output: PathBuf,
        #[command(flatten)]
        config: ConfigArgs,
    },
}

impl CertificatesCommand {
    /// The configuration flags given after the command.
    pub fn config(&self) -> &ConfigArgs {
        match self {
            CertificatesCommand::Download { config, .. } => config,
        }
    }
}

pub async fn run(config: &Config, command: CertificatesCommand) -> Result<u8, Failure> {
    match command {
        CertificatesCommand::Download { output, .. } => download(config, &output).await,
    }
}

async fn download(config: &Config, output: &Path) -> Result<u8, Failure> {
    let apiv3 = config.apiv3_key(true)?.ok_or_else(|| {
        Failure::config(
            "downloading certificates needs the APIv3 key: set WECHATPAY_APIV3_KEY, give --apiv3-key-file FILE, \
             or type it at the prompt",
        )
    })?;
    // The download verifies itself with the certificates it brings (the bootstrap): the
    // configured certificates folder is not needed, and may be this very folder, holding a
    // certificate that has expired since (which a client refuses).
    let mut config = config.clone();
    config.certificates = None;
    let client = config.client_builder(Some(&apiv3), false)?.build()?;
    // Decrypts each certificate, checks its serial and validity, and verifies the
    // answer's signature: any failure ends here, before a file is written.
    let download = client.download_certificates().await?;

    std::fs::create_dir_all(output).map_err(|e| Failure::other(format!("cannot create {}: {e}", output.display())))?;
    // Everything goes to temporary names first, then is renamed: all files or none.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for certificate in download.certificates() {
        let name = format!("wechatpay_{}.pem", certificate.certificate().serial());
        let temp = output.join(format!(".{name}.{}.tmp", std::process::id()));
        let path = output.join(&name);
        if let Err(e) = write_private(&temp, certificate.pem().as_bytes()) {
            let _ = std::fs::remove_file(&temp);
            remove_all(&staged);
            return Err(Failure::other(format!("cannot write {}: {e}", temp.display())));
        }
        staged.push((temp, path));
    }
    for (i, (temp, path)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(temp, path) {
            remove_all(&staged[i..]);
            return Err(Failure::other(format!(
                "cannot rename {} to {}: {e}",
                temp.display(),
                path.display()
            )));
        }
    }

    // Before anything is printed: the reader of standard output may be gone.
    remove_expired(output);
    for (certificate, (_, path)) in download.certificates().iter().zip(&staged) {
        let c = certificate.certificate();
        out!(
            "{}  valid {} to {}  {}",
            c.serial(),
            format_unix(c.not_before()),
            format_unix(c.not_after()),
            path.display()
        );
    }
    for serial in download.expired() {
        note!("skipped {serial}: not valid now");
    }
    note!(
        "{} certificate(s) written; the answer was verified by {}",
        staged.len(),
        download.verified_by()
    );
    Ok(exit::OK)
}

/// Removes the certificates of an earlier download (`wechatpay_<serial>.pem`) that have
/// expired since: a client refuses a folder holding one, and it verifies nothing any more.
/// Other files are left alone.
fn remove_expired(output: &Path) {
    let Ok(entries) = std::fs::read_dir(output) else {
        return;
    };
    let now = crate::output::now();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !(name.starts_with("wechatpay_") && name.ends_with(".pem")) {
            continue;
        }
        let expired_at = std::fs::read_to_string(&path)
            .ok()
            .and_then(|pem| wechatpay::Certificate::from_pem(&pem).ok())
            .map(|c| c.not_after())
            .filter(|&not_after| not_after < now);
        if let Some(not_after) = expired_at {
            let name = wechatpay::text::visible(name);
            match std::fs::remove_file(&path) {
                Ok(()) => note!("removed {name}: expired {}", format_unix(not_after)),
                Err(e) => note!("warning: cannot remove {name}, expired {}: {e}", format_unix(not_after)),
            }
        }
    }
}

fn remove_all(staged: &[(PathBuf, PathBuf)]) {
    for (temp, _) in staged {
        let _ = std::fs::remove_file(temp);
    }
}

/// Creates a new file readable and writable by its owner only, and syncs it.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}
