//! What a manifest names inside deployment files (`FILE#ADDRESS`): the
//! database server, a PgBouncer, a middlebox's idle limit, an app's
//! environment.
//!
//! The file is read by its adapter ([`crate::sources`]), which yields
//! candidates at addresses; this module picks the one the reference names
//! (or the only one of the kind asked for) and sends server settings through
//! their system's door (`resolve`), so a Terraform parameter and a my.cnf
//! line follow one set of rules. A reference that matches nothing, or
//! several candidates without an address, is [`codes::MANIFEST_ERROR`] at the
//! manifest string, listing the addresses there are.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::manifest::PathRef;
use crate::model::DbServer;
use crate::model::HopSpec;
use crate::parse::tree::Node;
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::sources::{Candidate, Found, System, Written};
use crate::systems::pgbouncer::PgBouncer;
use crate::systems::{mysql, pgbouncer, postgres, presets};

/// The adapters, by the file they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adapter {
    /// Terraform `.tf` / `.tfvars` ([`crate::sources::terraform`]).
    Terraform,
    /// docker-compose files ([`crate::sources::compose`]).
    Compose,
    /// `uwsgi.ini`, `Procfile` ([`crate::sources::appserver`]).
    AppServer,
    /// gunicorn's Python config (`gunicorn.conf.py`, `gunicorn_conf.py`),
    /// read by the Python settings evaluator
    /// ([`crate::systems::app::python::gunicorn`]).
    Gunicorn,
    /// Kubernetes manifests ([`crate::sources::kubernetes`]).
    Kubernetes,
    /// Helm values files ([`crate::sources::helm`]).
    Helm,
    /// CloudFormation templates, YAML or JSON ([`crate::sources::cloudformation`]).
    CloudFormation,
    /// `aws rds describe-db-parameters` JSON ([`crate::sources::aws_cli`]).
    AwsCli,
}

/// True when `path` is a deployment file by its name alone: Terraform, or a
/// YAML / JSON file (whose kind [`detect`] tells from its content).
pub fn is_deployment_file(path: &Path) -> bool {
    if is_gunicorn_config(path)
        || is_app_server_name(path)
        || crate::sources::compose::is_compose_file(path)
    {
        return true;
    }
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    [
        ".tf",
        ".tfvars",
        ".yaml",
        ".yml",
        ".json",
        ".template",
        ".yaml.tpl",
        ".yml.tpl",
    ]
    .iter()
    .any(|e| name.ends_with(e))
}

/// A Python file named for gunicorn (`gunicorn.conf.py`,
/// `gunicorn_conf.py`, `gunicorn-config.py`, `gunicorn.py`).
fn is_gunicorn_config(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".py") && name.contains("gunicorn")
}

/// A `Procfile` or an ini file named for uWSGI (`uwsgi.ini`,
/// `uwsgi-prod.ini`); other `.ini` files (pgbouncer.ini) are not app-server
/// configs.
fn is_app_server_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    crate::sources::appserver::claims(path) && (!name.ends_with(".ini") || name.contains("uwsgi"))
}

/// True when `r` names a deployment file: it has an `#ADDRESS`, or its name
/// says so ([`is_deployment_file`]).
pub fn is_deployment_ref(r: &PathRef) -> bool {
    r.address.is_some() || is_deployment_file(&r.path)
}

