//! The connection-path model.
