//! The data plane: listeners, the HTTP pipeline, TCP relays, connections
//! to servers. Reads only the model and the runtime tables, never config text.

pub mod body;
pub mod cookie;
pub mod earlyerr;
pub mod http;
pub mod listener;
pub mod phases;
pub mod pick;
pub mod rules;
pub mod statspage;
pub mod tcp;
pub mod tcprules;
pub mod txn;
pub mod upstream;
