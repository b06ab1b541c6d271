//! Deserializing a normalized document into `openapiv3` types, with an error that names the
//! offending node.
//!
//! `serde_path_to_error` tracks the path only down to the first struct with a flattened field,
//! and nearly every `openapiv3` struct flattens its `x-` extensions, so on its own it stops at
//! `/paths`. On failure, [`locate`] therefore walks the document's structure, deserializing
//! each object as its `openapiv3` type, and reports the deepest one that fails by itself.
//! That costs a few extra deserializations, but only when the document is already broken.

use openapiv3 as oa;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::MAX_DEPTH;
use super::pointer::{join, join_index};
use crate::error::{Error, Result, escape_token};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Deserializes a normalized (and possibly overlaid) document. A failure names the JSON
/// pointer of the offending node in `doc`, which is the normalized document, not the file.
pub fn parse(file: &std::path::Path, doc: Value) -> Result<oa::OpenAPI> {
    let first = match serde_path_to_error::deserialize::<_, oa::OpenAPI>(&doc) {
        Ok(api) => return Ok(api),
        Err(e) => (path_to_pointer(e.path()), e.into_inner().to_string()),
    };
    let (pointer, message) = locate(Node::Document, &doc, String::new(), 0).unwrap_or(first);
    Err(Error::spec(
        file,
        pointer,
        format!(
            "not a valid OpenAPI 3.0 document: {message} (pointer into the normalized document)"
        ),
    ))
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = join_index(&pointer, *index),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// The kinds of object the search descends through; each is deserialized as its `openapiv3`
/// type (wrapped in `ReferenceOr` where the spec allows a reference).
#[derive(Clone, Copy)]
enum Node {
    Document,
    Info,
    Server,
    Tag,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    Header,
    MediaType,
    Encoding,
    Schema,
    Example,
    Link,
    Callback,
    Components,
    SecurityScheme,
}

/// The deserialization error of `value` as `node`, if any.
fn fails(node: Node, value: &Value) -> Option<String> {
    fn check<T: DeserializeOwned>(value: &Value) -> Option<String> {
        T::deserialize(value).err().map(|e| e.to_string())
    }
    use oa::ReferenceOr as R;
    match node {
        Node::Document => check::<oa::OpenAPI>(value),
        Node::Info => check::<oa::Info>(value),
        Node::Server => check::<oa::Server>(value),
        Node::Tag => check::<oa::Tag>(value),
        Node::Paths => check::<oa::Paths>(value),
        Node::PathItem => check::<R<oa::PathItem>>(value),
        Node::Operation => check::<oa::Operation>(value),
        Node::Parameter => check::<R<oa::Parameter>>(value),
        Node::RequestBody => check::<R<oa::RequestBody>>(value),
        Node::Responses => check::<oa::Responses>(value),
        Node::Response => check::<R<oa::Response>>(value),
        Node::Header => check::<R<oa::Header>>(value),
        Node::MediaType => check::<oa::MediaType>(value),
        Node::Encoding => check::<oa::Encoding>(value),
        Node::Schema => check::<R<oa::Schema>>(value),
        Node::Example => check::<R<oa::Example>>(value),
        Node::Link => check::<R<oa::Link>>(value),
        Node::Callback => check::<R<oa::Callback>>(value),
        Node::Components => check::<oa::Components>(value),
        Node::SecurityScheme => check::<R<oa::SecurityScheme>>(value),
    }
}

/// The objects inside `value` that have a type of their own, with their pointers.
fn children<'a>(node: Node, value: &'a Value, pointer: &'a str) -> Vec<(Node, &'a Value, String)> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    let mut c = Children {
        map,
        pointer,
        out: Vec::new(),
    };
    match node {
        Node::Document => {
            c.field("info", Node::Info);
            c.each("servers", Node::Server);
            c.field("paths", Node::Paths);
            c.field("components", Node::Components);
            c.each("tags", Node::Tag);
        }
        Node::Paths | Node::Callback => c.named(Node::PathItem),
        Node::Responses => c.named(Node::Response),
        Node::PathItem => {
            c.each("parameters", Node::Parameter);
            for method in METHODS {
                c.field(method, Node::Operation);
            }
            c.each("servers", Node::Server);
        }
        Node::Operation => {
            c.each("parameters", Node::Parameter);
            c.field("requestBody", Node::RequestBody);
            c.field("responses", Node::Responses);
            c.each("callbacks", Node::Callback);
            c.each("servers", Node::Server);
        }
        Node::Parameter | Node::Header => {
            c.field("schema", Node::Schema);
            c.each("content", Node::MediaType);
            c.each("examples", Node::Example);
        }
        Node::RequestBody => c.each("content", Node::MediaType),
        Node::Response => {
            c.each("headers", Node::Header);
            c.each("content", Node::MediaType);
            c.each("links", Node::Link);
        }
        Node::MediaType => {
            c.field("schema", Node::Schema);
            c.each("encoding", Node::Encoding);
            c.each("examples", Node::Example);
        }
        Node::Encoding => c.each("headers", Node::Header),
        Node::Schema => {
            c.each("properties", Node::Schema);
            c.field("items", Node::Schema);
            if map
                .get("additionalProperties")
                .is_some_and(Value::is_object)
            {
                c.field("additionalProperties", Node::Schema);
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                c.each(key, Node::Schema);
            }
            c.field("not", Node::Schema);
        }
        Node::Components => {
            c.each("schemas", Node::Schema);
            c.each("parameters", Node::Parameter);
            c.each("responses", Node::Response);
            c.each("requestBodies", Node::RequestBody);
            c.each("headers", Node::Header);
            c.each("securitySchemes", Node::SecurityScheme);
            c.each("examples", Node::Example);
            c.each("links", Node::Link);
            c.each("callbacks", Node::Callback);
        }
        Node::Info
        | Node::Server
        | Node::Tag
        | Node::Example
        | Node::Link
        | Node::SecurityScheme => {}
    }
    c.out
}

struct Children<'a> {
    map: &'a serde_json::Map<String, Value>,
    pointer: &'a str,
    out: Vec<(Node, &'a Value, String)>,
}

impl<'a> Children<'a> {
    /// The value of `key`.
    fn field(&mut self, key: &str, kind: Node) {
        if let Some(child) = self.map.get(key) {
            self.out.push((kind, child, join(self.pointer, key)));
        }
    }

    /// Every entry of the map or list under `key`.
    fn each(&mut self, key: &str, kind: Node) {
        let at = join(self.pointer, key);
        match self.map.get(key) {
            Some(Value::Object(entries)) => {
                for (name, child) in entries {
                    self.out.push((kind, child, join(&at, name)));
                }
            }
            Some(Value::Array(items)) => {
                for (i, child) in items.iter().enumerate() {
                    self.out.push((kind, child, join_index(&at, i)));
                }
            }
            _ => {}
        }
    }

    /// Every entry of this object itself, which maps names to objects (`x-` keys excepted).
    fn named(&mut self, kind: Node) {
        for (name, child) in self.map {
            if !name.starts_with("x-") {
                self.out.push((kind, child, join(self.pointer, name)));
            }
        }
    }
}

/// The pointer and error of the deepest object under `value` that fails to deserialize on its
/// own, or `None` if `value` deserializes as `node`.
fn locate(node: Node, value: &Value, pointer: String, depth: usize) -> Option<(String, String)> {
    let own = fails(node, value)?;
    if depth < MAX_DEPTH {
        for (kind, child, child_pointer) in children(node, value, &pointer) {
            if let Some(found) = locate(kind, child, child_pointer, depth + 1) {
                return Some(found);
            }
        }
    }
    Some((pointer, own))
}
