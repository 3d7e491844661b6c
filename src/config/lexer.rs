//! Line tokenizer for haproxy.conf (HAProxy manual §2.2 "Quoting and
//! escaping", §2.3 "Environment variables"). One physical line in, words out.
//!
//! Rules worth remembering (see shared/design/haproxy/lexical.md):
//! - `#` outside quotes ends the line, even glued to a word;
//! - `"…"` is weak (escapes and `$VAR` work), `'…'` is strong (nothing does);
//! - unknown `\c` escapes stay as the two characters (regexes rely on it);
//! - `$VAR`, `${VAR}`, `${VAR-default}`, `${VAR[*]}` expand only inside `"…"`.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while_m_n};
use nom::character::complete::{char, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::{delimited, pair, preceded};
use nom::{IResult, Parser};

/// HAProxy's MAX_LINE_ARGS.
pub const MAX_WORDS: usize = 64;

/// Where environment variables come from (the process environment, plus
/// what `setenv`/`presetenv` in `global` changed, plus `${.FILE}` & co).
pub trait EnvLookup {
    fn get(&self, name: &str) -> Option<String>;
}

impl EnvLookup for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name).cloned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexErrorKind {
    UnmatchedQuote,
    BadHex,
    UnmatchedBrace,
    ForbiddenEnvChar,
    StrayNul,
    /// The 65th word and everything after it was dropped; payload = word 64.
    TooManyWords(String),
}

/// A tokenizer error at byte `pos` of the line (leading blanks removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub pos: usize,
}

impl LexError {
    /// HAProxy's wording; `lead` is the number of leading blanks that were
    /// skipped (HAProxy counts positions on the raw line for most errors).
    pub fn message(&self, line: &[u8], lead: usize) -> String {
        let shown = String::from_utf8_lossy(line);
        let caret = format!("{:width$}^", "", width = self.pos + 2);
        let text = match &self.kind {
            LexErrorKind::UnmatchedQuote => "unmatched quote",
            LexErrorKind::BadHex => "truncated or invalid hexadecimal sequence",
            LexErrorKind::UnmatchedBrace => "unmatched brace in environment variable name",
            LexErrorKind::ForbiddenEnvChar => "forbidden first char in environment variable name",
            LexErrorKind::StrayNul => "Stray NUL character",
            LexErrorKind::TooManyWords(w) => {
                return format!(
                    "too many words, truncating after word {MAX_WORDS}, position {}: <{w}>.",
                    self.pos + 1
                )
            }
        };
        format!(
            "{text} at position {}:\n  {shown}\n{caret}",
            self.pos + lead + 1
        )
    }
}

/// Builds words; `${X[*]}` may end the current word and start others.
#[derive(Default)]
struct Words {
    done: Vec<Vec<u8>>,
    cur: Vec<u8>,
    /// True once the current word has any content or quotes (`""` is a word).
    started: bool,
}

