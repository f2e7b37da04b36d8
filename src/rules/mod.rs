//! Rules.

pub mod codes;
