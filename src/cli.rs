//! The command line (clap derive) and what each command prints. The binary's
//! `main` only calls [`main`] and exits with its code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::manifest::parse_hop_flag;
use crate::model::budget;
use crate::model::chain::chains;
use crate::report;
use crate::rules::{RuleOptions, catalogue};
use crate::run::{Outcome, RunOptions, run};
use crate::source::SourceMap;

/// Exit codes (README "Exit codes").
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// A finding at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage error, or an input that does not exist or cannot be read.
    pub const USAGE: u8 = 2;
}

/// Checks that the timeouts along a database connection path agree.
#[derive(Debug, Parser)]
#[command(name = "timeoutlint", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check connection paths and report every timeout mismatch.
    Check {
        /// A manifest, a folder holding timeoutlint.toml, or config files
        /// (files without a manifest form one path). Default: the current folder.
        paths: Vec<PathBuf>,
        /// Output format (default human). Repeat it with --output to write
        /// several formats in one run.
        #[arg(long, value_enum)]
        format: Vec<Format>,
        /// Where to write the --format given at the same position (`-` =
        /// standard output); formats without an --output go to standard output.
        #[arg(long, value_name = "FILE")]
        output: Vec<PathBuf>,
        /// Exit with 1 when a finding is at or above this severity (default: error).
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Always exit 0, whatever is found (usage and I/O errors still exit 2).
        #[arg(long)]
        exit_zero: bool,
        /// Report only findings not recorded in this baseline file.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record today's findings in this baseline file (then report none of them).
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Write the one-value fixes (e.g. `pool_recycle = 3240`) into the
        /// files, then check again and report what is left.
        #[arg(long)]
        fix: bool,
        #[command(flatten)]
        common: Common,
        /// Colour in human output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Print each path's chain of timeouts as a table, from app pool to
    /// server, or as a picture (`--format mermaid`, `--format svg`).
    Chain {
        /// As for `check`.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChainFormat::Table)]
        format: ChainFormat,
        #[command(flatten)]
        common: Common,
    },
    /// Write the timeoutlint.toml that discovery infers for a folder (its
    /// paths, a comment on every guess, templates for unknown networks).
    Init {
        /// The folder (default: the current folder); the manifest is written there.
        dir: Option<PathBuf>,
        /// Overwrite an existing timeoutlint.toml.
        #[arg(long)]
        force: bool,
        /// Print the manifest instead of writing it.
        #[arg(long)]
        stdout: bool,
        #[command(flatten)]
        common: Common,
    },
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Print shell completions for SHELL.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// List the built-in middlebox presets (`[[path.hop]] preset = "..."`).
    Presets,
    /// Run the language server on standard input/output (LSP 3.17).
    Server {
        /// Accepted for clients that pass it (vscode-languageclient); stdio
        /// is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Print one rule's documentation.
    Explain {
        /// Rule id (TL101) or name (pool-recycle-exceeds-wait-timeout).
        rule: String,
    },
}

#[derive(Debug, clap::Args)]
struct Common {
    /// Add a hop between app and database: --hop "nat gateway=350s" (drops
    /// idle flows silently; keepalive counts as activity), or a built-in
    /// preset: --hop aws-nat-gateway, --hop aws-nlb=120s (`presets` lists them).
    #[arg(long = "hop", value_name = "NAME=DURATION|PRESET[=DURATION]")]
    hops: Vec<String>,
    /// Safety margin of the ordering rules, in percent (default: the config's, else 10).
    #[arg(long, value_parser = parse_margin)]
    margin: Option<f64>,
    /// Lint configuration file (default: the manifest's [lint], else the
    /// nearest pyproject.toml's [tool.timeoutlint]).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only these rules (ids, names or prefixes; comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules (ids, names or prefixes; comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Deploy-time values of environment variables read by Python settings
    /// (dotenv syntax; the manifest's [path.env] wins).
    #[arg(long, value_name = "FILE")]
    env_file: Option<PathBuf>,
    /// Override a rule's severity, e.g. --severity TL104=error (repeatable).
    #[arg(long, value_name = "RULE=LEVEL")]
    severity: Vec<String>,
    /// Read nothing outside this folder (default: the git work tree holding
    /// the manifest or inputs, else their folder). `--root /` audits a host.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Refuse input files larger than this (bytes; K, M or G suffix for
    /// KiB, MiB, GiB). Default: 8M.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    max_file_size: Option<u64>,
}

/// `--max-file-size`: a byte count, optionally with a binary K/M/G suffix.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}` is not a size in bytes (e.g. 8388608, 512K, 8M)"))
}

