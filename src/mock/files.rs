//! Writing the sandbox's files safely: into a folder that is the user's alone, each file
//! created under a new name (exclusively, so never through a planted symlink) and renamed
//! into place.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Makes `path` a folder only this user can write to: created with mode 0700 when missing;
/// an existing one must be a real folder (not a symlink), owned by this user, and not
/// writable by group or others. Returns its canonical path.
pub(crate) fn private_dir(path: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_private(path)?;
        }
        Err(e) => return Err(e),
        Ok(meta) => check_private(path, &meta)?,
    }
    std::fs::canonicalize(path)
}

/// Refuses a path that is not text (Unicode) or holds a control character: the sandbox
/// writes its files' paths into `env.sh` and `profiles.toml`, where a line feed would end a
/// comment and make the rest a command when `env.sh` is sourced, and a lossy conversion
/// would name files that do not exist.
pub(crate) fn check_path_text(path: &Path) -> io::Result<()> {
    match path.to_str() {
        Some(text) if !text.chars().any(char::is_control) => Ok(()),
        Some(_) => Err(refused(path, "its path holds a control character (a line feed, say)")),
        None => Err(refused(path, "its path is not valid Unicode")),
    }
}

/// The file that marks a folder as the sandbox's own (written with its files).
pub(crate) const MARKER: &str = ".wechatpay-sandbox";

/// Refuses an existing folder that holds anything the sandbox did not write: its files carry
/// the names of a merchant's real ones (`apiclient_key.pem`, `profiles.toml`), which must
/// never be replaced by the test keys. An empty folder, one with the sandbox's marker, or one
/// whose `apiclient_key.pem` is the sandbox's own test key (written before the marker
/// existed) is the sandbox's to write.
pub(crate) fn check_sandbox_dir(dir: &Path, test_key: &str) -> io::Result<()> {
    let mut entries: Vec<String> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    if entries.is_empty() || std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let key = dir.join("apiclient_key.pem");
    let is_test_key = std::fs::symlink_metadata(&key).is_ok_and(|m| m.is_file())
        && std::fs::read_to_string(&key).is_ok_and(|text| text == test_key);
    if is_test_key {
        return Ok(());
    }
    entries.sort();
    let more = if entries.len() > 3 { ", ..." } else { "" };
    let shown: Vec<String> = entries.iter().take(3).map(|name| crate::text::visible(name)).collect();
    Err(refused(
        dir,
        &format!(
            "it holds files the sandbox did not write ({}{more}); give a new or empty folder",
            shown.join(", ")
        ),
    ))
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "refusing to write the sandbox's keys into {}: {why}",
            crate::text::visible(&path.to_string_lossy())
        ),
    )
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    if meta.file_type().is_symlink() {
        return Err(refused(path, "it is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(refused(path, "it is not a folder"));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(refused(
            path,
            "it is writable by others (chmod 700 it, or choose another folder)",
        ));
    }
    if let Some(uid) = current_uid()
        && meta.uid() != uid
    {
        return Err(refused(path, "it belongs to another user"));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
    if !meta.is_dir() {
        return Err(refused(path, "it is not a folder"));
    }
    Ok(())
}

/// This process's user: the owner of `/proc/self` where there is one, else of a file it
/// creates in the temporary folder.
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    if let Ok(meta) = std::fs::metadata("/proc/self") {
        return Some(meta.uid());
    }
    let probe = std::env::temp_dir().join(format!(".wechatpay-uid-{}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .ok()?;
    let uid = file.metadata().ok().map(|m| m.uid());
    let _ = std::fs::remove_file(&probe);
    uid
}

/// Writes `contents` to `dir/name` with `mode` (on Unix): a new file under a temporary name,
/// created exclusively (so a symlink planted there makes it fail instead of being followed),
/// synced, then renamed over `name` (which replaces a symlink rather than writing through it).
pub(crate) fn write_file(dir: &Path, name: &str, contents: &[u8], mode: u32) -> io::Result<PathBuf> {
    let target = dir.join(name);
    let nonce = crate::auth::signing::nonce().map_err(io::Error::other)?;
    let temporary = dir.join(format!(".{name}.{}.tmp", &nonce[..8]));
    let written = write_new(&temporary, contents, mode).and_then(|()| std::fs::rename(&temporary, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map(|()| target)
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}
