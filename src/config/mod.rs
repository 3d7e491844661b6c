//! haproxy.conf: lexer, directives, sections, keyword tables, typed model.
//! Pure: reads files, never touches sockets.
pub mod bind;
pub mod server;
pub mod suggest;
pub mod support;
pub mod value;
