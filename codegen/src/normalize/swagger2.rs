//! Swagger 2.0 in, OpenAPI 3.0.3 out.
//!
//! The structural differences: request bodies are parameters in 2.0 (`in: body`, or a set of
//! `in: formData` fields) and a `requestBody` in 3.0; media types are listed once per
//! operation (`consumes`/`produces`) in 2.0 and per body or response in 3.0; non-body
//! parameters carry their type keywords directly in 2.0 and in a `schema` in 3.0, with
//! `collectionFormat` becoming `style`/`explode`; reusable objects move under `components`.
//!
//! The output is built afresh from the input, so every error names the place in the Swagger
//! document (`#/definitions/...`, `#/paths/...`), never the place it would have in 3.0.

use serde_json::{Map, Value, json};

use super::pointer::{join, join_index, ref_tokens};
use super::schema::schema;
use super::{Cx, OPENAPI_VERSION, kind};
use crate::error::escape_token;
use crate::load::kind_of;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];
const JSON: &str = "application/json";
const MULTIPART: &str = "multipart/form-data";
const URLENCODED: &str = "application/x-www-form-urlencoded";

/// Keywords of a 2.0 non-body parameter, header or items object that belong in a 3.0 schema.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
];

type Object = Map<String, Value>;

/// The document-wide defaults an operation falls back to.
struct Globals<'a> {
    consumes: Vec<String>,
    produces: Vec<String>,
    parameters: Option<&'a Object>,
    responses: Option<&'a Object>,
}

/// Converts a Swagger 2.0 document (whose references were checked) to OpenAPI 3.0.3.
pub(super) fn convert(doc: &Value, cx: &mut Cx<'_>) -> crate::Result<Value> {
    let Value::Object(root) = doc else {
        return Err(cx.error("", "the document is not a mapping"));
    };
    let globals = Globals {
        consumes: media_types(root.get("consumes"), "/consumes", cx)?.unwrap_or_default(),
        produces: media_types(root.get("produces"), "/produces", cx)?.unwrap_or_default(),
        parameters: object_at(root, "parameters", "", cx)?,
        responses: object_at(root, "responses", "", cx)?,
    };
    let globals = Globals {
        consumes: or_json(globals.consumes),
        produces: or_json(globals.produces),
        ..globals
    };

    let mut out = Object::new();
    out.insert("openapi".to_owned(), json!(OPENAPI_VERSION));
    for (key, value) in root {
        if matches!(key.as_str(), "info" | "tags" | "security" | "externalDocs")
            || key.starts_with("x-")
        {
            out.insert(key.clone(), value.clone());
        }
    }
    if let Some(servers) = servers(root, cx)? {
        out.insert("servers".to_owned(), servers);
    }

    let mut paths_out = Object::new();
    if let Some(paths) = object_at(root, "paths", "", cx)? {
        for (path, item) in paths {
            if path.starts_with("x-") {
                paths_out.insert(path.clone(), item.clone());
            } else {
                let converted = path_item(item, &join("/paths", path), &globals, cx)?;
                paths_out.insert(path.clone(), converted);
            }
        }
    }
    out.insert("paths".to_owned(), Value::Object(paths_out));

    let components = components(root, &globals, cx)?;
    if !components.is_empty() {
        out.insert("components".to_owned(), Value::Object(components));
    }
    Ok(Value::Object(out))
}

fn or_json(list: Vec<String>) -> Vec<String> {
    if list.is_empty() {
        vec![JSON.to_owned()]
    } else {
        list
    }
}

/// `map[key]` as an object, if present; anything else there is an error.
fn object_at<'a>(
    map: &'a Object,
    key: &str,
    pointer: &str,
    cx: &Cx<'_>,
) -> crate::Result<Option<&'a Object>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(cx.error(
            &join(pointer, key),
            format!("`{key}` must be a mapping, found {}", kind_of(other)),
        )),
    }
}

fn as_object<'a>(
    value: &'a Value,
    pointer: &str,
    what: &str,
    cx: &Cx<'_>,
) -> crate::Result<&'a Object> {
    match value {
        Value::Object(o) => Ok(o),
        other => Err(cx.error(
            pointer,
            format!("{what} must be a mapping, found {}", kind_of(other)),
        )),
    }
}

