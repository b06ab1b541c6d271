//! The intermediate representation: what the emitter needs, with every Rust name decided.
//!
//! Built from a parsed (normalized, overlaid) [`openapiv3::OpenAPI`]. Components keep their
//! spec names; inline schemas are named after where they sit (parent plus property, operation
//! plus role), never after a counter. Constructs the generator cannot type precisely become a
//! `serde_json::Value` and are counted as a fallback with their reason and location, so the
//! generation summary shows every one of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, OpenAPI, Parameter, ParameterSchemaOrContent,
    QueryStyle, ReferenceOr, RequestBody, Response, Schema, SchemaKind, StatusCode, Type,
    VariantOrUnknownOrEmpty,
};

use crate::error::{Error, Result, escape_token};
use crate::naming;

pub mod pagination;

pub use pagination::{CountType, PageTotal, Pagination};

/// One spec, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    /// Operations, sorted by module, then by operation id.
    pub operations: Vec<Operation>,
    /// Named types by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Number of component schemas in the spec.
    pub component_schemas: usize,
    /// Fallbacks used: reason -> JSON pointers where it was used.
    pub fallbacks: BTreeMap<String, Vec<String>>,
    /// Things handled outside the generated signatures (e.g. header parameters that the
    /// client sets itself): reason -> JSON pointers.
    pub omitted: BTreeMap<String, Vec<String>>,
    /// The spec's `info.title`.
    pub title: String,
    /// The spec's `info.version`.
    pub version: String,
}

/// A reference to a Rust type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`: integers without a format hold their full range.
    I64,
    /// `u32` (`format: uint32`).
    U32,
    /// `u64` (`format: uint64`).
    U64,
    /// `f64`.
    F64,
    /// Any JSON value.
    Json,
    /// A free-form JSON object.
    JsonObject,
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// A generated type, by Rust name.
    Named(String),
}

impl TypeRef {
    /// Whether a value of this type is written into a query string or header as one string.
    pub fn is_scalar(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        match self {
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U32
            | TypeRef::U64
            | TypeRef::F64 => true,
            TypeRef::Named(n) => match types.get(n).map(|t| &t.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Alias(t)) => t.is_scalar(types),
                _ => false,
            },
            _ => false,
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Description from the spec.
    pub doc: Option<String>,
    /// Where it comes from: a JSON pointer into the spec.
    pub source: String,
    /// The spec's component name, for component schemas.
    pub component: Option<String>,
    /// What it is.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(Vec<Field>),
    /// A string enum that keeps unknown values.
    Enum(Vec<Variant>),
    /// `pub type Name = T;`
    Alias(TypeRef),
}

/// A struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Property name in JSON.
    pub wire: String,
    /// Rust field name (may be a raw identifier such as `r#type`).
    pub rust: String,
    /// Field type (always wrapped in `Option` by the emitter; see the decoding policy).
    pub ty: TypeRef,
    /// Whether the spec lists the property as required.
    pub required: bool,
    /// Whether the field is boxed to break a cycle of types.
    pub boxed: bool,
    /// Description from the spec.
    pub doc: Option<String>,
    /// `readOnly` in the spec.
    pub read_only: bool,
    /// `deprecated` in the spec.
    pub deprecated: bool,
    /// `x-clearable` (from an overlay): a request can clear the field with an explicit `null`,
    /// so the emitter tells "leave unchanged" (absent) from "clear" (null).
    pub clearable: bool,
}

/// A string enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The value in JSON.
    pub wire: String,
    /// Rust variant name.
    pub rust: String,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Method name on the client (`snake_case` of the id).
    pub fn_name: String,
    /// Builder type name (`UpperCamelCase` of the id).
    pub builder: String,
    /// Module (from the first tag).
    pub module: String,
    /// The first tag as written in the spec.
    pub tag: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, relative to the API's base URL.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Parameters, in spec order: path, then query, then header.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<Body>,
    /// What a success decodes to.
    pub response: SuccessResponse,
    /// Headers the success responses declare (lowercased).
    pub response_headers: Vec<String>,
    /// The `Accept` header for operations that do not answer in JSON.
    pub accept: Option<String>,
    /// The JSON schema every error response (4xx, 5xx, `default`) declares, when they agree.
    pub error_body: Option<TypeRef>,
    /// `x-idempotent` from an overlay: a POST that only reads (a search) may be retried like a
    /// GET; `false` forbids retries of an operation the runtime would otherwise retry.
    pub idempotent: Option<bool>,
    /// How the operation pages, if it is a listing the generator recognizes.
    pub pagination: Option<Pagination>,
    /// JSON pointer of the operation.
    pub pointer: String,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// Path segment.
    Path,
    /// Query string.
    Query,
    /// Request header.
    Header,
}

/// A request parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// Location.
    pub location: ParamLocation,
    /// Required parameters are arguments of the client method; the rest are setters.
    pub required: bool,
    /// Type.
    pub ty: TypeRef,
    /// For arrays in the query: repeated keys (`true`) or one comma-joined value (`false`).
    pub explode: bool,
    /// Description.
    pub doc: Option<String>,
    /// Inclusive bounds the spec declares for an integer parameter; a value outside them is
    /// rejected before sending, since the API answers it with a 400.
    pub bounds: (Option<i64>, Option<i64>),
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Whether the spec requires it.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
    /// Encoding.
    pub kind: BodyKind,
}

/// How a request body is encoded.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// `application/json` (or `+json`), serialized from the type.
    Json(TypeRef),
    /// `multipart/form-data` with these parts.
    Multipart(Vec<MultipartPart>),
    /// Raw bytes sent with this content type.
    Bytes(String),
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartPart {
    /// Part name.
    pub wire: String,
    /// Rust name of the setter.
    pub rust: String,
    /// A file (bytes) rather than a text value.
    pub file: bool,
    /// Whether the spec requires it.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
}

/// What a successful response decodes to.
#[derive(Debug, Clone, PartialEq)]
pub enum SuccessResponse {
    /// No body.
    Empty,
    /// JSON of this type.
    Json(TypeRef),
    /// JSON of this type, or no body at all (a 204 beside a 200 with content).
    JsonOrEmpty(TypeRef),
    /// `text/*` as a `String`.
    Text,
    /// Anything else (binary, or several content types): bytes plus the content type.
    Binary,
}

/// Header parameters that OpenAPI 3 says a generator SHALL ignore: the client sets them from
/// its configuration and the operation's content types. (Headers JumpCloud's specs declare per
/// operation that belong to the client, such as `x-org-id` and `Date`, are removed by the
/// overlays instead, where each removal says why.)
const CLIENT_HEADERS: &[&str] = &["authorization", "content-type", "accept"];

