//! `acl <name> <criterion> [flags] [operator] [<value>] ...` (manual 7.1) and
//! the same body inside `{ ... }` of a condition.

use super::conv_sigs::ACL_KEYWORDS;
use super::matchers::{
    parse_hex_pattern, parse_int_patterns, parse_ip_pattern, IntRange, IpPattern, Matcher,
};
use super::sample::{is_name_char, map_file_error, parse_expr, SampleError, SampleExpr};

/// The flags between the criterion and the patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclFlags {
    /// `-i`
    pub ignore_case: bool,
    /// `-f FILE`, in order (an `-f` without a file records `""`, which the
    /// model layer reports as HAProxy does: see [`pattern_file_error`]).
    pub files: Vec<String>,
    /// `-m METHOD`
    pub method: Option<Matcher>,
    /// `-M`: the `-f` files are maps (key value lines).
    pub map: bool,
    /// `-u ID`
    pub unique_id: Option<i64>,
    /// `-n`: no DNS resolution of address patterns.
    pub no_dns: bool,
    /// `--` was written.
    pub end_of_flags: bool,
}

/// One ACL: named (`acl` line) or anonymous (`{ ... }`, empty name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclDef {
    pub name: String,
    /// The criterion word as written (`hdr_dom(host),lower`).
    pub criterion: String,
    /// The ACL keyword when the criterion used one (`path_beg`, `hdr_dom`).
    pub keyword: Option<String>,
    pub expr: SampleExpr,
    pub matcher: Matcher,
    pub flags: AclFlags,
    /// The pattern words as written (operators included).
    pub patterns: Vec<String>,
    /// Typed patterns for `int`/`len` matchers (operators folded in).
    pub int_patterns: Vec<IntRange>,
    /// Typed patterns for the `ip` matcher.
    pub ip_patterns: Vec<IpPattern>,
    /// Typed patterns for the `bin` matcher (hex strings decoded).
    pub bin_patterns: Vec<Vec<u8>>,
}

/// HAProxy's text when a pattern file cannot be opened.
pub fn pattern_file_error(path: &str) -> String {
    format!("failed to open pattern file <{path}>")
}

/// HAProxy's argument list ends at the first empty word (an empty
/// variable, `""`): what follows is ignored.
pub(crate) fn up_to_empty(words: &[String]) -> &[String] {
    let end = words
        .iter()
        .position(String::is_empty)
        .unwrap_or(words.len());
    &words[..end]
}

fn name_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
}

/// Parse the words after `acl`: `<name> <criterion> [flags] [values]`.
/// The error is the full HAProxy message (the part after
/// `parsing [file:line] : `).
pub fn parse_acl_def(words: &[String]) -> Result<AclDef, String> {
    let name = words.first().map(String::as_str).unwrap_or("");
    if name.is_empty() {
        // HAProxy prints the offending character, here a NUL that ends
        // its message early.
        return Err("character '".to_string());
    }
    if let Some(c) = name.chars().find(|c| !name_char_ok(*c)) {
        return Err(format!(
            "character '{c}' is not permitted in acl name '{name}'."
        ));
    }
    let mut def = parse_acl_body(&words[1..])
        .map_err(|e| format!("error detected while parsing ACL '{name}' : {e}."))?;
    def.name = name.to_string();
    Ok(def)
}

