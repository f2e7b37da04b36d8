//! What a config file is, told from its content first and its name second.
//!
//! Used for files given on the command line without a manifest
//! (`timeoutlint check my.cnf app.yaml`), for `db = "..."` entries (MySQL or
//! PostgreSQL), and by discovery. [`classify_text`] is pure and bounded: it
//! looks at most at the first [`MAX_SCAN`] bytes and does no I/O;
//! [`classify`] reads through the [`ReadPolicy`] (root and size limits) and
//! turns an unknown or ambiguous file into a usage message.
//!
//! The order of the checks, each reusing the reader of that kind:
//!
//! 1. Python (`.py`): gunicorn configs by name (`gunicorn.conf.py`,
//!    `gunicorn_conf.py`), everything else is Python app settings.
//!    Terraform by name (`.tf`, `.tfvars`, `.tf.json`); a `Procfile` by
//!    name.
//! 2. Server dumps, whose shape is unmistakable and must win over the
//!    permissive `name value` readers: the `SHOW VARIABLES` forms of
//!    [`crate::parse::mysqldump`] (table, tab-separated with or without the
//!    header, `\G`), `mysqld --verbose --help`
//!    ([`crate::parse::mycnf::lex_help_variables`]), then PostgreSQL
//!    `SHOW ALL` (psql table) and `pg_settings` CSV
//!    ([`crate::parse::pgconf::lex_dump`]). A headerless tab-separated
//!    dump whose names are PostgreSQL's only is ambiguous, not MySQL.
//! 3. YAML / JSON / TOML (by extension, or YAML by its first line): an AWS
//!    CLI parameters dump, a CloudFormation template, an Envoy bootstrap,
//!    a compose file (by name, or a top-level `services:` mapping), Helm
//!    values (by name: `values*.yaml`, `*_values.yaml`, or bitnami-style
//!    `primary:` / `architecture:` keys), Kubernetes manifests (`apiVersion`
//!    and `kind`; Istio when the objects are Istio's and one is a
//!    `DestinationRule`), app settings (a top-level `sqlalchemy`,
//!    `DATABASES` or `SQLALCHEMY_*` key), as [`crate::deploy::detect`] and
//!    [`crate::systems::app`] read them.
//! 4. Everything else by its lines: INI sections (`[pgbouncer]` /
//!    `[databases]`, MySQL groups such as `[mysqld]` or `!includedir`,
//!    `[uwsgi]`, an Airflow `[database]` / `[core]` with `sql_alchemy_*`),
//!    an HAProxy config (section keywords `global` / `defaults` /
//!    `frontend` / `backend` / `listen` with HAProxy directives), an nginx
//!    config (`stream` / `http` / `server` / `upstream` blocks), a sysctl
//!    file (most keys under `net.`, `kernel.`, `vm.`, `fs.`), and, for
//!    plain `name = value` files, the names themselves: MySQL-only names
//!    (`wait_timeout`, `innodb_*`, `skip-name-resolve`) against
//!    PostgreSQL-only names (`shared_buffers`, `listen_addresses`, `wal_*`)
//!    and `include` directives.
//!
//! When the content points at several kinds, the file name breaks the tie
//! (`*.cnf`, `postgresql*.conf`, `*pgbouncer*`, `*sysctl*`, `*haproxy*`,
//! `nginx*`, `airflow.cfg`, `*uwsgi*.ini`); when it cannot, the result is
//! [`Classified::Ambiguous`]. When the content points at nothing, the name
//! alone decides for the same names; else [`Classified::Unknown`]. A file is
//! never given a kind its content contradicts.

use std::path::Path;

use crate::parse::tree::Node;
use crate::source::{ReadPolicy, io_reason};

/// How many bytes of a file [`classify_text`] looks at (256 KiB).
pub const MAX_SCAN: usize = 256 * 1024;

