//! The report as text, markdown or JSON.

use std::fmt::Write as _;

use super::{Change, Detail, Report, Subject};

/// Output format of a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text for a terminal.
    #[default]
    Text,
    /// GitHub-flavoured markdown (for changelogs and pull requests).
    Markdown,
    /// JSON, for tools: the [`Report`] serialized.
    Json,
}

pub(super) fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Markdown => markdown(report),
        // Serializing plain structs of strings, numbers and booleans cannot fail.
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
    }
}

/// A section of the report: changes of one kind, grouped by subject.
struct Section<'a> {
    title: &'static str,
    groups: Vec<(&'a Subject, Vec<&'a Change>)>,
}

impl Section<'_> {
    fn breaking(&self) -> usize {
        self.groups
            .iter()
            .flat_map(|(_, cs)| cs)
            .filter(|c| c.breaking)
            .count()
    }
}

/// Splits the changes into sections: operations removed, added, renamed, changed; then types
/// likewise. A renamed operation's other changes go to "changed".
fn sections(report: &Report) -> Vec<Section<'_>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Bucket {
        Removed,
        Added,
        Renamed,
        Changed,
    }
    let bucket = |c: &Change| match &c.detail {
        Detail::Removed => Bucket::Removed,
        Detail::Added => Bucket::Added,
        Detail::Renamed { .. } => Bucket::Renamed,
        _ => Bucket::Changed,
    };
    let titles = [
        (false, Bucket::Removed, "Operations removed"),
        (false, Bucket::Added, "Operations added"),
        (false, Bucket::Renamed, "Operations renamed"),
        (false, Bucket::Changed, "Operations changed"),
        (true, Bucket::Removed, "Types removed"),
        (true, Bucket::Added, "Types added"),
        (true, Bucket::Renamed, "Types renamed"),
        (true, Bucket::Changed, "Types changed"),
    ];
    titles
        .iter()
        .map(|&(is_type, b, title)| {
            let mut groups: Vec<(&Subject, Vec<&Change>)> = Vec::new();
            for c in &report.changes {
                if matches!(c.subject, Subject::Type { .. }) != is_type || bucket(c) != b {
                    continue;
                }
                match groups.last_mut() {
                    Some((s, cs)) if *s == &c.subject => cs.push(c),
                    _ => groups.push((&c.subject, vec![c])),
                }
            }
            Section { title, groups }
        })
        .filter(|s| !s.groups.is_empty())
        .collect()
}

fn headline(report: &Report) -> String {
    let side = |s: &super::SpecInfo| match &s.file {
        Some(f) => format!("{} {} ({f})", s.title, s.version),
        None => format!("{} {}", s.title, s.version),
    };
    format!("{} -> {}", side(&report.old), side(&report.new))
}

fn counts(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "operations: {} added, {} removed, {} renamed, {} changed; types: {} added, {} removed, {} renamed, \
         {} changed; {} changes, {} breaking",
        s.operations_added,
        s.operations_removed,
        s.operations_renamed,
        s.operations_changed,
        s.types_added,
        s.types_removed,
        s.types_renamed,
        s.types_changed,
        s.total,
        s.breaking
    )
}

fn subject_line(subject: &Subject) -> String {
    match subject {
        Subject::Operation {
            id, method, path, ..
        } => format!("{id} ({method} {path})"),
        Subject::Type { name, schema, .. } => format!("{name} (schema {schema})"),
    }
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    let _ = writeln!(out, "{}", counts(report));
    if report.changes.is_empty() {
        let _ = writeln!(out, "no API changes");
        return out;
    }
    let _ = writeln!(
        out,
        "Lines marked ! break code written against the old generated crate."
    );
    for section in sections(report) {
        let _ = writeln!(
            out,
            "\n{} ({}, {} breaking):",
            section.title,
            section.groups.len(),
            section.breaking()
        );
        for (subject, changes) in &section.groups {
            let mark = |c: &Change| if c.breaking { '!' } else { ' ' };
            match changes.as_slice() {
                [only] if matches!(only.detail, Detail::Added | Detail::Removed) => {
                    let _ = writeln!(out, "{} {}", mark(only), subject_line(subject));
                }
                [only] if matches!(only.detail, Detail::Renamed { .. }) => {
                    let _ = writeln!(
                        out,
                        "{} {}: {}",
                        mark(only),
                        subject_line(subject),
                        only.describe()
                    );
                }
                _ => {
                    let _ = writeln!(out, "  {}", subject_line(subject));
                    for c in changes {
                        let _ = writeln!(out, "    {} {}", mark(c), c.describe());
                    }
                }
            }
        }
    }
    out
}

fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let side = |s: &super::SpecInfo| {
        let name = md_escape(&format!("{} {}", s.title, s.version));
        match &s.file {
            Some(f) => format!("{name} (`{f}`)"),
            None => name,
        }
    };
    let _ = writeln!(
        out,
        "## API changes: {} → {}\n",
        side(&report.old),
        side(&report.new)
    );
    let _ = writeln!(out, "{}\n", counts(report));
    if report.changes.is_empty() {
        let _ = writeln!(out, "No API changes.");
        return out;
    }
    for section in sections(report) {
        let _ = writeln!(
            out,
            "### {} ({}, {} breaking)\n",
            section.title,
            section.groups.len(),
            section.breaking()
        );
        for (subject, changes) in &section.groups {
            let tag = |c: &Change| if c.breaking { " **breaking**" } else { "" };
            let subject = md_subject(subject);
            match changes.as_slice() {
                [only] if matches!(only.detail, Detail::Added | Detail::Removed) => {
                    let _ = writeln!(out, "- {subject}{}", tag(only));
                }
                [only] if matches!(only.detail, Detail::Renamed { .. }) => {
                    let _ = writeln!(
                        out,
                        "- {subject}: {}{}",
                        md_escape(&only.describe()),
                        tag(only)
                    );
                }
                _ => {
                    let _ = writeln!(out, "- {subject}");
                    for c in changes {
                        let _ = writeln!(out, "  - {}{}", md_escape(&c.describe()), tag(c));
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

fn md_subject(subject: &Subject) -> String {
    match subject {
        Subject::Operation {
            id, method, path, ..
        } => format!("`{id}` (`{method} {path}`)"),
        Subject::Type { name, schema, .. } => format!("`{name}` (schema `{schema}`)"),
    }
}

/// Keeps text outside backticks from being read as markdown markup (`<T>`, `*`, `_`).
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && matches!(c, '<' | '>' | '*' | '_' | '[' | ']' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn describe(detail: &Detail) -> String {
    let setter_or_arg = |required: bool| {
        if required {
            "a method argument"
        } else {
            "a setter"
        }
    };
    match detail {
        Detail::Added => "added".to_owned(),
        Detail::Removed => "removed".to_owned(),
        Detail::Renamed { old, new } => format!("renamed from `{old}` to `{new}`"),
        Detail::Moved { old, new } => format!("endpoint moved from `{old}` to `{new}`"),
        Detail::ModuleChanged { old, new } => {
            format!("builder moved from module `{old}` to `{new}`")
        }
        Detail::Deprecated => "deprecated".to_owned(),
        Detail::ParamAdded {
            name,
            location,
            required,
            ty,
        } => format!(
            "{location} parameter `{name}` added: `{ty}`, {} ({})",
            if *required { "required" } else { "optional" },
            setter_or_arg(*required)
        ),
        Detail::ParamRemoved {
            name,
            location,
            required,
        } => {
            format!(
                "{location} parameter `{name}` removed (was {})",
                setter_or_arg(*required)
            )
        }
        Detail::ParamRenamed { old, new, location } => {
            format!("{location} parameter `{old}` renamed to `{new}` (same argument position)")
        }
        Detail::ParamRetyped {
            name,
            location,
            old,
            new,
        } => {
            format!("{location} parameter `{name}` retyped from `{old}` to `{new}`")
        }
        Detail::ParamRequired {
            name,
            location,
            required,
        } => format!(
            "{location} parameter `{name}` is now {} ({})",
            if *required { "required" } else { "optional" },
            setter_or_arg(*required)
        ),
        Detail::ArgumentsReordered { old, new } => {
            format!(
                "required arguments reordered from ({}) to ({})",
                old.join(", "),
                new.join(", ")
            )
        }
        Detail::BodyAdded { required, ty } => format!(
            "request body added: `{ty}`, {} ({})",
            if *required { "required" } else { "optional" },
            setter_or_arg(*required)
        ),
        Detail::BodyRemoved => "request body removed".to_owned(),
        Detail::BodyRetyped { old, new } => format!("request body retyped from `{old}` to `{new}`"),
        Detail::BodyRequired { required } => format!(
            "request body is now {} ({})",
            if *required { "required" } else { "optional" },
            setter_or_arg(*required)
        ),
        Detail::PartAdded { name } => format!("multipart part `{name}` added"),
        Detail::PartRemoved { name } => format!("multipart part `{name}` removed"),
        Detail::PartRetyped { name, file } => {
            format!(
                "multipart part `{name}` is now {}",
                if *file { "a file" } else { "a text value" }
            )
        }
        Detail::PaginationAdded { strategy, item } => {
            format!("now paginated: `stream()` of `{item}` ({})", strategy)
        }
        Detail::PaginationRemoved { strategy } => {
            format!("no longer paginated: `stream()` removed (was {strategy})")
        }
        Detail::PaginationChanged { old, new } => format!("pages another way: {new} (was {old})"),
        Detail::PaginationRetyped { old, new } => {
            format!("`stream()` items retyped from `{old}` to `{new}`")
        }
        Detail::ResponseRetyped { old, new } => format!("response retyped from `{old}` to `{new}`"),
        Detail::KindChanged { old, new } => format!("changed from {old} to {new}"),
        Detail::AliasRetyped { old, new } => {
            format!("alias target changed from `{old}` to `{new}`")
        }
        Detail::FieldAdded {
            field,
            ty,
            required,
        } => {
            format!(
                "field `{field}` added: `{ty}`{}",
                if *required {
                    ", required by the spec"
                } else {
                    ""
                }
            )
        }
        Detail::FieldRemoved { field, ty } => format!("field `{field}` removed (was `{ty}`)"),
        Detail::FieldRetyped { field, old, new } => {
            format!("field `{field}` retyped from `{old}` to `{new}`")
        }
        Detail::FieldRenamed { field, old, new } => {
            format!("field `{field}` renamed in Rust from `{old}` to `{new}`")
        }
        Detail::FieldRequired { field, required } => {
            if *required {
                format!("field `{field}` is now required by the spec (still an `Option`)")
            } else {
                format!("field `{field}` is no longer required by the spec")
            }
        }
        Detail::VariantAdded { value } => format!("enum value `{value}` added"),
        Detail::VariantRemoved { value } => format!("enum value `{value}` removed"),
        Detail::VariantRenamed { value, old, new } => {
            format!("enum value `{value}` renamed in Rust from `{old}` to `{new}`")
        }
    }
}
