//! sh(1) lexing of rc.conf, loader.conf and sysctl.conf text.
//!
//! These files are read by `sh` (rc.conf is sourced by rc(8)), by the boot
//! loader, or line by line by rc.d/sysctl. All three agree on the subset
//! lexed here: simple commands made of words, `;` and newlines between
//! commands, `#` comments at the start of a word, single and double quotes,
//! backslash escapes, and `$name` / `${name}` expansions. Nothing is
//! executed: expansions are kept as [`Part`]s and resolved later by
//! [`super::shell`], in file order.
//!
//! The grammar is written down in `grammar/rc.conf.ebnf`.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while1};
use nom::combinator::{map, value};
use nom::error::{ErrorKind, ParseError};
use nom::multi::{many0, many1};
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// One piece of a word, before expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Unquoted literal bytes (escapes already removed).
    Bare(Vec<u8>),
    /// Literal bytes from inside single or double quotes.
    Quoted(Vec<u8>),
    /// `$name` or `${name}`.
    Var(String),
    /// An expansion harp does not perform (`$(...)`, backquotes, `${x:-y}`,
    /// `$1`...): the text as written, expanded to nothing.
    Unsupported(String),
}

/// A shell word: the parts are concatenated after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<Part>,
}

/// A simple command: its words and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub line: u32,
    pub words: Vec<Word>,
}

/// The result of lexing one file.
#[derive(Debug, Default)]
pub struct Lexed {
    pub commands: Vec<Command>,
    /// A syntax error that stopped lexing (sh refuses the whole file), with
    /// the line it points at.
    pub error: Option<(u32, String)>,
    /// The file uses CR LF line ends (the CR is treated as a blank).
    pub crlf: bool,
}

/// Why a word could not be lexed. Only unterminated constructs are errors:
/// every other byte sequence is some word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError<'a> {
    /// Where the unterminated construct starts.
    pub at: &'a [u8],
    pub what: &'static str,
}

impl<'a> ParseError<&'a [u8]> for LexError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        LexError {
            at: input,
            what: "syntax error",
        }
    }
    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type LexResult<'a, O> = IResult<&'a [u8], O, LexError<'a>>;

fn unterminated<'a, O>(at: &'a [u8], what: &'static str) -> LexResult<'a, O> {
    Err(nom::Err::Failure(LexError { at, what }))
}

/// Blanks between words: space, tab, CR, and backslash-newline.
fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r'
}

fn blanks(i: &[u8]) -> LexResult<'_, ()> {
    value(
        (),
        many0(alt((
            value((), take_while1(is_blank)),
            value((), tag(&b"\\\n"[..])),
        ))),
    )
    .parse(i)
}

fn comment(i: &[u8]) -> LexResult<'_, ()> {
    value((), preceded(tag(&b"#"[..]), take_till(|c| c == b'\n'))).parse(i)
}

/// What separates commands: blanks, comments, newlines and `;`.
fn separators(i: &[u8]) -> LexResult<'_, ()> {
    value(
        (),
        many0(alt((
            value((), take_while1(|c| is_blank(c) || c == b'\n' || c == b';')),
            value((), tag(&b"\\\n"[..])),
            comment,
        ))),
    )
    .parse(i)
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn name(i: &[u8]) -> LexResult<'_, String> {
    let (rest, n) = take_while1(is_name_char).parse(i)?;
    if !is_name_start(n[0]) {
        return Err(nom::Err::Error(LexError::from_error_kind(
            i,
            ErrorKind::Alpha,
        )));
    }
    Ok((rest, String::from_utf8_lossy(n).into_owned()))
}

/// Text from `i` to the start of `rest`, for `Part::Unsupported`.
fn text_between(i: &[u8], rest: &[u8]) -> String {
    String::from_utf8_lossy(&i[..i.len() - rest.len()]).into_owned()
}

/// `$(...)`: skip to the matching parenthesis (quotes are not tracked:
/// the text is not run, only stepped over).
fn command_substitution(i: &[u8]) -> LexResult<'_, Part> {
    let (body, _) = tag(&b"$("[..]).parse(i)?;
    let mut depth = 1usize;
    for (n, &c) in body.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    let rest = &body[n + 1..];
                    return Ok((rest, Part::Unsupported(text_between(i, rest))));
                }
            }
            _ => {}
        }
    }
    unterminated(i, "unterminated '$(' command substitution")
}

