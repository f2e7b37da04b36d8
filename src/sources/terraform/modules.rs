//! Calls of well-known registry modules, recognised by their `source`.
//!
//! Inputs read, each from the module's `variables.tf`:
//! - terraform-aws-modules/terraform-aws-rds (v7.2.0,
//!   <https://github.com/terraform-aws-modules/terraform-aws-rds/blob/master/variables.tf>):
//!   `engine`, `engine_version`, `family`, `parameters` (a list of
//!   `{ name, value, apply_method }`), `create_db_parameter_group` (default
//!   `true`; `false` means the module applies no parameters). Its submodule
//!   `//modules/db_parameter_group` takes `family` and `parameters` too.
//! - terraform-aws-modules/terraform-aws-rds-aurora (v10.2.0,
//!   <https://github.com/terraform-aws-modules/terraform-aws-rds-aurora/blob/master/variables.tf>):
//!   `engine`, `engine_version`, `cluster_parameter_group = { family,
//!   parameters }`, `db_parameter_group = { family, parameters }`; before
//!   v10: `db_cluster_parameter_group_family`,
//!   `db_cluster_parameter_group_parameters`, `db_parameter_group_family`,
//!   `db_parameter_group_parameters` (v9.16.1). Cluster parameters come
//!   first, then instance parameters, which override them.
//! - terraform-aws-modules/terraform-aws-rds-proxy (variables.tf):
//!   `idle_client_timeout` seconds (module default 1800).
//! - terraform-aws-modules/terraform-aws-alb (variables.tf): `idle_timeout`
//!   ("Only valid for Load Balancers of type `application`"),
//!   `load_balancer_type` (default `application`), `listeners` (a map of
//!   objects with `protocol` and `tcp_idle_timeout_seconds`, which main.tf
//!   passes on only when the protocol, else `default_protocol` (default
//!   `HTTP`), is `TCP`).
//! - terraform-google-modules/terraform-google-cloud-nat (variables.tf):
//!   `tcp_established_idle_timeout_sec` (a string of seconds, module default
//!   `"1200"`).

use hcl_edit::structure::Block;

use super::{Cx, ServerFound, attr, from_list, header, rds_product};
use crate::source::FileId;

use super::eval::Val;

