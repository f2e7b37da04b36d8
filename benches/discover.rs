//! Speed of discovery (issue 12): "Discovery is deterministic, and bounded in
//! time on large trees. Measure it on a monorepo of 10,000 files: at most 3×
//! the time `cat` takes to read the same files."
//!
//! `cargo bench --bench discover` generates, deterministically, a monorepo of
//! [`FILES`] files into a temporary folder (a JavaScript / TypeScript / Python
//! monorepo: sources, tests, docs, JSON, CSS, images as random bytes, YAML CI
//! files, a few hundred Python modules without database settings, a
//! git-ignored build output and `node_modules/`, and one real stack, the
//! `tests/fixtures/discover/django-compose-pgbouncer` fixture, copied into
//! `services/shop/`), then times, best of [`RUNS`]:
//!
//! - `find DIR -type f -print0 | xargs -0 cat > /dev/null` (every file read
//!   once, the ignored ones included);
//! - `timeoutlint check --format json DIR` (the release binary, no manifest:
//!   discovery),
//!
//! and prints both times and their ratio (target: ≤ 3), whether the check
//! printed the same report in every run, and its findings (the copied stack
//! must give its TL110). A check that exits
//! with anything but 0 or 1 is reported with its exit code and the first line
//! of its stderr, not a panic.
//!
//! The tree is written on tmpfs (`/dev/shm`) when there is one, or under
//! `TIMEOUTLINT_BENCH_DIR`; see [`scratch`]. It is a git work tree as far as
//! a walker can tell (a minimal `.git/` with
//! `HEAD`), so `.gitignore` files apply as in a checkout.
//!
//! Without `--bench` (`cargo test --benches`, `cargo test --all-targets`) it
//! only generates the tree twice, checks the file count and that both trees
//! are identical, and times nothing.
//!
//! `TIMEOUTLINT_BENCH_WRITE=DIR cargo bench --bench discover` writes the tree
//! into `DIR` (which must not exist or be empty) and exits, for measuring by
//! hand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Files in the generated work tree (the `.git/` stub not counted).
const FILES: usize = 10_000;

/// Timed runs of each command; the fastest counts.
const RUNS: usize = 5;

/// The fixture stack copied into the monorepo, relative to the crate root.
const STACK: &str = "tests/fixtures/discover/django-compose-pgbouncer";

/// Where the stack lands inside the monorepo.
const STACK_AT: &str = "services/shop";

/// The finding the copied stack must give when discovery links it
/// (tests/fixtures/discover/README.md), at its place in the monorepo.
const EXPECTED: &str = "TL110 services/shop/docker-compose.production.yml:39";

/// SplitMix64: a small deterministic generator (the same tree on every
/// machine and every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One item of `items` (non-empty).
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A file size in bytes around `typical`: half the files small, a third
    /// medium, a few large and a rare huge one (file sizes in source trees are
    /// heavy-tailed).
    fn size(&mut self, typical: usize) -> usize {
        let r = self.below(100);
        let (lo, hi) = match r {
            0..=49 => (typical / 8, typical / 2),
            50..=84 => (typical / 2, typical * 2),
            85..=97 => (typical * 2, typical * 8),
            _ => (typical * 8, typical * 20),
        };
        lo.max(64) + self.below(hi.max(lo + 1) - lo)
    }
}

const WORDS: &[&str] = &[
    "account", "order", "invoice", "cart", "user", "session", "search", "report", "export",
    "import", "price", "stock", "catalog", "review", "payment", "refund", "shipping", "address",
    "profile", "settings", "token", "webhook", "queue", "cache", "banner", "layout", "modal",
    "table", "filter", "chart", "metric", "audit", "locale", "theme", "upload", "preview",
];

/// `orderInvoice`-style identifier.
fn ident(rng: &mut Rng) -> String {
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    let mut cs = b.chars();
    if let Some(c) = cs.next() {
        s.push(c.to_ascii_uppercase());
        s.extend(cs);
    }
    s
}

/// `OrderInvoice`-style type name.
fn type_name(rng: &mut Rng) -> String {
    let mut s = ident(rng);
    if let Some(c) = s.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    s
}

