//! my.cnf syntax (stub).
