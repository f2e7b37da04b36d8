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
    /// The file's display name (see [`SourceMap::display_name`]).
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

    /// 0-based index of the line holding byte `offset` (clamped to the
    /// text), and the byte offset where that line starts: a binary search of
    /// the line index built once per file.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (line_idx, self.line_starts[line_idx])
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    fn boundary(&self, offset: usize) -> usize {
        let mut end = offset.min(self.text.len());
        while end > 0 && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        end
    }

    /// 1-based line and character column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let (line_idx, start) = self.line_of(offset);
        let end = self.boundary(offset).max(start);
        let column = self.text[start..end].chars().count() + 1;
        LineCol {
            line: line_idx + 1,
            column,
        }
    }

    /// 1-based line and 1-based UTF-8 **byte** column of byte `offset`
    /// (clamped to the text and moved back to a character boundary, as
    /// [`SourceFile::line_col`] does), for formats that count bytes (rdjson).
    pub fn byte_line_col(&self, offset: usize) -> LineCol {
        let (line_idx, start) = self.line_of(offset);
        let end = self.boundary(offset).max(start);
        LineCol {
            line: line_idx + 1,
            column: end - start + 1,
        }
    }

    /// Line `line` (1-based) of the masked text, without its `\n` (a `\r`
    /// before it is kept); empty past the last line.
    pub fn masked_line(&self, line: usize) -> &str {
        let text = self.masked_text();
        let Some(&start) = line.checked_sub(1).and_then(|i| self.line_starts.get(i)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        text.get(start..end).unwrap_or("")
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

impl LoadError {
    /// The reason alone, without the path (for messages that name the path
    /// themselves, such as an include's finding).
    pub fn reason(&self) -> &str {
        match self {
            LoadError::Unreadable { reason, .. } => reason,
            LoadError::Invalid(r) => r,
        }
    }
}

/// The default cap on the size of one input file: 8 MiB (`--max-file-size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// What a run may read: every file and folder must lie inside the project
/// `root` (after symlinks are resolved), be a regular file (or a folder where
/// one is listed), and be at most `max_file_size` bytes.
///
/// A pull request author controls every config file and every include line,
/// so this is the one gate all reads go through (SECURITY.md).
#[derive(Clone, Debug)]
pub struct ReadPolicy {
    /// Canonical project root; `None` reads anywhere (library use and unit
    /// tests only: the command line always sets one).
    root: Option<PathBuf>,
    /// Largest file read, in bytes.
    max_file_size: u64,
}

impl Default for ReadPolicy {
    fn default() -> Self {
        ReadPolicy {
            root: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

impl ReadPolicy {
    /// Reads only inside `root` (canonicalised here; a root that does not
    /// exist stays as given, so nothing matches it), files of at most
    /// `max_file_size` bytes.
    pub fn new(root: Option<&Path>, max_file_size: u64) -> Self {
        ReadPolicy {
            root: root.map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| normalize(r))),
            max_file_size,
        }
    }

    /// The canonical project root, when reads are confined.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The size cap in bytes.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// Resolves `path` (symlinks included) and checks it lies inside the root.
    ///
    /// Errors: [`LoadError::Unreadable`] when the path does not resolve
    /// (missing, a symlink loop) or resolves outside the root.
    pub fn resolve(&self, path: &Path, shown: &str) -> Result<PathBuf, LoadError> {
        let outside = || LoadError::Unreadable {
            path: shown.to_string(),
            reason: OUTSIDE_ROOT.to_string(),
        };
        let real = match std::fs::canonicalize(path) {
            Ok(real) => real,
            Err(e) => {
                // A path that does not resolve is still judged by its name, so
                // whether something exists outside the root is never told.
                let absolute = std::env::current_dir()
                    .map(|cwd| normalize(&cwd.join(path)))
                    .unwrap_or_else(|_| normalize(path));
                if let Some(root) = &self.root
                    && !absolute.starts_with(root)
                {
                    return Err(outside());
                }
                return Err(LoadError::Unreadable {
                    path: shown.to_string(),
                    reason: io_reason(&e),
                });
            }
        };
        if let Some(root) = &self.root {
            if !real.starts_with(root) {
                return Err(outside());
            }
            // Git's own files (`.git/config` holds the CI token that
            // actions/checkout leaves) are never a config of ours.
            if real
                .strip_prefix(root)
                .is_ok_and(|rel| rel.components().any(|c| c.as_os_str() == ".git"))
            {
                return Err(LoadError::Unreadable {
                    path: shown.to_string(),
                    reason: "inside .git; not read".to_string(),
                });
            }
        }
        Ok(real)
    }

    /// Checks that `path` is a folder inside the root and returns its
    /// resolved path, for listing (`!includedir`, `include_dir`, sysctl.d).
    ///
    /// Errors: as [`ReadPolicy::resolve`], or "not a directory".
    pub fn check_dir(&self, path: &Path, shown: &str) -> Result<PathBuf, LoadError> {
        let real = self.resolve(path, shown)?;
        match std::fs::metadata(&real) {
            Ok(m) if m.is_dir() => Ok(real),
            Ok(_) => Err(LoadError::Unreadable {
                path: shown.to_string(),
                reason: "not a directory".to_string(),
            }),
            Err(e) => Err(LoadError::Unreadable {
                path: shown.to_string(),
                reason: io_reason(&e),
            }),
        }
    }

    /// Reads the regular file at `path` inside the root, at most
    /// `max_file_size` bytes; returns its resolved path and bytes.
    ///
    /// Devices, FIFOs and sockets are refused before they are opened, so a
    /// read never blocks or runs forever; a file that grows past the cap while
    /// read (or a /proc file, whose size reads as 0) is cut off and refused.
    ///
    /// Errors: [`LoadError::Unreadable`] with the reason: outside the root,
    /// a directory, not a regular file, larger than the cap, or the OS error.
    pub fn read(&self, path: &Path, shown: &str) -> Result<(PathBuf, Vec<u8>), LoadError> {
        use std::io::Read;
        let unreadable = |reason: String| LoadError::Unreadable {
            path: shown.to_string(),
            reason,
        };
        let real = self.resolve(path, shown)?;
        let meta = std::fs::metadata(&real).map_err(|e| unreadable(io_reason(&e)))?;
        if meta.is_dir() {
            return Err(unreadable("is a directory".to_string()));
        }
        if !meta.is_file() {
            return Err(unreadable(
                "not a regular file (a device, FIFO or socket); not read".to_string(),
            ));
        }
        let too_large = || {
            unreadable(format!(
                "larger than the {} byte cap; not read (raise it with --max-file-size)",
                self.max_file_size
            ))
        };
        // An editor's unsaved buffer replaces the file's bytes, after the
        // checks above (inside the root, a regular file on disk) and under
        // the same size cap.
        if let Some(text) = overlay::get(&real) {
            if text.len() as u64 > self.max_file_size {
                return Err(too_large());
            }
            return Ok((real, text.into_bytes()));
        }
        if meta.len() > self.max_file_size {
            return Err(too_large());
        }
        let file = std::fs::File::open(&real).map_err(|e| unreadable(io_reason(&e)))?;
        let mut bytes = Vec::new();
        file.take(self.max_file_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(io_reason(&e)))?;
        if bytes.len() as u64 > self.max_file_size {
            return Err(too_large());
        }
        Ok((real, bytes))
    }
}

/// The unsaved buffers of an editor (the language server's open documents),
/// laid over the files on disk for the reads of the current thread.
///
/// Every read still goes through [`ReadPolicy::read`] (and discovery's walk,
/// `src/discover/walk.rs`): the path must resolve inside the root to a
/// regular file on disk, and the buffer must fit the size cap; only then are
/// the buffer's bytes used instead of the file's. A buffer for a file that
/// does not exist on disk is never read. Keys are canonical paths.
///
/// The overlay is per thread: the server sets it on the thread that runs the
/// checks, and the command line never sets one.
pub mod overlay {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    thread_local! {
        static BUFFERS: RefCell<BTreeMap<PathBuf, String>> = const { RefCell::new(BTreeMap::new()) };
    }

    fn key(path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| super::normalize(path))
    }

    /// Lays `text` over the file at `path` (canonicalised when it exists).
    pub fn set(path: &Path, text: String) {
        let k = key(path);
        BUFFERS.with(|b| b.borrow_mut().insert(k, text));
    }

    /// Removes the buffer over `path`: reads see the disk again.
    pub fn remove(path: &Path) {
        let k = key(path);
        BUFFERS.with(|b| b.borrow_mut().remove(&k));
    }

    /// Removes every buffer of this thread.
    pub fn clear() {
        BUFFERS.with(|b| b.borrow_mut().clear());
    }

    /// The buffer over the canonical path `real`, if any.
    pub fn get(real: &Path) -> Option<String> {
        BUFFERS.with(|b| b.borrow().get(real).cloned())
    }
}

/// The reason given for a path that resolves outside the project root.
pub const OUTSIDE_ROOT: &str = "outside the project root; not read (--root widens it)";

/// The project root for `dir`: the git work tree holding it (the nearest
/// folder above with a `.git` entry), else `dir` itself. Nothing is run:
/// only the presence of `.git` is checked.
pub fn project_root_of(dir: &Path) -> PathBuf {
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| normalize(dir));
    start
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// The folder display names are relative to, as an absolute path: as given
/// (normalised) and with symlinks resolved, so a file named through either
/// spelling is recognised as inside it.
#[derive(Debug)]
struct Base {
    /// Absolute and lexically normalised (the working directory joined to a
    /// relative folder); empty when the working directory is unknown and the
    /// folder was relative (then names are as given).
    lexical: PathBuf,
    /// The canonical folder, when it exists.
    real: Option<PathBuf>,
    /// The working directory, for making relative paths absolute.
    cwd: Option<PathBuf>,
}

impl Base {
    fn new(folder: &Path) -> Self {
        let cwd = std::env::current_dir().ok();
        let lexical = match &cwd {
            Some(cwd) => normalize(&cwd.join(folder)),
            None if folder.is_absolute() => normalize(folder),
            None => PathBuf::new(),
        };
        Base {
            real: std::fs::canonicalize(&lexical).ok(),
            lexical,
            cwd,
        }
    }

    /// `path` relative to the base, when it lies inside it.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        if self.lexical.as_os_str().is_empty() {
            return None;
        }
        let absolute = match &self.cwd {
            Some(cwd) => normalize(&cwd.join(path)),
            None => normalize(path),
        };
        if let Ok(rel) = absolute.strip_prefix(&self.lexical) {
            return Some(rel.to_path_buf());
        }
        // Named through a symlink (or the base is): compare real paths.
        let real_base = self.real.as_ref()?;
        let real = std::fs::canonicalize(&absolute).ok()?;
        real.strip_prefix(real_base).ok().map(Path::to_path_buf)
    }

    /// Whether the base is the filesystem root (`--root /`): names then stay
    /// absolute, as `/etc/mysql/my.cnf` reads better than `etc/mysql/my.cnf`.
    fn is_filesystem_root(&self) -> bool {
        self.lexical.parent().is_none() && self.lexical.has_root()
    }

    /// `path` made absolute and normalised, for a file outside the base.
    fn absolute(&self, path: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) => normalize(&cwd.join(path)),
            None => normalize(path),
        }
    }
}