/// A `consumes`/`produces` list.
fn media_types(
    value: Option<&Value>,
    pointer: &str,
    cx: &Cx<'_>,
) -> crate::Result<Option<Vec<String>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(list) = value else {
        return Err(cx.error(
            pointer,
            format!("must be a list of media types, found {}", kind_of(value)),
        ));
    };
    list.iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(cx.error(
                &join_index(pointer, i),
                format!("a media type must be a string, found {}", kind_of(other)),
            )),
        })
        .collect::<crate::Result<Vec<_>>>()
        .map(Some)
}

fn string_at<'a>(
    map: &'a Object,
    key: &str,
    pointer: &str,
    cx: &Cx<'_>,
) -> crate::Result<Option<&'a str>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(cx.error(
            &join(pointer, key),
            format!("`{key}` must be a string, found {}", kind_of(other)),
        )),
    }
}

/// `host` + `basePath` + `schemes` -> `servers`. Without `schemes` the 2.0 default is the
/// scheme the spec was fetched with; JumpCloud serves its specs over https.
fn servers(root: &Object, cx: &mut Cx<'_>) -> crate::Result<Option<Value>> {
    let host = string_at(root, "host", "", cx)?;
    let base_path = string_at(root, "basePath", "", cx)?;
    if host.is_none() && base_path.is_none() {
        return Ok(None);
    }
    let base = base_path.unwrap_or_default().trim_end_matches('/');
    let servers: Vec<Value> = match host {
        Some(host) => {
            let schemes = media_types(root.get("schemes"), "/schemes", cx)?
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| vec!["https".to_owned()]);
            schemes
                .iter()
                .map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") }))
                .collect()
        }
        None => vec![json!({ "url": if base.is_empty() { "/" } else { base } })],
    };
    cx.count(kind::SERVERS);
    Ok(Some(Value::Array(servers)))
}

fn components(root: &Object, globals: &Globals<'_>, cx: &mut Cx<'_>) -> crate::Result<Object> {
    let mut out = Object::new();

    if let Some(definitions) = object_at(root, "definitions", "", cx)? {
        let mut schemas = Object::new();
        for (name, definition) in definitions {
            let mut converted = definition.clone();
            schema(&mut converted, &join("/definitions", name), cx)?;
            schemas.insert(name.clone(), converted);
            cx.count(kind::DEFINITION);
        }
        out.insert("schemas".to_owned(), Value::Object(schemas));
    }

    if let Some(parameters) = globals.parameters {
        let mut params = Object::new();
        let mut bodies = Object::new();
        for (name, p) in parameters {
            let pointer = join("/parameters", name);
            let p = as_object(p, &pointer, "a parameter", cx)?;
            if p.contains_key("$ref") {
                return Err(cx.error(
                    &join(&pointer, "$ref"),
                    "a global parameter cannot be a $ref",
                ));
            }
            match string_at(p, "in", &pointer, cx)? {
                Some("body") => {
                    let body = request_body(p, name, &globals.consumes, &pointer, cx)?;
                    bodies.insert(name.clone(), body);
                }
                // Form fields are no parameters in 3.0; each operation using one gets a copy
                // in its form body.
                Some("formData") => {}
                _ => {
                    params.insert(name.clone(), parameter(p, &pointer, cx)?);
                }
            }
        }
        if !params.is_empty() {
            out.insert("parameters".to_owned(), Value::Object(params));
        }
        if !bodies.is_empty() {
            out.insert("requestBodies".to_owned(), Value::Object(bodies));
        }
    }

    if let Some(responses) = globals.responses {
        let mut converted = Object::new();
        for (name, r) in responses {
            let pointer = join("/responses", name);
            converted.insert(name.clone(), response(r, &globals.produces, &pointer, cx)?);
        }
        out.insert("responses".to_owned(), Value::Object(converted));
    }

    if let Some(definitions) = object_at(root, "securityDefinitions", "", cx)? {
        let mut schemes = Object::new();
        for (name, definition) in definitions {
            let pointer = join("/securityDefinitions", name);
            schemes.insert(name.clone(), security_scheme(definition, &pointer, cx)?);
        }
        out.insert("securitySchemes".to_owned(), Value::Object(schemes));
    }
    Ok(out)
}

