//! Taking over and giving back a vhid's addresses on Linux (CARP.md §9,
//! option (a), as ucarp and keepalived without `use_vmac` do): the VIPs are
//! added to the parent interface over netlink when MASTER, removed
//! otherwise, and announced with a gratuitous ARP from the interface's own
//! MAC (an unsolicited neighbour advertisement for IPv6 ones).
//! Interfaces and their addresses are also read over netlink.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV6};

use futures::TryStreamExt;
use netlink_packet_route::address::{AddressAttribute, AddressFlags, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use rtnetlink::{AddressMessageBuilder, Handle};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::sys::link_layer_addr;
use crate::rcconf::CarpAddr;

/// `EEXIST` and `EADDRNOTAVAIL`: adding an address already there and
/// removing one that is not are both fine (the operations are idempotent).
const EEXIST: i32 = 17;
const EADDRNOTAVAIL: i32 = 99;
const ETH_P_ARP: u16 = 0x0806;
const ETH_P_IP: u16 = 0x0800;
const BROADCAST: [u8; 6] = [0xff; 6];
/// Ethernet header (14) plus an IPv4-over-Ethernet ARP packet (28).
pub const GARP_LEN: usize = 42;
/// ICMPv6 neighbour advertisement with a target link-layer option.
pub const NA_LEN: usize = 32;
/// A netlink request is abandoned after this long (the kernel answers at
/// once; this only bounds a wedged connection).
const NETLINK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
/// All-nodes link-local multicast, where unsolicited NAs go.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

#[derive(Debug, thiserror::Error)]
pub enum VipError {
    #[error("netlink: {0}")]
    Netlink(#[from] rtnetlink::Error),
    #[error("cannot open a netlink socket: {0}")]
    Connect(io::Error),
    #[error("netlink: no answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("no interface named '{0}'")]
    NoSuchInterface(String),
    #[error("gratuitous ARP / neighbour advertisement on '{iface}': {err}")]
    Arp { iface: String, err: io::Error },
}

/// A Linux interface as netlink reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub name: String,
    pub index: u32,
    /// Empty for interfaces without a link-layer address.
    pub mac: Vec<u8>,
    /// Administratively up and with carrier.
    pub up: bool,
    pub addrs: Vec<CarpAddr>,
}

impl LinkInfo {
    /// The first IPv4 address of the interface for which `is_vip` is
    /// false: what the kernel will use as the advert source.
    pub fn own_v4(&self, is_vip: impl Fn(IpAddr) -> bool) -> Option<Ipv4Addr> {
        self.addrs.iter().find_map(|a| match a.addr {
            IpAddr::V4(x) if !is_vip(a.addr) => Some(x),
            _ => None,
        })
    }

    /// The MAC as 6 bytes, when the interface is Ethernet-like.
    pub fn mac6(&self) -> Option<[u8; 6]> {
        self.mac.as_slice().try_into().ok()
    }
}

/// A netlink route socket (its connection runs as a tokio task).
#[derive(Clone)]
pub struct Netlink {
    handle: Handle,
}

impl Netlink {
    /// Opens the socket; must be called inside a tokio runtime.
    pub fn connect() -> Result<Netlink, VipError> {
        let (conn, handle, _) = rtnetlink::new_connection().map_err(VipError::Connect)?;
        tokio::spawn(conn);
        Ok(Netlink { handle })
    }

    /// Every interface with its addresses.
    pub async fn links(&self) -> Result<Vec<LinkInfo>, VipError> {
        bounded(self.links_unbounded()).await
    }

    async fn links_unbounded(&self) -> Result<Vec<LinkInfo>, VipError> {
        let mut links: Vec<LinkInfo> = Vec::new();
        let mut stream = self.handle.link().get().execute();
        while let Some(msg) = stream.try_next().await? {
            links.push(link_info(&msg));
        }
        let mut stream = self.handle.address().get().execute();
        while let Some(msg) = stream.try_next().await? {
            if let (Some(l), Some(a)) = (
                links.iter_mut().find(|l| l.index == msg.header.index),
                carp_addr(&msg),
            ) {
                l.addrs.push(a);
            }
        }
        Ok(links)
    }

    /// One interface by name, with its addresses.
    pub async fn link(&self, name: &str) -> Result<LinkInfo, VipError> {
        self.links()
            .await?
            .into_iter()
            .find(|l| l.name == name)
            .ok_or_else(|| VipError::NoSuchInterface(name.to_string()))
    }

    /// Whether the interface `index` is up with carrier; `None` if gone.
    pub async fn link_up(&self, index: u32) -> Result<Option<bool>, VipError> {
        bounded(self.link_up_unbounded(index)).await
    }

    async fn link_up_unbounded(&self, index: u32) -> Result<Option<bool>, VipError> {
        let mut stream = self.handle.link().get().match_index(index).execute();
        match stream.try_next().await {
            Ok(Some(msg)) => Ok(Some(link_info(&msg).up)),
            Ok(None) => Ok(None),
            Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code().abs() == 19 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Adds `a` to interface `index`; already present is success. IPv6
    /// addresses skip duplicate address detection: the backup that held
    /// the address a moment ago would otherwise make it tentative.
    pub async fn add_addr(&self, index: u32, a: CarpAddr) -> Result<(), VipError> {
        let mut req = self.handle.address().add(index, a.addr, a.prefix_len);
        if a.addr.is_ipv6() {
            req.message_mut()
                .attributes
                .push(AddressAttribute::Flags(AddressFlags::Nodad));
        }
        ignore_errno(bounded(req.execute()).await, EEXIST)
    }

    /// Removes `a` from interface `index`; already absent is success.
    pub async fn del_addr(&self, index: u32, a: CarpAddr) -> Result<(), VipError> {
        let msg = address_message(index, a);
        let r = bounded(self.handle.address().del(msg).execute()).await;
        ignore_errno(r, EADDRNOTAVAIL)
    }
}

async fn bounded<T, E: Into<VipError>>(
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, VipError> {
    match tokio::time::timeout(NETLINK_TIMEOUT, f).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(VipError::Timeout(NETLINK_TIMEOUT)),
    }
}

fn ignore_errno(r: Result<(), VipError>, errno: i32) -> Result<(), VipError> {
    match r {
        Err(VipError::Netlink(rtnetlink::Error::NetlinkError(e)))
            if e.raw_code().abs() == errno =>
        {
            Ok(())
        }
        other => other,
    }
}

fn address_message(index: u32, a: CarpAddr) -> AddressMessage {
    match a.addr {
        IpAddr::V4(x) => AddressMessageBuilder::<Ipv4Addr>::new()
            .index(index)
            .address(x, a.prefix_len)
            .build(),
        IpAddr::V6(x) => AddressMessageBuilder::<std::net::Ipv6Addr>::new()
            .index(index)
            .address(x, a.prefix_len)
            .build(),
    }
}

fn link_info(msg: &LinkMessage) -> LinkInfo {
    let mut name = String::new();
    let mut mac = Vec::new();
    for attr in &msg.attributes {
        match attr {
            LinkAttribute::IfName(n) => name = n.clone(),
            LinkAttribute::Address(m) => mac = m.clone(),
            _ => {}
        }
    }
    let f = msg.header.flags;
    LinkInfo {
        name,
        index: msg.header.index,
        mac,
        up: f.contains(LinkFlags::Up) && f.contains(LinkFlags::Running),
        addrs: Vec::new(),
    }
}

/// The interface address of a netlink address message (`IFA_LOCAL` for
/// IPv4, where `IFA_ADDRESS` is the peer on point-to-point links).
fn carp_addr(msg: &AddressMessage) -> Option<CarpAddr> {
    let mut local = None;
    let mut address = None;
    for attr in &msg.attributes {
        match attr {
            AddressAttribute::Local(a) => local = Some(*a),
            AddressAttribute::Address(a) => address = Some(*a),
            _ => {}
        }
    }
    local.or(address).map(|addr| CarpAddr {
        addr,
        prefix_len: msg.header.prefix_len,
    })
}

/// A gratuitous ARP request, "who-has VIP tell VIP", broadcast from `mac`
/// (CARP.md §9): Ethernet header, then the ARP packet of RFC 826 with the
/// sender and target protocol address both the VIP.
pub fn garp_frame(mac: [u8; 6], vip: Ipv4Addr) -> [u8; GARP_LEN] {
    let mut f = [0u8; GARP_LEN];
    f[0..6].copy_from_slice(&BROADCAST);
    f[6..12].copy_from_slice(&mac);
    f[12..14].copy_from_slice(&ETH_P_ARP.to_be_bytes());
    // hardware type Ethernet, protocol IPv4, lengths 6 and 4, op request
    f[14..22].copy_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f[22..28].copy_from_slice(&mac);
    f[28..32].copy_from_slice(&vip.octets());
    // target hardware address stays zero
    f[38..42].copy_from_slice(&vip.octets());
    debug_assert_eq!(u16::from_be_bytes([f[16], f[17]]), ETH_P_IP);
    f
}

/// An unsolicited neighbour advertisement for `target` (RFC 4861 §4.4,
/// §7.2.6): ICMPv6 type 136, override flag set, with `mac` as the target
/// link-layer address option. The kernel fills in the checksum.
pub fn na_packet(mac: [u8; 6], target: Ipv6Addr) -> [u8; NA_LEN] {
    let mut p = [0u8; NA_LEN];
    p[0] = 136;
    p[4] = 0x20; // override
    p[8..24].copy_from_slice(&target.octets());
    p[24] = 2; // target link-layer address option, 1 unit of 8 bytes
    p[25] = 1;
    p[26..32].copy_from_slice(&mac);
    p
}

/// Sends gratuitous ARPs (an AF_PACKET socket) and unsolicited NAs (a raw
/// ICMPv6 socket, opened when the vhid has IPv6 addresses) out of one
/// interface.
pub struct ArpAnnouncer {
    sock: Socket,
    icmp6: Option<Socket>,
    iface: String,
    ifindex: u32,
    mac: [u8; 6],
}

impl ArpAnnouncer {
    pub fn open(
        iface: &str,
        ifindex: u32,
        mac: [u8; 6],
        with_v6: bool,
    ) -> Result<ArpAnnouncer, VipError> {
        let err = |err| VipError::Arp {
            iface: iface.to_string(),
            err,
        };
        // Protocol 0: this socket receives nothing, it only sends.
        let sock = Socket::new(Domain::PACKET, Type::RAW, None).map_err(err)?;
        let icmp6 = if with_v6 {
            let s = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6)).map_err(err)?;
            s.bind_device(Some(iface.as_bytes())).map_err(err)?;
            // RFC 4861: neighbour discovery is sent with hop limit 255.
            s.set_multicast_hops_v6(255).map_err(err)?;
            s.set_multicast_loop_v6(false).map_err(err)?;
            Some(s)
        } else {
            None
        };
        Ok(ArpAnnouncer {
            sock,
            icmp6,
            iface: iface.to_string(),
            ifindex,
            mac,
        })
    }

    /// Sends one unsolicited NA for `target` to ff02::1.
    pub fn announce_v6(&self, target: Ipv6Addr) -> Result<(), VipError> {
        let Some(s) = &self.icmp6 else {
            return Ok(());
        };
        let to = SockAddr::from(SocketAddrV6::new(ALL_NODES, 0, 0, self.ifindex));
        s.send_to(&na_packet(self.mac, target), &to)
            .map(|_| ())
            .map_err(|err| VipError::Arp {
                iface: self.iface.clone(),
                err,
            })
    }

    /// Sends one gratuitous ARP for `vip` (a 42-byte datagram: this never
    /// blocks for long, so it is sent synchronously).
    pub fn announce(&self, vip: Ipv4Addr) -> Result<(), VipError> {
        let frame = garp_frame(self.mac, vip);
        let to = link_layer_addr(self.ifindex, ETH_P_ARP, BROADCAST);
        self.sock
            .send_to(&frame, &to)
            .map(|_| ())
            .map_err(|err| VipError::Arp {
                iface: self.iface.clone(),
                err,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garp_frame_bytes() {
        let mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        let f = garp_frame(mac, Ipv4Addr::new(10, 99, 0, 100));
        let hex: String = f.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            concat!(
                "ffffffffffff",
                "021122334455",
                "0806",
                "0001",
                "0800",
                "06",
                "04",
                "0001",
                "021122334455",
                "0a630064",
                "000000000000",
                "0a630064"
            )
        );
    }

    #[test]
    fn na_packet_bytes() {
        let mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        let p = na_packet(mac, "2001:db8::100".parse().unwrap());
        let hex: String = p.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            concat!(
                "88000000",
                "20000000",
                "20010db8000000000000000000000100",
                "0201",
                "021122334455"
            )
        );
    }

    #[test]
    fn own_v4_skips_the_vips() {
        let a = |s: &str, p| CarpAddr {
            addr: s.parse().unwrap(),
            prefix_len: p,
        };
        let l = LinkInfo {
            name: "eth0".into(),
            index: 2,
            mac: vec![0, 1, 2, 3, 4, 5],
            up: true,
            addrs: vec![a("10.99.0.100", 32), a("fe80::1", 64), a("10.99.0.1", 24)],
        };
        let vip: IpAddr = "10.99.0.100".parse().unwrap();
        assert_eq!(l.own_v4(|x| x == vip), Some(Ipv4Addr::new(10, 99, 0, 1)));
        assert_eq!(l.own_v4(|_| false), Some(Ipv4Addr::new(10, 99, 0, 100)));
        assert_eq!(l.mac6(), Some([0, 1, 2, 3, 4, 5]));
    }
}
