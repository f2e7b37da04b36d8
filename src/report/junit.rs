//! `junit` format: JUnit XML as CI test-report viewers read it
//! (CONVENTIONS.md section 3.6). One `<testsuite>` per file (in file-name
//! order), one failing `<testcase>` per finding (in the global order):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <testsuites name="timeoutlint" tests="1" failures="1">
//!   <testsuite name="app.yaml" tests="1" failures="1">
//!     <testcase name="TL101" classname="app.yaml" line="3" column="17">
//!       <failure message="pool_recycle = ..." type="error">line 3, col 17, pool_recycle = ...</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! Lines and columns are 1-based, columns in characters. Findings with no
//! file (command-line flags) go in a first suite named `timeoutlint`, without
//! `line`/`column`. A clean run is an empty `<testsuites>` with `tests="0"`.
//!
//! A failure that kept the run from checking everything (exit code 2) is a
//! `<testcase name="input" classname="FILE">` holding an
//! `<error message="..." type="error">` (in the suite of its file, or of
//! `timeoutlint` when the file is not known), counted in `tests` and
//! `errors`, so a failed run never reads as all tests passing.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::report::RunError;
use crate::report::xml::escape;
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// One suite's test cases, with how many are failures and errors.
#[derive(Default)]
struct Suite {
    cases: Vec<String>,
    failures: usize,
    errors: usize,
}

/// Renders the diagnostics and failures as one JUnit XML document. `docs`
/// is unused.
pub fn render(
    diags: &[Diagnostic],
    run_errors: &[RunError],
    sources: &SourceMap,
    _docs: &[RuleDoc],
) -> String {
    let mut suites: BTreeMap<Option<String>, Suite> = BTreeMap::new();
    for e in run_errors {
        let class = e.file.as_deref().unwrap_or("timeoutlint");
        let suite = suites.entry(e.file.clone()).or_default();
        suite.errors += 1;
        suite.cases.push(format!(
            "    <testcase name=\"input\" classname=\"{}\">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n",
            escape(class),
            escape(&e.message),
            escape(&e.message),
        ));
    }
    for d in diags {
        let r = d.primary.location.map(|l| sources.resolve(l));
        let file = r.as_ref().map(|r| r.file.clone());
        let class = file.as_deref().unwrap_or("timeoutlint");
        let mut body = match &r {
            Some(r) => format!(
                "line {}, col {}, {}",
                r.start.line, r.start.column, d.message
            ),
            None => d.message.clone(),
        };
        if let Some(help) = &d.help {
            body.push_str("\nhelp: ");
            body.push_str(help);
        }
        let position = match &r {
            Some(r) => format!(" line=\"{}\" column=\"{}\"", r.start.line, r.start.column),
            None => String::new(),
        };
        let suite = suites.entry(file.clone()).or_default();
        suite.failures += 1;
        suite.cases.push(format!(
            "    <testcase name=\"{}\" classname=\"{}\"{position}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
            escape(d.code.id),
            escape(class),
            escape(&d.message),
            d.severity.as_str(),
            escape(&body),
        ));
    }
    let n = diags.len();
    let e = run_errors.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"timeoutlint\" tests=\"{}\" failures=\"{n}\" errors=\"{e}\">\n",
        n + e
    ));
    for (file, suite) in &suites {
        let name = file.as_deref().unwrap_or("timeoutlint");
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
            escape(name),
            suite.cases.len(),
            suite.failures,
            suite.errors
        ));
        for case in &suite.cases {
            out.push_str(case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
