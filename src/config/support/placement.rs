//! Where each proxy keyword may be written (HAProxy manual §4.1 matrix, 2.6
//! and 3.5 merged) and what HAProxy 2.6.12 says when one is written in the
//! wrong section: some are warnings (the line is ignored), some are fatal.
//! The messages were taken from `haproxy -c` runs, keyword by keyword.

use crate::diag::{Diagnostic, Loc, LocStyle, Severity};

/// Allowed in any `defaults` section.
const DEF: u8 = 1;
/// Allowed only in a named `defaults` section ("(!)" in the matrix).
const NAMED: u8 = 2;
const FE: u8 = 4;
const LI: u8 = 8;
const BE: u8 = 16;

/// The section a proxy keyword is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxySection {
    Defaults { named: bool },
    Frontend,
    Listen,
    Backend,
}

/// What to do with a keyword written in a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    Yes,
    /// HAProxy ignores the line: with this warning, or silently (`None`).
    Ignored(Option<Misplaced>),
    /// HAProxy rejects the line with this alert.
    Fatal(Misplaced),
    /// Not a keyword of the proxy sections.
    Unknown,
}

/// One "wrong section" diagnostic. The template may hold `{kind}` (the
/// section type, `frontend`/`backend`), `{name}` (the proxy's name),
/// `{kw}` (the keyword, in harp's own messages for keywords newer than 2.6)
/// and `{loc}` (`file:line`, for the messages that repeat it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misplaced {
    pub severity: Severity,
    pub style: LocStyle,
    pub template: &'static str,
}

impl Misplaced {
    pub fn message(&self, keyword: &str, kind: &str, name: &str, loc: &Loc) -> String {
        self.template
            .replace("{kw}", keyword)
            .replace("{kind}", kind)
            .replace("{name}", name)
            .replace("{loc}", &loc.to_string())
    }

    pub fn diagnostic(&self, keyword: &str, kind: &str, name: &str, loc: &Loc) -> Diagnostic {
        Diagnostic {
            severity: self.severity,
            loc: Some(loc.clone()),
            style: self.style,
            message: self.message(keyword, kind, name, loc),
        }
    }
}

const fn m(severity: Severity, style: LocStyle, template: &'static str) -> Misplaced {
    Misplaced {
        severity,
        style,
        template,
    }
}

/// Which side of the matrix a diagnostic belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// A "(!)" keyword in an anonymous defaults section.
    AnonDefaults,
    Defaults,
    Frontend,
    Backend,
}

