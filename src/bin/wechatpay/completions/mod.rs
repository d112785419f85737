//! `wechatpay completions SHELL`: a completion script for bash, zsh or fish.
//!
//! The script holds the commands and flags, read from the clap definition, so it never lists
//! one the binary does not have. The catalogue's 1,154 path templates are not in it: the
//! script asks the binary for them (`wechatpay __complete-path METHOD PREFIX`, a hidden
//! command), one segment at a time. So the script stays a few kilobytes instead of about
//! 60 KB per shell, the paths offered are always those of the installed binary's catalogue,
//! they are filtered by the METHOD already typed, and a shell shows the next segments
//! (`v3/pay/transactions/`) rather than hundreds of full templates at once.

mod scripts;

use std::collections::BTreeSet;

use clap::{ArgAction, Args, ValueEnum, ValueHint};
use wechatpay::catalog::Catalog;

use crate::exit::{self, Failure};

/// Shown after `wechatpay completions --help`.
pub const HELP: &str = "\
The script completes commands, flags, flag values with a fixed set of choices, and for
`request`, `api show` and `api example` the METHOD and the catalogue's path templates,
segment by segment, filtered by the METHOD (it runs `wechatpay __complete-path` for those).

Examples:
  source <(wechatpay completions bash)            # bash, this shell only
  wechatpay completions bash > ~/.local/share/bash-completion/completions/wechatpay
  wechatpay completions zsh > \"${fpath[1]}/_wechatpay\"
  wechatpay completions fish > ~/.config/fish/completions/wechatpay.fish";

/// The shells a script can be written for.
#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
    /// GNU bash 4 or later (with or without the bash-completion package)
    Bash,
    /// zsh (compsys)
    Zsh,
    /// fish 3 or later
    Fish,
}

/// `completions SHELL`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for
    #[arg(value_enum)]
    shell: Shell,
}

/// `__complete-path METHOD PREFIX` (hidden; the scripts call it).
#[derive(Args)]
pub struct CompletePathArgs {
    /// The method typed so far (anything else: every method)
    #[arg(default_value = "")]
    method: String,
    /// The path typed so far
    #[arg(default_value = "", allow_hyphen_values = true)]
    prefix: String,
}

/// What a positional argument's completion offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HTTP method.
    Method,
    /// A catalogue path template.
    Path,
    /// One of the argument's possible values.
    Choice,
    /// A file name (the shell's default).
    File,
    /// Nothing to offer (free text).
    Text,
}

impl Kind {
    /// The name the scripts use.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Method => "method",
            Kind::Path => "path",
            Kind::Choice => "choice",
            Kind::File => "file",
            Kind::Text => "text",
        }
    }
}

/// One command of the tree, as a script needs it.
#[derive(Debug, Default)]
pub struct Node {
    /// The subcommand names from the top, space-separated (`api show`; empty for the top).
    pub path: String,
    /// Its visible subcommands.
    pub subcommands: Vec<String>,
    /// Every flag, long and short (`--json`, `-v`).
    pub flags: Vec<String>,
    /// The flags that take a value.
    pub valued: Vec<String>,
    /// What each positional argument offers, in order.
    pub positionals: Vec<Kind>,
    /// Fixed choices: by flag (`--mode`) or by positional number (`@1`).
    pub choices: Vec<(String, Vec<String>)>,
}

/// Every visible command of `command` (built, so global flags are everywhere), depth first.
pub fn nodes(command: &mut clap::Command) -> Vec<Node> {
    command.build();
    let mut out = Vec::new();
    walk(command, String::new(), &mut out);
    out
}

fn walk(command: &clap::Command, path: String, out: &mut Vec<Node>) {
    let visible = || {
        command
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
    };
    let mut node = Node {
        path: path.clone(),
        subcommands: visible().map(|sub| sub.get_name().to_owned()).collect(),
        ..Node::default()
    };
    for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
        add_argument(&mut node, arg);
    }
    out.push(node);
    for sub in visible() {
        let path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        walk(sub, path, out);
    }
}