fn security_scheme(value: &Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<Value> {
    let s = as_object(value, pointer, "a security definition", cx)?;
    let mut out = Object::new();
    match string_at(s, "type", pointer, cx)? {
        Some("basic") => {
            out.insert("type".to_owned(), json!("http"));
            out.insert("scheme".to_owned(), json!("basic"));
        }
        Some("apiKey") => {
            out.insert("type".to_owned(), json!("apiKey"));
            for key in ["name", "in"] {
                if let Some(v) = s.get(key) {
                    out.insert(key.to_owned(), v.clone());
                }
            }
        }
        Some("oauth2") => {
            out.insert("type".to_owned(), json!("oauth2"));
            let scopes = s.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let url = |key: &str| s.get(key).cloned().unwrap_or_else(|| json!(""));
            let (flow, body) = match string_at(s, "flow", pointer, cx)? {
                Some("implicit") => (
                    "implicit",
                    json!({"authorizationUrl": url("authorizationUrl"), "scopes": scopes}),
                ),
                Some("password") => (
                    "password",
                    json!({"tokenUrl": url("tokenUrl"), "scopes": scopes}),
                ),
                Some("application") => (
                    "clientCredentials",
                    json!({"tokenUrl": url("tokenUrl"), "scopes": scopes}),
                ),
                Some("accessCode") => (
                    "authorizationCode",
                    json!({
                        "authorizationUrl": url("authorizationUrl"),
                        "tokenUrl": url("tokenUrl"),
                        "scopes": scopes,
                    }),
                ),
                other => {
                    return Err(cx.error(
                        &join(pointer, "flow"),
                        format!("unknown OAuth 2 flow {other:?}; expected implicit, password, application or accessCode"),
                    ));
                }
            };
            let mut flows = Object::new();
            flows.insert(flow.to_owned(), body);
            out.insert("flows".to_owned(), Value::Object(flows));
        }
        other => {
            return Err(cx.error(
                &join(pointer, "type"),
                format!("unknown security scheme type {other:?}; expected basic, apiKey or oauth2"),
            ));
        }
    }
    for (key, v) in s {
        if key == "description" || key.starts_with("x-") {
            out.insert(key.clone(), v.clone());
        }
    }
    cx.count(kind::SECURITY_SCHEME);
    Ok(Value::Object(out))
}

/// A parameter as used by an operation, with a `$ref` followed to its definition.
struct Param<'a> {
    /// The parameter object itself (the global one for a reference).
    def: &'a Object,
    /// Where `def` is in the document.
    pointer: String,
    /// The name under `#/parameters`, for a reference.
    global: Option<String>,
    name: String,
    location: String,
}

fn resolve_param<'a>(
    value: &'a Value,
    site: &str,
    globals: &Globals<'a>,
    cx: &Cx<'_>,
) -> crate::Result<Param<'a>> {
    let obj = as_object(value, site, "a parameter", cx)?;
    let (def, pointer, global) = match obj.get("$ref") {
        None => (obj, site.to_owned(), None),
        Some(reference) => {
            let at = join(site, "$ref");
            let reference = reference
                .as_str()
                .ok_or_else(|| cx.error(&at, "$ref must be a string"))?;
            let tokens = ref_tokens(reference).map_err(|m| cx.error(&at, m))?;
            let [section, name] = tokens.as_slice() else {
                return Err(cx.error(
                    &at,
                    format!("a parameter $ref must point to #/parameters/..., not {reference:?}"),
                ));
            };
            if section != "parameters" {
                return Err(cx.error(
                    &at,
                    format!("a parameter $ref must point to #/parameters/..., not {reference:?}"),
                ));
            }
            let def = globals
                .parameters
                .and_then(|p| p.get(name))
                .ok_or_else(|| cx.error(&at, format!("$ref {reference:?} does not resolve")))?;
            let pointer = join("/parameters", name);
            (
                as_object(def, &pointer, "a parameter", cx)?,
                pointer,
                Some(name.clone()),
            )
        }
    };
    let name = string_at(def, "name", &pointer, cx)?
        .ok_or_else(|| cx.error(&pointer, "a parameter needs a `name`"))?
        .to_owned();
    let location = string_at(def, "in", &pointer, cx)?
        .ok_or_else(|| cx.error(&pointer, "a parameter needs an `in`"))?
        .to_owned();
    Ok(Param {
        def,
        pointer,
        global,
        name,
        location,
    })
}