fn parse_margin(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a percentage"))?;
    if (0.0..100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` must be at least 0 and below 100"))
    }
}

/// The formats of `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical reports with source snippets.
    Human,
    /// One `file:line:col: ID message` line per finding.
    Concise,
    /// One `file:line:col: severity: message [ID]` line per finding (vim, emacs, VS Code).
    Gcc,
    /// Versioned JSON for CI.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
    /// reviewdog rdjson.
    Rdjson,
    /// A Markdown job summary for `$GITHUB_STEP_SUMMARY`: a table of the
    /// findings and the chain picture (Mermaid) of each path they point into.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    /// Aligned text.
    Table,
    /// JSON array of the rule docs.
    Json,
    /// The Markdown table used in README.md.
    Markdown,
}

/// The formats of `chain --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChainFormat {
    /// ASCII table, fitted to the terminal width (`COLUMNS`, else the
    /// terminal's, else 100 columns).
    Table,
    /// JSON rows.
    Json,
    /// Each segment as a Mermaid gantt timeline in a ```mermaid block
    /// (GitHub renders it in comments and job summaries).
    Mermaid,
    /// The same picture as a standalone SVG file.
    Svg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn run_options(common: &Common) -> Result<RunOptions, String> {
    let extra_hops = common
        .hops
        .iter()
        .map(|h| parse_hop_flag(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RunOptions {
        extra_hops,
        rules: RuleOptions {
            margin: common.margin.unwrap_or(10.0) / 100.0,
        },
        margin_given: common.margin.is_some(),
        config: common.config.clone(),
        env_file: common.env_file.clone(),
        select: common.select.clone(),
        ignore: common.ignore.clone(),
        severity: common.severity.clone(),
        keep_suppressed: false,
        root: common.root.clone(),
        max_file_size: common.max_file_size,
    })
}

/// Every text a run writes (a format, the chain, a baseline, an error line)
/// scrubbed of every secret value the run saw ([`SourceMap::scrub`]).
fn emit(text: &str, sources: &SourceMap) -> String {
    sources.scrub(text)
}

/// Prints an error line to standard error, scrubbed of every secret value.
fn eprint_error(message: &str, sources: &SourceMap) {
    eprintln!("{}", error_line(message, sources));
}

/// `error: MESSAGE`, scrubbed of secrets, control characters escaped.
fn error_line(message: &str, sources: &SourceMap) -> String {
    format!(
        "error: {}",
        report::escape::control(&emit(message, sources))
    )
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Parses `args`, runs the command, prints, and returns the exit code.
pub fn main<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
        }
    };
    match cli.command {
        Command::Check {
            paths,
            format,
            output,
            fail_on,
            exit_zero,
            baseline,
            write_baseline,
            fix,
            common,
            color,
        } => {
            let opts = match run_options(&common) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("error: {}", report::escape::control(&e));
                    return exit::USAGE;
                }
            };
            let mut outcome = run(&paths, &opts);
            if fix {
                let applied = crate::autofix::apply(&outcome.diagnostics, &outcome.sources);
                for line in &applied.skipped {
                    eprintln!("warning: {}", outcome.sources.scrub(line));
                }
                eprintln!(
                    "fixed {} finding(s) in {} file(s){}",
                    applied.findings,
                    applied.files.len(),
                    if applied.files.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", outcome.sources.scrub(&applied.files.join(", ")))
                    }
                );
                if !applied.files.is_empty() {
                    outcome = run(&paths, &opts);
                }
            }
            if let Some(file) = &write_baseline {
                let text = render_baseline(&outcome);
                if let Err(e) = std::fs::write(file, text) {
                    eprintln!(
                        "error: cannot write {}: {}",
                        file.display(),
                        crate::source::io_reason(&e)
                    );
                    return exit::USAGE;
                }
                eprintln!(
                    "recorded {} finding(s) in {}",
                    outcome.diagnostics.len(),
                    file.display()
                );
                outcome.diagnostics.clear();
            } else if let Some(file) = &baseline {
                let filtered = crate::baseline::read(file).and_then(|text| {
                    crate::baseline::filter(
                        std::mem::take(&mut outcome.diagnostics),
                        &outcome.sources,
                        &text,
                    )
                });
                match filtered {
                    Ok(d) => outcome.diagnostics = d,
                    Err(e) => {
                        eprint_error(
                            &format!("baseline {}: {e}", file.display()),
                            &outcome.sources,
                        );
                        return exit::USAGE;
                    }
                }
            }
            let diags = &outcome.diagnostics;
            let formats = if format.is_empty() {
                vec![Format::Human]
            } else {
                format
            };
            if output.len() > formats.len() {
                eprintln!(
                    "error: {} --output given for {} --format",
                    output.len(),
                    formats.len()
                );
                return exit::USAGE;
            }
            let color = match color {
                ColorChoice::Always => report::human::Color::Always,
                ColorChoice::Never => report::human::Color::Never,
                ColorChoice::Auto => {
                    if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                        report::human::Color::Always
                    } else {
                        report::human::Color::Never
                    }
                }
            };
            // Only the formats that link or describe rules read the catalogue.
            let needs_docs = |f: &Format| !matches!(f, Format::Human | Format::Gcc | Format::Json);
            let docs = if formats.iter().any(needs_docs) {
                catalogue::cached()
            } else {
                &[]
            };
            for (i, f) in formats.iter().enumerate() {
                let text = render_check(*f, &outcome, docs, color);
                match output.get(i) {
                    Some(file) if file.as_os_str() != "-" => {
                        if let Err(e) = std::fs::write(file, text) {
                            eprintln!(
                                "error: cannot write {}: {}",
                                file.display(),
                                crate::source::io_reason(&e)
                            );
                            return exit::USAGE;
                        }
                    }
                    _ => print(&text),
                }
            }
            print_load_errors(&outcome.load_errors, &outcome.sources);
            if !outcome.load_errors.is_empty() {
                return exit::USAGE;
            }
            if exit_zero {
                return exit::CLEAN;
            }
            let threshold = match fail_on {
                Some(FailOn::Error) => Severity::Error,
                Some(FailOn::Warning) => Severity::Warning,
                Some(FailOn::Info) => Severity::Info,
                None => outcome.config.fail_on().unwrap_or(Severity::Error),
            };
            if diags.iter().any(|d| d.severity >= threshold) {
                exit::FINDINGS
            } else {
                exit::CLEAN
            }
        }
        Command::Chain {
            paths,
            format,
            common,
        } => {
            let opts = match run_options(&common) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("error: {}", report::escape::control(&e));
                    return exit::USAGE;
                }
            };
            let outcome = run(&paths, &opts);
            print(&render_chain(format, &outcome));
            print_load_errors(&outcome.load_errors, &outcome.sources);
            if outcome.load_errors.is_empty() {
                exit::CLEAN
            } else {
                exit::USAGE
            }
        }
        Command::Init {
            dir,
            force,
            stdout,
            common,
        } => init(dir, force, stdout, &common),
        Command::Server { stdio: _ } => crate::server::run_stdio(),
        Command::Presets => {
            print(&crate::systems::presets::table());
            exit::CLEAN
        }
        Command::Rules { format } => match catalogue::load() {
            Ok(docs) => {
                let text = match format {
                    RulesFormat::Table => {
                        let mut s = String::new();
                        for d in &docs {
                            s.push_str(&format!(
                                "{}  {:<48} {:<8} {}\n",
                                d.id, d.name, d.severity, d.summary
                            ));
                        }
                        s
                    }
                    RulesFormat::Json => {
                        let mut s = serde_json::to_string_pretty(&docs).unwrap_or_default();
                        s.push('\n');
                        s
                    }
                    RulesFormat::Markdown => catalogue::markdown_table(&docs),
                };
                print(&text);
                exit::CLEAN
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::USAGE
            }
        },
        Command::Completions { shell } => {
            // Generated into a buffer: clap_complete panics on a closed pipe.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "timeoutlint", &mut buf);
            print(&String::from_utf8_lossy(&buf));
            exit::CLEAN
        }
        Command::Man => {
            let mut buf = Vec::new();
            if clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .is_err()
            {
                eprintln!("error: cannot render the man page");
                return exit::USAGE;
            }
            print(&String::from_utf8_lossy(&buf));
            exit::CLEAN
        }
        Command::Explain { rule } => match catalogue::load() {
            Ok(docs) => match catalogue::find(&docs, &rule) {
                Some(d) => {
                    print(&explain(d));
                    exit::CLEAN
                }
                None => {
                    eprintln!("error: no rule `{rule}`; `timeoutlint rules` lists them");
                    exit::USAGE
                }
            },
            Err(e) => {
                eprintln!("error: {e}");
                exit::USAGE
            }
        },
    }
}

