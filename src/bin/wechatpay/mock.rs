//! `wechatpay mock serve`: the embedded mock as a standalone sandbox.

/// `println!` for the sandbox's output, which goes on when its reader has gone (a script
/// that read the first line and closed the pipe): a failed write is dropped, not a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Subcommand, ValueEnum};
use wechatpay::mock::{Fault, MockRoute, MockServer, SandboxFiles, SigningMode};

use crate::exit::{self, Failure};

#[derive(Subcommand)]
pub enum MockCommand {
    /// Run the mock WeChat Pay server on 127.0.0.1 until Ctrl-C or SIGTERM
    #[command(after_long_help = MOCK_HELP, after_help = MOCK_HELP)]
    Serve(MockServeArgs),
    /// Make a sample callback signed with the sandbox's test keys: print it, write it for
    /// `notify parse`, or POST it to your server
    #[command(after_help = crate::mock_notify::HELP)]
    Notify(crate::mock_notify::MockNotifyArgs),
}

/// Shown after `wechatpay mock serve --help`.
const MOCK_HELP: &str = "\
The sandbox verifies each request's signature as the platform does (401 SIGN_ERROR when it
does not match), signs its 2xx answers, answers /v3/certificates, and 404s unknown routes.
It also speaks APIv2 on the catalogued v2 paths (POST /pay/micropay, ...): it checks the
mch_id and the sign made with the APIv2 key (MD5 or HMAC-SHA256), and answers signed XML.
Its first line of output is `listening on http://127.0.0.1:PORT/` (https with --tls); then
one line per request: method, target (escaped), the status answered, whether the request's
signature verified, and the fault in force for the answer, if any:
  POST /v3/pay/transactions/native  -> 200  verified: yes  fault: bad-signature

With --tls it serves HTTPS with a certificate for 127.0.0.1 and localhost issued by a test
CA (sandbox_ca.pem), and asks for a client certificate: the merchant certificate
(apiclient_cert.pem with apiclient_key.pem) is accepted, one from another CA fails the
handshake, and without one the APIv2 operations that need it answer CA_ERROR.

Into --keys-dir it writes its fixed TEST keys (public: never use them for anything real):
apiclient_key.pem, apiclient_cert.pem, pub_key.pem, pub_key_id.txt,
certificates/wechatpay_<serial>.pem, apiv3_key.txt, apiv2_key.txt, sandbox_ca.pem (with
--tls), env.sh (exports the WECHATPAY_* variables pointing at them and at the sandbox),
profiles.toml (a [mock] profile) and .wechatpay-sandbox. The folder must be new, empty, or
one the sandbox wrote before: a folder holding other files (a real apiclient_key.pem, a
profiles.toml) is refused and left as it is.

Built-in routes (unless --no-default-routes):
  POST /v3/parking/reminders/ext-payment                        204
  GET  /v3/pay/transactions/out-trade-no/{out_trade_no}         200 an order
  POST /v3/pay/transactions/native                              200 a code_url
  POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close   204
A routes file is a JSON array of {\"method\", \"path\" (template), \"status\", \"body\"}; `{name}`
in the body's strings becomes the path variable's value. Its routes are added to (or
replace) the built-in ones.

APIv2 routes use the wire path (\"/pay/micropay\"); a JSON object body gives the answer's fields
(return_code and result_code default to SUCCESS; nonce_str and sign are added).

Example:
  wechatpay mock serve --keys-dir ./sandbox --routes routes.json --fault bad-signature
  wechatpay mock serve --tls --fault v2-fail";

#[derive(Args)]
pub struct MockServeArgs {
    /// Port on 127.0.0.1 (0: any free port; the first output line tells which)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Folder to write the keys, ids and env.sh into (default: a new private folder
    /// <temp>/wechatpay-mock-<random>); an existing one must be yours alone
    #[arg(long, value_name = "DIR")]
    keys_dir: Option<PathBuf>,
    /// JSON routes file: [{"method", "path", "status", "body"}, ...]
    #[arg(long, value_name = "FILE")]
    routes: Option<PathBuf>,
    /// Serve only the routes of --routes
    #[arg(long)]
    no_default_routes: bool,
    /// Misbehave on purpose (repeatable: each answer then draws one of them)
    #[arg(long = "fault", value_name = "NAME", value_parser = fault_parser())]
    faults: Vec<String>,
    /// Share of answers that misbehave, 0.0 to 1.0 (default 1.0)
    #[arg(long, value_name = "RATE", default_value_t = 1.0)]
    fault_rate: f64,
    /// Which platform key signs the answers
    #[arg(long, value_enum, default_value_t = Mode::PublicKey)]
    mode: Mode,
    /// Cheap mode for load benchmarks: an answer whose body was already signed in the same
    /// second reuses that (still valid) signature, so the sandbox spends almost no CPU
    #[arg(long)]
    reuse_signatures: bool,
    /// Serve HTTPS (test CA sandbox_ca.pem) and ask for the merchant's client certificate
    #[arg(long)]
    tls: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Mode {
    /// The platform public key (PUB_KEY_ID_...)
    PublicKey,
    /// The platform certificate
    Certificate,
}

fn fault_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(
        wechatpay::mock::Fault::NAMES
            .iter()
            .map(|(name, help)| PossibleValue::new(*name).help(*help)),
    )
}

impl MockCommand {
    /// The command as typed, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            MockCommand::Serve(_) => "mock serve",
            MockCommand::Notify(_) => "mock notify",
        }
    }
}

