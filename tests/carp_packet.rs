//! The test vectors of CARP.md §4.4 (`verify_carp.py --selftest`) and the
//! advert captured from a real ucarp, through the public codec API.

use std::net::{IpAddr, Ipv4Addr};

use harp::carp::packet::{internet_checksum, internet_checksum_ok};
use harp::carp::wire::{self, split_ipv4};
use harp::carp::{CarpHeader, PacketError, VhidAuth, HEADER_LEN};
use harp::diag::Loc;
use harp::rcconf::{CarpAddr, VhidConfig};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}

/// One `--selftest` vector: inputs and the expected message, md, checksum
/// and header.
struct Vector {
    pass: &'static [u8],
    vhid: u8,
    advbase: u8,
    advskew: u8,
    addrs: &'static [&'static str],
    counter: u64,
    msg: &'static str,
    md: &'static str,
    cksum: u16,
    header: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        pass: b"secret",
        vhid: 1,
        advbase: 1,
        advskew: 0,
        addrs: &["10.10.0.1"],
        counter: 0x0102030405060708,
        msg: "0201010a0a00010102030405060708",
        md: "3c82055b55930988fd7dc588c5e43bcfa3e4fadc",
        cksum: 0xca6d,
        header: "210100070001ca6d01020304050607083c82055b55930988fd7dc588c5e43bcfa3e4fadc",
    },
    Vector {
        pass: b"secret",
        vhid: 1,
        advbase: 1,
        advskew: 100,
        addrs: &["10.10.0.1"],
        counter: 0x0102030405060709,
        msg: "0201010a0a00010102030405060709",
        md: "fec7c1685ed3bcb97506a89f939c1a06c59f81a1",
        cksum: 0x7c99,
        header: "2101640700017c990102030405060709fec7c1685ed3bcb97506a89f939c1a06c59f81a1",
    },
    Vector {
        pass: b"secret",
        vhid: 7,
        advbase: 1,
        advskew: 0,
        addrs: &["10.10.0.2", "10.10.0.1", "2001:db8::1"],
        counter: 0xffffffff00000000,
        msg: "0201070a0a00010a0a000220010db8000000000000000000000001ffffffff00000000",
        md: "19fb00e74a1cccb27fbcd3bec3eeddc734b1a43d",
        cksum: 0xdf1e,
        header: "210700070001df1effffffff0000000019fb00e74a1cccb27fbcd3bec3eeddc734b1a43d",
    },
    Vector {
        pass: b"",
        vhid: 3,
        advbase: 2,
        advskew: 50,
        addrs: &["192.168.77.100"],
        counter: 1,
        msg: "020103c0a84d640000000000000001",
        md: "dd998f85e44c0d235f355681e94e96acbf692398",
        cksum: 0x35af,
        header: "21033207000235af0000000000000001dd998f85e44c0d235f355681e94e96acbf692398",
    },
];

/// The IPv4 advert ucarp sent (pass `secret`, vhid 1, VIP 192.168.77.100).
const CAPTURED: &str = "45100038b7194000ff70d66fc0a84d01e0000012 210100070001c1fa b4bcef3f4937faf3
                        0b07dbc19139a4e22878b5197eda4e016c600121";

#[test]
fn selftest_vectors_message_digest_header() {
    for v in VECTORS {
        let auth = VhidAuth::new(v.vhid, v.pass, ips(v.addrs));
        assert_eq!(
            auth.message(v.counter),
            hex(v.msg),
            "msg of vhid {}",
            v.vhid
        );
        assert_eq!(
            auth.digest(v.counter).to_vec(),
            hex(v.md),
            "md of vhid {}",
            v.vhid
        );
        let h = auth.advertisement(v.advbase, v.advskew, v.counter);
        assert_eq!(h.checksum, v.cksum, "checksum of vhid {}", v.vhid);
        assert_eq!(
            h.encode().to_vec(),
            hex(v.header),
            "header of vhid {}",
            v.vhid
        );
    }
}

