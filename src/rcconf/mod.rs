//! FreeBSD rc.conf / sysctl.conf / loader.conf → `CarpModel`.
