//! The smaller sections: `userlist`, `http-errors`, and the sections harp
//! knows but only records or refuses (`resolvers`, `peers`, `mailers`, ...).

use crate::config::model::{HttpErrors, Model, User, UserGroup, UserPassword, Userlist};
use crate::config::reader::RawSection;
use crate::config::support::{self, Context, Status};
use crate::diag::Diagnostics;

use super::refused_message;

/// Report the section's own status; returns true when its body must be read.
fn section_status(sec: &RawSection, d: &mut Diagnostics) -> bool {
    match support::lookup(Context::Section, &sec.kind).map(|e| (e.status, e.note)) {
        Some((Status::Implemented, _)) => true,
        Some((Status::NoEffect, note)) => {
            d.warning(
                Some(sec.loc.clone()),
                format!(
                    "'{}' section is accepted but has no effect in harp ({note}).",
                    sec.kind
                ),
            );
            false
        }
        Some((Status::Refused, note)) => {
            d.alert(Some(sec.loc.clone()), refused_message(&sec.kind, note));
            false
        }
        Some((Status::Removed(m), _)) => {
            d.alert(Some(sec.loc.clone()), m.to_string());
            false
        }
        None => {
            d.alert(
                Some(sec.loc.clone()),
                format!("unknown keyword '{}' out of section.", sec.kind),
            );
            false
        }
    }
}

pub(super) fn userlist(model: &mut Model, sec: &RawSection, d: &mut Diagnostics) {
    if !section_status(sec, d) {
        return;
    }
    let Some(name) = sec.args.first() else {
        d.alert(
            Some(sec.loc.clone()),
            "'userlist' expects <name> as arguments.",
        );
        return;
    };
    if let Some(prev) = model.userlists.iter().find(|u| &u.name == name) {
        let _ = prev;
        d.alert(
            Some(sec.loc.clone()),
            format!("ignoring duplicated userlist '{name}'."),
        );
        return;
    }
    let mut ul = Userlist {
        name: name.clone(),
        loc: Some(sec.loc.clone()),
        ..Default::default()
    };
    for st in &sec.body {
        let w = &st.words;
        match w[0].as_str() {
            "group" => {
                let Some(g) = w.get(1) else {
                    d.alert(Some(st.loc.clone()), "'group' expects <name> as argument.");
                    continue;
                };
                let mut users = Vec::new();
                let mut i = 2;
                while i < w.len() {
                    if w[i] == "users" && i + 1 < w.len() {
                        users.extend(w[i + 1].split(',').map(String::from));
                        i += 2;
                    } else {
                        d.alert(
                            Some(st.loc.clone()),
                            format!("'group' only supports 'users' option (got '{}').", w[i]),
                        );
                        break;
                    }
                }
                ul.groups.push(UserGroup {
                    name: g.clone(),
                    users,
                });
            }
            "user" => {
                let Some(u) = w.get(1) else {
                    d.alert(Some(st.loc.clone()), "'user' expects <name> as argument.");
                    continue;
                };
                let mut user = User {
                    name: u.clone(),
                    password: UserPassword::None,
                    groups: Vec::new(),
                };
                let mut i = 2;
                while i + 1 < w.len() {
                    match w[i].as_str() {
                        "password" => user.password = UserPassword::Hashed(w[i + 1].clone()),
                        "insecure-password" => {
                            user.password = UserPassword::Insecure(w[i + 1].clone())
                        }
                        "groups" => user.groups.extend(w[i + 1].split(',').map(String::from)),
                        other => {
                            d.alert(
                                Some(st.loc.clone()),
                                format!("'user' only supports 'password', 'insecure-password' and 'groups' options (got '{other}')."),
                            );
                            break;
                        }
                    }
                    i += 2;
                }
                ul.users.push(user);
            }
            other => d.alert(
                Some(st.loc.clone()),
                format!("unknown keyword '{other}' in 'userlist' section"),
            ),
        }
    }
    model.userlists.push(ul);
}

pub(super) fn http_errors(model: &mut Model, sec: &RawSection, d: &mut Diagnostics) {
    if !section_status(sec, d) {
        return;
    }
    let Some(name) = sec.args.first() else {
        d.alert(
            Some(sec.loc.clone()),
            "'http-errors' expects <name> as argument.",
        );
        return;
    };
    let mut he = HttpErrors {
        name: name.clone(),
        loc: Some(sec.loc.clone()),
        files: Vec::new(),
    };
    for st in &sec.body {
        let w = &st.words;
        if w[0] != "errorfile" {
            d.alert(
                Some(st.loc.clone()),
                format!("unknown keyword '{}' in 'http-errors' section", w[0]),
            );
            continue;
        }
        match (w.get(1).and_then(|c| c.parse::<u16>().ok()), w.get(2)) {
            (Some(code), Some(f)) => he.files.push((code, f.clone())),
            _ => d.alert(
                Some(st.loc.clone()),
                "'errorfile' expects <status_code> and <file> as arguments.",
            ),
        }
    }
    model.http_errors.push(he);
}

/// Sections whose keywords harp does not model one by one: their status
/// in the support table decides (recorded, warned about, or refused).
pub(super) fn generic(model: &mut Model, sec: &RawSection, d: &mut Diagnostics) {
    let refused = matches!(
        support::lookup(Context::Section, &sec.kind).map(|e| e.status),
        Some(Status::Refused | Status::Removed(_)) | None
    );
    section_status(sec, d);
    if !refused {
        // Kept even when it has no effect: other lines may name it.
        let name = sec.args.first().cloned().unwrap_or_default();
        model
            .other_sections
            .push((sec.kind.clone(), name, sec.loc.clone()));
    }
}
