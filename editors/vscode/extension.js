// The timeoutlint extension: starts `timeoutlint server` (the language
// server, src/server.rs in the repository) over standard input/output and
// attaches it to the files that hold connection timeouts. Plain JavaScript:
// no build step; `npx @vscode/vsce package` packs it as it is.
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

// VS Code language ids of the files timeoutlint reads: pool settings
// (Python, YAML, TOML, JSON, .env), MySQL/MariaDB my.cnf and pgbouncer.ini
// (ini), postgresql.conf, sysctl.conf and haproxy.cfg (properties: VS Code
// gives .conf and .cfg that id), Compose files, Terraform. Unsaved edits to
// any of them are checked; the server re-checks the whole workspace folder.
const LANGUAGES = [
  "toml",
  "yaml",
  "python",
  "ini",
  "properties",
  "plaintext",
  "dotenv",
  "terraform",
  "dockercompose",
  "json",
];

// Files whose change on disk (a checkout, another tool) may move a finding.
const WATCHED = "**/{*.toml,*.yaml,*.yml,*.py,*.cnf,*.ini,*.conf,*.cfg,*.env,.env*,*.tf,*.json,*.properties}";

let client;

function start(context) {
  const command = vscode.workspace.getConfiguration("timeoutlint").get("path") || "timeoutlint";
  // An Executable without `transport` talks over stdio (with
  // `transport: stdio` the client would append --stdio, which the server
  // also accepts).
  const serverOptions = { command, args: ["server"] };
  const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
  context.subscriptions.push(watcher);
  const clientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
    synchronize: { fileEvents: watcher },
  };
  client = new LanguageClient("timeoutlint", "timeoutlint", serverOptions, clientOptions);
  return client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("timeoutlint.path")) {
        if (client) {
          await client.stop();
        }
        await start(context);
      }
    }),
  );
  try {
    await start(context);
  } catch (err) {
    vscode.window.showErrorMessage(
      `timeoutlint: could not start the language server (${err}). ` +
        "Install timeoutlint or set timeoutlint.path.",
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
