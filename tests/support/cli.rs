//! The `wechatpay` binary in tests: a `wechatpay mock serve` child process with the keys it
//! writes, and commands run with a clean environment.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_wechatpay");

/// A `wechatpay mock serve` child process on a free port, writing its keys to `keys()` in
/// a folder of its own; killed when dropped.
pub struct Sandbox {
    child: Child,
    /// The sandbox's own temporary folder (its keys are in `keys/`).
    pub dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT/` (`https://` with `--tls`).
    pub base_url: String,
    output: Arc<Mutex<Vec<String>>>,
}

impl Sandbox {
    /// `wechatpay mock serve --port 0 --keys-dir DIR/keys ARGS...`.
    pub fn start(args: &[&str]) -> Sandbox {
        Sandbox::spawn(tempfile::tempdir().unwrap(), args)
    }

    /// The same with `--routes` naming a file that holds `routes` (JSON).
    pub fn with_routes(routes: &str, args: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("routes.json");
        std::fs::write(&file, routes).unwrap();
        let file = file.to_str().unwrap().to_owned();
        let mut all = vec!["--routes", file.as_str()];
        all.extend_from_slice(args);
        Sandbox::spawn(dir, &all)
    }

    fn spawn(dir: tempfile::TempDir, args: &[&str]) -> Sandbox {
        let mut child = std::process::Command::new(BIN)
            .args(["mock", "serve", "--port", "0", "--keys-dir"])
            .arg(dir.path().join("keys"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let base_url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Sandbox {
            child,
            dir,
            base_url,
            output,
        }
    }

    /// The folder of the keys, `env.sh` and `profiles.toml` the sandbox wrote.
    pub fn keys(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    /// The `WECHATPAY_*` variables of its env.sh.
    pub fn env(&self) -> Vec<(String, String)> {
        super::sandbox_env(&self.keys().join("env.sh"))
    }

    /// The binary with the sandbox's environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = bare_cmd(self.dir.path());
        cmd.envs(self.env());
        cmd
    }

    /// The lines the sandbox printed after its first, so far.
    pub fn lines(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) for a line of the sandbox's request log.
    pub fn wait_for_line(&self, expected: &str) {
        self.count_before(expected, expected);
    }

    /// How many request-log lines equal `expected`, once a line equal to `last` has come
    /// (the sandbox logs each request as it answers it, in order).
    pub fn count_before(&self, expected: &str, last: &str) -> usize {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let lines = self.output.lock().unwrap().clone();
            if let Some(end) = lines.iter().rposition(|l| l == last) {
                return lines[..=end].iter().filter(|l| *l == expected).count();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the sandbox never printed {last:?}: {:?}", self.output.lock().unwrap());
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with no `WECHATPAY_*` variable and a private config folder.
pub fn bare_cmd(config_home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    for name in wechatpay::env::ALL {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", config_home);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