#[test]
fn selftest_vectors_decode_validate_reencode() {
    for v in VECTORS {
        let bytes = hex(v.header);
        let auth = VhidAuth::new(v.vhid, v.pass, ips(v.addrs));
        let h = auth.validate(&bytes).unwrap();
        assert_eq!(
            (h.vhid, h.advbase, h.advskew, h.counter, h.authlen, h.demote),
            (v.vhid, v.advbase, v.advskew, v.counter, 7, 0)
        );
        assert_eq!(h.encode().to_vec(), bytes);
        assert!(internet_checksum_ok(&bytes));
    }
}

#[test]
fn address_order_does_not_matter() {
    let a = VhidAuth::new(
        7,
        b"secret",
        ips(&["2001:db8::1", "10.10.0.2", "10.10.0.1"]),
    );
    assert_eq!(a.digest(0xffffffff00000000).to_vec(), hex(VECTORS[2].md));
}

#[test]
fn from_config_uses_every_address_of_the_vhid() {
    let addr = |s: &str, len| CarpAddr {
        addr: s.parse().unwrap(),
        prefix_len: len,
    };
    let v = VhidConfig {
        vhid: 7,
        parent: Some("em0".into()),
        carp_if: None,
        addrs: vec![
            addr("2001:db8::1", 64),
            addr("10.10.0.2", 32),
            addr("10.10.0.1", 32),
        ],
        advbase: 1,
        advskew: 0,
        key: b"secret".to_vec(),
        initial_state: None,
        peer: None,
        peer6: None,
        loc: Loc::new("rc.conf", 1),
    };
    let auth = VhidAuth::from_config(&v);
    assert_eq!(auth.message(0xffffffff00000000), hex(VECTORS[2].msg));
}

#[test]
fn captured_ucarp_packet() {
    let pkt = hex(CAPTURED);
    assert_eq!(pkt.len(), wire::IPV4_PACKET_LEN);
    let (ip, carp) = split_ipv4(&pkt).unwrap();
    assert_eq!(ip.src, Ipv4Addr::new(192, 168, 77, 1));
    assert_eq!(ip.dst, wire::GROUP_V4);
    assert_eq!(ip.ttl, wire::TTL);
    assert_eq!(ip.tos, wire::TOS_LOWDELAY);
    assert_eq!(wire::check_ttl(ip.ttl), Ok(()));

    let auth = VhidAuth::new(1, b"secret", ips(&["192.168.77.100"]));
    let h = auth.validate(carp).unwrap();
    assert_eq!(h.checksum, 0xc1fa);
    assert_eq!(h.counter, 0xb4bcef3f4937faf3);
    assert_eq!((h.vhid, h.advbase, h.advskew), (1, 1, 0));
    assert_eq!(
        auth.message(h.counter),
        hex("020101 c0a84d64 b4bcef3f4937faf3")
    );
    assert_eq!(h.encode().as_slice(), carp);
    // Building the same advert from scratch gives the captured bytes.
    assert_eq!(
        auth.advertisement(1, 0, h.counter).encode().as_slice(),
        carp
    );
}

#[test]
fn captured_packet_rejected_with_wrong_password_vip_or_vhid() {
    let pkt = hex(CAPTURED);
    let carp = &pkt[20..];
    let wrong_pass = VhidAuth::new(1, b"wrongpass", ips(&["192.168.77.100"]));
    assert_eq!(
        wrong_pass.validate(carp),
        Err(PacketError::BadDigest { vhid: 1 })
    );
    let wrong_vip = VhidAuth::new(1, b"secret", ips(&["192.168.77.101"]));
    assert_eq!(
        wrong_vip.validate(carp),
        Err(PacketError::BadDigest { vhid: 1 })
    );
    let extra_vip = VhidAuth::new(1, b"secret", ips(&["192.168.77.100", "2001:db8::1"]));
    assert_eq!(
        extra_vip.validate(carp),
        Err(PacketError::BadDigest { vhid: 1 })
    );
    let wrong_vhid = VhidAuth::new(2, b"secret", ips(&["192.168.77.100"]));
    assert_eq!(
        wrong_vhid.validate(carp),
        Err(PacketError::WrongVhid {
            got: 1,
            expected: 2
        })
    );
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let auth = VhidAuth::new(1, b"secret", ips(&["10.10.0.1"]));
    let good = hex(VECTORS[0].header);
    for byte in 0..HEADER_LEN {
        for bit in 0..8 {
            let mut b = good.clone();
            b[byte] ^= 1 << bit;
            assert!(
                auth.validate(&b).is_err(),
                "flip of byte {byte} bit {bit} accepted"
            );
        }
    }
}

