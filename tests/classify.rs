//! File kinds told without a manifest.

mod common;

use std::path::Path;

use timeoutlint::classify::{Classified, Kind, classify_text};

#[test]
fn probe_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        for (name, path) in common::corpus_files(&d) {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let c = classify_text(&path, &text);
            println!(
                "{:15} {:55} {:?}",
                d.file_name().unwrap().to_string_lossy(),
                name,
                c
            );
        }
    }
    let _ = (Kind::Sysctl, Classified::Unknown);
}