/// The run's load errors as the renderers take them (no file known yet).
fn run_errors(load_errors: &[report::RunError], sources: &SourceMap) -> Vec<report::RunError> {
    load_errors
        .iter()
        .map(|e| report::RunError {
            message: report::escape::control(&emit(&e.message, sources)).into_owned(),
            file: e
                .file
                .as_ref()
                .map(|f| report::escape::control(&emit(f, sources)).into_owned()),
        })
        .collect()
}

/// Prints each load error to standard error as `error: ...`, scrubbed of
/// secrets and escaped (a file name in it may hold a newline and a forged
/// workflow command).
fn print_load_errors(load_errors: &[report::RunError], sources: &SourceMap) {
    for e in load_errors {
        eprint_error(&e.message, sources);
    }
}

/// `timeoutlint init`: discovers the paths of `dir` and writes them as its
/// timeoutlint.toml (never over an existing one without `--force`).
fn init(dir: Option<PathBuf>, force: bool, stdout: bool, common: &Common) -> u8 {
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    if !dir.is_dir() {
        eprintln!(
            "error: {}: not a directory",
            report::escape::control(&dir.display().to_string())
        );
        return exit::USAGE;
    }
    let target = dir.join(crate::manifest::FILE_NAME);
    if !stdout && target.exists() && !force {
        eprintln!(
            "error: {} exists; `--force` overwrites it, `--stdout` prints the inferred one",
            report::escape::control(&target.display().to_string())
        );
        return exit::USAGE;
    }
    let root = common
        .root
        .clone()
        .unwrap_or_else(|| crate::source::project_root_of(&dir));
    let max = common
        .max_file_size
        .unwrap_or(crate::source::DEFAULT_MAX_FILE_SIZE);
    let policy = crate::source::ReadPolicy::new(Some(&root), max);
    let mut sources = SourceMap::new(None).with_policy(policy);
    let found = crate::discover::discover(&dir, &mut sources);
    let text = sources.scrub(&crate::discover::init::manifest_text(&dir, &found));
    if stdout {
        print(&text);
        return exit::CLEAN;
    }
    if let Err(e) = std::fs::write(&target, &text) {
        eprintln!(
            "error: cannot write {}: {}",
            report::escape::control(&target.display().to_string()),
            crate::source::io_reason(&e)
        );
        return exit::USAGE;
    }
    eprint!(
        "{}",
        crate::discover::report::header(std::slice::from_ref(&found), &sources)
    );
    eprintln!(
        "wrote {} ({} path{})",
        report::escape::control(&target.display().to_string()),
        found.paths.len(),
        if found.paths.len() == 1 { "" } else { "s" }
    );
    exit::CLEAN
}