/// The kinds of generated files, each with its own content.
#[derive(Clone, Copy)]
enum Kind {
    Js,
    Ts,
    Tsx,
    Py,
    Md,
    Json,
    Css,
    Html,
    Svg,
    Yaml,
    /// Random bytes (PNG, JPEG, WOFF2, ICO).
    Binary,
}

/// Text of roughly `size` bytes of the given kind.
fn content(kind: Kind, rng: &mut Rng, size: usize) -> Vec<u8> {
    if let Kind::Binary = kind {
        let mut v = Vec::with_capacity(size + 8);
        v.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        while v.len() < size {
            v.extend_from_slice(&rng.next().to_le_bytes());
        }
        return v;
    }
    let mut s = String::with_capacity(size + 512);
    match kind {
        Kind::Py => {
            let _ = write!(
                s,
                "\"\"\"{} helpers.\"\"\"\nfrom __future__ import annotations\n\nimport logging\nimport os\nfrom dataclasses import dataclass\n\nlog = logging.getLogger(__name__)\n\nPAGE_SIZE = int(os.environ.get(\"{}_PAGE_SIZE\", \"50\"))\nREQUEST_TIMEOUT = 30\n\n",
                type_name(rng),
                rng.pick(WORDS).to_ascii_uppercase()
            );
        }
        Kind::Md => {
            let _ = write!(s, "# {}\n\n", type_name(rng));
        }
        Kind::Json => s.push_str("{\n"),
        Kind::Html => s.push_str("<!doctype html>\n<html lang=\"en\">\n<body>\n"),
        Kind::Svg => s.push_str(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" fill=\"none\">\n",
        ),
        Kind::Yaml => {
            let _ = write!(
                s,
                "name: {}\n\non:\n  pull_request:\n  push:\n    branches: [main]\n\njobs:\n",
                type_name(rng)
            );
        }
        _ => {}
    }
    let mut i = 0usize;
    while s.len() < size {
        i += 1;
        let a = ident(rng);
        let t = type_name(rng);
        let n = rng.below(1000);
        let _ = match kind {
            Kind::Js => write!(
                s,
                "export function {a}(items, options = {{}}) {{\n  const limit = options.limit ?? {n};\n  return items\n    .filter((item) => item.{a}Id !== undefined)\n    .slice(0, limit)\n    .map((item) => ({{ ...item, label: `{t} ${{item.id}}` }}));\n}}\n\n"
            ),
            Kind::Ts => write!(
                s,
                "export interface {t}{i} {{\n  id: number;\n  {a}: string;\n  updatedAt?: Date;\n}}\n\nexport async function fetch{t}{i}(client: ApiClient, id: number): Promise<{t}{i}> {{\n  const res = await client.get(`/api/v1/{a}/${{id}}?limit={n}`);\n  return res.data as {t}{i};\n}}\n\n"
            ),
            Kind::Tsx => write!(
                s,
                "export function {t}{i}({{ {a}, onSelect }}: {t}Props) {{\n  const [open, setOpen] = useState(false);\n  return (\n    <div className={{styles.{a}}} onClick={{() => setOpen(!open)}}>\n      {{open && <{t}Panel value={{{a}}} max={{{n}}} onSelect={{onSelect}} />}}\n    </div>\n  );\n}}\n\n"
            ),
            Kind::Py => write!(
                s,
                "@dataclass\nclass {t}{i}:\n    id: int\n    {a}: str\n    limit: int = {n}\n\n    def to_dict(self) -> dict:\n        return {{\"id\": self.id, \"{a}\": self.{a}}}\n\n\ndef load_{a}_{i}(rows: list[dict]) -> list[{t}{i}]:\n    log.debug(\"loading %d rows\", len(rows))\n    return [{t}{i}(r[\"id\"], r[\"{a}\"]) for r in rows[:PAGE_SIZE]]\n\n\n"
            ),
            Kind::Md => write!(
                s,
                "## {t} {i}\n\nThe `{a}` endpoint returns at most {n} items. See [the API guide](../api/{a}.md)\nfor pagination, and `{t}Panel` for the component that renders them.\n\n- `GET /api/v1/{a}`: list\n- `POST /api/v1/{a}`: create\n\n"
            ),
            Kind::Json => writeln!(s, "  \"{a}.{t}.{i}\": \"{t} {a} label number {n}\","),
            Kind::Css => write!(
                s,
                ".{a}-{i} {{\n  display: flex;\n  gap: {}px;\n  padding: 0.5rem 1rem;\n  color: #{:06x};\n}}\n\n",
                n % 32,
                n * 9973 % 0xFFFFFF
            ),
            Kind::Html => write!(
                s,
                "  <section class=\"{a}\" id=\"{a}-{i}\">\n    <h2>{t}</h2>\n    <p>Showing {n} of the latest {a} entries.</p>\n  </section>\n"
            ),
            Kind::Svg => writeln!(
                s,
                "  <path d=\"M{} {}h{}v{}H{}z\" stroke=\"currentColor\" stroke-width=\"2\"/>",
                n % 24,
                i % 24,
                n % 7,
                i % 9,
                n % 5
            ),
            Kind::Yaml => write!(
                s,
                "  {a}-{i}:\n    runs-on: ubuntu-latest\n    timeout-minutes: {}\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n      - run: npm ci && npm run test -- --filter {a}\n\n",
                n % 60 + 5
            ),
            Kind::Binary => Ok(()),
        };
    }
    match kind {
        Kind::Json => s.push_str("  \"_\": \"\"\n}\n"),
        Kind::Html => s.push_str("</body>\n</html>\n"),
        Kind::Svg => s.push_str("</svg>\n"),
        _ => {}
    }
    s.into_bytes()
}

