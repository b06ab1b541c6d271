//! Semantic diff of two spec versions, at the level of the IR rather than the text.
//!
//! What counts is the generated Rust API: an operation is identified by its id (or, when the
//! id changed, by its method and path template), a type by where it is used and what it
//! holds rather than by its spec name alone. That is what keeps a publisher's format switch
//! (Swagger 2.0 to OpenAPI 3.0, which hoisted inline objects into components) from showing up
//! as hundreds of renamed types: a type found at the same position on both sides is the same
//! type, and two types are equal when their fields are.
//!
//! Every change is classified breaking or not for the generated crates:
//!
//! - Removing anything public (an operation, a type, a field, an enum value, a setter) breaks.
//! - Adding a struct field or an enum value does not: structs and enums are `#[non_exhaustive]`,
//!   enums keep unknown values, and every field is an `Option`.
//! - A parameter that becomes required (or optional) moves between the client method's
//!   arguments and the builder's setters, so it breaks; a new optional parameter only adds a
//!   setter.
//! - A changed type of a parameter, body, response or field breaks. Type aliases are
//!   transparent in Rust, so a type changing from an alias to what it aliases does not.
//! - A field becoming required or optional changes only documentation: fields are always
//!   `Option`, whatever the spec says.

mod compare;
mod matching;
mod render;

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::ir::{self, Ir};
use crate::{load, normalize, overlay};

pub use render::Format;

/// Builds the IR of one spec file (load, normalize, the given overlays in order, parse, IR),
/// without emitting code.
pub fn load_ir(spec: &Path, overlays: &[&Path]) -> Result<Ir> {
    let loaded = load::load_file(spec)?;
    let mut doc = normalize::normalize(&loaded)?.doc;
    for path in overlays {
        let o = overlay::load(path)?;
        overlay::apply(&mut doc, &o)?;
    }
    let openapi = normalize::parse(spec, doc)?;
    ir::build(&openapi, spec)
}

/// Diffs two spec files; `overlays` are applied to both.
pub fn diff_files(old: &Path, new: &Path, overlays: &[&Path]) -> Result<Report> {
    let a = load_ir(old, overlays)?;
    let b = load_ir(new, overlays)?;
    let mut report = compare(&a, &b);
    report.old.file = Some(old.display().to_string());
    report.new.file = Some(new.display().to_string());
    Ok(report)
}

/// Compares two IRs. Changes come sorted: operations before types, each group by name.
pub fn compare(old: &Ir, new: &Ir) -> Report {
    compare::run(old, new)
}

/// What changed between two spec versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The older spec.
    pub old: SpecInfo,
    /// The newer spec.
    pub new: SpecInfo,
    /// Counts per kind of change.
    pub summary: Summary,
    /// Every change, operations first, then types, each sorted by name.
    pub changes: Vec<Change>,
}

/// One side of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecInfo {
    /// The file, when the diff was made from files.
    pub file: Option<String>,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Number of operations.
    pub operations: usize,
    /// Number of named Rust types.
    pub types: usize,
}

/// Counts of a [`Report`]'s changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Operations only in the new spec.
    pub operations_added: usize,
    /// Operations only in the old spec.
    pub operations_removed: usize,
    /// Operations whose id changed (same method and path).
    pub operations_renamed: usize,
    /// Operations present on both sides with at least one change.
    pub operations_changed: usize,
    /// Types only in the new spec.
    pub types_added: usize,
    /// Types only in the old spec.
    pub types_removed: usize,
    /// Types whose Rust name changed (found at the same position, or with the same shape).
    pub types_renamed: usize,
    /// Types present on both sides with at least one change other than their name.
    pub types_changed: usize,
    /// Changes that break code using the generated crates.
    pub breaking: usize,
    /// All changes.
    pub total: usize,
}

impl Report {
    /// Whether any change breaks code written against the old generated crate.
    pub fn is_breaking(&self) -> bool {
        self.summary.breaking > 0
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes that concern operation `id` (as named on either side).
    pub fn operation_changes(&self, id: &str) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|c| match &c.subject {
                Subject::Operation { id: i, old_id, .. } => {
                    i == id || old_id.as_deref() == Some(id)
                }
                Subject::Type { .. } => false,
            })
            .collect()
    }

    /// The changes that concern the type named `name` on either side.
    pub fn type_changes(&self, name: &str) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|c| match &c.subject {
                Subject::Type {
                    name: n, old_name, ..
                } => n == name || old_name.as_deref() == Some(name),
                Subject::Operation { .. } => false,
            })
            .collect()
    }

    /// The report as text, markdown or JSON.
    pub fn render(&self, format: Format) -> String {
        render::render(self, format)
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Whether code using the old generated crate may stop compiling (or, for a reordered
    /// argument list, silently pass values to the wrong parameters).
    pub breaking: bool,
    /// What changed.
    pub subject: Subject,
    /// How it changed.
    pub detail: Detail,
}

/// The operation or type a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// An operation.
    Operation {
        /// Its `operationId` (the new one, when it was renamed).
        id: String,
        /// The old `operationId`, when it differs.
        #[serde(skip_serializing_if = "Option::is_none")]
        old_id: Option<String>,
        /// HTTP method (the new one, if it changed).
        method: String,
        /// Path template (the new one, if it changed).
        path: String,
    },
    /// A named Rust type.
    Type {
        /// Its Rust name (the new one, when it changed).
        name: String,
        /// The old Rust name, when it differs.
        #[serde(skip_serializing_if = "Option::is_none")]
        old_name: Option<String>,
        /// The spec's component name, or the JSON pointer of an inline schema.
        schema: String,
    },
}

