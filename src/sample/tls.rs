//! The TLS ClientHello seen in the first request bytes (TCP content
//! inspection): `req.ssl_hello_type` and `req.ssl_sni` (RFC 8446 §4.1.2,
//! RFC 6066 §3). Only complete records are read.

/// The handshake message of a complete TLS (v3 or later) handshake record.
fn handshake(data: &[u8]) -> Option<&[u8]> {
    if data.len() < 9 || data[0] != 0x16 || data[1] < 3 {
        return None;
    }
    let rec_len = usize::from(u16::from_be_bytes([data[3], data[4]]));
    let record = data.get(5..5 + rec_len)?;
    Some(record)
}

/// Whether more bytes could still make the hello fetches answer: nothing
/// received yet, or the start of a TLS handshake record not complete.
pub(crate) fn may_change(data: Option<&[u8]>) -> bool {
    let Some(data) = data else { return true };
    match data {
        [] => true,
        [0x16] | [0x16, _] | [0x16, _, _] | [0x16, _, _, _] => true,
        [0x16, _, _, hi, lo, rest @ ..] => rest.len() < usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => false,
    }
}

/// `req.ssl_hello_type`: the handshake type (1 client hello, 2 server hello).
pub(crate) fn hello_type(data: &[u8]) -> Option<i64> {
    let hs = handshake(data)?;
    let t = *hs.first()?;
    // A hello needs at least its length and version fields.
    (hs.len() >= 4).then_some(i64::from(t))
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.buf.get(..n)?, self.buf.get(n..)?);
        self.buf = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<usize> {
        self.take(1).map(|b| usize::from(b[0]))
    }
    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
}

/// `req.ssl_sni`: the host name of the server_name extension.
pub(crate) fn client_hello_sni(data: &[u8]) -> Option<String> {
    let hs = handshake(data)?;
    if *hs.first()? != 1 {
        return None;
    }
    let mut r = Reader { buf: hs.get(4..)? };
    r.take(2 + 32)?; // version, random
    let n = r.u8()?;
    r.take(n)?; // session id
    let n = r.u16()?;
    r.take(n)?; // cipher suites
    let n = r.u8()?;
    r.take(n)?; // compression methods
    let n = r.u16()?;
    let mut ext = Reader { buf: r.take(n)? };
    while !ext.buf.is_empty() {
        let ty = ext.u16()?;
        let len = ext.u16()?;
        let body = ext.take(len)?;
        if ty != 0 {
            continue;
        }
        let mut sn = Reader { buf: body };
        let list_len = sn.u16()?;
        let mut list = Reader {
            buf: sn.take(list_len)?,
        };
        while !list.buf.is_empty() {
            let name_type = list.u8()?;
            let n = list.u16()?;
            let name = list.take(n)?;
            if name_type == 0 {
                return std::str::from_utf8(name).ok().map(String::from);
            }
        }
    }
    None
}

/// A minimal ClientHello carrying `sni` (tests).
#[cfg(test)]
pub(crate) fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let mut sni_ext = Vec::new();
    let list_len = name.len() + 3;
    sni_ext.extend_from_slice(&(list_len as u16).to_be_bytes());
    sni_ext.push(0);
    sni_ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    sni_ext.extend_from_slice(name);
    let mut exts = vec![0x00, 0x0a, 0x00, 0x02, 0x00, 0x17]; // another extension first
    exts.extend_from_slice(&[0, 0]);
    exts.extend_from_slice(&(sni_ext.len() as u16).to_be_bytes());
    exts.extend_from_slice(&sni_ext);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut hs = vec![1, 0];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sni_and_type() {
        let h = client_hello("www.example.com");
        assert_eq!(client_hello_sni(&h), Some("www.example.com".into()));
        assert_eq!(hello_type(&h), Some(1));
        assert_eq!(client_hello_sni(&h[..h.len() - 1]), None);
        assert_eq!(hello_type(&h[..h.len() - 1]), None);
        assert_eq!(hello_type(b"GET / HTTP/1.1\r\n"), None);
        assert_eq!(client_hello_sni(&[]), None);
        assert!(may_change(None));
        assert!(may_change(Some(&h[..3])));
        assert!(may_change(Some(&h[..h.len() - 1])));
        assert!(!may_change(Some(&h)));
        assert!(!may_change(Some(b"GET /")));
    }
}