/// Which adapter reads the loaded file `id`: Terraform, compose
/// (`compose.yaml`, `docker-compose*.yml`), `uwsgi.ini` and `Procfile` by
/// name; for other YAML and JSON, by content, in this order: an AWS CLI
/// parameters dump, a
/// CloudFormation template (`AWSTemplateFormatVersion` or `AWS::` resource
/// types), a compose file under another name (a top-level `services:`
/// mapping), a Helm values file (by name or a `Chart.yaml` beside it), a
/// Kubernetes manifest (`apiVersion` and `kind`). `None` otherwise.
pub fn detect(id: FileId, sources: &SourceMap) -> Option<Adapter> {
    let file = sources.get(id);
    let path = file.path();
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".tf") || name.ends_with(".tfvars") {
        return Some(Adapter::Terraform);
    }
    if is_gunicorn_config(path) {
        return Some(Adapter::Gunicorn);
    }
    let uwsgi_section = name.ends_with(".ini") && file.text().contains("[uwsgi]");
    if is_app_server_name(path) || uwsgi_section {
        return Some(Adapter::AppServer);
    }
    if crate::sources::compose::is_compose_file(path) {
        return Some(Adapter::Compose);
    }
    let docs = crate::parse::tree::parse_yaml_documents(file.text()).ok();
    let docs = docs.as_deref().unwrap_or_default();
    if docs.first().is_some_and(crate::sources::aws_cli::is_dump) {
        return Some(Adapter::AwsCli);
    }
    if docs
        .first()
        .is_some_and(crate::sources::cloudformation::is_template)
    {
        return Some(Adapter::CloudFormation);
    }
    if crate::sources::helm::is_values_file(path) {
        return Some(Adapter::Helm);
    }
    let k8s = |d: &Node| d.get("apiVersion").is_some() && d.get("kind").is_some();
    let compose = |d: &Node| d.get("services").is_some_and(|s| s.as_map().is_some());
    if docs.first().is_some_and(|d| compose(d) && !k8s(d)) {
        return Some(Adapter::Compose);
    }
    if docs.iter().any(k8s) || docs.is_empty() && file.text().contains("apiVersion:") {
        return Some(Adapter::Kubernetes);
    }
    // Names the checks above do not know (`mariadb_values.yaml`, a
    // template that does not parse): as the file classifier tells them.
    use crate::classify::{Classified, Kind};
    match crate::classify::classify_text(path, file.text()) {
        Classified::Known(Kind::Helm) => Some(Adapter::Helm),
        Classified::Known(Kind::Compose) => Some(Adapter::Compose),
        Classified::Known(Kind::Kubernetes) => Some(Adapter::Kubernetes),
        _ => None,
    }
}

/// Reads every candidate of the file `r` names.
///
/// Errors: [`LoadError`] when the file cannot be read or no adapter reads it.
pub fn read_candidates(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    read_adapted(r, sources, diags).map(|(_, cands)| cands)
}

/// [`read_candidates`], with the adapter that read the file (detected once).
fn read_adapted(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Adapter, Vec<Candidate>), LoadError> {
    use crate::sources::{
        appserver, aws_cli, cloudformation, compose, helm, kubernetes, terraform,
    };
    let id = sources.load(&r.path)?;
    let Some(adapter) = detect(id, sources) else {
        return Err(LoadError::Invalid(format!(
            "{}: not a deployment file timeoutlint reads (compose, Terraform, Kubernetes, \
             Helm values, CloudFormation, an AWS CLI parameter dump)",
            sources.display_name(&r.path)
        )));
    };
    let cands = match adapter {
        Adapter::Terraform => terraform::read(&r.path, sources, diags)?,
        Adapter::Compose => compose::read(&r.path, sources, diags)?,
        Adapter::AppServer => appserver::read(&r.path, sources, diags)?,
        Adapter::Gunicorn => gunicorn_candidates(id, sources, diags),
        Adapter::Kubernetes => kubernetes::read_file(id, sources, diags),
        Adapter::Helm => helm::read_file(id, sources, diags),
        Adapter::CloudFormation => cloudformation::read_file(id, sources, diags),
        Adapter::AwsCli => aws_cli::read_file(id, None, sources, diags),
    };
    Ok((adapter, cands))
}