/// One generated file: its path in the tree, kind and typical size.
struct Plan {
    path: String,
    kind: Kind,
    typical: usize,
}

/// The paths of the generated part of the tree, `n` files in all, in a fixed
/// order. Counts by kind follow a JavaScript-heavy monorepo with Python
/// services: about 25 % .js, 20 % .ts/.tsx, 13 % images and fonts, 9 %
/// .json, 7 % .css, 6 % .md, 4 % .py (a few hundred modules), 3 % .html,
/// 3 % .svg, YAML CI files, and 5 % in git-ignored build output and
/// `node_modules/`.
fn plan(n: usize, rng: &mut Rng) -> Vec<Plan> {
    // (share in per mille, kind, extension, folder pattern, typical bytes)
    #[rustfmt::skip]
    let mix: &[(usize, Kind, &str, &str, usize)] = &[
        (200, Kind::Js, "js", "apps/web/src/{m}", 3_000),
        (50, Kind::Js, "js", "packages/{p}/lib", 2_500),
        (110, Kind::Ts, "ts", "packages/{p}/src", 2_500),
        (90, Kind::Tsx, "tsx", "apps/admin/src/components/{m}", 3_500),
        (100, Kind::Binary, "png", "apps/web/public/images/{m}", 6_000),
        (20, Kind::Binary, "jpg", "apps/web/public/photos", 15_000),
        (10, Kind::Binary, "woff2", "apps/web/public/fonts", 20_000),
        (90, Kind::Json, "json", "apps/web/src/locales/{m}", 1_500),
        (70, Kind::Css, "css", "apps/web/src/styles/{m}", 3_000),
        (60, Kind::Md, "md", "docs/{m}", 2_500),
        (40, Kind::Py, "py", "services/{s}/{s}/{m}", 3_000),
        (30, Kind::Html, "html", "apps/web/templates/{m}", 2_000),
        (30, Kind::Svg, "svg", "apps/web/src/icons", 900),
        (3, Kind::Yaml, "yml", ".github/workflows", 1_500),
        (37, Kind::Js, "js", "apps/web/dist/assets", 8_000),
        (13, Kind::Js, "js", "apps/web/node_modules/{p}/dist", 6_000),
    ];
    let total: usize = mix.iter().map(|m| m.0).sum();
    let mods = [
        "core", "api", "ui", "forms", "utils", "reports", "auth", "billing",
    ];
    let pkgs = [
        "design-system",
        "http-client",
        "analytics",
        "i18n",
        "state",
        "charts",
    ];
    let svcs = ["pricing", "mailer", "search", "exporter"];
    let mut out = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::new();
    let mut counts: Vec<usize> = mix.iter().map(|m| m.0 * n / total).collect();
    // Rounding leftovers go to the first (largest) group.
    counts[0] += n - counts.iter().sum::<usize>();
    for (&(_, kind, ext, dir, typical), &count) in mix.iter().zip(&counts) {
        for i in 0..count {
            let folder = dir
                .replace("{m}", mods[i % mods.len()])
                .replace("{p}", pkgs[i % pkgs.len()])
                .replace("{s}", svcs[i % svcs.len()]);
            let stem = match (kind, i) {
                // A few Python modules under names a settings finder looks at,
                // without database settings.
                (Kind::Py, 0..=3) => {
                    ["settings", "config", "conftest", "celeryconfig"][i].to_string()
                }
                (Kind::Py, _) if i % 10 == 4 => "__init__".to_string(),
                (Kind::Json, 0..=5) => [
                    "package",
                    "tsconfig",
                    "package",
                    ".eslintrc",
                    "tsconfig",
                    "renovate",
                ][i]
                    .to_string(),
                _ => format!("{}_{i}", ident(rng)),
            };
            let mut path = format!("{folder}/{stem}.{ext}");
            if !seen.insert(path.clone()) {
                path = format!("{folder}/{stem}_{i}.{ext}");
                seen.insert(path.clone());
            }
            out.push(Plan {
                path,
                kind,
                typical,
            });
        }
    }
    out
}

