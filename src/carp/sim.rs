//! A deterministic in-memory network of CARP nodes with simulated time,
//! for tests and what-if runs. Each node runs one [`VhidMachine`]; its
//! adverts are really encoded with its own key and validated by each
//! receiver with the receiver's key, so a wrong password or address list
//! behaves as on a wire. Delivery takes `delay`; links can be cut and
//! packets dropped by a rule. Events at the same instant run deliveries
//! first, then timers, then in node order.

use std::net::IpAddr;
use std::time::Duration;

use super::auth::VhidAuth;
use super::packet::{CarpHeader, HEADER_LEN};
use super::state::{Action, Advert, Output, State, VhidMachine, VhidParams};
use super::timing::Demotion;

/// One node of the simulated segment.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub name: String,
    pub params: VhidParams,
    pub password: Vec<u8>,
    pub addrs: Vec<IpAddr>,
    /// The address its adverts come from.
    pub source: IpAddr,
}

/// A state change seen in the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub at: Duration,
    pub node: usize,
    pub to: State,
    pub line: String,
}

/// An advert put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub at: Duration,
    pub node: usize,
    pub header: CarpHeader,
}

#[derive(Debug)]
struct Node {
    spec: NodeSpec,
    machine: VhidMachine,
    auth: VhidAuth,
    demotion: Demotion,
    alive: bool,
    has_addrs: bool,
    announces: u32,
    rejected: u32,
}

#[derive(Debug, Clone)]
struct InFlight {
    at: Duration,
    seq: u64,
    from: usize,
    to: usize,
    bytes: [u8; HEADER_LEN],
}

/// Why a run stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("simulation did not settle: more than {0} events")]
pub struct TooManyEvents(pub usize);

/// Drop rule: `(from, to, sequence number of the packet)` → drop?
pub type LossRule = Box<dyn FnMut(usize, usize, u64) -> bool>;

/// The simulated segment.
pub struct Sim {
    nodes: Vec<Node>,
    now: Duration,
    flight: Vec<InFlight>,
    seq: u64,
    /// One-way delivery delay.
    pub delay: Duration,
    cut: Vec<(usize, usize)>,
    loss: Option<LossRule>,
    /// Bound on events per `run_until` call.
    pub max_events: usize,
    pub transitions: Vec<Transition>,
    pub sent: Vec<Sent>,
    pub logs: Vec<(Duration, usize, String)>,
}

impl Sim {
    pub fn new(specs: Vec<NodeSpec>, delay: Duration) -> Sim {
        let nodes = specs
            .into_iter()
            .map(|spec| {
                let auth =
                    VhidAuth::new(spec.params.vhid, &spec.password, spec.addrs.iter().copied());
                let mut params = spec.params.clone();
                params.own_source = Some(spec.source);
                Node {
                    machine: VhidMachine::new(params, 0),
                    spec,
                    auth,
                    demotion: Demotion::default(),
                    alive: false,
                    has_addrs: false,
                    announces: 0,
                    rejected: 0,
                }
            })
            .collect();
        Sim {
            nodes,
            now: Duration::ZERO,
            flight: Vec::new(),
            seq: 0,
            delay,
            cut: Vec::new(),
            loss: None,
            max_events: 100_000,
            transitions: Vec::new(),
            sent: Vec::new(),
            logs: Vec::new(),
        }
    }

