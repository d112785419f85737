//! The scripts: the command tree as tables (one `case` arm per command), then a fixed
//! function per shell that walks the words typed so far with them.
//!
//! Every shell's walk is the same: a word that names a subcommand of the current command
//! moves into it; a flag that takes a value skips the next word; any other word is the next
//! positional argument (the first one is kept: it is the METHOD). Then the word under the
//! cursor gets: a flag's value (its choices, else files), a flag (when it starts with `-`),
//! a subcommand, or what the positional argument at that place offers.

use super::Node;

/// `'text'`, for any shell here (a `'` inside written the POSIX way, which fish reads too).
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The kinds of the positionals, space-separated.
fn kinds(node: &Node) -> String {
    node.positionals
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The header every script starts with.
fn header(comment: &str, shell: &str, install: &str) -> String {
    format!(
        "{comment} {shell} completion for wechatpay, written by `wechatpay completions {shell}`.\n\
         {comment} {install}\n\
         {comment} Commands and flags are listed here; the catalogue's path templates come from\n\
         {comment} `wechatpay __complete-path METHOD PREFIX`, so they follow the binary installed.\n\n"
    )
}

/// The bash script.
pub fn bash(nodes: &[Node]) -> String {
    let mut out = header("#", "bash", "Load it with `source <(wechatpay completions bash)`.");
    out.push_str("_wechatpay_node() {\n    case \"$1\" in\n");
    for node in nodes {
        out.push_str(&format!(
            "        {}) subs={}; flags={}; valued={}; kinds={};;\n",
            quote(&node.path),
            quote(&node.subcommands.join(" ")),
            quote(&node.flags.join(" ")),
            quote(&node.valued.join(" ")),
            quote(&kinds(node)),
        ));
    }
    out.push_str("        *) subs=''; flags=''; valued=''; kinds='';;\n    esac\n}\n\n");
    out.push_str("_wechatpay_choices() {\n    case \"$1\" in\n");
    for (key, values) in choices(nodes) {
        out.push_str(&format!(
            "        {}) choices={};;\n",
            quote(&key),
            quote(&values.join(" "))
        ));
    }
    out.push_str("        *) choices='';;\n    esac\n}\n");
    out.push_str(BASH);
    out
}

/// The zsh script.
pub fn zsh(nodes: &[Node]) -> String {
    let mut out = String::from("#compdef wechatpay\n");
    out.push_str(&header(
        "#",
        "zsh",
        "Save it as _wechatpay in a folder of $fpath, or `source <(wechatpay completions zsh)`.",
    ));
    out.push_str("_wechatpay_node() {\n    case \"$1\" in\n");
    for node in nodes {
        out.push_str(&format!(
            "        ({}) subs=({}); flags=({}); valued=({}); kinds=({});;\n",
            quote(&node.path),
            node.subcommands.join(" "),
            node.flags.join(" "),
            node.valued.join(" "),
            kinds(node),
        ));
    }
    out.push_str("        (*) subs=(); flags=(); valued=(); kinds=();;\n    esac\n}\n\n");
    out.push_str("_wechatpay_choices() {\n    case \"$1\" in\n");
    for (key, values) in choices(nodes) {
        out.push_str(&format!("        ({}) reply=({});;\n", quote(&key), values.join(" ")));
    }
    out.push_str("        (*) reply=();;\n    esac\n}\n");
    out.push_str(ZSH);
    out
}

/// The fish script.
pub fn fish(nodes: &[Node]) -> String {
    let mut out = header("#", "fish", "Save it as ~/.config/fish/completions/wechatpay.fish.");
    out.push_str("function __wechatpay_node --argument-names node field\n    switch \"$node:$field\"\n");
    let lists = |node: &Node| {
        [
            ("subs", node.subcommands.clone()),
            ("flags", node.flags.clone()),
            ("valued", node.valued.clone()),
            (
                "kinds",
                node.positionals.iter().map(|k| k.as_str().to_owned()).collect(),
            ),
        ]
    };
    for node in nodes {
        for (field, list) in lists(node) {
            if !list.is_empty() {
                out.push_str(&fish_case(&format!("{}:{field}", node.path), &list));
            }
        }
    }
    for (key, values) in choices(nodes) {
        out.push_str(&fish_case(&format!("{key}:choices"), &values));
    }
    out.push_str("    end\nend\n");
    out.push_str(FISH);
    out
}

/// One arm of the fish `switch`: the words, one a line.
fn fish_case(pattern: &str, words: &[String]) -> String {
    let words: Vec<String> = words.iter().map(|w| quote(w)).collect();
    format!(
        "        case {}\n            printf '%s\\n' {}\n",
        quote(pattern),
        words.join(" ")
    )
}

/// Every fixed set of choices, keyed `command --flag` or `command @N` (N from 1).
fn choices(nodes: &[Node]) -> Vec<(String, Vec<String>)> {
    nodes
        .iter()
        .flat_map(|node| {
            node.choices.iter().map(move |(key, values)| {
                let key = if node.path.is_empty() {
                    key.clone()
                } else {
                    format!("{} {key}", node.path)
                };
                (key, values.clone())
            })
        })
        .collect()
}

/// The bash walk (see the module's doc).
const BASH: &str = r#"
_wechatpay() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd='' method='' flag='' word i n=0
    local subs flags valued kinds choices
    local -a kind
    _wechatpay_node ''
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        flag=''
        if [[ $word == -* ]]; then
            if [[ $word != *=* && " $valued " == *" $word "* ]]; then
                flag=$word
                ((i++))
            fi
        elif [[ " $subs " == *" $word "* ]]; then
            cmd=${cmd:+$cmd }$word
            _wechatpay_node "$cmd"
            n=0
        else
            ((n == 0)) && method=$word
            ((n++))
        fi
    done
    COMPREPLY=()
    if ((i > COMP_CWORD)); then
        _wechatpay_choices "${cmd:+$cmd }$flag"
        if [[ -n $choices ]]; then
            COMPREPLY=($(compgen -W "$choices" -- "$cur"))
        else
            compopt -o default
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi
    if [[ -n $subs ]]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
        return
    fi
    read -ra kind <<< "$kinds"
    case ${kind[n]} in
        method) COMPREPLY=($(compgen -W 'GET POST PUT PATCH DELETE' -- "${cur^^}")) ;;
        path)
            local IFS=$'\n'
            COMPREPLY=($(command "${COMP_WORDS[0]}" __complete-path "$method" "$cur" 2>/dev/null))
            [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]] && compopt -o nospace
            ;;
        choice)
            _wechatpay_choices "${cmd:+$cmd }@$((n + 1))"
            COMPREPLY=($(compgen -W "$choices" -- "$cur"))
            ;;
        file) compopt -o default ;;
    esac
}
complete -F _wechatpay wechatpay
"#;