/// Renders the diagnostics and the run's failures in one format.
/// Exactly what `check --format FORMAT` writes for `outcome`: the findings
/// and the run's failures rendered with the rule `docs`, every secret value
/// scrubbed from messages and from the text (fuzz/ checks this very text).
pub fn render_check(
    format: Format,
    outcome: &Outcome,
    docs: &[catalogue::RuleDoc],
    color: report::human::Color,
) -> String {
    let sources = &outcome.sources;
    let diags = &printable(crate::secrets::scrub_diagnostics(
        &outcome.diagnostics,
        sources,
    ));
    let errors = &run_errors(&outcome.load_errors, sources);
    let text = match format {
        Format::Human => {
            let mut text = crate::discover::report::header(&outcome.discovered, sources);
            text.push_str(&report::human::render(diags, errors, sources, color));
            text
        }
        Format::Concise => report::concise::render(diags, errors, sources, docs),
        Format::Gcc => report::gcc::render(diags, errors, sources),
        Format::Json => report::json::render(diags, errors, sources),
        Format::Sarif => report::sarif::render(diags, errors, sources, docs),
        Format::Github => report::github::render(diags, errors, sources, docs),
        Format::Junit => report::junit::render(diags, errors, sources, docs),
        Format::Checkstyle => report::checkstyle::render(diags, errors, sources, docs),
        Format::Rdjson => report::rdjson::render(diags, errors, sources, docs),
        Format::Markdown => {
            let chains = printable_chains(failing_chains(outcome), sources);
            report::markdown::render(diags, errors, sources, docs, &chains)
        }
    };
    emit(&text, sources)
}