fn braced(i: &[u8]) -> LexResult<'_, Part> {
    let (body, _) = tag(&b"${"[..]).parse(i)?;
    let Some(close) = body.iter().position(|&c| c == b'}') else {
        return unterminated(i, "unterminated '${' expansion");
    };
    let inner = &body[..close];
    let rest = &body[close + 1..];
    let plain =
        !inner.is_empty() && is_name_start(inner[0]) && inner.iter().all(|&c| is_name_char(c));
    if plain {
        Ok((rest, Part::Var(String::from_utf8_lossy(inner).into_owned())))
    } else {
        Ok((rest, Part::Unsupported(text_between(i, rest))))
    }
}

/// `$name`, `$1`, `$?`, ...; a `$` followed by anything else is literal.
fn dollar(i: &[u8]) -> LexResult<'_, Part> {
    alt((
        command_substitution,
        braced,
        map(preceded(tag(&b"$"[..]), name), Part::Var),
        lone_dollar,
    ))
    .parse(i)
}

fn lone_dollar(i: &[u8]) -> LexResult<'_, Part> {
    let (rest, _) = tag(&b"$"[..]).parse(i)?;
    match rest.first() {
        Some(c) if c.is_ascii_digit() || b"?#@*!$-".contains(c) => {
            let rest = &rest[1..];
            Ok((rest, Part::Unsupported(text_between(i, rest))))
        }
        _ => Ok((rest, Part::Bare(b"$".to_vec()))),
    }
}

fn backquoted(i: &[u8]) -> LexResult<'_, Part> {
    let (body, _) = tag(&b"`"[..]).parse(i)?;
    let Some(close) = body.iter().position(|&c| c == b'`') else {
        return unterminated(i, "unterminated backquote");
    };
    let rest = &body[close + 1..];
    Ok((rest, Part::Unsupported(text_between(i, rest))))
}

fn single_quoted(i: &[u8]) -> LexResult<'_, Part> {
    let (body, _) = tag(&b"'"[..]).parse(i)?;
    let Some(close) = body.iter().position(|&c| c == b'\'') else {
        return unterminated(i, "unterminated single-quoted string");
    };
    Ok((&body[close + 1..], Part::Quoted(body[..close].to_vec())))
}

/// Inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\`
/// and newline (the pair then disappears); before anything else it stays.
fn dq_escape(i: &[u8]) -> LexResult<'_, Part> {
    let (rest, _) = tag(&b"\\"[..]).parse(i)?;
    match rest.first() {
        Some(b'\n') => Ok((&rest[1..], Part::Quoted(Vec::new()))),
        Some(&c) if b"$`\"\\".contains(&c) => Ok((&rest[1..], Part::Quoted(vec![c]))),
        _ => Ok((rest, Part::Quoted(b"\\".to_vec()))),
    }
}

fn double_quoted(i: &[u8]) -> LexResult<'_, Vec<Part>> {
    let (body, _) = tag(&b"\""[..]).parse(i)?;
    let (rest, parts) = many0(alt((
        map(take_while1(|c| !b"\"\\$`".contains(&c)), |s: &[u8]| {
            Part::Quoted(s.to_vec())
        }),
        dq_escape,
        dollar,
        backquoted,
    )))
    .parse(body)?;
    match tag::<_, _, LexError>(&b"\""[..]).parse(rest) {
        Ok((rest, _)) => {
            // A lone `$` inside quotes is quoted text, not bare text.
            let parts = parts
                .into_iter()
                .map(|p| match p {
                    Part::Bare(b) => Part::Quoted(b),
                    p => p,
                })
                .collect();
            Ok((rest, parts))
        }
        Err(_) => unterminated(i, "unterminated double-quoted string"),
    }
}

/// An unquoted backslash escapes any byte; backslash-newline vanishes.
fn bare_escape(i: &[u8]) -> LexResult<'_, Part> {
    let (rest, _) = tag(&b"\\"[..]).parse(i)?;
    match rest.first() {
        Some(b'\n') => Ok((&rest[1..], Part::Bare(Vec::new()))),
        Some(&c) => Ok((&rest[1..], Part::Bare(vec![c]))),
        None => Ok((rest, Part::Bare(b"\\".to_vec()))),
    }
}

fn is_bare(c: u8) -> bool {
    !is_blank(c) && !b"\n;'\"$`\\".contains(&c)
}