/// The worker counts of a gunicorn config file: one candidate at address
/// `gunicorn`. A setting the file computes in a way the evaluator cannot
/// follow is [`codes::UNRESOLVED_SETTING_VALUE`] (info) and left out.
fn gunicorn_candidates(
    id: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    use crate::systems::app::python::gunicorn::{self, GunicornValue};
    let env = crate::env::EnvValues::new();
    let mut w = crate::sources::Workers::default();
    for (name, value) in gunicorn::read(id, &env, sources, diags) {
        match value {
            GunicornValue::Known(n, at) => match name {
                "workers" => w.processes.push((n, at)),
                "threads" => w.threads = Some((n, at)),
                _ => w.request_timeout_secs = Some((n, at)),
            },
            GunicornValue::Unknown(why, at) => diags.push(
                Diagnostic::new(
                    codes::UNRESOLVED_SETTING_VALUE,
                    format!("gunicorn `{name}` cannot be known from the file: {why}"),
                    Label::at(at, "value unknown until gunicorn runs the file"),
                )
                .with_help(format!(
                    "the path's `{}` is then not taken from this file; write it in the \
                     manifest, or compute it from an environment variable with a default",
                    match name {
                        "workers" => "processes",
                        "threads" => "threads",
                        _ => "request_timeout",
                    }
                )),
            ),
        }
    }
    if w == crate::sources::Workers::default() {
        return Vec::new();
    }
    vec![Candidate {
        address: "gunicorn".to_string(),
        at: Location::new(id, crate::source::Span::new(0, 0)),
        found: Found::Workers(w),
    }]
}

/// The candidate `r` names among those `wanted` accepts: the one at
/// `r.address`, or the only one when no address is given. `what` names the
/// kind in messages (`database server`, `idle limit`).
fn pick<'c>(
    cands: &'c [Candidate],
    r: &PathRef,
    what: &str,
    wanted: impl Fn(&Found) -> bool,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'c Candidate> {
    let of_kind: Vec<&Candidate> = cands.iter().filter(|c| wanted(&c.found)).collect();
    let chosen = match &r.address {
        Some(a) => of_kind.iter().find(|c| &c.address == a).copied(),
        None if of_kind.len() == 1 => Some(of_kind[0]),
        None => None,
    };
    if chosen.is_some() {
        return chosen;
    }
    let shown = sources.display_name(&r.path);
    let listed: Vec<String> = of_kind
        .iter()
        .map(|c| format!("`{shown}#{}` ({})", c.address, sources.short(c.at)))
        .collect();
    let message = match (&r.address, of_kind.len()) {
        (Some(a), _) => format!("`{shown}` has no {what} at `{a}`"),
        (None, 0) => format!("`{shown}` holds no {what}"),
        (None, n) => format!("`{shown}` holds {n} of them: name one as `FILE#ADDRESS`"),
    };
    let help = if listed.is_empty() {
        "docs/manifest.md lists what each kind of file can hold".to_string()
    } else {
        format!("candidates: {}", listed.join(", "))
    };
    diags.push(
        Diagnostic::new(
            codes::MANIFEST_ERROR,
            message,
            Label::maybe(r.location, format!("no {what} chosen")),
        )
        .with_help(help),
    );
    None
}

/// Where defaults of a candidate are anchored: its header in the file.
fn anchor_of(c: &Candidate) -> Location {
    c.at
}

