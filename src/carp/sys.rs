//! The one place the CARP driver needs `unsafe`: socket2 has no safe
//! constructor for a link-layer address (`struct sockaddr_ll`), which an
//! AF_PACKET socket needs to send a frame out of a given interface.

use socket2::{SockAddr, SockAddrStorage};

/// Linux `AF_PACKET`.
const AF_PACKET: u16 = 17;
/// `sizeof(struct sockaddr_ll)`.
const SOCKADDR_LL_LEN: usize = 20;

/// `struct sockaddr_ll` for sending to `dest` (a 6-byte MAC) out of the
/// interface `ifindex`, with EtherType `protocol` (host order).
pub fn link_layer_addr(ifindex: u32, protocol: u16, dest: [u8; 6]) -> SockAddr {
    // Field layout of sockaddr_ll (linux/if_packet.h): family (host
    // order), protocol (network order), ifindex (host order), hatype,
    // pkttype, halen, addr[8].
    let mut raw = [0u8; SOCKADDR_LL_LEN];
    raw[0..2].copy_from_slice(&AF_PACKET.to_ne_bytes());
    raw[2..4].copy_from_slice(&protocol.to_be_bytes());
    raw[4..8].copy_from_slice(&ifindex.to_ne_bytes());
    raw[11] = 6;
    raw[12..18].copy_from_slice(&dest);
    let mut storage = SockAddrStorage::zeroed();
    // SAFETY: `view_as` asserts that 20 bytes fit in a sockaddr_storage
    // (128 bytes) and a byte array has no alignment or validity needs; the
    // bytes written are a complete sockaddr_ll, and its length is the one
    // given to `SockAddr::new`, so the kernel reads only initialised data.
    unsafe {
        *storage.view_as::<[u8; SOCKADDR_LL_LEN]>() = raw;
        SockAddr::new(storage, SOCKADDR_LL_LEN as socket2::socklen_t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_ll_fields() {
        let a = link_layer_addr(7, 0x0806, [0xff; 6]);
        assert_eq!(a.family(), AF_PACKET);
        assert_eq!(a.len() as usize, SOCKADDR_LL_LEN);
        assert!(a.as_socket().is_none());
    }
}