fn word(i: &[u8]) -> LexResult<'_, Word> {
    let (rest, groups) = many1(alt((
        map(take_while1(is_bare), |s: &[u8]| {
            vec![Part::Bare(s.to_vec())]
        }),
        map(single_quoted, |p| vec![p]),
        double_quoted,
        map(bare_escape, |p| vec![p]),
        map(dollar, |p| vec![p]),
        map(backquoted, |p| vec![p]),
    )))
    .parse(i)?;
    Ok((
        rest,
        Word {
            parts: merge(groups),
        },
    ))
}

/// Concatenates adjacent literal parts of the same kind.
fn merge(groups: Vec<Vec<Part>>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in groups.into_iter().flatten() {
        match (out.last_mut(), p) {
            (Some(Part::Bare(a)), Part::Bare(b)) | (Some(Part::Quoted(a)), Part::Quoted(b)) => {
                a.extend_from_slice(&b)
            }
            (_, p) => out.push(p),
        }
    }
    out
}

/// Words up to the end of the command (newline, `;`, comment or end).
fn command_words(i: &[u8]) -> LexResult<'_, Vec<Word>> {
    let (mut rest, _) = blanks(i)?;
    let mut words = Vec::new();
    loop {
        match rest.first() {
            None | Some(b'\n') | Some(b';') | Some(b'#') => return Ok((rest, words)),
            _ => {}
        }
        let (r, w) = word(rest)?;
        words.push(w);
        let (r, _) = blanks(r)?;
        rest = r;
    }
}

/// Maps byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(input: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_iter(input).map(|n| n + 1));
        LineIndex { starts }
    }
    fn line_of(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(n) => n,
            Err(n) => n.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }
}

fn memchr_iter(input: &[u8]) -> impl Iterator<Item = usize> + '_ {
    input
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .map(|(n, _)| n)
}

/// Lexes a whole file. Never fails: a syntax error is reported in
/// [`Lexed::error`] and ends lexing, as sh refuses to source such a file.
pub fn lex(input: &[u8]) -> Lexed {
    let index = LineIndex::new(input);
    let offset = |rest: &[u8]| input.len() - rest.len();
    let mut out = Lexed {
        crlf: input.windows(2).any(|w| w == b"\r\n"),
        ..Lexed::default()
    };
    let mut rest = input;
    loop {
        // `separators` cannot fail: every alternative is optional.
        if let Ok((r, _)) = separators(rest) {
            rest = r;
        }
        if rest.is_empty() {
            break;
        }
        let line = index.line_of(offset(rest));
        match command_words(rest) {
            Ok((r, words)) => {
                if !words.is_empty() {
                    out.commands.push(Command { line, words });
                }
                if r.len() == rest.len() {
                    // Defensive: no progress (cannot happen: the caller
                    // consumed every separator). Skip one byte.
                    rest = &rest[1..];
                } else {
                    rest = r;
                }
            }
            Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => {
                // Point at the command: a quote left open there swallows the
                // following lines, so the construct sh chokes on may be
                // several lines further down.
                let at = index.line_of(offset(e.at));
                let msg = if at == line {
                    e.what.to_string()
                } else {
                    format!(
                        "{}: quotes do not pair up; a string opened on this line closes on a later one, and the quote on line {at} is never closed",
                        e.what
                    )
                };
                out.error = Some((line, msg));
                break;
            }
            Err(nom::Err::Incomplete(_)) => {
                out.error = Some((line, "syntax error".to_string()));
                break;
            }
        }
    }
    out
}

