//! AWS CloudFormation templates, YAML (with the short intrinsic tags
//! `!Ref`, `!Sub`, `!GetAtt`, `!If`, ...) or JSON.
//!
//! Each resource below yields one candidate whose address is its logical id
//! (the key under `Resources`), located at that key:
//!
//! | `Type` | property | candidate |
//! |---|---|---|
//! | `AWS::RDS::DBParameterGroup`, `AWS::RDS::DBClusterParameterGroup` | `Parameters` (name → value), system and flavor from `Family` | server, [`SetBy::ParameterGroup`] |
//! | `AWS::ElasticLoadBalancingV2::LoadBalancer` (not `Type: network`/`gateway`) | `LoadBalancerAttributes` `idle_timeout.timeout_seconds` | idle limit `aws-alb` |
//! | `AWS::ElasticLoadBalancingV2::Listener` | `ListenerAttributes` `tcp.idle_timeout.seconds` | idle limit `aws-nlb` |
//! | `AWS::ElasticLoadBalancing::LoadBalancer` | `ConnectionSettings.IdleTimeout` | idle limit `aws-clb` |
//! | `AWS::RDS::DBProxy` | `IdleClientTimeout` | idle limit `aws-rds-proxy` |
//!
//! Property names and meanings are from the CloudFormation template
//! reference (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/>:
//! `aws-resource-rds-dbparametergroup`, `aws-resource-rds-dbclusterparametergroup`,
//! `aws-properties-elasticloadbalancingv2-loadbalancer-loadbalancerattribute`,
//! `aws-properties-elasticloadbalancingv2-listener-listenerattribute`
//! ("`tcp.idle_timeout.seconds` … supported by Network Load Balancers and
//! Gateway Load Balancers"), `aws-properties-elasticloadbalancing-loadbalancer-connectionsettings`
//! (`IdleTimeout`, seconds), `aws-resource-rds-dbproxy` (`IdleClientTimeout`,
//! seconds)).
//!
//! The `Family` (`mysql8.0`, `aurora-mysql5.7`, `mariadb10.6`,
//! `postgres16`, `aurora-postgresql15`, any case) decides the system: a
//! family starting with `mysql`, `aurora-mysql`, `aurora` (Aurora MySQL 5.6)
//! or `mariadb` is MySQL, `postgres` or `aurora-postgresql` PostgreSQL; the
//! flavor is the family's engine part and its version. A parameter group
//! whose family is unknown (an intrinsic without a default) is not read.
//!
//! Values:
//!
//! - `!Ref P` / `{"Ref": "P"}` to a template parameter with a `Default` is
//!   that default, located at the `Default` (a stack may pass another value
//!   at deploy time; the default is what the template itself says);
//!   without a default, or to a pseudo parameter, it is
//!   [`Written::Unresolved`].
//! - `!FindInMap [Map, Key1, Key2]` whose three keys are known (plain, or
//!   a `!Ref` resolved as above) is the `Mappings` entry, located there.
//! - Any other intrinsic (`!Sub`, `!GetAtt`, `!FindInMap`, `!If`, `Fn::…`)
//!   is [`Written::Unresolved`]. A `Parameters` map chosen by `!If [cond, A,
//!   B]` yields the settings of both branches, each unresolved ("set only
//!   when condition … is true/false").
//! - An RDS formula (`{DBInstanceClassMemory/12582880}`) is unresolved.
//!
//! Values under a secret-looking key (`MasterUserPassword`, ...) and the
//! `Default` of a `NoEcho` parameter are marked secret.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Key, Node, NodeKind};
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::embedded::{self, scalar_text, template_reason};
use crate::sources::{
    Assignment, Candidate, Flavor, Found, IdleLimit, ServerSettings, SetBy, System, Written,
};