/// What a config file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Python app settings: Django `settings.py`, a Flask config, a module
    /// calling `create_engine()`, `superset_config.py`.
    PythonSettings,
    /// App settings exported as YAML (`sqlalchemy:`, `DATABASES:`,
    /// `SQLALCHEMY_DATABASE_URI:`).
    AppYaml,
    /// App settings exported as TOML.
    AppToml,
    /// Airflow's `airflow.cfg`.
    AirflowCfg,
    /// A MySQL / MariaDB option file (my.cnf).
    MysqlOptionFile,
    /// A MySQL `SHOW VARIABLES` dump (table, tab-separated, `\G`) or
    /// `mysqld --verbose --help` output.
    MysqlDump,
    /// postgresql.conf (or postgresql.auto.conf, an included `.conf`).
    PostgresConf,
    /// A PostgreSQL `SHOW ALL` output or `pg_settings` CSV.
    PostgresDump,
    /// pgbouncer.ini.
    PgBouncer,
    /// A sysctl file, sysctl.d folder, `sysctl -a` dump or /proc/sys tree.
    Sysctl,
    /// haproxy.cfg.
    Haproxy,
    /// nginx.conf (its `stream` servers).
    Nginx,
    /// An Envoy bootstrap or listener config (YAML).
    Envoy,
    /// Istio `DestinationRule`s (YAML).
    Istio,
    /// A docker compose file.
    Compose,
    /// Kubernetes manifests.
    Kubernetes,
    /// Helm values.
    Helm,
    /// Terraform (`.tf`, `.tfvars`).
    Terraform,
    /// A CloudFormation template (YAML or JSON).
    CloudFormation,
    /// `aws rds describe-db-parameters` JSON.
    AwsCliDump,
    /// App-server config: gunicorn config, `uwsgi.ini`, `Procfile`.
    AppServer,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 21] = [
        Kind::PythonSettings,
        Kind::AppYaml,
        Kind::AppToml,
        Kind::AirflowCfg,
        Kind::MysqlOptionFile,
        Kind::MysqlDump,
        Kind::PostgresConf,
        Kind::PostgresDump,
        Kind::PgBouncer,
        Kind::Sysctl,
        Kind::Haproxy,
        Kind::Nginx,
        Kind::Envoy,
        Kind::Istio,
        Kind::Compose,
        Kind::Kubernetes,
        Kind::Helm,
        Kind::Terraform,
        Kind::CloudFormation,
        Kind::AwsCliDump,
        Kind::AppServer,
    ];

    /// A short description for messages, e.g. `my.cnf (MySQL option file)`.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::PythonSettings => {
                "Python app settings (settings.py, a Flask config, create_engine)"
            }
            Kind::AppYaml => "app settings in YAML",
            Kind::AppToml => "app settings in TOML",
            Kind::AirflowCfg => "airflow.cfg (Airflow's database settings)",
            Kind::MysqlOptionFile => "my.cnf (MySQL option file)",
            Kind::MysqlDump => "MySQL SHOW VARIABLES dump or `mysqld --verbose --help` output",
            Kind::PostgresConf => "postgresql.conf",
            Kind::PostgresDump => "PostgreSQL SHOW ALL output or pg_settings CSV",
            Kind::PgBouncer => "pgbouncer.ini",
            Kind::Sysctl => "sysctl settings (sysctl.conf, sysctl.d, `sysctl -a`, /proc/sys)",
            Kind::Haproxy => "haproxy.cfg",
            Kind::Nginx => "nginx.conf (stream servers)",
            Kind::Envoy => "Envoy config (tcp_proxy listeners)",
            Kind::Istio => "Istio DestinationRule",
            Kind::Compose => "docker compose file",
            Kind::Kubernetes => "Kubernetes manifests",
            Kind::Helm => "Helm values",
            Kind::Terraform => "Terraform",
            Kind::CloudFormation => "CloudFormation template",
            Kind::AwsCliDump => "AWS CLI parameter dump (describe-db-parameters)",
            Kind::AppServer => "app-server config (gunicorn config, uwsgi.ini, Procfile)",
        }
    }

    /// How to name a file of this kind in `timeoutlint.toml` (`FILE` stands
    /// for the file's path; docs/manifest.md).
    pub fn manifest_key(self) -> &'static str {
        match self {
            Kind::PythonSettings | Kind::AppYaml | Kind::AppToml | Kind::AirflowCfg => {
                "app = \"FILE\""
            }
            Kind::MysqlOptionFile
            | Kind::MysqlDump
            | Kind::PostgresConf
            | Kind::PostgresDump
            | Kind::AwsCliDump => "db = \"FILE\"",
            Kind::PgBouncer => "[[path.hop]] pgbouncer = \"FILE\"",
            Kind::Sysctl => "app_sysctl = \"FILE\" (or db_sysctl)",
            Kind::Haproxy => "[[path.hop]] haproxy = \"FILE\" + proxy = \"NAME\"",
            Kind::Nginx => "[[path.hop]] nginx = \"FILE\" + server = \"LISTEN\"",
            Kind::Envoy => "[[path.hop]] envoy = \"FILE\" + listener = \"NAME\"",
            Kind::Istio => "[[path.hop]] istio = \"FILE\" (+ rule = \"NAME\")",
            Kind::Compose
            | Kind::Kubernetes
            | Kind::Helm
            | Kind::Terraform
            | Kind::CloudFormation => "db = \"FILE#ADDRESS\"",
            Kind::AppServer => "workers = \"FILE\"",
        }
    }

    /// A MySQL option file or dump.
    pub fn is_mysql(self) -> bool {
        matches!(self, Kind::MysqlOptionFile | Kind::MysqlDump)
    }

    /// A postgresql.conf or PostgreSQL dump.
    pub fn is_postgres(self) -> bool {
        matches!(self, Kind::PostgresConf | Kind::PostgresDump)
    }

    /// A terminating proxy's config (a `[[path.hop]]` of its own kind).
    pub fn is_proxy(self) -> bool {
        matches!(
            self,
            Kind::Haproxy | Kind::Nginx | Kind::Envoy | Kind::Istio
        )
    }

    /// A deployment file read by [`crate::deploy`] (`db = "FILE#ADDRESS"`).
    pub fn is_deployment(self) -> bool {
        matches!(
            self,
            Kind::Compose
                | Kind::Kubernetes
                | Kind::Helm
                | Kind::Terraform
                | Kind::CloudFormation
                | Kind::AwsCliDump
        )
    }

    /// App settings (`app = "FILE"`).
    pub fn is_app(self) -> bool {
        matches!(
            self,
            Kind::PythonSettings | Kind::AppYaml | Kind::AppToml | Kind::AirflowCfg
        )
    }
}

/// The result of [`classify_text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Classified {
    /// One kind.
    Known(Kind),
    /// The content fits several kinds and the name does not decide; sorted,
    /// at least two.
    Ambiguous(Vec<Kind>),
    /// No kind timeoutlint reads.
    Unknown,
}

/// Classifies `text`, the content of the file at `path` (only its name is
/// used): by content first, the name as tie-breaker. Pure, no I/O, bounded
/// time: looks at most at the first [`MAX_SCAN`] bytes. See the module
/// documentation for the order of the checks.
pub fn classify_text(path: &Path, text: &str) -> Classified {
    let text = cap(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let name = Name::of(path);
    if let Some(k) = by_name_only(&name) {
        return Classified::Known(k);
    }
    if let Some(c) = dumps(text) {
        return c;
    }
    if name.structured() || looks_structured(text) {
        return structured(&name, text);
    }
    lines_kind(&name, text)
}

/// Reads `path` through `policy` and classifies it ([`classify_text`]); a
/// folder is a sysctl.d folder or a /proc/sys tree when it looks like one
/// (holds `*.conf` files or a `net/` folder). A YAML file the content does
/// not place but which sits beside a `Chart.yaml` is Helm values.
///
/// Errors: a usage message when the path cannot be read (missing, outside
/// the root, not a regular file, too large), when its kind is unknown
/// (listing the supported kinds), or when it is ambiguous (listing the
/// candidates and the manifest key of each).
pub fn classify(path: &Path, policy: &ReadPolicy) -> Result<Kind, String> {
    let shown = path.display().to_string();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    if meta.is_dir() {
        if looks_like_sysctl_dir(path) {
            return Ok(Kind::Sysctl);
        }
        return Err(format!(
            "{shown} is a folder; only a sysctl.d folder or a /proc/sys tree is read as a \
             whole: give config files, or a folder holding a timeoutlint.toml manifest"
        ));
    }
    let (_, bytes) = policy.read(path, &shown).map_err(|e| e.to_string())?;
    let text = crate::source::decode(bytes);
    match classify_text(path, &text) {
        Classified::Known(k) => Ok(k),
        Classified::Unknown if crate::sources::helm::is_values_file(path) => Ok(Kind::Helm),
        Classified::Unknown => Err(unknown_message(path, &text)),
        Classified::Ambiguous(kinds) => Err(ambiguous_message(&shown, &kinds)),
    }
}

/// The usage message for a file of no known kind.
fn unknown_message(path: &Path, text: &str) -> String {
    let shown = path.display();
    let name = Name::of(path);
    if name.env_file() || looks_like_env_file(text) {
        return format!(
            "{shown} looks like an environment file (KEY=VALUE lines), not a config \
             timeoutlint reads on its own: give it with --env-file {shown}, or let a compose \
             file load it (env_file:)"
        );
    }
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.describe()).collect();
    format!(
        "cannot tell what kind of config {shown} is: its content is none of {}; if it is one \
         of them, name it in a timeoutlint.toml manifest under its key (docs/manifest.md)",
        kinds.join("; ")
    )
}