/// Joins a word's literal parts when it has no expansion (used for
/// keywords such as `export`).
pub fn literal(w: &Word) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for p in &w.parts {
        match p {
            Part::Bare(b) | Part::Quoted(b) => out.extend_from_slice(b),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare(s: &str) -> Part {
        Part::Bare(s.as_bytes().to_vec())
    }
    fn quoted(s: &str) -> Part {
        Part::Quoted(s.as_bytes().to_vec())
    }

    #[test]
    fn assignment_forms() {
        let l = lex(b"a=b\nc=\"d e\"\n f='g h' # trailing\n");
        assert_eq!(l.error, None);
        assert_eq!(l.commands.len(), 3);
        assert_eq!(l.commands[0].words[0].parts, vec![bare("a=b")]);
        assert_eq!(
            l.commands[1].words[0].parts,
            vec![bare("c="), quoted("d e")]
        );
        assert_eq!(l.commands[2].line, 3);
        assert_eq!(
            l.commands[2].words[0].parts,
            vec![bare("f="), quoted("g h")]
        );
        assert_eq!(l.commands[2].words.len(), 1);
    }

    #[test]
    fn comments_only_at_word_start() {
        let l = lex(b"# full line\na=b#c # comment\n#x=y\n");
        assert_eq!(l.commands.len(), 1);
        assert_eq!(l.commands[0].words[0].parts, vec![bare("a=b#c")]);
        assert_eq!(l.commands[0].line, 2);
    }

    #[test]
    fn multiline_quote_and_continuation() {
        let l = lex(b"a=\"x\ny\"\nb=1 \\\n c=2\nd=3");
        assert_eq!(l.error, None);
        assert_eq!(l.commands.len(), 3);
        assert_eq!(
            l.commands[0].words[0].parts,
            vec![bare("a="), quoted("x\ny")]
        );
        assert_eq!(l.commands[1].line, 3);
        assert_eq!(l.commands[1].words.len(), 2);
        assert_eq!(l.commands[2].line, 5);
    }

    #[test]
    fn expansions() {
        let l = lex(b"a=\"$x ${y} $(date) `id` ${z:-q} $1 \\$ $\"");
        assert_eq!(l.error, None);
        let parts = &l.commands[0].words[0].parts;
        assert_eq!(
            parts,
            &vec![
                bare("a="),
                Part::Var("x".into()),
                quoted(" "),
                Part::Var("y".into()),
                quoted(" "),
                Part::Unsupported("$(date)".into()),
                quoted(" "),
                Part::Unsupported("`id`".into()),
                quoted(" "),
                Part::Unsupported("${z:-q}".into()),
                quoted(" "),
                Part::Unsupported("$1".into()),
                quoted(" $ $"),
            ]
        );
    }

    #[test]
    fn escapes() {
        let l = lex(b"a=x\\ y\\\"z 'q\\' \"\\a\\\\\"");
        let w = &l.commands[0].words;
        assert_eq!(literal(&w[0]).unwrap(), b"a=x y\"z".to_vec());
        assert_eq!(literal(&w[1]).unwrap(), b"q\\".to_vec());
        assert_eq!(literal(&w[2]).unwrap(), b"\\a\\".to_vec());
    }

    #[test]
    fn semicolons_split_commands() {
        let l = lex(b"a=1; b=2;c=3\n");
        assert_eq!(l.commands.len(), 3);
        assert!(l.commands.iter().all(|c| c.line == 1));
    }

    #[test]
    fn unterminated_quote_points_at_its_line() {
        let l = lex(b"a=1\nb=\"x\nc=2\n");
        assert_eq!(l.commands.len(), 1);
        assert_eq!(
            l.error,
            Some((2, "unterminated double-quoted string".to_string()))
        );
        let l = lex(b"\n\nb='x");
        assert_eq!(
            l.error,
            Some((3, "unterminated single-quoted string".into()))
        );
        let l = lex(b"b=$(x");
        assert_eq!(l.error.map(|e| e.0), Some(1));
        // A quote closed by the next line's opening quote: the error is
        // reported on the command's first line.
        let l = lex(b"a=1\nb=\"x\nc=\"y\"\n");
        let (line, msg) = l.error.unwrap();
        assert_eq!(line, 2);
        assert!(msg.contains("the quote on line 3"), "{msg}");
    }

    #[test]
    fn crlf_is_blank() {
        let l = lex(b"a=\"b\"\r\nc=d\r\n");
        assert!(l.crlf);
        assert_eq!(l.commands.len(), 2);
        assert_eq!(l.commands[0].words.len(), 1);
        assert_eq!(literal(&l.commands[1].words[0]).unwrap(), b"c=d".to_vec());
    }

    #[test]
    fn binary_input_does_not_panic() {
        let mut data: Vec<u8> = (0u8..=255).collect();
        data.extend_from_slice(b"\\");
        let l = lex(&data);
        assert!(l.error.is_some() || !l.commands.is_empty());
        assert_eq!(lex(b"\\").commands.len(), 1);
        assert_eq!(lex(b"$").commands[0].words[0].parts, vec![bare("$")]);
    }
}
