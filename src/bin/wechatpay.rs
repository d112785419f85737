//! `wechatpay`: the command-line tool of the wechatpay crate (feature `cli`).
//!
//! `cargo install --path . --features cli`, then `wechatpay --help`.

#[path = "wechatpay/certificates.rs"]
mod certificates;
#[path = "wechatpay/config.rs"]
mod config;
#[path = "wechatpay/doctor.rs"]
mod doctor;
#[path = "wechatpay/exit.rs"]
mod exit;
#[path = "wechatpay/mock.rs"]
mod mock;
#[path = "wechatpay/notify.rs"]
mod notify;
#[path = "wechatpay/request.rs"]
mod request;
#[path = "wechatpay/util.rs"]
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::Failure;

const MAIN_HELP: &str = "\
Configuration (each setting is looked up in this order: flag, environment, profile):
  setting               flag                        environment                  profile key
  merchant id           --mchid                     WECHATPAY_MCHID              mchid
  merchant serial       --merchant-serial           WECHATPAY_MERCHANT_SERIAL    merchant_serial
  private key (file)    --private-key FILE          WECHATPAY_PRIVATE_KEY        private_key
  public key id         --public-key-id             WECHATPAY_PUBLIC_KEY_ID      public_key_id
  public key (file)     --public-key FILE           WECHATPAY_PUBLIC_KEY         public_key
  certificates (folder) --certificates DIR          WECHATPAY_CERTIFICATES       certificates
  APIv3 key             --apiv3-key-file FILE       WECHATPAY_APIV3_KEY          apiv3_key_file
  base URL              --base-url                  WECHATPAY_BASE_URL           base_url
Profiles are TOML tables in $XDG_CONFIG_HOME/wechatpay/profiles.toml (or
~/.config/wechatpay/profiles.toml; %APPDATA%\\wechatpay\\profiles.toml on Windows), chosen with
--profile NAME (the [default] table when there is one and no --profile); --config FILE reads
another file. Relative paths in a profile are relative to the profile file.
Secrets never go on the command line: keys are read from files, and the APIv3 key from
WECHATPAY_APIV3_KEY, a file, or a prompt (without echo; one line of standard input when
it is not a terminal) for the commands that need it.

Exit codes:
  0  success (a 2xx answer, verified)
  1  other failure (a doctor check FAILed, a file could not be written, ...)
  2  usage: bad arguments, or a request that cannot be built (missing path parameter, ...)
  3  configuration: missing or invalid settings, unreadable or unfit keys
  4  API error: the platform answered non-2xx (code and message are printed)
  5  verification failure: the answer or callback could not be authenticated or decrypted
     (bad signature, missing Wechatpay-* headers, clock skew, unknown platform key)
  6  transport failure: connection refused, TLS error, timeout

Example, from the sandbox to a first request:
  wechatpay mock serve --keys-dir ./sandbox &        # a local WeChat Pay sandbox
  . ./sandbox/env.sh                                  # point WECHATPAY_* at it
  wechatpay request POST v3/parking/reminders/ext-payment --json '{\"out_trade_no\": \"T1\"}'";