/// Parse `<criterion> [flags] [values]`; the error is HAProxy's inner text
/// (callers wrap it: "error detected while parsing ACL 'x' : ...").
pub fn parse_acl_body(words: &[String]) -> Result<AclDef, String> {
    let words = up_to_empty(words);
    let criterion = words.first().map(String::as_str).unwrap_or("");
    let head_len = criterion
        .find(|c: char| !is_name_char(c))
        .unwrap_or(criterion.len());
    let head = &criterion[..head_len];
    if head.is_empty() {
        return Err(format!(
            "missing fetch method in ACL expression '{criterion}'"
        ));
    }
    let alias = ACL_KEYWORDS.iter().find(|(k, _, _)| *k == head);
    let keyword = alias.map(|(k, _, _)| k.to_string());
    let expr = parse_expr(criterion, alias.map(|(_, f, _)| *f))
        .map_err(|e| e.acl_message(keyword.as_deref(), criterion))?;

    let mut flags = AclFlags::default();
    let mut i = 1;
    while let Some(w) = words.get(i) {
        if !w.starts_with('-') {
            break;
        }
        i += 1;
        match w.as_str() {
            "--" => {
                flags.end_of_flags = true;
                break;
            }
            "-i" => flags.ignore_case = true,
            "-n" => flags.no_dns = true,
            "-M" => flags.map = true,
            "-f" => {
                flags.files.push(words.get(i).cloned().unwrap_or_default());
                i += 1;
            }
            "-m" => {
                let m = words.get(i).map(String::as_str).unwrap_or("");
                let method = Matcher::from_name(m).ok_or_else(|| {
                    format!("unknown matching method '{m}' when parsing ACL expression")
                })?;
                if !method.accepts(expr.output_type()) {
                    return Err(format!(
                        "matching method '{m}' cannot be used with fetch keyword '{head}'"
                    ));
                }
                flags.method = Some(method);
                i += 1;
            }
            "-u" => {
                match words.get(i) {
                    Some(v) => {
                        let id = v
                            .parse::<i64>()
                            .map_err(|_| "the argument of -u must be an integer".to_string())?;
                        flags.unique_id = Some(id);
                        i += 1;
                    }
                    // A trailing `-u`: HAProxy takes id 0 and, reading past
                    // the end of the line, neither fails nor warns.
                    None => {
                        flags.unique_id = Some(0);
                        flags.end_of_flags = true;
                    }
                }
            }
            other => {
                return Err(format!(
                    "'{other}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'"
                ))
            }
        }
    }

    // With converters the keyword's implied matcher no longer applies: the
    // chain's output type decides (`path_beg,length 3` compares integers).
    let implied = alias
        .filter(|_| expr.converters.is_empty())
        .and_then(|(_, _, m)| Matcher::from_name(m));
    let matcher = match flags.method.or(implied) {
        Some(m) => m,
        None => Matcher::default_for(expr.output_type()).ok_or_else(|| {
            format!(
                "matching method must be specified first (using '-m') when using a sample fetch of this type ('{head}')"
            )
        })?,
    };
    let patterns: Vec<String> = words.get(i..).unwrap_or_default().to_vec();
    let mut int_patterns = Vec::new();
    let mut ip_patterns = Vec::new();
    let mut bin_patterns = Vec::new();
    match matcher {
        m if m.takes_int() => {
            // The SSL version keywords compare dotted versions (`3:3.1`).
            let dotted = matches!(head, "req.ssl_ver" | "req_ssl_ver");
            int_patterns = parse_int_patterns(&patterns, dotted)?
        }
        Matcher::Ip => {
            for p in &patterns {
                ip_patterns.push(parse_ip_pattern(p, flags.no_dns)?);
            }
        }
        Matcher::Bin => {
            for p in &patterns {
                bin_patterns.push(parse_hex_pattern(p)?);
            }
        }
        _ => {}
    }
    Ok(AclDef {
        name: String::new(),
        criterion: criterion.to_string(),
        keyword,
        expr,
        matcher,
        flags,
        patterns,
        int_patterns,
        ip_patterns,
        bin_patterns,
    })
}

impl AclDef {
    /// Names of refused fetches/converters this ACL uses.
    /// An ACL keyword (`payload`) is named as written, not as the fetch it
    /// stands for (`req.payload`).
    pub fn refused_items(&self) -> Vec<String> {
        let mut items = self.expr.refused_items();
        if let (Some(k), Some(first)) = (&self.keyword, items.first_mut()) {
            if *first == self.expr.fetch {
                *first = k.clone();
            }
        }
        items
    }

    /// HAProxy's inner text when a `map*` converter's file of this ACL's
    /// criterion cannot be opened (wrap like any ACL error).
    pub fn map_file_error(&self, conv: &str, path: &str) -> String {
        let e = SampleError::ConverterArg {
            conv: conv.to_string(),
            msg: map_file_error(conv, path),
        };
        e.acl_message(self.keyword.as_deref(), &self.criterion)
    }

    /// HAProxy's warning for an ACL that can never match (no pattern, no
    /// file, no `--`, and a matcher that needs patterns). Multi-line text
    /// printed after `[WARNING]  (PID) : config : `.
    pub fn warning(&self) -> Option<String> {
        // HAProxy only warns when nothing at all follows the criterion: any
        // flag (even `-i`) silences it.
        let needs_patterns = !matches!(self.matcher, Matcher::Found | Matcher::Bool);
        let bare = self.patterns.is_empty() && self.flags == AclFlags::default();
        if !(needs_patterns && bare) {
            return None;
        }
        Some(format!(
            "parsing acl keyword '{}' :\n  no pattern to match against were provided, so this ACL will never match.\n  If this is what you intended, please add '--' to get rid of this warning.\n  If you intended to match only for existence, please use '-m found'.\n  If you wanted to force an int to match as a bool, please use '-m bool'.\n",
            self.criterion
        ))
    }
}