fn resolve_params<'a>(
    parent: &'a Object,
    pointer: &str,
    globals: &Globals<'a>,
    cx: &Cx<'_>,
) -> crate::Result<Vec<Param<'a>>> {
    let Some(list) = parent.get("parameters") else {
        return Ok(Vec::new());
    };
    let at = join(pointer, "parameters");
    let Value::Array(list) = list else {
        return Err(cx.error(
            &at,
            format!("`parameters` must be a list, found {}", kind_of(list)),
        ));
    };
    list.iter()
        .enumerate()
        .map(|(i, p)| resolve_param(p, &join_index(&at, i), globals, cx))
        .collect()
}

fn path_item(
    value: &Value,
    pointer: &str,
    globals: &Globals<'_>,
    cx: &mut Cx<'_>,
) -> crate::Result<Value> {
    let item = as_object(value, pointer, "a path item", cx)?;
    if item.contains_key("$ref") {
        // Limitation: a Swagger 2.0 path item `$ref` can only point to another file; local
        // ones into other path items were inlined before this runs.
        return Err(cx.error(&join(pointer, "$ref"), "a path item $ref is not supported"));
    }
    let shared = resolve_params(item, pointer, globals, cx)?;

    let mut out = Object::new();
    for (key, v) in item {
        if key.starts_with("x-") {
            out.insert(key.clone(), v.clone());
        }
    }
    let mut kept = Vec::new();
    for p in shared
        .iter()
        .filter(|p| !matches!(p.location.as_str(), "body" | "formData"))
    {
        kept.push(parameter_or_ref(p, cx)?);
    }
    if !kept.is_empty() {
        out.insert("parameters".to_owned(), Value::Array(kept));
    }
    for method in METHODS {
        if let Some(op) = item.get(*method) {
            let converted = operation(op, &join(pointer, method), &shared, globals, cx)?;
            out.insert((*method).to_owned(), converted);
        }
    }
    Ok(Value::Object(out))
}

fn parameter_or_ref(p: &Param<'_>, cx: &mut Cx<'_>) -> crate::Result<Value> {
    match &p.global {
        Some(name) => {
            cx.count(kind::REF_RETARGETED);
            Ok(json!({ "$ref": format!("#/components/parameters/{}", escape_token(name)) }))
        }
        None => parameter(p.def, &p.pointer, cx),
    }
}

fn operation(
    value: &Value,
    pointer: &str,
    shared: &[Param<'_>],
    globals: &Globals<'_>,
    cx: &mut Cx<'_>,
) -> crate::Result<Value> {
    let op = as_object(value, pointer, "an operation", cx)?;
    let mut out = Object::new();
    for (key, v) in op {
        if matches!(
            key.as_str(),
            "tags"
                | "summary"
                | "description"
                | "externalDocs"
                | "operationId"
                | "deprecated"
                | "security"
        ) || key.starts_with("x-")
        {
            out.insert(key.clone(), v.clone());
        }
    }
    if op.contains_key("schemes") {
        cx.count(kind::OPERATION_SCHEMES_DROPPED);
    }
    let consumes = media_types(op.get("consumes"), &join(pointer, "consumes"), cx)?
        .map(or_json)
        .unwrap_or_else(|| globals.consumes.clone());
    let produces = media_types(op.get("produces"), &join(pointer, "produces"), cx)?
        .map(or_json)
        .unwrap_or_else(|| globals.produces.clone());

    // Operation parameters override path-item parameters of the same name and location.
    let own = resolve_params(op, pointer, globals, cx)?;
    let overridden = |p: &Param<'_>| {
        own.iter()
            .any(|o| o.name == p.name && o.location == p.location)
    };
    let mut body: Option<&Param<'_>> = None;
    let mut form: Vec<&Param<'_>> = Vec::new();
    let mut parameters = Vec::new();
    for p in &own {
        match p.location.as_str() {
            "body" => {
                if let Some(first) = body {
                    return Err(cx.error(
                        &p.pointer,
                        format!("a second body parameter (the first is at #{}); an operation has at most one", first.pointer),
                    ));
                }
                body = Some(p);
            }
            "formData" => form.push(p),
            _ => parameters.push(parameter_or_ref(p, cx)?),
        }
    }
    for p in shared.iter().filter(|p| !overridden(p)) {
        match p.location.as_str() {
            "body" if body.is_none() => body = Some(p),
            "formData" => form.push(p),
            _ => {}
        }
    }
    if !parameters.is_empty() {
        out.insert("parameters".to_owned(), Value::Array(parameters));
    }

    match (body, form.is_empty()) {
        (Some(_), false) => {
            return Err(cx.error(
                pointer,
                "the operation has both a body parameter and formData parameters; Swagger 2.0 allows only one of them",
            ));
        }
        (Some(p), true) => {
            let converted = match &p.global {
                Some(name) if consumes == globals.consumes => {
                    cx.count(kind::REF_RETARGETED);
                    json!({ "$ref": format!("#/components/requestBodies/{}", escape_token(name)) })
                }
                global => {
                    if global.is_some() {
                        cx.count(kind::COMPONENT_COPIED);
                    }
                    request_body(p.def, &p.name, &consumes, &p.pointer, cx)?
                }
            };
            out.insert("requestBody".to_owned(), converted);
        }
        (None, false) => {
            out.insert("requestBody".to_owned(), form_body(&form, &consumes, cx)?);
        }
        (None, true) => {}
    }

    if let Some(responses) = op.get("responses") {
        let at = join(pointer, "responses");
        let responses = as_object(responses, &at, "`responses`", cx)?;
        let mut converted = Object::new();
        for (code, r) in responses {
            let r_pointer = join(&at, code);
            let value = if code.starts_with("x-") {
                r.clone()
            } else {
                response_or_ref(r, &produces, &r_pointer, globals, cx)?
            };
            converted.insert(code.clone(), value);
        }
        out.insert("responses".to_owned(), Value::Object(converted));
    }
    Ok(Value::Object(out))
}