/// The usage message for a file that fits several kinds.
fn ambiguous_message(shown: &str, kinds: &[Kind]) -> String {
    let each: Vec<String> = kinds
        .iter()
        .map(|k| {
            format!(
                "{} (`{}`)",
                k.describe(),
                k.manifest_key().replace("FILE", shown)
            )
        })
        .collect();
    let mut msg = format!(
        "{shown} is ambiguous: it could be {}; name it in a timeoutlint.toml manifest under the key of its kind",
        each.join(" or ")
    );
    if kinds.iter().any(|k| k.is_mysql()) && kinds.iter().any(|k| k.is_postgres()) {
        msg.push_str(
            ", with `backend = \"mysql\"` or `backend = \"postgresql\"` on the path to say which \
             server it configures (or rename it: `*.cnf` is MySQL, `postgresql*.conf` PostgreSQL)",
        );
    }
    msg
}

/// A sysctl.d folder (holding `*.conf` files) or a /proc/sys-style tree
/// (holding `net/`).
pub fn looks_like_sysctl_dir(dir: &Path) -> bool {
    if dir.join("net").is_dir() {
        return true;
    }
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "conf"))
    })
}

/// The file name, lower-cased, with template / sample suffixes removed.
struct Name {
    /// The whole name, lower-cased (`docker-compose.prod.yml`).
    full: String,
    /// Without `.tpl`, `.j2`, `.sample`, ... (`postgresql.conf.sample` ->
    /// `postgresql.conf`).
    base: String,
    /// The extension of `base` (`conf`), empty when none.
    ext: String,
}

/// Suffixes of templated or example copies of a config.
const COPY_SUFFIXES: &[&str] = &[
    ".tpl",
    ".tmpl",
    ".j2",
    ".jinja",
    ".jinja2",
    ".erb",
    ".sample",
    ".example",
    ".dist",
    ".default",
    ".orig",
    ".in",
    ".template",
];

impl Name {
    fn of(path: &Path) -> Name {
        let full = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let mut base = full.clone();
        while let Some(s) = COPY_SUFFIXES.iter().find(|s| {
            base.ends_with(*s) && base.len() > s.len() && base[..base.len() - s.len()].contains('.')
        }) {
            base.truncate(base.len() - s.len());
        }
        let ext = match base.rsplit_once('.') {
            Some((stem, e)) if !stem.is_empty() => e.to_string(),
            _ => String::new(),
        };
        Name { full, base, ext }
    }

    fn has_ext(&self, exts: &[&str]) -> bool {
        exts.contains(&self.ext.as_str())
    }

    /// YAML, JSON or TOML by extension.
    fn structured(&self) -> bool {
        self.has_ext(&["yaml", "yml", "json", "template", "toml"])
    }

    /// `.env`, `*.env`, `.env.*`, `env.example` (also after a `repo__`
    /// prefix, as in the corpus).
    fn env_file(&self) -> bool {
        let f = self.full.rsplit("__").next().unwrap_or(&self.full);
        f.starts_with(".env") || f.ends_with(".env") || f.starts_with("env.") || f.contains(".env.")
    }

    /// What the name alone suggests, for tie-breaks and files whose content
    /// says nothing.
    fn hint(&self) -> Option<Kind> {
        let b = self.base.as_str();
        if self.ext == "cnf" || b == "my.ini" || b.starts_with("my-") && self.ext == "ini" {
            return Some(Kind::MysqlOptionFile);
        }
        if b.contains("pgbouncer") {
            return Some(Kind::PgBouncer);
        }
        if b.starts_with("postgresql") && self.ext == "conf" || b.contains("__postgresql.") {
            return Some(Kind::PostgresConf);
        }
        if b.contains("sysctl") {
            return Some(Kind::Sysctl);
        }
        if b.contains("haproxy") {
            return Some(Kind::Haproxy);
        }
        if b.starts_with("nginx") || b.contains("__nginx") {
            return Some(Kind::Nginx);
        }
        if b.ends_with("airflow.cfg") {
            return Some(Kind::AirflowCfg);
        }
        if b.contains("uwsgi") && self.ext == "ini" {
            return Some(Kind::AppServer);
        }
        None
    }
}

/// Kinds told by the name alone, whatever the content.
fn by_name_only(name: &Name) -> Option<Kind> {
    let b = name.base.as_str();
    if name.ext == "py" {
        return Some(if b.contains("gunicorn") {
            Kind::AppServer
        } else {
            Kind::PythonSettings
        });
    }
    if name.has_ext(&["tf", "tfvars"]) || b.ends_with(".tf.json") {
        return Some(Kind::Terraform);
    }
    if b == "procfile" || b.starts_with("procfile.") || b.ends_with("procfile") {
        return Some(Kind::AppServer);
    }
    None
}

