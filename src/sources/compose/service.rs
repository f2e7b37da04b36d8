//! One service's candidates: its server (image, flags, image
//! environment), its app environment and its workers.

use super::environment::EnvEntry;
use super::{
    AppServer, Ctx, FlagSetting, Layer, argv, environment, find_app_server, images, last, scalar,
    words, worker_flags, written,
};
use crate::sources::argv::traced::{self, Word, split_words};
use crate::sources::{
    Assignment, Candidate, EnvVar, Flavor, Found, ServerSettings, SetBy, System, Workers,
};

pub(super) fn service(name: &str, layers: &[Layer], ctx: &mut Ctx<'_>, out: &mut Vec<Candidate>) {
    let Some(base) = layers.first() else {
        return;
    };
    let at = base.at(base.key.span);
    let env = environment(layers, ctx);
    let image = last(layers, "image").and_then(|(l, n)| {
        let t = scalar(l, n, ctx)?;
        if t.unknown_in(&(0..t.text.len())).is_some() {
            // The repository itself may be unknown; the tag's version then is.
            let (repo, _) = t.text.split_once(':').unwrap_or((&t.text, ""));
            if t.unknown_in(&(0..repo.len())).is_some() {
                return None;
            }
        }
        let img = images::recognise(&t.text)?;
        let version_known = t
            .text
            .find(':')
            .is_none_or(|c| t.unknown_in(&(c..t.text.len())).is_none());
        Some((img, version_known, t.location(0..t.text.len())))
    });
    let entrypoint = last(layers, "entrypoint").map(|(l, n)| words(l, n, ctx));
    let command = last(layers, "command").map(|(l, n)| words(l, n, ctx));
    let is_server = image.is_some();
    if let Some((img, version_known, image_at)) = image {
        let mut assignments = Vec::new();
        for e in &env {
            let Some(role) = images::env_role(img.product, &e.name) else {
                continue;
            };
            if e.value.text.is_empty() && e.value.unknown.is_empty() {
                continue; // The entrypoint skips empty variables.
            }
            match role {
                images::EnvRole::Setting(key) => assignments.push(Assignment {
                    name: key.to_string(),
                    name_at: e.name_at,
                    value: written(&e.value),
                    value_at: e.value.location(0..e.value.text.len()),
                    set_by: SetBy::ImageEnvironment,
                }),
                images::EnvRole::ExtraFlags => {
                    let flags = argv::mysqld_flags(&traced::split_blanks(&e.value));
                    argv::mark_secrets(ctx.sources, &flags);
                    assignments.extend(flags.into_iter().map(FlagSetting::into_assignment));
                }
            }
        }
        let args = server_args(
            img.system,
            img.product,
            entrypoint.as_deref(),
            command.as_deref(),
        );
        let flags = match img.system {
            System::Mysql => argv::mysqld_flags(&args),
            System::Postgres => argv::postgres_flags(&args),
            System::PgBouncer => Vec::new(),
        };
        argv::mark_secrets(ctx.sources, &flags);
        assignments.extend(flags.into_iter().map(FlagSetting::into_assignment));
        let mounted = mounted_configs(img.system, layers, ctx);
        if !mounted.is_empty() {
            out.push(Candidate {
                address: name.to_string(),
                at,
                found: Found::ConfigFiles(mounted),
            });
        }
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::Server(ServerSettings {
                system: img.system,
                flavor: Some(Flavor {
                    product: img.product.to_string(),
                    version: if version_known { img.version } else { None },
                    at: image_at,
                }),
                assignments,
            }),
        });
    }
    if !env.is_empty() {
        let vars = env
            .iter()
            .map(|e| EnvVar {
                name: e.name.clone(),
                value: written(&e.value),
                at: e.value.location(0..e.value.text.len()),
            })
            .collect();
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::AppEnv(vars),
        });
    }
    let workers = workers(layers, &env, entrypoint, command, !is_server, ctx);
    if workers != Workers::default() {
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::Workers(workers),
        });
    }
}

