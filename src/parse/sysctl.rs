//! sysctl syntax (stub).