impl Words {
    fn push_byte(&mut self, b: u8) {
        self.cur.push(b);
        self.started = true;
    }
    fn push_bytes(&mut self, b: &[u8]) {
        self.cur.extend_from_slice(b);
        self.started = true;
    }
    fn finish(&mut self) {
        if self.started {
            self.done.push(std::mem::take(&mut self.cur));
            self.started = false;
        }
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\xHH` → the byte.
fn hex_escape(i: &[u8]) -> IResult<&[u8], u8> {
    let (rest, digits) = preceded(
        tag(&b"\\x"[..]),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_hexdigit()),
    )
    .parse(i)?;
    let hi = (digits[0] as char).to_digit(16).unwrap_or(0) as u8;
    let lo = (digits[1] as char).to_digit(16).unwrap_or(0) as u8;
    Ok((rest, hi * 16 + lo))
}

/// A variable name: a letter or `_`, then letters, digits, `_`.
fn env_name(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(pair(
        satisfy(|c| is_name_start(c as u8) && c.is_ascii()),
        take_while(is_name_char),
    ))
    .parse(i)
}

/// What follows a `$` inside double quotes.
#[derive(Debug, PartialEq)]
enum EnvRef<'a> {
    Plain(&'a [u8]),
    Braced {
        name: &'a [u8],
        default: Option<&'a [u8]>,
        split: bool,
    },
}

/// `${NAME}`, `${NAME-default}`, `${NAME[*]}` (the braces, after `$`).
/// Pseudo-variables start with a dot: `${.FILE}`, `${.LINE}`, `${.SECTION}`.
fn braced_env(i: &[u8]) -> IResult<&[u8], EnvRef<'_>> {
    let name = alt((recognize(pair(char('.'), env_name)), env_name));
    let default = preceded(char('-'), take_while(|b| b != b'}'));
    let (rest, (name, default, split)) = delimited(
        char('{'),
        (name, opt(default), opt(tag(&b"[*]"[..]))),
        char('}'),
    )
    .parse(i)?;
    Ok((
        rest,
        EnvRef::Braced {
            name,
            default,
            split: split.is_some(),
        },
    ))
}

fn env_ref(i: &[u8]) -> IResult<&[u8], EnvRef<'_>> {
    alt((braced_env, |i| {
        env_name(i).map(|(r, n)| (r, EnvRef::Plain(n)))
    }))
    .parse(i)
}

/// Tokenize one line (without its terminator). Returns the words; the
/// caller reports errors with file:line. Leading blanks must already be
/// stripped so that error positions can be shown as HAProxy shows them.
pub fn tokenize(line: &[u8], env: &dyn EnvLookup) -> Result<Vec<String>, LexError> {
    let mut w = Words::default();
    let mut i = 0usize;
    // Quote state: None, Some(b'"'), Some(b'\'').
    let mut quote: Option<(u8, usize)> = None;
    while i < line.len() {
        let b = line[i];
        if b == 0 {
            return Err(LexError {
                kind: LexErrorKind::StrayNul,
                pos: i,
            });
        }
        if b == b'\n' || b == b'\r' {
            break;
        }
        match quote {
            Some((b'\'', _)) => {
                if b == b'\'' {
                    quote = None;
                } else {
                    w.push_byte(b);
                }
                i += 1;
                continue;
            }
            None if b == b'#' => break,
            None if is_blank(b) => {
                w.finish();
                i += 1;
                continue;
            }
            None if b == b'\'' || b == b'"' => {
                quote = Some((b, i));
                w.started = true;
                i += 1;
                continue;
            }
            Some((b'"', _)) if b == b'"' => {
                quote = None;
                i += 1;
                continue;
            }
            _ => {}
        }
        let in_dq = quote.is_some();
        if b == b'\\' {
            let next = line.get(i + 1).copied();
            match next {
                Some(b'x') => match hex_escape(&line[i..]) {
                    Ok((_, v)) => {
                        w.push_byte(v);
                        i += 4;
                    }
                    Err(_) => {
                        return Err(LexError {
                            kind: LexErrorKind::BadHex,
                            pos: i,
                        })
                    }
                },
                Some(c @ (b' ' | b'\\' | b'#' | b'\'' | b'"')) => {
                    w.push_byte(c);
                    i += 2;
                }
                Some(b'$') if in_dq => {
                    w.push_byte(b'$');
                    i += 2;
                }
                Some(b't') => {
                    w.push_byte(b'\t');
                    i += 2;
                }
                Some(b'n') => {
                    w.push_byte(b'\n');
                    i += 2;
                }
                Some(b'r') => {
                    w.push_byte(b'\r');
                    i += 2;
                }
                _ => {
                    // Unknown escape: kept as written.
                    w.push_byte(b'\\');
                    i += 1;
                }
            }
            continue;
        }
        if b == b'$' && in_dq {
            let rest = &line[i + 1..];
            match env_ref(rest) {
                Ok((after, r)) => {
                    expand(&mut w, r, env);
                    i = line.len() - after.len();
                }
                Err(_) => {
                    let kind = if rest.first() == Some(&b'{') {
                        // `${` that is not closed properly, or a bad name in it.
                        let body = &rest[1..];
                        if body.first().is_some_and(|&c| is_name_start(c) || c == b'.') {
                            LexErrorKind::UnmatchedBrace
                        } else {
                            return Err(LexError {
                                kind: LexErrorKind::ForbiddenEnvChar,
                                pos: i + 2,
                            });
                        }
                    } else {
                        LexErrorKind::ForbiddenEnvChar
                    };
                    return Err(LexError { kind, pos: i + 1 });
                }
            }
            continue;
        }
        w.push_byte(b);
        i += 1;
    }
    if let Some((_, pos)) = quote {
        return Err(LexError {
            kind: LexErrorKind::UnmatchedQuote,
            pos,
        });
    }
    w.finish();
    if w.done.len() > MAX_WORDS {
        let pos = word_start(line, MAX_WORDS - 1);
        let word = String::from_utf8_lossy(&w.done[MAX_WORDS - 1]).into_owned();
        return Err(LexError {
            kind: LexErrorKind::TooManyWords(word),
            pos,
        });
    }
    Ok(w.done
        .into_iter()
        .map(|v| {
            String::from_utf8(v)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        })
        .collect())
}

/// Byte offset where the n-th (0-based) blank-separated word starts; only
/// used to place the "too many words" message, so quoting is ignored.
fn word_start(line: &[u8], n: usize) -> usize {
    let mut count = 0;
    let mut prev_blank = true;
    for (i, &b) in line.iter().enumerate() {
        let blank = is_blank(b);
        if prev_blank && !blank {
            if count == n {
                return i;
            }
            count += 1;
        }
        prev_blank = blank;
    }
    line.len()
}

fn expand(w: &mut Words, r: EnvRef<'_>, env: &dyn EnvLookup) {
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (value, split) = match r {
        EnvRef::Plain(n) => (env.get(&lossy(n)), false),
        EnvRef::Braced {
            name,
            default,
            split,
        } => {
            let v = env.get(&lossy(name));
            // The default applies only when the variable is not defined.
            (v.or_else(|| default.map(lossy)), split)
        }
    };
    let value = value.unwrap_or_default();
    if !split {
        w.push_bytes(value.as_bytes());
        // An empty expansion still makes the (possibly empty) word exist.
        w.started = true;
        return;
    }
    let mut parts = value.split(' ').filter(|p| !p.is_empty()).peekable();
    let mut first = true;
    while let Some(p) = parts.next() {
        if !first {
            w.finish();
        }
        w.push_bytes(p.as_bytes());
        first = false;
        if parts.peek().is_none() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<String, String> {
        let mut m = HashMap::new();
        m.insert("FOO".into(), "foo".into());
        m.insert("LIST".into(), "a b  c".into());
        m.insert("EMPTY".into(), String::new());
        m
    }

    fn tok(s: &str) -> Vec<String> {
        tokenize(s.as_bytes(), &env()).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn err(s: &str) -> LexError {
        tokenize(s.as_bytes(), &env()).expect_err(s)
    }

    #[test]
    fn words_comments_quotes() {
        assert_eq!(tok("maxconn 10#c"), ["maxconn", "10"]);
        assert_eq!(tok("a\t b   c  "), ["a", "b", "c"]);
        assert_eq!(tok(r#"x "a b" 'c d' "#), ["x", "a b", "c d"]);
        assert_eq!(tok(r#""%{+Q}o %t"' %s'\ %{-Q}r"#), ["%{+Q}o %t %s %{-Q}r"]);
        assert_eq!(tok(r#"a "" '' b"#), ["a", "", "", "b"]);
        assert_eq!(tok(r##""#x" '#y' \#z"##), ["#x", "#y", "#z"]);
        assert_eq!(tok("a b\r"), ["a", "b"]);
    }

    #[test]
    fn escapes() {
        assert_eq!(tok(r"a\ b \\ \t"), ["a b", "\\", "\t"]);
        assert_eq!(tok(r"\x41\x62"), ["Ab"]);
        assert_eq!(tok(r"^/foo\.bar\1"), [r"^/foo\.bar\1"]);
        assert_eq!(tok(r"'\x41'"), [r"\x41"]);
        assert_eq!(tok(r#""\$FOO" \$FOO"#), ["$FOO", r"\$FOO"]);
        assert_eq!(err(r"a\xZZ").kind, LexErrorKind::BadHex);
        assert_eq!(err(r"a\x4").pos, 1);
    }

    #[test]
    fn env_vars_only_in_double_quotes() {
        assert_eq!(tok(r#"$FOO "$FOO" "${FOO}x""#), ["$FOO", "foo", "foox"]);
        assert_eq!(tok(r#""${NOPE-dflt}" "${EMPTY-dflt}""#), ["dflt", ""]);
        assert_eq!(tok(r#""${NOPE}""#), [""]);
        assert_eq!(tok(r#"x "${LIST[*]}" y"#), ["x", "a", "b", "c", "y"]);
        assert_eq!(tok(r#""<${LIST[*]}>""#), ["<a", "b", "c>"]);
        assert_eq!(err(r#""$1abc""#).kind, LexErrorKind::ForbiddenEnvChar);
        assert_eq!(err(r#""a $ b""#).pos, 4);
        assert_eq!(err(r#""${FOO""#).kind, LexErrorKind::UnmatchedBrace);
        assert_eq!(err(r#""${1abc}""#).pos, 3);
    }

    #[test]
    fn errors_and_limits() {
        let e = err(r#"maxconn "10"#);
        assert_eq!(e.kind, LexErrorKind::UnmatchedQuote);
        assert_eq!(
            e.message(br#"maxconn "10"#, 2),
            "unmatched quote at position 11:\n  maxconn \"10\n          ^"
        );
        let long: String = (0..70).map(|i| format!("w{i} ")).collect();
        match err(&long).kind {
            LexErrorKind::TooManyWords(w) => assert_eq!(w, "w63"),
            k => panic!("{k:?}"),
        }
        assert_eq!(
            tok(&(0..64).map(|i| format!("w{i} ")).collect::<String>()).len(),
            64
        );
        assert_eq!(err("a\0b").kind, LexErrorKind::StrayNul);
    }
}
