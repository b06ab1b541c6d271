//! OpenAPI 3.0.x and 3.1.x in, OpenAPI 3.0.3 out: the structure is the same, so this walks the
//! document in place, hands every schema to [`schema`](super::schema), checks that each
//! non-schema `$ref` names a component of the right kind, and drops the few 3.1 document
//! fields 3.0 lacks. The pointers of the document as loaded stay valid throughout.

use serde_json::{Map, Value};

use super::pointer::{join, join_index, ref_tokens};
use super::schema::schema;
use super::{Cx, OPENAPI_VERSION, kind};
use crate::error::escape_token;
use crate::load::SourceFormat;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Rewrites `doc` (an OpenAPI 3.0 or 3.1 document) into OpenAPI 3.0.3 in place.
pub(super) fn downlevel(doc: &mut Value, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Value::Object(root) = doc else {
        return Err(cx.error("", "the document is not a mapping"));
    };
    root.insert(
        "openapi".to_owned(),
        Value::String(OPENAPI_VERSION.to_owned()),
    );
    if cx.format == SourceFormat::OpenApi31 {
        drop_31_fields(root, cx);
    }

    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            if !path.starts_with("x-") {
                path_item(item, &join("/paths", path), cx)?;
            }
        }
    }

    if let Some(Value::Object(components)) = root.get_mut("components") {
        for (section, entries) in components.iter_mut() {
            let Value::Object(entries) = entries else {
                continue;
            };
            let at = join("/components", section);
            for (name, entry) in entries.iter_mut() {
                let pointer = join(&at, name);
                match section.as_str() {
                    "schemas" => schema(entry, &pointer, cx)?,
                    "parameters" => parameter(entry, &pointer, cx)?,
                    "responses" => response(entry, &pointer, cx)?,
                    "requestBodies" => request_body(entry, &pointer, cx)?,
                    "headers" => header(entry, &pointer, cx)?,
                    "callbacks" => callback(entry, &pointer, cx)?,
                    "securitySchemes" => security_scheme(entry, &pointer, cx)?,
                    "examples" | "links" => {
                        reference(entry, section, &pointer, cx)?;
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Document fields OpenAPI 3.1 added. None of them affects the generated client.
fn drop_31_fields(root: &mut Map<String, Value>, cx: &mut Cx<'_>) {
    for key in ["jsonSchemaDialect", "webhooks"] {
        if root.remove(key).is_some() {
            cx.count(kind::DOC_FIELD_DROPPED);
        }
    }
    if let Some(Value::Object(info)) = root.get_mut("info") {
        if info.remove("summary").is_some() {
            cx.count(kind::DOC_FIELD_DROPPED);
        }
        if let Some(Value::Object(license)) = info.get_mut("license")
            && license.remove("identifier").is_some()
        {
            cx.count(kind::DOC_FIELD_DROPPED);
        }
    }
    // References to path items were inlined before this runs.
    if let Some(Value::Object(components)) = root.get_mut("components")
        && components.remove("pathItems").is_some()
    {
        cx.count(kind::DOC_FIELD_DROPPED);
    }
    // 3.1 lets a document have only webhooks or components; 3.0 requires `paths`.
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
}

/// If `node` is a reference, checks that it names an entry of `components/<section>`, writes
/// it in canonical form, drops its 3.1 siblings, and returns `true`.
fn reference(
    node: &mut Value,
    section: &str,
    pointer: &str,
    cx: &mut Cx<'_>,
) -> crate::Result<bool> {
    let Value::Object(map) = node else {
        return Ok(false);
    };
    let Some(reference) = map.get("$ref") else {
        return Ok(false);
    };
    let at = join(pointer, "$ref");
    let Value::String(reference) = reference else {
        return Err(cx.error(&at, "$ref must be a string"));
    };
    let tokens = ref_tokens(reference).map_err(|m| cx.error(&at, m))?;
    let name = match tokens.as_slice() {
        [c, s, name] if c == "components" && s == section => name,
        _ => {
            return Err(cx.error(
                &at,
                format!("this $ref must point to #/components/{section}/..., not {reference:?}"),
            ));
        }
    };
    let canonical = format!("#/components/{section}/{}", escape_token(name));
    let before = map.len();
    map.retain(|k, _| k == "$ref" || k.starts_with("x-"));
    if map.len() != before {
        cx.count(kind::REF_SIBLINGS_DROPPED);
    }
    map.insert("$ref".to_owned(), Value::String(canonical));
    Ok(true)
}

fn path_item(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Value::Object(item) = node else {
        return Ok(());
    };
    if let Some(r) = item.get("$ref") {
        // References to whole path items (3.1 `components/pathItems`) were inlined; anything
        // left points at something that is not a path item.
        return Err(cx.error(
            &join(pointer, "$ref"),
            format!("a path item $ref must point to a path item, not {r}"),
        ));
    }
    if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
        let at = join(pointer, "parameters");
        for (i, p) in parameters.iter_mut().enumerate() {
            parameter(p, &join_index(&at, i), cx)?;
        }
    }
    for method in METHODS {
        if let Some(op) = item.get_mut(*method) {
            operation(op, &join(pointer, method), cx)?;
        }
    }
    Ok(())
}

fn operation(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Value::Object(op) = node else {
        return Ok(());
    };
    if let Some(Value::Array(parameters)) = op.get_mut("parameters") {
        let at = join(pointer, "parameters");
        for (i, p) in parameters.iter_mut().enumerate() {
            parameter(p, &join_index(&at, i), cx)?;
        }
    }
    if let Some(body) = op.get_mut("requestBody") {
        request_body(body, &join(pointer, "requestBody"), cx)?;
    }
    if let Some(Value::Object(responses)) = op.get_mut("responses") {
        let at = join(pointer, "responses");
        for (code, r) in responses.iter_mut() {
            if !code.starts_with("x-") {
                response(r, &join(&at, code), cx)?;
            }
        }
    }
    if let Some(Value::Object(callbacks)) = op.get_mut("callbacks") {
        let at = join(pointer, "callbacks");
        for (name, c) in callbacks.iter_mut() {
            callback(c, &join(&at, name), cx)?;
        }
    }
    Ok(())
}

fn callback(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "callbacks", pointer, cx)? {
        return Ok(());
    }
    if let Value::Object(expressions) = node {
        for (expression, item) in expressions.iter_mut() {
            if !expression.starts_with("x-") {
                path_item(item, &join(pointer, expression), cx)?;
            }
        }
    }
    Ok(())
}

fn parameter(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "parameters", pointer, cx)? {
        return Ok(());
    }
    schema_or_content(node, pointer, cx)
}

fn header(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "headers", pointer, cx)? {
        return Ok(());
    }
    schema_or_content(node, pointer, cx)
}

/// The parts parameters and headers share: a `schema` or a `content` map, and `examples`.
fn schema_or_content(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Value::Object(map) = node else {
        return Ok(());
    };
    if let Some(s) = map.get_mut("schema") {
        schema(s, &join(pointer, "schema"), cx)?;
    }
    content(map, pointer, cx)?;
    examples(map, pointer, cx)
}

fn request_body(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "requestBodies", pointer, cx)? {
        return Ok(());
    }
    match node {
        Value::Object(map) => content(map, pointer, cx),
        _ => Ok(()),
    }
}

