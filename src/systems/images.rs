//! Image defaults: the values a database server image runs with when the
//! user gives it no configuration of their own, for the settings timeoutlint
//! models, wherever they differ from the server's compiled default.
//!
//! A docker-compose service or a Kubernetes container that runs `mariadb:10.3`
//! without a mounted option file does not run with MariaDB's compiled
//! defaults: the image's packaged `/etc/mysql/my.cnf` sets
//! `wait_timeout = 600`. This module answers "what does image X ship?" so the
//! systems' doors ([`crate::systems::mysql::resolve`] and its siblings) can
//! start from the image's values instead of the compiled ones.
//!
//! The table is one data file, `presets/images.toml`, embedded in the binary
//! and validated at load ([`load`]); every entry cites the file at a commit or
//! tag that sets the values (or, for an entry without settings, the file that
//! shows the image adds none). The findings and what could not be checked are
//! in `docs/images.md`. An invalid table is a build defect: the unit tests
//! load it, and production code never panics on it ([`all`] is then empty
//! and [`lookup`] finds nothing).
//!
//! # Matching an image reference
//!
//! [`ImageRef::parse`] splits a reference the way Docker does
//! (<https://github.com/distribution/reference/blob/main/reference.go>):
//! `[registry/]path[:tag][@digest]`, where the first path component is a
//! registry when the reference has more than one component and that first one
//! contains `.` or `:` or is `localhost`. The registry is dropped, then a
//! leading `library/` (Docker Hub's namespace of official images, also used
//! by `mirror.gcr.io`) and, on `public.ecr.aws`, a leading `docker/library/`
//! (ECR Public's copy of the official images). What remains is compared,
//! exactly and in lower case, with each entry's `family` and `aliases`: so
//! `mariadb`, `docker.io/library/mariadb` and `mirror.gcr.io/library/mariadb`
//! are all the family `mariadb`, and `bitnami/mariadb` and
//! `public.ecr.aws/bitnami/mariadb` are `bitnami/mariadb`; `ghcr.io/acme/mariadb`
//! (someone else's image) and `harbor.example.com/proxy/mariadb` (a mirror
//! under a path prefix) are not matched.
//!
//! # Versions
//!
//! The version is read from the start of the tag: an optional `v` before a
//! digit, then dot-separated numbers, ended by the end of the tag or a `-`
//! (`10.3`, `10.3.39`, `10.3-focal`, `8`, `8.0.36-debian`,
//! `11.4.3-debian-12-r0`, `v1.25.2-p0`). A tag names every release that starts
//! with those numbers: `10.3` is 10.3.0 up to (not including) 10.4, `8` is
//! 8.x. An entry answers only when one of its ranges holds that whole set, so
//! `mariadb:10` (10.0 to 10.x, across the 10.5 boundary) finds nothing.
//!
//! - No tag, `latest` or `lts`: the newest release line, i.e. the entry whose
//!   range has no upper bound (for `mariadb`, the `>=10.5` entry); none when
//!   the family has no such entry (the table then did not check the newest
//!   release). The table is as of the commits it cites.
//! - A digest without a tag (`postgres@sha256:...`) or a tag without a
//!   version (`alpine`, `focal`): the version is unknown, and an entry answers
//!   only when it covers every version (`versions = "*"`); with a digest and
//!   a tag, the tag decides.
//! - A reference that is not well formed (blank, spaces, `${IMAGE}`, an
//!   empty tag) finds nothing.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use std::cmp::Ordering;

use serde::Deserialize;

use super::versions::{Range, Version, cmp_version, next_line, parse_range, parse_version};

use crate::sources::System;

/// The embedded table.
pub const FILE: &str = include_str!("../../presets/images.toml");

/// What one image family ships for one range of versions.
///
/// `settings` empty means the image was checked and ships none of the
/// modelled settings: the server's compiled defaults apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageDefaults {
    /// `family:versions`, e.g. `mariadb:>=10.0, <10.5`, `postgres:*`,
    /// `bitnami/mysql:8.0 or 8.4`; unique in the table.
    pub id: String,
    /// Repository without registry, `library/` or tag, e.g. `bitnami/mariadb`.
    pub family: String,
    /// Which server the settings belong to.
    pub system: System,
    /// The version ranges as written (`*`, `>=10.5`, `8.0 or 8.4`).
    pub versions: String,
    /// `(name, value)` in the server's own syntax (`("wait_timeout", "600")`),
    /// in name order, for the system's door to parse with its own rules.
    pub settings: Vec<(String, String)>,
    /// URL, at a commit or tag, of the file that sets the values (or shows
    /// that the image sets none).
    pub source: String,
    /// More URLs: the Dockerfile installing the file, reports of the value.
    pub see_also: Vec<String>,
    /// What the check covered and what it did not.
    pub note: Option<String>,
}