/// Keyword → sections where it is allowed.
#[rustfmt::skip]
pub static PROXY_SECTIONS: &[(&str, u8)] = &[
    ("acl", NAMED | FE | LI | BE),
    ("backlog", DEF | FE | LI),
    ("balance", DEF | LI | BE),
    ("be-unpublished", LI | BE),
    ("bind", FE | LI),
    ("bind-process", DEF | FE | LI | BE),
    ("capture cookie", FE | LI),
    ("capture request header", FE | LI),
    ("capture response header", FE | LI),
    ("clitcpka-cnt", DEF | FE | LI),
    ("clitcpka-idle", DEF | FE | LI),
    ("clitcpka-intvl", DEF | FE | LI),
    ("compression", DEF | FE | LI | BE),
    ("cookie", DEF | LI | BE),
    ("crt", FE | LI),
    ("declare capture", FE | LI),
    ("default-server", DEF | LI | BE),
    ("default_backend", DEF | FE | LI),
    ("description", FE | LI | BE),
    ("disabled", DEF | FE | LI | BE),
    ("dispatch", LI | BE),
    ("email-alert from", DEF | FE | LI | BE),
    ("email-alert level", DEF | FE | LI | BE),
    ("email-alert mailers", DEF | FE | LI | BE),
    ("email-alert myhostname", DEF | FE | LI | BE),
    ("email-alert to", DEF | FE | LI | BE),
    ("enabled", DEF | FE | LI | BE),
    ("error-log-format", DEF | FE | LI),
    ("errorfile", DEF | FE | LI | BE),
    ("errorfiles", DEF | FE | LI | BE),
    ("errorloc", DEF | FE | LI | BE),
    ("errorloc302", DEF | FE | LI | BE),
    ("errorloc303", DEF | FE | LI | BE),
    ("external-check command", DEF | LI | BE),
    ("external-check path", DEF | LI | BE),
    ("filter", FE | LI | BE),
    ("filter-sequence", FE | LI | BE),
    ("force-be-switch", FE | LI),
    ("force-persist", LI | BE),
    ("fullconn", DEF | LI | BE),
    ("guid", FE | LI | BE),
    ("hash-balance-factor", DEF | LI | BE),
    ("hash-preserve-affinity", DEF | LI | BE),
    ("hash-type", DEF | LI | BE),
    ("http-after-response", NAMED | FE | LI | BE),
    ("http-check comment", DEF | LI | BE),
    ("http-check connect", DEF | LI | BE),
    ("http-check disable-on-404", DEF | LI | BE),
    ("http-check expect", DEF | LI | BE),
    ("http-check send", DEF | LI | BE),
    ("http-check send-state", DEF | LI | BE),
    ("http-check set-var", DEF | LI | BE),
    ("http-check unset-var", DEF | LI | BE),
    ("http-error", DEF | FE | LI | BE),
    ("http-request", NAMED | FE | LI | BE),
    ("http-response", NAMED | FE | LI | BE),
    ("http-reuse", DEF | LI | BE),
    ("http-send-name-header", DEF | LI | BE),
    ("id", FE | LI | BE),
    ("ignore-persist", LI | BE),
    ("load-server-state-from-file", DEF | LI | BE),
    ("log", DEF | FE | LI | BE),
    ("log-format", DEF | FE | LI),
    ("log-format-sd", DEF | FE | LI),
    ("log-steps", DEF | FE | LI),
    ("log-tag", DEF | FE | LI | BE),
    ("max-keep-alive-queue", DEF | LI | BE),
    ("max-session-srv-conns", DEF | FE | LI),
    ("maxconn", DEF | FE | LI),
    ("mode", DEF | FE | LI | BE),
    ("monitor fail", FE | LI),
    ("monitor-uri", DEF | FE | LI),
    ("option abortonclose", DEF | FE | LI | BE),
    ("option accept-invalid-http-request", DEF | FE | LI),
    ("option accept-invalid-http-response", DEF | LI | BE),
    ("option allbackups", DEF | LI | BE),
    ("option checkcache", DEF | LI | BE),
    ("option clitcpka", DEF | FE | LI),
    ("option contstats", DEF | FE | LI),
    ("option disable-h2-upgrade", DEF | FE | LI),
    ("option dontlog-normal", DEF | FE | LI),
    ("option dontlognull", DEF | FE | LI),
    ("option external-check", DEF | LI | BE),
    ("option forwarded", DEF | LI | BE),
    ("option forwardfor", DEF | FE | LI | BE),
    ("option h1-case-adjust-bogus-client", DEF | FE | LI),
    ("option h1-case-adjust-bogus-server", DEF | LI | BE),
    ("option http-buffer-request", DEF | FE | LI | BE),
    ("option http-drop-request-trailers", DEF | BE),
    ("option http-drop-response-trailers", DEF | LI),
    ("option http-ignore-probes", DEF | FE | LI),
    ("option http-keep-alive", DEF | FE | LI | BE),
    ("option http-no-delay", DEF | FE | LI | BE),
    ("option http-pretend-keepalive", DEF | LI | BE),
    ("option http-restrict-req-hdr-names", DEF | FE | LI | BE),
    ("option http-server-close", DEF | FE | LI | BE),
    ("option http-use-proxy-header", DEF | FE | LI),
    ("option httpchk", DEF | LI | BE),
    ("option httpclose", DEF | FE | LI | BE),
    ("option httplog", DEF | FE | LI),
    ("option httpslog", DEF | FE | LI),
    ("option idle-close-on-response", DEF | FE | LI),
    ("option independent-streams", DEF | FE | LI | BE),
    ("option ldap-check", DEF | LI | BE),
    ("option log-health-checks", DEF | LI | BE),
    ("option log-separate-errors", DEF | FE | LI),
    ("option logasap", DEF | FE | LI),
    ("option mysql-check", DEF | LI | BE),
    ("option nolinger", DEF | FE | LI | BE),
    ("option originalto", DEF | FE | LI | BE),
    ("option persist", DEF | LI | BE),
    ("option pgsql-check", DEF | LI | BE),
    ("option prefer-last-server", DEF | LI | BE),
    ("option redis-check", DEF | LI | BE),
    ("option redispatch", DEF | LI | BE),
    ("option smtpchk", DEF | LI | BE),
    ("option socket-stats", DEF | FE | LI),
    ("option splice-auto", DEF | FE | LI | BE),
    ("option splice-request", DEF | FE | LI | BE),
    ("option splice-response", DEF | FE | LI | BE),
    ("option spop-check", DEF | LI | BE),
    ("option srvtcpka", DEF | LI | BE),
    ("option ssl-hello-chk", DEF | LI | BE),
    ("option tcp-check", DEF | LI | BE),
    ("option tcp-smart-accept", DEF | FE | LI),
    ("option tcp-smart-connect", DEF | LI | BE),
    ("option tcpka", DEF | FE | LI | BE),
    ("option tcplog", DEF | FE | LI),
    ("option transparent", DEF | LI | BE),
    ("option use-small-buffers", DEF | LI | BE),
    ("persist rdp-cookie", DEF | LI | BE),
    ("quic-initial", NAMED | FE | LI),
    ("rate-limit sessions", DEF | FE | LI),
    ("redirect", FE | LI | BE),
    ("retries", DEF | LI | BE),
    ("retry-on", DEF | LI | BE),
    ("server", LI | BE),
    ("server-state-file-name", DEF | LI | BE),
    ("server-template", LI | BE),
    ("source", DEF | LI | BE),
    ("srvtcpka-cnt", DEF | LI | BE),
    ("srvtcpka-idle", DEF | LI | BE),
    ("srvtcpka-intvl", DEF | LI | BE),
    ("stats admin", FE | LI | BE),
    ("stats auth", DEF | FE | LI | BE),
    ("stats enable", DEF | FE | LI | BE),
    ("stats hide-version", DEF | FE | LI | BE),
    ("stats http-request", FE | LI | BE),
    ("stats realm", DEF | FE | LI | BE),
    ("stats refresh", DEF | FE | LI | BE),
    ("stats scope", DEF | FE | LI | BE),
    ("stats show-desc", DEF | FE | LI | BE),
    ("stats show-legends", DEF | FE | LI | BE),
    ("stats show-node", DEF | FE | LI | BE),
    ("stats show-version", DEF | FE | LI | BE),
    ("stats uri", DEF | FE | LI | BE),
    ("stick match", LI | BE),
    ("stick on", LI | BE),
    ("stick store-request", LI | BE),
    ("stick store-response", LI | BE),
    ("stick-table", FE | LI | BE),
    ("tcp-check comment", DEF | LI | BE),
    ("tcp-check connect", DEF | LI | BE),
    ("tcp-check expect", DEF | LI | BE),
    ("tcp-check send", DEF | LI | BE),
    ("tcp-check send-binary", DEF | LI | BE),
    ("tcp-check send-binary-lf", DEF | LI | BE),
    ("tcp-check send-lf", DEF | LI | BE),
    ("tcp-check set-var", DEF | LI | BE),
    ("tcp-check unset-var", DEF | LI | BE),
    ("tcp-request connection", NAMED | FE | LI),
    ("tcp-request content", NAMED | FE | LI | BE),
    ("tcp-request inspect-delay", NAMED | FE | LI | BE),
    ("tcp-request session", NAMED | FE | LI),
    ("tcp-response content", NAMED | LI | BE),
    ("tcp-response inspect-delay", NAMED | LI | BE),
    ("timeout check", DEF | LI | BE),
    ("timeout client", DEF | FE | LI),
    ("timeout client-fin", DEF | FE | LI),
    ("timeout client-hs", DEF | FE | LI),
    ("timeout connect", DEF | LI | BE),
    ("timeout http-keep-alive", DEF | FE | LI | BE),
    ("timeout http-request", DEF | FE | LI | BE),
    ("timeout queue", DEF | LI | BE),
    ("timeout server", DEF | LI | BE),
    ("timeout server-fin", DEF | LI | BE),
    ("timeout tarpit", DEF | FE | LI | BE),
    ("timeout tunnel", DEF | LI | BE),
    ("transparent", DEF | LI | BE),
    ("unique-id-format", DEF | FE | LI | BE),
    ("unique-id-header", DEF | FE | LI),
    ("use-fcgi-app", LI | BE),
    ("use-server", LI | BE),
    ("use_backend", FE | LI),
    // In 2.6's §4.2 but not in the §4.1 matrix.
    ("dynamic-cookie-key", DEF | LI | BE),
    ("http-check set-var-fmt", DEF | LI | BE),
    ("stats show-modules", DEF | FE | LI | BE),
    ("tcp-check set-var-fmt", DEF | LI | BE),
    // HAProxy 3.x options outside the matrix (unknown to 2.6).
    ("option accept-unsafe-violations-in-http-request", DEF | FE | LI),
    ("option accept-unsafe-violations-in-http-response", DEF | LI | BE),
];