/// Files a flag or positional argument under `node`.
fn add_argument(node: &mut Node, arg: &clap::Arg) {
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| value.get_name().to_owned())
        .collect();
    if arg.is_positional() {
        let kind = match arg.get_id().as_str() {
            "method" => Kind::Method,
            "path" => Kind::Path,
            _ if !choices.is_empty() => Kind::Choice,
            _ if arg.get_value_hint() == ValueHint::Other => Kind::Text,
            _ => Kind::File,
        };
        node.positionals.push(kind);
        if kind == Kind::Choice {
            node.choices.push((format!("@{}", node.positionals.len()), choices));
        }
        return;
    }
    let takes_value = arg.get_action().takes_values() && !matches!(arg.get_action(), ArgAction::Help);
    let names = arg
        .get_long()
        .map(|long| format!("--{long}"))
        .into_iter()
        .chain(arg.get_short().map(|short| format!("-{short}")));
    for name in names {
        if takes_value {
            node.valued.push(name.clone());
            if !choices.is_empty() {
                node.choices.push((name.clone(), choices.clone()));
            }
        }
        node.flags.push(name);
    }
}

/// Runs `completions SHELL`: the script on standard output.
pub fn run(args: &CompletionsArgs, mut command: clap::Command) -> Result<u8, Failure> {
    let nodes = nodes(&mut command);
    let script = match args.shell {
        Shell::Bash => scripts::bash(&nodes),
        Shell::Zsh => scripts::zsh(&nodes),
        Shell::Fish => scripts::fish(&nodes),
    };
    crate::output::emit(script.as_bytes());
    Ok(exit::OK)
}

/// Runs `__complete-path METHOD PREFIX`: the candidates, one a line.
pub fn run_path(args: &CompletePathArgs) -> Result<u8, Failure> {
    let candidates: String = path_candidates(&args.method, &args.prefix)
        .into_iter()
        .map(|candidate| candidate + "\n")
        .collect();
    crate::output::emit(candidates.as_bytes());
    Ok(exit::OK)
}

/// The catalogue's path templates that start with `prefix`, each cut after the segment that
/// follows the prefix (`v3/pay` gives `v3/pay/`, `v3/payscore/`, ...; a template whose
/// remainder is a single segment is given whole). Only those of `method` when the
/// catalogue has that method. The leading slash follows the prefix's: there when it has
/// one, else not.
pub fn path_candidates(method: &str, prefix: &str) -> BTreeSet<String> {
    let catalog = Catalog::get();
    let known = catalog.operations().any(|op| op.method().eq_ignore_ascii_case(method));
    let (slash, typed) = match prefix.strip_prefix('/') {
        Some(rest) => ("/", rest),
        None => ("", prefix),
    };
    catalog
        .operations()
        .filter(|op| !known || op.method().eq_ignore_ascii_case(method))
        .filter_map(|op| {
            let template = op.template().strip_prefix('/').unwrap_or(op.template());
            let rest = template.strip_prefix(typed)?;
            let end = rest.find('/').map_or(template.len(), |i| typed.len() + i + 1);
            Some(format!("{slash}{}", &template[..end]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_complete_one_segment_at_a_time_for_the_method() {
        let found = path_candidates("post", "v3/parking/");
        assert!(found.contains("v3/parking/reminders/"), "{found:?}");
        assert!(
            found
                .iter()
                .all(|c| c.starts_with("v3/parking/") && !c.starts_with('/'))
        );
        let found = path_candidates("POST", "/v3/parking/reminders/ext");
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["/v3/parking/reminders/ext-payment"]
        );
        // A method the catalogue does not have: every method's paths.
        assert!(!path_candidates("", "v3/pay").is_empty());
        // GET has no ext-payment.
        assert!(path_candidates("GET", "v3/parking/reminders/ext").is_empty());
        assert!(path_candidates("GET", "no/such").is_empty());
    }
}
