//! Deploy-time values of environment variables that Python settings read
//! (`os.environ.get("X", "600")`), from the manifest's `[path.env]` table or
//! an `--env-file` (dotenv syntax, read with the `dotenvy` crate).
//!
//! Values of variables named like a secret ([`crate::secrets::is_secret_var_name`])
//! and the passwords of URL values are kept in a list
//! ([`EnvValues::secret_values`]); the Python loader records them in the
//! [`crate::source::SourceMap`] so that every output is scrubbed of them (an
//! `--env-file` is not a loaded source file, so there is no span to mark).
//! Errors of a dotenv file name the line and a short reason, never its text.

use std::collections::BTreeMap;
use std::path::Path;

use crate::source::io_reason;

/// Environment values by variable name, each with where it came from.
#[derive(Clone, Debug, Default)]
pub struct EnvValues {
    values: BTreeMap<String, (String, String)>,
    secrets: Vec<String>,
    /// Every variable name asked for, lower-cased (see [`EnvValues::asked`]).
    asked: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl EnvValues {
    /// No values: every environment read falls back to the code's default.
    pub fn new() -> Self {
        EnvValues::default()
    }

    /// Sets `var` to `value`, recording `from` (e.g. `timeoutlint.toml:7`).
    pub fn set(
        &mut self,
        var: impl Into<String>,
        value: impl Into<String>,
        from: impl Into<String>,
    ) {
        let (var, value) = (var.into(), value.into());
        self.note_secrets(&var, &value);
        self.values.insert(var, (value, from.into()));
    }

    /// The secret values seen so far (set or read, even when a later value
    /// won): values of secret-looking variables and URL passwords.
    pub fn secret_values(&self) -> &[String] {
        &self.secrets
    }

    fn note_secrets(&mut self, var: &str, value: &str) {
        let mut found = Vec::new();
        if crate::secrets::is_secret_var_name(var) {
            found.push(value.to_string());
        }
        if value.contains("://") {
            for r in crate::systems::app::url::secret_ranges(value) {
                found.extend(value.get(r).map(str::to_string));
            }
        }
        for r in crate::secrets::assignment_ranges(value) {
            found.extend(value.get(r).map(|v| crate::secrets::unquote(v).to_string()));
        }
        for v in found {
            if !v.is_empty() && !self.secrets.contains(&v) {
                self.secrets.push(v);
            }
        }
    }

    /// The names of every variable the settings asked for so far, set or
    /// not, lower-cased: discovery reads a settings file once without
    /// values, then tries only the deployment environments that set one of
    /// these.
    pub fn asked(&self) -> std::collections::BTreeSet<String> {
        self.asked.borrow().clone()
    }

    fn note_asked(&self, var: &str) {
        if let Ok(mut a) = self.asked.try_borrow_mut()
            && a.len() < 10_000
        {
            a.insert(var.to_ascii_lowercase());
        }
    }

    /// The value of `var` and where it came from.
    pub fn get(&self, var: &str) -> Option<(&str, &str)> {
        self.note_asked(var);
        self.values.get(var).map(|(v, f)| (v.as_str(), f.as_str()))
    }

    /// Like [`EnvValues::get`], matching the name without regard to ASCII
    /// case (as pydantic-settings does by default); an exact match wins,
    /// then the first in name order. Returns the name as set too.
    pub fn get_ignore_case(&self, var: &str) -> Option<(&str, &str, &str)> {
        self.note_asked(var);
        if let Some((k, (v, f))) = self.values.get_key_value(var) {
            return Some((k.as_str(), v.as_str(), f.as_str()));
        }
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(var))
            .map(|(k, (v, f))| (k.as_str(), v.as_str(), f.as_str()))
    }

