//! Where every value in the model came from.
//!
//! A value is a [`Sourced<T>`]: the value plus its [`Origin`]. Diagnostics and
//! the chain table are built from origins, so a message can always say why the
//! tool believes a number.

use crate::source::{Location, SourceMap};

/// The origin of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Set in a config file; the location covers the value text.
    File(Location),
    /// Not set: the documented default of the system applies.
    Default {
        /// Who defines the default, e.g. `MySQL`, `SQLAlchemy`, `Linux`.
        system: &'static str,
        /// The source of the fact: a doc URL or `repo@commit:path`.
        source: &'static str,
        /// Where the setting would be added (a group header, an engine key),
        /// so a diagnostic about a default still points into the user's file.
        anchor: Option<Location>,
    },
    /// Declared in the manifest (`timeoutlint.toml`).
    Manifest(Location),
    /// From a built-in middlebox preset (`[[path.hop]] preset = "aws-nlb"`).
    Preset {
        /// Preset id, e.g. `aws-nlb`.
        id: String,
        /// The source of the fact: a doc URL.
        source: String,
        /// The manifest entry that names the preset.
        anchor: Option<Location>,
    },
    /// Given on the command line, e.g. `--hop "sg=3600s"`.
    Flag(String),
    /// Not set in the deployment files: the value the server's container
    /// image ships with (its bundled config, `presets/images.toml`,
    /// [`crate::systems::images`]) or a managed service's default parameter
    /// group (`presets/providers.toml`, [`crate::systems::providers`]),
    /// where it differs from the server's compiled default.
    Image {
        /// What ships the value, as the messages name it: an image
        /// (`image mariadb:10.3`) or a managed service
        /// (`Amazon RDS for postgres 15`).
        image: String,
        /// Where the image's value comes from: a Dockerfile or bundled config
        /// at a tag or commit.
        source: String,
        /// The `image:` line that names it.
        anchor: Option<Location>,
    },
    /// Read from an environment variable in Python settings
    /// (`int(os.environ.get("X", "600"))`): `value_from` says whether the
    /// deploy-time value came from the manifest's `[path.env]` / `--env-file`,
    /// or the default written in the code was used.
    Env {
        /// The variable.
        var: String,
        /// `None`: the code's default was used (located at `location`);
        /// `Some(where)`: the deploy-time value given there.
        value_from: Option<String>,
        /// The `os.environ.get(...)` expression in the settings file.
        location: Location,
    },
}

impl Origin {
    /// A documented default without an anchor.
    pub const fn default_of(system: &'static str, source: &'static str) -> Origin {
        Origin::Default {
            system,
            source,
            anchor: None,
        }
    }

    /// The location a diagnostic should point at: the value itself, or the
    /// anchor of a default.
    pub fn location(&self) -> Option<Location> {
        match self {
            Origin::File(l) | Origin::Manifest(l) => Some(*l),
            Origin::Default { anchor, .. }
            | Origin::Preset { anchor, .. }
            | Origin::Image { anchor, .. } => *anchor,
            Origin::Env { location, .. } => Some(*location),
            Origin::Flag(_) => None,
        }
    }

    /// True when the value was written by the user (file, manifest or flag).
    pub fn is_explicit(&self) -> bool {
        !matches!(
            self,
            Origin::Default { .. } | Origin::Preset { .. } | Origin::Image { .. }
        )
    }

    /// Human description: `db/my.cnf:3`, `documented default of MySQL (URL)`,
    /// `timeoutlint.toml:7`, `--hop flag`.
    pub fn describe(&self, sources: &SourceMap) -> String {
        match self {
            Origin::File(l) | Origin::Manifest(l) => sources.short(*l),
            Origin::Default { system, source, .. } => {
                format!("documented default of {system} ({source})")
            }
            Origin::Flag(f) => format!("command line `{f}`"),
            Origin::Preset { id, source, .. } => format!("preset {id} ({source})"),
            Origin::Image { image, source, .. } => format!("default of {image} ({source})"),
            Origin::Env {
                var,
                value_from: None,
                location,
            } => format!(
                "default of environment variable {var} at {} (the deploy-time value is unknown)",
                sources.short(*location)
            ),
            Origin::Env {
                var,
                value_from: Some(from),
                ..
            } => format!("environment variable {var} from {from}"),
        }
    }

    /// Short form for messages: the file position, `X default` or `preset X`.
    pub fn brief(&self, sources: &SourceMap) -> String {
        match self {
            Origin::Default { system, .. } => format!("{system} default"),
            Origin::Preset { id, .. } => format!("preset {id}"),
            Origin::Image { image, .. } => format!("{image} default"),
            Origin::Env {
                var,
                value_from: None,
                location,
            } => format!("default of ${var}, {}", sources.short(*location)),
            Origin::Env {
                var,
                value_from: Some(from),
                ..
            } => format!("${var} from {from}"),
            other => other.describe(sources),
        }
    }

    /// Attaches an anchor to a default (no effect on other origins).
    pub fn anchored(self, at: Option<Location>) -> Origin {
        match self {
            Origin::Default {
                system,
                source,
                anchor: None,
            } => Origin::Default {
                system,
                source,
                anchor: at,
            },
            other => other,
        }
    }
}

/// A value with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced<T> {
    /// The value, already converted to the model's unit.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// Wraps a value.
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }

    /// Maps the value, keeping the origin.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced {
            value: f(self.value),
            origin: self.origin,
        }
    }
}