/// The root `.gitignore` (counts as one file of the tree).
const GITIGNORE: &str = "\
# dependencies
node_modules/
.venv/
# build output
dist/
build/
coverage/
*.tsbuildinfo
# local
.env
.DS_Store
";

/// Copies the fixture stack into `to`; returns the number of files copied.
fn copy_stack(from: &Path, to: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    let mut stack = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((src, dst)) = stack.pop() {
        std::fs::create_dir_all(&dst)?;
        let mut entries: Vec<_> = std::fs::read_dir(&src)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let ty = e.file_type()?;
            if ty.is_dir() {
                stack.push((e.path(), dst.join(e.file_name())));
            } else if ty.is_file() {
                std::fs::copy(e.path(), dst.join(e.file_name()))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// What was generated.
struct Tree {
    files: usize,
    bytes: u64,
}

/// Generates the monorepo into `dir` (created if missing): exactly [`FILES`]
/// files besides the `.git/` stub.
fn generate(dir: &Path) -> std::io::Result<Tree> {
    let stack = Path::new(env!("CARGO_MANIFEST_DIR")).join(STACK);
    let copied = copy_stack(&stack, &dir.join(STACK_AT))?;
    std::fs::create_dir_all(dir.join(".git/refs/heads"))?;
    std::fs::create_dir_all(dir.join(".git/objects"))?;
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n")?;
    std::fs::write(dir.join(".gitignore"), GITIGNORE)?;
    let mut rng = Rng(0x7469_6D65_6F75_746C); // "timeoutl"
    let generated = FILES - copied - 1;
    let mut bytes = GITIGNORE.len() as u64;
    let mut made = std::collections::BTreeSet::new();
    for p in plan(generated, &mut rng) {
        let path = dir.join(&p.path);
        if let Some(parent) = path.parent()
            && made.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent)?;
        }
        let size = rng.size(p.typical);
        let body = content(p.kind, &mut rng, size);
        bytes += body.len() as u64;
        std::fs::write(&path, body)?;
    }
    Ok(Tree {
        files: count_files(dir)? - 1, // .git/HEAD
        bytes,
    })
}

/// Regular files under `dir`, recursively.
fn count_files(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let ty = e.file_type()?;
        if ty.is_dir() {
            n += count_files(&e.path())?;
        } else if ty.is_file() {
            n += 1;
        }
    }
    Ok(n)
}