fn response(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "responses", pointer, cx)? {
        return Ok(());
    }
    let Value::Object(map) = node else {
        return Ok(());
    };
    if let Some(Value::Object(headers)) = map.get_mut("headers") {
        let at = join(pointer, "headers");
        for (name, h) in headers.iter_mut() {
            header(h, &join(&at, name), cx)?;
        }
    }
    if let Some(Value::Object(links)) = map.get_mut("links") {
        let at = join(pointer, "links");
        for (name, link) in links.iter_mut() {
            reference(link, "links", &join(&at, name), cx)?;
        }
    }
    content(map, pointer, cx)
}

/// A `content` map of media types: each one's schema, encoding headers and examples.
fn content(map: &mut Map<String, Value>, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Some(Value::Object(media_types)) = map.get_mut("content") else {
        return Ok(());
    };
    let at = join(pointer, "content");
    for (media_type, media) in media_types.iter_mut() {
        let Value::Object(media) = media else {
            continue;
        };
        let media_pointer = join(&at, media_type);
        if let Some(s) = media.get_mut("schema") {
            schema(s, &join(&media_pointer, "schema"), cx)?;
        }
        if let Some(Value::Object(encoding)) = media.get_mut("encoding") {
            let encoding_pointer = join(&media_pointer, "encoding");
            for (property, e) in encoding.iter_mut() {
                if let Some(Value::Object(headers)) = e.get_mut("headers") {
                    let headers_pointer = join(&join(&encoding_pointer, property), "headers");
                    for (name, h) in headers.iter_mut() {
                        header(h, &join(&headers_pointer, name), cx)?;
                    }
                }
            }
        }
        examples(media, &media_pointer, cx)?;
    }
    Ok(())
}

fn examples(map: &mut Map<String, Value>, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if let Some(Value::Object(examples)) = map.get_mut("examples") {
        let at = join(pointer, "examples");
        for (name, example) in examples.iter_mut() {
            reference(example, "examples", &join(&at, name), cx)?;
        }
    }
    Ok(())
}

fn security_scheme(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    if reference(node, "securitySchemes", pointer, cx)? {
        return Ok(());
    }
    if node.get("type").and_then(Value::as_str) == Some("mutualTLS") {
        return Err(cx.error(
            &join(pointer, "type"),
            "security scheme type mutualTLS (OpenAPI 3.1) has no OpenAPI 3.0 equivalent",
        ));
    }
    Ok(())
}
