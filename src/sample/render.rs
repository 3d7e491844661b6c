//! Rendering log-format strings (manual 8.2.4) for header values, dynamic
//! backend names, `lf-string` bodies and logs. `%[expr]` items are
//! evaluated here; `%var` items are delegated to a [`LogVarHook`].

use super::fetch::CompiledExpr;
use super::source::EvalCtx;
use super::store::MapStore;
use crate::config::logformat::{LfItem, LogFormat};

/// Renders the `%var` items (`%ci`, `%Tr`, ...) whose data lives outside
/// the request: timers, counters, log fields.
pub trait LogVarHook {
    /// The text for variable `name` with its `{...}` flags; `None` renders
    /// nothing.
    fn render_var(&self, name: &str, flags: &[String]) -> Option<String>;
}

/// A hook that renders every variable as nothing (for contexts without
/// log data).
pub struct NoLogVars;

impl LogVarHook for NoLogVars {
    fn render_var(&self, _name: &str, _flags: &[String]) -> Option<String> {
        None
    }
}

#[derive(Debug, Clone)]
enum Item {
    Text(String),
    Var { name: String, flags: Vec<String> },
    Expr(CompiledExpr),
}

/// A log-format string ready to render.
#[derive(Debug, Clone)]
pub struct CompiledLogFormat {
    items: Vec<Item>,
}

impl CompiledLogFormat {
    pub fn compile(lf: &LogFormat, store: &dyn MapStore) -> Result<Self, String> {
        let items = lf
            .items
            .iter()
            .map(|i| {
                Ok(match i {
                    LfItem::Text(t) => Item::Text(t.clone()),
                    LfItem::Var { name, flags } => Item::Var {
                        name: name.clone(),
                        flags: flags.clone(),
                    },
                    LfItem::Sample { expr, .. } => Item::Expr(CompiledExpr::compile(expr, store)?),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(CompiledLogFormat { items })
    }

    /// Whether the string has no variable part.
    pub fn is_constant(&self) -> bool {
        self.items.iter().all(|i| matches!(i, Item::Text(_)))
    }

    /// Render. A sample expression that yields nothing renders as nothing,
    /// as HAProxy does outside logs (`set-header`, `lf-string`).
    pub fn render(&self, ctx: &EvalCtx, vars: &dyn LogVarHook) -> String {
        let mut out = String::new();
        for i in &self.items {
            match i {
                Item::Text(t) => out.push_str(t),
                Item::Var { name, flags } => {
                    if let Some(v) = vars.render_var(name, flags) {
                        out.push_str(&v);
                    }
                }
                Item::Expr(e) => {
                    if let Some(s) = e.eval(ctx) {
                        out.push_str(&s.to_text());
                    }
                }
            }
        }
        out
    }
}
