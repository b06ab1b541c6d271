//! Stage 2 of the pipeline: turn every accepted spec format into one OpenAPI 3.0.3 JSON
//! document, and check what later stages rely on.
//!
//! JumpCloud switched from Swagger 2.0 to OpenAPI 3.0.1 and then 3.1.0 within a few weeks, and
//! the older publications hold constructs that are invalid in their own format. Converting
//! everything to the one format that `openapiv3` reads keeps the rest of the generator
//! format-agnostic, and lets one overlay survive the publisher's format changes.
//!
//! The steps, each its own module:
//!
//! 1. `refs`: every `$ref` of the document *as loaded* must resolve (errors point where the
//!    author wrote the reference); references into the middle of another object are replaced
//!    by a copy of their target, so later stages only ever see `#/components/<kind>/<name>`.
//! 2. `swagger2` converts Swagger 2.0 structure; `openapi3` walks OpenAPI 3.0/3.1
//!    structure. Both hand every schema to `schema`, which rewrites the JSON Schema
//!    constructs that OpenAPI 3.0 lacks.
//! 3. `validate`: the normalized document is checked again (references, unique
//!    `operationId`s).
//!
//! [`parse`], the pipeline's parse stage, lives here too: it runs after the overlay stage, on
//! a document this module produced.
//!
//! Each rewrite is counted by kind in [`Normalized::rewrites`], so that a lossy fallback (an
//! "any" type where the source had a list of types, say) shows in the generation summary.
//!
//! Error pointers are into the document as loaded wherever the place exists there; the
//! messages of the few checks that can only run on the normalized document say so.

mod openapi3;
mod parse;
mod pointer;
mod refs;
mod schema;
mod swagger2;
mod validate;

pub use parse::parse;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::{Loaded, SourceFormat, SourceInfo, load_file};

/// The OpenAPI version every normalized document declares.
pub const OPENAPI_VERSION: &str = "3.0.3";

/// Deepest nesting the walkers accept, counted after references are inlined. JumpCloud's specs
/// nest 16 levels at most; the later stages (serde into `openapiv3`, the IR, emission) recurse
/// once or more per level, and a few hundred levels overflow the stack of a test thread, so
/// anything past this bound is refused with its pointer instead of crashing the process.
pub(crate) const MAX_DEPTH: usize = 64;

/// Counts of the rewrites made, by kind (one of the [`kind`] constants).
pub type Rewrites = BTreeMap<&'static str, usize>;

/// A document in OpenAPI 3.0.3 form, ready for the overlay and [`parse`] stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document.
    pub doc: Value,
    /// How many rewrites of each kind were made. Kinds whose name says "fallback" lose
    /// information; the others are exact translations.
    pub rewrites: Rewrites,
}

/// The kinds of rewrite counted in [`Normalized::rewrites`].
pub mod kind {
    /// OpenAPI 3.1 / invalid Swagger 2.0 `type: [T, "null"]` became `type: T, nullable: true`.
    pub const TYPE_LIST_NULL: &str = "type list with \"null\" -> type + nullable";
    /// `type: [T]` became `type: T`.
    pub const TYPE_LIST_SINGLE: &str = "type list of one type -> that type";
    /// `type: [T1, T2, ...]` (several non-null types) lost its `type`: any value is accepted.
    pub const TYPE_LIST_MULTI: &str = "type list of several types -> untyped (fallback)";
    /// `type: "null"` alone became `nullable: true` without a type: any value is accepted.
    pub const TYPE_NULL: &str = "type \"null\" -> nullable untyped (fallback)";
    /// A `{type: "null"}` branch of `anyOf`/`oneOf` became `nullable: true`.
    pub const NULL_BRANCH: &str = "anyOf/oneOf null branch -> nullable";
    /// `const: X` became `enum: [X]`.
    pub const CONST: &str = "const -> single-value enum";
    /// A schema's `examples` list became `example` (its first element).
    pub const EXAMPLES: &str = "schema examples list -> example";
    /// A numeric `exclusiveMinimum`/`exclusiveMaximum` became a bound plus a boolean flag.
    pub const EXCLUSIVE_BOUND: &str = "numeric exclusiveMinimum/Maximum -> bound + flag";
    /// A schema `$ref` with sibling keywords became `allOf: [{$ref}]` beside the siblings
    /// (OpenAPI 3.0 ignores a reference's siblings).
    pub const REF_SIBLINGS: &str = "schema $ref with siblings -> allOf wrapper";
    /// Siblings of a non-schema `$ref` (OpenAPI 3.1 `summary`/`description`) were dropped.
    pub const REF_SIBLINGS_DROPPED: &str = "non-schema $ref siblings dropped";
    /// `contentEncoding`/`contentMediaType` became `format: byte`/`binary`.
    pub const CONTENT_ENCODING: &str = "contentEncoding/contentMediaType -> format";
    /// A boolean schema (`true`/`false`) became `{}` / `{not: {}}`.
    pub const BOOLEAN_SCHEMA: &str = "boolean schema -> object schema";
    /// `$schema`, `$id`, `$anchor`, `$comment` and the like were dropped.
    pub const SCHEMA_IDENTIFIER_DROPPED: &str = "JSON Schema identifier/comment dropped";
    /// A JSON Schema keyword that OpenAPI 3.0 lacks was dropped: its constraint is lost.
    pub const KEYWORD_DROPPED: &str = "3.1-only schema keyword dropped (fallback)";
    /// A document-level OpenAPI 3.1 field (`webhooks`, `jsonSchemaDialect`,
    /// `info.summary`, `info.license.identifier`, `components.pathItems`) was dropped.
    pub const DOC_FIELD_DROPPED: &str = "3.1-only document field dropped";
    /// A `$ref` into the middle of another object was replaced by a copy of its target.
    pub const DEEP_REF_INLINED: &str = "$ref into another object -> inlined copy";

