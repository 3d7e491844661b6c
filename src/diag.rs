//! Diagnostics shared by both parsers, printed in HAProxy's format so that
//! scripts grepping `[ALERT]` / `parsing [file:line]` keep working.

use std::fmt;
use std::sync::Arc;

/// How serious a diagnostic is. `Alert` is fatal for `-c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Notice,
    Warning,
    Alert,
}

impl Severity {
    /// The bracketed tag padded to 11 columns, as HAProxy prints it.
    pub fn tag(self) -> &'static str {
        match self {
            Severity::Notice => "[NOTICE]   ",
            Severity::Warning => "[WARNING]  ",
            Severity::Alert => "[ALERT]    ",
        }
    }
}

/// A place in a configuration file (1-based line).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: u32,
}

impl Loc {
    pub fn new(file: impl Into<Arc<str>>, line: u32) -> Self {
        Loc {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// How the location is written before the message. HAProxy uses several
/// shapes depending on which parser layer emitted the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocStyle {
    /// `parsing [file:line] : msg` (keyword parsers)
    Parsing,
    /// `parsing [file:line]: msg` (the line reader: LF, quotes)
    ParsingTight,
    /// `[file:line] : msg` (post-parse checks, server/bind option parsers)
    Bracket,
    /// `Parsing [file:line]: msg` (checks between sections, e.g. duplicate names)
    ParsingCapital,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub loc: Option<Loc>,
    pub style: LocStyle,
    pub message: String,
}

impl Diagnostic {
    pub fn alert(loc: Option<Loc>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Alert,
            loc,
            style: LocStyle::Parsing,
            message: message.into(),
        }
    }
    pub fn warning(loc: Option<Loc>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            loc,
            style: LocStyle::Parsing,
            message: message.into(),
        }
    }
    pub fn notice(loc: Option<Loc>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Notice,
            loc,
            style: LocStyle::Parsing,
            message: message.into(),
        }
    }
    pub fn with_style(mut self, style: LocStyle) -> Self {
        self.style = style;
        self
    }
    pub fn is_fatal(&self) -> bool {
        self.severity == Severity::Alert
    }

    /// The text after `config : `.
    pub fn body(&self) -> String {
        match (&self.loc, self.style) {
            (None, _) => self.message.clone(),
            (Some(l), LocStyle::Parsing) => format!("parsing [{l}] : {}", self.message),
            (Some(l), LocStyle::ParsingTight) => format!("parsing [{l}]: {}", self.message),
            (Some(l), LocStyle::Bracket) => format!("[{l}] : {}", self.message),
            (Some(l), LocStyle::ParsingCapital) => format!("Parsing [{l}]: {}", self.message),
        }
    }

    /// One full line as HAProxy prints it on stderr.
    pub fn render(&self, pid: u32, scope: &str) -> String {
        format!("{}({pid}) : {scope} : {}", self.severity.tag(), self.body())
    }
}

/// A sink that collects diagnostics in order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    /// An error after which HAProxy stops reading the configuration
    /// (ERR_ABORT): later lines are not checked.
    pub abort: bool,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn alert(&mut self, loc: Option<Loc>, msg: impl Into<String>) {
        self.push(Diagnostic::alert(loc, msg));
    }
    pub fn warning(&mut self, loc: Option<Loc>, msg: impl Into<String>) {
        self.push(Diagnostic::warning(loc, msg));
    }
    pub fn notice(&mut self, loc: Option<Loc>, msg: impl Into<String>) {
        self.push(Diagnostic::notice(loc, msg));
    }
    pub fn has_fatal(&self) -> bool {
        self.items.iter().any(Diagnostic::is_fatal)
    }
    pub fn count(&self, sev: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == sev).count()
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_haproxy() {
        let d = Diagnostic::alert(
            Some(Loc::new("bad.cfg", 11)),
            "unknown keyword 'x' in 'frontend' section",
        );
        assert_eq!(
            d.render(20158, "config"),
            "[ALERT]    (20158) : config : parsing [bad.cfg:11] : unknown keyword 'x' in 'frontend' section"
        );
        let t = Diagnostic::alert(Some(Loc::new("bad.cfg", 14)), "Missing LF")
            .with_style(LocStyle::ParsingTight);
        assert_eq!(t.body(), "parsing [bad.cfg:14]: Missing LF");
        let w = Diagnostic::warning(None, "x").render(1, "config");
        assert_eq!(w, "[WARNING]  (1) : config : x");
    }
}