/// True when a parsed document is a CloudFormation template: it has an
/// `AWSTemplateFormatVersion`, or a `Resources` mapping whose entries have
/// a `Type` starting with `AWS::`.
pub fn is_template(doc: &Node) -> bool {
    if doc.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    doc.get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|r| {
            r.iter().any(|(_, v)| {
                v.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
        })
}

/// Reads the CloudFormation template at `path`.
///
/// Errors: [`LoadError`] only when `path` cannot be read; a file that does
/// not parse is a located diagnostic.
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let id = sources.load(path)?;
    Ok(read_file(id, sources, diags))
}

/// Reads the already loaded file `id` (see [`read`]).
pub fn read_file(
    id: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    let Some(docs) = embedded::parse_documents(id, sources, diags) else {
        return Vec::new();
    };
    let text = sources.get(id).text().to_string();
    let mut out = Vec::new();
    for doc in &docs {
        let t = Template {
            id,
            text: &text,
            params: doc.get("Parameters"),
            mappings: doc.get("Mappings"),
        };
        t.mark_secrets(doc, sources);
        for (k, res) in doc.get("Resources").and_then(Node::as_map).unwrap_or(&[]) {
            if let Some(c) = t.resource(k, res) {
                out.push(c);
            }
        }
    }
    embedded::unique_addresses(&mut out);
    out
}

/// The intrinsic function written at `node`: a short-form tag (`!Ref`),
/// or a one-key mapping `Ref` / `Fn::…`. Returns its name and argument.
fn intrinsic<'n>(text: &str, node: &'n Node) -> Option<(String, Option<&'n Node>)> {
    if let Some(tag) = tag_of(text, node) {
        return Some((tag, Some(node)));
    }
    let map = node.as_map()?;
    if let [(k, v)] = map
        && (k.text == "Ref" || k.text.starts_with("Fn::") || k.text == "Condition")
    {
        let name = match k.text.as_str() {
            "Ref" => "Ref".to_string(),
            other => other.trim_start_matches("Fn::").to_string(),
        };
        return Some((name, Some(v)));
    }
    None
}

/// The short-form tag (without `!`) written just before or at a node:
/// saphyr keeps no tag in the tree, so it is read from the text (a tagged
/// scalar's span starts at its tag; a tagged collection's tag precedes it).
fn tag_of(text: &str, node: &Node) -> Option<String> {
    let b = text.as_bytes();
    let token_at = |start: usize| {
        let rest = &text[start..];
        let end = rest
            .find([' ', '\t', '\n', '\r', '[', '{'])
            .unwrap_or(rest.len());
        rest[1..end].to_string()
    };
    if b.get(node.span.start) == Some(&b'!') {
        return Some(token_at(node.span.start));
    }
    if !matches!(node.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
        return None;
    }
    // Back over blanks and line breaks to the previous token.
    let mut i = node.span.start.min(text.len());
    while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    let start = text[..i]
        .rfind([' ', '\t', '\n', '\r'])
        .map_or(0, |p| p + 1);
    let token = &text[start..i];
    (token.starts_with('!') && token.len() > 1 && !token.starts_with("!="))
        .then(|| token[1..].to_string())
}

/// Why an RDS parameter value is not a value: a formula in braces.
fn rds_formula(value: &str) -> Option<String> {
    (value.contains('{') && value.contains('}')).then(|| {
        format!(
            "`{}` is an RDS formula, computed from the instance class at run time",
            value.trim()
        )
    })
}

struct Template<'a> {
    id: FileId,
    text: &'a str,
    params: Option<&'a Node>,
    mappings: Option<&'a Node>,
}

