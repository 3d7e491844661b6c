//! The `help` listing and the "Unknown command" replies of the stats CLI.
//! Only the commands harp implements are listed, with HAProxy 2.6's usage
//! lines (scripts and people match on them).

/// (keywords, usage line) for each implemented command, in HAProxy's order.
pub const COMMANDS: &[(&str, &str)] = &[
    ("clear counters", "  clear counters [all]                    : clear max statistics counters (or all counters)"),
    ("disable agent", "  disable agent                           : disable agent checks"),
    ("disable health", "  disable health                          : disable health checks"),
    ("disable server", "  disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)"),
    ("enable agent", "  enable agent                            : enable agent checks"),
    ("enable health", "  enable health                           : enable health checks"),
    ("enable server", "  enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)"),
    ("get weight", "  get weight <bk>/<srv>                   : report a server's current weight"),
    ("operator", "  operator                                : lower the level of the current CLI session to operator"),
    ("set maxconn frontend", "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting"),
    ("set maxconn global", "  set maxconn global <value>              : change the per-process maxconn setting"),
    ("set server", "  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl"),
    ("set weight", "  set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)"),
    ("show cli level", "  show cli level                          : display the level of the current CLI session"),
    ("show info", "  show info [desc|json|typed|float]*      : report information about the running process"),
    ("show servers state", "  show servers state [<backend>]          : dump volatile server information (all or for a single backend)"),
    ("show stat", "  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server"),
    ("user", "  user                                    : lower the level of the current CLI session to user"),
];

/// Always listed last.
const TRAILER: &[&str] = &[
    "  help [<command>]                        : list matching or all commands",
    "  prompt                                  : toggle interactive mode with prompt",
    "  quit                                    : disconnect",
];

fn listing<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for l in lines.chain(TRAILER.iter().copied()) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Usage lines of the commands whose keywords share the most leading
/// words with `words` (none when not even the first word matches).
fn closest(words: &[&str]) -> Vec<&'static str> {
    let shared = |kw: &str| {
        kw.split(' ')
            .zip(words)
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count()
    };
    let best = COMMANDS.iter().map(|(k, _)| shared(k)).max().unwrap_or(0);
    if best == 0 {
        return Vec::new();
    }
    COMMANDS
        .iter()
        .filter(|(k, _)| shared(k) == best)
        .map(|(_, u)| *u)
        .collect()
}

/// `help [<command>]`.
pub fn help(words: &[&str]) -> String {
    let matches = closest(words);
    let mut out = String::from("The following commands are valid at this level:\n");
    if matches.is_empty() {
        out.push_str(&listing(COMMANDS.iter().map(|(_, u)| *u)));
    } else {
        out.push_str(&listing(matches.into_iter()));
    }
    out
}

/// Reply to a command nobody implements.
pub fn unknown(words: &[&str]) -> String {
    let matches = closest(words);
    if matches.is_empty() {
        let mut out =
            String::from("Unknown command. Please enter one of the following commands only:\n");
        out.push_str(&listing(COMMANDS.iter().map(|(_, u)| *u)));
        out
    } else {
        let mut out = String::from(
            "Unknown command, but maybe one of the following ones is a better match:\n",
        );
        out.push_str(&listing(matches.into_iter()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines_are_haproxy_26s() {
        let shared = std::env::var("HARP_SHARED")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").into());
        let golden = std::fs::read_to_string(format!("{shared}/golden/help.txt"))
            .or_else(|_| std::fs::read_to_string("/work/shared/golden/help.txt"))
            .unwrap_or_default();
        assert!(golden.starts_with("The following commands are valid at this level:"));
        for (_, usage) in COMMANDS {
            assert!(golden.lines().any(|l| l == *usage), "{usage}");
        }
        for t in TRAILER {
            assert!(golden.lines().any(|l| l == *t), "{t}");
        }
    }

    #[test]
    fn set_maxconn_suggests_the_two_maxconn_commands() {
        let out = unknown(&["set", "maxconn"]);
        assert!(out.starts_with(
            "Unknown command, but maybe one of the following ones is a better match:\n  set maxconn frontend"
        ));
        assert_eq!(out.lines().count(), 1 + 2 + 3);
    }

    #[test]
    fn nothing_in_common_lists_everything() {
        let out = unknown(&[]);
        assert!(
            out.starts_with("Unknown command. Please enter one of the following commands only:\n")
        );
        assert_eq!(out.lines().count(), 1 + COMMANDS.len() + 3);
    }
}