/// A digest (FNV-1a) of every path and content under `dir`, in sorted order.
fn fingerprint(dir: &Path) -> std::io::Result<u64> {
    fn walk(base: &Path, dir: &Path, h: &mut u64) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let rel = path.strip_prefix(base).unwrap_or(&path);
            for b in rel.to_string_lossy().bytes() {
                *h = (*h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
            if e.file_type()?.is_dir() {
                walk(base, &path, h)?;
            } else {
                for b in std::fs::read(&path)? {
                    *h = (*h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
                }
            }
        }
        Ok(())
    }
    let mut h = 0xcbf2_9ce4_8422_2325;
    walk(dir, dir, &mut h)?;
    Ok(h)
}

/// The outcome of the fastest of [`RUNS`] runs of one command.
struct Timed {
    best: Duration,
    code: Option<i32>,
    stderr_first_line: String,
    /// The last run's stdout.
    stdout: Vec<u8>,
    /// Whether every run printed the same stdout.
    same_output: bool,
}

/// Runs `cmd` [`RUNS`] times (stdout and stderr captured) and keeps the
/// fastest time; the exit code and stderr are the last run's.
fn time(mut make: impl FnMut() -> Command) -> std::io::Result<Timed> {
    let mut best = Duration::MAX;
    let mut code = None;
    let mut first = String::new();
    let mut outputs: Vec<Vec<u8>> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let mut cmd = make();
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd.output()?;
        best = best.min(start.elapsed());
        code = out.status.code();
        first = String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        outputs.push(out.stdout);
    }
    let same_output = outputs.windows(2).all(|w| w[0] == w[1]);
    Ok(Timed {
        best,
        code,
        stderr_first_line: first,
        stdout: outputs.pop().unwrap_or_default(),
        same_output,
    })
}

/// `RULE file:line` of each diagnostic in a `--format json` report, or why
/// the report cannot be read.
fn findings(json: &[u8]) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let diags = v["diagnostics"]
        .as_array()
        .ok_or("no \"diagnostics\" array")?;
    Ok(diags
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}",
                d["rule"].as_str().unwrap_or("?"),
                d["file"].as_str().unwrap_or("?"),
                d["line"]
            )
        })
        .collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Generates into `dir`, reporting how long it took.