/// MySQL and PostgreSQL server dumps: their shapes are exact, so they win
/// over the permissive `name value` readers.
fn dumps(text: &str) -> Option<Classified> {
    use crate::parse::mysqldump::{self, DumpForm};
    if let Some(dump) = mysqldump::lex_variables_dump(text) {
        if dump.form == DumpForm::Batch
            && !text.to_ascii_lowercase().contains("variable_name")
            && !dump.vars.is_empty()
        {
            // Headerless `name<TAB>value`: PostgreSQL names only make it
            // a `psql -At -F'\t'` dump just as well.
            let names = dump.vars.iter().map(|v| v.name.to_ascii_lowercase());
            let (my, pg) = name_votes(names);
            if pg > 0 && my == 0 {
                return Some(Classified::Ambiguous(vec![
                    Kind::MysqlDump,
                    Kind::PostgresDump,
                ]));
            }
        }
        return Some(Classified::Known(Kind::MysqlDump));
    }
    if crate::parse::mycnf::lex_help_variables(text).is_some() {
        return Some(Classified::Known(Kind::MysqlDump));
    }
    if crate::parse::pgconf::lex_dump(text).is_some() {
        return Some(Classified::Known(Kind::PostgresDump));
    }
    None
}

/// YAML or JSON by its first meaningful line (for files without a YAML
/// extension): a document marker, a JSON object, or a top-level key of a
/// deployment file.
fn looks_structured(text: &str) -> bool {
    let Some(first) = text
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    else {
        return false;
    };
    first == "---"
        || first.starts_with('{')
        || [
            "apiVersion:",
            "kind:",
            "services:",
            "version:",
            "AWSTemplateFormatVersion:",
            "static_resources:",
            "sqlalchemy:",
            "DATABASES:",
        ]
        .iter()
        .any(|p| first.starts_with(p))
}

/// A YAML / JSON / TOML file.
fn structured(name: &Name, text: &str) -> Classified {
    use crate::parse::tree::{parse_toml, parse_yaml_documents};
    if name.ext == "toml" {
        return match parse_toml(text) {
            Ok(doc) if has_app_keys(&doc) => Classified::Known(Kind::AppToml),
            _ => Classified::Unknown,
        };
    }
    let helm_name = is_helm_name(name);
    let compose_name = is_compose_name(name);
    let docs = match parse_yaml_documents(text) {
        Ok(docs) => docs,
        // Templated files often do not parse, nor does a file cut at
        // MAX_SCAN; their name or unmistakable markers still tell.
        Err(_) => {
            return if compose_name {
                Classified::Known(Kind::Compose)
            } else if helm_name {
                Classified::Known(Kind::Helm)
            } else if text.contains("AWSTemplateFormatVersion")
                || text.contains("\"Type\": \"AWS::")
                || text.contains("Type: AWS::")
            {
                Classified::Known(Kind::CloudFormation)
            } else if text.contains("\"ParameterName\"") {
                Classified::Known(Kind::AwsCliDump)
            } else if text.contains("\napiVersion:") || text.starts_with("apiVersion:") {
                Classified::Known(Kind::Kubernetes)
            } else {
                Classified::Unknown
            };
        }
    };
    let first = docs.first();
    if first.is_some_and(crate::sources::aws_cli::is_dump) {
        return Classified::Known(Kind::AwsCliDump);
    }
    if first.is_some_and(crate::sources::cloudformation::is_template) {
        return Classified::Known(Kind::CloudFormation);
    }
    let k8s = |d: &Node| d.get("apiVersion").is_some() && d.get("kind").is_some();
    let objects: Vec<&Node> = docs.iter().filter(|d| k8s(d)).collect();
    let mut found: Vec<Kind> = Vec::new();
    if docs.iter().any(is_envoy) {
        found.push(Kind::Envoy);
    }
    let compose_content =
        first.is_some_and(|d| !k8s(d) && d.get("services").is_some_and(|s| s.as_map().is_some()));
    if compose_name || compose_content {
        found.push(Kind::Compose);
    }
    if !objects.is_empty() {
        let istio = |d: &&Node| {
            d.get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(|v| v.contains("istio.io"))
        };
        let rules = objects
            .iter()
            .any(|d| d.get("kind").and_then(Node::as_str) == Some("DestinationRule"));
        if rules && objects.iter().all(istio) {
            found.push(Kind::Istio);
        } else if rules {
            found.extend([Kind::Istio, Kind::Kubernetes]);
        } else {
            found.push(Kind::Kubernetes);
        }
    }
    let app = docs.iter().any(has_app_keys);
    if app {
        found.push(Kind::AppYaml);
    }
    if helm_name && !app && objects.is_empty() && !found.contains(&Kind::Envoy) {
        // By name it is values whatever its keys (a chart's values may
        // hold a `services:` map).
        return Classified::Known(Kind::Helm);
    }
    if helm_name && objects.is_empty()
        || found.is_empty() && docs.iter().any(looks_like_helm_values)
    {
        found.push(Kind::Helm);
    }
    decide(found, name)
}

/// One kind, the name's among several, or ambiguous.
fn decide(mut found: Vec<Kind>, name: &Name) -> Classified {
    found.sort();
    found.dedup();
    match found.as_slice() {
        [] => Classified::Unknown,
        [k] => Classified::Known(*k),
        many => match name.hint().filter(|h| many.contains(h)) {
            Some(h) => Classified::Known(h),
            None => Classified::Ambiguous(found),
        },
    }
}

/// `values.yaml`, `values-production.yaml`, `mariadb_values.yaml`,
/// `values-mysql.yaml.tpl`.
fn is_helm_name(name: &Name) -> bool {
    name.has_ext(&["yaml", "yml"])
        && (name.base.starts_with("values")
            || name.base.contains("_values.")
            || name.base.contains("-values.")
            || name.base.contains("__values"))
}

/// `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yml`.
fn is_compose_name(name: &Name) -> bool {
    name.has_ext(&["yaml", "yml"])
        && (name.base.starts_with("compose.")
            || name.base.starts_with("docker-compose")
            || name.base.contains("__docker-compose")
            || name.base.contains("__compose."))
}

/// Top-level keys the app-settings reader takes: `sqlalchemy`, `DATABASES`,
/// Flask-SQLAlchemy's `SQLALCHEMY_*`.
fn has_app_keys(doc: &Node) -> bool {
    doc.as_map().is_some_and(|m| {
        m.iter().any(|(k, _)| {
            k.text == "sqlalchemy" || k.text == "DATABASES" || k.text.starts_with("SQLALCHEMY_")
        })
    })
}

