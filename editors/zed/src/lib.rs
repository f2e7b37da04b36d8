//! The timeoutlint extension for Zed: starts `timeoutlint server` (the
//! language server in the `timeoutlint` binary, LSP over stdio) for the
//! languages listed in extension.toml.
//!
//! The binary is `lsp.timeoutlint.binary.path` from Zed's settings when set,
//! else `timeoutlint` found on the worktree's `PATH` (`Worktree::which`, the
//! user's login shell environment). Nothing is downloaded: install it with
//! `pip install timeoutlint` or `cargo install --locked timeoutlint`.

use zed_extension_api::{self as zed, LanguageServerId, Result, settings::LspSettings};

/// The language server's id: the key of `[language_servers.timeoutlint]` in
/// extension.toml and of `lsp.timeoutlint` in Zed's settings.
const SERVER_ID: &str = "timeoutlint";

struct TimeoutlintExtension;

impl zed::Extension for TimeoutlintExtension {
    fn new() -> Self {
        TimeoutlintExtension
    }

    fn language_server_command(
        &mut self,
        language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        if language_server_id.as_ref() != SERVER_ID {
            return Err(format!("unknown language server {language_server_id}"));
        }
        let binary = LspSettings::for_worktree(SERVER_ID, worktree)
            .ok()
            .and_then(|s| s.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("timeoutlint"))
            .ok_or_else(|| {
                "timeoutlint not found on PATH: install it (pip install timeoutlint, or \
                 cargo install --locked timeoutlint) or set lsp.timeoutlint.binary.path"
                    .to_string()
            })?;
        let args = binary
            .and_then(|b| b.arguments)
            .unwrap_or_else(|| vec!["server".to_string()]);
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(TimeoutlintExtension);
