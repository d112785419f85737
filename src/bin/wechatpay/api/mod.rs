//! `wechatpay api search|show|example`: the operation catalogue from the command line, to
//! find an operation, read what it takes and answers, and get a body to start from. No
//! configuration is needed: everything comes from the catalogue built into the binary.

mod describe;
mod render;
mod text;

use clap::{Args, Subcommand, ValueHint};
use wechatpay::catalog::{Catalog, Location, Operation, Protocol};
use wechatpay::protocol::v2;
use wechatpay::text::visible;

use crate::exit::{self, Failure};
use crate::output;

/// Shown after `wechatpay api -h`.
pub const SHORT_HELP: &str = "\
Example, from a word to a request:
  wechatpay api search 停车
  wechatpay api show POST v3/parking/reminders/ext-payment
  wechatpay api example POST v3/parking/reminders/ext-payment \\
      | wechatpay request POST v3/parking/reminders/ext-payment --json @-";

/// Shown after `wechatpay api --help`.
pub const HELP: &str = "\
The catalogue is the platform's published description of its operations (1,154 of them:
method, path template, parameters, request and answer fields with their rules, examples),
built into the binary: these commands need no configuration and no network. Nothing in it
is authoritative: where it disagrees with the platform, the platform wins.

`wechatpay request` checks each request against the same catalogue before sending it.

Example, from a word to a request:
  wechatpay api search 停车
  wechatpay api show POST v3/parking/reminders/ext-payment
  wechatpay api example POST v3/parking/reminders/ext-payment \\
      | wechatpay request POST v3/parking/reminders/ext-payment --json @-";

/// Shown after `wechatpay api search --help`.
const SEARCH_HELP: &str = "\
Each word must match, ignoring case, part of the path template, the (Chinese) summary, a tag
or a role. Operations whose path matches more of the words come first, then those whose
summary does. Standard output gets one line per operation (method, path template,
summary); standard error gets the count. Exit code 1 when nothing matches.

Examples:
  wechatpay api search 停车
  wechatpay api search refund 查询
  wechatpay api search v3/pay/transactions --json | jq '.[].path'";

/// Shown after `wechatpay api show --help`.
const SHOW_HELP: &str = "\
PATH is named as for `wechatpay request`: a template (v3/pay/transactions/id/{id}, any
variable names) or a concrete path (v3/pay/transactions/id/4200001), with or without the
leading slash; v2 operations as v2/pay/micropay. Shown: the summary, tags, roles, whether
the client certificate is needed, another host if the operation has one, the documented
success status, the path variables, query parameters and headers, then the request body
and the answer as trees of fields: type, `required`, allowed values, length, number and
item limits, pattern, format, and the start of each field's description. --json prints all
of it as JSON, descriptions whole. An unknown operation exits 1, with the nearest one.

Examples:
  wechatpay api show POST v3/parking/reminders/ext-payment
  wechatpay api show GET v3/pay/transactions/out-trade-no/T1 --json | jq .query_parameters";

/// Shown after `wechatpay api example --help`.
const EXAMPLE_HELP: &str = "\
Prints an example request body for the operation: the description's own examples, with a
plausible value for each required field that has none. It passes the catalogue's checks, so
it can be sent as it is to the sandbox; against the platform, change the values first. The
top-level fields that name the calling merchant (mchid, mch_id, sp_mchid, combine_mchid,
combine_mch_id) name --mchid, else WECHATPAY_MCHID (no profile is read). An APIv2 example
leaves out sign and nonce_str, which the client fills in. Pretty JSON on a terminal, one
line when piped. An operation without a body prints nothing on standard output and says so
on standard error.

--params also prints, on standard error, example values of the path variables and query
parameters as the flags `wechatpay request` takes.

Examples:
  wechatpay api example POST v3/parking/reminders/ext-payment \\
      | wechatpay request POST v3/parking/reminders/ext-payment --json @-
  wechatpay api example GET v3/pay/transactions/out-trade-no/{out_trade_no} --params";