/// An Envoy bootstrap (`static_resources`) or an xDS response holding
/// listeners.
fn is_envoy(doc: &Node) -> bool {
    if doc.get("static_resources").is_some() {
        return true;
    }
    let Some(crate::parse::tree::NodeKind::Seq(items)) = doc.get("resources").map(|r| &r.kind)
    else {
        return false;
    };
    items.iter().any(|r| {
        r.get("@type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.contains("envoy.config.listener"))
    })
}

/// Bitnami-style chart values: a `primary` mapping with `configuration`,
/// `extraFlags` or `persistence`, or `architecture` beside `auth`.
fn looks_like_helm_values(doc: &Node) -> bool {
    let primary = doc.get("primary").is_some_and(|p| {
        ["configuration", "extraFlags", "persistence", "resources"]
            .iter()
            .any(|k| p.get(k).is_some())
    });
    primary || doc.get("architecture").is_some() && doc.get("auth").is_some()
}

/// Files read line by line: INI-style, HAProxy, nginx, sysctl,
/// postgresql.conf, groupless my.cnf.
fn lines_kind(name: &Name, text: &str) -> Classified {
    let sections = ini_sections(text);
    let mut found = Vec::new();
    if sections
        .iter()
        .any(|s| matches!(s.as_str(), "pgbouncer" | "databases" | "users" | "peers"))
    {
        found.push(Kind::PgBouncer);
    }
    // `[server]` alone is also the section of many app configs (CTFd's
    // config.ini): it counts only with a MySQL setting name in the file.
    let mysql_group = sections
        .iter()
        .any(|s| is_mysql_group(s) && (s != "server" || has_mysql_setting(text)));
    if mysql_group
        || text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("!include ") || l.starts_with("!includedir ")
        })
    {
        found.push(Kind::MysqlOptionFile);
    }
    if sections.iter().any(|s| s == "uwsgi") {
        found.push(Kind::AppServer);
    }
    if is_airflow(text) {
        found.push(Kind::AirflowCfg);
    }
    if !found.is_empty() {
        return decide(found, name);
    }
    if sections.is_empty() {
        if looks_like_haproxy(text) {
            found.push(Kind::Haproxy);
        }
        if looks_like_nginx(text) {
            found.push(Kind::Nginx);
        }
        if !found.is_empty() {
            return decide(found, name);
        }
        if name.env_file() || looks_like_env_file(text) {
            return Classified::Unknown;
        }
        return key_values(name, text);
    }
    // Sections of no kind we know (alembic.ini, setup.cfg, a tox.ini).
    match name.hint() {
        Some(h @ (Kind::AirflowCfg | Kind::PgBouncer | Kind::MysqlOptionFile)) => {
            Classified::Known(h)
        }
        _ => Classified::Unknown,
    }
}

/// `name = value` files without sections: sysctl, postgresql.conf or a
/// my.cnf fragment, by their names.
fn key_values(name: &Name, text: &str) -> Classified {
    use crate::parse::pgconf::{self, Item};
    let sysctl = crate::parse::sysctl::parse(text);
    let sysctl_keys = sysctl
        .assignments
        .iter()
        .filter(|a| is_sysctl_key(&a.key))
        .count();
    let items = pgconf::lex(text);
    let mut names = Vec::new();
    let mut includes = 0;
    for item in &items {
        match item {
            Item::Setting { name, .. } => names.push(name.replace('-', "_")),
            Item::Include { .. } => includes += 1,
            Item::Error { .. } => {}
        }
    }
    // my.cnf options without a value (`skip-name-resolve`) are errors to
    // postgresql.conf's reader: count their names too.
    for line in text.lines() {
        let t = line.trim();
        if !t.is_empty()
            && !t.starts_with(['#', ';'])
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            names.push(t.to_ascii_lowercase().replace('-', "_"));
        }
    }
    let (my, pg) = name_votes(names.iter().cloned());
    let pg = pg + includes;
    let mut found = Vec::new();
    if sysctl_keys > 0 && sysctl_keys * 2 >= sysctl.assignments.len() {
        found.push(Kind::Sysctl);
    }
    if pg > 0 && pg >= my {
        found.push(Kind::PostgresConf);
    }
    if my > 0 && my >= pg {
        found.push(Kind::MysqlOptionFile);
    }
    if found.is_empty() && crate::systems::postgres::looks_like_postgres(text) {
        // Only names both servers know (`max_connections = 100`).
        found.extend([Kind::MysqlOptionFile, Kind::PostgresConf]);
    }
    if found.is_empty() {
        // Nothing in the content says anything: the name decides, for a
        // file whose lines are at least option-like (or empty).
        return match name.hint() {
            Some(
                h @ (Kind::MysqlOptionFile
                | Kind::PostgresConf
                | Kind::PgBouncer
                | Kind::Sysctl
                | Kind::Haproxy
                | Kind::Nginx
                | Kind::AirflowCfg),
            ) => Classified::Known(h),
            _ => Classified::Unknown,
        };
    }
    decide(found, name)
}

/// `[name]` lines, lower-cased and trimmed.
fn ini_sections(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let t = l.trim();
            let inner = t.strip_prefix('[')?;
            let end = inner.find(']')?;
            let s = inner[..end].trim().to_ascii_lowercase();
            (!s.is_empty() && !s.contains(['[', '{', '"', '\''])).then_some(s)
        })
        .collect()
}

/// True when a `key = value` (or bare `key`) line of `text` names a
/// setting MySQL knows and PostgreSQL does not ([`name_votes`]).
fn has_mysql_setting(text: &str) -> bool {
    let keys = text.lines().filter_map(|l| {
        let t = l.trim();
        if t.is_empty() || t.starts_with(['#', ';', '[', '!']) {
            return None;
        }
        let key = t.split('=').next().unwrap_or_default().trim();
        Some(key.to_ascii_lowercase().replace('-', "_"))
    });
    name_votes(keys).0 > 0
}

/// A group name MySQL programs read (`[mysqld]`, `[mysqld-8.0]`,
/// `[mariadb-10.6]`, `[client]`, `[mysqldump]`, `[galera]`, ...).
fn is_mysql_group(g: &str) -> bool {
    const EXACT: &[&str] = &[
        "server",
        "galera",
        "embedded",
        "sst",
        "xtrabackup",
        "isamchk",
        "myisamchk",
        "safe_mysqld",
        "mysqld_safe",
        "manager",
        "mysql_upgrade",
    ];
    EXACT.contains(&g)
        || ["mysql", "mariadb", "client"]
            .iter()
            .any(|p| g.starts_with(p))
}