fn response_or_ref(
    value: &Value,
    produces: &[String],
    pointer: &str,
    globals: &Globals<'_>,
    cx: &mut Cx<'_>,
) -> crate::Result<Value> {
    let Some(reference) = value.get("$ref") else {
        return response(value, produces, pointer, cx);
    };
    let at = join(pointer, "$ref");
    let reference = reference
        .as_str()
        .ok_or_else(|| cx.error(&at, "$ref must be a string"))?;
    let tokens = ref_tokens(reference).map_err(|m| cx.error(&at, m))?;
    let name = match tokens.as_slice() {
        [section, name] if section == "responses" => name,
        _ => {
            return Err(cx.error(
                &at,
                format!("a response $ref must point to #/responses/..., not {reference:?}"),
            ));
        }
    };
    if produces == globals.produces.as_slice() {
        cx.count(kind::REF_RETARGETED);
        return Ok(json!({ "$ref": format!("#/components/responses/{}", escape_token(name)) }));
    }
    // The shared response was converted with the document's `produces`; this operation
    // produces other media types, so it gets its own copy.
    let def = globals
        .responses
        .and_then(|r| r.get(name))
        .ok_or_else(|| cx.error(&at, format!("$ref {reference:?} does not resolve")))?;
    cx.count(kind::COMPONENT_COPIED);
    response(def, produces, &join("/responses", name), cx)
}

fn response(
    value: &Value,
    produces: &[String],
    pointer: &str,
    cx: &mut Cx<'_>,
) -> crate::Result<Value> {
    let r = as_object(value, pointer, "a response", cx)?;
    let mut out = Object::new();
    for (key, v) in r {
        if key == "description" || key.starts_with("x-") {
            out.insert(key.clone(), v.clone());
        }
    }

    if let Some(headers) = r.get("headers") {
        let at = join(pointer, "headers");
        let headers = as_object(headers, &at, "`headers`", cx)?;
        let mut converted = Object::new();
        for (name, h) in headers {
            converted.insert(name.clone(), header(h, &join(&at, name), cx)?);
        }
        out.insert("headers".to_owned(), Value::Object(converted));
    }

    let mut content = Object::new();
    let converted_schema = match r.get("schema") {
        Some(s) => {
            let mut s = s.clone();
            schema(&mut s, &join(pointer, "schema"), cx)?;
            for media_type in produces {
                content.insert(media_type.clone(), json!({ "schema": s.clone() }));
            }
            cx.count(kind::RESPONSE_CONTENT);
            Some(s)
        }
        None => None,
    };
    if let Some(examples) = r.get("examples") {
        let examples = as_object(examples, &join(pointer, "examples"), "`examples`", cx)?;
        for (media_type, example) in examples {
            let entry =
                content
                    .entry(media_type.clone())
                    .or_insert_with(|| match &converted_schema {
                        Some(s) => json!({ "schema": s.clone() }),
                        None => json!({}),
                    });
            if let Value::Object(entry) = entry {
                entry.insert("example".to_owned(), example.clone());
            }
            cx.count(kind::RESPONSE_EXAMPLE);
        }
    }
    if !content.is_empty() {
        out.insert("content".to_owned(), Value::Object(content));
    }
    Ok(Value::Object(out))
}