    /// Adds every `KEY=VALUE` of a dotenv file (values already set win).
    ///
    /// Errors: a message when the file cannot be read or a line does not parse:
    /// `FILE: line N: REASON`, without the line's text (it may hold a secret).
    /// The values read before a bad line are kept.
    pub fn read_env_file(&mut self, path: &Path) -> Result<(), String> {
        let shown = path.display();
        let iter = dotenvy::from_path_iter(path).map_err(|e| match e {
            dotenvy::Error::Io(io) => format!("cannot read {shown}: {}", io_reason(&io)),
            _ => format!("cannot read {shown}"),
        })?;
        for item in iter {
            let (k, v) = match item {
                Ok(kv) => kv,
                Err(e) => return Err(format!("{shown}: {}", describe_error(path, &e))),
            };
            self.note_secrets(&k, &v);
            self.values
                .entry(k)
                .or_insert_with(|| (v, shown.to_string()));
        }
        Ok(())
    }

    /// True when no value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// `line N: REASON` for a dotenvy error, without any text of the file.
///
/// dotenvy reports the text from the bad line on (for an unterminated quote,
/// the rest of the file): the line number is found by locating that text in
/// the file.
fn describe_error(path: &Path, e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(rest, index) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let line = match text.find(rest.as_str()).or_else(|| {
                let first = rest.lines().next().unwrap_or("");
                (!first.is_empty()).then(|| text.find(first)).flatten()
            }) {
                Some(at) => format!("line {}", text[..at].matches('\n').count() + 1),
                None => "a line".to_string(),
            };
            let value = rest.get(..*index).unwrap_or(rest);
            let unbalanced = ['\'', '"']
                .iter()
                .any(|q| value.matches(*q).count() % 2 == 1 || rest.matches(*q).count() % 2 == 1);
            let reason = if unbalanced {
                "unterminated quote"
            } else {
                "invalid dotenv syntax"
            };
            format!("{line}: {reason}")
        }
        dotenvy::Error::Io(io) => io_reason(io),
        _ => "cannot be read".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_every_name_asked_for() {
        let mut env = EnvValues::new();
        env.set("DATABASE_URL", "x", "compose");
        assert!(env.asked().is_empty());
        let _ = env.get("DATABASE_URL");
        let _ = env.get("DB_HOST");
        let _ = env.get_ignore_case("Postgres_Server");
        let want: Vec<&str> = vec!["database_url", "db_host", "postgres_server"];
        assert_eq!(
            env.asked().iter().map(String::as_str).collect::<Vec<_>>(),
            want
        );
    }

    #[test]
    fn env_file_values_do_not_override_manifest_ones() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(".env");
        std::fs::write(&f, "# deploy\nDB_CONN_MAX_AGE=300\nexport POOL=\"5\"\n").unwrap();
        let mut env = EnvValues::new();
        env.set("POOL", "9", "timeoutlint.toml:3");
        env.read_env_file(&f).unwrap();
        assert_eq!(env.get("DB_CONN_MAX_AGE").map(|v| v.0), Some("300"));
        assert_eq!(env.get("POOL"), Some(("9", "timeoutlint.toml:3")));
        assert!(env.read_env_file(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn secrets_are_listed_and_parse_errors_do_not_quote_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(".env");
        std::fs::write(
            &f,
            "DB_PASSWORD=EnvPw-1\nURL=pg://u:UrlPw-2@h/db\nX=\"open\nAPI_TOKEN=Tok-3\n",
        )
        .unwrap();
        let mut env = EnvValues::new();
        env.set("SECRET_KEY", "Key-4", "m:1");
        let err = env.read_env_file(&f).unwrap_err();
        assert!(err.ends_with(": line 3: unterminated quote"), "{err}");
        assert!(!err.contains("Tok-3") && !err.contains("open"), "{err}");
        assert_eq!(env.secret_values(), ["Key-4", "EnvPw-1", "UrlPw-2"]);
        std::fs::write(&f, "A=1\nB=\\q\n").unwrap();
        let err = EnvValues::new().read_env_file(&f).unwrap_err();
        assert!(err.ends_with(": line 2: invalid dotenv syntax"), "{err}");
    }
}
