//! haproxy.conf: lexer, directives, sections, keyword tables, typed model.
//! Pure: reads files, never touches sockets.
pub mod acl;
pub mod bind;
pub mod build;
pub mod cond;
pub mod lexer;
pub mod logformat;
pub mod model;
pub mod reader;
pub mod server;
pub mod suggest;
pub mod support;
pub mod tls;
pub mod value;