/// Methods the generated `Client` has besides the operations (and those of the traits it
/// implements); an operation named like one gets the suffix `_operation`.
const CLIENT_METHODS: &[&str] = &["new", "core", "from_env", "api", "clone", "clone_from", "fmt", "from", "into"];

/// Members of every request builder besides its parameters; a parameter or multipart part named
/// like one gets the suffix `_param`.
const BUILDER_MEMBERS: &[&str] = &["client", "send", "stream", "body", "clone", "fmt"];

/// Builds the IR of one spec.
pub fn build(spec: &OpenAPI, file: &Path) -> Result<Ir> {
    let mut b = Builder {
        spec,
        file: file.to_path_buf(),
        types: BTreeMap::new(),
        names: BTreeMap::new(),
        component_names: BTreeMap::new(),
        fallbacks: BTreeMap::new(),
        omitted: BTreeMap::new(),
        hoisted: BTreeSet::new(),
        expanding: Vec::new(),
    };
    b.components()?;
    b.alias_cycles()?;
    let mut operations = b.operations()?;
    b.box_cycles();
    drop_blank_docs(&mut b.types, &mut operations);
    Ok(Ir {
        operations,
        component_schemas: spec.components.as_ref().map_or(0, |c| c.schemas.len()),
        types: b.types,
        fallbacks: b.fallbacks,
        omitted: b.omitted,
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
    })
}

struct Builder<'a> {
    spec: &'a OpenAPI,
    file: PathBuf,
    types: BTreeMap<String, TypeDef>,
    /// Every type name handed out, with the pointer it was handed to.
    names: BTreeMap<String, String>,
    /// Component schema name -> Rust name.
    component_names: BTreeMap<String, String>,
    fallbacks: BTreeMap<String, Vec<String>>,
    omitted: BTreeMap<String, Vec<String>>,
    /// Component keys that a converter made up for inline schemas.
    hoisted: BTreeSet<String>,
    /// Hoisted components being expanded, to stop at a cycle.
    expanding: Vec<String>,
}

/// Components that the publisher's Swagger-to-OpenAPI converter (2026-06-01) made up for inline
/// schemas: `inline_response_200_6`, `inline_object_2`, `<path>_body[_N]`, and
/// `<component>_<property>[_<property>...]` for nested objects. Their names carry counters or
/// mirror a position that the generator names better itself; giving them Rust names would
/// rename types whenever the counters shift, so they are typed where they are used instead.
pub fn hoisted_components<'k>(keys: impl Iterator<Item = &'k str> + Clone) -> BTreeSet<String> {
    // The converter also drops dashes and case from the parent's key
    // (`GraphAttribute-Radius` -> `GraphAttributeRadius_radius`), so parents are compared
    // squashed: lower case, letters and digits only.
    let squash = |k: &str| -> String { k.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect() };
    let parents: BTreeSet<String> = keys.clone().map(squash).collect();
    let is_counter = |k: &str| {
        let trimmed = k.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
        k.starts_with("inline_response_")
            || k.starts_with("inline_object")
            || trimmed.ends_with("_body")
            || trimmed == "body"
    };
    let is_nested = |k: &str| {
        k.char_indices().filter(|(_, c)| *c == '_').any(|(i, _)| {
            let rest = &k[i + 1..];
            rest.starts_with(|c: char| c.is_ascii_lowercase()) && parents.contains(&squash(&k[..i]))
        })
    };
    keys.filter(|k| is_counter(k) || is_nested(k)).map(str::to_owned).collect()
}

/// The name a JSON pointer token stands for (RFC 6901: `~1` -> `/`, `~0` -> `~`).
fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn ptr(parent: &str, token: &str) -> String {
    format!("{parent}/{}", escape_token(token))
}

fn x_rust_name(ext: &indexmap::IndexMap<String, serde_json::Value>) -> Option<&str> {
    ext.get("x-rust-name").and_then(|v| v.as_str())
}

/// Whether an `x-rust-name` can be a type name as given: ASCII, `UpperCamelCase`, not a name
/// the generator reserves.
fn valid_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && naming::type_name(name) == name
}

