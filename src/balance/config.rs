//! The balancing settings of one backend, read from the config model:
//! `balance`, `hash-type`, `hash-balance-factor`, `option allbackups`.

use crate::config::model::{Balance, Proxy};

use super::hash::HashFn;

/// `balance <algorithm> [args]` (HAProxy manual §4.2 "balance").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Algorithm {
    RoundRobin,
    StaticRr,
    LeastConn,
    First,
    Source,
    Uri(UriOpts),
    UrlParam {
        name: String,
        check_post: bool,
    },
    Hdr {
        name: String,
        use_domain_only: bool,
    },
    /// Power of `draws` random choices over the consistent ring.
    Random {
        draws: u32,
    },
    RdpCookie {
        name: String,
    },
    /// `balance hash <sample-expr>`: the data plane evaluates the
    /// expression and passes the bytes.
    Hash {
        expr: String,
    },
}

/// Options of `balance uri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UriOpts {
    pub whole: bool,
    pub path_only: bool,
    /// Hash at most this many bytes.
    pub len: Option<u32>,
    /// Hash at most this many directory levels.
    pub depth: Option<u32>,
}

/// `hash-type <method>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashMethod {
    #[default]
    MapBased,
    Consistent,
}

/// `hash-type <method> [<function>] [avalanche]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashType {
    pub method: HashMethod,
    pub func: HashFn,
    pub avalanche: bool,
}

impl HashType {
    /// Read the words after `hash-type`. `consistent` alone means sdbm
    /// with avalanche (manual §4.2 "hash-type").
    pub fn parse(words: &[String]) -> Result<HashType, String> {
        let method = match words.first().map(String::as_str) {
            None | Some("map-based") => HashMethod::MapBased,
            Some("consistent") => HashMethod::Consistent,
            Some(_) => return Err("'hash-type' only supports 'consistent' and 'map-based'.".into()),
        };
        let Some(f) = words.get(1) else {
            return Ok(HashType {
                method,
                func: HashFn::Sdbm,
                avalanche: method == HashMethod::Consistent,
            });
        };
        let func = HashFn::from_name(f).ok_or_else(|| {
            "'hash-type' only supports 'sdbm', 'djb2', 'wt6' and 'crc32' hash functions."
                .to_string()
        })?;
        let avalanche = match words.get(2).map(String::as_str) {
            None => false,
            Some("avalanche") => true,
            Some(_) => {
                return Err(
                    "'hash-type' only supports 'avalanche' as a modifier for hash functions."
                        .into(),
                )
            }
        };
        Ok(HashType {
            method,
            func,
            avalanche,
        })
    }
}

/// Everything the balancer needs from the backend's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LbConfig {
    pub algo: Algorithm,
    pub hash_type: HashType,
    /// `option allbackups`: use all usable backups, not just the first.
    pub allbackups: bool,
    /// `hash-balance-factor` (0 = off).
    pub balance_factor: u32,
}

impl Default for LbConfig {
    fn default() -> Self {
        LbConfig {
            algo: Algorithm::RoundRobin,
            hash_type: HashType::default(),
            allbackups: false,
            balance_factor: 0,
        }
    }
}

/// `name(arg)` → Some("arg"); `name` → None.
fn paren_arg<'a>(word: &'a str, name: &str) -> Option<&'a str> {
    word.strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn positive(kw: &str, opt: &str, v: Option<&String>) -> Result<u32, String> {
    match v.map(|s| s.parse::<u32>()) {
        Some(Ok(n)) if n > 0 => Ok(n),
        _ => Err(format!(
            "{kw} : '{opt}' expects a positive integer (got '{}').",
            v.map(String::as_str).unwrap_or("")
        )),
    }
}

impl Algorithm {
    pub fn parse(b: &Balance) -> Result<Algorithm, String> {
        let a = b.algorithm.as_str();
        let args = &b.args;
        Ok(match a {
            "roundrobin" => Algorithm::RoundRobin,
            "static-rr" => Algorithm::StaticRr,
            "leastconn" => Algorithm::LeastConn,
            "first" => Algorithm::First,
            "source" => Algorithm::Source,
            "random" => Algorithm::Random { draws: 2 },
            "rdp-cookie" => Algorithm::RdpCookie {
                name: "mstshash".into(),
            },
            "uri" => {
                let mut o = UriOpts::default();
                let mut i = 0;
                while let Some(w) = args.get(i) {
                    match w.as_str() {
                        "len" => {
                            o.len = Some(positive("uri", "len", args.get(i + 1))?);
                            i += 2;
                        }
                        "depth" => {
                            o.depth = Some(positive("uri", "depth", args.get(i + 1))?);
                            i += 2;
                        }
                        "whole" => {
                            o.whole = true;
                            i += 1;
                        }
                        "path-only" => {
                            o.path_only = true;
                            i += 1;
                        }
                        other => {
                            return Err(format!("uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '{other}')."))
                        }
                    }
                }
                Algorithm::Uri(o)
            }
            "url_param" => {
                let name = args
                    .first()
                    .filter(|s| !s.is_empty())
                    .ok_or("'balance url_param' requires an URL parameter name.")?;
                Algorithm::UrlParam {
                    name: name.clone(),
                    check_post: args.get(1).map(String::as_str) == Some("check_post"),
                }
            }
            "hash" => Algorithm::Hash {
                expr: args.join(" "),
            },
            _ => {
                if let Some(n) = paren_arg(a, "hdr") {
                    if n.is_empty() {
                        return Err("hdr requires an http header field name.".into());
                    }
                    Algorithm::Hdr {
                        name: n.to_string(),
                        use_domain_only: args.first().map(String::as_str)
                            == Some("use_domain_only"),
                    }
                } else if let Some(n) = paren_arg(a, "random") {
                    match n.parse::<u32>() {
                        Ok(d) if d >= 1 => Algorithm::Random { draws: d },
                        _ => return Err("random : number of draws must be at least 1.".into()),
                    }
                } else if let Some(n) = paren_arg(a, "rdp-cookie") {
                    Algorithm::RdpCookie {
                        name: if n.is_empty() {
                            "mstshash".into()
                        } else {
                            n.to_string()
                        },
                    }
                } else {
                    return Err("only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hash', 'hdr(name)', 'rdp-cookie(name)' and 'random' options.".into());
                }
            }
        })
    }

    /// Hash algorithms pick by key and fall back to round robin.
    pub fn is_hash(&self) -> bool {
        matches!(
            self,
            Algorithm::Source
                | Algorithm::Uri(_)
                | Algorithm::UrlParam { .. }
                | Algorithm::Hdr { .. }
                | Algorithm::RdpCookie { .. }
                | Algorithm::Hash { .. }
        )
    }
}

impl LbConfig {
    /// Settings of a backend (or listen) section of the model.
    pub fn from_proxy(p: &Proxy) -> Result<LbConfig, String> {
        let s = &p.settings;
        let factor = s
            .extra
            .iter()
            .rev()
            .find(|(k, _, _)| k == "hash-balance-factor")
            .and_then(|(_, a, _)| a.first())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        Ok(LbConfig {
            algo: Algorithm::parse(&s.balance)?,
            hash_type: HashType::parse(s.hash_type.as_deref().unwrap_or(&[]))?,
            allbackups: p.option("allbackups"),
            balance_factor: factor,
        })
    }
}