pub async fn run(command: MockCommand) -> Result<u8, Failure> {
    match command {
        MockCommand::Serve(args) => serve(args).await,
        MockCommand::Notify(args) => crate::mock_notify::run(args).await,
    }
}

/// The routes served unless `--no-default-routes`.
const DEFAULT_ROUTES: &str = r#"[
  {"method": "POST", "path": "/v3/parking/reminders/ext-payment", "status": 204},
  {"method": "GET", "path": "/v3/pay/transactions/out-trade-no/{out_trade_no}", "status": 200, "body": {
    "appid": "wxd678efh567hg6787", "mchid": "1900000001", "out_trade_no": "{out_trade_no}",
    "transaction_id": "4200001999202407041234567890", "trade_type": "NATIVE", "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功", "success_time": "2024-07-04T15:30:00+08:00",
    "amount": {"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"}
  }},
  {"method": "POST", "path": "/v3/pay/transactions/native", "status": 200,
   "body": {"code_url": "weixin://wxpay/bizpayurl?pr=mockpr0"}},
  {"method": "POST", "path": "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", "status": 204}
]"#;

/// Writes `profiles.toml` with a `[mock]` profile naming the sandbox files (relative to it):
/// the merchant's, the platform's, the APIv3 and APIv2 key files and, in TLS mode, the test
/// CA to trust.
fn write_profile(files: &SandboxFiles, base_url: &str) -> std::io::Result<()> {
    let name = |path: &Path| {
        path.strip_prefix(&files.dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let ca = files
        .ca_certificate
        .as_deref()
        .map(|ca| format!("ca_certificate = \"{}\"\n", name(ca)))
        .unwrap_or_default();
    let text = format!(
        "# The wechatpay mock sandbox as a profile:\n\
         #   wechatpay --config {config} --profile mock request GET v3/certificates\n\
         # Test keys only: never use them for anything real.\n\
         [mock]\n\
         mchid = \"{mchid}\"\n\
         merchant_serial = \"{serial}\"\n\
         private_key = \"{key}\"\n\
         merchant_certificate = \"{certificate}\"\n\
         public_key_id = \"{id}\"\n\
         public_key = \"{public_key}\"\n\
         certificates = \"{certificates}\"\n\
         apiv3_key_file = \"{apiv3}\"\n\
         apiv2_key_file = \"{apiv2}\"\n\
         {ca}\
         base_url = \"{base_url}\"\n",
        config = files.dir.join("profiles.toml").display(),
        mchid = wechatpay::mock::MCHID,
        serial = wechatpay::mock::MERCHANT_SERIAL,
        key = name(&files.private_key),
        certificate = name(&files.merchant_certificate),
        id = wechatpay::mock::PLATFORM_PUBLIC_KEY_ID,
        public_key = name(&files.public_key),
        certificates = name(&files.certificates),
        apiv3 = name(&files.apiv3_key),
        apiv2 = name(&files.apiv2_key),
    );
    files.write("profiles.toml", &text).map(|_| ())
}

async fn serve(args: MockServeArgs) -> Result<u8, Failure> {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        return Err(Failure::usage("--fault-rate must be between 0.0 and 1.0"));
    }
    let mock = MockServer::builder()
        .mode(args.mode.into())
        .port(args.port)
        .tls(args.tls)
        .try_start()
        .map_err(|e| Failure::other(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    mock.reuse_signatures(args.reuse_signatures);
    let routes = routes(&args)?;
    mock.add_routes(&routes).map_err(|e| Failure::usage(e.to_string()))?;
    let faults: Vec<Fault> = args.faults.iter().filter_map(|name| Fault::from_name(name)).collect();
    match faults.as_slice() {
        [] => {}
        [fault] if args.fault_rate >= 1.0 => mock.set_fault(Some(fault.clone())),
        _ => mock.set_random_faults(args.fault_rate, &faults),
    }
    let files = write_files(&mock, &args)?;
    print_banner(&mock, &args, &files, &routes);
    let seen = follow(&mock).await?;
    say!("stopped after {seen} request(s)");
    Ok(exit::OK)
}

impl From<Mode> for SigningMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::PublicKey => SigningMode::PublicKey,
            Mode::Certificate => SigningMode::Certificate,
        }
    }
}

