//! Sample expressions: `fetch(args),conv1(args),conv2` (manual 7.3, "Fetching
//! samples"). Used by ACL criteria, `%[...]`, `set-var` and friends.

use nom::bytes::complete::take_while;
use nom::{IResult, Parser};

use super::signature::{conv_sig, fetch_sig, parse_args};
use crate::config::support::{lookup, Context, Status};

/// One parsed sample expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleExpr {
    /// Fetch name as HAProxy registers it (`req.hdr` for the ACL keyword `hdr`).
    pub fetch: String,
    pub args: Vec<String>,
    pub converters: Vec<Converter>,
}

/// One converter of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converter {
    pub name: String,
    pub args: Vec<String>,
}

impl SampleExpr {
    /// Names of the fetch and converters that harp refuses (status `Refused`
    /// in the support tables), in order, so the caller can report
    /// "'X' is not supported by harp".
    pub fn refused_items(&self) -> Vec<String> {
        let mut out = Vec::new();
        if is_refused(Context::Fetch, &self.fetch) {
            out.push(self.fetch.clone());
        }
        for c in &self.converters {
            if is_refused(Context::Converter, &c.name) {
                out.push(c.name.clone());
            }
        }
        out
    }

    /// Map files named by `map*` converters: (converter, file). The model
    /// layer checks they open; see [`map_file_error`].
    pub fn map_files(&self) -> Vec<(&str, &str)> {
        self.converters
            .iter()
            .filter(|c| c.name.starts_with("map"))
            .map(|c| {
                (
                    c.name.as_str(),
                    c.args.first().map(String::as_str).unwrap_or(""),
                )
            })
            .collect()
    }

    /// Output type of the whole chain (`str`, `sint`, `bool`, `ipv4`, ...).
    pub fn output_type(&self) -> &'static str {
        let last_conv = self.converters.last().and_then(|c| conv_sig(&c.name));
        match last_conv {
            Some(sig) => sig.output,
            None => fetch_sig(&self.fetch).map(|s| s.output).unwrap_or("any"),
        }
    }
}

/// HAProxy's text (before the caller's final ".") when a map converter's
/// file cannot be opened.
pub fn map_file_error(conv: &str, path: &str) -> String {
    format!("invalid args in converter '{conv}' : failed to open pattern file <{path}>")
}

fn is_refused(ctx: Context, name: &str) -> bool {
    matches!(lookup(ctx, name), Some(e) if e.status == Status::Refused)
}

/// Why a sample expression was rejected. `Display` gives HAProxy's text as
/// used after "while parsing '<rule>' rule : " (the caller adds the final
/// "."); ACLs render it differently (see `acl_message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleError {
    MissingFetch,
    UnknownFetch(String),
    FetchArg { fetch: String, msg: String },
    MissingCommaAfterFetch(String),
    UnknownConverter(String),
    ConverterArg { conv: String, msg: String },
    MissingCommaAfterConverter(String),
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::MissingFetch => f.write_str("missing fetch method"),
            SampleError::UnknownFetch(n) => write!(f, "unknown fetch method '{n}'"),
            SampleError::FetchArg { fetch, msg } => write!(f, "fetch method '{fetch}' : {msg}"),
            SampleError::MissingCommaAfterFetch(n) => {
                write!(f, "missing comma after fetch keyword '{n}'")
            }
            SampleError::UnknownConverter(n) => write!(f, "unknown converter '{n}'"),
            SampleError::ConverterArg { msg, .. } => f.write_str(msg),
            SampleError::MissingCommaAfterConverter(n) => {
                write!(f, "missing comma after converter '{n}'")
            }
        }
    }
}

impl SampleError {
    /// The message as an ACL criterion reports it. `keyword` is the ACL
    /// keyword when the criterion used one (`path_beg`), `None` for a plain
    /// fetch; `word` is the whole criterion as written.
    pub fn acl_message(&self, keyword: Option<&str>, word: &str) -> String {
        match (keyword, self) {
            (_, SampleError::MissingFetch) => {
                format!("missing fetch method in ACL expression '{word}'")
            }
            (_, SampleError::UnknownFetch(n)) => {
                format!("unknown fetch method '{n}' in ACL expression '{word}'")
            }
            (Some(k), SampleError::FetchArg { msg, .. }) => format!("ACL keyword '{k}' : {msg}"),
            (Some(k), SampleError::MissingCommaAfterFetch(_)) => {
                format!("ACL keyword '{k}' : missing comma after fetch keyword.")
            }
            (Some(k), other) => format!("ACL keyword '{k}' : {other}."),
            (None, other) => format!("{other} in ACL expression '{word}'"),
        }
    }
}

/// Characters of a fetch or converter name (`req.hdr`, `base32+src`,
/// `unique-id`, `set-var`).
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '$')
}

fn name(input: &str) -> IResult<&str, &str> {
    take_while(is_name_char).parse(input)
}

/// Parse `fetch(args),conv(args),...` as written in one config word.
pub fn parse_sample_expr(s: &str) -> Result<SampleExpr, String> {
    parse_expr(s, None).map_err(|e| e.to_string())
}

/// Parse with an optional fetch override: ACL keywords (`hdr_dom`) name a
/// fetch (`req.hdr`) different from the word written.
pub(crate) fn parse_expr(s: &str, alias_of: Option<&str>) -> Result<SampleExpr, SampleError> {
    let (rest, written) = name(s).map_err(|_| SampleError::MissingFetch)?;
    if written.is_empty() {
        return Err(SampleError::MissingFetch);
    }
    let fetch = alias_of.unwrap_or(written);
    let sig = fetch_sig(fetch).ok_or_else(|| SampleError::UnknownFetch(written.to_string()))?;
    let (rest, args) = if let Some(inner) = rest.strip_prefix('(') {
        let (rest, args) = parse_args(inner, &sig, true).map_err(|e| SampleError::FetchArg {
            fetch: written.to_string(),
            msg: e.msg,
        })?;
        (rest, args)
    } else {
        (rest, Vec::new())
    };
    let mut converters = Vec::new();
    let mut rest = match rest.strip_prefix(',') {
        Some(r) => r,
        None if rest.is_empty() => rest,
        None => return Err(SampleError::MissingCommaAfterFetch(written.to_string())),
    };
    while !rest.is_empty() {
        let (after, cname) =
            name(rest).map_err(|_| SampleError::UnknownConverter(String::new()))?;
        if cname.is_empty() {
            match after.strip_prefix(',') {
                Some(r) => {
                    rest = r;
                    continue;
                }
                None => return Err(SampleError::UnknownConverter(after.to_string())),
            }
        }
        let csig = conv_sig(cname).ok_or_else(|| SampleError::UnknownConverter(cname.into()))?;
        let parsed = match after.strip_prefix('(') {
            Some(inner) => parse_args(inner, &csig, true),
            // No parentheses: the checks still run, the text goes on as is.
            None => parse_args("", &csig, false).map(|(_, args)| (after, args)),
        };
        let (after, args) = parsed.map_err(|e| SampleError::ConverterArg {
            conv: cname.to_string(),
            msg: format!("invalid arg {} in converter '{cname}' : {}", e.pos, e.msg),
        })?;
        converters.push(Converter {
            name: cname.to_string(),
            args,
        });
        rest = match after.strip_prefix(',') {
            Some(r) => r,
            None if after.is_empty() => after,
            None => return Err(SampleError::MissingCommaAfterConverter(cname.to_string())),
        };
    }
    Ok(SampleExpr {
        fetch: fetch.to_string(),
        args,
        converters,
    })
}