#[derive(Parser)]
#[command(
    name = "wechatpay",
    version,
    about = "WeChat Pay APIv3 from the command line: signed requests, verified answers, a local sandbox",
    long_about = "WeChat Pay APIv3 from the command line: send signed requests and print verified answers, \
                  download platform certificates, verify and decrypt captured callbacks, check a \
                  configuration, and run a local sandbox of the platform.",
    after_help = "Example, from the sandbox to a first request:\n  \
                  wechatpay mock serve --keys-dir ./sandbox &\n  \
                  . ./sandbox/env.sh\n  \
                  wechatpay request POST v3/parking/reminders/ext-payment --json '{\"out_trade_no\": \"T1\"}'\n\n\
                  Run `wechatpay --help` for the configuration table and the exit codes.",
    after_long_help = MAIN_HELP
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the configuration comes from; see the table in `wechatpay --help`.
#[derive(Args, Debug, Default, Clone)]
#[command(next_help_heading = "Configuration (flag > environment > profile)")]
pub struct ConfigArgs {
    /// Merchant id (env WECHATPAY_MCHID)
    #[arg(long, global = true, value_name = "DIGITS")]
    pub mchid: Option<String>,
    /// Merchant API certificate serial (env WECHATPAY_MERCHANT_SERIAL)
    #[arg(long, global = true, value_name = "HEX")]
    pub merchant_serial: Option<String>,
    /// Merchant API private key PEM file, apiclient_key.pem (env WECHATPAY_PRIVATE_KEY)
    #[arg(long, global = true, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// Platform public key id, PUB_KEY_ID_... (env WECHATPAY_PUBLIC_KEY_ID)
    #[arg(long, global = true, value_name = "ID")]
    pub public_key_id: Option<String>,
    /// Platform public key PEM file (env WECHATPAY_PUBLIC_KEY)
    #[arg(long, global = true, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// Folder of platform certificate PEM files (env WECHATPAY_CERTIFICATES)
    #[arg(long, global = true, value_name = "DIR")]
    pub certificates: Option<PathBuf>,
    /// File holding the APIv3 key (else env WECHATPAY_APIV3_KEY, else a prompt when needed)
    #[arg(long, global = true, value_name = "FILE")]
    pub apiv3_key_file: Option<PathBuf>,
    /// API base URL, default https://api.mch.weixin.qq.com/ (env WECHATPAY_BASE_URL)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Profile to read from the profiles file
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Profiles file (default: <config folder>/wechatpay/profiles.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Send a signed request and print the verified answer
    #[command(
        after_help = "Example:\n  wechatpay request GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' \\\n      --param out_trade_no=T1 --query mchid=1900000001",
        after_long_help = REQUEST_HELP
    )]
    Request(RequestArgs),
    /// Platform certificates
    #[command(subcommand)]
    Certificates(CertificatesCommand),
    /// Callbacks (notifications)
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Check a configuration and say what is wrong, one line per check
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// The embedded mock WeChat Pay server, as a standalone sandbox
    #[command(subcommand)]
    Mock(MockCommand),
}

const REQUEST_HELP: &str = "\
The path is named as in the library's client.chain(PATH): camelCase segments become
kebab-case and `_name_` means the variable {name}; identifiers go in --param, never in the
path. Path values and query parameters are percent-encoded; the signature covers the exact
target and body sent.

Output: the status line, the Request-ID and the platform key that verified the answer go to
standard error; the body goes to standard output (pretty JSON on a terminal, the bytes as
received when piped). An answer that fails verification is never printed. An API error
prints its code, message and detail; on SIGN_ERROR the message the platform built is shown
beside the one built here, so a mismatch is visible.

Exit codes: 0 2xx, 2 usage, 3 configuration, 4 API error, 5 verification failure,
6 transport failure.

Examples:
  wechatpay request POST v3/parking/reminders/ext-payment --json @reminder.json
  wechatpay request GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' \\
      --param out_trade_no=T1 --query mchid=1900000001 -v
  wechatpay request GET v3/certificates | jq .data[0].serial_no";

const DOCTOR_HELP: &str = "\
Checks: the merchant id and serial, the private key (readable, size) and, with
--merchant-certificate, that it belongs to that certificate and serial; the APIv3 key
length; the platform public key and its PUB_KEY_ID; each platform certificate's validity;
the base URL; and the clock against the server's Date header (skip with --offline).
Each line reads ok, warn, skip or FAIL; the exit code is 1 when any check FAILs.

Example:
  wechatpay doctor --merchant-certificate apiclient_cert.pem";