/// Diagnostics whose texts (message, labels, help) have their control
/// characters escaped ([`report::escape::control`]), for every format: JSON
/// and XML would carry a raw C1 control or ESC to whatever displays them.
fn printable(mut diags: Vec<crate::diagnostic::Diagnostic>) -> Vec<crate::diagnostic::Diagnostic> {
    let esc = |s: &mut String| {
        if let std::borrow::Cow::Owned(e) = report::escape::control(s) {
            *s = e;
        }
    };
    for d in &mut diags {
        esc(&mut d.message);
        esc(&mut d.primary.message);
        d.related.iter_mut().for_each(|l| esc(&mut l.message));
        if let Some(h) = &mut d.help {
            esc(h);
        }
    }
    diags
}

/// Exactly what `chain --format FORMAT` prints for `outcome`, scrubbed.
pub fn render_chain(format: ChainFormat, outcome: &Outcome) -> String {
    let chains: Vec<_> = outcome
        .paths
        .iter()
        .flat_map(|p| chains(p, &outcome.sources))
        .collect();
    let budgets = budget::views(&budget::budgets(&outcome.paths), &outcome.sources);
    let text = match format {
        ChainFormat::Json => report::chain::render_json(&chains, &budgets),
        ChainFormat::Table => {
            let chains = printable_chains(chains, &outcome.sources);
            let width = table_width();
            report::chain::render(&chains, width) + &report::chain::render_budgets(&budgets, width)
        }
        ChainFormat::Mermaid => {
            report::mermaid::render(&printable_chains(chains, &outcome.sources))
        }
        ChainFormat::Svg => report::svg::render(&printable_chains(chains, &outcome.sources)),
    };
    emit(&text, &outcome.sources)
}