fn header(value: &Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<Value> {
    let h = as_object(value, pointer, "a header", cx)?;
    let mut out = Object::new();
    for (key, v) in h {
        if key == "description" || (key.starts_with("x-") && key != "x-nullable") {
            out.insert(key.clone(), v.clone());
        }
    }
    out.insert("schema".to_owned(), simple_schema(h, pointer, cx)?);
    // Headers only have the `simple` style, which is `csv`.
    if let Some(format) = collection_format(h, pointer, cx)? {
        cx.count(if format == "csv" {
            kind::COLLECTION_FORMAT
        } else {
            kind::COLLECTION_FORMAT_FALLBACK
        });
    }
    cx.count(kind::HEADER_SCHEMA);
    Ok(Value::Object(out))
}

/// The `collectionFormat` of an array-typed parameter, header or items object, if it is one.
fn collection_format<'a>(
    def: &'a Object,
    pointer: &str,
    cx: &Cx<'_>,
) -> crate::Result<Option<&'a str>> {
    let format = string_at(def, "collectionFormat", pointer, cx)?;
    if let Some(f) = format
        && !matches!(f, "csv" | "ssv" | "tsv" | "pipes" | "multi")
    {
        return Err(cx.error(
            &join(pointer, "collectionFormat"),
            format!("unknown collectionFormat {f:?}; expected csv, ssv, tsv, pipes or multi"),
        ));
    }
    let is_array = def.get("type").and_then(Value::as_str) == Some("array");
    // 2.0's default for arrays is `csv`.
    Ok(if is_array {
        Some(format.unwrap_or("csv"))
    } else {
        None
    })
}

