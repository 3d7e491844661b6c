//! The one place the CARP driver needs `unsafe`: socket2 has no safe
//! constructor for a link-layer address (`struct sockaddr_ll`), which an
//! AF_PACKET socket needs to send a frame out of a given interface.

use nix::libc::{sockaddr_ll, AF_PACKET};
use socket2::{SockAddr, SockAddrStorage};

/// `struct sockaddr_ll` for sending to `dest` (a 6-byte MAC) out of the
/// interface `ifindex`, with EtherType `protocol` (host order).
pub fn link_layer_addr(ifindex: u32, protocol: u16, dest: [u8; 6]) -> SockAddr {
    let mut sll_addr = [0u8; 8];
    sll_addr[..6].copy_from_slice(&dest);
    let ll = sockaddr_ll {
        sll_family: AF_PACKET as u16,
        sll_protocol: protocol.to_be(),
        sll_ifindex: ifindex as i32,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 6,
        sll_addr,
    };
    let len = std::mem::size_of::<sockaddr_ll>() as socket2::socklen_t;
    let mut storage = SockAddrStorage::zeroed();
    // SAFETY: `view_as` is given a sockaddr type of this platform, as it
    // requires (and itself asserts that it fits in the storage). The
    // storage then holds a complete sockaddr_ll whose family is AF_PACKET,
    // and `len` is that type's size, which is what `SockAddr::new` needs.
    unsafe {
        *storage.view_as::<sockaddr_ll>() = ll;
        SockAddr::new(storage, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_ll_fields() {
        let a = link_layer_addr(7, 0x0806, [0xff; 6]);
        assert_eq!(a.family(), AF_PACKET as u16);
        assert_eq!(a.len() as usize, std::mem::size_of::<sockaddr_ll>());
        assert_eq!(a.len(), 20);
        assert!(a.as_socket().is_none());
    }
}