/// The `api` subcommands.
#[derive(Subcommand)]
pub enum ApiCommand {
    /// Find operations by words (Chinese summaries, tags, paths)
    #[command(after_help = SEARCH_HELP)]
    Search(SearchArgs),
    /// What an operation takes and answers: parameters and body fields with their rules
    #[command(after_help = SHOW_HELP)]
    Show(ShowArgs),
    /// An example request body, ready for `wechatpay request ... --json @-`
    #[command(after_help = EXAMPLE_HELP)]
    Example(ExampleArgs),
}

/// `api search WORDS...`.
#[derive(Args)]
pub struct SearchArgs {
    /// Words that must all match (a path, a Chinese word, a tag, a role)
    #[arg(required = true, value_name = "WORDS", value_hint = ValueHint::Other)]
    words: Vec<String>,
    /// Print the matches as a JSON array of {method, path, summary, tags}
    #[arg(long)]
    json: bool,
}

/// `api show METHOD PATH`.
#[derive(Args)]
pub struct ShowArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE
    pub method: String,
    /// Path template or concrete path, as for `wechatpay request`
    pub path: String,
    /// Print the description as JSON (for tools)
    #[arg(long)]
    json: bool,
}

/// `api example METHOD PATH`.
#[derive(Args)]
pub struct ExampleArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE
    pub method: String,
    /// Path template or concrete path, as for `wechatpay request`
    pub path: String,
    /// Also print example path variables and query parameters as --param/--query flags
    /// (on standard error)
    #[arg(long)]
    params: bool,
    /// The merchant the example names (default: env WECHATPAY_MCHID; without one, the
    /// documentation's)
    #[arg(long, value_name = "DIGITS", value_parser = merchant_id)]
    mchid: Option<String>,
}

/// Exit code when the catalogue has no such operation, or no match.
const NOT_FOUND: u8 = exit::FAILURE;

/// Runs an `api` subcommand.
pub fn run(command: ApiCommand) -> Result<u8, Failure> {
    match command {
        ApiCommand::Search(args) => search(&args),
        ApiCommand::Show(args) => show(&args),
        ApiCommand::Example(args) => example(&args),
    }
}

/// `api search`: one line per match, best first; the count on standard error.
fn search(args: &SearchArgs) -> Result<u8, Failure> {
    let words = args.words.join(" ");
    let found = Catalog::get().search(&words);
    if found.is_empty() {
        return Err(Failure::new(
            NOT_FOUND,
            format!("no catalogued operation matches {}", visible(&format!("{:?}", words))),
        ));
    }
    if args.json {
        let list: Vec<serde_json::Value> = found.iter().map(describe::summary).collect();
        output::print_json(&serde_json::Value::Array(list));
    } else {
        let mut lines = String::new();
        for op in &found {
            let line = format!("{:<6} {}  {}", op.method(), op.template(), op.summary());
            lines.push_str(&visible(&line));
            lines.push('\n');
        }
        output::emit(lines.as_bytes());
    }
    let noun = if found.len() == 1 { "operation" } else { "operations" };
    note!("{} {noun}", found.len());
    Ok(exit::OK)
}

/// `api show`: the operation in text (or JSON).
fn show(args: &ShowArgs) -> Result<u8, Failure> {
    let op = find(&args.method, &args.path)?;
    if args.json {
        output::print_json(&describe::operation(&op));
    } else {
        output::emit(render::operation(&op).as_bytes());
    }
    Ok(exit::OK)
}

/// `api example`: the example body on standard output, the example flags on standard error.
fn example(args: &ExampleArgs) -> Result<u8, Failure> {
    let op = find(&args.method, &args.path)?;
    // An offline command: the flag or the environment, never a profiles file.
    let merchant = match &args.mchid {
        Some(mchid) => Some(mchid.clone()),
        None => wechatpay::env::var(wechatpay::env::MCHID),
    };
    match op.example_request() {
        Some(mut body) => {
            ready_to_send(&op, &mut body, merchant.as_deref());
            output::print_json(&body)
        }
        None => note!("{op} takes no request body: nothing to print"),
    }
    if args.params {
        let flags = example_flags(&op, merchant.as_deref());
        if flags.is_empty() {
            note!("{op} has no path variable or query parameter");
        } else {
            note!("{}", visible(&flags));
        }
    }
    Ok(exit::OK)
}