/// The 3.0 schema made of a 2.0 non-body parameter's (or header's) own type keywords.
fn simple_schema(def: &Object, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<Value> {
    let mut out = items_schema(def, false);
    schema(&mut out, pointer, cx)?;
    Ok(out)
}

/// The schema keywords of `def`. A parameter's own extensions stay on the parameter; those of
/// a nested `items` object have nowhere else to go, so they come along (`with_extensions`).
fn items_schema(def: &Object, with_extensions: bool) -> Value {
    let mut out = Object::new();
    for (key, v) in def {
        if SCHEMA_KEYS.contains(&key.as_str()) {
            let v = match (key.as_str(), v) {
                // Nested arrays' `collectionFormat` has no 3.0 equivalent; the items
                // object itself is converted, that keyword dropped.
                ("items", Value::Object(items)) => items_schema(items, true),
                _ => v.clone(),
            };
            out.insert(key.clone(), v);
        } else if with_extensions && key.starts_with("x-") {
            out.insert(key.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// A non-body, non-form parameter: its type keywords move into `schema`, `collectionFormat`
/// becomes `style`/`explode`.
fn parameter(def: &Object, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<Value> {
    let mut out = Object::new();
    for (key, v) in def {
        if matches!(
            key.as_str(),
            "name"
                | "in"
                | "description"
                | "required"
                | "allowEmptyValue"
                | "deprecated"
                | "example"
        ) || (key.starts_with("x-") && key != "x-nullable")
        {
            out.insert(key.clone(), v.clone());
        }
    }
    let location = string_at(def, "in", pointer, cx)?.unwrap_or_default();

    let schema_value = match def.get("schema") {
        // Not valid 2.0 for a non-body parameter, but unambiguous.
        Some(s) => {
            let mut s = s.clone();
            schema(&mut s, &join(pointer, "schema"), cx)?;
            s
        }
        None => simple_schema(def, pointer, cx)?,
    };
    out.insert("schema".to_owned(), schema_value);
    cx.count(kind::PARAMETER_SCHEMA);

    if let Some(format) = collection_format(def, pointer, cx)? {
        // Limitation: `tsv` has no OpenAPI 3.0 style, and `ssv`/`pipes` have none outside the
        // query; those become comma separation (`form`/`simple`), counted as a fallback.
        let style = match (location, format) {
            ("query", "csv" | "tsv") => Some(("form", false)),
            ("query", "multi") => Some(("form", true)),
            ("query", "ssv") => Some(("spaceDelimited", false)),
            ("query", "pipes") => Some(("pipeDelimited", false)),
            // `simple`, the only style of path and header parameters, is `csv`.
            _ => None,
        };
        if let Some((style, explode)) = style {
            out.insert("style".to_owned(), json!(style));
            out.insert("explode".to_owned(), json!(explode));
        }
        let exact = matches!(
            (location, format),
            ("query", "csv" | "multi" | "ssv" | "pipes") | (_, "csv")
        );
        cx.count(if exact {
            kind::COLLECTION_FORMAT
        } else {
            kind::COLLECTION_FORMAT_FALLBACK
        });
    }
    Ok(Value::Object(out))
}

/// An `in: body` parameter as a `requestBody`, one content entry per media type consumed.
fn request_body(
    def: &Object,
    name: &str,
    consumes: &[String],
    pointer: &str,
    cx: &mut Cx<'_>,
) -> crate::Result<Value> {
    let mut out = Object::new();
    for (key, v) in def {
        if matches!(key.as_str(), "description" | "required") || key.starts_with("x-") {
            out.insert(key.clone(), v.clone());
        }
    }
    let mut body_schema = def
        .get("schema")
        .cloned()
        .ok_or_else(|| cx.error(pointer, "a body parameter needs a `schema`"))?;
    schema(&mut body_schema, &join(pointer, "schema"), cx)?;
    let content: Object = consumes
        .iter()
        .map(|media_type| (media_type.clone(), json!({ "schema": body_schema.clone() })))
        .collect();
    out.insert("content".to_owned(), Value::Object(content));
    // 3.0 bodies have no name; generators commonly read this extension to name the argument.
    out.insert("x-codegen-request-body-name".to_owned(), json!(name));
    cx.count(kind::BODY_PARAMETER);
    Ok(Value::Object(out))
}

/// An operation's `in: formData` parameters as one object schema under the form media types.
fn form_body(fields: &[&Param<'_>], consumes: &[String], cx: &mut Cx<'_>) -> crate::Result<Value> {
    let has_file = fields
        .iter()
        .any(|p| p.def.get("type").and_then(Value::as_str) == Some("file"));
    let mut media_types: Vec<String> = consumes
        .iter()
        .filter(|m| {
            let essence = m
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            essence == MULTIPART || essence == URLENCODED
        })
        .cloned()
        .collect();
    if media_types.is_empty() {
        media_types.push(if has_file { MULTIPART } else { URLENCODED }.to_owned());
    }

    let mut properties = Object::new();
    let mut required = Vec::new();
    let mut encoding = Object::new();
    for p in fields {
        let mut property = simple_schema(p.def, &p.pointer, cx)?;
        // A form field becomes a property: its description and extensions go with it.
        if let Value::Object(property) = &mut property {
            for (key, v) in p.def {
                if key == "description" || (key.starts_with("x-") && key != "x-nullable") {
                    property.entry(key.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        properties.insert(p.name.clone(), property);
        if p.def.get("required") == Some(&Value::Bool(true)) {
            required.push(json!(p.name));
        }
        if let Some(format) = collection_format(p.def, &p.pointer, cx)? {
            let style = match format {
                "multi" => None,
                "ssv" => Some("spaceDelimited"),
                "pipes" => Some("pipeDelimited"),
                _ => Some("form"),
            };
            if let Some(style) = style {
                encoding.insert(p.name.clone(), json!({ "style": style, "explode": false }));
            }
            cx.count(if format == "tsv" {
                kind::COLLECTION_FORMAT_FALLBACK
            } else {
                kind::COLLECTION_FORMAT
            });
        }
    }

    let mut form_schema = Object::new();
    form_schema.insert("type".to_owned(), json!("object"));
    form_schema.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        form_schema.insert("required".to_owned(), Value::Array(required));
    }
    let mut content = Object::new();
    for media_type in media_types {
        let mut media = Object::new();
        media.insert("schema".to_owned(), Value::Object(form_schema.clone()));
        if !encoding.is_empty() {
            media.insert("encoding".to_owned(), Value::Object(encoding.clone()));
        }
        content.insert(media_type, Value::Object(media));
    }
    let mut out = Object::new();
    out.insert("content".to_owned(), Value::Object(content));
    if form_schema.contains_key("required") {
        out.insert("required".to_owned(), json!(true));
    }
    cx.count(kind::FORM_PARAMETERS);
    Ok(Value::Object(out))
}
