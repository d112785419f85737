//! The sandbox's key files are written safely: into a folder that is the user's alone, each
//! file under a new name then renamed, so a symlink planted in the folder is replaced, never
//! followed.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};

use wechatpay::mock::{APIV3_KEY, MockServer};

#[test]
fn a_symlink_planted_as_a_key_file_is_replaced_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("sandbox");
    std::fs::create_dir(&keys).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700)).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    for name in ["env.sh", "apiv3_key.txt"] {
        std::os::unix::fs::symlink(&victim, keys.join(name)).unwrap();
    }

    let files = MockServer::start().write_keys(&keys).unwrap();

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert_eq!(
        std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
        0o644,
        "the victim's mode is untouched"
    );
    for path in [&files.env_sh, &files.apiv3_key] {
        let meta = std::fs::symlink_metadata(path).unwrap();
        assert!(meta.file_type().is_file(), "{path:?} is a regular file now");
        assert_eq!(meta.mode() & 0o777, 0o600, "{path:?}");
    }
    assert_eq!(std::fs::read_to_string(&files.apiv3_key).unwrap(), APIV3_KEY);
}

#[test]
fn a_folder_others_can_write_to_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = MockServer::start().write_keys(&shared).unwrap_err();
    assert!(err.to_string().contains("writable by others"), "{err}");
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0, "nothing was written");
}

#[test]
fn a_symlink_as_the_folder_or_its_certificates_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("link")).unwrap();
    assert!(MockServer::start().write_keys(dir.path().join("link")).is_err());

    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, keys.join("certificates")).unwrap();
    assert!(MockServer::start().write_keys(&keys).is_err());
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn a_new_folder_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let files = MockServer::start().write_keys(dir.path().join("new")).unwrap();
    assert_eq!(std::fs::metadata(&files.dir).unwrap().mode() & 0o777, 0o700);
}