/// Errors loading the table (a build defect, caught by the unit tests).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid TOML, misses a key, has an unknown one, or a
    /// setting value is not a string.
    #[error("presets/images.toml: {0}")]
    Syntax(String),
    /// One entry breaks a rule.
    #[error("presets/images.toml: image `{id}`: {message}")]
    Invalid {
        /// The entry's `family:versions` (as written).
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    image: Vec<RawImage>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVersions {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    family: String,
    #[serde(default)]
    aliases: Vec<String>,
    system: String,
    versions: RawVersions,
    settings: BTreeMap<String, String>,
    source: String,
    #[serde(default)]
    see_also: Vec<String>,
    note: Option<String>,
}

fn parse_system(text: &str) -> Option<System> {
    match text {
        "mysql" => Some(System::Mysql),
        "postgres" => Some(System::Postgres),
        "pgbouncer" => Some(System::PgBouncer),
        _ => None,
    }
}

/// One validated entry with its parsed ranges and matched names.
#[derive(Clone, Debug)]
struct Entry {
    defaults: ImageDefaults,
    names: Vec<String>,
    ranges: Vec<Range>,
}

impl Entry {
    fn answers_to(&self, repository: &str) -> bool {
        self.names.iter().any(|n| n == repository)
    }

    fn holds(&self, lo: &[u32], hi: Option<&[u32]>) -> bool {
        self.ranges.iter().any(|r| r.holds(lo, hi))
    }

    fn open_above(&self) -> bool {
        self.ranges.iter().any(|r| r.hi.is_none())
    }

    fn holds_all(&self) -> bool {
        self.ranges.contains(&Range::all())
    }

    /// The lowest bound, for a stable order.
    fn first_lo(&self) -> Option<&[u32]> {
        self.ranges
            .iter()
            .map(|r| r.lo.as_deref().unwrap_or(&[]))
            .min_by(|a, b| cmp_version(a, b))
    }
}

/// Parses and validates the embedded table, in (family, first version) order.
///
/// Errors: TOML syntax, unknown or missing keys, a non-string setting value;
/// a family or alias that is not a lower-case repository path (or names a
/// registry or `library/`); an unknown `system`; a bad version range (only
/// `*`, a bare release line, `>=` and `<` are allowed; empty ranges refused);
/// a setting the system does not model, or a value its server would reject;
/// a source that is not an https URL (a GitHub file URL must be pinned to a
/// commit or a tag, not a branch); an empty note or one ending with a period;
/// two entries answering to one repository name with overlapping ranges.
pub fn load() -> Result<Vec<ImageDefaults>, LoadError> {
    parse(FILE).map(|entries| entries.into_iter().map(|e| e.defaults).collect())
}

fn parse(text: &str) -> Result<Vec<Entry>, LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Syntax(e.message().into()))?;
    let mut out: Vec<Entry> = Vec::with_capacity(raw.image.len());
    for r in raw.image {
        let e = validate(r)?;
        for other in &out {
            let shared = e.names.iter().any(|n| other.answers_to(n));
            let overlap = e
                .ranges
                .iter()
                .any(|a| other.ranges.iter().any(|b| a.overlaps(b)));
            if shared && overlap {
                return Err(LoadError::Invalid {
                    id: e.defaults.id.clone(),
                    message: format!("its versions overlap `{}`", other.defaults.id),
                });
            }
        }
        out.push(e);
    }
    out.sort_by(|a, b| {
        a.defaults
            .family
            .cmp(&b.defaults.family)
            .then_with(|| match (a.first_lo(), b.first_lo()) {
                (Some(x), Some(y)) => cmp_version(x, y),
                _ => Ordering::Equal,
            })
    });
    Ok(out)
}

