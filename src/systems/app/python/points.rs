//! Undecided points: the arm each variant takes at a condition the tool
//! cannot decide, what that arm lets later code assume, and the TL012 said
//! once per condition (see "Control flow" in `docs/python.md`). They live in
//! the evaluator so that conditions inside inlined functions branch too.

use super::syntax::Py;

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::Location;

use super::Point;
use super::eval::{Eval, span};
use super::{negate_comparison, one_line};

impl Eval<'_> {
    /// The arm to take at an undecided point (see [`Eval::choices`]).
    pub(super) fn choose(&mut self, point: Point) -> usize {
        let k = self.path.len();
        let arm = self
            .choices
            .get(k)
            .copied()
            .unwrap_or(0)
            .min(point.arms.len().saturating_sub(1));
        self.path.push((point, arm));
        arm
    }

    /// In the variant where `cond` (a comparison of an environment variable
    /// with no value to string literals) holds or not, later reads and
    /// comparisons of that variable agree with it: `os.getenv("DB") ==
    /// "postgres"` taken as true makes `os.getenv("DB")` "postgres"; taken as
    /// false, a later `os.getenv("DB") == "postgres"` is false. So variants
    /// that contradict each other are never read.
    pub(super) fn assume(&mut self, cond: Py<'_>, holds: bool) {
        if cond.kind() != "comparison_operator" || cond.child_count() != 3 {
            return;
        }
        let (Some(l), Some(op), Some(r)) = (cond.child(0), cond.child(1), cond.child(2)) else {
            return;
        };
        let Some((var, None)) = self.env_call(l) else {
            return;
        };
        if self.env.get(&var).is_some() {
            return;
        }
        let lits: Vec<String> = match r.kind() {
            "list" | "tuple" | "set" => {
                let mut c = r.walk();
                let items: Vec<Py<'_>> = r.named_children(&mut c).collect();
                let lits: Vec<String> = items.iter().filter_map(|i| self.string(*i)).collect();
                if lits.len() != items.len() {
                    return;
                }
                lits
            }
            _ => match self.string(r) {
                Some(t) => vec![t],
                None => return,
            },
        };
        let op: String = op.kind().split_whitespace().collect::<Vec<_>>().join(" ");
        let positive = match op.as_str() {
            "==" | "in" => holds,
            "!=" | "not in" => !holds,
            _ => return,
        };
        let a = self.assumed.entry(var).or_default();
        if positive {
            if let [one] = lits.as_slice() {
                a.eq = Some(one.clone());
            }
        } else {
            a.ne.extend(lits);
        }
    }

    /// TL012, once per condition: it cannot be decided, so each branch is a variant.
    pub(super) fn undecided(&mut self, cond: Py<'_>, why: &str) {
        let at = self.sp(cond);
        if self.undecided.iter().any(|(s, _)| *s == at) {
            return;
        }
        let msg = format!(
            "the condition `{}` cannot be decided without running the code (it reads {why}): each branch is read as a variant, and findings that hold in only some variants are labelled with their condition (give environment values in the manifest's [path.env] or with --env-file to decide it)",
            one_line(self.text(cond))
        );
        let label = Label::at(Location::new(self.file, span(cond)), "undecided condition");
        self.undecided
            .push((at, Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label)));
    }

    /// An undecided `if` condition: reported once (TL012), made a point
    /// with two arms (it holds, it does not), and what the arm taken
    /// assumes recorded. Whether this variant takes the condition as true.
    pub(super) fn branch_on(&mut self, cond: Py<'_>, why: &str) -> bool {
        self.undecided(cond, why);
        let text = one_line(self.text(cond));
        let negated = match negate_comparison(cond, self.src) {
            Some(t) => t,
            None => match text.strip_prefix("not ") {
                Some(rest) => rest.to_string(),
                None if !text.contains(' ') => format!("not {text}"),
                None => format!("not ({text})"),
            },
        };
        let at = self.sp(cond);
        let point = Point {
            arms: vec![
                (format!("when {text}"), at),
                (format!("when {negated}"), at),
            ],
        };
        let holds = self.choose(point) == 0;
        self.assume(cond, holds);
        holds
    }
}
