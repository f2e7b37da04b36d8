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

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::report::xml::escape;
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Renders the diagnostics as one JUnit XML document. `docs` is unused.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, _docs: &[RuleDoc]) -> String {
    let mut suites: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
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
        suites.entry(file.clone()).or_default().push(format!(
            "    <testcase name=\"{}\" classname=\"{}\"{position}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
            escape(d.code.id),
            escape(class),
            escape(&d.message),
            d.severity.as_str(),
            escape(&body),
        ));
    }
    let n = diags.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"timeoutlint\" tests=\"{n}\" failures=\"{n}\">\n"
    ));
    for (file, cases) in &suites {
        let name = file.as_deref().unwrap_or("timeoutlint");
        let k = cases.len();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{k}\" failures=\"{k}\">\n",
            escape(name)
        ));
        for case in cases {
            out.push_str(case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
