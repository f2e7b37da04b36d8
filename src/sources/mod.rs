//! Adapters: the places deployments keep the numbers of a connection path.
//!
//! A server's settings and a middlebox's idle limit are rarely in a my.cnf in
//! real repositories: they sit in compose `command:` flags, Terraform
//! parameter groups, Kubernetes annotations, Helm values and CloudFormation
//! templates. Each adapter here reads one such format and yields
//! [`Candidate`]s: what it found, at an address the manifest can name
//! (`FILE#ADDRESS`, docs/manifest.md), with every value at its span.
//!
//! Adapters know syntax and addresses only. They never hold a server's
//! defaults, units or ranges: a setting is handed on as an [`Assignment`]
//! (its name and value text as written, and where it was set), and the
//! system's one door (`crate::systems::mysql::resolve`,
//! `crate::systems::postgres::resolve`, `crate::systems::pgbouncer::resolve`)
//! applies that system's rules for names, units, ranges, precedence and
//! defaults, exactly as for an option file. A value an adapter cannot
//! resolve (a Terraform variable without a value, an RDS formula such as
//! `{DBInstanceClassMemory/12582880}`, a template) is
//! [`Written::Unresolved`]: reported, never guessed (STYLE.md "Loaders and
//! sources", after trivy's `IntUnresolvable`).

pub mod appserver;
pub(crate) mod argv;
pub mod aws_cli;
pub mod cloudformation;
pub mod compose;
pub mod embedded;
pub mod helm;
pub mod kubernetes;
pub mod terraform;

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::Location;

/// The server system a setting belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    /// MySQL, MariaDB, Percona Server, Aurora MySQL.
    Mysql,
    /// PostgreSQL, Aurora PostgreSQL, Cloud SQL for PostgreSQL.
    Postgres,
    /// PgBouncer.
    PgBouncer,
}

impl System {
    /// Lower-case name used in messages and addresses: `mysql`, `postgres`,
    /// `pgbouncer`.
    pub fn as_str(self) -> &'static str {
        match self {
            System::Mysql => "mysql",
            System::Postgres => "postgres",
            System::PgBouncer => "pgbouncer",
        }
    }
}

/// Where a setting was set. It decides which of two occurrences the server
/// uses: a higher kind wins whatever the order; within one kind the last
/// occurrence wins.
///
/// - mysqld reads option files first and its command line after them, so a
///   flag beats my.cnf (https://dev.mysql.com/doc/refman/8.0/en/command-line-options.html).
/// - postgres: `-c name=value` on the command line (source `PGC_S_ARGV`)
///   beats postgresql.conf and postgresql.auto.conf (`PGC_S_FILE`,
///   `src/backend/utils/misc/guc.c`, https://www.postgresql.org/docs/current/config-setting.html).
/// - A managed service's parameter group replaces the option file the user
///   cannot edit.
/// - Image environment variables (bitnami, edoburu PgBouncer images) are
///   written into the config file by the image's entrypoint, so they act as
///   option-file lines written after the file's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetBy {
    /// What the server's container image ships (its bundled config), when
    /// it differs from the compiled default (`presets/images.toml`): below
    /// everything the deployment sets, and never a "set twice" finding.
    ImageDefault,
    /// An option file or config text (my.cnf, postgresql.conf,
    /// pgbouncer.ini), also when embedded in a ConfigMap or Helm values.
    OptionFile,
    /// An image environment variable its entrypoint turns into a config line.
    ImageEnvironment,
    /// A managed service's parameter group or database flags (RDS, Cloud SQL,
    /// Azure flexible server).
    ParameterGroup,
    /// A server command-line flag (compose `command:`, a container's `args`).
    CommandLine,
    /// A per-session override the client sends (libpq `options='-c …'`,
    /// asyncpg `server_settings`, MySQL `init_command` `SET SESSION …`): it
    /// replaces the server's value for that pool's sessions only, and is
    /// never a "set twice" finding (overriding is its purpose).
    Session,
}

