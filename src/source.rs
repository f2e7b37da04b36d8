//! Source files, byte spans and line/column mapping.
//!
//! Every parser works on a [`SourceFile`] held by a [`SourceMap`] and records
//! positions as byte [`Span`]s. Lines and columns are computed only when a
//! diagnostic is rendered: both are 1-based, and columns count Unicode scalar
//! values (characters), not bytes.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// A half-open byte range `start..end` in a source file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte (inclusive).
    pub start: usize,
    /// One past the last byte (exclusive).
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes, end exclusive).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A span inside a particular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file.
    pub file: FileId,
    /// The bytes inside it.
    pub span: Span,
}

impl Location {
    /// A location of `span` in `file`.
    pub fn new(file: FileId, span: Span) -> Self {
        Location { file, span }
    }
}

/// A 1-based line and column (column in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in Unicode scalar values, from 1.
    pub column: usize,
}

/// A location resolved to a display name and line/column range.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resolved {
    /// The file's display name (as given, or relative to the manifest's folder).
    pub file: String,
    /// Start position.
    pub start: LineCol,
    /// End position (exclusive end of the span).
    pub end: LineCol,
}

/// One loaded file: its display name, its path on disk, its text and the
/// spans of the secrets in it.
///
/// Parsers read the real text ([`SourceFile::text`]); everything shown to a
/// user takes the masked text ([`SourceFile::masked_text`]), where every byte of
/// every span marked with [`SourceFile::mark_secret`] (newlines excepted) is a
/// `*`. Both have the same length, so every offset is valid in both.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
    /// Marked secret spans, clamped to the text, in marking order.
    secrets: Vec<Span>,
    /// The masked text, kept up to date at each mark; `None` while no span is
    /// marked (then it equals `text`).
    masked: Option<String>,
}

impl SourceFile {
    /// Wraps `text` under the display `name`; `path` is where it was read from.
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            path: path.into(),
            text,
            line_starts,
            secrets: Vec::new(),
            masked: None,
        }
    }

    /// Display name used in every output.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Path on disk (for resolving relative includes).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The real text, secrets included: for parsers only, never for output
    /// (use [`SourceFile::masked_text`] there).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text with every byte of every marked secret span, except newlines,
    /// replaced by `*`; same length as [`SourceFile::text`].
    pub fn masked_text(&self) -> &str {
        self.masked.as_deref().unwrap_or(&self.text)
    }

    /// The masked text covered by `span`; empty when the span is out of range.
    pub fn masked_slice(&self, span: Span) -> &str {
        self.masked_text().get(span.start..span.end).unwrap_or("")
    }

    /// The marked secret spans, in marking order.
    pub fn secret_spans(&self) -> &[Span] {
        &self.secrets
    }

    /// The text covered by `span`; empty when the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and character column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let mut end = offset;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        LineCol {
            line: line_idx + 1,
            column,
        }
    }

    /// Marks `span` as a secret (a password): the text keeps it for parsing,
    /// [`SourceFile::masked_text`] shows `*` for each of its bytes, and
    /// [`SourceMap::scrub`] masks its value wherever it appears in an output.
    ///
    /// Empty or out-of-range spans are ignored; a span ending past the text is
    /// clamped. Spans whose ends are not on character boundaries are widened to
    /// the enclosing characters.
    pub fn mark_secret(&mut self, span: Span) {
        let mut end = span.end.min(self.text.len());
        let mut start = span.start.min(end);
        while start > 0 && !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while end < self.text.len() && !self.text.is_char_boundary(end) {
            end += 1;
        }
        if start >= end {
            return;
        }
        let span = Span::new(start, end);
        if self.secrets.contains(&span) {
            return;
        }
        self.secrets.push(span);
        let mut bytes = self
            .masked
            .take()
            .unwrap_or_else(|| self.text.clone())
            .into_bytes();
        for b in &mut bytes[start..end] {
            if *b != b'\n' {
                *b = b'*';
            }
        }
        // Whole characters of the span became ASCII, so this stays UTF-8; were
        // it not, masking everything is the safe fallback.
        self.masked =
            Some(String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(self.text.len())));
    }
}

/// Errors reading an input the user named (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist or cannot be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The path as the user wrote it.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The input exists but is not something this command can use.
    #[error("{0}")]
    Invalid(String),
}

/// All files read in one run, deduplicated by canonical path.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    by_path: BTreeMap<PathBuf, FileId>,
    base: Option<PathBuf>,
    /// Secret values known without a span in a file (`--env-file` values).
    extra_secrets: Vec<String>,
}

