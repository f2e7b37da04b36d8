//! Deploy-time values of environment variables that Python settings read
//! (`os.environ.get("X", "600")`), from the manifest's `[path.env]` table or
//! an `--env-file` (dotenv syntax, read with the `dotenvy` crate).

use std::collections::BTreeMap;
use std::path::Path;

/// Environment values by variable name, each with where it came from.
#[derive(Clone, Debug, Default)]
pub struct EnvValues {
    values: BTreeMap<String, (String, String)>,
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
        self.values.insert(var.into(), (value.into(), from.into()));
    }

    /// The value of `var` and where it came from.
    pub fn get(&self, var: &str) -> Option<(&str, &str)> {
        self.values.get(var).map(|(v, f)| (v.as_str(), f.as_str()))
    }

    /// Adds every `KEY=VALUE` of a dotenv file (values already set win).
    ///
    /// Errors: a message when the file cannot be read or a line does not parse.
    pub fn read_env_file(&mut self, path: &Path) -> Result<(), String> {
        let iter = dotenvy::from_path_iter(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for item in iter {
            let (k, v) = item.map_err(|e| format!("{}: {e}", path.display()))?;
            self.values
                .entry(k)
                .or_insert_with(|| (v, path.display().to_string()));
        }
        Ok(())
    }

    /// True when no value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