/// An `airflow.cfg`: a `[database]` or `[core]` section holding a
/// `sql_alchemy_*` key, or `[core]` with `dags_folder`.
fn is_airflow(text: &str) -> bool {
    use crate::parse::cfg::{self, Item};
    let mut section = String::new();
    cfg::lex(text).into_iter().any(|i| match i {
        Item::Section { name, .. } => {
            section = name;
            false
        }
        Item::Entry { key, .. } => {
            matches!(section.as_str(), "database" | "core")
                && (key.starts_with("sql_alchemy_") || key == "dags_folder")
        }
        Item::Error { .. } => false,
    })
}

/// HAProxy's proxy keywords opening a section.
const HAPROXY_SECTIONS: &[&str] = &["global", "defaults", "frontend", "backend", "listen"];

/// Directives that only HAProxy configs have in common.
const HAPROXY_DIRECTIVES: &[&str] = &[
    "timeout",
    "mode",
    "bind",
    "server",
    "balance",
    "option",
    "maxconn",
    "default_backend",
    "use_backend",
    "log",
    "stats",
    "daemon",
    "retries",
    "contimeout",
    "clitimeout",
    "srvtimeout",
    "chroot",
    "user",
    "group",
    "nbproc",
    "nbthread",
    "tcp-check",
    "http-check",
    "acl",
    "http-request",
    "tcp-request",
    "default-server",
    "errorfile",
    "pidfile",
    "ssl-default-bind-ciphers",
    "stick-table",
    "stick",
    "hash-type",
    "external-check",
    "fullconn",
    "cookie",
];

/// An HAProxy config: a section keyword line and mostly HAProxy
/// directives, no nginx braces.
fn looks_like_haproxy(text: &str) -> bool {
    use crate::parse::haproxy::{Item, lex};
    let mut sections = 0;
    let mut known = 0;
    let mut other = 0;
    for item in lex(text) {
        match item {
            Item::Section { keyword, .. } if HAPROXY_SECTIONS.contains(&keyword.text.as_str()) => {
                sections += 1
            }
            Item::Section { .. } => {}
            Item::Directive { words, .. } => {
                let w = words[0].text.as_str();
                if w.ends_with(['{', '}', ';']) || w.contains('=') {
                    other += 1;
                } else if HAPROXY_DIRECTIVES.contains(&w) {
                    known += 1;
                } else {
                    other += 1;
                }
            }
            Item::Error { .. } => other += 1,
        }
    }
    sections > 0 && known > 0 && known >= other
}

/// An nginx config: a block directive nginx configs are made of (`events`,
/// `http`, `stream`, `server`, `upstream`) and no line that ends no
/// directive.
fn looks_like_nginx(text: &str) -> bool {
    let cfg = crate::parse::nginx::parse(text);
    let blocks = cfg.directives.iter().any(|d| {
        d.block.is_some()
            && matches!(
                d.name.text.as_str(),
                "events" | "http" | "stream" | "server" | "upstream" | "mail" | "map"
            )
    });
    blocks && cfg.errors.is_empty()
}

/// A file of shell-style `KEY=VALUE` lines (a `.env` file): every line
/// a comment or `KEY=VALUE` without blanks around the `=`, and at least
/// nine in ten keys upper-case (`POSTGRES_PASSWORD=`).
fn looks_like_env_file(text: &str) -> bool {
    let (mut upper, mut all) = (0usize, 0usize);
    for l in text.lines() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        let Some((k, _)) = t.split_once('=') else {
            return false;
        };
        if k.is_empty() || k.ends_with([' ', '\t']) {
            return false;
        }
        all += 1;
        if k.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            upper += 1;
        }
    }
    all > 0 && upper * 10 >= all * 9
}