    /// Swagger 2.0 `x-nullable` became `nullable`.
    pub const X_NULLABLE: &str = "x-nullable -> nullable";
    /// Swagger 2.0 `type: file` became `type: string, format: binary`.
    pub const TYPE_FILE: &str = "type file -> string/binary";
    /// A Swagger 2.0 `discriminator` property name became a Discriminator object.
    pub const DISCRIMINATOR: &str = "discriminator name -> discriminator object";
    /// Swagger 2.0 `definitions` entry became `components/schemas`.
    pub const DEFINITION: &str = "definitions -> components/schemas";
    /// A Swagger 2.0 `$ref` was retargeted to `components`.
    pub const REF_RETARGETED: &str = "Swagger 2.0 $ref -> components $ref";
    /// A Swagger 2.0 `in: body` parameter became a `requestBody`.
    pub const BODY_PARAMETER: &str = "body parameter -> requestBody";
    /// An operation's Swagger 2.0 `in: formData` parameters became a form `requestBody`.
    pub const FORM_PARAMETERS: &str = "formData parameters -> form requestBody";
    /// A Swagger 2.0 non-body parameter's type keywords moved into `schema`.
    pub const PARAMETER_SCHEMA: &str = "parameter type keywords -> schema";
    /// A Swagger 2.0 `collectionFormat` became `style`/`explode`.
    pub const COLLECTION_FORMAT: &str = "collectionFormat -> style/explode";
    /// A Swagger 2.0 `collectionFormat` without OpenAPI 3.0 equivalent in its location was
    /// replaced by comma separation.
    pub const COLLECTION_FORMAT_FALLBACK: &str =
        "collectionFormat without 3.0 equivalent -> comma-separated (fallback)";
    /// A Swagger 2.0 response `schema` became `content` per media type of `produces`.
    pub const RESPONSE_CONTENT: &str = "response schema -> content per produces";
    /// A Swagger 2.0 response `examples` entry became a media type `example`.
    pub const RESPONSE_EXAMPLE: &str = "response examples -> content example";
    /// A Swagger 2.0 response header's type keywords moved into `schema`.
    pub const HEADER_SCHEMA: &str = "response header type keywords -> schema";
    /// A component (parameter or response) was copied into an operation whose
    /// `consumes`/`produces` differ from the document's.
    pub const COMPONENT_COPIED: &str = "component copied for operation media types";
    /// `host`/`basePath`/`schemes` became `servers`.
    pub const SERVERS: &str = "host/basePath/schemes -> servers";
    /// A `securityDefinitions` entry became a `components/securitySchemes` entry.
    pub const SECURITY_SCHEME: &str = "securityDefinitions -> securitySchemes";
    /// An operation's `schemes` were dropped (OpenAPI 3.0 would need operation servers).
    pub const OPERATION_SCHEMES_DROPPED: &str = "operation schemes dropped (fallback)";
}

/// Shared state of one normalization: the file (for errors) and the rewrite counts.
pub(crate) struct Cx<'a> {
    file: &'a Path,
    format: SourceFormat,
    rewrites: Rewrites,
}

impl<'a> Cx<'a> {
    fn new(file: &'a Path, format: SourceFormat) -> Self {
        Cx {
            file,
            format,
            rewrites: Rewrites::new(),
        }
    }

    pub(crate) fn count(&mut self, kind: &'static str) {
        *self.rewrites.entry(kind).or_default() += 1;
    }

    pub(crate) fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(self.file, pointer, message)
    }

    fn swagger(&self) -> bool {
        self.format == SourceFormat::Swagger2
    }
}

/// Converts a loaded spec to OpenAPI 3.0.3 and checks it (see the module documentation).
pub fn normalize(loaded: &Loaded) -> Result<Normalized> {
    let mut cx = Cx::new(&loaded.file, loaded.format);
    let mut doc = loaded.doc.clone();
    if !doc.is_object() {
        return Err(cx.error("", "the document is not a mapping"));
    }

    refs::check_and_inline(&mut doc, cx.swagger(), &mut cx)?;
    let doc = match loaded.format {
        SourceFormat::Swagger2 => swagger2::convert(&doc, &mut cx)?,
        SourceFormat::OpenApi30 | SourceFormat::OpenApi31 => {
            openapi3::downlevel(&mut doc, &mut cx)?;
            doc
        }
    };
    validate::check(&doc, &cx)?;

    Ok(Normalized {
        doc,
        rewrites: cx.rewrites,
    })
}

/// A spec taken through load, normalize and parse, for callers that need no overlay.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Where the spec came from and its declared format.
    pub source: SourceInfo,
    /// The rewrites normalization made.
    pub rewrites: Rewrites,
    /// The parsed document.
    pub api: openapiv3::OpenAPI,
}

/// Loads, normalizes and parses a spec file. The stages stay separately callable
/// ([`load_file`], [`normalize`], [`parse`]) so that an overlay can go between the last two.
pub fn load_and_parse(path: &Path) -> Result<Parsed> {
    let loaded = load_file(path)?;
    let normalized = normalize(&loaded)?;
    let api = parse(&loaded.file, normalized.doc)?;
    Ok(Parsed {
        source: loaded.info(),
        rewrites: normalized.rewrites,
        api,
    })
}