/// HAProxy 2.6.12's diagnostic for each keyword it knows, per wrong side.
#[rustfmt::skip]
static MISPLACED: &[(&str, Side, Option<Misplaced>)] = &[
    ("acl", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "'acl' not allowed in anonymous 'defaults' section."))),
    ("backlog", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'backlog' ignored because {kind} '{name}' has no frontend capability."))),
    ("balance", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'balance' ignored because {kind} '{name}' has no backend capability."))),
    ("bind", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'bind' not allowed in 'defaults' section."))),
    ("bind", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'bind' ignored because {kind} '{name}' has no frontend capability."))),
    ("capture cookie", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'capture cookie' not allowed in 'defaults' section."))),
    ("capture cookie", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'capture' ignored because {kind} '{name}' has no frontend capability."))),
    ("capture request header", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'capture request' not allowed in 'defaults' section."))),
    ("capture request header", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'capture' ignored because {kind} '{name}' has no frontend capability."))),
    ("capture response header", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'capture response' not allowed in 'defaults' section."))),
    ("capture response header", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'capture' ignored because {kind} '{name}' has no frontend capability."))),
    ("clitcpka-cnt", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "clitcpka-cnt will be ignored because {kind} '{name}' has no frontend capability"))),
    ("clitcpka-idle", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "clitcpka-idle will be ignored because {kind} '{name}' has no frontend capability"))),
    ("clitcpka-intvl", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "clitcpka-intvl will be ignored because {kind} '{name}' has no frontend capability"))),
    ("cookie", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'cookie' ignored because {kind} '{name}' has no backend capability."))),
    ("declare capture", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'declare' not available in default section"))),
    ("declare capture", Side::Backend, Some(m(Severity::Alert, LocStyle::Parsing, "'declare' only available in frontend or listen section"))),
    ("default-server", Side::Frontend, Some(m(Severity::Alert, LocStyle::Bracket, "parsing [{loc}] : 'default-server' not allowed because {kind} '{name}' has no backend capability."))),
    ("default_backend", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'default_backend' ignored because {kind} '{name}' has no frontend capability."))),
    ("description", Side::Defaults, Some(m(Severity::Alert, LocStyle::ParsingTight, "'description' not allowed in 'defaults' section."))),
    ("dispatch", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'dispatch' not allowed in 'defaults' section."))),
    ("dispatch", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'dispatch' ignored because {kind} '{name}' has no backend capability."))),
    ("error-log-format", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'error-log-format' directive is ignored in backends."))),
    ("external-check command", Side::Frontend, None),
    ("external-check path", Side::Frontend, None),
    ("filter", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "parsing [{loc}] : filter is not allowed in a 'default' section."))),
    ("force-persist", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'force-persist' not allowed in 'defaults' section."))),
    ("force-persist", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'force-persist' ignored because {kind} '{name}' has no backend capability."))),
    ("fullconn", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'fullconn' ignored because {kind} '{name}' has no backend capability. Maybe you want 'maxconn' instead ?"))),
    ("hash-balance-factor", Side::Frontend, None),
    ("hash-type", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'hash-type' ignored because {kind} '{name}' has no backend capability."))),
    ("http-after-response", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "'http-after-response' not allowed in anonymous 'defaults' section."))),
    ("http-check comment", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check connect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check disable-on-404", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check expect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check send", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check send-state", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check set-var", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check unset-var", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("http-request", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "'http-request' not allowed in anonymous 'defaults' section."))),
    ("http-response", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "'http-response' not allowed in anonymous 'defaults' section."))),
    ("http-reuse", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-reuse' ignored because {kind} '{name}' has no backend capability."))),
    ("http-send-name-header", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-send-name-header' ignored because {kind} '{name}' has no backend capability."))),
    ("id", Side::Defaults, Some(m(Severity::Alert, LocStyle::ParsingTight, "'id' not allowed in 'defaults' section."))),
    ("ignore-persist", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'ignore-persist' not allowed in 'defaults' section."))),
    ("ignore-persist", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'ignore-persist' ignored because {kind} '{name}' has no backend capability."))),
    ("load-server-state-from-file", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'load-server-state-from-file' ignored because {kind} '{name}' has no backend capability."))),
    ("log-format", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'log-format' directive is ignored in backends."))),
    ("log-format-sd", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'log-format-sd' directive is ignored in backends."))),
    ("max-keep-alive-queue", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "max-keep-alive-queue will be ignored because {kind} '{name}' has no backend capability"))),
    ("max-session-srv-conns", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'max-session-srv-conns' ignored because {kind} '{name}' has no frontend capability."))),
    ("maxconn", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'maxconn' ignored because {kind} '{name}' has no frontend capability. Maybe you want 'fullconn' instead ?"))),
    ("monitor fail", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'monitor' not allowed in 'defaults' section."))),
    ("monitor fail", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'monitor' ignored because {kind} '{name}' has no frontend capability."))),
    ("monitor-uri", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'monitor-uri' ignored because {kind} '{name}' has no frontend capability."))),
    ("option accept-invalid-http-request", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'accept-invalid-http-request' ignored because {kind} '{name}' has no frontend capability."))),
    ("option accept-invalid-http-response", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'accept-invalid-http-response' ignored because {kind} '{name}' has no backend capability."))),
    ("option allbackups", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'allbackups' ignored because {kind} '{name}' has no backend capability."))),
    ("option checkcache", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'checkcache' ignored because {kind} '{name}' has no backend capability."))),
    ("option clitcpka", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'clitcpka' ignored because {kind} '{name}' has no frontend capability."))),
    ("option contstats", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'contstats' ignored because {kind} '{name}' has no frontend capability."))),
    ("option disable-h2-upgrade", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'disable-h2-upgrade' ignored because {kind} '{name}' has no frontend capability."))),
    ("option dontlog-normal", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'dontlog-normal' ignored because {kind} '{name}' has no frontend capability."))),
    ("option dontlognull", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'dontlognull' ignored because {kind} '{name}' has no frontend capability."))),
    ("option external-check", Side::Frontend, None),
    ("option h1-case-adjust-bogus-client", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'h1-case-adjust-bogus-client' ignored because {kind} '{name}' has no frontend capability."))),
    ("option h1-case-adjust-bogus-server", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'h1-case-adjust-bogus-server' ignored because {kind} '{name}' has no backend capability."))),
    ("option http-ignore-probes", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-ignore-probes' ignored because {kind} '{name}' has no frontend capability."))),
    ("option http-pretend-keepalive", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-pretend-keepalive' ignored because {kind} '{name}' has no backend capability."))),
    ("option http-use-proxy-header", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-use-proxy-header' ignored because {kind} '{name}' has no frontend capability."))),
    ("option httpchk", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'httpchk' ignored because {kind} '{name}' has no backend capability."))),
    ("option httplog", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'option httplog' directive is ignored in backends."))),
    ("option httpslog", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'option httpslog' directive is ignored in backends."))),
    ("option idle-close-on-response", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'idle-close-on-response' ignored because {kind} '{name}' has no frontend capability."))),
    ("option ldap-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'ldap-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option log-health-checks", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'log-health-checks' ignored because {kind} '{name}' has no backend capability."))),
    ("option log-separate-errors", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'log-separate-errors' ignored because {kind} '{name}' has no frontend capability."))),
    ("option logasap", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'logasap' ignored because {kind} '{name}' has no frontend capability."))),
    ("option mysql-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'mysql-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option persist", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'persist' ignored because {kind} '{name}' has no backend capability."))),
    ("option pgsql-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'pgsql-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option prefer-last-server", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'prefer-last-server' ignored because {kind} '{name}' has no backend capability."))),
    ("option redis-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'redis-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option redispatch", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'redispatch' ignored because {kind} '{name}' has no backend capability."))),
    ("option smtpchk", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'smtpchk' ignored because {kind} '{name}' has no backend capability."))),
    ("option socket-stats", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'socket-stats' ignored because {kind} '{name}' has no frontend capability."))),
    ("option spop-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'spop-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option srvtcpka", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'srvtcpka' ignored because {kind} '{name}' has no backend capability."))),
    ("option ssl-hello-chk", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'ssl-hello-chk' ignored because {kind} '{name}' has no backend capability."))),
    ("option tcp-check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("option tcp-smart-accept", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-smart-accept' ignored because {kind} '{name}' has no frontend capability."))),
    ("option tcp-smart-connect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-smart-connect' ignored because {kind} '{name}' has no backend capability."))),
    ("option tcplog", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "{kind} '{name}' : 'option tcplog' directive is ignored in backends."))),
    ("option transparent", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'transparent' ignored because {kind} '{name}' has no backend capability."))),
    ("persist rdp-cookie", Side::Frontend, None),
    ("rate-limit sessions", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "rate-limit sessions will be ignored because {kind} '{name}' has no frontend capability"))),
    ("redirect", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'redirect' not allowed in 'defaults' section."))),
    ("retries", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'retries' ignored because {kind} '{name}' has no backend capability."))),
    ("retry-on", Side::Frontend, Some(m(Severity::Alert, LocStyle::Parsing, "'retry-on' only available in backend or listen section"))),
    ("server", Side::Defaults, Some(m(Severity::Alert, LocStyle::Bracket, "'server' not allowed in 'defaults' section."))),
    ("server", Side::Frontend, Some(m(Severity::Alert, LocStyle::Bracket, "parsing [{loc}] : 'server' not allowed because {kind} '{name}' has no backend capability."))),
    ("server-state-file-name", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'server-state-file-name' ignored because {kind} '{name}' has no backend capability."))),
    ("server-template", Side::Defaults, Some(m(Severity::Alert, LocStyle::Bracket, "'server-template' not allowed in 'defaults' section."))),
    ("server-template", Side::Frontend, Some(m(Severity::Alert, LocStyle::Bracket, "parsing [{loc}] : 'server-template' not allowed because {kind} '{name}' has no backend capability."))),
    ("source", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'source' ignored because {kind} '{name}' has no backend capability."))),
    ("srvtcpka-cnt", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "srvtcpka-cnt will be ignored because {kind} '{name}' has no backend capability"))),
    ("srvtcpka-idle", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "srvtcpka-idle will be ignored because {kind} '{name}' has no backend capability"))),
    ("srvtcpka-intvl", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "srvtcpka-intvl will be ignored because {kind} '{name}' has no backend capability"))),
    ("stats admin", Side::Defaults, Some(m(Severity::Alert, LocStyle::ParsingTight, "'stats admin' not allowed in 'defaults' section."))),
    ("stats http-request", Side::Defaults, Some(m(Severity::Alert, LocStyle::ParsingTight, "'stats' not allowed in 'defaults' section."))),
    ("stick match", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'stick' not allowed in 'defaults' section."))),
    ("stick match", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'stick' ignored because {kind} '{name}' has no backend capability."))),
    ("stick on", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'stick' not allowed in 'defaults' section."))),
    ("stick on", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'stick' ignored because {kind} '{name}' has no backend capability."))),
    ("stick store-request", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'stick' not allowed in 'defaults' section."))),
    ("stick store-request", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'stick' ignored because {kind} '{name}' has no backend capability."))),
    ("stick store-response", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'stick' not allowed in 'defaults' section."))),
    ("stick store-response", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'stick' ignored because {kind} '{name}' has no backend capability."))),
    ("stick-table", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'stick-table' is not supported in 'defaults' section."))),
    ("tcp-check comment", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check connect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check expect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check send", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check send-binary", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check send-binary-lf", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check send-lf", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check set-var", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check unset-var", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-request connection", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request connection is not allowed in anonymous 'defaults' sections"))),
    ("tcp-request connection", Side::Backend, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request connection is not allowed because {kind} {name} is not a frontend"))),
    ("tcp-request content", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request content is not allowed in anonymous 'defaults' sections"))),
    ("tcp-request inspect-delay", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request inspect-delay is not allowed in anonymous 'defaults' sections"))),
    ("tcp-request session", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request session is not allowed in anonymous 'defaults' sections"))),
    ("tcp-request session", Side::Backend, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-request session is not allowed because {kind} {name} is not a frontend"))),
    ("tcp-response content", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name"))),
    ("tcp-response content", Side::Frontend, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name"))),
    ("tcp-response inspect-delay", Side::AnonDefaults, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name"))),
    ("tcp-response inspect-delay", Side::Frontend, Some(m(Severity::Alert, LocStyle::Parsing, "tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name"))),
    ("timeout check", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout check' will be ignored because {kind} '{name}' has no backend capability"))),
    ("timeout client", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout client' will be ignored because {kind} '{name}' has no frontend capability"))),
    ("timeout client-fin", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout client-fin' will be ignored because {kind} '{name}' has no frontend capability"))),
    ("timeout connect", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout connect' will be ignored because {kind} '{name}' has no backend capability"))),
    ("timeout queue", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout queue' will be ignored because {kind} '{name}' has no backend capability"))),
    ("timeout server", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout server' will be ignored because {kind} '{name}' has no backend capability"))),
    ("timeout server-fin", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout server-fin' will be ignored because {kind} '{name}' has no backend capability"))),
    ("timeout tunnel", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'timeout tunnel' will be ignored because {kind} '{name}' has no backend capability"))),
    ("transparent", Side::Frontend, None),
    ("unique-id-header", Side::Backend, None),
    ("use-fcgi-app", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'use-fcgi-app' only available in backend or listen section"))),
    ("use-fcgi-app", Side::Frontend, Some(m(Severity::Alert, LocStyle::Parsing, "'use-fcgi-app' only available in backend or listen section"))),
    ("use-server", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'use-server' not allowed in 'defaults' section."))),
    ("use-server", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'use-server' ignored because {kind} '{name}' has no backend capability."))),
    ("use_backend", Side::Defaults, Some(m(Severity::Alert, LocStyle::Parsing, "'use_backend' not allowed in 'defaults' section."))),
    ("use_backend", Side::Backend, Some(m(Severity::Warning, LocStyle::Parsing, "'use_backend' ignored because {kind} '{name}' has no frontend capability."))),
    ("dynamic-cookie-key", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'dynamic-cookie-key' ignored because {kind} '{name}' has no backend capability."))),
    ("http-check set-var-fmt", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'http-check' ignored because {kind} '{name}' has no backend capability."))),
    ("tcp-check set-var-fmt", Side::Frontend, Some(m(Severity::Warning, LocStyle::Parsing, "'tcp-check' ignored because {kind} '{name}' has no backend capability."))),
];

/// Whether `keyword` (a proxy keyword in full, e.g. "option httplog") may be
/// written in `section`, and if not, what HAProxy 2.6 does about it.
pub fn proxy_allowed(keyword: &str, section: ProxySection) -> Allowed {
    let Some(&(_, bits)) = PROXY_SECTIONS.iter().find(|(k, _)| *k == keyword) else {
        return Allowed::Unknown;
    };
    let (ok, side) = match section {
        ProxySection::Defaults { named } => {
            let ok = bits & DEF != 0 || (named && bits & NAMED != 0);
            let side = if bits & NAMED != 0 {
                Side::AnonDefaults
            } else {
                Side::Defaults
            };
            (ok, side)
        }
        ProxySection::Frontend => (bits & FE != 0, Side::Frontend),
        ProxySection::Listen => (bits & LI != 0, Side::Frontend),
        ProxySection::Backend => (bits & BE != 0, Side::Backend),
    };
    if ok {
        return Allowed::Yes;
    }
    let known = MISPLACED
        .iter()
        .find(|(k, s, _)| *k == keyword && *s == side)
        .map(|(_, _, d)| *d);
    match known {
        Some(Some(d)) if d.severity == Severity::Alert => Allowed::Fatal(d),
        Some(d) => Allowed::Ignored(d),
        None => generic(side),
    }
}

/// For keywords newer than 2.6 (no 2.6 message exists): HAProxy's most
/// common shapes.
fn generic(side: Side) -> Allowed {
    match side {
        Side::AnonDefaults => Allowed::Fatal(m(
            Severity::Alert,
            LocStyle::Parsing,
            "'{kw}' not allowed in anonymous 'defaults' section.",
        )),
        Side::Defaults => Allowed::Fatal(m(
            Severity::Alert,
            LocStyle::Parsing,
            "'{kw}' not allowed in 'defaults' section.",
        )),
        Side::Frontend => Allowed::Ignored(Some(m(
            Severity::Warning,
            LocStyle::Parsing,
            "'{kw}' ignored because {kind} '{name}' has no backend capability.",
        ))),
        Side::Backend => Allowed::Ignored(Some(m(
            Severity::Warning,
            LocStyle::Parsing,
            "'{kw}' ignored because {kind} '{name}' has no frontend capability.",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every recorded message belongs to a keyword that is really refused
    /// on that side, so no message can shadow an allowed placement.
    #[test]
    fn misplaced_rows_are_for_disallowed_sides() {
        for (kw, side, _) in MISPLACED {
            let bits = PROXY_SECTIONS
                .iter()
                .find(|(k, _)| k == kw)
                .map(|(_, b)| *b)
                .unwrap_or(0);
            assert_ne!(bits, 0, "{kw} has no placement");
            let allowed = match side {
                Side::AnonDefaults => bits & DEF != 0,
                Side::Defaults => bits & (DEF | NAMED) != 0,
                Side::Frontend => bits & FE != 0,
                Side::Backend => bits & BE != 0,
            };
            assert!(!allowed, "{kw} is allowed on {side:?}");
        }
    }
}