impl SetBy {
    /// Words for messages: `an option file`, `a command-line flag`, ...
    pub fn describe(self) -> &'static str {
        match self {
            SetBy::ImageDefault => "the image's bundled config",
            SetBy::OptionFile => "an option file",
            SetBy::ImageEnvironment => "an image environment variable",
            SetBy::ParameterGroup => "a parameter group",
            SetBy::CommandLine => "a command-line flag",
            SetBy::Session => "a session override",
        }
    }
}

/// A value as an adapter found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// The value text in the server's own syntax (`600`, `1k`, `30s`), with
    /// quotes and template syntax already removed.
    Text(String),
    /// A value the adapter cannot know, and why (shown to the user):
    /// `var.wait_timeout has no default and no .tfvars sets it`,
    /// `{DBInstanceClassMemory/12582880} is an RDS formula`.
    Unresolved(String),
    /// The source names the thing but leaves this value out, so the
    /// provider's default applies (an `aws_lb_listener` without
    /// `tcp_idle_timeout_seconds`). Only idle limits use it: the preset's
    /// documented default then applies, located at the resource.
    Unset,
}

/// One setting of a server as written somewhere: the input of a system's
/// `resolve`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The name as written (`wait-timeout`, `loose_wait_timeout`,
    /// `idle_session_timeout`); the system normalises it.
    pub name: String,
    /// Where the name is written.
    pub name_at: Location,
    /// The value.
    pub value: Written,
    /// Where the value is written (the text the fix replaces).
    pub value_at: Location,
    /// How it was set (decides precedence).
    pub set_by: SetBy,
}

/// What product and version runs, when the source says it (an image tag, a
/// Terraform `engine_version` or parameter-group `family`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flavor {
    /// The product as the source names it: `mysql`, `mariadb`, `percona`,
    /// `aurora-mysql`, `postgres`, `aurora-postgresql`, `bitnami/postgresql`,
    /// `edoburu/pgbouncer`, ...
    pub product: String,
    /// The version text (`8.0`, `10.3.39`, `16`), when given.
    pub version: Option<String>,
    /// Where the product and version are written.
    pub at: Location,
}

/// The settings of one server or pooler found in a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSettings {
    /// Which system reads them.
    pub system: System,
    /// Product and version, when known.
    pub flavor: Option<Flavor>,
    /// The settings in source order.
    pub assignments: Vec<Assignment>,
}

/// The idle limit of a middlebox found in a source (an ALB's
/// `idle_timeout`, an NLB listener's `tcp_idle_timeout_seconds`, a Cloud NAT's
/// `tcp_established_idle_timeout_sec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdleLimit {
    /// The built-in preset of this kind of middlebox (`presets/presets.toml`):
    /// `aws-alb`, `aws-clb`, `aws-nlb`, `aws-rds-proxy`, `gcp-cloud-nat`,
    /// `azure-load-balancer`, `azure-nat-gateway`. The preset gives behaviour
    /// and range; the source gives the value.
    pub preset: &'static str,
    /// The value text, in `unit`s.
    pub value: Written,
    /// Seconds per unit of the value: 1, or 60 for Azure's
    /// `idle_timeout_in_minutes`.
    pub unit_secs: u64,
    /// Where the value is written.
    pub at: Location,
}

/// An app's environment found in a source (a compose service's
/// `environment:` / `env_file:`, a Deployment's `env`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable name.
    pub name: String,
    /// Its value after interpolation, or why it is unknown.
    pub value: Written,
    /// Where the value is written.
    pub at: Location,
}

/// Process and thread counts and the request deadline of an app's workers
/// (gunicorn, uwsgi, compose `deploy.replicas`, a Deployment's `replicas`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workers {
    /// Processes serving requests: worker processes times replicas; each
    /// factor with its location.
    pub processes: Vec<(u64, Location)>,
    /// Threads per process, with the location.
    pub threads: Option<(u64, Location)>,
    /// The request deadline in seconds (gunicorn `--timeout`, uwsgi
    /// `harakiri`), with the location.
    pub request_timeout_secs: Option<(u64, Location)>,
}