impl SourceMap {
    /// A map whose display names are relative to `base` (the manifest's folder)
    /// when a file lies under it, and as given otherwise.
    pub fn new(base: Option<PathBuf>) -> Self {
        SourceMap {
            files: Vec::new(),
            by_path: BTreeMap::new(),
            base: base.map(|b| normalize(&b)),
            extra_secrets: Vec::new(),
        }
    }

    /// Reads `path` (once; a second call returns the same id).
    ///
    /// Errors: [`LoadError::Unreadable`] when the file cannot be read. Bytes that
    /// are not UTF-8 are replaced with U+FFFD.
    pub fn load(&mut self, path: &Path) -> Result<FileId, LoadError> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path));
        if let Some(id) = self.by_path.get(&key) {
            return Ok(*id);
        }
        let bytes = std::fs::read(path).map_err(|e| LoadError::Unreadable {
            path: self.display_name(path),
            reason: io_reason(&e),
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let id = self.add(path, text);
        self.by_path.insert(key, id);
        Ok(id)
    }

    /// Adds in-memory `text` read from `path` (not deduplicated).
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        let id = FileId(self.files.len());
        let name = self.display_name(path);
        self.files.push(SourceFile::new(name, path, text));
        id
    }

    /// The file with id `id`.
    ///
    /// Ids come only from this map, so the index is always valid.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// Mutable access, for [`SourceFile::mark_secret`].
    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0]
    }

    /// Records a secret value that has no span in a loaded file (a value of
    /// the `--env-file`), so that [`SourceMap::scrub`] masks it too.
    pub fn add_secret_value(&mut self, value: &str) {
        if !value.is_empty() && !self.extra_secrets.iter().any(|v| v == value) {
            self.extra_secrets.push(value.to_string());
        }
    }

    /// Every secret value: the text of each marked span of each file (without
    /// the quotes around a quoted value, see [`crate::secrets::unquote`]) and
    /// each value given to [`SourceMap::add_secret_value`]; deduplicated,
    /// longest first, then by bytes.
    pub fn secret_values(&self) -> Vec<String> {
        let spans = self.files.iter().flat_map(|f| {
            f.secret_spans()
                .iter()
                .map(move |s| crate::secrets::unquote(f.slice(*s)).to_string())
        });
        let mut out: Vec<String> = spans
            .chain(self.extra_secrets.iter().cloned())
            .filter(|v| !v.is_empty())
            .collect();
        out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        out.dedup();
        out
    }

    /// `text` (an output: a rendered report, a message, a baseline) with every
    /// occurrence of every secret value of [`SourceMap::secret_values`] masked
    /// (see [`crate::secrets::scrub`] for the forms matched and the minimum
    /// length [`crate::secrets::MIN_SCRUB_LEN`]).
    pub fn scrub(&self, text: &str) -> String {
        crate::secrets::scrub(text, &self.secret_values())
    }

    /// All files, in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// The display name for `path`: relative to the base folder when under it,
    /// else as given; always with `/` separators and without a leading `./`.
    pub fn display_name(&self, path: &Path) -> String {
        let norm = normalize(path);
        let shown = match &self.base {
            Some(base) if !base.as_os_str().is_empty() => norm
                .strip_prefix(base)
                .map(Path::to_path_buf)
                .unwrap_or(norm),
            _ => norm,
        };
        let s = shown.to_string_lossy().replace('\\', "/");
        if s.is_empty() { ".".to_string() } else { s }
    }

    /// Resolves a location to display name, start and end line/column.
    pub fn resolve(&self, loc: Location) -> Resolved {
        let f = self.get(loc.file);
        Resolved {
            file: f.name().to_string(),
            start: f.line_col(loc.span.start),
            end: f.line_col(loc.span.end),
        }
    }

    /// `name:line` of a location, for messages and the chain table.
    pub fn short(&self, loc: Location) -> String {
        let r = self.resolve(loc);
        format!("{}:{}", r.file, r.start.line)
    }

    /// The text a location covers.
    pub fn text_at(&self, loc: Location) -> &str {
        self.get(loc.file).slice(loc.span)
    }
}

/// A cap on how many files one loader reads while following includes, so a
/// pathological include tree (or a cycle the loader does not see) ends.
/// Going over it is reported once, as a warning at the include that was not
/// followed.
#[derive(Debug)]
pub struct ReadBudget {
    reads: usize,
    limit: usize,
    reported: bool,
}