/// `--mchid`: digits only.
fn merchant_id(text: &str) -> Result<String, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err("a merchant id is digits, such as 1900000001".into())
    }
}

/// The fields of a request body that name the calling merchant: those the client checks on
/// an APIv2 request, and their APIv3 spellings.
const MERCHANT_FIELDS: [&str; 5] = [
    v2::MERCHANT_FIELDS[0],
    v2::MERCHANT_FIELDS[1],
    v2::MERCHANT_FIELDS[2],
    "sp_mchid",
    "combine_mchid",
];

/// Makes an example body one the client sends as it is: the merchant fields name `merchant`
/// (when one is configured), and an APIv2 body loses the fields the client fills in.
fn ready_to_send(op: &Operation<'_>, body: &mut serde_json::Value, merchant: Option<&str>) {
    let Some(fields) = body.as_object_mut() else {
        return;
    };
    if op.protocol() == Protocol::V2 {
        fields.remove(v2::SIGN);
        fields.remove(v2::NONCE_STR);
    }
    if let Some(merchant) = merchant {
        for name in MERCHANT_FIELDS {
            if let Some(value) = fields.get_mut(name) {
                *value = serde_json::Value::String(merchant.to_owned());
            }
        }
    }
}

/// The example path variables and query parameters as `--param k=v --query k=v`, each
/// quoted for a POSIX shell when it needs to be.
fn example_flags(op: &Operation<'_>, merchant: Option<&str>) -> String {
    let mut flags = Vec::new();
    for (location, flag) in [(Location::Path, "--param"), (Location::Query, "--query")] {
        for (name, value) in op.example_parameters(location) {
            // As in the body: the client fills in an APIv2 sign and nonce, and the merchant
            // fields name the merchant given.
            if op.protocol() == Protocol::V2 && (name == v2::SIGN || name == v2::NONCE_STR) {
                continue;
            }
            let value = match merchant {
                Some(merchant) if MERCHANT_FIELDS.contains(&name) => merchant.to_owned(),
                _ => value,
            };
            flags.push(format!("{flag} {}", text::shell_quote(&format!("{name}={value}"))));
        }
    }
    flags.join(" ")
}

/// The catalogued operation that `method` and `path` (named as for `wechatpay request`)
/// name; when there is none, a failure that says what is near: the methods the path has, or
/// the nearest template.
pub fn find(method: &str, path: &str) -> Result<Operation<'static>, Failure> {
    let catalog = Catalog::get();
    let method = method.to_ascii_uppercase();
    let raw = format!("/{}", path.strip_prefix('/').unwrap_or(path));
    let normalized = format!("/{}", wechatpay::path::normalize_path(path));
    for candidate in [&raw, &normalized] {
        if let Some(op) = catalog.lookup(&method, candidate) {
            return Ok(op);
        }
    }
    let named = visible(&format!("{method} {raw}"));
    let others = catalog.lookup_path(&normalized);
    if let Some(first) = others.first() {
        let methods: Vec<&str> = others.iter().map(|op| op.method()).collect();
        return Err(Failure::new(
            NOT_FOUND,
            format!(
                "{named} is not catalogued; {} has {}",
                first.template(),
                methods.join(", ")
            ),
        ));
    }
    let hint = match catalog.closest(&method, &normalized) {
        Some(near) => format!("did you mean {} {}?", near.method(), near.template()),
        None => "try `wechatpay api search WORDS`".to_owned(),
    };
    Err(Failure::new(NOT_FOUND, format!("{named} is not catalogued; {hint}")))
}