/// All files read in one run, deduplicated by canonical path.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    by_path: BTreeMap<PathBuf, FileId>,
    base: Option<Base>,
    policy: ReadPolicy,
    /// Secret values known without a span in a file (`--env-file` values).
    extra_secrets: Vec<String>,
}

impl SourceMap {
    /// A map whose display names are relative to the folder `base` (the
    /// command line passes `--root`, else the working directory); see
    /// [`SourceMap::display_name`]. Without a base, names are the paths as
    /// given, normalised.
    pub fn new(base: Option<PathBuf>) -> Self {
        SourceMap {
            files: Vec::new(),
            by_path: BTreeMap::new(),
            base: base.map(|b| Base::new(&b)),
            policy: ReadPolicy::default(),
            extra_secrets: Vec::new(),
        }
    }

    /// Sets what this map may read (root and size cap).
    pub fn with_policy(mut self, policy: ReadPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// What this map may read.
    pub fn policy(&self) -> &ReadPolicy {
        &self.policy
    }

    /// Checks that `path` is a folder this map may list; see
    /// [`ReadPolicy::check_dir`].
    pub fn check_dir(&self, path: &Path) -> Result<PathBuf, LoadError> {
        self.policy.check_dir(path, &self.display_name(path))
    }

    /// Reads `path` (once; a second call returns the same id).
    ///
    /// Errors: [`LoadError::Unreadable`] when the file cannot be read, or the
    /// map's [`ReadPolicy`] refuses it (outside the root, not a regular file,
    /// over the size cap). Bytes that are not UTF-8 are replaced with U+FFFD.
    pub fn load(&mut self, path: &Path) -> Result<FileId, LoadError> {
        let policy = self.policy.clone();
        self.load_with(path, &policy)
    }

    /// Like [`SourceMap::load`], for a file named by a command-line option
    /// (`--config`): the person who writes the command line chose it, so it
    /// may lie outside the project root; the other checks still hold.
    ///
    /// Errors: as [`SourceMap::load`].
    pub fn load_option_file(&mut self, path: &Path) -> Result<FileId, LoadError> {
        let policy = ReadPolicy {
            root: None,
            max_file_size: self.policy.max_file_size,
        };
        self.load_with(path, &policy)
    }

    fn load_with(&mut self, path: &Path, policy: &ReadPolicy) -> Result<FileId, LoadError> {
        let shown = self.display_name(path);
        let key = policy.resolve(path, &shown)?;
        if let Some(id) = self.by_path.get(&key) {
            return Ok(*id);
        }
        let (_, bytes) = policy.read(path, &shown)?;
        let id = self.add(path, decode(bytes));
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

    /// The display name for `path` (as given: relative to the working
    /// directory, or absolute), the one every format prints:
    ///
    /// * relative to the base folder when the file lies inside it (after
    ///   making both absolute and normalising `.` and `..`; or, failing
    ///   that, after resolving symlinks): `services/api/app.yaml`;
    /// * otherwise the absolute, normalised path, as ruff shows a file
    ///   outside its working directory: `/srv/shared/my.cnf`; the same when
    ///   the base is the filesystem root (`--root /`);
    /// * without a base, the path as given, normalised.
    ///
    /// Always with `/` separators, without a leading `./`; `.` for the base
    /// itself; control characters escaped.
    pub fn display_name(&self, path: &Path) -> String {
        let shown = match &self.base {
            Some(base) if base.is_filesystem_root() => base.absolute(path),
            Some(base) => match base.relative(path) {
                Some(rel) => rel,
                None if base.lexical.as_os_str().is_empty() => normalize(path),
                None => base.absolute(path),
            },
            None => normalize(path),
        };
        let s = shown.to_string_lossy().replace('\\', "/");
        // A name is shown, never used as a path: control characters in it
        // (a newline and a forged `::error`, terminal escapes) are escaped.
        let s = crate::report::escape::control(&s).into_owned();
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
/// Going over it is reported once, by the include follower
/// (`crate::systems::include`), at the include that was not followed; this
/// type only counts.
#[derive(Debug)]
pub struct ReadBudget {
    reads: usize,
    limit: usize,
    reported: bool,
}

/// What [`ReadBudget::exhausted`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    /// Reads are left: the file may be read.
    No,
    /// No read is left, and this is the first time it was asked: the
    /// caller reports it.
    First,
    /// No read is left, already said once.
    Again,
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

    /// The number of reads allowed.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Counts one file read.
    pub fn count(&mut self) {
        self.reads += 1;
    }

    /// Whether a read is left, and if not, whether this is the first time
    /// the caller hears so.
    pub fn exhausted(&mut self) -> Exhausted {
        if self.reads < self.limit {
            Exhausted::No
        } else if self.reported {
            Exhausted::Again
        } else {
            self.reported = true;
            Exhausted::First
        }
    }
}

/// The text of a file's bytes: UTF-16 with a byte order mark is decoded, a
/// UTF-8 byte order mark is dropped (servers read a my.cnf whose first line
/// is `\u{feff}[mysqld]` as a group header too), and bytes that are not
/// UTF-8 become U+FFFD. Offsets are into this text.
pub fn decode(bytes: Vec<u8>) -> String {
    let utf16 = |be: bool| {
        let units = bytes[2..].chunks(2).map(|c| match (c, be) {
            ([a, b], true) => u16::from_be_bytes([*a, *b]),
            ([a, b], false) => u16::from_le_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
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
    fn lines_and_byte_columns_from_the_line_index() {
        let mut f = SourceFile::new("a", "a", "ab\r\npw = café\n\nlast".to_string());
        let pw = f.text().find("café").unwrap();
        f.mark_secret(Span::new(pw, pw + "café".len()));
        assert_eq!(f.masked_line(1), "ab\r");
        assert_eq!(f.masked_line(2), "pw = *****");
        assert_eq!(f.masked_line(3), "");
        assert_eq!(f.masked_line(4), "last");
        assert_eq!(f.masked_line(0), "");
        assert_eq!(f.masked_line(5), "");
        let end = f.text().len();
        assert_eq!(f.byte_line_col(end), LineCol { line: 4, column: 5 });
        assert_eq!(
            f.byte_line_col(pw + 5),
            LineCol {
                line: 2,
                column: 11
            }
        );
        assert_eq!(
            f.line_col(pw + 5),
            LineCol {
                line: 2,
                column: 10
            }
        );
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
    fn decoding_boms_and_utf16() {
        let cases: &[(&[u8], &str)] = &[
            (b"[mysqld]\n", "[mysqld]\n"),
            (b"\xEF\xBB\xBF[mysqld]\n", "[mysqld]\n"),
            (b"\xFF\xFE[\x00m\x00]\x00\n\x00", "[m]\n"),
            (b"\xFE\xFF\x00[\x00m\x00]\x00\n", "[m]\n"),
            (b"\xFF\xFE[\x00\x00\xD8", "[\u{fffd}"),
            (b"a\xFFb", "a\u{fffd}b"),
            (b"a\x00b", "a\x00b"),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode(bytes.to_vec()), *want, "{bytes:?}");
        }
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
        let cwd = std::env::current_dir().expect("cwd");
        // An absolute path inside the base is relative too; one outside it
        // is shown absolute and normalised (as ruff does).
        assert_eq!(m.display_name(&cwd.join("examples/x/app.yaml")), "app.yaml");
        assert_eq!(
            m.display_name(Path::new("examples/y/../z/a.cnf")),
            format!("{}/examples/z/a.cnf", cwd.display())
        );
        assert_eq!(m.display_name(Path::new("examples/x")), ".");
        // The working directory as the base: paths as typed, normalised.
        let m = SourceMap::new(Some(cwd.clone()));
        assert_eq!(
            m.display_name(Path::new("services/api/./app.yaml")),
            "services/api/app.yaml"
        );
        assert_eq!(
            m.display_name(&cwd.join("services/api/app.yaml")),
            "services/api/app.yaml"
        );
        // `--root /`: absolute names.
        let m = SourceMap::new(Some(PathBuf::from("/")));
        assert_eq!(m.display_name(Path::new("/etc/my.cnf")), "/etc/my.cnf");
        let m = SourceMap::new(None);
        assert_eq!(m.display_name(Path::new("./a/b.cnf")), "a/b.cnf");
    }

    #[cfg(unix)]
    #[test]
    fn display_names_see_through_symlinked_bases() {
        let t = tempfile::tempdir().expect("tempdir");
        let real = t.path().join("real");
        std::fs::create_dir_all(real.join("db")).expect("mkdir");
        std::fs::write(real.join("db/my.cnf"), "[mysqld]\n").expect("write");
        std::os::unix::fs::symlink(&real, t.path().join("link")).expect("symlink");
        let m = SourceMap::new(Some(t.path().join("link")));
        assert_eq!(m.display_name(&real.join("db/my.cnf")), "db/my.cnf");
        let m = SourceMap::new(Some(real.clone()));
        assert_eq!(
            m.display_name(&t.path().join("link/db/my.cnf")),
            "db/my.cnf"
        );
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    fn reason(r: Result<(PathBuf, Vec<u8>), LoadError>) -> String {
        match r {
            Ok(_) => "read".to_string(),
            Err(e) => e.reason().to_string(),
        }
    }

    #[test]
    fn reads_stay_inside_the_root() {
        let outer = tempfile::tempdir().expect("tempdir");
        let root = outer.path().join("project");
        std::fs::create_dir_all(root.join("db")).expect("mkdir");
        std::fs::write(root.join("db/my.cnf"), "[mysqld]\n").expect("write");
        std::fs::write(outer.path().join("secret.txt"), "token\n").expect("write");
        let p = ReadPolicy::new(Some(&root), DEFAULT_MAX_FILE_SIZE);
        let cases: &[(PathBuf, &str)] = &[
            (root.join("db/my.cnf"), "read"),
            (root.join("db/../db/my.cnf"), "read"),
            (root.join("../secret.txt"), OUTSIDE_ROOT),
            (outer.path().join("secret.txt"), OUTSIDE_ROOT),
            // Missing outside the root: judged by name, existence not told.
            (PathBuf::from("/nonexistent-tl/x.cnf"), OUTSIDE_ROOT),
            (root.join("missing.cnf"), "no such file or directory"),
            (PathBuf::from("/etc/passwd"), OUTSIDE_ROOT),
            (PathBuf::from("/dev/zero"), OUTSIDE_ROOT),
        ];
        for (path, want) in cases {
            assert_eq!(reason(p.read(path, "x")), *want, "{}", path.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_resolved_then_checked() {
        let outer = tempfile::tempdir().expect("tempdir");
        let root = outer.path().join("project");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::write(outer.path().join("secret.txt"), "token\n").expect("write");
        std::fs::write(root.join("real.cnf"), "[mysqld]\n").expect("write");
        std::os::unix::fs::symlink(outer.path().join("secret.txt"), root.join("out.cnf"))
            .expect("symlink");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.cnf")).expect("symlink");
        std::os::unix::fs::symlink(root.join("real.cnf"), root.join("in.cnf")).expect("symlink");
        std::os::unix::fs::symlink(root.join("loop-b"), root.join("loop-a")).expect("symlink");
        std::os::unix::fs::symlink(root.join("loop-a"), root.join("loop-b")).expect("symlink");
        let p = ReadPolicy::new(Some(&root), DEFAULT_MAX_FILE_SIZE);
        assert_eq!(reason(p.read(&root.join("out.cnf"), "x")), OUTSIDE_ROOT);
        assert_eq!(reason(p.read(&root.join("zero.cnf"), "x")), OUTSIDE_ROOT);
        assert_eq!(reason(p.read(&root.join("in.cnf"), "x")), "read");
        let looped = reason(p.read(&root.join("loop-a"), "x"));
        assert!(looped.contains("symbolic links"), "{looped}");
        // With the root widened to /, a device is still refused unopened.
        let host = ReadPolicy::new(Some(Path::new("/")), DEFAULT_MAX_FILE_SIZE);
        let zero = reason(host.read(&root.join("zero.cnf"), "x"));
        assert!(zero.starts_with("not a regular file"), "{zero}");
    }

    #[cfg(unix)]
    #[test]
    fn only_small_regular_files_are_read() {
        let root = tempfile::tempdir().expect("tempdir");
        let r = root.path();
        std::fs::create_dir(r.join("dir.cnf")).expect("mkdir");
        std::fs::write(r.join("big.cnf"), vec![b'#'; 2048]).expect("write");
        std::fs::write(r.join("ok.cnf"), vec![b'#'; 1024]).expect("write");
        std::fs::create_dir(r.join(".git")).expect("mkdir");
        std::fs::write(r.join(".git/config"), "[core]\n").expect("write");
        let fifo = std::process::Command::new("mkfifo")
            .arg(r.join("fifo.cnf"))
            .status()
            .is_ok_and(|s| s.success());
        let p = ReadPolicy::new(Some(r), 1024);
        assert_eq!(reason(p.read(&r.join("dir.cnf"), "x")), "is a directory");
        assert!(
            reason(p.read(&r.join("big.cnf"), "x")).starts_with("larger than the 1024 byte cap")
        );
        assert_eq!(reason(p.read(&r.join("ok.cnf"), "x")), "read");
        assert_eq!(
            reason(p.read(&r.join(".git/config"), "x")),
            "inside .git; not read"
        );
        if fifo {
            let got = reason(p.read(&r.join("fifo.cnf"), "x"));
            assert!(got.starts_with("not a regular file"), "{got}");
        }
        assert!(p.check_dir(&r.join("dir.cnf"), "x").is_ok());
        assert!(p.check_dir(&r.join("ok.cnf"), "x").is_err());
        assert_eq!(
            p.check_dir(Path::new("/etc"), "x")
                .map_err(|e| e.reason().to_string()),
            Err(OUTSIDE_ROOT.to_string())
        );
    }

    #[test]
    fn proc_files_are_read_within_the_cap() {
        // /proc files report size 0; the capped read still bounds them.
        let p = ReadPolicy::new(Some(Path::new("/proc")), 16);
        let path = Path::new("/proc/self/status");
        if path.exists() {
            let got = reason(p.read(path, "x"));
            assert!(got.starts_with("larger than the 16 byte cap"), "{got}");
        }
    }

    #[test]
    fn project_root_is_the_git_work_tree() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(t.path().join("repo/.git")).expect("mkdir");
        std::fs::create_dir_all(t.path().join("repo/deploy/db")).expect("mkdir");
        std::fs::create_dir_all(t.path().join("plain/x")).expect("mkdir");
        let canon = |p: PathBuf| std::fs::canonicalize(p).expect("canon");
        assert_eq!(
            project_root_of(&t.path().join("repo/deploy/db")),
            canon(t.path().join("repo"))
        );
        assert_eq!(
            project_root_of(&t.path().join("plain/x")),
            canon(t.path().join("plain/x"))
        );
    }
}