impl<'a> Builder<'a> {
    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(&self.file, pointer, message)
    }

    /// An `x-rust-name` from an overlay, refused unless it is a usable type name.
    fn checked_override(&self, name: &str, pointer: &str) -> Result<String> {
        if valid_type_name(name) {
            Ok(name.to_owned())
        } else {
            Err(self.err(
                &ptr(pointer, "x-rust-name"),
                format!("x-rust-name {name:?} is not a Rust type name (ASCII UpperCamelCase, not reserved)"),
            ))
        }
    }

    fn fallback(&mut self, reason: &str, pointer: &str) {
        self.fallbacks.entry(reason.to_owned()).or_default().push(pointer.to_owned());
    }

    /// Hands out a type name; a second claim on the same name is an error naming both.
    fn claim(&mut self, name: &str, pointer: &str) -> Result<()> {
        if let Some(prev) = self.names.get(name) {
            if prev != pointer {
                return Err(self.err(
                    pointer,
                    format!(
                        "Rust type name `{name}` is already used by #{prev}; rename one with an \
                         overlay setting `x-rust-name`"
                    ),
                ));
            }
            return Ok(());
        }
        self.names.insert(name.to_owned(), pointer.to_owned());
        Ok(())
    }

    fn components(&mut self) -> Result<()> {
        let Some(components) = &self.spec.components else { return Ok(()) };
        self.hoisted = hoisted_components(components.schemas.keys().map(String::as_str));
        // Names first, so that references resolve whatever order the components come in.
        for (key, schema) in &components.schemas {
            if self.hoisted.contains(key) {
                continue;
            }
            let pointer = ptr("/components/schemas", key);
            let name = match schema {
                ReferenceOr::Item(s) => match x_rust_name(&s.schema_data.extensions) {
                    Some(n) => self.checked_override(n, &pointer)?,
                    None => naming::type_name(key),
                },
                ReferenceOr::Reference { .. } => naming::type_name(key),
            };
            self.claim(&name, &pointer)?;
            self.component_names.insert(key.clone(), name);
        }
        for (key, schema) in &components.schemas {
            if self.hoisted.contains(key) {
                continue;
            }
            let pointer = ptr("/components/schemas", key);
            let name = self.component_names[key].clone();
            let (doc, kind) = match schema {
                ReferenceOr::Reference { reference } => {
                    (None, TypeKind::Alias(self.reference(reference, &name, &pointer)?))
                }
                ReferenceOr::Item(s) => {
                    let doc = s.schema_data.description.clone().or(s.schema_data.title.clone());
                    match self.shape(s, &name, &pointer)? {
                        Shape::Struct(fields) => (doc, TypeKind::Struct(fields)),
                        Shape::Enum(variants) => (doc, TypeKind::Enum(variants)),
                        Shape::Ref(t) => (doc, TypeKind::Alias(t)),
                    }
                }
            };
            self.types.insert(
                name.clone(),
                TypeDef { name, doc, source: pointer, component: Some(key.clone()), kind },
            );
        }
        Ok(())
    }

    /// The type a `$ref` stands for. A reference to a hoisted component (see
    /// [`hoisted_components`]) is treated as if its schema were written in place, so the type
    /// is named after the position (`hint`), not after the publisher's counter.
    fn reference(&mut self, reference: &str, hint: &str, pointer: &str) -> Result<TypeRef> {
        if let Some(key) = reference.strip_prefix("#/components/schemas/") {
            let key = unescape_token(key);
            if let Some(name) = self.component_names.get(&key) {
                return Ok(TypeRef::Named(name.clone()));
            }
            if self.hoisted.contains(&key) {
                if self.expanding.contains(&key) {
                    // Limitation: a hoisted schema that contains itself has no position name
                    // to give the inner occurrence; it is typed as JSON.
                    self.fallback("recursive hoisted component typed as JSON", pointer);
                    return Ok(TypeRef::Json);
                }
                let spec = self.spec;
                if let Some(target) = spec.components.as_ref().and_then(|c| c.schemas.get(&key)) {
                    self.expanding.push(key.clone());
                    let t = match target {
                        ReferenceOr::Item(s) => self.inline(s, hint, pointer),
                        ReferenceOr::Reference { reference } => self.reference(reference, hint, pointer),
                    };
                    self.expanding.pop();
                    return t;
                }
            }
        }
        // Limitation: a `$ref` into the middle of another schema (for instance
        // `#/components/schemas/X/properties/y`) is typed as JSON; the normalizer inlines the
        // ones it finds, so this is only reached for references it could not resolve.
        self.fallback(&format!("$ref not to a component schema ({reference})"), pointer);
        Ok(TypeRef::Json)
    }

    /// The type of a schema at an inline position; `hint` names it if it needs a named type.
    fn schema_type(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, hint, pointer),
            ReferenceOr::Item(s) => self.inline(s, hint, pointer),
        }
    }

    fn boxed_schema_type(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        pointer: &str,
    ) -> Result<TypeRef> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, hint, pointer),
            ReferenceOr::Item(s) => self.inline(s, hint, pointer),
        }
    }

    fn inline(&mut self, s: &Schema, hint: &str, pointer: &str) -> Result<TypeRef> {
        // An inline schema whose position name is taken by a component steps aside with a fixed
        // suffix: the component keeps the name the spec gave it, and the inline type's name
        // still depends only on where it sits. An overlay's `x-rust-name` can pick a better one.
        let (name, stepped_aside) = match x_rust_name(&s.schema_data.extensions) {
            Some(n) => (self.checked_override(n, pointer)?, false),
            None if self.component_names.values().any(|c| c == hint) => (format!("{hint}Inline"), true),
            None => (hint.to_owned(), false),
        };
        let shape = self.shape(s, &name, pointer)?;
        if stepped_aside && !matches!(shape, Shape::Ref(_)) {
            self.fallback("inline schema named `<position>Inline`: a component has its position name", pointer);
        }
        match shape {
            Shape::Ref(t) => Ok(t),
            Shape::Struct(fields) => {
                self.define(&name, s, pointer, TypeKind::Struct(fields))?;
                Ok(TypeRef::Named(name))
            }
            Shape::Enum(variants) => {
                self.define(&name, s, pointer, TypeKind::Enum(variants))?;
                Ok(TypeRef::Named(name))
            }
        }
    }

    fn define(&mut self, name: &str, s: &Schema, pointer: &str, kind: TypeKind) -> Result<()> {
        self.claim(name, pointer)?;
        let doc = s.schema_data.description.clone().or(s.schema_data.title.clone());
        self.types.insert(
            name.to_owned(),
            TypeDef { name: name.to_owned(), doc, source: pointer.to_owned(), component: None, kind },
        );
        Ok(())
    }

    /// What a schema is: a struct or enum to be named `name`, or a type written in place.
    fn shape(&mut self, s: &Schema, name: &str, pointer: &str) -> Result<Shape> {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<&str> = st.enumeration.iter().flatten().map(String::as_str).collect();
                if values.is_empty() {
                    Ok(Shape::Ref(TypeRef::String))
                } else {
                    self.enum_shape(&values, pointer)
                }
            }
            SchemaKind::Type(Type::Integer(it)) => Ok(Shape::Ref(match &it.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => TypeRef::I64,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uint32" => TypeRef::U32,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uint64" => TypeRef::U64,
                _ => TypeRef::I64,
            })),
            SchemaKind::Type(Type::Number(_)) => Ok(Shape::Ref(TypeRef::F64)),
            SchemaKind::Type(Type::Boolean(_)) => Ok(Shape::Ref(TypeRef::Bool)),
            SchemaKind::Type(Type::Array(at)) => {
                let item = match &at.items {
                    Some(items) => self.boxed_schema_type(
                        items,
                        &naming::child_type_name(name, "item"),
                        &ptr(pointer, "items"),
                    )?,
                    None => TypeRef::Json,
                };
                Ok(Shape::Ref(TypeRef::Vec(Box::new(item))))
            }
            SchemaKind::Type(Type::Object(ot)) => self.object_shape(
                name,
                pointer,
                &ot.properties,
                &ot.required,
                ot.additional_properties.as_ref(),
            ),
            SchemaKind::AllOf { all_of } => self.all_of_shape(name, pointer, all_of, None),
            SchemaKind::OneOf { one_of } => self.union_shape(name, pointer, one_of, "oneOf"),
            SchemaKind::AnyOf { any_of } => self.union_shape(name, pointer, any_of, "anyOf"),
            SchemaKind::Not { .. } => {
                self.fallback("`not` schema typed as JSON", pointer);
                Ok(Shape::Ref(TypeRef::Json))
            }
            SchemaKind::Any(any) => self.any_shape(name, pointer, any),
        }
    }

    fn enum_shape(&mut self, values: &[&str], pointer: &str) -> Result<Shape> {
        let mut unique: Vec<&str> = Vec::new();
        for v in values {
            if !unique.contains(v) {
                unique.push(v);
            }
        }
        let names = naming::variant_names(unique.iter().copied()).map_err(|(rust, a, b)| {
            self.err(
                &ptr(pointer, "enum"),
                format!("enum values {a:?} and {b:?} both map to the Rust variant `{rust}`"),
            )
        })?;
        Ok(Shape::Enum(
            unique
                .iter()
                .zip(names)
                .map(|(w, r)| Variant { wire: (*w).to_owned(), rust: r })
                .collect(),
        ))
    }

    fn object_shape(
        &mut self,
        name: &str,
        pointer: &str,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
    ) -> Result<Shape> {
        if properties.is_empty() {
            return Ok(Shape::Ref(match additional {
                Some(AdditionalProperties::Schema(s)) => {
                    let value = self.schema_type(
                        s,
                        &naming::child_type_name(name, "value"),
                        &ptr(pointer, "additionalProperties"),
                    )?;
                    if value == TypeRef::Json { TypeRef::JsonObject } else { TypeRef::Map(Box::new(value)) }
                }
                _ => TypeRef::JsonObject,
            }));
        }
        // Limitation: `additionalProperties` beside `properties` is not kept: unknown fields
        // are ignored by the decoding policy.
        let props = own_props(properties, name, pointer);
        let fields = self.fields(&props, required)?;
        Ok(Shape::Struct(fields))
    }

    fn fields(&mut self, props: &indexmap::IndexMap<String, Prop>, required: &[String]) -> Result<Vec<Field>> {
        let rust_names = naming::field_names(props.keys().map(String::as_str)).map_err(|(rust, a, b)| {
            let at = props.get(b.as_str()).map(|p| p.pointer.clone()).unwrap_or_default();
            self.err(&at, format!("properties {a:?} and {b:?} both map to the Rust field `{rust}`"))
        })?;
        let mut fields = Vec::with_capacity(props.len());
        for ((wire, prop), rust) in props.iter().zip(rust_names) {
            let schema = &prop.schema;
            let p = ptr(&ptr(&prop.pointer, "properties"), wire);
            let ty = self.boxed_schema_type(schema, &naming::child_type_name(&prop.owner, wire), &p)?;
            let (doc, read_only, deprecated, clearable) = match schema {
                ReferenceOr::Item(s) => (
                    s.schema_data.description.clone().or(s.schema_data.title.clone()),
                    s.schema_data.read_only,
                    s.schema_data.deprecated,
                    s.schema_data.extensions.get("x-clearable").and_then(serde_json::Value::as_bool) == Some(true),
                ),
                ReferenceOr::Reference { .. } => (None, false, false, false),
            };
            fields.push(Field {
                wire: wire.clone(),
                rust,
                ty,
                required: required.contains(wire),
                boxed: false,
                doc,
                read_only,
                deprecated,
                clearable,
            });
        }
        Ok(fields)
    }

    /// `allOf`: the properties of every branch merged into one struct. A single branch with
    /// nothing beside it is that branch's type (the 3.0 way to annotate a `$ref`).
    fn all_of_shape(
        &mut self,
        name: &str,
        pointer: &str,
        all_of: &[ReferenceOr<Schema>],
        own: Option<(&Properties, &[String])>,
    ) -> Result<Shape> {
        let own_empty = own.is_none_or(|(p, _)| p.is_empty());
        if all_of.len() == 1 && own_empty {
            let t = self.schema_type(&all_of[0], name, &ptr(&ptr(pointer, "allOf"), "0"))?;
            return Ok(Shape::Ref(t));
        }
        let mut props: indexmap::IndexMap<String, Prop> = indexmap::IndexMap::new();
        let mut required: Vec<String> = Vec::new();
        let mut visited = BTreeSet::new();
        let mut opaque = false;
        for (i, branch) in all_of.iter().enumerate() {
            let bp = ptr(&ptr(pointer, "allOf"), &i.to_string());
            if !self.collect_properties(branch, name, &bp, &mut props, &mut required, &mut visited, 0) {
                opaque = true;
                self.fallback("allOf branch that is not an object (ignored in the merged struct)", &bp);
            }
        }
        if let Some((p, r)) = own {
            props.extend(own_props(p, name, pointer));
            required.extend(r.iter().cloned());
        }
        if props.is_empty() {
            if opaque {
                return Ok(Shape::Ref(TypeRef::Json));
            }
            return Ok(Shape::Ref(TypeRef::JsonObject));
        }
        let fields = self.fields(&props, &required)?;
        Ok(Shape::Struct(fields))
    }

    /// Gathers the properties of an `allOf` branch, following references and nested `allOf`.
    /// Each property remembers the schema that declares it (`owner`, `at`), so that an inline
    /// schema inside a referenced component gets the component's name for it, not a second
    /// type. Returns false when the branch is not an object.
    #[allow(clippy::too_many_arguments)]
    fn collect_properties(
        &self,
        schema: &ReferenceOr<Schema>,
        owner: &str,
        at: &str,
        props: &mut indexmap::IndexMap<String, Prop>,
        required: &mut Vec<String>,
        visited: &mut BTreeSet<String>,
        depth: usize,
    ) -> bool {
        if depth > 32 {
            return false;
        }
        let s = match schema {
            ReferenceOr::Reference { reference } => {
                let Some(key) = reference.strip_prefix("#/components/schemas/") else { return false };
                let key = unescape_token(key);
                let target = self.spec.components.as_ref().and_then(|c| c.schemas.get(&key));
                let Some(target) = target else { return false };
                // A component reached twice through `allOf` (a diamond) adds the same properties
                // again; merging it once keeps the work linear in the number of components.
                if !visited.insert(key.clone()) {
                    return true;
                }
                if self.hoisted.contains(&key) {
                    // Merged as if written in place: its inline parts belong to `owner`.
                    return self.collect_properties(target, owner, at, props, required, visited, depth + 1);
                }
                let Some(name) = self.component_names.get(&key) else { return false };
                let at = ptr("/components/schemas", &key);
                return self.collect_properties(target, name, &at, props, required, visited, depth + 1);
            }
            ReferenceOr::Item(s) => s,
        };
        let nested = |i: usize| ptr(&ptr(at, "allOf"), &i.to_string());
        match &s.schema_kind {
            SchemaKind::Type(Type::Object(ot)) => {
                props.extend(own_props(&ot.properties, owner, at));
                required.extend(ot.required.iter().cloned());
                true
            }
            SchemaKind::AllOf { all_of } => all_of
                .iter()
                .enumerate()
                .all(|(i, b)| self.collect_properties(b, owner, &nested(i), props, required, visited, depth + 1)),
            SchemaKind::Any(any) => {
                let mut ok = any.typ.as_deref().is_none_or(|t| t == "object");
                for (i, b) in any.all_of.iter().enumerate() {
                    ok &= self.collect_properties(b, owner, &nested(i), props, required, visited, depth + 1);
                }
                props.extend(own_props(&any.properties, owner, at));
                required.extend(any.required.iter().cloned());
                ok
            }
            _ => false,
        }
    }

    fn union_shape(
        &mut self,
        name: &str,
        pointer: &str,
        branches: &[ReferenceOr<Schema>],
        keyword: &str,
    ) -> Result<Shape> {
        let real: Vec<(usize, &ReferenceOr<Schema>)> =
            branches.iter().enumerate().filter(|(_, b)| !is_null_schema(b)).collect();
        if let [(i, only)] = real.as_slice() {
            let t = self.schema_type(only, name, &ptr(&ptr(pointer, keyword), &i.to_string()))?;
            return Ok(Shape::Ref(t));
        }
        // Limitation: unions of several shapes are kept as raw JSON rather than an untagged
        // enum, whose errors would name no field and whose branch choice is order-dependent.
        self.fallback(&format!("{keyword} with several branches typed as JSON"), pointer);
        Ok(Shape::Ref(TypeRef::Json))
    }

    fn any_shape(&mut self, name: &str, pointer: &str, any: &AnySchema) -> Result<Shape> {
        if !any.all_of.is_empty() {
            return self.all_of_shape(name, pointer, &any.all_of, Some((&any.properties, &any.required)));
        }
        if !any.properties.is_empty() {
            return self.object_shape(
                name,
                pointer,
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
            );
        }
        if !any.one_of.is_empty() {
            return self.union_shape(name, pointer, &any.one_of, "oneOf");
        }
        if !any.any_of.is_empty() {
            return self.union_shape(name, pointer, &any.any_of, "anyOf");
        }
        match any.typ.as_deref() {
            Some("array") => {
                let item = match &any.items {
                    Some(items) => self.boxed_schema_type(
                        items,
                        &naming::child_type_name(name, "item"),
                        &ptr(pointer, "items"),
                    )?,
                    None => TypeRef::Json,
                };
                Ok(Shape::Ref(TypeRef::Vec(Box::new(item))))
            }
            Some("object") => self.object_shape(
                name,
                pointer,
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
            ),
            Some("string") => {
                let values: Vec<&str> = any.enumeration.iter().filter_map(|v| v.as_str()).collect();
                if values.is_empty() { Ok(Shape::Ref(TypeRef::String)) } else { self.enum_shape(&values, pointer) }
            }
            Some("integer") => Ok(Shape::Ref(TypeRef::I64)),
            Some("number") => Ok(Shape::Ref(TypeRef::F64)),
            Some("boolean") => Ok(Shape::Ref(TypeRef::Bool)),
            Some(other) => {
                self.fallback(&format!("unknown type {other:?} typed as JSON"), pointer);
                Ok(Shape::Ref(TypeRef::Json))
            }
            // `items` without `type` (seen in 3.1 publications) can only describe an array.
            None if any.items.is_some() => {
                let item = match &any.items {
                    Some(items) => self.boxed_schema_type(
                        items,
                        &naming::child_type_name(name, "item"),
                        &ptr(pointer, "items"),
                    )?,
                    None => TypeRef::Json,
                };
                Ok(Shape::Ref(TypeRef::Vec(Box::new(item))))
            }
            // A schema with no type and no structure accepts any JSON value: that is exact.
            None => Ok(Shape::Ref(TypeRef::Json)),
        }
    }

    fn operations(&mut self) -> Result<Vec<Operation>> {
        let mut ops = Vec::new();
        let mut fn_names: BTreeMap<String, String> = BTreeMap::new();
        let mut builders: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in self.spec.paths.paths.iter() {
            let path_pointer = ptr("/paths", path);
            let item = match item {
                ReferenceOr::Item(i) => i,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&path_pointer, "a path item `$ref` is not supported"));
                }
            };
            for (method, op) in item.iter() {
                let pointer = ptr(&path_pointer, method);
                let id = match &op.operation_id {
                    Some(id) => id.clone(),
                    None => {
                        self.fallback("operation without operationId: named from method and path", &pointer);
                        format!("{method}_{path}")
                    }
                };
                let fn_name = naming::snake_name(&id);
                let mut fn_name = match naming::split_raw(&fn_name) {
                    (true, rest) => format!("{rest}_"),
                    (false, _) => fn_name,
                };
                // The client's own methods (and `Clone`'s) keep their meaning.
                if CLIENT_METHODS.contains(&fn_name.as_str()) {
                    fn_name.push_str("_operation");
                }
                if let Some(prev) = fn_names.insert(fn_name.clone(), pointer.clone()) {
                    return Err(self.err(
                        &pointer,
                        format!("operationId {id:?} maps to the Rust method `{fn_name}`, already used by #{prev}"),
                    ));
                }
                let builder = naming::type_name(&id);
                if let Some(prev) = builders.insert(builder.clone(), pointer.clone()) {
                    return Err(self.err(
                        &pointer,
                        format!("operationId {id:?} maps to the builder type `{builder}`, already used by #{prev}"),
                    ));
                }
                let tag = op.tags.first().cloned().unwrap_or_else(|| "default".to_owned());
                let params = self.params(&item.parameters, &op.parameters, &builder, &pointer, path)?;
                let mut body = match &op.request_body {
                    Some(rb) => self.body(rb, &builder, &ptr(&pointer, "requestBody"))?,
                    None => None,
                };
                // Multipart parts become setters beside the parameters' setters.
                if let Some(Body { kind: BodyKind::Multipart(parts), .. }) = &mut body {
                    let taken: BTreeSet<&str> = params.iter().map(|p| p.rust.as_str()).collect();
                    let mut names = BTreeSet::new();
                    for part in parts.iter_mut() {
                        let plain = naming::split_raw(&part.rust).1.to_owned();
                        if taken.contains(part.rust.as_str()) || BUILDER_MEMBERS.contains(&plain.as_str()) {
                            part.rust = format!("{plain}_part");
                        }
                        if taken.contains(part.rust.as_str()) || !names.insert(part.rust.clone()) {
                            return Err(self.err(
                                &pointer,
                                format!("multipart part {:?} and a parameter map to the same Rust name", part.wire),
                            ));
                        }
                    }
                }
                let (response, response_headers, accept) =
                    self.response(&op.responses, &builder, &ptr(&pointer, "responses"))?;
                let idempotent = op.extensions.get("x-idempotent").and_then(serde_json::Value::as_bool);
                let error_body = self.error_body(&op.responses, &builder, &ptr(&pointer, "responses"))?;
                ops.push(Operation {
                    id,
                    fn_name,
                    builder,
                    module: naming::module_name(&tag),
                    tag,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    deprecated: op.deprecated,
                    params,
                    body,
                    response,
                    response_headers,
                    accept,
                    error_body,
                    idempotent,
                    pagination: None,
                    pointer,
                });
            }
        }
        for op in &mut ops {
            op.pagination = pagination::infer(op, &self.types);
        }
        ops.sort_by(|a, b| (&a.module, &a.id).cmp(&(&b.module, &b.id)));
        Ok(ops)
    }

    fn resolve_param<'p>(&self, p: &'p ReferenceOr<Parameter>, pointer: &str) -> Result<&'p Parameter>
    where
        'a: 'p,
    {
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/parameters/").ok_or_else(|| {
                    self.err(pointer, format!("parameter $ref {reference:?} is not into #/components/parameters"))
                })?;
                let key = unescape_token(key);
                match self.spec.components.as_ref().and_then(|c| c.parameters.get(&key)) {
                    Some(ReferenceOr::Item(p)) => Ok(p),
                    _ => Err(self.err(pointer, format!("parameter $ref {reference:?} does not resolve"))),
                }
            }
        }
    }

    fn params(
        &mut self,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
        builder: &str,
        pointer: &str,
        path: &str,
    ) -> Result<Vec<Param>> {
        // A path template is literal text with `{name}` variables; a stray brace would be sent
        // as part of the path.
        let mut open = false;
        for c in path.chars() {
            match (c, open) {
                ('{', false) => open = true,
                ('}', true) => open = false,
                ('{', true) | ('}', false) => {
                    return Err(self.err(pointer, format!("path {path:?} has unbalanced braces")));
                }
                _ => {}
            }
        }
        if open {
            return Err(self.err(pointer, format!("path {path:?} has unbalanced braces")));
        }
        // Operation-level parameters override path-level ones with the same name and location.
        let mut merged: Vec<(String, &Parameter)> = Vec::new();
        let all = path_level
            .iter()
            .enumerate()
            .map(|(i, p)| (ptr(&ptr(&pointer[..pointer.rfind('/').unwrap_or(0)], "parameters"), &i.to_string()), p))
            .chain(op_level.iter().enumerate().map(|(i, p)| (ptr(&ptr(pointer, "parameters"), &i.to_string()), p)));
        for (pp, p) in all {
            let p = self.resolve_param(p, &pp)?;
            let key = (p.parameter_data_ref().name.clone(), std::mem::discriminant(p));
            if let Some(slot) = merged
                .iter_mut()
                .find(|(_, q)| (q.parameter_data_ref().name.clone(), std::mem::discriminant(*q)) == key)
            {
                *slot = (pp, p);
            } else {
                merged.push((pp, p));
            }
        }
        let mut out = Vec::new();
        for (pp, p) in merged {
            let data = p.parameter_data_ref();
            let (location, explode) = match p {
                Parameter::Path { .. } => (ParamLocation::Path, false),
                Parameter::Query { style, .. } => {
                    if !matches!(style, QueryStyle::Form) {
                        self.fallback("query parameter style other than form sent as form", &pp);
                    }
                    (ParamLocation::Query, data.explode.unwrap_or(true))
                }
                Parameter::Header { .. } => {
                    if CLIENT_HEADERS.contains(&data.name.to_ascii_lowercase().as_str()) {
                        self.omitted
                            .entry(format!("header parameter `{}` set by the client", data.name.to_ascii_lowercase()))
                            .or_default()
                            .push(pp);
                        continue;
                    }
                    (ParamLocation::Header, false)
                }
                Parameter::Cookie { .. } => {
                    return Err(self.err(&pp, format!("cookie parameter {:?} is not supported", data.name)));
                }
            };
            if location == ParamLocation::Path && !path.contains(&format!("{{{}}}", data.name)) {
                return Err(self.err(&pp, format!("path parameter {:?} does not appear in the path {path:?}", data.name)));
            }
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.schema_type(
                    s,
                    &naming::child_type_name(builder, &data.name),
                    &ptr(&pp, "schema"),
                )?,
                ParameterSchemaOrContent::Content(_) => {
                    self.fallback("parameter with `content` sent as JSON text", &pp);
                    TypeRef::Json
                }
            };
            let bounds = match &data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(Schema {
                    schema_kind: SchemaKind::Type(Type::Integer(it)),
                    ..
                })) => (
                    it.minimum.map(|m| if it.exclusive_minimum { m.saturating_add(1) } else { m }),
                    it.maximum.map(|m| if it.exclusive_maximum { m.saturating_sub(1) } else { m }),
                ),
                _ => (None, None),
            };
            out.push(Param {
                wire: data.name.clone(),
                rust: String::new(),
                location,
                required: data.required || location == ParamLocation::Path,
                ty,
                explode,
                doc: data.description.clone(),
                bounds,
            });
        }
        // Every path template variable must have a parameter, or the URL would be wrong.
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            let var = &rest[start + 1..start + len];
            if !out.iter().any(|p| p.location == ParamLocation::Path && p.wire == var) {
                return Err(self.err(pointer, format!("path variable {{{var}}} has no path parameter")));
            }
            rest = &rest[start + len..];
        }
        let names = naming::field_names(out.iter().map(|p| p.wire.as_str())).map_err(|(rust, a, b)| {
            self.err(pointer, format!("parameters {a:?} and {b:?} both map to the Rust name `{rust}`"))
        })?;
        for (p, n) in out.iter_mut().zip(names) {
            p.rust = if BUILDER_MEMBERS.contains(&naming::split_raw(&n).1) {
                format!("{}_param", naming::split_raw(&n).1)
            } else {
                n
            };
        }
        let mut seen = BTreeSet::new();
        for p in &out {
            if !seen.insert(p.rust.as_str()) {
                return Err(self.err(pointer, format!("two parameters map to the Rust name `{}`", p.rust)));
            }
            if p.location == ParamLocation::Path && !p.ty.is_scalar(&self.types) {
                return Err(self.err(
                    pointer,
                    format!("path parameter {:?} is not a string, number, boolean or enum", p.wire),
                ));
            }
        }
        Ok(out)
    }

    fn body(&mut self, rb: &ReferenceOr<RequestBody>, builder: &str, pointer: &str) -> Result<Option<Body>> {
        let rb = match rb {
            ReferenceOr::Item(rb) => rb,
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/requestBodies/").map(unescape_token);
                match key.and_then(|k| self.spec.components.as_ref().and_then(|c| c.request_bodies.get(&k))) {
                    Some(ReferenceOr::Item(rb)) => rb,
                    _ => return Err(self.err(pointer, format!("request body $ref {reference:?} does not resolve"))),
                }
            }
        };
        let content_pointer = ptr(pointer, "content");
        let hint = naming::child_type_name(builder, "body");
        let json = rb.content.iter().find(|(ct, _)| is_json(ct));
        let kind = if let Some((ct, media)) = json {
            let ty = match &media.schema {
                Some(s) => self.schema_type(s, &hint, &ptr(&ptr(&content_pointer, ct), "schema"))?,
                None => TypeRef::Json,
            };
            BodyKind::Json(ty)
        } else if let Some((ct, media)) = rb.content.iter().find(|(ct, _)| ct.starts_with("multipart/form-data")) {
            BodyKind::Multipart(self.multipart(media.schema.as_ref(), &ptr(&ptr(&content_pointer, ct), "schema"))?)
        } else if let Some((ct, _)) = rb.content.first() {
            BodyKind::Bytes(ct.clone())
        } else {
            return Ok(None);
        };
        Ok(Some(Body { required: rb.required, doc: rb.description.clone(), kind }))
    }

    fn multipart(&mut self, schema: Option<&ReferenceOr<Schema>>, pointer: &str) -> Result<Vec<MultipartPart>> {
        let schema = match schema {
            Some(ReferenceOr::Item(s)) => s,
            Some(ReferenceOr::Reference { reference }) => {
                let key = reference.strip_prefix("#/components/schemas/").unwrap_or(reference);
                match self.spec.components.as_ref().and_then(|c| c.schemas.get(key)) {
                    Some(ReferenceOr::Item(s)) => s,
                    _ => return Err(self.err(pointer, format!("multipart schema $ref {reference:?} does not resolve"))),
                }
            }
            None => return Err(self.err(pointer, "multipart body without a schema")),
        };
        let (props, required) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required),
            SchemaKind::Any(a) => (&a.properties, &a.required),
            _ => return Err(self.err(pointer, "multipart body schema is not an object")),
        };
        let names = naming::field_names(props.keys().map(String::as_str))
            .map_err(|(rust, a, b)| self.err(pointer, format!("parts {a:?} and {b:?} both map to `{rust}`")))?;
        Ok(props
            .iter()
            .zip(names)
            .map(|((wire, s), rust)| {
                let (file, doc) = match s {
                    ReferenceOr::Item(s) => (is_binary(s), s.schema_data.description.clone()),
                    ReferenceOr::Reference { .. } => (false, None),
                };
                MultipartPart { wire: wire.clone(), rust, file, required: required.contains(wire), doc }
            })
            .collect())
    }

    /// The success response's type, and the (lowercased) names of the headers the success
    /// responses declare.
    fn response(
        &mut self,
        responses: &openapiv3::Responses,
        builder: &str,
        pointer: &str,
    ) -> Result<(SuccessResponse, Vec<String>, Option<String>)> {
        let mut success: Vec<(u16, &ReferenceOr<Response>)> = responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                StatusCode::Range(2) => Some((200, r)),
                _ => None,
            })
            .collect();
        success.sort_by_key(|(c, _)| *c);
        let mut resolved = Vec::new();
        for (code, r) in success {
            let rp = ptr(pointer, &code.to_string());
            let r = self.resolve_response(r, &rp)?;
            resolved.push((code, rp, r));
        }
        let mut headers: Vec<String> =
            resolved.iter().flat_map(|(_, _, r)| r.headers.keys().map(|h| h.to_ascii_lowercase())).collect();
        headers.sort();
        headers.dedup();
        let with_content: Vec<&(u16, String, &Response)> = resolved.iter().filter(|(_, _, r)| !r.content.is_empty()).collect();
        let Some((_, rp, r)) = with_content.first() else { return Ok((SuccessResponse::Empty, headers, None)) };
        let may_be_empty = resolved.iter().any(|(_, _, r)| r.content.is_empty());
        if with_content.len() > 1 {
            self.fallback("several 2xx responses with content: the first one's schema is used", pointer);
        }
        let hint = naming::child_type_name(builder, "response");
        let content_pointer = ptr(rp, "content");
        let all_json = r.content.keys().all(|ct| is_json(ct));
        let all_text = r.content.keys().all(|ct| ct.starts_with("text/"));
        if all_json {
            // `with_content` holds only responses with content, so there is a first one.
            let Some((ct, media)) = r.content.first() else { return Ok((SuccessResponse::Empty, headers, None)) };
            let ty = match &media.schema {
                Some(ReferenceOr::Item(s)) if is_binary(s) => {
                    return Ok((SuccessResponse::Binary, headers, Some(ct.clone())));
                }
                Some(s) => self.schema_type(s, &hint, &ptr(&ptr(&content_pointer, ct), "schema"))?,
                None => TypeRef::Json,
            };
            let response = if may_be_empty { SuccessResponse::JsonOrEmpty(ty) } else { SuccessResponse::Json(ty) };
            return Ok((response, headers, None));
        }
        // The runtime asks for JSON unless told otherwise; these operations answer in other
        // types, so they ask for exactly the ones the spec lists.
        let accept = Some(r.content.keys().cloned().collect::<Vec<_>>().join(", "));
        if all_text {
            return Ok((SuccessResponse::Text, headers, accept));
        }
        Ok((SuccessResponse::Binary, headers, accept))
    }

    /// A response, following a `$ref` into `#/components/responses`.
    fn resolve_response(&self, r: &'a ReferenceOr<Response>, pointer: &str) -> Result<&'a Response> {
        match r {
            ReferenceOr::Item(r) => Ok(r),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/responses/").map(unescape_token);
                match key.and_then(|k| self.spec.components.as_ref().and_then(|c| c.responses.get(&k))) {
                    Some(ReferenceOr::Item(r)) => Ok(r),
                    _ => Err(self.err(pointer, format!("response $ref {reference:?} does not resolve"))),
                }
            }
        }
    }

    /// The type of the error responses' JSON body, if they all declare the same one.
    fn error_body(&mut self, responses: &openapiv3::Responses, builder: &str, pointer: &str) -> Result<Option<TypeRef>> {
        let errors = responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                StatusCode::Code(c) => *c >= 400,
                StatusCode::Range(r) => *r >= 4,
            })
            .map(|(code, r)| (code.to_string(), r))
            .chain(responses.default.as_ref().map(|r| ("default".to_owned(), r)));
        let mut found: Option<TypeRef> = None;
        for (code, r) in errors {
            let rp = ptr(pointer, &code);
            let r = self.resolve_response(r, &rp)?;
            let Some((ct, media)) = r.content.iter().find(|(ct, _)| is_json(ct)) else { continue };
            let Some(schema) = &media.schema else { continue };
            let hint = naming::child_type_name(builder, &format!("error {code}"));
            let ty = self.schema_type(schema, &hint, &ptr(&ptr(&ptr(&rp, "content"), ct), "schema"))?;
            match &found {
                None => found = Some(ty),
                Some(prev) if *prev == ty => {}
                // Different errors declare different bodies: no single type to promise.
                Some(_) => return Ok(None),
            }
        }
        Ok(found)
    }

    /// A cycle made only of aliases, arrays and maps (`Tree = Vec<Tree>`) names no struct that
    /// could hold it, and Rust rejects the alias; refused with the schema's pointer.
    fn alias_cycles(&self) -> Result<()> {
        fn named<'t>(t: &'t TypeRef, out: &mut Vec<&'t str>) {
            match t {
                TypeRef::Named(n) => out.push(n),
                TypeRef::Vec(inner) | TypeRef::Map(inner) => named(inner, out),
                _ => {}
            }
        }
        for (start, def) in &self.types {
            let TypeKind::Alias(target) = &def.kind else { continue };
            let mut stack = Vec::new();
            named(target, &mut stack);
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if n == start {
                    return Err(self.err(
                        &def.source,
                        format!("schema `{start}` is defined through itself with no object between (an alias cycle)"),
                    ));
                }
                if !seen.insert(n) {
                    continue;
                }
                if let Some(TypeDef { kind: TypeKind::Alias(t), .. }) = self.types.get(n) {
                    named(t, &mut stack);
                }
            }
        }
        Ok(())
    }

    /// Boxes struct fields that close a cycle of directly nested types, which Rust cannot size.
    fn box_cycles(&mut self) {
        // Edges of direct containment: `Vec` and maps are already indirect.
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, def) in &self.types {
            let set = edges.entry(name.as_str()).or_default();
            match &def.kind {
                TypeKind::Struct(fields) => {
                    for f in fields {
                        if let TypeRef::Named(n) = &f.ty {
                            set.insert(n.as_str());
                        }
                    }
                }
                TypeKind::Alias(TypeRef::Named(n)) => {
                    set.insert(n.as_str());
                }
                _ => {}
            }
        }
        let scc = strongly_connected(&edges);
        let mut to_box: Vec<(String, usize)> = Vec::new();
        for (name, def) in &self.types {
            if let TypeKind::Struct(fields) = &def.kind {
                for (i, f) in fields.iter().enumerate() {
                    if let TypeRef::Named(n) = &f.ty
                        && scc.contains_key(name.as_str())
                        && scc.get(name.as_str()) == scc.get(n.as_str())
                    {
                        to_box.push((name.clone(), i));
                    }
                }
            }
        }
        for (name, i) in to_box {
            if let Some(TypeDef { kind: TypeKind::Struct(fields), .. }) = self.types.get_mut(&name) {
                fields[i].boxed = true;
            }
        }
    }
}