/// MySQL option files bind-mounted into the server's config folders
/// (`volumes:` short `./my.cnf:/etc/mysql/conf.d/custom.cnf[:ro]` or long
/// `{type: bind, source, target}` form), in the order mysqld reads them:
/// `/etc/my.cnf`, `/etc/mysql/my.cnf`, then the `conf.d` / `mariadb.conf.d`
/// / `my.cnf.d` files by name (the images' `!includedir` lines;
/// https://dev.mysql.com/doc/refman/8.0/en/option-files.html). Named
/// volumes and folders are not config files. PostgreSQL reads a mounted
/// postgresql.conf only when `config_file` names it, and PgBouncer images
/// write their own ini: neither is listed here.
fn mounted_configs(
    system: System,
    layers: &[Layer],
    ctx: &mut Ctx<'_>,
) -> Vec<crate::sources::ConfigFile> {
    if system != System::Mysql {
        return Vec::new();
    }
    let mut out: Vec<crate::sources::ConfigFile> = Vec::new();
    for layer in layers {
        let Some(list) = layer.node.get("volumes") else {
            continue;
        };
        let crate::parse::tree::NodeKind::Seq(items) = &list.kind else {
            continue;
        };
        for item in items {
            let (source, target) = match &item.kind {
                crate::parse::tree::NodeKind::Str(spec) => {
                    let mut parts = spec.splitn(3, ':');
                    match (parts.next(), parts.next()) {
                        (Some(s), Some(t)) => (s.to_string(), t.to_string()),
                        _ => continue,
                    }
                }
                crate::parse::tree::NodeKind::Map(_) => {
                    let get = |k: &str| item.get(k).and_then(|n| n.as_str()).map(str::to_string);
                    if get("type").as_deref() != Some("bind") {
                        continue;
                    }
                    match (get("source"), get("target")) {
                        (Some(s), Some(t)) => (s, t),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let is_bind = source.starts_with('.') || source.starts_with('/');
            let in_config_dir = [
                "/etc/mysql/conf.d/",
                "/etc/mysql/mariadb.conf.d/",
                "/etc/my.cnf.d/",
            ]
            .iter()
            .any(|d| target.starts_with(d));
            let main_file = target == "/etc/my.cnf" || target == "/etc/mysql/my.cnf";
            if !is_bind || !(main_file || (in_config_dir && target.ends_with(".cnf"))) {
                continue;
            }
            if source.contains('$') {
                continue; // interpolated host paths are not followed
            }
            let path = ctx.dir.join(&source);
            out.retain(|c| c.target != target);
            out.push(crate::sources::ConfigFile {
                path,
                target,
                at: layer.at(item.span),
            });
        }
    }
    // Main files first, then the included folder's files by name.
    out.sort_by_key(|c| {
        let main = c.target == "/etc/my.cnf" || c.target == "/etc/mysql/my.cnf";
        (!main, c.target.rsplit('/').next().unwrap_or("").to_string())
    });
    out
}

/// The server's arguments ([`argv::server_command`] over `entrypoint` +
/// `command`), when they start the server of the service's image.
fn server_args(
    system: System,
    product: &str,
    entrypoint: Option<&[Word]>,
    command: Option<&[Word]>,
) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    words.extend(entrypoint.unwrap_or(&[]).iter().cloned());
    words.extend(command.unwrap_or(&[]).iter().cloned());
    match argv::server_command(&words, Some(product), entrypoint.is_some()) {
        Some((runs, args)) if runs == system => args,
        _ => Vec::new(),
    }
}

/// Worker counts: `GUNICORN_CMD_ARGS` (when the service runs gunicorn or
/// the image's own command), then the command's app-server flags
/// (gunicorn's command line wins over the variable:
/// https://docs.gunicorn.org/en/stable/settings.html), then replicas
/// (`with_replicas`: not for a database server's service, whose replicas
/// are not app processes).
fn workers(
    layers: &[Layer],
    env: &[EnvEntry],
    entrypoint: Option<Vec<Word>>,
    command: Option<Vec<Word>>,
    with_replicas: bool,
    ctx: &Ctx<'_>,
) -> Workers {
    let mut w = Workers::default();
    let mut argv = entrypoint.unwrap_or_default();
    argv.extend(command.unwrap_or_default());
    let server = find_app_server(&argv);
    // The variable counts when the service runs gunicorn, or runs the
    // image's own command (which may); not for a service running another
    // program with the same env_file (a celery worker).
    let gunicorn = match &server {
        Some((kind, _)) => *kind == AppServer::Gunicorn,
        None => argv.is_empty(),
    };
    if let Some(e) = env
        .iter()
        .rev()
        .find(|e| e.name == "GUNICORN_CMD_ARGS" && gunicorn)
    {
        worker_flags(AppServer::Gunicorn, &split_words(&e.value), &mut w);
    }
    if let Some((kind, rest)) = server {
        worker_flags(kind, &rest, &mut w);
    }
    let replicas = last(layers, "deploy")
        .and_then(|(l, d)| d.get("replicas").map(|n| (l, n)))
        .or_else(|| last(layers, "scale"))
        .filter(|_| with_replicas);
    if let Some((l, n)) = replicas
        && let Some(t) = scalar(l, n, ctx)
    {
        let all = 0..t.text.len();
        if t.unknown_in(&all).is_none()
            && !t.text.is_empty()
            && t.text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(count) = t.text.parse::<u64>()
        {
            w.processes.push((count, t.location(all)));
        }
    }
    w
}
