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
    // A sandbox folder from an earlier run, where symlinks were planted since.
    MockServer::start().write_keys(&keys).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    for name in ["env.sh", "apiv3_key.txt"] {
        std::fs::remove_file(keys.join(name)).unwrap();
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

/// An existing folder the sandbox did not write (a project folder holding the merchant's
/// real `apiclient_key.pem`, a configuration folder) is refused, and nothing in it changes:
/// the sandbox's files carry the names of the real ones. An empty folder, or one the sandbox
/// wrote before, is written.
#[test]
fn a_folder_holding_files_the_sandbox_did_not_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(project.join("apiclient_key.pem"), "the merchant's real key").unwrap();
    std::fs::write(project.join("profiles.toml"), "[default]\nmchid = \"1234567890\"\n").unwrap();
    let err = MockServer::start().write_keys(&project).unwrap_err();
    assert!(err.to_string().contains("the sandbox did not write"), "{err}");
    assert_eq!(
        std::fs::read_to_string(project.join("apiclient_key.pem")).unwrap(),
        "the merchant's real key"
    );
    let names: Vec<_> = std::fs::read_dir(&project)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing added: {names:?}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o700)).unwrap();
    MockServer::start().write_keys(&empty).unwrap();
    // Written again (a restarted sandbox): its own folder.
    MockServer::start().write_keys(&empty).unwrap();
}

/// A folder whose path has a control character (a line feed would end the comment lines of
/// `env.sh` and `profiles.toml` and run the rest as a command when it is sourced) is
/// refused before anything is written.
#[test]
fn a_folder_path_with_a_line_feed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil\ntouch PWNED\n#");
    let err = MockServer::start().write_keys(&evil).unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    assert!(!evil.exists());
}
