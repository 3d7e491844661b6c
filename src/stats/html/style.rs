//! The page's style sheet. Class names are the ones HAProxy's page uses
//! (scripts and user style sheets select on them); the colours and layout
//! are harp's own.

pub const STYLE: &str = "\
body { font-family: sans-serif; font-size: 12px; color: #111; background: #fff; margin: 1em; }
h1.product { font-size: 20px; margin: 0 0 0.3em 0; }
h2 { font-size: 16px; color: #333; margin: 0 0 0.5em 0; }
h3 { font-size: 14px; background: #eee; margin: 0.5em 0; padding: 2px 4px; }
table.info td { vertical-align: top; padding-right: 2em; }
table.lgd { border-collapse: collapse; }
table.lgd td { border: 1px solid #999; padding: 1px 4px; }
table.lgd td.noborder { border: none; white-space: nowrap; }
table.tbl { border-collapse: collapse; margin: 0; }
table.tbl th, table.tbl td { border: 1px solid #999; padding: 1px 4px; font-size: 11px; }
table.tbl td { text-align: right; white-space: nowrap; }
table.tbl td.ac { text-align: center; }
table.tbl th.pxname { background: #345; color: #fff; text-align: left; white-space: nowrap; }
table.tbl th.empty { border: none; background: #fff; }
.titre { background: #cde; color: #000; }
.frontend { background: #f2f2e6; }
.backend { background: #f2f2e6; }
.socket { background: #ddd; }
.active_up { background: #b8f0b8; }
.active_going_down { background: #f4f4a0; }
.active_going_up { background: #f8d040; }
.active_down { background: #f49a9a; }
.active_nolb { background: #60b0f0; }
.active_draining { background: #60b0f0; }
.active_no_check { background: #e4e4e4; }
.backup_up { background: #bcd4f4; }
.backup_going_down { background: #c890f0; }
.backup_going_up { background: #f0a0f0; }
.backup_down { background: #f49a9a; }
.backup_nolb { background: #a0b8e0; }
.backup_draining { background: #d0a030; }
.backup_no_check { background: #e4e4e4; }
.maintain { background: #c8883a; }
a.px { color: #fff; text-decoration: none; }
a.lfsb { color: #000; text-decoration: none; }
";
