//! Checks of RSA-SHA256 signatures by implementations apart from the crate: the OpenSSL
//! command line and Python's `cryptography` package
//! (`tests/fixtures/pay_params/cross_check.py`). Each check says `None` when its tool is not
//! installed, after printing a note, so that a test can skip that part.

#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod recorder;
pub mod v2;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use wechatpay::mock::keys;

/// What an independent implementation concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Verified,
    Failed,
}

/// Verifies the Base64 `signature` over `message` with the public key of the mock merchant's
/// certificate, with `openssl dgst -sha256 -verify`.
pub fn openssl_verify(message: &[u8], signature: &str) -> Option<Verdict> {
    if !on_path("openssl") {
        eprintln!("note: openssl is not installed: the OpenSSL cross-check is skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("merchant_cert.pem");
    let public_key = dir.path().join("pub.pem");
    std::fs::write(&cert, keys::MERCHANT_CERTIFICATE).unwrap();
    let extracted = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    assert!(extracted.status.success(), "openssl x509 -pubkey failed: {extracted:?}");
    std::fs::write(&public_key, &extracted.stdout).unwrap();
    let message_file = dir.path().join("msg.txt");
    let signature_file = dir.path().join("sig.bin");
    std::fs::write(&message_file, message).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .expect("the signature is standard Base64");
    std::fs::write(&signature_file, raw).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&public_key)
        .arg("-signature")
        .arg(&signature_file)
        .arg(&message_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    Some(verdict(out.status.success(), stdout.contains("Verified OK")))
}

/// Verifies the Base64 `signature` over `message` with the mock merchant's certificate,
/// with Python's `cryptography` package.
pub fn python_verify(message: &[u8], signature: &str) -> Option<Verdict> {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("merchant_cert.pem");
    let message_file = dir.path().join("msg.txt");
    let signature_file = dir.path().join("sig.b64");
    std::fs::write(&cert, keys::MERCHANT_CERTIFICATE).unwrap();
    std::fs::write(&message_file, message).unwrap();
    std::fs::write(&signature_file, signature).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pay_params/cross_check.py");
    let Ok(out) = Command::new("python3")
        .arg(script)
        .arg("verify")
        .arg(&cert)
        .arg(&message_file)
        .arg(&signature_file)
        .output()
    else {
        eprintln!("note: python3 is not installed: the Python cross-check is skipped");
        return None;
    };
    if out.status.code() == Some(3) {
        eprintln!("note: the Python package cryptography is not installed: the Python cross-check is skipped");
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    Some(verdict(out.status.success(), stdout.contains("Verified OK")))
}

/// Both checks: each one that is installed must reach `expected`.
pub fn assert_independently(message: &[u8], signature: &str, expected: Verdict) {
    for (tool, verdict) in [
        ("openssl", openssl_verify(message, signature)),
        ("python cryptography", python_verify(message, signature)),
    ] {
        if let Some(verdict) = verdict {
            assert_eq!(verdict, expected, "{tool} over {:?}", String::from_utf8_lossy(message));
        }
    }
}

fn verdict(success: bool, said_ok: bool) -> Verdict {
    match (success, said_ok) {
        (true, true) => Verdict::Verified,
        (false, false) => Verdict::Failed,
        other => panic!("the exit status and the output disagree: {other:?}"),
    }
}

/// A program on PATH.
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// The `WECHATPAY_*` variables an env.sh of the sandbox exports (`mock serve --keys-dir`,
/// `MockServer::write_keys`), as `tests/cli.rs` reads them.
pub fn sandbox_env(env_sh: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(env_sh).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("export "))
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap();
            let value = value.strip_prefix('\'').unwrap().strip_suffix('\'').unwrap();
            (name.to_owned(), value.replace(r"'\''", "'"))
        })
        .collect()
}

/// The variables a test clears before setting its own, so the caller's environment plays no
/// part.
pub const WECHATPAY_VARS: &[&str] = wechatpay::env::ALL;
