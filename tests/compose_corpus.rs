//! Reads every file of the shared compose and app-server corpora
//! (`../shared/corpus/compose`, `../shared/corpus/appservers`) with the
//! compose and app-server adapters: no panic, and a stable text rendering
//! of the candidates of each file as a snapshot. Skips (with a message)
//! when the corpus is absent; the corpus is read in place, never copied.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{LoadError, Location, SourceMap};
use timeoutlint::sources::{Candidate, Found, Written, appserver, compose};

type Reader = fn(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<Vec<Candidate>, LoadError>;

fn at(sources: &SourceMap, loc: Location) -> String {
    let r = sources.resolve(loc);
    format!("{}:{}:{}", r.file, r.start.line, r.start.column)
}

fn value(sources: &SourceMap, w: &Written) -> String {
    match w {
        Written::Text(t) => format!("{:?}", sources.scrub(t)),
        Written::Unresolved(why) => format!("unresolved ({})", sources.scrub(why)),
        Written::Unset => "unset".to_string(),
    }
}

/// A stable text of candidates and diagnostics, every value scrubbed of
/// secrets (the rendering an output would show).
fn render(cands: &[Candidate], diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for c in cands {
        let _ = write!(
            out,
            "{} {} at {}",
            c.address,
            c.found.kind(),
            at(sources, c.at)
        );
        match &c.found {
            Found::Server(s) => {
                let _ = write!(out, ": {}", s.system.as_str());
                if let Some(f) = &s.flavor {
                    let _ = write!(
                        out,
                        " {} {:?} at {}",
                        f.product,
                        f.version,
                        at(sources, f.at)
                    );
                }
                out.push('\n');
                for a in &s.assignments {
                    let _ = writeln!(
                        out,
                        "  {} {} at {} = {} at {}",
                        a.set_by.describe(),
                        a.name,
                        at(sources, a.name_at),
                        value(sources, &a.value),
                        at(sources, a.value_at)
                    );
                }
            }
            Found::AppEnv(vars) => {
                out.push('\n');
                for v in vars {
                    let _ = writeln!(
                        out,
                        "  {} = {} at {}",
                        v.name,
                        value(sources, &v.value),
                        at(sources, v.at)
                    );
                }
            }
            Found::Workers(w) => {
                out.push('\n');
                for (n, loc) in &w.processes {
                    let _ = writeln!(out, "  processes {n} at {}", at(sources, *loc));
                }
                if let Some((n, loc)) = &w.threads {
                    let _ = writeln!(out, "  threads {n} at {}", at(sources, *loc));
                }
                if let Some((n, loc)) = &w.request_timeout_secs {
                    let _ = writeln!(out, "  request timeout {n} s at {}", at(sources, *loc));
                }
            }
            Found::IdleLimit(_) => out.push('\n'),
            Found::ConfigFiles(files) => {
                out.push('\n');
                for f in files {
                    let _ = writeln!(out, "  mounted at {} from {}", f.target, at(sources, f.at));
                }
            }
        }
    }
    for d in common::describe(diags, sources) {
        let _ = writeln!(out, "{d}");
    }
    if out.is_empty() {
        out.push_str("nothing\n");
    }
    sources.scrub(&out)
}

fn read_all(kind: &str, reader: Reader) -> usize {
    let Some(dir) = common::corpus_dir(kind) else {
        return 0;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in &files {
        let mut sources =
            SourceMap::new(Some(dir.clone())).with_policy(common::confined_to(Some(&dir)));
        let mut diags = Vec::new();
        let cands =
            reader(f, &mut sources, &mut diags).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        insta::assert_snapshot!(format!("{kind}__{name}"), render(&cands, &diags, &sources));
    }
    files.len()
}

#[test]
fn compose_corpus_is_read_without_panic() {
    let n = read_all("compose", compose::read);
    assert!(n == 0 || n >= 17, "read {n} compose corpus files");
}

#[test]
fn appserver_corpus_is_read_without_panic() {
    let n = read_all("appservers", appserver::read);
    assert!(n == 0 || n >= 8, "read {n} app-server corpus files");
}

/// Reads the fixture project `tests/fixtures/sources/compose/<case>`'s
/// `compose.yaml` (with its `.env` and env files), confined to the project.
fn fixture(case: &str) -> (Vec<Candidate>, Vec<Diagnostic>, SourceMap) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources/compose")
        .join(case);
    let mut sources =
        SourceMap::new(Some(dir.clone())).with_policy(common::confined_to(Some(&dir)));
    let mut diags = Vec::new();
    let cands =
        compose::read(&dir.join("compose.yaml"), &mut sources, &mut diags).expect("fixture reads");
    (cands, diags, sources)
}

fn server_value(cands: &[Candidate], service: &str, name: &str) -> Option<(Written, Location)> {
    cands.iter().find_map(|c| match &c.found {
        Found::Server(s) if c.address == service => s
            .assignments
            .iter()
            .find(|a| a.name == name)
            .map(|a| (a.value.clone(), a.value_at)),
        _ => None,
    })
}

fn env_value(cands: &[Candidate], service: &str, name: &str) -> Option<Written> {
    cands.iter().find_map(|c| match &c.found {
        Found::AppEnv(vars) if c.address == service => vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.clone()),
        _ => None,
    })
}