/// Descriptions that are only whitespace count as absent, so that the emitter's default text
/// applies and every public item keeps a doc line.
fn drop_blank_docs(types: &mut BTreeMap<String, TypeDef>, ops: &mut [Operation]) {
    fn clean(doc: &mut Option<String>) {
        if doc.as_deref().is_some_and(|d| d.trim().is_empty()) {
            *doc = None;
        }
    }
    for t in types.values_mut() {
        clean(&mut t.doc);
        if let TypeKind::Struct(fields) = &mut t.kind {
            fields.iter_mut().for_each(|f| clean(&mut f.doc));
        }
    }
    for op in ops {
        clean(&mut op.summary);
        clean(&mut op.description);
        op.params.iter_mut().for_each(|p| clean(&mut p.doc));
        if let Some(b) = &mut op.body {
            clean(&mut b.doc);
            if let BodyKind::Multipart(parts) = &mut b.kind {
                parts.iter_mut().for_each(|p| clean(&mut p.doc));
            }
        }
    }
}

/// The `properties` of a schema as `openapiv3` holds them.
type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

/// A property and the schema that declares it.
struct Prop {
    schema: ReferenceOr<Box<Schema>>,
    /// Rust name of the declaring schema: inline schemas of the property are named after it.
    owner: String,
    /// JSON pointer of the declaring schema.
    pointer: String,
}