/// A kernel parameter name (`net.ipv4.tcp_keepalive_time`).
fn is_sysctl_key(key: &str) -> bool {
    [
        "net.", "kernel.", "vm.", "fs.", "dev.", "abi.", "user.", "debug.", "sunrpc.", "crypto.",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// Parameter names only MySQL / MariaDB servers have (normalised: lower
/// case, `_` for `-`).
const MYSQL_ONLY: &[&str] = &[
    "wait_timeout",
    "interactive_timeout",
    "net_read_timeout",
    "net_write_timeout",
    "connect_timeout",
    "max_allowed_packet",
    "bind_address",
    "skip_name_resolve",
    "skip_external_locking",
    "datadir",
    "socket",
    "pid_file",
    "server_id",
    "log_bin",
    "log_error",
    "character_set_server",
    "collation_server",
    "sql_mode",
    "default_storage_engine",
    "key_buffer_size",
    "thread_cache_size",
    "table_open_cache",
    "tmp_table_size",
    "max_heap_table_size",
    "slow_query_log",
    "slow_query_log_file",
    "long_query_time",
    "symbolic_links",
    "open_files_limit",
    "back_log",
    "thread_stack",
    "expire_logs_days",
    "max_binlog_size",
    "basedir",
    "lower_case_table_names",
    "default_authentication_plugin",
    "explicit_defaults_for_timestamp",
    "performance_schema",
    "log_slave_updates",
    "sort_buffer_size",
    "read_buffer_size",
    "join_buffer_size",
    "read_rnd_buffer_size",
    "table_definition_cache",
    "max_connect_errors",
    "general_log",
    "general_log_file",
    "init_connect",
    "skip_character_set_client_handshake",
    "local_infile",
    "secure_file_priv",
    "gtid_mode",
    "enforce_gtid_consistency",
    "sync_binlog",
    "transaction_isolation",
    "max_execution_time",
    "lock_wait_timeout",
    "version",
    "version_comment",
    "hostname",
    "have_ssl",
    "autocommit",
];

/// Prefixes of MySQL-only names.
const MYSQL_PREFIXES: &[&str] = &[
    "innodb_",
    "myisam_",
    "wsrep_",
    "binlog_",
    "relay_log",
    "query_cache",
    "key_buffer",
    "skip_",
    "loose_",
    "mysqlx",
    "aria_",
    "rpl_semi_sync",
    "slave_",
    "replica_",
    "performance_schema_",
];

/// Parameter names only PostgreSQL has.
const POSTGRES_ONLY: &[&str] = &[
    "listen_addresses",
    "superuser_reserved_connections",
    "reserved_connections",
    "unix_socket_directories",
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "huge_pages",
    "temp_buffers",
    "dynamic_shared_memory_type",
    "synchronous_commit",
    "hot_standby",
    "primary_conninfo",
    "random_page_cost",
    "seq_page_cost",
    "effective_io_concurrency",
    "default_statistics_target",
    "max_worker_processes",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "log_destination",
    "logging_collector",
    "log_directory",
    "log_filename",
    "log_line_prefix",
    "log_timezone",
    "log_statement",
    "log_min_duration_statement",
    "datestyle",
    "default_text_search_config",
    "shared_preload_libraries",
    "password_encryption",
    "hba_file",
    "ident_file",
    "data_directory",
    "autovacuum",
    "idle_session_timeout",
    "idle_in_transaction_session_timeout",
    "statement_timeout",
    "transaction_timeout",
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_keepalives_count",
    "client_connection_check_interval",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "fsync",
    "full_page_writes",
    "ssl_cert_file",
    "ssl_key_file",
    "cluster_name",
    "track_activities",
    "jit",
];

/// Prefixes of PostgreSQL-only names.
const POSTGRES_PREFIXES: &[&str] = &[
    "wal_",
    "max_wal_",
    "min_wal_",
    "autovacuum_",
    "checkpoint_",
    "bgwriter_",
    "vacuum_",
    "enable_",
    "track_",
    "archive_",
    "pg_stat_statements.",
    "log_min_",
    "log_autovacuum",
    "max_parallel_",
    "max_replication_slots",
    "max_wal_senders",
    "deadlock_timeout",
    "log_checkpoints",
    "log_connections",
    "log_disconnections",
    "log_lock_waits",
    "log_temp_files",
    "log_rotation_",
    "log_truncate_on_rotation",
];

/// How many of `names` are MySQL-only and how many PostgreSQL-only.
fn name_votes(names: impl Iterator<Item = String>) -> (usize, usize) {
    let (mut my, mut pg) = (0, 0);
    for n in names {
        let n = n.replace('-', "_");
        if MYSQL_ONLY.contains(&n.as_str()) || MYSQL_PREFIXES.iter().any(|p| n.starts_with(p)) {
            my += 1;
        } else if POSTGRES_ONLY.contains(&n.as_str())
            || POSTGRES_PREFIXES.iter().any(|p| n.starts_with(p))
        {
            pg += 1;
        }
    }
    (my, pg)
}

/// One listener of a proxy config: what the manifest's listener key names
/// (HAProxy `proxy`, nginx `server`, Envoy `listener`, Istio `rule`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyListener {
    /// HAProxy `listen` / `frontend` name, nginx stream server's `listen`
    /// value, Envoy listener name, Istio `DestinationRule` name.
    pub name: String,
    /// Whether it looks like a database listener: its name, its target
    /// (HAProxy backend and servers, nginx `proxy_pass` and upstream, Envoy
    /// cluster, Istio host) or a port says MySQL or PostgreSQL (see
    /// [`is_database_word`], [`DATABASE_PORTS`]).
    pub database: bool,
}

/// Ports of MySQL (3306, X protocol 33060), MariaDB MaxScale (4006, 4008),
/// ProxySQL (6033), PostgreSQL (5432 and the next two), PgBouncer (6432)
/// and CockroachDB (26257).
pub const DATABASE_PORTS: &[u32] = &[
    3306, 3307, 3308, 33060, 4006, 4008, 6033, 5432, 5433, 5434, 6432, 26257,
];

/// True when a name says MySQL / MariaDB / PostgreSQL: it contains `mysql`,
/// `maria`, `galera`, `percona`, `postgres`, `pgsql`, `patroni`,
/// `pgbouncer`, `pgpool`, `proxysql`, `database` or `cockroach`, or one of
/// its words (split at non-alphanumerics and digits) is `db`, `pg`, `sql`,
/// `psql`, `rds` or `pxc`.
pub fn is_database_word(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    const PARTS: &[&str] = &[
        "mysql",
        "maria",
        "galera",
        "percona",
        "postgres",
        "pgsql",
        "patroni",
        "pgbouncer",
        "pgpool",
        "proxysql",
        "database",
        "cockroach",
    ];
    const WORDS: &[&str] = &["db", "pg", "sql", "psql", "rds", "pxc"];
    PARTS.iter().any(|p| s.contains(p))
        || s.split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| WORDS.contains(&w))
}

