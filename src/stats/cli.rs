//! The stats socket's command layer (management guide §9.3): a session
//! reads lines, each holding `;`-separated commands, and answers each
//! command with its text followed by an empty line.

use super::backend::{Level, StatsBackend};
use super::commands;
use super::csv::{self, ProxySel, StatFilter, StatFormat};
use super::help;
use super::info::{self, InfoFormat};
use super::servers_state;

pub const PERMISSION_DENIED: &str = "Permission denied\n";

/// One client connection's state.
#[derive(Debug, Clone)]
pub struct Session {
    pub level: Level,
    /// `prompt` mode: keep the connection and print "> " after answers.
    pub interactive: bool,
}

/// What a line produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineOutput {
    pub text: String,
    /// Close the connection once `text` is sent.
    pub close: bool,
}

/// Split a line into commands at unescaped `;`.
fn split_commands(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if let Some(last) = out.last_mut() {
                        if n != ';' {
                            last.push('\\');
                        }
                        last.push(n);
                    }
                }
            }
            ';' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// Split a command into words (spaces and tabs; `\` escapes a character).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Control commands handled by the session itself.
enum Control {
    Quit,
    Prompt,
}

impl Session {
    pub fn new(level: Level) -> Session {
        Session {
            level,
            interactive: false,
        }
    }

    /// Run one input line (without its newline).
    pub fn run_line(&mut self, be: &dyn StatsBackend, line: &str) -> LineOutput {
        let mut out = LineOutput::default();
        let mut toggled = false;
        for cmd in split_commands(line) {
            let w = words(&cmd);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            match self.control(&w) {
                Some(Control::Quit) => {
                    out.close = true;
                    return out;
                }
                Some(Control::Prompt) => {
                    self.interactive = !self.interactive;
                    toggled = true;
                    out.text.push('\n');
                }
                None => {
                    out.text.push_str(&self.execute(be, &w));
                    out.text.push('\n');
                }
            }
        }
        if self.interactive {
            out.text.push_str("> ");
        } else if !toggled {
            out.close = true;
        }
        out
    }

    fn control(&self, w: &[&str]) -> Option<Control> {
        match w {
            ["quit", ..] => Some(Control::Quit),
            ["prompt", ..] => Some(Control::Prompt),
            _ => None,
        }
    }

    fn need(&self, level: Level) -> Result<(), String> {
        if self.level >= level {
            Ok(())
        } else {
            Err(PERMISSION_DENIED.into())
        }
    }

    /// The answer to one command, before the session's empty line.
    pub fn execute(&mut self, be: &dyn StatsBackend, w: &[&str]) -> String {
        self.dispatch(be, w).unwrap_or_else(|e| e)
    }

    fn dispatch(&mut self, be: &dyn StatsBackend, w: &[&str]) -> Result<String, String> {
        match w {
            ["help", rest @ ..] => Ok(help::help(rest)),
            ["show", "stat", rest @ ..] => self.show_stat(be, rest),
            ["show", "info", rest @ ..] => Ok(show_info(be, rest)),
            ["show", "servers", "state", rest @ ..] => {
                servers_state::render(&be.snapshot(), rest.first().copied())
            }
            ["show", "cli", "level", ..] => Ok(format!("{}\n", self.level.name())),
            ["operator", ..] => {
                self.need(Level::Operator)?;
                self.level = Level::Operator;
                Ok(String::new())
            }
            ["user", ..] => {
                self.level = Level::User;
                Ok(String::new())
            }
            ["get", "weight", rest @ ..] => commands::get_weight(be, rest),
            ["set", "weight", rest @ ..] => {
                self.need(Level::Admin)?;
                commands::set_weight(be, rest)
            }
            ["set", "server", rest @ ..] => {
                self.need(Level::Admin)?;
                commands::set_server(be, rest)
            }
            [verb @ ("enable" | "disable"), what @ ("server" | "health" | "agent"), rest @ ..] => {
                self.need(Level::Admin)?;
                commands::enable_disable(be, *verb == "enable", what, rest)
            }
            ["set", "maxconn", "frontend", rest @ ..] => {
                self.need(Level::Admin)?;
                commands::set_maxconn_frontend(be, rest)
            }
            ["set", "maxconn", "global", rest @ ..] => {
                self.need(Level::Admin)?;
                commands::set_maxconn_global(be, rest)
            }
            ["clear", "counters", rest @ ..] => {
                let all = rest.first() == Some(&"all");
                self.need(if all { Level::Admin } else { Level::Operator })?;
                be.clear_counters(all);
                Ok(String::new())
            }
            _ => Ok(help::unknown(w)),
        }
    }

    /// `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json|up|no-maint]*`:
    /// as in HAProxy, three or more words make the first three the filter.
    fn show_stat(&self, be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
        let snap = be.snapshot();
        let mut f = StatFilter {
            legends: self.level >= Level::Operator,
            ..StatFilter::default()
        };
        let mut rest = args;
        if let [px, ty, sid, tail @ ..] = args {
            let iid = snap
                .proxy(px)
                .map_or_else(|| commands::atoi(px), |p| i64::from(p.iid));
            f.proxy = match iid {
                0 => return Err("No such proxy.\n".into()),
                -1 => ProxySel::All,
                i => ProxySel::Iid(u32::try_from(i).unwrap_or(u32::MAX)),
            };
            f.types = i32::try_from(commands::atoi(ty)).unwrap_or(0);
            f.sid = i32::try_from(commands::atoi(sid)).unwrap_or(0);
            rest = tail;
        }
        for a in rest {
            match *a {
                "typed" => f.format = StatFormat::Typed,
                "json" => f.format = StatFormat::Json,
                "up" => f.up_only = true,
                "no-maint" => f.no_maint = true,
                _ => {}
            }
        }
        Ok(csv::render(&snap, &f))
    }
}

fn show_info(be: &dyn StatsBackend, args: &[&str]) -> String {
    let mut format = InfoFormat::Text;
    for a in args {
        match *a {
            "typed" => format = InfoFormat::Typed,
            "json" => format = InfoFormat::Json,
            _ => {}
        }
    }
    info::render(&be.snapshot().info, format)
}

/// Run a whole non-interactive input (what `echo cmd | socat` sends) and
/// return what the client reads before the connection closes.
pub fn run_input(be: &dyn StatsBackend, level: Level, input: &str) -> String {
    let mut s = Session::new(level);
    let mut out = String::new();
    for line in input.split_inclusive('\n') {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let r = s.run_line(be, line);
        out.push_str(&r.text);
        if r.close {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_and_words() {
        assert_eq!(split_commands("a b;c\\;d;e"), vec!["a b", "c;d", "e"]);
        assert_eq!(
            words("  set  weight\tb/s 10 "),
            vec!["set", "weight", "b/s", "10"]
        );
        assert_eq!(words("a\\ b"), vec!["a b"]);
    }
}