fn validate(r: RawImage) -> Result<Entry, LoadError> {
    let items = match r.versions {
        RawVersions::One(s) => vec![s],
        RawVersions::Many(v) => v,
    };
    let versions = items
        .iter()
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join(" or ");
    let id = format!("{}:{versions}", r.family);
    let invalid = |message: String| LoadError::Invalid {
        id: id.clone(),
        message,
    };
    for name in std::iter::once(&r.family).chain(&r.aliases) {
        if let Err(why) = check_family(name) {
            return Err(invalid(format!("`{name}`: {why}")));
        }
    }
    let system = parse_system(&r.system).ok_or_else(|| {
        invalid(format!(
            "system must be \"mysql\", \"postgres\" or \"pgbouncer\", not \"{}\"",
            r.system
        ))
    })?;
    if items.is_empty() {
        return Err(invalid("versions is an empty list".into()));
    }
    let ranges = items
        .iter()
        .map(|s| parse_range(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    for (i, a) in ranges.iter().enumerate() {
        if ranges[i + 1..].iter().any(|b| a.overlaps(b)) {
            return Err(invalid("two of its version ranges overlap".into()));
        }
    }
    for (name, value) in &r.settings {
        let accepted = super::table_values::accepts(system, name, value).ok_or_else(|| {
            invalid(format!(
                "`{name}` is not a setting timeoutlint models for {}",
                system.as_str()
            ))
        })?;
        if !accepted {
            return Err(invalid(format!(
                "`{name} = \"{value}\"` is not a value {} accepts",
                system.as_str()
            )));
        }
    }
    check_url(&r.source, true).map_err(|why| invalid(format!("source: {why}")))?;
    for u in &r.see_also {
        check_url(u, false).map_err(|why| invalid(format!("see_also: {why}")))?;
    }
    match &r.note {
        Some(n) if n.trim().is_empty() => return Err(invalid("empty note".into())),
        Some(n) if n.trim_end().ends_with('.') => {
            return Err(invalid("note ends with a period".into()));
        }
        _ => {}
    }
    let mut names = vec![r.family.clone()];
    names.extend(r.aliases.iter().cloned());
    Ok(Entry {
        defaults: ImageDefaults {
            id,
            family: r.family,
            system,
            versions,
            settings: r.settings.into_iter().collect(),
            source: r.source,
            see_also: r.see_also,
            note: r.note,
        },
        names,
        ranges,
    })
}

/// A repository path as [`ImageRef::parse`] leaves it: lower case, no
/// registry, no `library/` prefix.
fn check_family(name: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = name.split('/').collect();
    if !parts.iter().all(|p| is_path_component(p)) {
        return Err("not a lower-case repository path");
    }
    if parts.len() > 1 && is_registry(parts[0]) {
        return Err("names a registry; families are matched without it");
    }
    if parts.len() > 1 && parts[0] == "library" {
        return Err("starts with library/; families are matched without it");
    }
    Ok(())
}

/// `[a-z0-9]` then `[a-z0-9._-]` (Docker's path component, loosely).
fn is_path_component(p: &str) -> bool {
    p.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn is_registry(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

/// An https URL without blanks; with `pinned`, a GitHub file URL
/// (`/blob/<ref>/`) must name a 40-hex commit or a tag-like ref (`v1.2`,
/// `10.4`), not a branch.
fn check_url(url: &str, pinned: bool) -> Result<(), String> {
    if !url.starts_with("https://") || url.chars().any(char::is_whitespace) {
        return Err(format!("`{url}` is not an https URL"));
    }
    if pinned && let Some(rest) = url.strip_prefix("https://github.com/") {
        let git_ref = rest.split('/').skip_while(|s| *s != "blob").nth(1);
        let ok = git_ref.is_some_and(|r| {
            (r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
                || r.bytes().next().is_some_and(|b| b.is_ascii_digit())
                || (r.starts_with('v') && r[1..].bytes().next().is_some_and(|b| b.is_ascii_digit()))
        });
        if !ok {
            return Err(format!(
                "`{url}` is not a GitHub file at a commit or a tag (/blob/<commit or tag>/path)"
            ));
        }
    }
    Ok(())
}

/// The validated table, loaded once, in (family, first version) order.
/// Empty if the embedded file is invalid (a build defect the unit tests
/// catch; never a panic).
fn catalogue() -> &'static [Entry] {
    static CATALOGUE: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| parse(FILE).unwrap_or_default())
}

/// Every entry of the table, in (family, first version) order: the images
/// checked, with the settings each ships (none = compiled defaults).
pub fn all() -> Vec<ImageDefaults> {
    catalogue().iter().map(|e| e.defaults.clone()).collect()
}

/// An image reference split the way Docker splits it (see the module
/// documentation for the normalisation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (and port) as written, lower case, if any:
    /// `docker.io`, `public.ecr.aws`, `localhost:5000`.
    pub registry: Option<String>,
    /// The repository path without registry and `library/`, lower case:
    /// `mariadb`, `bitnami/postgresql`.
    pub repository: String,
    /// The tag as written (case kept), if any: `10.3-focal`.
    pub tag: Option<String>,
    /// The digest as written, if any: `sha256:...`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `text`; `None` when it is not a well-formed reference (blank,
    /// blanks or `$`/`{` inside, an empty component, tag or digest, a tag
    /// longer than 128 characters or with characters Docker refuses).
    pub fn parse(text: &str) -> Option<ImageRef> {
        let t = text.trim();
        if t.is_empty() || t.len() > 1024 || !t.is_ascii() {
            return None;
        }
        let (name_tag, digest) = match t.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (t, None),
        };
        if let Some(d) = digest
            && !is_digest(d)
        {
            return None;
        }
        let (name, tag) = match name_tag.rsplit_once(':') {
            Some((n, tag)) if !tag.contains('/') => (n, Some(tag)),
            _ => (name_tag, None),
        };
        if let Some(tag) = tag
            && !is_tag(tag)
        {
            return None;
        }
        let name = name.to_ascii_lowercase();
        let parts: Vec<&str> = name.split('/').collect();
        let (registry, path) = if parts.len() > 1 && is_registry(parts[0]) {
            (Some(parts[0]), &parts[1..])
        } else {
            (None, &parts[..])
        };
        if let Some(host) = registry
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return None;
        }
        if path.is_empty() || !path.iter().all(|p| is_path_component(p)) {
            return None;
        }
        let mut path = path;
        if registry == Some("public.ecr.aws")
            && path.len() > 2
            && path[..2] == ["docker", "library"]
        {
            path = &path[2..];
        } else if path.len() > 1 && path[0] == "library" {
            path = &path[1..];
        }
        Some(ImageRef {
            registry: registry.map(str::to_string),
            repository: path.join("/"),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    fn wanted(&self) -> Wanted {
        match self.tag.as_deref() {
            None if self.digest.is_some() => Wanted::Unknown,
            None | Some("latest" | "lts") => Wanted::Newest,
            Some(tag) => match tag_version(tag) {
                Some(lo) => {
                    let hi = next_line(&lo);
                    Wanted::Line(lo, hi)
                }
                None => Wanted::Unknown,
            },
        }
    }
}

/// `algorithm:hex` with at least 32 hex digits (OCI digest grammar, loosely).
fn is_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (Docker's tag grammar).
fn is_tag(tag: &str) -> bool {
    tag.len() <= 128
        && tag
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// The release line a tag names: `10.3-focal` -> 10.3, `v1.25.2-p0` ->
/// 1.25.2; `None` when the tag does not start with a version ended by the end
/// of the tag or `-`.
fn tag_version(tag: &str) -> Option<Version> {
    let t = match tag.strip_prefix('v') {
        Some(rest) if rest.bytes().next().is_some_and(|b| b.is_ascii_digit()) => rest,
        _ => tag,
    };
    let end = t
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(t.len());
    let (number, rest) = t.split_at(end);
    if !(rest.is_empty() || rest.starts_with('-')) {
        return None;
    }
    parse_version(number)
}

/// What a reference asks for.
enum Wanted {
    /// Every release in `[lo, hi)`.
    Line(Version, Option<Version>),
    /// The newest release (`latest`, `lts`, no tag).
    Newest,
    /// Not known (a digest alone, a tag without a version).
    Unknown,
}

/// What the image `image` ships for the modelled settings, or `None` when the
/// table has no answer: not a well-formed reference, a family the table does
/// not know, or a version no single entry covers (see the module
/// documentation for tags, `latest` and digests).
///
/// An answer with empty `settings` means the image was checked and ships the
/// server's compiled defaults.
pub fn lookup(image: &str) -> Option<ImageDefaults> {
    let r = ImageRef::parse(image)?;
    let mut family = catalogue().iter().filter(|e| e.answers_to(&r.repository));
    let found = match r.wanted() {
        Wanted::Line(lo, hi) => family.find(|e| e.holds(&lo, hi.as_deref())),
        Wanted::Newest => family.find(|e| e.open_above()),
        Wanted::Unknown => family.find(|e| e.holds_all()),
    };
    found.map(|e| e.defaults.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::systems::{mysql, pgbouncer, postgres};

    fn settings(image: &str) -> Option<Vec<(String, String)>> {
        lookup(image).map(|d| d.settings)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn table_loads_and_validates() {
        let all = load().expect("presets/images.toml is valid");
        assert_eq!(all.len(), 11);
        assert_eq!(super::all(), all);
        let mut ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "ids unique");
        for d in &all {
            assert!(d.source.starts_with("https://github.com/"), "{}", d.id);
            assert!(d.note.is_some(), "{} says what was checked", d.id);
        }
        let families: Vec<&str> = all.iter().map(|d| d.family.as_str()).collect();
        for f in [
            "mysql",
            "mariadb",
            "percona",
            "bitnami/mysql",
            "bitnami/mariadb",
            "postgres",
            "bitnami/postgresql",
            "postgis/postgis",
            "edoburu/pgbouncer",
            "bitnami/pgbouncer",
        ] {
            assert!(families.contains(&f), "{f} checked");
        }
    }

    #[test]
    fn findings() {
        let old = pairs(&[
            ("connect_timeout", "5"),
            ("max_connections", "100"),
            ("wait_timeout", "600"),
        ]);
        let d = lookup("mariadb:10.3").expect("mariadb 10.3 is in the table");
        assert_eq!(d.settings, old);
        assert_eq!(d.system, System::Mysql);
        assert_eq!(d.id, "mariadb:>=10.0, <10.5");
        assert_eq!(
            d.source,
            "https://github.com/MariaDB/server/blob/2161f2a5126700aa3e429450b732951ead9a4f3a/debian/additions/my.cnf"
        );
        let new = lookup("mariadb:11.4").expect("mariadb 11.4 is in the table");
        assert!(new.settings.is_empty());
        assert_eq!(new.id, "mariadb:>=10.5");
        for (image, system) in [
            ("mysql:8.4", System::Mysql),
            ("percona:8.0", System::Mysql),
            ("postgres:17", System::Postgres),
            ("postgis/postgis:17-3.5", System::Postgres),
            ("bitnami/postgresql:17", System::Postgres),
            ("edoburu/pgbouncer:v1.25.2-p0", System::PgBouncer),
            ("bitnami/pgbouncer:1.25.2", System::PgBouncer),
        ] {
            let d = lookup(image).unwrap_or_else(|| panic!("{image} in the table"));
            assert!(d.settings.is_empty(), "{image}");
            assert_eq!(d.system, system, "{image}");
        }
    }

    /// (reference, the entry id it finds, or None)
    #[test]
    fn lookup_accepts_and_rejects() {
        const OLD: Option<&str> = Some("mariadb:>=10.0, <10.5");
        const NEW: Option<&str> = Some("mariadb:>=10.5");
        let cases: &[(&str, Option<&str>)] = &[
            // registries, library/, case
            ("mariadb:10.3", OLD),
            ("docker.io/library/mariadb:10.3", OLD),
            ("docker.io/mariadb:10.3", OLD),
            ("index.docker.io/library/mariadb:10.3", OLD),
            ("library/mariadb:10.3", OLD),
            ("mirror.gcr.io/library/mariadb:10.3", OLD),
            ("public.ecr.aws/docker/library/mariadb:10.3", OLD),
            ("localhost:5000/mariadb:10.3", OLD),
            ("MariaDB:10.3", OLD),
            ("  mariadb:10.3\n", OLD),
            // tag forms
            ("mariadb:10.3.39", OLD),
            ("mariadb:10.3-focal", OLD),
            ("mariadb:10.4.34-focal", OLD),
            ("mariadb:10.0", OLD),
            ("mariadb:10.5", NEW),
            ("mariadb:10.11.9-jammy", NEW),
            ("mariadb:11", NEW),
            ("mariadb:12.2", NEW),
            // ranges: a tag spanning both entries, below every entry
            ("mariadb:10", None),
            ("mariadb:5.5", None),
            // newest, unknown
            ("mariadb", NEW),
            ("mariadb:latest", NEW),
            ("mariadb:lts", NEW),
            ("mariadb:jammy", None),
            (
                "mariadb@sha256:0b892e7e272381f95d74b1c01faf2ff57bdbb69489ff0dcf0f0e1f79006a916c",
                None,
            ),
            (
                "mariadb:10.3@sha256:0b892e7e272381f95d74b1c01faf2ff57bdbb69489ff0dcf0f0e1f79006a916c",
                OLD,
            ),
            (
                "postgres@sha256:0b892e7e272381f95d74b1c01faf2ff57bdbb69489ff0dcf0f0e1f79006a916c",
                Some("postgres:*"),
            ),
            ("postgres:alpine", Some("postgres:*")),
            ("postgres:16.4-bookworm", Some("postgres:*")),
            ("mysql:8.0.36-debian", Some("mysql:*")),
            ("mysql", Some("mysql:*")),
            // bitnami: only the lines read
            (
                "docker.io/bitnami/mariadb:11.4.3-debian-12-r0",
                Some("bitnami/mariadb:10.11 or 11.4"),
            ),
            (
                "public.ecr.aws/bitnami/mariadb:10.11",
                Some("bitnami/mariadb:10.11 or 11.4"),
            ),
            ("bitnami/mariadb:10.6", None),
            ("bitnami/mariadb:latest", None),
            ("bitnami/mysql:8.0.40", Some("bitnami/mysql:8.0 or 8.4")),
            ("bitnami/mysql:8", None),
            ("bitnami/mysql:9.1", None),
            (
                "bitnami/postgresql:17.2.0-debian-12-r3",
                Some("bitnami/postgresql:17"),
            ),
            ("bitnami/postgresql:16", None),
            ("bitnami/pgbouncer:latest", Some("bitnami/pgbouncer:*")),
            // aliases
            ("percona/percona-server:8.0.36-28", Some("percona:*")),
            // other publishers, mirrors under a prefix, lookalikes
            ("ghcr.io/acme/mariadb:10.3", None),
            ("harbor.example.com/proxy/mariadb:10.3", None),
            ("acme/mariadb:10.3", None),
            ("mariadb-galera:10.3", None),
            ("bitnami/mariadb-galera:10.11", None),
            ("redis:7", None),
            // malformed
            ("", None),
            ("   ", None),
            ("mariadb:", None),
            (":10.3", None),
            ("mariadb:10.3 extra", None),
            ("${DB_IMAGE}", None),
            ("mariadb:${TAG}", None),
            ("mariadb@sha256:xyz", None),
            ("mariadb@", None),
            ("//mariadb", None),
            ("mariadb:-10", None),
            ("mariadbé:10.3", None),
        ];
        for (image, want) in cases {
            let got = lookup(image).map(|d| d.id);
            assert_eq!(got.as_deref(), *want, "{image:?}");
        }
    }

    #[test]
    fn references_split_like_docker() {
        let r = |s: &str| ImageRef::parse(s);
        let want = |registry: Option<&str>, repo: &str, tag: Option<&str>, digest: Option<&str>| {
            Some(ImageRef {
                registry: registry.map(str::to_string),
                repository: repo.to_string(),
                tag: tag.map(str::to_string),
                digest: digest.map(str::to_string),
            })
        };
        let dg = "sha256:0b892e7e272381f95d74b1c01faf2ff57bdbb69489ff0dcf0f0e1f79006a916c";
        assert_eq!(r("mariadb"), want(None, "mariadb", None, None));
        assert_eq!(
            r("docker.io/library/postgres:16-alpine"),
            want(Some("docker.io"), "postgres", Some("16-alpine"), None)
        );
        assert_eq!(
            r("localhost:5000/bitnami/pgbouncer"),
            want(Some("localhost:5000"), "bitnami/pgbouncer", None, None)
        );
        assert_eq!(
            r(&format!("quay.io/acme/db:v1.2@{dg}")),
            want(Some("quay.io"), "acme/db", Some("v1.2"), Some(dg))
        );
        assert_eq!(
            r(&format!("postgres@{dg}")),
            want(None, "postgres", None, Some(dg))
        );
        assert_eq!(
            r("Bitnami/MariaDB:Latest").map(|x| x.tag),
            Some(Some("Latest".into()))
        );
        assert_eq!(r("a/b/c/d"), want(None, "a/b/c/d", None, None));
        let long_tag = format!("mariadb:{}", "1".repeat(129));
        for bad in [
            "",
            "a b",
            "mariadb:",
            "mariadb:.x",
            "x//y",
            "/x",
            "x/",
            long_tag.as_str(),
        ] {
            assert_eq!(r(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tag_versions() {
        let v = |s: &str| tag_version(s);
        assert_eq!(v("10.3"), Some(vec![10, 3]));
        assert_eq!(v("10.3.39"), Some(vec![10, 3, 39]));
        assert_eq!(v("10.3-focal"), Some(vec![10, 3]));
        assert_eq!(v("8"), Some(vec![8]));
        assert_eq!(v("8.0.36-debian"), Some(vec![8, 0, 36]));
        assert_eq!(v("11.4.3-debian-12-r0"), Some(vec![11, 4, 3]));
        assert_eq!(v("v1.25.2-p0"), Some(vec![1, 25, 2]));
        assert_eq!(v("17-3.5-alpine"), Some(vec![17]));
        for none in [
            "latest",
            "lts",
            "focal",
            "alpine",
            "v",
            "10.",
            "10..3",
            "10rc1",
            "1.2.3.4.5",
        ] {
            assert_eq!(v(none), None, "{none}");
        }
        assert_eq!(v("99999999999"), None, "does not fit u32");
    }

    #[test]
    fn ranges_parse_and_compare() {
        let r = |s: &str| parse_range(s);
        assert_eq!(r("*"), Ok(Range::all()));
        assert_eq!(
            r("8.4"),
            Ok(Range {
                lo: Some(vec![8, 4]),
                hi: Some(vec![8, 5])
            })
        );
        assert_eq!(
            r(">=10.0, <10.5"),
            Ok(Range {
                lo: Some(vec![10, 0]),
                hi: Some(vec![10, 5])
            })
        );
        assert_eq!(
            r("<10.5"),
            Ok(Range {
                lo: None,
                hi: Some(vec![10, 5])
            })
        );
        for bad in [
            "",
            ">10",
            "<=10",
            "=10",
            ">=10.5, <10.5",
            ">=11, <10",
            ">=1, >=2",
            "10.x",
            "~10",
        ] {
            assert!(r(bad).is_err(), "{bad:?}");
        }
        assert_eq!(cmp_version(&[10, 3], &[10, 3, 0]), Ordering::Equal);
        assert_eq!(cmp_version(&[10, 11], &[10, 5]), Ordering::Greater);
        let old = r(">=10.0, <10.5").unwrap_or_else(|e| panic!("{e}"));
        assert!(old.holds(&[10, 4], Some(&[10, 5])));
        assert!(!old.holds(&[10], Some(&[11])));
        assert!(!old.holds(&[10, 5], Some(&[10, 6])));
        assert!(old.overlaps(&Range::all()));
        assert!(!old.overlaps(&r(">=10.5").unwrap_or_else(|e| panic!("{e}"))));
    }

    #[test]
    fn validation_rejects_bad_entries() {
        let entry = |family: &str, system: &str, versions: &str, settings: &str, source: &str| {
            format!(
                "[[image]]\nfamily = \"{family}\"\nsystem = \"{system}\"\nversions = {versions}\nsettings = {{ {settings} }}\nsource = \"{source}\"\nnote = \"checked\"\n"
            )
        };
        let src = "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/my.cnf";
        let ok = entry(
            "mariadb",
            "mysql",
            "\"<10.5\"",
            "wait_timeout = \"600\"",
            src,
        );
        assert!(parse(&ok).is_ok(), "{:?}", parse(&ok).err());
        let good = [
            entry("x", "mysql", "\"*\"", "max_connections = \"1K\"", src),
            entry(
                "x",
                "postgres",
                "\"16\"",
                "idle_session_timeout = \"5min\"",
                src,
            ),
            entry(
                "x",
                "postgres",
                "\"16\"",
                "tcp_keepalives_idle = \"60\"",
                src,
            ),
            entry(
                "x",
                "pgbouncer",
                "[\"1.2\", \">=1.5\"]",
                "server_idle_timeout = \"0.5\"",
                src,
            ),
            entry("x", "pgbouncer", "\"*\"", "default_pool_size = \"20\"", src),
            entry(
                "x",
                "mysql",
                "\"*\"",
                "",
                "https://github.com/o/r/blob/v1.25.2-p0/f",
            ),
        ];
        for text in good {
            assert!(
                parse(&text).is_ok(),
                "refused:\n{text}\n{:?}",
                parse(&text).err()
            );
        }
        let bad = [
            // names, systems
            entry("MariaDB", "mysql", "\"*\"", "", src),
            entry("docker.io/mariadb", "mysql", "\"*\"", "", src),
            entry("library/mariadb", "mysql", "\"*\"", "", src),
            entry("mariadb", "mssql", "\"*\"", "", src),
            // settings and values
            entry(
                "x",
                "mysql",
                "\"*\"",
                "innodb_buffer_pool_size = \"1G\"",
                src,
            ),
            entry("x", "mysql", "\"*\"", "wait_timeout = \"ten\"", src),
            entry("x", "mysql", "\"*\"", "wait_timeout = \"-1\"", src),
            entry("x", "mysql", "\"*\"", "wait_timeout = 600", src),
            entry("x", "postgres", "\"*\"", "max_connections = \"100ms\"", src),
            entry(
                "x",
                "postgres",
                "\"*\"",
                "statement_timeout = \"5 fortnights\"",
                src,
            ),
            entry(
                "x",
                "pgbouncer",
                "\"*\"",
                "server_idle_timeout = \"10min\"",
                src,
            ),
            entry("x", "pgbouncer", "\"*\"", "max_client_conn = \"1.5\"", src),
            entry("x", "pgbouncer", "\"*\"", "wait_timeout = \"600\"", src),
            // versions
            entry("x", "mysql", "\">10\"", "", src),
            entry("x", "mysql", "[]", "", src),
            entry("x", "mysql", "[\"8\", \"8.0\"]", "", src),
            // sources
            entry("x", "mysql", "\"*\"", "", "http://example.org/my.cnf"),
            entry(
                "x",
                "mysql",
                "\"*\"",
                "",
                "https://github.com/o/r/blob/main/my.cnf",
            ),
            entry("x", "mysql", "\"*\"", "", "https://github.com/o/r"),
            entry("x", "mysql", "\"*\"", "", "https://exa mple.org"),
            // notes, unknown keys
            ok.replace("note = \"checked\"", "note = \"checked.\""),
            ok.replace("note = \"checked\"", "note = \" \""),
            format!("{ok}colour = \"red\"\n"),
            // overlapping entries, also through an alias
            format!("{ok}{}", entry("mariadb", "mysql", "\"10.4\"", "", src)),
            format!(
                "{ok}{}",
                entry("y", "mysql", "\"*\"", "", src).replace(
                    "system = \"mysql\"",
                    "aliases = [\"mariadb\"]\nsystem = \"mysql\""
                )
            ),
            String::from("[[image]]\nfamily = \"x\"\n"),
            String::from("not toml ["),
        ];
        for text in bad {
            assert!(parse(&text).is_err(), "accepted:\n{text}");
        }
        let adjacent = format!("{ok}{}", entry("mariadb", "mysql", "\">=10.5\"", "", src));
        assert!(parse(&adjacent).is_ok(), "adjacent ranges are fine");
    }

    /// Every entry's settings go through its system's door (the same
    /// `resolve` that reads deployment files) without a diagnostic: the table
    /// holds values in each server's own syntax.
    #[test]
    fn every_door_reads_the_table() {
        use crate::source::{Location, SourceMap, Span};
        use crate::sources::{Assignment, SetBy, Written};
        use std::time::Duration;
        for d in all() {
            let mut sources = SourceMap::new(None);
            let text: String = d
                .settings
                .iter()
                .map(|(n, v)| format!("{n}={v}\n"))
                .collect();
            let id = sources.add(std::path::Path::new("image.cnf"), text);
            let mut at = 0;
            let assignments: Vec<Assignment> = d
                .settings
                .iter()
                .map(|(n, v)| {
                    let loc = |s: usize, len: usize| Location::new(id, Span::new(s, s + len));
                    let a = Assignment {
                        name: n.clone(),
                        name_at: loc(at, n.len()),
                        value: Written::Text(v.clone()),
                        value_at: loc(at + n.len() + 1, v.len()),
                        set_by: SetBy::OptionFile,
                    };
                    at += n.len() + v.len() + 2;
                    a
                })
                .collect();
            let anchor = Location::new(id, Span::new(0, 0));
            let mut diags = Vec::new();
            match d.system {
                System::Mysql => {
                    let s =
                        mysql::resolve(&assignments, None, Some(anchor), &mut sources, &mut diags);
                    if d.family == "mariadb" && !d.settings.is_empty() {
                        assert_eq!(s.wait_timeout.value, Duration::from_secs(600));
                        assert_eq!(s.connect_timeout.value, Duration::from_secs(5));
                        assert_eq!(s.max_connections.value, 100);
                    }
                }
                System::Postgres => {
                    postgres::resolve(&assignments, None, Some(anchor), &mut sources, &mut diags);
                }
                System::PgBouncer => {
                    pgbouncer::resolve(&assignments, None, anchor, &mut sources, &mut diags);
                }
            }
            assert!(diags.is_empty(), "{}: {diags:?}", d.id);
        }
    }

    #[test]
    fn lookup_never_panics() {
        let mut inputs: Vec<String> = [
            "@",
            ":",
            "/",
            "@:",
            ":@",
            "a@b:c",
            "a:b@c",
            "a:b:c",
            "é",
            "\u{0}",
            "x:\u{7f}",
            "localhost",
            "localhost/",
            "v",
            "x:v",
            "x:v1",
            "x:0",
            "x:4294967296",
            "x:1.2.3.4.5.6",
            "x:..",
            "[::1]:5000/mariadb:10.3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        inputs.push("a/".repeat(600));
        inputs.push(format!("mariadb:{}", "9".repeat(100)));
        for i in &inputs {
            let _ = lookup(i);
            let _ = ImageRef::parse(i);
        }
        assert_eq!(settings("x:4294967296"), None);
        assert_eq!(
            settings("[::1]:5000/mariadb:10.3").map(|s| s.len()),
            Some(3)
        );
    }
}