    pub fn now(&self) -> Duration {
        self.now
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn state(&self, node: usize) -> State {
        self.nodes[node].machine.state()
    }

    pub fn states(&self) -> Vec<State> {
        self.nodes.iter().map(|n| n.machine.state()).collect()
    }

    /// Live nodes in MASTER.
    pub fn masters(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].alive && self.state(i) == State::Master)
            .collect()
    }

    /// Whether the node has its VIPs installed.
    pub fn has_addrs(&self, node: usize) -> bool {
        self.nodes[node].has_addrs
    }

    /// Adverts the node dropped for a bad checksum, vhid or HMAC.
    pub fn rejected(&self, node: usize) -> u32 {
        self.nodes[node].rejected
    }

    /// Gratuitous ARP rounds (take-over and later) the node sent.
    pub fn announces(&self, node: usize) -> u32 {
        self.nodes[node].announces
    }

    pub fn machine(&self, node: usize) -> &VhidMachine {
        &self.nodes[node].machine
    }

    /// Transitions of one node into `to`.
    pub fn entered(&self, node: usize, to: State) -> Vec<Duration> {
        self.transitions
            .iter()
            .filter(|t| t.node == node && t.to == to)
            .map(|t| t.at)
            .collect()
    }

    pub fn set_loss(&mut self, rule: LossRule) {
        self.loss = Some(rule);
    }

    /// Cuts (or restores) the link between two nodes, both directions.
    pub fn set_link(&mut self, a: usize, b: usize, up: bool) {
        let key = (a.min(b), a.max(b));
        self.cut.retain(|&k| k != key);
        if !up {
            self.cut.push(key);
        }
    }

    /// Starts (or restarts with a fresh machine) a node at the current time.
    pub fn start(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        let mut params = n.spec.params.clone();
        params.own_source = Some(n.spec.source);
        params.seed = params.seed.wrapping_add(self.now.as_nanos() as u64);
        n.machine = VhidMachine::new(params, n.demotion.value());
        n.alive = true;
        let out = n.machine.start(self.now, true);
        self.apply(node, out);
    }

    /// Power cut: the node stops at once and sends nothing more. Its
    /// addresses stay (as after a SIGKILL) but it no longer answers.
    pub fn kill(&mut self, node: usize) {
        self.nodes[node].alive = false;
        self.flight.retain(|p| p.to != node);
    }

    /// Orderly stop with the bow-out advert.
    pub fn shutdown(&mut self, node: usize) {
        let out = self.nodes[node].machine.shutdown(self.now);
        self.apply(node, out);
        self.nodes[node].alive = false;
    }

    pub fn link_changed(&mut self, node: usize, up: bool) {
        let out = self.nodes[node].machine.link_changed(self.now, up);
        self.apply(node, out);
    }

    /// Adds to the node's global demotion (a `sysctl net.inet.carp.demotion=N`).
    pub fn demote(&mut self, node: usize, by: i32) {
        self.demote_for(node, by, "sysctl");
    }

    fn demote_for(&mut self, node: usize, by: i32, reason: &str) {
        let line = self.nodes[node].demotion.adjust(by, reason);
        self.logs.push((self.now, node, line));
        let value = self.nodes[node].demotion.value();
        let out = self.nodes[node].machine.set_demotion(self.now, value);
        self.apply(node, out);
    }

    /// Runs every event up to and including `end`, then sets the clock to
    /// `end`.
    pub fn run_until(&mut self, end: Duration) -> Result<(), TooManyEvents> {
        for _ in 0..self.max_events {
            let next_packet = self.flight.iter().map(|p| (p.at, p.seq)).min();
            let next_timer = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].alive)
                .filter_map(|i| self.nodes[i].machine.deadline().map(|t| (t, i)))
                .min();
            let packet_first = match (next_packet, next_timer) {
                (None, None) => break,
                (Some((pt, _)), Some((tt, _))) => pt <= tt,
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            if packet_first {
                let Some((at, seq)) = next_packet else { break };
                if at > end {
                    break;
                }
                self.now = at;
                let Some(pos) = self.flight.iter().position(|p| p.seq == seq) else {
                    break;
                };
                let p = self.flight.swap_remove(pos);
                self.deliver(p);
            } else {
                let Some((at, node)) = next_timer else { break };
                if at > end {
                    break;
                }
                self.now = at;
                let out = self.nodes[node].machine.timer_fired(at);
                self.apply(node, out);
            }
        }
        if self.flight.iter().any(|p| p.at <= end)
            || self
                .nodes
                .iter()
                .any(|n| n.alive && n.machine.deadline().is_some_and(|t| t <= end))
        {
            return Err(TooManyEvents(self.max_events));
        }
        self.now = self.now.max(end);
        Ok(())
    }

    fn deliver(&mut self, p: InFlight) {
        let n = &mut self.nodes[p.to];
        if !n.alive {
            return;
        }
        match n.auth.validate(&p.bytes) {
            Ok(h) => {
                let ad = Advert::from_header(&h, self.nodes[p.from].spec.source);
                let out = self.nodes[p.to].machine.advert_received(self.now, &ad);
                self.apply(p.to, out);
            }
            Err(_) => n.rejected += 1,
        }
    }

    fn apply(&mut self, node: usize, out: Output) {
        for a in out.actions {
            match a {
                Action::SendAdvert {
                    advbase,
                    advskew,
                    counter,
                    ..
                } => {
                    let h = self.nodes[node]
                        .auth
                        .advertisement(advbase, advskew, counter);
                    self.sent.push(Sent {
                        at: self.now,
                        node,
                        header: h,
                    });
                    self.broadcast(node, h.encode());
                }
                Action::AddAddresses => {
                    self.nodes[node].has_addrs = true;
                    self.nodes[node].announces += 1;
                }
                Action::Announce => self.nodes[node].announces += 1,
                Action::RemoveAddresses => self.nodes[node].has_addrs = false,
                Action::ArmTimer { .. } => {}
                Action::Demote { by, reason } => self.demote_for(node, by, &reason),
                Action::Log(line) => {
                    let to = self.nodes[node].machine.state();
                    if line.contains(" -> ") {
                        self.transitions.push(Transition {
                            at: self.now,
                            node,
                            to,
                            line: line.clone(),
                        });
                    }
                    self.logs.push((self.now, node, line));
                }
            }
        }
    }

    fn broadcast(&mut self, from: usize, bytes: [u8; HEADER_LEN]) {
        for to in 0..self.nodes.len() {
            if to == from || !self.nodes[to].alive {
                continue;
            }
            if self.cut.contains(&(from.min(to), from.max(to))) {
                continue;
            }
            self.seq += 1;
            let seq = self.seq;
            if let Some(rule) = self.loss.as_mut() {
                if rule(from, to, seq) {
                    continue;
                }
            }
            self.flight.push(InFlight {
                at: self.now.saturating_add(self.delay),
                seq,
                from,
                to,
                bytes,
            });
        }
    }
}