/// The known module a `source` names, and the subfolder after `//`.
fn known_module(source: &str) -> Option<(&'static str, String)> {
    let mut s = source.trim().to_ascii_lowercase();
    if let Some(i) = s.find('?') {
        s.truncate(i);
    }
    for prefix in [
        "git::",
        "https://",
        "http://",
        "ssh://",
        "git@github.com:",
        "git@github.com/",
        "registry.terraform.io/",
        "github.com/",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    // A second pass: `git::https://github.com/...`.
    for prefix in ["https://", "github.com/", "git@github.com:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    let (main, sub) = match s.find("//") {
        Some(i) => (s[..i].to_string(), s[i + 2..].trim_matches('/').to_string()),
        None => (s.clone(), String::new()),
    };
    let main = main.trim_end_matches('/').trim_end_matches(".git");
    const TABLE: &[(&str, &str, &str)] = &[
        (
            "terraform-aws-modules/rds/aws",
            "terraform-aws-modules/terraform-aws-rds",
            "rds",
        ),
        (
            "terraform-aws-modules/rds-aurora/aws",
            "terraform-aws-modules/terraform-aws-rds-aurora",
            "rds-aurora",
        ),
        (
            "terraform-aws-modules/rds-proxy/aws",
            "terraform-aws-modules/terraform-aws-rds-proxy",
            "rds-proxy",
        ),
        (
            "terraform-aws-modules/alb/aws",
            "terraform-aws-modules/terraform-aws-alb",
            "alb",
        ),
        (
            "terraform-google-modules/cloud-nat/google",
            "terraform-google-modules/terraform-google-cloud-nat",
            "cloud-nat",
        ),
    ];
    TABLE
        .iter()
        .find(|(registry, repo, _)| main == *registry || main == *repo)
        .map(|(_, _, kind)| (*kind, sub))
}

/// The candidates of `module "name"`.
pub(super) fn module(cx: &mut Cx, name: &str, block: &Block, file: FileId) {
    let body = &block.body;
    let Some(source) = attr(body, "source") else {
        return;
    };
    let Val::Text(source, _) = cx.ev.eval(source, file) else {
        return;
    };
    let Some((kind, sub)) = known_module(&source) else {
        return;
    };
    let address = format!("module.{name}");
    let at = header(block, file);
    match (kind, sub.as_str()) {
        ("rds", "" | "modules/db_parameter_group") => {
            let mut found = family_or_engine(cx, block, file, &["family"]);
            let create = attr(body, "create_db_parameter_group").map(|e| cx.ev.eval(e, file));
            let disabled = matches!(&create, Some(Val::Text(t, _)) if t == "false");
            if !disabled && let Some(e) = attr(body, "parameters") {
                let list = cx.ev.eval(e, file);
                found.assignments.extend(from_list(&list, true));
            }
            cx.push_server(address, at, found);
        }
        ("rds-aurora", "") => {
            let mut found = family_or_engine(
                cx,
                block,
                file,
                &[
                    "db_cluster_parameter_group_family",
                    "db_parameter_group_family",
                ],
            );
            for (object, flat) in [
                (
                    "cluster_parameter_group",
                    "db_cluster_parameter_group_parameters",
                ),
                ("db_parameter_group", "db_parameter_group_parameters"),
            ] {
                if let Some(e) = attr(body, object) {
                    let obj = cx.ev.eval(e, file);
                    if found.system.is_none()
                        && let Some(Val::Text(f, fat)) = obj.get("family")
                        && let Some((system, product, version)) = rds_product(f)
                    {
                        found.system = Some(system);
                        found.flavor = Some(crate::sources::Flavor {
                            product: product.to_string(),
                            version,
                            at: *fat,
                        });
                    }
                    if let Some(list) = obj.get("parameters") {
                        found.assignments.extend(from_list(list, true));
                    }
                }
                if let Some(e) = attr(body, flat) {
                    let list = cx.ev.eval(e, file);
                    found.assignments.extend(from_list(&list, true));
                }
            }
            cx.push_server(address, at, found);
        }
        ("rds-proxy", "") => {
            cx.push_idle(
                address,
                at,
                attr(body, "idle_client_timeout"),
                file,
                "aws-rds-proxy",
                1,
            );
        }
        ("alb", "") => alb(cx, &address, block, file),
        ("cloud-nat", "") => {
            cx.push_idle(
                address,
                at,
                attr(body, "tcp_established_idle_timeout_sec"),
                file,
                "gcp-cloud-nat",
                1,
            );
        }
        _ => {}
    }
}

/// System and flavor from the first of `families` set, else from
/// `engine` and `engine_version`.
fn family_or_engine(cx: &mut Cx, block: &Block, file: FileId, families: &[&str]) -> ServerFound {
    let body = &block.body;
    let engine = cx.flavor_of(
        attr(body, "engine"),
        attr(body, "engine_version"),
        file,
        rds_product,
    );
    let mut flavor = None;
    for f in families {
        if let Some(found) = cx.flavor_of(attr(body, f), None, file, rds_product) {
            flavor = Some(found);
            break;
        }
    }
    let chosen = flavor.or(engine);
    ServerFound {
        system: chosen.as_ref().map(|c| c.0),
        flavor: chosen.map(|c| c.1),
        assignments: Vec::new(),
    }
}

/// terraform-aws-alb: the load balancer's `idle_timeout` (application)
/// and each TCP listener's `tcp_idle_timeout_seconds` (network).
fn alb(cx: &mut Cx, address: &str, block: &Block, file: FileId) {
    let body = &block.body;
    let at = header(block, file);
    let lb_type = match attr(body, "load_balancer_type") {
        None => Some("application".to_string()),
        Some(e) => cx.ev.eval(e, file).text().map(str::to_string),
    };
    if lb_type.as_deref() == Some("application") {
        cx.push_idle(
            address.to_string(),
            at,
            attr(body, "idle_timeout"),
            file,
            "aws-alb",
            1,
        );
    }
    let Some(listeners) = attr(body, "listeners") else {
        return;
    };
    let default_protocol = match attr(body, "default_protocol") {
        None => Some("HTTP".to_string()),
        Some(e) => cx.ev.eval(e, file).text().map(str::to_string),
    };
    let preset = if lb_type.as_deref() == Some("gateway") {
        "aws-gateway-lb"
    } else {
        "aws-nlb"
    };
    let Val::Map(items, _) = cx.ev.eval(listeners, file) else {
        return;
    };
    for (key, listener) in items {
        let Some(timeout) = listener.get("tcp_idle_timeout_seconds") else {
            continue;
        };
        let protocol = match listener.get("protocol") {
            Some(p) => p.text().map(str::to_string),
            None => default_protocol.clone(),
        };
        if protocol.as_deref() != Some("TCP") || matches!(timeout, Val::Null(_)) {
            continue;
        }
        cx.out.push(crate::sources::Candidate {
            address: format!("{address}.listeners.{key}"),
            at,
            found: crate::sources::Found::IdleLimit(crate::sources::IdleLimit {
                preset,
                value: super::written(timeout, false),
                unit_secs: 1,
                at: timeout.at(),
            }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::known_module;

    #[test]
    fn sources_accepted_and_rejected() {
        let accept = [
            ("terraform-aws-modules/rds/aws", "rds", ""),
            (
                "registry.terraform.io/terraform-aws-modules/rds/aws",
                "rds",
                "",
            ),
            (
                "terraform-aws-modules/rds/aws//modules/db_parameter_group",
                "rds",
                "modules/db_parameter_group",
            ),
            (
                "git::https://github.com/terraform-aws-modules/terraform-aws-rds.git?ref=v6.0.0",
                "rds",
                "",
            ),
            (
                "github.com/terraform-aws-modules/terraform-aws-rds-aurora",
                "rds-aurora",
                "",
            ),
            (
                "git@github.com:terraform-aws-modules/terraform-aws-rds-proxy.git",
                "rds-proxy",
                "",
            ),
            ("terraform-aws-modules/alb/aws", "alb", ""),
            ("terraform-google-modules/cloud-nat/google", "cloud-nat", ""),
        ];
        for (source, kind, sub) in accept {
            assert_eq!(
                known_module(source),
                Some((kind, sub.to_string())),
                "{source}"
            );
        }
        for source in [
            "../../",
            "./modules/rds",
            "terraform-aws-modules/vpc/aws",
            "terraform-aws-modules/rds/google",
            "example.com/terraform-aws-modules/rds/aws",
            "",
        ] {
            assert_eq!(known_module(source), None, "{source}");
        }
    }
}