/// The port of `host:port` / `*:port` / `port` (trailing text after the
/// digits ignored), if any.
fn port_of(addr: &str) -> Option<u32> {
    let tail = addr.rsplit(':').next()?;
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn database_port(addr: &str) -> bool {
    port_of(addr).is_some_and(|p| DATABASE_PORTS.contains(&p))
}

/// The listeners of a proxy config of `kind` ([`Kind::Haproxy`],
/// [`Kind::Nginx`], [`Kind::Envoy`], [`Kind::Istio`]; empty for any other
/// kind), in file order. `texts` are the files of one configuration (HAProxy
/// reads several as one, `haproxy -f a -f b`; the others take one). Pure:
/// nginx `include`s are not followed, so servers in included files are not
/// listed. Envoy listeners without a `tcp_proxy` filter are left out.
pub fn proxy_listeners(kind: Kind, texts: &[&str]) -> Vec<ProxyListener> {
    let mut out: Vec<ProxyListener> = match kind {
        Kind::Haproxy => haproxy_listeners(texts),
        Kind::Nginx => texts.iter().flat_map(|t| nginx_listeners(t)).collect(),
        Kind::Envoy | Kind::Istio => texts
            .iter()
            .filter_map(|t| crate::parse::tree::parse_yaml_documents(cap(t)).ok())
            .flat_map(|docs| {
                if kind == Kind::Envoy {
                    envoy_listeners(&docs)
                } else {
                    istio_rules(&docs)
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|l| seen.insert(l.name.clone()));
    out
}

/// `text` cut to [`MAX_SCAN`] bytes. A text longer than that loses its last, partial line too, so line-based
/// readers never see a line cut in the middle.
fn cap(text: &str) -> &str {
    if text.len() <= MAX_SCAN {
        return text;
    }
    let cut = &text[..text.floor_char_boundary(MAX_SCAN)];
    match cut.rfind('\n') {
        Some(i) => &cut[..=i],
        None => cut,
    }
}

fn haproxy_listeners(texts: &[&str]) -> Vec<ProxyListener> {
    use crate::parse::haproxy::{Item, lex};
    struct Section {
        keyword: String,
        name: String,
        database: bool,
        targets: Vec<String>,
    }
    let mut sections: Vec<Section> = Vec::new();
    for text in texts {
        // Each file starts outside any section.
        let mut open = false;
        for item in lex(cap(text)) {
            match item {
                Item::Section { keyword, args, .. } => {
                    let name = args.first().map(|a| a.text.clone()).unwrap_or_default();
                    open = true;
                    sections.push(Section {
                        database: is_database_word(&name),
                        keyword: keyword.text,
                        name,
                        targets: Vec::new(),
                    });
                }
                Item::Directive { words, .. } if open => {
                    let Some(sec) = sections.last_mut() else {
                        continue;
                    };
                    let arg = |i: usize| words.get(i).map(|w| w.text.as_str()).unwrap_or("");
                    match arg(0) {
                        "bind" => sec.database |= database_port(arg(1)),
                        "server" => {
                            sec.database |= is_database_word(arg(1)) || database_port(arg(2));
                        }
                        "default_backend" | "use_backend" => sec.targets.push(arg(1).to_string()),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    let backend_db = |name: &str| {
        is_database_word(name)
            || sections.iter().any(|s| {
                matches!(s.keyword.as_str(), "backend" | "listen") && s.name == name && s.database
            })
    };
    sections
        .iter()
        .filter(|s| matches!(s.keyword.as_str(), "listen" | "frontend") && !s.name.is_empty())
        .map(|s| ProxyListener {
            name: s.name.clone(),
            database: s.database || s.targets.iter().any(|t| backend_db(t)),
        })
        .collect()
}

fn nginx_listeners(text: &str) -> Vec<ProxyListener> {
    use crate::parse::nginx::{Directive, parse};
    let cfg = parse(cap(text));
    let mut out = Vec::new();
    for stream in cfg.directives.iter().filter(|d| d.name.text == "stream") {
        let Some(body) = &stream.block else { continue };
        let upstream_db = |name: &str| {
            body.directives.iter().any(|u: &Directive| {
                u.name.text == "upstream"
                    && u.args.first().is_some_and(|a| a.text == name)
                    && u.block.as_ref().is_some_and(|b| {
                        b.directives.iter().any(|s| {
                            s.name.text == "server"
                                && s.args.first().is_some_and(|a| {
                                    database_port(&a.text) || is_database_word(&a.text)
                                })
                        })
                    })
            })
        };
        for server in body.directives.iter().filter(|d| d.name.text == "server") {
            let Some(inner) = &server.block else { continue };
            let target_db = inner.directives.iter().any(|d| {
                d.name.text == "proxy_pass"
                    && d.args.first().is_some_and(|a| {
                        is_database_word(&a.text) || database_port(&a.text) || upstream_db(&a.text)
                    })
            });
            for listen in inner.directives.iter().filter(|d| d.name.text == "listen") {
                let Some(value) = listen.args.first() else {
                    continue;
                };
                if listen.args.iter().skip(1).any(|a| a.text == "udp") {
                    continue;
                }
                out.push(ProxyListener {
                    name: value.text.clone(),
                    database: target_db || database_port(&value.text),
                });
            }
        }
    }
    out
}

/// A string at `key` of `node`.
fn str_at<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

/// The items of a sequence node (empty otherwise).
fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(crate::parse::tree::NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

fn envoy_listeners(docs: &[Node]) -> Vec<ProxyListener> {
    let mut listeners: Vec<&Node> = Vec::new();
    for doc in docs {
        listeners.extend(items(
            doc.get("static_resources").and_then(|s| s.get("listeners")),
        ));
        listeners.extend(items(doc.get("resources")).iter().filter(|r| {
            r.get("filter_chains").is_some() || r.get("default_filter_chain").is_some()
        }));
    }
    let mut out = Vec::new();
    for l in listeners {
        let Some(name) = str_at(l, "name") else {
            continue;
        };
        let chains = items(l.get("filter_chains"))
            .iter()
            .chain(l.get("default_filter_chain"));
        let proxies: Vec<&Node> = chains
            .flat_map(|c| items(c.get("filters")))
            .filter(|f| {
                let ty = f.get("typed_config").and_then(|t| str_at(t, "@type"));
                ty.is_some_and(|t| t.ends_with("tcp_proxy.v3.TcpProxy"))
                    || matches!(
                        str_at(f, "name"),
                        Some("envoy.filters.network.tcp_proxy" | "envoy.tcp_proxy")
                    )
            })
            .collect();
        if proxies.is_empty() {
            continue;
        }
        let port = l
            .get("address")
            .and_then(|a| a.get("socket_address"))
            .and_then(|s| s.get("port_value"))
            .and_then(|p| match &p.kind {
                crate::parse::tree::NodeKind::Int(n) => u32::try_from(*n).ok(),
                crate::parse::tree::NodeKind::Str(s) => s.parse().ok(),
                _ => None,
            });
        let target_db = proxies.iter().any(|f| {
            let c = f.get("typed_config").or_else(|| f.get("config"));
            c.is_some_and(|c| {
                ["cluster", "stat_prefix"]
                    .iter()
                    .any(|k| str_at(c, k).is_some_and(is_database_word))
            })
        });
        out.push(ProxyListener {
            name: name.to_string(),
            database: is_database_word(name)
                || target_db
                || port.is_some_and(|p| DATABASE_PORTS.contains(&p)),
        });
    }
    out
}

fn istio_rules(docs: &[Node]) -> Vec<ProxyListener> {
    let mut rules: Vec<&Node> = Vec::new();
    for doc in docs {
        match str_at(doc, "kind") {
            Some("DestinationRule") => rules.push(doc),
            Some("List") => rules.extend(
                items(doc.get("items"))
                    .iter()
                    .filter(|i| str_at(i, "kind") == Some("DestinationRule")),
            ),
            _ => {}
        }
    }
    rules
        .into_iter()
        .filter_map(|r| {
            let name = r.get("metadata").and_then(|m| str_at(m, "name"))?;
            let host = r.get("spec").and_then(|s| str_at(s, "host")).unwrap_or("");
            Some(ProxyListener {
                name: name.to_string(),
                database: is_database_word(name) || is_database_word(host) || database_port(host),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