/// The width the chain table fits: `COLUMNS` when set to a number, else
/// the terminal's when standard output is one, else 100 columns.
fn table_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return usize::from(w);
    }
    100
}

/// The chains of the paths that a finding points into (its primary
/// location lies in a file one of the chain's values comes from, or in
/// the path's manifest entry), for the `markdown` summary.
fn failing_chains(outcome: &Outcome) -> Vec<crate::model::chain::Chain> {
    let files: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter_map(|d| d.primary.location.map(|l| l.file))
        .collect();
    outcome
        .paths
        .iter()
        .map(|p| chains(p, &outcome.sources))
        .filter(|cs| {
            cs.iter().any(|c| {
                c.rows
                    .iter()
                    .filter_map(|r| r.at)
                    .chain(c.declared_at)
                    .any(|l| files.contains(&l.file))
            })
        })
        .flatten()
        .collect()
}

/// `chains` with every text scrubbed of secrets and its control
/// characters escaped, before a renderer escapes it in its own way (a
/// renderer that rewrites characters, as Mermaid labels and XML do, would
/// otherwise hide a secret from the final scrub).
fn printable_chains(
    mut chains: Vec<crate::model::chain::Chain>,
    sources: &SourceMap,
) -> Vec<crate::model::chain::Chain> {
    // One automaton for every field: building it per field made a chain of
    // a file with many secret values quadratic (fuzz deploy_yaml timeout).
    let scrubber = crate::secrets::Scrubber::new(&sources.secret_values());
    let clean = |s: &mut String| {
        *s = report::escape::control(&scrubber.scrub(s)).into_owned();
    };
    for c in &mut chains {
        clean(&mut c.name);
        clean(&mut c.verdict);
        for r in &mut c.rows {
            for f in [
                &mut r.layer,
                &mut r.setting,
                &mut r.value,
                &mut r.source,
                &mut r.note,
            ] {
                clean(f);
            }
        }
        for m in &mut c.timeline {
            clean(&mut m.label);
            clean(&mut m.value);
            clean(&mut m.source);
        }
    }
    chains
}

/// Exactly what `check --write-baseline FILE` writes for `outcome`, scrubbed.
pub fn render_baseline(outcome: &Outcome) -> String {
    emit(
        &crate::baseline::write(&outcome.diagnostics, &outcome.sources),
        &outcome.sources,
    )
}

/// Exactly what a run prints on standard error for its failures: one
/// `error: …` line each, scrubbed and escaped.
pub fn render_errors(outcome: &Outcome) -> String {
    outcome
        .load_errors
        .iter()
        .map(|e| error_line(&e.message, &outcome.sources) + "\n")
        .collect()
}

fn explain(d: &catalogue::RuleDoc) -> String {
    let mut s = format!("{} {} ({})\n\n{}\n", d.id, d.name, d.severity, d.summary);
    for (title, body) in [
        ("What it does", &d.what),
        ("Why is this bad?", &d.why),
        ("Example", &d.example),
        ("Use instead", &d.instead),
    ] {
        s.push_str(&format!("\n## {title}\n{}\n", body.trim_end()));
    }
    s.push_str("\n## References\n");
    for r in &d.references {
        s.push_str(&format!("- {r}\n"));
    }
    if !d.proven.is_empty() {
        s.push_str("\n## Proven (lab/, docs/lab.md)\n");
        for p in &d.proven {
            s.push_str(&format!(
                "- Reproduced with {} (scenario {}): {}\n",
                p.with, p.scenario, p.error
            ));
        }
    } else if let Some(reason) = &d.not_applicable {
        s.push_str(&format!(
            "\n## Proven (lab/, docs/lab.md)\nNot applicable: {}\n",
            reason.trim_end()
        ));
    }
    s
}
