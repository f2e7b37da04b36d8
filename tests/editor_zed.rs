//! The Zed extension in editors/zed, without Zed: its manifest parses and
//! names the language server that src/lib.rs answers for, its crate stays
//! out of this package's build, the command it starts exists in the binary,
//! and, where the wasm32-wasip2 target is installed, it builds to the wasm
//! component Zed loads.

use std::path::{Path, PathBuf};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/zed")
}

fn toml_file(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The string value of `const NAME: &str = "…";` in `source`.
fn const_str(source: &str, name: &str) -> String {
    let decl = format!("const {name}: &str = \"");
    let start = source.find(&decl).unwrap_or_else(|| panic!("no {decl}")) + decl.len();
    let len = source[start..].find('"').unwrap();
    source[start..start + len].to_string()
}

#[test]
fn manifest_names_the_server_lib_rs_starts() {
    let ext = toml_file(&folder().join("extension.toml"));
    let lib = std::fs::read_to_string(folder().join("src/lib.rs")).unwrap();
    let cargo = toml_file(&folder().join("Cargo.toml"));

    assert_eq!(ext["id"].as_str(), Some("timeoutlint"));
    assert_eq!(ext["schema_version"].as_integer(), Some(1));
    for key in ["name", "version", "description", "repository"] {
        assert!(ext[key].is_str(), "{key}");
    }
    // One language server, under the id src/lib.rs checks and reads the
    // settings of.
    let servers = ext["language_servers"].as_table().unwrap();
    let ids: Vec<&String> = servers.keys().collect();
    assert_eq!(ids, [&const_str(&lib, "SERVER_ID")]);
    let server = servers[ids[0].as_str()].as_table().unwrap();
    assert!(server["name"].is_str());
    let languages: Vec<&str> = server["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for lang in ["Python", "YAML", "TOML", "INI"] {
        assert!(languages.contains(&lang), "{lang} in {languages:?}");
    }
    // It starts `timeoutlint server` found on PATH.
    assert!(lib.contains(r#"worktree.which("timeoutlint")"#));
    assert!(lib.contains(r#"vec!["server".to_string()]"#));
    assert!(lib.contains("zed::register_extension!"));

    // The crate: a cdylib on zed_extension_api, versioned as the manifest.
    let package = cargo["package"].as_table().unwrap();
    assert_eq!(package["version"], ext["version"]);
    assert_eq!(
        cargo["lib"]["crate-type"].as_array().unwrap(),
        &[toml::Value::from("cdylib")]
    );
    assert!(cargo["dependencies"].get("zed_extension_api").is_some());
}

#[test]
fn zed_crate_stays_out_of_this_build() {
    // Its own (empty) workspace: cargo never takes it for a member of a
    // workspace above it.
    let cargo = toml_file(&folder().join("Cargo.toml"));
    assert!(cargo["workspace"].as_table().unwrap().is_empty());
    // And should the root become a workspace, not as a member of it.
    let root = toml_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    if let Some(ws) = root.get("workspace") {
        let members = ws.get("members").and_then(|m| m.as_array());
        for m in members.into_iter().flatten() {
            assert!(!m.as_str().unwrap().starts_with("editors"), "{m}");
        }
    }
    // Left out of the published crate.
    let excluded = root["package"]["exclude"].as_array().unwrap();
    assert!(excluded.contains(&toml::Value::from("/editors")));
}

#[test]
fn the_command_it_starts_exists() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .args(["server", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("language server"));
}

/// Builds the extension as Zed does (`cargo build --release --target
/// wasm32-wasip2`) where that Rust target is installed (`.ci/run` adds it),
/// and checks the output is a WebAssembly component exporting Zed's
/// extension world. Skips, saying so, without the target or cargo.
#[test]
fn builds_to_a_wasm_component_where_the_target_is_installed() {
    let installed = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let has_target = installed.as_ref().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l == "wasm32-wasip2")
    });
    if !has_target {
        eprintln!(
            "skipped: the wasm32-wasip2 Rust target is not installed (rustup target add wasm32-wasip2; .ci/run adds it)"
        );
        return;
    }
    let target_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/zed");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(folder())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm =
        std::fs::read(target_dir.join("wasm32-wasip2/release/zed_timeoutlint.wasm")).unwrap();
    // The component-model preamble: magic, version 0x0d, layer 1.
    assert_eq!(&wasm[..8], b"\0asm\x0d\x00\x01\x00");
    let has = |s: &str| wasm.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("zed:extension/lsp"));
    assert!(has("language-server-command"));
    eprintln!("zed extension: {} bytes of wasm component", wasm.len());
}