/// The built-in routes (unless `--no-default-routes`), then those of `--routes`.
fn routes(args: &MockServeArgs) -> Result<Vec<MockRoute>, Failure> {
    let mut routes = Vec::new();
    if !args.no_default_routes {
        routes.extend(MockRoute::parse_list(DEFAULT_ROUTES).map_err(|e| Failure::other(e.to_string()))?);
    }
    if let Some(file) = &args.routes {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::usage(format!("cannot read the routes file {}: {e}", file.display())))?;
        routes.extend(MockRoute::parse_list(&text).map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?);
    }
    Ok(routes)
}

/// The sandbox's keys, ids, `env.sh` and `profiles.toml`.
fn write_files(mock: &MockServer, args: &MockServeArgs) -> Result<SandboxFiles, Failure> {
    let dir = match &args.keys_dir {
        Some(dir) => dir.clone(),
        None => fresh_dir()?,
    };
    let files = mock
        .write_keys(&dir)
        .map_err(|e| Failure::other(format!("cannot write the keys into {}: {e}", dir.display())))?;
    write_profile(&files, &mock.base_url()).map_err(|e| {
        Failure::other(format!(
            "cannot write {}: {e}",
            files.dir.join("profiles.toml").display()
        ))
    })?;
    Ok(files)
}

/// A new folder under the system's temporary folder, with a name no one can guess.
fn fresh_dir() -> Result<PathBuf, Failure> {
    let nonce = wechatpay::auth::signing::nonce().map_err(|e| Failure::other(e.to_string()))?;
    Ok(std::env::temp_dir().join(format!("wechatpay-mock-{}", &nonce[..12])))
}

/// What the sandbox serves and how to point tools at it. The first line tells where it
/// listens (scripts and tests read it).
fn print_banner(mock: &MockServer, args: &MockServeArgs, files: &SandboxFiles, routes: &[MockRoute]) {
    say!("listening on {}", mock.base_url());
    say!("keys, ids and env.sh in {} (test keys only)", files.dir.display());
    say!("  point tools at it:  . {}", files.env_sh.display());
    if let Some(ca) = &files.ca_certificate {
        say!(
            "TLS: trust the test CA {}; client certificate: apiclient_cert.pem",
            ca.display()
        );
    }
    say!(
        "signing mode: {}",
        match args.mode {
            Mode::PublicKey => "public key",
            Mode::Certificate => "certificate",
        }
    );
    for route in routes {
        say!("route: {} {} -> {}", route.method, route.path, route.status);
    }
    if args.reuse_signatures {
        say!("reusing signatures: an answer body signed in the same second is not signed again");
    }
    if !args.faults.is_empty() {
        say!(
            "faults: {} on {}% of answers",
            args.faults.join(", "),
            (args.fault_rate * 100.0).round()
        );
    }
    say!("Ctrl-C or SIGTERM stops it");
}

/// Prints one line per request until Ctrl-C or SIGTERM; returns how many were seen.
async fn follow(mock: &MockServer) -> Result<usize, Failure> {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Failure::other(format!("cannot listen for SIGTERM: {e}")))?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut seen = 0;
    loop {
        #[cfg(unix)]
        let terminated = terminate.recv();
        #[cfg(not(unix))]
        let terminated = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = &mut ctrl_c => return Ok(seen),
            _ = terminated => return Ok(seen),
            _ = tick.tick() => {
                // Requests the bounded log dropped in the meantime are skipped.
                let new = mock.requests_since(seen);
                seen = seen.max(mock.dropped_requests() as usize);
                for request in new {
                    seen += 1;
                    say!("{}", crate::mock_log::request_line(&request));
                }
            }
        }
    }
}
