//! `wechatpay`: the command-line tool of the wechatpay crate (feature `cli`).
//!
//! `cargo install --path . --features cli`, then `wechatpay --help`. Each command's module
//! owns its arguments and its run function; this file only dispatches.

/// `println!` for the commands' results, through [`output::emit`]: a reader that has gone
/// is not a panic, and the command still ends with its own status.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::emit(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

/// `eprintln!` that cannot panic: a standard error that has gone (`2>&1 | head -1`) drops
/// the message.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod api;
mod certificates;
mod completions;
mod config;
mod doctor;
mod exit;
mod mock;
mod mock_log;
mod mock_notify;
mod notify;
mod notify_v2;
mod output;
mod request;
mod sign;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::config::{Config, ConfigArgs};
use crate::exit::Failure;

const MAIN_HELP: &str = "\
Configuration (each setting is looked up in this order: flag, environment, profile):
  setting               flag                        environment                      profile key
  merchant id           --mchid                     WECHATPAY_MCHID                  mchid
  merchant serial       --merchant-serial           WECHATPAY_MERCHANT_SERIAL        merchant_serial
  private key (file)    --private-key FILE          WECHATPAY_PRIVATE_KEY            private_key
  merchant certificate  --merchant-certificate FILE WECHATPAY_MERCHANT_CERTIFICATE   merchant_certificate
  public key id         --public-key-id             WECHATPAY_PUBLIC_KEY_ID          public_key_id
  public key (file)     --public-key FILE           WECHATPAY_PUBLIC_KEY             public_key
  certificates (folder) --certificates DIR          WECHATPAY_CERTIFICATES           certificates
  APIv3 key             --apiv3-key-file FILE       WECHATPAY_APIV3_KEY              apiv3_key_file
  APIv2 key             --apiv2-key-file FILE       WECHATPAY_APIV2_KEY              apiv2_key_file
  CA certificate        --ca-certificate FILE       WECHATPAY_CA_CERTIFICATE         ca_certificate
  base URL              --base-url                  WECHATPAY_BASE_URL               base_url
The merchant serial is not needed with the merchant certificate (apiclient_cert.pem), which
holds it; given both, they must agree. The merchant certificate is also the client
certificate of the APIv2 operations that need one (refunds, ...). The CA certificate is
trusted besides the system's (a sandbox's sandbox_ca.pem).
The flags go after the command that uses them (request, certificates download, notify
parse, sign, doctor), or before it: `wechatpay --profile mock request ...`.
Profiles are TOML tables in $XDG_CONFIG_HOME/wechatpay/profiles.toml (or
~/.config/wechatpay/profiles.toml; %APPDATA%\\wechatpay\\profiles.toml on Windows), chosen with
--profile NAME (the [default] table when there is one and no --profile); --config FILE reads
another file. Relative paths in a profile are relative to the profile file. With --profile,
a note on standard error names the environment variables that still set something.
Secrets never go on the command line: keys are read from files; the APIv3 key from
WECHATPAY_APIV3_KEY, a file, or a prompt (without echo; one line of standard input when
it is not a terminal) for the commands that need it; the APIv2 key from WECHATPAY_APIV2_KEY
or a file.

Exit codes:
  0  success (a 2xx answer, verified)
  1  other failure (a doctor check FAILed, a file could not be written, nothing in the
     catalogue matches `api search` or `api show`, ...)
  2  usage: bad arguments, or a request that cannot be built (missing path parameter, ...)
     or that breaks the operation catalogue's rules (nothing is sent)
  3  configuration: missing or invalid settings, unreadable or unfit keys
  4  API error: the platform answered non-2xx, or refused or declined an APIv2 call (what
     it said is printed as JSON)
  5  verification failure: the answer or callback could not be authenticated or decrypted
     (bad signature, missing Wechatpay-* headers, clock skew, unknown platform key)
  6  transport failure: connection refused, TLS error, timeout

