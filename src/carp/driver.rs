//! The Linux CARP driver: one tokio task per vhid runs its [`VhidMachine`]
//! against the real network. It owns the vhid's advert socket
//! ([`AdvertSocket`]), its addresses and gratuitous ARPs ([`Netlink`],
//! [`ArpAnnouncer`]) and the clock; the machine decides everything.
//!
//! Entry point: [`run_carp`].

use std::collections::VecDeque;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::auth::VhidAuth;
pub use super::control::{CarpControl, VhidStatus};
use super::events::{Action, Family, Output, VhidParams};
pub use super::iface::IfaceMap;
use super::io::{parse_advert_v4, worth_logging, AdvertSocket, RECV_BUF_LEN};
use super::io6::{parse_advert_v6, AdvertSocketV6, Received6};
use super::packet::PacketError;
use super::state::{State, VhidMachine};
use super::vip::{ArpAnnouncer, LinkInfo, Netlink, VipError};
use super::wire::tos_from_dscp;
use crate::rcconf::{CarpAddr, CarpModel, InitialState, VhidConfig};

/// How often the parent's link state is polled.
const LINK_POLL: Duration = Duration::from_secs(1);
/// A rejected advert of the same kind is logged at most this often.
const REJECT_LOG_EVERY: Duration = Duration::from_secs(10);
/// How long the vhids get to bow out and remove their addresses.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("carp: vhid {vhid} on {iface}: {why}")]
    Interface {
        vhid: u8,
        iface: String,
        why: String,
    },
    #[error("carp: vhid {vhid} on {iface}: cannot open the CARP socket: {err}")]
    Socket {
        vhid: u8,
        iface: String,
        err: std::io::Error,
    },
    #[error("carp: {0}")]
    Vip(#[from] VipError),
}