impl Template<'_> {
    fn loc(&self, span: Span) -> Location {
        Location::new(self.id, span)
    }

    fn mark_secrets(&self, doc: &Node, sources: &mut SourceMap) {
        let mut spans: Vec<Span> = Vec::new();
        doc.walk(&mut |k, v| {
            if let Some(k) = k
                && crate::secrets::is_secret_var_name(&k.text)
                && matches!(v.kind, NodeKind::Str(_) | NodeKind::Int(_))
                && tag_of(self.text, v).is_none()
            {
                spans.push(v.span);
            }
        });
        for (_, p) in self.params.and_then(Node::as_map).unwrap_or(&[]) {
            let no_echo = matches!(p.get("NoEcho").map(|n| &n.kind), Some(NodeKind::Bool(true)))
                || p.get("NoEcho").and_then(Node::as_str) == Some("true");
            if no_echo && let Some(d) = p.get("Default") {
                spans.push(d.span);
            }
        }
        for s in spans {
            sources.get_mut(self.id).mark_secret(s);
        }
    }

    /// A property value: its text and where, resolving `Ref` to a
    /// parameter's `Default` and `FindInMap` to a `Mappings` entry.
    fn value(&self, node: &Node) -> (Written, Span) {
        self.value_at_depth(node, 0)
    }

    fn value_at_depth(&self, node: &Node, depth: usize) -> (Written, Span) {
        match intrinsic(self.text, node) {
            Some((f, arg)) if f == "Ref" => {
                let name = arg
                    .and_then(|a| scalar_text(self.text, a))
                    .unwrap_or_default();
                let name = name.trim().to_string();
                let default = self
                    .params
                    .and_then(|p| p.get(&name))
                    .and_then(|p| p.get("Default"));
                match default {
                    Some(d) if scalar_text(self.text, d).is_some() => {
                        (embedded::scalar_value(self.text, d), d.span)
                    }
                    _ => (
                        Written::Unresolved(format!(
                            "`!Ref {name}` is given only when the stack is deployed (no Default in Parameters)"
                        )),
                        node.span,
                    ),
                }
            }
            Some((f, arg)) if f == "FindInMap" && depth < 4 => {
                if let Some(NodeKind::Seq(parts)) = arg.map(|a| &a.kind)
                    && parts.len() == 3
                {
                    let keys: Option<Vec<String>> = parts
                        .iter()
                        .map(|p| match self.value_at_depth(p, depth + 1) {
                            (Written::Text(t), _) => Some(t),
                            _ => None,
                        })
                        .collect();
                    let leaf = keys.and_then(|k| self.mappings?.get(&k[0])?.get(&k[1])?.get(&k[2]));
                    if let Some(leaf) = leaf
                        && scalar_text(self.text, leaf).is_some()
                    {
                        return (embedded::scalar_value(self.text, leaf), leaf.span);
                    }
                }
                (
                    Written::Unresolved(
                        "`FindInMap` names no entry of this template's Mappings that can be known before deployment".into(),
                    ),
                    node.span,
                )
            }
            Some((f, _)) => (
                Written::Unresolved(format!(
                    "`{f}` is a CloudFormation intrinsic function, evaluated when the stack is deployed"
                )),
                node.span,
            ),
            None => (embedded::scalar_value(self.text, node), node.span),
        }
    }

    fn resource(&self, key: &Key, res: &Node) -> Option<Candidate> {
        let ty = res.get("Type")?.as_str()?;
        let props = res.get("Properties")?;
        let found = match ty {
            "AWS::RDS::DBParameterGroup" | "AWS::RDS::DBClusterParameterGroup" => {
                self.parameter_group(props)?
            }
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                let lb_type = props
                    .get("Type")
                    .and_then(Node::as_str)
                    .unwrap_or("application");
                if lb_type != "application" {
                    return None;
                }
                self.attribute(
                    props.get("LoadBalancerAttributes")?,
                    "idle_timeout.timeout_seconds",
                    "aws-alb",
                )?
            }
            "AWS::ElasticLoadBalancingV2::Listener" => self.attribute(
                props.get("ListenerAttributes")?,
                "tcp.idle_timeout.seconds",
                "aws-nlb",
            )?,
            "AWS::ElasticLoadBalancing::LoadBalancer" => {
                let v = props.get("ConnectionSettings")?.get("IdleTimeout")?;
                self.idle(v, "aws-clb")
            }
            "AWS::RDS::DBProxy" => self.idle(props.get("IdleClientTimeout")?, "aws-rds-proxy"),
            _ => return None,
        };
        Some(Candidate {
            address: key.text.clone(),
            at: self.loc(key.span),
            found,
        })
    }

    fn idle(&self, v: &Node, preset: &'static str) -> Found {
        let (value, span) = self.value(v);
        Found::IdleLimit(IdleLimit {
            preset,
            value,
            unit_secs: 1,
            at: self.loc(span),
        })
    }

    /// The `Value` of the `{Key, Value}` item whose key is `key`.
    fn attribute(&self, list: &Node, key: &str, preset: &'static str) -> Option<Found> {
        let NodeKind::Seq(items) = &list.kind else {
            return None;
        };
        items
            .iter()
            .filter(|i| intrinsic(self.text, i).is_none())
            .filter(|i| i.get("Key").and_then(Node::as_str) == Some(key))
            .filter_map(|i| i.get("Value"))
            .next_back()
            .map(|v| self.idle(v, preset))
    }

    fn parameter_group(&self, props: &Node) -> Option<Found> {
        let family = props.get("Family")?;
        let (fam, fam_span) = match self.value(family) {
            (Written::Text(t), s) => (t, s),
            _ => return None,
        };
        let (system, flavor) = family_system(&fam, self.loc(fam_span))?;
        let mut assignments = Vec::new();
        if let Some(params) = props.get("Parameters") {
            self.parameters(params, None, &mut assignments);
        }
        Some(Found::Server(ServerSettings {
            system,
            flavor: Some(flavor),
            assignments,
        }))
    }

    /// The settings of a `Parameters` map; `cond` says which `!If` branch
    /// it is in.
    fn parameters(&self, params: &Node, cond: Option<&str>, out: &mut Vec<Assignment>) {
        if let Some((f, arg)) = intrinsic(self.text, params) {
            if f == "If"
                && let Some(NodeKind::Seq(parts)) = arg.map(|a| &a.kind)
                && let [c, yes, no] = parts.as_slice()
                && cond.is_none()
            {
                let c = scalar_text(self.text, c).unwrap_or_default();
                self.parameters(
                    yes,
                    Some(&format!("set only when condition `{c}` is true")),
                    out,
                );
                self.parameters(
                    no,
                    Some(&format!("set only when condition `{c}` is false")),
                    out,
                );
            }
            return;
        }
        for (k, v) in params.as_map().unwrap_or(&[]) {
            let (value, span) = self.value(v);
            let value = match (value, cond) {
                (Written::Text(t), _) if rds_formula(&t).is_some() => {
                    Written::Unresolved(rds_formula(&t).unwrap_or_default())
                }
                (Written::Text(t), Some(c)) => Written::Unresolved(format!("`{t}` is {c}")),
                (other, _) => other,
            };
            out.push(Assignment {
                name: k.text.clone(),
                name_at: self.loc(k.span),
                value,
                value_at: self.loc(span),
                set_by: SetBy::ParameterGroup,
            });
        }
    }
}

/// The system and flavor of an RDS parameter-group family (`mysql8.0`,
/// `aurora-postgresql15`, `MySQL8.0`): the engine is the family up to the
/// first digit (a trailing `-` dropped), the version the rest. `None` for
/// other engines (oracle, sqlserver) or a template.
pub fn family_system(family: &str, at: Location) -> Option<(System, Flavor)> {
    if template_reason(family).is_some() {
        return None;
    }
    let f = family.trim().to_ascii_lowercase();
    let digit = f.find(|c: char| c.is_ascii_digit()).unwrap_or(f.len());
    let engine = f[..digit].trim_end_matches('-').to_string();
    let version = (digit < f.len()).then(|| f[digit..].to_string());
    let system = match engine.as_str() {
        "mysql" | "aurora-mysql" | "aurora" | "mariadb" => System::Mysql,
        "postgres" | "aurora-postgresql" => System::Postgres,
        _ => return None,
    };
    Some((
        system,
        Flavor {
            product: engine,
            version,
            at,
        },
    ))
}

#[cfg(test)]
mod tests;