impl ReadBudget {
    /// A budget of `limit` file reads.
    pub fn new(limit: usize) -> Self {
        ReadBudget {
            reads: 0,
            limit,
            reported: false,
        }
    }

    /// Counts one file read.
    pub fn count(&mut self) {
        self.reads += 1;
    }

    /// True when no read is left; the first time, pushes the warning (with
    /// `code`, the loader's include code) at `at`.
    pub fn exhausted(
        &mut self,
        at: Location,
        code: crate::rules::codes::Code,
        diags: &mut Vec<crate::diagnostic::Diagnostic>,
    ) -> bool {
        if self.reads < self.limit {
            return false;
        }
        if !self.reported {
            self.reported = true;
            diags.push(
                crate::diagnostic::Diagnostic::new(
                    code,
                    format!("stopped following includes after {} file reads", self.limit),
                    crate::diagnostic::Label::at(at, "not read"),
                )
                .with_severity(crate::diagnostic::Severity::Warning),
            );
        }
        true
    }
}

/// Lexical normalisation: drops `.` components and folds `..` where possible.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A short, stable reason for an I/O error (no OS error numbers).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("a", "a", "ab\n# café\nx = 1\n".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        let x = f.text().find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 3, column: 1 });
        let one = f.text().find('1').unwrap();
        assert_eq!(f.line_col(one), LineCol { line: 3, column: 5 });
        // After the multi-byte é, the column counts characters.
        let end_of_cafe = f.text().find('\n').unwrap() + 1 + "# café".len();
        assert_eq!(f.line_col(end_of_cafe), LineCol { line: 2, column: 7 });
    }

    #[test]
    fn mark_secret_masks_a_copy_and_keeps_offsets() {
        let text = "url: mysql://u:sécret@h/db\n";
        let mut f = SourceFile::new("a", "a", text.to_string());
        assert_eq!(f.masked_text(), text);
        let start = f.text().find("sécret").unwrap();
        let span = Span::new(start, start + "sécret".len());
        f.mark_secret(span);
        f.mark_secret(span);
        assert_eq!(f.text(), text);
        assert_eq!(f.slice(span), "sécret");
        assert!(!f.masked_text().contains("sécret"));
        assert_eq!(f.masked_text().len(), text.len());
        assert_eq!(f.masked_slice(span), "*******");
        assert!(f.masked_text().contains("@h/db"));
        assert_eq!(f.secret_spans(), [span]);
        // A span cutting into `é` is widened; one past the end is clamped.
        let mut g = SourceFile::new("a", "a", "é\nab".to_string());
        g.mark_secret(Span::new(1, 99));
        assert_eq!(g.masked_text(), "**\n**");
        g.mark_secret(Span::new(9, 12));
        assert_eq!(g.secret_spans().len(), 1);
    }

    #[test]
    fn source_map_lists_and_scrubs_secret_values() {
        let mut m = SourceMap::new(None);
        let id = m.add(
            Path::new("a.yaml"),
            "password: 'CanaryPw-1'\nx: ab\n".to_string(),
        );
        let s = m.get(id).text().find('\'').unwrap();
        m.get_mut(id)
            .mark_secret(Span::new(s, s + "'CanaryPw-1'".len()));
        let x = m.get(id).text().find("ab").unwrap();
        m.get_mut(id).mark_secret(Span::new(x, x + 2));
        m.add_secret_value("EnvSecret-2");
        m.add_secret_value("");
        assert_eq!(m.secret_values(), ["EnvSecret-2", "CanaryPw-1", "ab"]);
        assert_eq!(
            m.scrub("pw CanaryPw-1 and EnvSecret-2, ab stays"),
            "pw ********** and ***********, ab stays"
        );
    }

    #[test]
    fn display_names_relative_to_base() {
        let m = SourceMap::new(Some(PathBuf::from("examples/x")));
        assert_eq!(
            m.display_name(Path::new("examples/x/db/my.cnf")),
            "db/my.cnf"
        );
        assert_eq!(
            m.display_name(Path::new("./examples/x/./db/../db/my.cnf")),
            "db/my.cnf"
        );
        assert_eq!(m.display_name(Path::new("/etc/my.cnf")), "/etc/my.cnf");
        let m = SourceMap::new(None);
        assert_eq!(m.display_name(Path::new("./a/b.cnf")), "a/b.cnf");
    }
}