/// The database server `db = "FILE#ADDRESS"` names, resolved through its
/// system's door. `None` when nothing matched (reported).
pub fn load_server(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<DbServer>, LoadError> {
    let (adapter, cands) = read_adapted(r, sources, diags)?;
    let is_server = |f: &Found| matches!(f, Found::Server(s) if matches!(s.system, System::Mysql | System::Postgres));
    let Some(c) = pick(&cands, r, "database server", is_server, sources, diags) else {
        return Ok(None);
    };
    let Found::Server(s) = &c.found else {
        return Ok(None);
    };
    let anchor = Some(anchor_of(c));
    let adapter = Some(adapter);
    let image = image_defaults(s, adapter)
        .map(|(d, at)| {
            let name = format!(
                "image {}",
                s.flavor
                    .as_ref()
                    .map(flavor_ref)
                    .unwrap_or_else(|| d.family.clone())
            );
            (name, d.source.clone(), image_assignments(&d, at), at)
        })
        .or_else(|| provider_defaults(c, s, adapter));
    let mut assignments = image
        .as_ref()
        .map(|(_, _, a, _)| a.clone())
        .unwrap_or_default();
    assignments.extend(s.assignments.iter().cloned());
    let mut server = match s.system {
        System::Postgres => DbServer::Postgres(postgres::resolve(
            &assignments,
            None,
            anchor,
            sources,
            diags,
        )),
        _ => {
            let base = mounted_option_files(&cands, &c.address, sources, diags);
            DbServer::Mysql(mysql::resolve(
                &assignments,
                base.as_ref(),
                anchor,
                sources,
                diags,
            ))
        }
    };
    if let Some((name, source, _, at)) = image {
        for_each_origin(&mut server, |o| {
            if *o == Origin::File(at) {
                *o = Origin::Image {
                    image: name.clone(),
                    source: source.clone(),
                    anchor: Some(at),
                };
            }
        });
    }
    if let (DbServer::Mysql(m), Some(f)) = (&mut server, &s.flavor) {
        // The image or engine says which server reads the settings, unless
        // an option file or dump already did.
        if m.product.is_none()
            && let Some(p) = mysql::MysqlProduct::from_name(&f.product)
        {
            m.product = Some(Sourced::new(p, Origin::File(f.at)));
        }
        mysql::keepalive_ignored_by_mysql(m, diags);
    }
    Ok(Some(server))
}

/// The option files the deployment mounts into the MySQL server at
/// `address` ([`Found::ConfigFiles`]), read as my.cnf files in the
/// server's order, a later file's value winning; `None` without mounts.
/// A mounted file that cannot be read is [`codes::INCLUDE_UNREADABLE`]
/// (warning) at the mount, and the rest are still read.
fn mounted_option_files(
    cands: &[Candidate],
    address: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<mysql::MysqlServer> {
    let files = cands.iter().find_map(|c| match &c.found {
        Found::ConfigFiles(f) if c.address == address => Some(f.clone()),
        _ => None,
    })?;
    let mut merged: Option<mysql::MysqlServer> = None;
    for f in files {
        match mysql::load_option_file(&f.path, sources, diags) {
            Ok(next) => {
                merged = Some(match merged {
                    None => next,
                    Some(prev) => later_wins(prev, next),
                });
            }
            Err(e) => diags.push(
                Diagnostic::new(
                    codes::INCLUDE_UNREADABLE,
                    format!(
                        "cannot read the option file mounted at {}: {}; its settings are not checked",
                        f.target,
                        e.reason()
                    ),
                    Label::at(f.at, "mounted file not readable"),
                )
                .with_severity(Severity::Warning),
            ),
        }
    }
    merged
}

/// `prev` with every value `next` sets explicitly replaced (mysqld reads
/// option files in order; the last occurrence wins).
fn later_wins(mut prev: mysql::MysqlServer, next: mysql::MysqlServer) -> mysql::MysqlServer {
    fn take<T>(a: &mut Sourced<T>, b: Sourced<T>) {
        if matches!(b.origin, Origin::File(_)) {
            *a = b;
        }
    }
    take(&mut prev.wait_timeout, next.wait_timeout);
    take(&mut prev.interactive_timeout, next.interactive_timeout);
    take(&mut prev.net_read_timeout, next.net_read_timeout);
    take(&mut prev.net_write_timeout, next.net_write_timeout);
    take(&mut prev.connect_timeout, next.connect_timeout);
    take(&mut prev.max_connections, next.max_connections);
    take(&mut prev.tcp_keepalive_time, next.tcp_keepalive_time);
    take(
        &mut prev.tcp_keepalive_interval,
        next.tcp_keepalive_interval,
    );
    take(&mut prev.tcp_keepalive_probes, next.tcp_keepalive_probes);
    if next.product.is_some() {
        prev.product = next.product;
    }
    prev.files.extend(next.files);
    prev
}

/// The managed service a server candidate runs on, from its source: a
/// Terraform RDS / Aurora, Cloud SQL or Azure flexible-server resource or
/// module, or a CloudFormation RDS parameter group. AWS CLI dumps already
/// list the engine defaults, and images are handled by [`image_defaults`].
fn provider_of(
    c: &Candidate,
    adapter: Option<Adapter>,
) -> Option<crate::systems::providers::Provider> {
    use crate::systems::providers::Provider;
    match adapter? {
        Adapter::CloudFormation => Some(Provider::AwsRds),
        Adapter::Terraform => {
            let a = c.address.as_str();
            if a.starts_with("aws_db_") || a.starts_with("aws_rds_") || a.starts_with("module.") {
                Some(Provider::AwsRds)
            } else if a.starts_with("google_sql_") {
                Some(Provider::GcpCloudSql)
            } else if a.starts_with("azurerm_") {
                Some(Provider::AzureFlexible)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The managed service's defaults that differ from the server's, as the
/// lowest assignments at the flavor (the engine / family / version text):
/// plain values, and formulas ([`Written::Unresolved`], never a number)
/// for the settings the candidate does not set itself. `(name for
/// messages, source, assignments, location)`.
fn provider_defaults(
    c: &Candidate,
    s: &crate::sources::ServerSettings,
    adapter: Option<Adapter>,
) -> Option<(String, String, Vec<crate::sources::Assignment>, Location)> {
    use crate::systems::providers::{self, Provider};
    let provider = provider_of(c, adapter)?;
    let flavor = s.flavor.as_ref()?;
    let d = providers::lookup(provider, &flavor.product, flavor.version.as_deref())?;
    if d.system != s.system {
        return None;
    }
    let at = flavor.at;
    let sets = |name: &str| {
        s.assignments
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(name))
    };
    let assign = |name: &str, value: Written| crate::sources::Assignment {
        name: name.to_string(),
        name_at: at,
        value,
        value_at: at,
        set_by: crate::sources::SetBy::ImageDefault,
    };
    let mut out: Vec<crate::sources::Assignment> = d
        .settings
        .iter()
        .map(|(n, v)| assign(n, Written::Text(v.clone())))
        .collect();
    out.extend(
        d.formulas
            .iter()
            .filter(|(n, _)| !sets(n))
            .map(|(n, f)| assign(n, Written::Unresolved(d.formula_reason(f)))),
    );
    if out.is_empty() {
        return None;
    }
    let service = match provider {
        Provider::AwsRds => "Amazon RDS",
        Provider::GcpCloudSql => "Cloud SQL",
        Provider::AzureFlexible => "Azure flexible server",
    };
    let name = format!("{service} for {}", flavor_ref(flavor).replace(':', " "));
    Some((name, d.source.clone(), out, at))
}

/// `product:version` of a flavor (`mariadb:10.3`), or the product alone.
fn flavor_ref(f: &crate::sources::Flavor) -> String {
    match &f.version {
        Some(v) => format!("{}:{v}", f.product),
        None => f.product.clone(),
    }
}

/// The defaults of the container image a server candidate runs, with the
/// location of its `image:` (only for sources that run images: compose,
/// Kubernetes, Helm values; a managed service's engine is not an image),
/// when the image ships values that differ from the compiled defaults.
fn image_defaults(
    s: &crate::sources::ServerSettings,
    adapter: Option<Adapter>,
) -> Option<(crate::systems::images::ImageDefaults, Location)> {
    if !matches!(
        adapter,
        Some(Adapter::Compose | Adapter::Kubernetes | Adapter::Helm)
    ) {
        return None;
    }
    let flavor = s.flavor.as_ref()?;
    let defaults = crate::systems::images::lookup(&flavor_ref(flavor))?;
    (defaults.system == s.system && !defaults.settings.is_empty()).then_some((defaults, flavor.at))
}

/// The image's values as the lowest assignments, located at its `image:`
/// (their origin becomes [`Origin::Image`] after resolving).
fn image_assignments(
    d: &crate::systems::images::ImageDefaults,
    at: Location,
) -> Vec<crate::sources::Assignment> {
    d.settings
        .iter()
        .map(|(name, value)| crate::sources::Assignment {
            name: name.clone(),
            name_at: at,
            value: Written::Text(value.clone()),
            value_at: at,
            set_by: crate::sources::SetBy::ImageDefault,
        })
        .collect()
}

/// Calls `f` on the origin of every modelled setting of `server`.
fn for_each_origin(server: &mut DbServer, mut f: impl FnMut(&mut Origin)) {
    match server {
        DbServer::Mysql(m) => {
            for o in [
                &mut m.wait_timeout.origin,
                &mut m.interactive_timeout.origin,
                &mut m.net_read_timeout.origin,
                &mut m.net_write_timeout.origin,
                &mut m.connect_timeout.origin,
                &mut m.tcp_keepalive_time.origin,
                &mut m.tcp_keepalive_interval.origin,
            ] {
                f(o);
            }
            f(&mut m.max_connections.origin);
            f(&mut m.tcp_keepalive_probes.origin);
        }
        DbServer::Postgres(p) => {
            for o in [
                &mut p.idle_session_timeout.origin,
                &mut p.idle_in_transaction_session_timeout.origin,
                &mut p.statement_timeout.origin,
                &mut p.lock_timeout.origin,
                &mut p.transaction_timeout.origin,
                &mut p.tcp_keepalives_idle.origin,
                &mut p.tcp_keepalives_interval.origin,
                &mut p.tcp_user_timeout.origin,
            ] {
                f(o);
            }
            f(&mut p.tcp_keepalives_count.origin);
            for o in [
                &mut p.max_connections.origin,
                &mut p.superuser_reserved_connections.origin,
                &mut p.reserved_connections.origin,
            ] {
                f(o);
            }
        }
    }
}

/// The PgBouncer a `[[path.hop]] pgbouncer = "FILE#ADDRESS"` names, from
/// its image environment or operator parameters.
pub fn load_pgbouncer(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<PgBouncer>, LoadError> {
    let cands = read_candidates(r, sources, diags)?;
    let is_pgb = |f: &Found| matches!(f, Found::Server(s) if s.system == System::PgBouncer);
    let Some(c) = pick(&cands, r, "PgBouncer", is_pgb, sources, diags) else {
        return Ok(None);
    };
    let Found::Server(s) = &c.found else {
        return Ok(None);
    };
    Ok(Some(pgbouncer::resolve(
        &s.assignments,
        None,
        anchor_of(c),
        sources,
        diags,
    )))
}

/// A preset hop with its idle timeout from the file `r` names
/// (`idle_timeout = "infra/lb.tf#aws_lb_listener.db"`). The value must be a
/// whole number of the source's unit (seconds, or minutes for Azure) within
/// the preset's range ([`codes::PRESET_VALUE_INVALID`] otherwise, at the
/// value). A candidate of another kind of middlebox than `preset` is a
/// warning. Without a usable value the preset's default stays, shown as a
/// default.
pub fn idle_hop(
    mut hop: HopSpec,
    preset: &str,
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<HopSpec, LoadError> {
    let cands = read_candidates(r, sources, diags)?;
    let is_idle = |f: &Found| matches!(f, Found::IdleLimit(_));
    let Some(c) = pick(&cands, r, "idle limit", is_idle, sources, diags) else {
        return Ok(hop);
    };
    let Found::IdleLimit(limit) = &c.found else {
        return Ok(hop);
    };
    if limit.preset != preset {
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!(
                    "the hop is declared as `{preset}` but `{}` is an `{}`",
                    c.address, limit.preset
                ),
                Label::at(c.at, format!("an {}", limit.preset)),
            )
            .with_severity(Severity::Warning)
            .with_related(Label::maybe(r.location, "named here"))
            .with_help(format!(
                "write `preset = \"{}\"` so the hop's behaviour and range match the device",
                limit.preset
            )),
        );
    }
    let text = match &limit.value {
        Written::Text(t) => t,
        Written::Unresolved(why) => {
            diags.push(
                Diagnostic::new(
                    codes::UNRESOLVED_SETTING_VALUE,
                    format!(
                        "the idle timeout of `{}` cannot be known from the files: {why}",
                        c.address
                    ),
                    Label::at(limit.at, "value unknown until deploy"),
                )
                .with_help(format!(
                    "the checks use the preset's default {} instead",
                    crate::units::fmt_secs(hop.idle_timeout.value)
                )),
            );
            return Ok(hop);
        }
        Written::Unset => {
            // The provider's default: the preset's, now located at the
            // resource, where the attribute would be added.
            if let Origin::Preset { id, source, .. } = &hop.idle_timeout.origin {
                hop.idle_timeout.origin = Origin::Preset {
                    id: id.clone(),
                    source: source.clone(),
                    anchor: Some(limit.at),
                };
            }
            return Ok(hop);
        }
    };
    let Some(secs) = text
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(limit.unit_secs))
    else {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!("idle timeout `{text}` is not a whole number"),
                Label::at(limit.at, "not a number"),
            )
            .with_help(format!(
                "the device takes a whole number of {}; the preset's default is used",
                if limit.unit_secs == 60 {
                    "minutes"
                } else {
                    "seconds"
                }
            )),
        );
        return Ok(hop);
    };
    let value = Duration::from_secs(secs);
    if let Some(p) = presets::find(preset)
        && let Err(e) = presets::apply(&p, Some(value))
    {
        diags.push(Diagnostic::new(
            codes::PRESET_VALUE_INVALID,
            e.to_string(),
            Label::at(limit.at, "not a value this device takes"),
        ));
        return Ok(hop);
    }
    hop.idle_timeout = Sourced::new(value, Origin::File(limit.at));
    Ok(hop)
}

/// The environment `app_env = "FILE#ADDRESS"` gives the app: `(name,
/// value, where)` for each variable with a known value; unknown ones are
/// left out (the Python reader then reports what it cannot read).
pub fn app_env(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, String, Location)>, LoadError> {
    let cands = read_candidates(r, sources, diags)?;
    let is_env = |f: &Found| matches!(f, Found::AppEnv(_));
    let Some(c) = pick(&cands, r, "app environment", is_env, sources, diags) else {
        return Ok(Vec::new());
    };
    let Found::AppEnv(vars) = &c.found else {
        return Ok(Vec::new());
    };
    Ok(vars
        .iter()
        .filter_map(|v| match &v.value {
            Written::Text(t) => Some((v.name.clone(), t.clone(), v.at)),
            Written::Unresolved(_) | Written::Unset => None,
        })
        .collect())
}

/// What `workers = "FILE#ADDRESS"` gives a path: processes (the product of
/// its factors: worker processes × replicas, located at the first factor,
/// the others named in the origin's file), threads per process, and the
/// request deadline, each with its location.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathWorkers {
    /// Processes each holding a pool.
    pub processes: Option<Sourced<u64>>,
    /// Threads per process.
    pub threads: Option<Sourced<u64>>,
    /// The request deadline.
    pub request_timeout: Option<Sourced<Duration>>,
}

/// The worker counts `r` names (a compose service, a Deployment, a
/// uwsgi.ini, a Procfile process).
pub fn workers(
    r: &PathRef,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PathWorkers, LoadError> {
    let cands = read_candidates(r, sources, diags)?;
    let is_workers = |f: &Found| matches!(f, Found::Workers(_));
    let Some(c) = pick(&cands, r, "worker counts", is_workers, sources, diags) else {
        return Ok(PathWorkers::default());
    };
    let Found::Workers(w) = &c.found else {
        return Ok(PathWorkers::default());
    };
    let processes = w.processes.first().map(|(_, at)| {
        let n = w
            .processes
            .iter()
            .fold(1u64, |acc, (n, _)| acc.saturating_mul(*n));
        Sourced::new(n, Origin::File(*at))
    });
    Ok(PathWorkers {
        processes,
        threads: w.threads.map(|(n, at)| Sourced::new(n, Origin::File(at))),
        request_timeout: w
            .request_timeout_secs
            .map(|(n, at)| Sourced::new(Duration::from_secs(n), Origin::File(at))),
    })
}