/// Runs every vhid of `model` until `shutdown` completes, then bows out
/// (MASTERs send an advbase/advskew 255 advert) and removes the
/// addresses. Errors before the vhids start (unknown interface, socket
/// refused, netlink unavailable) are returned at once and nothing runs.
/// Complete `shutdown` rather than dropping this future: dropping it
/// aborts the vhids without the bow-out and leaves the addresses.
///
/// ```no_run
/// # async fn demo(model: harp::rcconf::CarpModel) {
/// use harp::carp::driver::{run_carp, IfaceMap};
/// let map = IfaceMap::parse(&["em0=eth0".to_string()]).unwrap();
/// let stop = async { let _ = tokio::signal::ctrl_c().await; };
/// if let Err(e) = run_carp(&model, &map, stop).await {
///     eprintln!("{e}");
/// }
/// # }
/// ```
pub async fn run_carp(
    model: &CarpModel,
    iface_map: &IfaceMap,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DriverError> {
    let control = CarpControl::new(model.sysctl.demotion);
    run_carp_with(model, iface_map, &control, shutdown).await
}

/// [`run_carp`] with a handle the caller keeps to change the node's
/// demotion and read the vhids' states while it runs. `control` should
/// be created with `model.sysctl.demotion`.
pub async fn run_carp_with(
    model: &CarpModel,
    iface_map: &IfaceMap,
    control: &CarpControl,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DriverError> {
    let nl = Netlink::connect()?;
    let links = nl.links().await?;
    let mut ready = Vec::new();
    for v in &model.vhids {
        ready.push(VhidTask::prepare(
            model, iface_map, &links, v, &nl, control,
        )?);
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for t in ready {
        tasks.spawn(t.run(stop_rx.clone(), control.subscribe()));
    }
    shutdown.await;
    stop_tx.send_replace(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!(target: "carp", "carp: vhids did not stop within {SHUTDOWN_GRACE:?}");
    }
    Ok(())
}

/// A random seed for the counter generator: std's per-process random
/// hasher keys, mixed with the clock.
fn random_seed(vhid: u8) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(vhid);
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

/// One vhid, ready to run.
struct VhidTask {
    name: String,
    control: CarpControl,
    /// The rc.conf interface name, for the status.
    iface: String,
    machine: VhidMachine,
    auth: VhidAuth,
    sock: AdvertSocket,
    sock6: Option<AdvertSocketV6>,
    arp: Option<ArpAnnouncer>,
    nl: Netlink,
    link: LinkInfo,
    addrs: Vec<CarpAddr>,
    /// FreeBSD 14 unicast peers: adverts go there and the TTL / hop limit
    /// of received ones is not checked.
    unicast_v4: bool,
    unicast_v6: bool,
    /// `state master` on the rc.conf line, until applied.
    start_master: bool,
    base: Instant,
    last_reject: Option<(Instant, String)>,
    rejected: u64,
}

enum Event {
    Stop,
    Packet(std::io::Result<usize>),
    Packet6(std::io::Result<Received6>),
    Timer,
    Demotion(i32),
    LinkPoll,
}

impl VhidTask {
    fn prepare(
        model: &CarpModel,
        map: &IfaceMap,
        links: &[LinkInfo],
        v: &VhidConfig,
        nl: &Netlink,
        control: &CarpControl,
    ) -> Result<VhidTask, DriverError> {
        let r =
            super::iface::resolve(model, map, links, v).map_err(|why| DriverError::Interface {
                vhid: v.vhid,
                iface: v.iface().to_string(),
                why,
            })?;
        let name = format!("{}@{}", v.vhid, v.iface());
        if let Some(w) = &r.warning {
            warn!(target: "carp", "carp: {name}: {w}");
        }
        let link = r.link.clone();
        let mut params = VhidParams::from_config(v, &model.sysctl, random_seed(v.vhid));
        let is_vip = |ip| super::iface::is_vip(model, ip);
        params.own_source = link.own_v4(is_vip).map(IpAddr::V4);
        let auth = VhidAuth::from_config(v);
        let sock_err = |err| DriverError::Socket {
            vhid: v.vhid,
            iface: link.name.clone(),
            err,
        };
        let tos = tos_from_dscp(model.sysctl.dscp);
        // The IPv4 socket is opened even for an IPv6-only vhid: it is
        // cheap and keeps the receive loop uniform.
        let sock = AdvertSocket::open(&link.name, link.index, tos, v.peer).map_err(sock_err)?;
        let sock6 = if params.has_v6 {
            let s6 = AdvertSocketV6::open(&link.name, link.index, tos, v.peer6);
            Some(s6.map_err(sock_err)?)
        } else {
            None
        };
        let arp = match link.mac6() {
            Some(mac) => Some(ArpAnnouncer::open(
                &link.name,
                link.index,
                mac,
                params.has_v6,
            )?),
            None => {
                warn!(target: "carp", "carp: {name}: {} has no Ethernet address; no gratuitous ARP", link.name);
                None
            }
        };
        info!(target: "carp", "carp: {name}: on {} (ifindex {}), source {}",
            link.name, link.index,
            params.own_source.map_or("chosen by the kernel".to_string(), |s| s.to_string()));
        Ok(VhidTask {
            name,
            machine: VhidMachine::new(params, control.demotion()),
            control: control.clone(),
            iface: v.iface().to_string(),
            auth,
            sock,
            sock6,
            arp,
            nl: nl.clone(),
            link,
            addrs: v.addrs.clone(),
            unicast_v4: v.peer.is_some(),
            unicast_v6: v.peer6.is_some(),
            start_master: v.initial_state == Some(InitialState::Master),
            base: Instant::now(),
            last_reject: None,
            rejected: 0,
        })
    }

    fn now(&self) -> Duration {
        self.base.elapsed()
    }

    async fn run(mut self, mut stop: watch::Receiver<bool>, mut demotion_rx: watch::Receiver<i32>) {
        demotion_rx.mark_unchanged();
        self.publish_status();
        let out = self.machine.start(self.now(), self.link.up);
        self.carry_out(out).await;
        self.apply_start_master().await;
        let mut buf = vec![0u8; RECV_BUF_LEN];
        let mut buf6 = vec![0u8; RECV_BUF_LEN];
        let mut poll = tokio::time::interval(LINK_POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let deadline = self.machine.deadline().map(|d| self.base + d);
            let event = tokio::select! {
                r = stop.wait_for(|s| *s) => { let _ = r; Event::Stop }
                r = self.sock.recv(&mut buf) => Event::Packet(r),
                r = recv6(self.sock6.as_ref(), &mut buf6) => Event::Packet6(r),
                _ = sleep_until(deadline) => Event::Timer,
                r = demotion_rx.changed() => match r {
                    Ok(()) => Event::Demotion(*demotion_rx.borrow_and_update()),
                    Err(_) => Event::Stop,
                },
                _ = poll.tick() => Event::LinkPoll,
            };
            let out = match event {
                Event::Stop => break,
                Event::Packet(Ok(n)) => self.received(&buf[..n.min(buf.len())]),
                Event::Packet6(Ok(r)) => {
                    let carp = &buf6[..r.len.min(buf6.len())];
                    match parse_advert_v6(carp, &r, &self.auth, self.unicast_v6) {
                        Ok(ad) => self.machine.advert_received(self.now(), &ad),
                        Err(e) => {
                            self.log_reject(&e);
                            Output::default()
                        }
                    }
                }
                Event::Packet(Err(e)) | Event::Packet6(Err(e)) => {
                    warn!(target: "carp", "carp: {}: receive error: {e}", self.name);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Output::default()
                }
                Event::Timer => self.machine.timer_fired(self.now()),
                Event::Demotion(v) => self.machine.set_demotion(self.now(), v),
                Event::LinkPoll => match self.nl.link_up(self.link.index).await {
                    Ok(up) => self.machine.link_changed(self.now(), up.unwrap_or(false)),
                    Err(e) => {
                        debug!(target: "carp", "carp: {}: link state: {e}", self.name);
                        Output::default()
                    }
                },
            };
            self.carry_out(out).await;
            self.apply_start_master().await;
        }
        let out = self.machine.shutdown(self.now());
        self.carry_out(out).await;
    }

    /// `state master`: forced once, when the vhid first leaves INIT (it
    /// may start in INIT while the parent's link is still coming up).
    async fn apply_start_master(&mut self) {
        if !self.start_master || self.machine.state() == State::Init {
            return;
        }
        self.start_master = false;
        let out = self.machine.force_state(self.now(), State::Master);
        self.carry_out(out).await;
    }

    fn received(&mut self, packet: &[u8]) -> Output {
        match parse_advert_v4(packet, &self.auth, self.unicast_v4) {
            Ok(ad) => self.machine.advert_received(self.now(), &ad),
            Err(e) => {
                self.log_reject(&e);
                Output::default()
            }
        }
    }

    /// Logs a rejected packet, at most once per [`REJECT_LOG_EVERY`] for
    /// the same error, with the count of those not logged.
    fn log_reject(&mut self, e: &PacketError) {
        if !worth_logging(e) {
            return;
        }
        let text = e.to_string();
        let now = Instant::now();
        let due = match &self.last_reject {
            Some((at, last)) => *last != text || now.duration_since(*at) >= REJECT_LOG_EVERY,
            None => true,
        };
        if due {
            let more = if self.rejected > 0 {
                format!(" ({} more rejected since the last report)", self.rejected)
            } else {
                String::new()
            };
            warn!(target: "carp", "carp: {}: advert rejected: {text}{more}", self.name);
            self.last_reject = Some((now, text));
            self.rejected = 0;
        } else {
            self.rejected += 1;
        }
    }

    /// Carries out the actions in order; the results of sends are fed back
    /// to the machine and their actions appended.
    async fn carry_out(&mut self, out: Output) {
        let mut queue: VecDeque<Action> = out.actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::SendAdvert {
                    family,
                    advbase,
                    advskew,
                    counter,
                } => {
                    let bytes = self.auth.advertisement(advbase, advskew, counter).encode();
                    let r = match (family, &self.sock6) {
                        (Family::V4, _) => self.sock.send(&bytes).await,
                        (Family::V6, Some(s6)) => s6.send(&bytes).await,
                        (Family::V6, None) => Ok(()),
                    };
                    if let Err(e) = &r {
                        warn!(target: "carp", "carp: {}: send error: {e}", self.name);
                    }
                    let errno = r.err().map(|e| e.raw_os_error().unwrap_or(-1));
                    queue.extend(self.machine.send_result(errno).actions);
                }
                Action::AddAddresses => {
                    for a in &self.addrs {
                        if let Err(e) = self.nl.add_addr(self.link.index, *a).await {
                            warn!(target: "carp", "carp: {}: cannot add {a} on {}: {e}", self.name, self.link.name);
                        }
                    }
                    self.announce();
                }
                Action::Announce => self.announce(),
                Action::RemoveAddresses => {
                    for a in &self.addrs {
                        if let Err(e) = self.nl.del_addr(self.link.index, *a).await {
                            warn!(target: "carp", "carp: {}: cannot remove {a} from {}: {e}", self.name, self.link.name);
                        }
                    }
                }
                Action::ArmTimer { .. } => {}
                Action::Demote { by, reason } => self.control.demote(by, &reason),
                Action::Log(line) => info!(target: "carp", "{line}"),
            }
        }
        self.publish_status();
    }

    fn publish_status(&self) {
        self.control.set_status(VhidStatus {
            vhid: self.machine.params().vhid,
            iface: self.iface.clone(),
            linux_iface: self.link.name.clone(),
            state: self.machine.state(),
        });
    }

    /// Gratuitous ARP for every IPv4 address of the vhid, unsolicited NA
    /// for every IPv6 one.
    fn announce(&self) {
        let Some(arp) = &self.arp else { return };
        for a in &self.addrs {
            let r = match a.addr {
                IpAddr::V4(ip) => arp.announce(ip),
                IpAddr::V6(ip) => arp.announce_v6(ip),
            };
            if let Err(e) = r {
                warn!(target: "carp", "carp: {}: {e}", self.name);
            }
        }
    }
}

async fn recv6(sock: Option<&AdvertSocketV6>, buf: &mut [u8]) -> std::io::Result<Received6> {
    match sock {
        Some(s) => s.recv(buf).await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