#[test]
fn unauthenticated_fields_only_need_a_new_checksum() {
    // advbase, advskew and the demote byte are not in the HMAC (§4.2).
    let auth = VhidAuth::new(1, b"secret", ips(&["10.10.0.1"]));
    let h = CarpHeader::decode(&hex(VECTORS[0].header)).unwrap();
    let changed = CarpHeader {
        advbase: 255,
        advskew: 255,
        demote: 9,
        ..h
    }
    .with_checksum();
    assert_eq!(auth.validate(&changed.encode()), Ok(changed));
}

#[test]
fn validation_errors_in_order() {
    let auth = VhidAuth::new(1, b"secret", ips(&["10.10.0.1"]));
    let good = hex(VECTORS[0].header);
    assert_eq!(
        auth.validate(&good[..20]),
        Err(PacketError::TooShort { len: 20 })
    );
    // Longer is accepted, as the kernels do.
    let mut long = good.clone();
    long.extend_from_slice(&[0xaa; 4]);
    assert!(auth.validate(&long).is_ok());

    let mut bad_sum = good.clone();
    bad_sum[6] ^= 0xff;
    assert_eq!(auth.validate(&bad_sum), Err(PacketError::BadChecksum));

    let h = CarpHeader::decode(&good).unwrap();
    let v1 = CarpHeader { version: 1, ..h }.with_checksum().encode();
    assert_eq!(
        auth.validate(&v1),
        Err(PacketError::BadVersion { version: 1 })
    );
    let t3 = CarpHeader { kind: 3, ..h }.with_checksum().encode();
    assert_eq!(auth.validate(&t3), Err(PacketError::BadType { kind: 3 }));
    let md = CarpHeader { counter: 9, ..h }.with_checksum().encode();
    assert_eq!(auth.validate(&md), Err(PacketError::BadDigest { vhid: 1 }));
}

#[test]
fn ipv4_framing_errors() {
    let mut pkt = hex(CAPTURED);
    pkt[9] = 17;
    // The IP checksum no longer matches either; fix it to reach the
    // protocol check.
    pkt[10] = 0;
    pkt[11] = 0;
    let sum = internet_checksum(&pkt[..20]);
    pkt[10..12].copy_from_slice(&sum.to_be_bytes());
    assert_eq!(split_ipv4(&pkt), Err(PacketError::NotCarp { protocol: 17 }));
    let mut corrupt = hex(CAPTURED);
    corrupt[8] = 64;
    assert_eq!(split_ipv4(&corrupt), Err(PacketError::BadIpChecksum));
    let short = hex(CAPTURED);
    assert_eq!(
        split_ipv4(&short[..50]),
        Err(PacketError::TooShort { len: 30 })
    );
}

#[test]
fn arbitrary_bytes_never_panic_and_rarely_pass() {
    let auth = VhidAuth::new(1, b"secret", ips(&["10.10.0.1"]));
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut accepted = 0;
    for len in 0..100usize {
        for _ in 0..50 {
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = CarpHeader::decode(&buf);
            let _ = split_ipv4(&buf);
            let _ = internet_checksum(&buf);
            if auth.validate(&buf).is_ok() {
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, 0);
}