/// The zsh walk (see the module's doc).
const ZSH: &str = r#"
_wechatpay() {
    local cmd='' method='' flag='' word
    local -i i n=0
    local -a subs flags valued kinds reply found
    _wechatpay_node ''
    for ((i = 2; i < CURRENT; i++)); do
        word=${words[i]}
        flag=''
        if [[ $word == -* ]]; then
            if [[ $word != *=* ]] && (( ${valued[(Ie)$word]} )); then
                flag=$word
                ((i++))
            fi
        elif (( ${subs[(Ie)$word]} )); then
            cmd=${cmd:+$cmd }$word
            _wechatpay_node "$cmd"
            n=0
        else
            ((n == 0)) && method=$word
            ((n++))
        fi
    done
    if ((i > CURRENT)); then
        _wechatpay_choices "${cmd:+$cmd }$flag"
        if (( $#reply )); then compadd -a reply; else _files; fi
        return
    fi
    if [[ $PREFIX == -* ]]; then
        compadd -a flags
        return
    fi
    if (( $#subs )); then
        compadd -a subs
        return
    fi
    case ${kinds[n + 1]} in
        (method) compadd -M 'm:{a-z}={A-Z}' GET POST PUT PATCH DELETE ;;
        (path)
            found=(${(f)"$(command ${words[1]} __complete-path "$method" "$PREFIX" 2>/dev/null)"})
            compadd -S '' -- ${(M)found:#*/}
            compadd -- ${found:#*/}
            ;;
        (choice)
            _wechatpay_choices "${cmd:+$cmd }@$((n + 1))"
            compadd -a reply
            ;;
        (file) _files ;;
    esac
}

if [[ $funcstack[1] == _wechatpay ]]; then
    _wechatpay "$@"
else
    compdef _wechatpay wechatpay
fi
"#;

/// The fish walk (see the module's doc).
const FISH: &str = r#"
function __wechatpay_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd ''
    set -l method ''
    set -l flag ''
    set -l n 0
    set -l subs (__wechatpay_node '' subs)
    set -l valued (__wechatpay_node '' valued)
    for word in $words[2..-1]
        if test -n "$flag"
            set flag ''
            continue
        end
        if string match -q -- '-*' $word
            if not string match -q -- '*=*' $word; and contains -- $word $valued
                set flag $word
            end
        else if contains -- $word $subs
            set cmd (string trim -- "$cmd $word")
            set subs (__wechatpay_node $cmd subs)
            set valued (__wechatpay_node $cmd valued)
            set n 0
        else
            test $n -eq 0; and set method $word
            set n (math $n + 1)
        end
    end
    if test -n "$flag"
        set -l values (__wechatpay_node (string trim -- "$cmd $flag") choices)
        if set -q values[1]
            printf '%s\n' $values
        else
            __fish_complete_path $cur
        end
        return
    end
    if string match -q -- '-*' $cur
        __wechatpay_node $cmd flags
        return
    end
    if set -q subs[1]
        printf '%s\n' $subs
        return
    end
    set -l kinds (__wechatpay_node $cmd kinds)
    set -l kind ''
    test (count $kinds) -gt $n; and set kind $kinds[(math $n + 1)]
    switch $kind
        case method
            printf '%s\n' GET POST PUT PATCH DELETE
        case path
            command $words[1] __complete-path "$method" "$cur" 2>/dev/null
        case choice
            __wechatpay_node (string trim -- "$cmd @"(math $n + 1)) choices
        case file
            __fish_complete_path $cur
    end
end

complete -c wechatpay -f -a '(__wechatpay_complete)'
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_a_quote() {
        assert_eq!(quote("api show"), "'api show'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