fn generate_reported(dir: &Path) -> Tree {
    let start = Instant::now();
    match generate(dir) {
        Ok(t) => {
            println!(
                "generated {} files, {:.1} MB, in {:.0} ms: {}",
                t.files,
                t.bytes as f64 / 1e6,
                ms(start.elapsed()),
                dir.display()
            );
            t
        }
        Err(e) => {
            eprintln!("cannot generate the monorepo in {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
}

/// A temporary folder for the tree: under `TIMEOUTLINT_BENCH_DIR` when set,
/// else on tmpfs (`/dev/shm`) where there is one, else the system's
/// temporary folder. On tmpfs, writing 10,000 files takes ~0.2 s instead of
/// seconds on a busy disk, and both timed commands read from memory, so the
/// ratio measures the work discovery does, not the disk.
fn scratch() -> std::io::Result<tempfile::TempDir> {
    if let Some(dir) = std::env::var_os("TIMEOUTLINT_BENCH_DIR") {
        return tempfile::tempdir_in(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(t) = tempfile::tempdir_in(shm)
    {
        return Ok(t);
    }
    tempfile::tempdir()
}

/// `cargo test --benches`: the tree has [`FILES`] files and is the same on
/// every generation.
fn smoke() {
    let a = scratch().expect("a temporary folder");
    let b = scratch().expect("a temporary folder");
    let ta = generate_reported(a.path());
    let tb = generate_reported(b.path());
    assert_eq!(ta.files, FILES, "file count");
    assert_eq!(ta.bytes, tb.bytes);
    let (fa, fb) = (
        fingerprint(a.path()).expect("tree a is readable"),
        fingerprint(b.path()).expect("tree b is readable"),
    );
    assert_eq!(fa, fb, "two generations differ");
    println!("discover bench: generation is deterministic ({fa:016x})");
}

/// Writes `reference.timeoutlint.toml` into `dir`: the stack's hand-written
/// manifest (`tests/fixtures/discover/django-compose-pgbouncer.timeoutlint.toml`)
/// with its paths moved to `tree/services/shop/`.
fn write_reference(dir: &Path) -> std::io::Result<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{STACK}.timeoutlint.toml"));
    let text = std::fs::read_to_string(src)?;
    let stack_name = STACK.rsplit('/').next().unwrap_or(STACK);
    let moved = text.replace(
        &format!("\"{stack_name}/"),
        &format!("\"{TREE}/{STACK_AT}/"),
    );
    let path = dir.join("reference.timeoutlint.toml");
    std::fs::write(&path, moved)?;
    Ok(path)
}

/// The monorepo's folder inside the scratch folder; the reference manifest
/// lies beside it, so discovery of the folder never sees it.
const TREE: &str = "tree";

/// Prints one timed check: time, ratio to `cat`, determinism and findings;
/// returns the findings (`RULE file:line`, `strip` removed from file names)
/// when the check ran (exit 0 or 1).
fn report_check(label: &str, t: &Timed, cat: &Timed, strip: &str) -> Option<Vec<String>> {
    println!("{label}, best of {RUNS}: {:8.1} ms", ms(t.best));
    let ratio = t.best.as_secs_f64() / cat.best.as_secs_f64().max(1e-9);
    if !matches!(t.code, Some(0 | 1)) {
        let code = t.code.map_or("a signal".to_string(), |c| c.to_string());
        println!("  timeoutlint exited with {code}: {}", t.stderr_first_line);
        println!("  ratio to cat: {ratio:.2} (not meaningful: the check failed)");
        return None;
    }
    println!("  ratio to cat: {ratio:.2} (target for discovery: at most 3)");
    println!(
        "  same report in all {RUNS} runs: {}",
        if t.same_output { "yes" } else { "NO" }
    );
    match findings(&t.stdout) {
        Ok(f) => {
            let f: Vec<String> = f
                .into_iter()
                .map(|l| l.replacen(&format!(" {strip}"), " ", 1))
                .collect();
            let has = f.iter().any(|l| l == EXPECTED);
            println!(
                "  {} finding(s); {EXPECTED}: {}",
                f.len(),
                if has { "found" } else { "MISSING" }
            );
            for line in &f {
                println!("    {line}");
            }
            Some(f)
        }
        Err(e) => {
            println!("  the JSON report does not parse: {e}");
            None
        }
    }
}

fn main() {
    if let Some(dir) = std::env::var_os("TIMEOUTLINT_BENCH_WRITE") {
        let dir = PathBuf::from(dir);
        generate_reported(&dir.join(TREE));
        match write_reference(&dir) {
            Ok(p) => println!("reference manifest: {}", p.display()),
            Err(e) => eprintln!("cannot write the reference manifest: {e}"),
        }
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        smoke();
        return;
    }
    let tmp = scratch().expect("a temporary folder");
    let dir = tmp.path().join(TREE);
    generate_reported(&dir);
    let reference = write_reference(tmp.path());

    let cat = match time(|| {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("find \"$1\" -type f -print0 | xargs -0 cat > /dev/null")
            .arg("sh")
            .arg(&dir);
        c
    }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot run find | xargs cat: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "cat (find DIR -type f | xargs cat), best of {RUNS}: {:8.1} ms",
        ms(cat.best)
    );
    if cat.code != Some(0) {
        println!(
            "  cat exited with {:?}: {}",
            cat.code, cat.stderr_first_line
        );
    }
    let tl = || Command::new(env!("CARGO_BIN_EXE_timeoutlint"));
    let discovered = match time(|| {
        let mut c = tl();
        // As in CI: started in the repository, checking it.
        c.current_dir(&dir).args(["check", "--format", "json", "."]);
        c
    }) {
        Ok(t) => report_check(
            "timeoutlint check --format json DIR (discovery)",
            &t,
            &cat,
            "",
        ),
        Err(e) => {
            println!("cannot run {}: {e}", env!("CARGO_BIN_EXE_timeoutlint"));
            None
        }
    };
    let by_hand = match reference {
        Ok(manifest) => match time(|| {
            let mut c = tl();
            c.current_dir(&dir)
                .args(["check", "--format", "json"])
                .arg(&manifest);
            c
        }) {
            Ok(t) => report_check(
                "timeoutlint check --format json MANIFEST (the stack's hand-written manifest, for reference)",
                &t,
                &cat,
                &format!("{TREE}/"),
            ),
            Err(e) => {
                println!("cannot run {}: {e}", env!("CARGO_BIN_EXE_timeoutlint"));
                None
            }
        },
        Err(e) => {
            println!("cannot write the reference manifest: {e}");
            None
        }
    };
    if let (Some(d), Some(r)) = (&discovered, &by_hand) {
        let extra: Vec<&String> = d.iter().filter(|l| !r.contains(l)).collect();
        let missing: Vec<&String> = r.iter().filter(|l| !d.contains(l)).collect();
        println!(
            "discovery vs the hand-written manifest: {} more, {} missing (the monorepo's other files must add none)",
            extra.len(),
            missing.len()
        );
    }
}