fn own_props(
    properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    owner: &str,
    pointer: &str,
) -> indexmap::IndexMap<String, Prop> {
    properties
        .iter()
        .map(|(k, v)| (k.clone(), Prop { schema: v.clone(), owner: owner.to_owned(), pointer: pointer.to_owned() }))
        .collect()
}

enum Shape {
    Struct(Vec<Field>),
    Enum(Vec<Variant>),
    Ref(TypeRef),
}

fn is_json(ct: &str) -> bool {
    let ct = ct.split(';').next().unwrap_or(ct).trim();
    ct == "application/json" || ct.ends_with("+json") || ct == "*/*"
}

fn is_binary(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(st)) => matches!(
            &st.format,
            VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
        ),
        SchemaKind::Any(a) => a.format.as_deref() == Some("binary"),
        _ => false,
    }
}

fn is_null_schema(s: &ReferenceOr<Schema>) -> bool {
    match s {
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Any(a) => {
                a.typ.as_deref() == Some("null")
                    || (s.schema_data.nullable
                        && a.typ.is_none()
                        && a.properties.is_empty()
                        && a.items.is_none()
                        && a.all_of.is_empty()
                        && a.one_of.is_empty()
                        && a.any_of.is_empty()
                        && a.enumeration.is_empty())
            }
            _ => false,
        },
        ReferenceOr::Reference { .. } => false,
    }
}