Example, from the sandbox to a first request:
  wechatpay mock serve --keys-dir ./sandbox &        # a local WeChat Pay sandbox
  . ./sandbox/env.sh                                  # point WECHATPAY_* at it
  wechatpay api search 停车                          # find an operation
  wechatpay api show POST v3/parking/reminders/ext-payment
  wechatpay api example POST v3/parking/reminders/ext-payment \\
      | wechatpay request POST v3/parking/reminders/ext-payment --json @-";

#[derive(Parser)]
#[command(
    name = "wechatpay",
    version,
    about = "WeChat Pay APIv3 from the command line: signed requests, verified answers, a local sandbox",
    long_about = "WeChat Pay APIv3 from the command line: send signed requests and print verified answers, \
                  download platform certificates, verify and decrypt captured callbacks, check a \
                  configuration, run a local sandbox of the platform, and browse the catalogue of \
                  the platform's operations (checked before each request is sent).",
    after_help = "Example, from the sandbox to a first request:\n  \
                  wechatpay mock serve --keys-dir ./sandbox &\n  \
                  . ./sandbox/env.sh\n  \
                  wechatpay api example POST v3/parking/reminders/ext-payment \\\n      \
                  | wechatpay request POST v3/parking/reminders/ext-payment --json @-\n\n\
                  Run `wechatpay --help` for the configuration table and the exit codes.",
    after_long_help = MAIN_HELP
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send a signed request and print the verified answer
    #[command(after_help = request::SHORT_HELP, after_long_help = request::HELP)]
    Request(request::RequestArgs),
    /// Platform certificates
    #[command(subcommand)]
    Certificates(certificates::CertificatesCommand),
    /// Callbacks (notifications)
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
    /// Payment parameters for the front end: sign an order's prepay_id (JSAPI, mini-program, APP)
    #[command(subcommand, after_help = sign::HELP)]
    Sign(sign::SignCommand),
    /// Check a configuration and say what is wrong, one line per check
    #[command(after_help = doctor::HELP)]
    Doctor(doctor::DoctorArgs),
    /// The embedded mock WeChat Pay server, as a standalone sandbox
    #[command(subcommand)]
    Mock(mock::MockCommand),
    /// The operation catalogue: find an operation, what it takes and answers, an example body
    #[command(subcommand, after_help = api::SHORT_HELP, after_long_help = api::HELP)]
    Api(api::ApiCommand),
    /// Print a shell completion script (bash, zsh, fish)
    #[command(after_help = completions::HELP)]
    Completions(completions::CompletionsArgs),
    /// Path templates for the completion scripts: `__complete-path METHOD PREFIX`
    #[command(name = "__complete-path", hide = true)]
    CompletePath(completions::CompletePathArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            note!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            note!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    // The configuration flags may come before the command or after it (which wins).
    let before = &cli.config;
    let config = |after: &ConfigArgs| {
        let merged = after.or(before);
        let config = Config::resolve(&merged)?;
        if let Some(profile) = &merged.profile {
            config.note_environment_over(profile);
        }
        Ok::<_, Failure>(config)
    };
    match cli.command {
        Command::Request(args) => request::run(&config(&args.config)?, args).await,
        Command::Certificates(command) => certificates::run(&config(command.config())?, command).await,
        Command::Notify(command) => notify::run(&config(command.config())?, command).await,
        Command::Sign(command) => sign::run(&config(command.config())?, command),
        Command::Doctor(args) => doctor::run(&config(&args.config)?, args).await,
        Command::Mock(command) => {
            unused(before, command.name())?;
            mock::run(command).await
        }
        Command::Api(command) => {
            unused(before, "api")?;
            api::run(command)
        }
        Command::Completions(args) => {
            unused(before, "completions")?;
            completions::run(&args, Cli::command())
        }
        Command::CompletePath(args) => completions::run_path(&args),
    }
}

/// Configuration flags before a command that uses no configuration are a mistake to report,
/// not to ignore.
fn unused(before: &ConfigArgs, command: &str) -> Result<(), Failure> {
    if before.is_empty() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "`wechatpay {command}` takes no merchant configuration: remove the configuration flags"
        )))
    }
}
