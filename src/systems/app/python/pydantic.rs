//! pydantic / pydantic-settings `BaseSettings` classes, read from their
//! source: `settings = Settings()` is a mapping of the class's fields, each
//! the deploy-time environment value when one is given, else its default.
//!
//! What is modelled (pydantic-settings 2.x, and pydantic 1.x `BaseSettings`;
//! <https://docs.pydantic.dev/latest/concepts/pydantic_settings/>):
//! - fields are the class's annotated attributes, inherited ones first
//!   (`NAME: int = 5`, `NAME: str = Field("x", alias="OTHER")`; a field
//!   without a default is required);
//! - the environment variable of a field is `env_prefix` + its name,
//!   matched without regard to case unless `case_sensitive=True`; a field
//!   with `alias=` / `validation_alias=` (or 1.x `env=`) is read from that
//!   name instead, without the prefix ("env_prefix does not apply to fields
//!   with alias");
//! - `env_prefix` / `case_sensitive` from `model_config =
//!   SettingsConfigDict(...)` (or a dict), or a 1.x inner `class Config:`;
//! - environment values are converted by the field's annotation (`int`,
//!   `float`, `bool`, `str` and `Optional[...]` / `... | None` of them;
//!   URL and DSN types are strings); keywords of the call
//!   (`Settings(DB_URL=...)`) win over both, as init arguments do.
//!
//! - `@property` / `@computed_field` methods (the usual way to build the
//!   database URL from fields) are evaluated on the object, with
//!   `MultiHostUrl.build(...)` / `PostgresDsn.build(...)` / `AnyUrl.build(...)`
//!   building the URL string from its parts.
//!
//! Not modelled: `env_file` is not read, because which `.env` is used depends
//! on the working directory at run time (give it with `--env-file`, whose
//! values count as environment values); validators and computed fields are
//! code, so their results are unknown (TL012).

use crate::parse::tree::Node;
use crate::source::{Location, Span};

use super::eval::Cast;

/// One field of a settings class.
#[derive(Clone, Debug)]
pub(super) struct Field {
    /// The attribute name.
    pub name: String,
    /// Where the field is declared (its name), in the reader's span space.
    pub span: Span,
    /// The same, as a location, for the provenance of environment values.
    pub location: Location,
    /// The conversion its annotation implies for an environment string.
    pub cast: Cast,
    /// The default, when the field has one and it is known.
    pub default: Option<Node>,
    /// The environment name given by `alias=` / `validation_alias=` / `env=`.
    pub alias: Option<String>,
}

/// A class deriving from `BaseSettings`, with its inherited fields.
#[derive(Clone, Debug, Default)]
pub(super) struct SettingsClass {
    /// Inherited fields first; a redefinition replaces the inherited one.
    pub fields: Vec<Field>,
    /// `env_prefix` (default empty).
    pub env_prefix: String,
    /// `case_sensitive` (default false).
    pub case_sensitive: bool,
    /// `@property` / `@computed_field` methods, in order: name, where the
    /// name is written, the method. Evaluated on the object once its fields
    /// are known (`self.FIELD`), as small functions are (`super::inline`).
    pub computed: Vec<(String, Span, super::inline::FnRef)>,
}

impl SettingsClass {
    /// Adds or replaces a field (a subclass redefining it).
    pub fn set_field(&mut self, f: Field) {
        match self.fields.iter_mut().find(|x| x.name == f.name) {
            Some(slot) => *slot = f,
            None => self.fields.push(f),
        }
    }

    /// The environment variable names that set field `f`, in the order tried.
    pub fn env_names(&self, f: &Field) -> String {
        match &f.alias {
            Some(a) => a.clone(),
            None => format!("{}{}", self.env_prefix, f.name),
        }
    }
}

/// The cast an annotation implies: `int`, `float`, `bool`, `str` (and URL,
/// DSN and secret string types), possibly `Optional[...]` or `| None`;
/// anything else is taken as a string.
pub(super) fn cast_of(annotation: &str) -> Cast {
    let t: String = annotation.split_whitespace().collect();
    let inner = t
        .strip_prefix("Optional[")
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| t.strip_suffix("|None"))
        .or_else(|| t.strip_prefix("None|"))
        .unwrap_or(&t);
    let last = inner.rsplit('.').next().unwrap_or(inner);
    match last {
        "int" | "PositiveInt" | "NonNegativeInt" => Cast::Int,
        "float" | "PositiveFloat" | "NonNegativeFloat" => Cast::Float,
        "bool" | "StrictBool" => Cast::Bool,
        _ => Cast::Str,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_map_to_casts() {
        let table = [
            ("int", Cast::Int),
            ("Optional[int]", Cast::Int),
            ("int | None", Cast::Int),
            ("None | int", Cast::Int),
            ("pydantic.PositiveInt", Cast::Int),
            ("float", Cast::Float),
            ("bool", Cast::Bool),
            ("str", Cast::Str),
            ("PostgresDsn", Cast::Str),
            ("dict[str, int]", Cast::Str),
        ];
        for (a, want) in table {
            assert_eq!(cast_of(a), want, "{a}");
        }
    }
}