/// How a subject changed. Types are written as Rust types (`Vec<String>`, `i64`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Detail {
    /// The subject exists only in the new spec.
    Added,
    /// The subject exists only in the old spec.
    Removed,
    /// An operation got another id (its method and builder are renamed), or a type another
    /// Rust name.
    Renamed {
        /// Old id or Rust name.
        old: String,
        /// New id or Rust name.
        new: String,
    },
    /// An operation kept its id but is sent to another method or path.
    Moved {
        /// Old `METHOD /path`.
        old: String,
        /// New `METHOD /path`.
        new: String,
    },
    /// An operation's builder moved to another module (its first tag changed).
    ModuleChanged {
        /// Old module.
        old: String,
        /// New module.
        new: String,
    },
    /// An operation became deprecated.
    Deprecated,
    /// A parameter was added.
    ParamAdded {
        /// Wire name.
        name: String,
        /// `path`, `query` or `header`.
        location: String,
        /// Whether it is a method argument (required) or a setter.
        required: bool,
        /// Its type.
        ty: String,
    },
    /// A parameter was removed.
    ParamRemoved {
        /// Wire name.
        name: String,
        /// `path`, `query` or `header`.
        location: String,
        /// Whether it was a method argument.
        required: bool,
    },
    /// A parameter kept its place but got another wire name (a path variable renamed).
    ParamRenamed {
        /// Old wire name.
        old: String,
        /// New wire name.
        new: String,
        /// `path`, `query` or `header`.
        location: String,
    },
    /// A parameter's type changed.
    ParamRetyped {
        /// Wire name.
        name: String,
        /// `path`, `query` or `header`.
        location: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A parameter became required (a method argument) or optional (a setter).
    ParamRequired {
        /// Wire name.
        name: String,
        /// `path`, `query` or `header`.
        location: String,
        /// Whether it is required now.
        required: bool,
    },
    /// The method's required arguments are the same but in another order.
    ArgumentsReordered {
        /// Old order (wire names).
        old: Vec<String>,
        /// New order.
        new: Vec<String>,
    },
    /// The operation got a request body.
    BodyAdded {
        /// Whether it is a method argument.
        required: bool,
        /// Its type or encoding.
        ty: String,
    },
    /// The operation lost its request body.
    BodyRemoved,
    /// The request body's type or encoding changed.
    BodyRetyped {
        /// Old type or encoding.
        old: String,
        /// New type or encoding.
        new: String,
    },
    /// The request body became required (a method argument) or optional (a setter).
    BodyRequired {
        /// Whether it is required now.
        required: bool,
    },
    /// A multipart part was added.
    PartAdded {
        /// Part name.
        name: String,
    },
    /// A multipart part was removed.
    PartRemoved {
        /// Part name.
        name: String,
    },
    /// A multipart part switched between a file and a text value.
    PartRetyped {
        /// Part name.
        name: String,
        /// Whether it is a file now.
        file: bool,
    },
    /// The operation got a `stream()` of every item of a paginated listing.
    PaginationAdded {
        /// How it pages.
        strategy: String,
        /// The item type.
        item: String,
    },
    /// The operation lost its `stream()`.
    PaginationRemoved {
        /// How it paged.
        strategy: String,
    },
    /// The operation pages another way; `stream()` keeps its signature.
    PaginationChanged {
        /// How it paged.
        old: String,
        /// How it pages now.
        new: String,
    },
    /// The items of `stream()` have another type.
    PaginationRetyped {
        /// Old item type.
        old: String,
        /// New item type.
        new: String,
    },
    /// What a successful call returns changed.
    ResponseRetyped {
        /// Old return type.
        old: String,
        /// New return type.
        new: String,
    },
    /// A type became another kind of type (a struct became an enum, ...).
    KindChanged {
        /// Old kind and shape.
        old: String,
        /// New kind and shape.
        new: String,
    },
    /// A type alias points at another type.
    AliasRetyped {
        /// Old target.
        old: String,
        /// New target.
        new: String,
    },
    /// A struct field was added.
    FieldAdded {
        /// JSON name.
        field: String,
        /// Its type.
        ty: String,
        /// Whether the spec lists it as required.
        required: bool,
    },
    /// A struct field was removed.
    FieldRemoved {
        /// JSON name.
        field: String,
        /// Its type.
        ty: String,
    },
    /// A struct field's type changed.
    FieldRetyped {
        /// JSON name.
        field: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A struct field's Rust name changed (its JSON name did not).
    FieldRenamed {
        /// JSON name.
        field: String,
        /// Old Rust name.
        old: String,
        /// New Rust name.
        new: String,
    },
    /// The spec now lists a field as required, or no longer does.
    FieldRequired {
        /// JSON name.
        field: String,
        /// Whether it is required now.
        required: bool,
    },
    /// An enum value was added.
    VariantAdded {
        /// The value in JSON.
        value: String,
    },
    /// An enum value was removed.
    VariantRemoved {
        /// The value in JSON.
        value: String,
    },
    /// An enum value's Rust variant name changed.
    VariantRenamed {
        /// The value in JSON.
        value: String,
        /// Old variant name.
        old: String,
        /// New variant name.
        new: String,
    },
}

impl Change {
    /// One line describing the change, without its subject.
    pub fn describe(&self) -> String {
        render::describe(&self.detail)
    }
}