/// A server config file the deployment puts in place (a compose bind mount
/// of `./my.cnf` onto `/etc/mysql/conf.d/custom.cnf`): the server reads it
/// as an option file, below its command-line flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile {
    /// The file on the host (in the repository), as the deployment names it,
    /// resolved from the deployment file's folder.
    pub path: std::path::PathBuf,
    /// Where in the server it lands (`/etc/mysql/conf.d/custom.cnf`): the
    /// server reads its option files in this order.
    pub target: String,
    /// The mount entry.
    pub at: Location,
}

/// What a source holds at one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Settings of a database server or pooler.
    Server(ServerSettings),
    /// The idle limit of a middlebox.
    IdleLimit(IdleLimit),
    /// The environment of an app.
    AppEnv(Vec<EnvVar>),
    /// Worker counts of an app.
    Workers(Workers),
    /// Option files a server reads, put in place by the deployment.
    ConfigFiles(Vec<ConfigFile>),
}

impl Found {
    /// The kind of candidate, for messages and address matching:
    /// `server`, `idle limit`, `environment`, `workers`.
    pub fn kind(&self) -> &'static str {
        match self {
            Found::Server(_) => "server",
            Found::IdleLimit(_) => "idle limit",
            Found::AppEnv(_) => "environment",
            Found::Workers(_) => "workers",
            Found::ConfigFiles(_) => "config files",
        }
    }
}

/// One thing a source holds, at its address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The address a manifest names it by (`FILE#ADDRESS`):
    /// `aws_db_parameter_group.orders`, `db` (a compose service),
    /// `ConfigMap/mysql-config:my.cnf`. Unique per file and kind.
    pub address: String,
    /// The block, service or object that holds it (its header or key).
    pub at: Location,
    /// What it holds.
    pub found: Found,
}

/// Reports a setting whose value an adapter could not resolve
/// ([`codes::UNRESOLVED_SETTING_VALUE`], info), at the value: `setting` is
/// the system's canonical name, `why` the adapter's reason, `kept` the value
/// the checks use instead (the option file's, or the default), in words.
pub fn report_unresolved(
    diags: &mut Vec<Diagnostic>,
    setting: &str,
    a: &Assignment,
    why: &str,
    kept: &str,
) {
    diags.push(
        Diagnostic::new(
            codes::UNRESOLVED_SETTING_VALUE,
            format!("{setting} cannot be known from the files: {why}"),
            Label::at(a.value_at, "value unknown until deploy"),
        )
        .with_help(format!(
            "the checks use {kept} instead, which may not be what runs; give the value in \
             the repository (a variable default, a .tfvars or .env entry), or name the \
             deployed value in the manifest"
        )),
    );
}

/// Reports a setting given different values by two kinds of source
/// ([`codes::SERVER_SETTING_SET_TWICE`]): located at the value the server
/// ignores, with the one it uses as a related label. `ignored` and `used`
/// are (how set, where, value in words); `why` says the system's precedence.
pub fn report_set_twice(
    diags: &mut Vec<Diagnostic>,
    setting: &str,
    ignored: (SetBy, Location, &str),
    used: (SetBy, Location, &str),
    why: &str,
) {
    if used.0 == SetBy::Session || ignored.0 == SetBy::ImageDefault {
        return;
    }
    diags.push(
        Diagnostic::new(
            codes::SERVER_SETTING_SET_TWICE,
            format!(
                "{setting} is set twice: {} here ({}) and {} ({}); the server uses {}",
                ignored.2,
                ignored.0.describe(),
                used.2,
                used.0.describe(),
                used.2
            ),
            Label::at(ignored.1, "ignored by the server"),
        )
        .with_related(Label::at(used.1, format!("used: {}", used.2)))
        .with_help(format!(
            "{why}; keep one of the two, so the file a reader opens shows the value that runs"
        )),
    );
}