/// Tarjan's algorithm, iterative so that deep type graphs cannot overflow the stack. Returns
/// the component index of every node that sits on a cycle (including a self-loop).
fn strongly_connected<'n>(edges: &BTreeMap<&'n str, BTreeSet<&'n str>>) -> BTreeMap<&'n str, usize> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut low: BTreeMap<&str, usize> = BTreeMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut result: BTreeMap<&str, usize> = BTreeMap::new();
    let mut next = 0usize;
    let mut comp = 0usize;
    let empty = BTreeSet::new();
    for &root in edges.keys() {
        if index.contains_key(root) {
            continue;
        }
        let mut work: Vec<(&str, Vec<&str>)> = Vec::new();
        index.insert(root, next);
        low.insert(root, next);
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        work.push((root, edges.get(root).unwrap_or(&empty).iter().rev().copied().collect()));
        while let Some((node, pending)) = work.last_mut() {
            let node = *node;
            if let Some(succ) = pending.pop() {
                if !index.contains_key(succ) {
                    index.insert(succ, next);
                    low.insert(succ, next);
                    next += 1;
                    stack.push(succ);
                    on_stack.insert(succ);
                    work.push((succ, edges.get(succ).unwrap_or(&empty).iter().rev().copied().collect()));
                } else if on_stack.contains(succ) {
                    let l = low[node].min(index[succ]);
                    low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _)) = work.last() {
                let l = low[*parent].min(low[node]);
                low.insert(*parent, l);
            }
            if low[node] == index[node] {
                let mut members = Vec::new();
                while let Some(m) = stack.pop() {
                    on_stack.remove(m);
                    members.push(m);
                    if m == node {
                        break;
                    }
                }
                let self_loop = edges.get(node).is_some_and(|e| e.contains(node));
                if members.len() > 1 || self_loop {
                    for m in members {
                        result.insert(m, comp);
                    }
                }
                comp += 1;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_found() {
        let mut e: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        e.insert("A", ["B"].into());
        e.insert("B", ["A"].into());
        e.insert("C", ["C"].into());
        e.insert("D", ["A"].into());
        let s = strongly_connected(&e);
        assert_eq!(s.get("A"), s.get("B"));
        assert!(s.contains_key("C"));
        assert!(!s.contains_key("D"));
        assert_ne!(s.get("A"), s.get("C"));
    }
}
