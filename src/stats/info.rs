//! `show info [typed|json]` (management guide §9.3 "show info").
//!
//! Every key HAProxy 2.6 prints, in its order. harp-specific values:
//! `Version`/`Build info` carry harp's version (with a "2.6" prefix so
//! clients parsing major.minor accept it), `Release_date` is harp's,
//! `Nbproc`/`Process_num` are always 1, memory pools, pipes, SSL,
//! compression and peers counters are 0 (harp has no such pools/features),
//! `Ulimit-n`/`Maxsock` come from `global ulimit-n` (0 when unset), and
//! `Tainted` is always "0".

use super::csv::{json_str, json_tags_value};
use super::fields::{info_pos, Field, INFO_FIELDS};
use super::snapshot::ProcessInfo;

/// Output format of `show info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InfoFormat {
    #[default]
    Text,
    Typed,
    Json,
}

/// "0d 0h00m18s", as HAProxy formats the uptime.
pub fn uptime_text(secs: u64) -> String {
    format!(
        "{}d {}h{:02}m{:02}s",
        secs / 86400,
        (secs % 86400) / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// The value of each key of [`INFO_FIELDS`], in order (Empty = not printed).
pub fn info_values(i: &ProcessInfo) -> Vec<Field> {
    let n = |v: u64| Field::big(v);
    let mb = |v: u64| Field::big(v / (1024 * 1024));
    INFO_FIELDS
        .iter()
        .map(|(name, _, _)| match *name {
            "Name" => Field::text(&i.name),
            "Version" | "Build info" => Field::text(&i.version),
            "Release_date" => Field::text(&i.release_date),
            "Nbthread" => n(i.nbthread.into()),
            "Nbproc" | "Process_num" => n(1),
            "Pid" => n(i.pid.into()),
            "Uptime" => Field::Str(uptime_text(i.uptime_sec)),
            "Uptime_sec" => n(i.uptime_sec),
            "PoolAlloc_MB" => mb(i.pool_alloc_bytes),
            "PoolUsed_MB" => mb(i.pool_used_bytes),
            "Ulimit-n" => n(i.ulimit_n.into()),
            "Maxsock" => n(i.maxsock.into()),
            "Maxconn" => n(i.maxconn.into()),
            "Hard_maxconn" => n(i.hard_maxconn.into()),
            "CurrConns" => n(i.curr_conns.into()),
            "CumConns" => n(i.cum_conns),
            "CumReq" => n(i.cum_req),
            "ConnRate" => n(i.conn_rate.into()),
            "ConnRateLimit" => n(i.conn_rate_limit.into()),
            "MaxConnRate" => n(i.max_conn_rate.into()),
            "SessRate" => n(i.sess_rate.into()),
            "SessRateLimit" => n(i.sess_rate_limit.into()),
            "MaxSessRate" => n(i.max_sess_rate.into()),
            "Tasks" => n(i.tasks.into()),
            "Run_queue" => n(i.run_queue.into()),
            "Idle_pct" => n(i.idle_pct.into()),
            "node" => Field::text(&i.node),
            "description" => i
                .description
                .as_deref()
                .map_or(Field::Empty, Field::text_or_empty),
            "Stopping" => n(u64::from(i.stopping)),
            "Jobs" => n(i.jobs.into()),
            "Listeners" => n(i.listeners.into()),
            "DroppedLogs" => n(i.dropped_logs),
            "TotalBytesOut" => n(i.total_bytes_out),
            "BytesOutRate" => n(i.bytes_out_rate),
            "PoolAlloc_bytes" => n(i.pool_alloc_bytes),
            "PoolUsed_bytes" => n(i.pool_used_bytes),
            "Start_time_sec" => n(i.start_time_sec),
            "Tainted" => Field::text("0"),
            _ => n(0),
        })
        .collect()
}

fn text(f: &Field) -> String {
    match f {
        Field::Empty => String::new(),
        Field::Num(n) => n.to_string(),
        Field::Str(s) => s.clone(),
    }
}

/// The whole `show info` output (without the CLI's closing empty line).
pub fn render(i: &ProcessInfo, format: InfoFormat) -> String {
    let values = info_values(i);
    let fields = INFO_FIELDS.iter().zip(&values).enumerate();
    let fields = fields.filter(|(_, (_, v))| !v.is_empty());
    match format {
        InfoFormat::Text => fields
            .map(|(_, ((name, _, _), v))| format!("{name}: {}\n", text(v)))
            .collect(),
        InfoFormat::Typed => fields
            .map(|(idx, ((name, tags, ty), v))| {
                format!(
                    "{}.{name}.1:{tags}:{}:{}\n",
                    info_pos(idx),
                    ty.name(),
                    text(v)
                )
            })
            .collect(),
        InfoFormat::Json => {
            let items: Vec<String> = fields
                .map(|(idx, ((name, tags, ty), v))| {
                    format!(
                        "{{\"field\":{{\"pos\":{},\"name\":{}}},\"processNum\":1,{}}}",
                        info_pos(idx),
                        json_str(name),
                        json_tags_value(tags, ty.name(), v)
                    )
                })
                .collect();
            format!("[{}]\n", items.join(","))
        }
    }
}
