//! A spanned value tree shared by YAML and TOML (stub).