#[test]
fn fixture_mysql_wait_timeout_flag() {
    for (case, recycle) in [
        ("mysql-wait-timeout-flag", "3600"),
        ("mysql-wait-timeout-flag-fixed", "300"),
    ] {
        let (cands, diags, sources) = fixture(case);
        assert!(
            diags.is_empty(),
            "{case}: {:?}",
            common::describe(&diags, &sources)
        );
        let (value, at_) = server_value(&cands, "db", "wait_timeout").expect("wait_timeout");
        assert_eq!(value, Written::Text("600".into()));
        assert_eq!(at(&sources, at_), "compose.yaml:6:29");
        assert_eq!(sources.text_at(at_), "600");
        let (value, at_) = server_value(&cands, "db", "max_connections").expect("max_connections");
        assert_eq!(value, Written::Text("200".into()));
        assert_eq!(sources.text_at(at_), "200");
        assert_eq!(
            env_value(&cands, "web", "POOL_RECYCLE"),
            Some(Written::Text(recycle.into()))
        );
        let text = render(&cands, &diags, &sources);
        assert!(!text.contains("Fixture-Pw-4242"), "{text}");
        insta::assert_snapshot!(format!("fixture__{case}"), text);
    }
}

#[test]
fn fixture_pgbouncer_env() {
    let (cands, diags, sources) = fixture("pgbouncer-env");
    assert!(diags.is_empty(), "{:?}", common::describe(&diags, &sources));
    let (value, at_) =
        server_value(&cands, "pgbouncer", "server_idle_timeout").expect("server_idle_timeout");
    assert_eq!(value, Written::Text("60".into()));
    assert_eq!(at(&sources, at_), "compose.yaml:17:29");
    let (value, at_) =
        server_value(&cands, "pgbouncer", "server_lifetime").expect("server_lifetime");
    assert_eq!(value, Written::Text("3600".into()));
    assert_eq!(at(&sources, at_), "pgbouncer.env:3:17");
    assert_eq!(
        server_value(&cands, "db", "idle_session_timeout").map(|v| v.0),
        Some(Written::Text("0".into()))
    );
    assert_eq!(
        env_value(&cands, "api", "POOL_RECYCLE"),
        Some(Written::Text("1800".into()))
    );
    let text = render(&cands, &diags, &sources);
    assert!(!text.contains("Bouncer-Pw-777"), "{text}");
    insta::assert_snapshot!("fixture__pgbouncer-env", text);
}

/// Corpus files put back in their repository's layout (in a temporary
/// folder, never in the project), so a compose file finds its `.env` and
/// `env_file` files: `(corpus file, path in the repository)`.
fn corpus_project(
    files: &[(&str, &str)],
    main: &str,
) -> Option<(Vec<Candidate>, Vec<Diagnostic>, SourceMap)> {
    let dir = common::corpus_dir("compose")?;
    let tmp = tempfile::tempdir().expect("temp dir");
    for (from, to) in files {
        let dest = tmp.path().join(to);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(dir.join(from), &dest).expect("copy");
    }
    let root = tmp.path().to_path_buf();
    let mut sources =
        SourceMap::new(Some(root.clone())).with_policy(common::confined_to(Some(&root)));
    let mut diags = Vec::new();
    let cands = compose::read(&root.join(main), &mut sources, &mut diags).expect("reads");
    Some((cands, diags, sources))
}

#[test]
fn corpus_projects_with_their_env_files() {
    let Some((cands, diags, sources)) = corpus_project(
        &[
            (
                "mattermost-docker__docker-compose.yml",
                "docker-compose.yml",
            ),
            ("mattermost-docker__env.example", ".env"),
        ],
        "docker-compose.yml",
    ) else {
        return;
    };
    assert!(diags.is_empty(), "{:?}", common::describe(&diags, &sources));
    let version = cands.iter().find_map(|c| match &c.found {
        Found::Server(s) if c.address == "postgres" => {
            s.flavor.as_ref().and_then(|f| f.version.clone())
        }
        _ => None,
    });
    assert_eq!(version.as_deref(), Some("13"));
    match env_value(&cands, "mattermost", "MM_SQLSETTINGS_DATASOURCE") {
        Some(Written::Text(t)) => assert!(
            t.contains("connect_timeout=10") && t.starts_with("postgres://mmuser:"),
            "{t}"
        ),
        other => panic!("{other:?}"),
    }
    let text = render(&cands, &diags, &sources);
    assert!(!text.contains("mmuser_password"), "{text}");
    insta::assert_snapshot!("project__mattermost", text);

    let Some((cands, diags, sources)) = corpus_project(
        &[
            ("wger-docker__docker-compose.yml", "docker-compose.yml"),
            ("wger-docker__prod.env", "config/prod.env"),
        ],
        "docker-compose.yml",
    ) else {
        return;
    };
    assert!(diags.is_empty(), "{:?}", common::describe(&diags, &sources));
    let workers = |service: &str| {
        cands.iter().find_map(|c| match &c.found {
            Found::Workers(w) if c.address == service => Some(w.clone()),
            _ => None,
        })
    };
    let web = workers("web").expect("web workers from GUNICORN_CMD_ARGS");
    assert_eq!(web.processes.iter().map(|p| p.0).collect::<Vec<_>>(), [3]);
    assert_eq!(web.threads.map(|t| t.0), Some(2));
    assert_eq!(web.request_timeout_secs.map(|t| t.0), Some(240));
    assert_eq!(
        at(&sources, web.request_timeout_secs.unwrap().1),
        "config/prod.env:221:77"
    );
    assert_eq!(sources.text_at(web.request_timeout_secs.unwrap().1), "240");
    assert!(workers("celery_worker").is_none());
    insta::assert_snapshot!("project__wger", render(&cands, &diags, &sources));
}