#[derive(Args)]
struct RequestArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE, ...
    method: String,
    /// API path, as for client.chain(PATH), e.g. v3/pay/transactions/out-trade-no/{out_trade_no}
    path: String,
    /// JSON body, given inline or as @FILE (@- reads standard input)
    #[arg(long, value_name = "JSON|@FILE")]
    json: Option<String>,
    /// Query parameter (repeatable; order is kept)
    #[arg(long = "query", value_name = "KEY=VALUE", value_parser = parse_pair)]
    query: Vec<(String, String)>,
    /// Path variable value for {KEY} (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_pair)]
    param: Vec<(String, String)>,
    /// Extra request header (repeatable)
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header)]
    header: Vec<(String, String)>,
    /// Time allowed for the request, in seconds (default 30)
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Also print the request headers, the signing message and the response headers
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Subcommand)]
enum CertificatesCommand {
    /// Download, decrypt and verify the platform certificates into a folder
    #[command(after_help = "\
Writes wechatpay_<serial>.pem (mode 0600) for each certificate valid now, and prints its
serial and validity. Needs the APIv3 key. On any failure (a tampered answer included) it
exits non-zero and writes no file. The folder then serves as WECHATPAY_CERTIFICATES.

Example:
  wechatpay certificates download --output ./certificates")]
    Download {
        /// Folder to write the certificates into (created if missing)
        #[arg(long, short, value_name = "DIR")]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Verify and decrypt a captured callback and print its resource JSON
    #[command(after_help = "\
The headers file holds the callback's headers as `Name: value` lines, HTTP style (a request
or status line first is skipped); the body file holds the body bytes exactly as received.
Needs the platform key that signed it and the APIv3 key. Prints the decrypted resource on
standard output and the event type, id and verifying key on standard error; exit code 5
when the callback does not verify or decrypt.

Example:
  wechatpay notify parse --headers callback.headers --body callback.json | jq .out_trade_no")]
    Parse {
        /// File of `Name: value` header lines
        #[arg(long, value_name = "FILE")]
        headers: PathBuf,
        /// File holding the raw body
        #[arg(long, value_name = "FILE")]
        body: PathBuf,
    },
}

#[derive(Args)]
struct DoctorArgs {
    /// The merchant API certificate (apiclient_cert.pem): check the key and serial against it
    #[arg(long, value_name = "FILE")]
    merchant_certificate: Option<PathBuf>,
    /// Skip the checks that need the network (the clock against the server)
    #[arg(long)]
    offline: bool,
}

#[derive(Subcommand)]
enum MockCommand {
    /// Run the mock WeChat Pay server on 127.0.0.1 until Ctrl-C or SIGTERM
    #[command(after_long_help = MOCK_HELP, after_help = MOCK_HELP)]
    Serve(MockServeArgs),
}

const MOCK_HELP: &str = "\
The sandbox verifies each request's signature as the platform does (401 SIGN_ERROR when it
does not match), signs its 2xx answers, answers /v3/certificates, and 404s unknown routes.
Its first line of output is `listening on http://127.0.0.1:PORT/`; then one line per
request: method, target, and whether its signature verified.

Into --keys-dir it writes its fixed TEST keys (public: never use them for anything real):
apiclient_key.pem, apiclient_cert.pem, pub_key.pem, pub_key_id.txt,
certificates/wechatpay_<serial>.pem, apiv3_key.txt, env.sh (exports the WECHATPAY_*
variables pointing at them and at the sandbox) and profiles.toml (a [mock] profile).

Built-in routes (unless --no-default-routes):
  POST /v3/parking/reminders/ext-payment                        204
  GET  /v3/pay/transactions/out-trade-no/{out_trade_no}         200 an order
  POST /v3/pay/transactions/native                              200 a code_url
  POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close   204
A routes file is a JSON array of {\"method\", \"path\" (template), \"status\", \"body\"}; `{name}`
in the body's strings becomes the path variable's value. Its routes are added to (or
replace) the built-in ones.

Example:
  wechatpay mock serve --keys-dir ./sandbox --routes routes.json --fault bad-signature";

#[derive(Args)]
struct MockServeArgs {
    /// Port on 127.0.0.1 (0: any free port; the first output line tells which)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Folder to write the keys, ids and env.sh into (default: <temp>/wechatpay-mock)
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
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

fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.trim().to_owned())),
        _ => Err(format!("expected 'Name: value', got {text:?}")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Request(args) => {
            let config = config::Config::resolve(&cli.config)?;
            request::run(&config, args).await
        }
        Command::Certificates(CertificatesCommand::Download { output }) => {
            let config = config::Config::resolve(&cli.config)?;
            certificates::download(&config, &output).await
        }
        Command::Notify(NotifyCommand::Parse { headers, body }) => {
            let config = config::Config::resolve(&cli.config)?;
            notify::parse(&config, &headers, &body).await
        }
        Command::Doctor(args) => {
            let config = config::Config::resolve(&cli.config)?;
            doctor::run(&config, args.merchant_certificate.as_deref(), args.offline).await
        }
        Command::Mock(MockCommand::Serve(args)) => mock::serve(args).await,
    }
}
