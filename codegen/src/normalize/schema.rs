//! Rewrites one schema (and its subschemas) into the OpenAPI 3.0 dialect of JSON Schema.
//!
//! OpenAPI 3.1 uses full JSON Schema 2020-12; 3.0 uses an older subset with `nullable`, and
//! Swagger 2.0 a smaller one still. JumpCloud's older Swagger files also use 3.1 constructs
//! (`type: [string, "null"]`), so every rewrite here applies to every input format, except the
//! few Swagger-only ones, which are gated on the format.
//!
//! The rewrites keep meaning wherever 3.0 can express it; where it cannot (several non-null
//! types, a keyword 3.0 lacks) the schema is loosened, never tightened, and the rewrite is
//! counted under a kind that says "fallback".

use serde_json::{Map, Value, json};

use super::pointer::{join, join_index, ref_tokens};
use super::{Cx, MAX_DEPTH, kind};
use crate::error::escape_token;
use crate::load::kind_of;

/// JSON Schema keywords that only identify or annotate a schema for JSON Schema tooling.
/// References through `$defs` were inlined before this runs, so dropping `$defs` loses nothing.
const IDENTIFIERS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$comment",
    "$vocabulary",
    "$defs",
    "definitions",
];

/// JSON Schema keywords OpenAPI 3.0 has no equivalent for. Dropping one only loosens the
/// schema (a constraint or an alternative is lost), which is why the count says "fallback".
// Limitation: `prefixItems`, `patternProperties`, `if`/`then`/`else` and the like could be
// approximated (e.g. a single pattern property as `additionalProperties`); no JumpCloud spec
// uses them, so they are dropped and counted instead.
const UNSUPPORTED: &[&str] = &[
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "$dynamicRef",
    "$recursiveRef",
    "$recursiveAnchor",
];

/// Rewrites the schema at `node`, whose pointer in the document as loaded is `pointer`.
pub(super) fn schema(node: &mut Value, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    rewrite(node, pointer, cx, 0)
}

fn rewrite(node: &mut Value, pointer: &str, cx: &mut Cx<'_>, depth: usize) -> crate::Result<()> {
    if depth > MAX_DEPTH {
        return Err(cx.error(
            pointer,
            format!("schemas nest deeper than {MAX_DEPTH} levels"),
        ));
    }
    if let Value::Bool(b) = node {
        // JSON Schema's boolean schemas: `true` accepts anything, `false` nothing.
        *node = if *b { json!({}) } else { json!({"not": {}}) };
        cx.count(kind::BOOLEAN_SCHEMA);
        return Ok(());
    }
    let Value::Object(map) = node else {
        // Not a schema at all; the parse stage reports it with its pointer.
        return Ok(());
    };

    if cx.swagger() {
        swagger_only(map, cx);
    }

    // Before the other rewrites, so that a branch merged into this schema gets them too.
    for key in ["anyOf", "oneOf"] {
        null_branches(map, key, cx);
    }

    // Dropped before the `$ref` check: they are no meaningful siblings of a reference.
    for key in IDENTIFIERS {
        // Inside a schema, `definitions` is the draft-4 spelling of `$defs`.
        if map.remove(*key).is_some() {
            cx.count(kind::SCHEMA_IDENTIFIER_DROPPED);
        }
    }
    for key in UNSUPPORTED {
        if map.remove(*key).is_some() {
            cx.count(kind::KEYWORD_DROPPED);
        }
    }
    if map.get("items").is_some_and(Value::is_array) {
        // Draft-4 tuple form; neither OpenAPI version has it.
        map.remove("items");
        cx.count(kind::KEYWORD_DROPPED);
    }

    if map.contains_key("$ref") {
        let reference = schema_ref(map, pointer, cx)?;
        let significant = map.keys().any(|k| k != "$ref" && !k.starts_with("x-"));
        if !significant {
            map.insert("$ref".to_owned(), Value::String(reference));
            return Ok(());
        }
        // OpenAPI 3.0 ignores everything beside a `$ref`, but the author meant the siblings
        // (a description, `nullable`, `readOnly`) to apply; `allOf` keeps both.
        map.remove("$ref");
        let mut all_of = vec![json!({ "$ref": reference })];
        if let Some(Value::Array(existing)) = map.remove("allOf") {
            all_of.extend(existing);
        }
        map.insert("allOf".to_owned(), Value::Array(all_of));
        cx.count(kind::REF_SIBLINGS);
    }

    rewrite_type(map, pointer, cx)?;
    rewrite_const(map, cx);
    rewrite_examples(map, cx);
    for (exclusive, bound, stricter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        exclusive_bound(map, exclusive, bound, stricter, cx);
    }
    content_encoding(map, cx);

    recurse(map, pointer, cx, depth)
}

/// Swagger 2.0 spellings of things OpenAPI 3.0 has a keyword for.
fn swagger_only(map: &mut Map<String, Value>, cx: &mut Cx<'_>) {
    if let Some(v) = map.remove("x-nullable") {
        if v == Value::Bool(true) {
            map.insert("nullable".to_owned(), Value::Bool(true));
        }
        cx.count(kind::X_NULLABLE);
    }
    if map.get("type").and_then(Value::as_str) == Some("file") {
        map.insert("type".to_owned(), json!("string"));
        map.insert("format".to_owned(), json!("binary"));
        cx.count(kind::TYPE_FILE);
    }
    if let Some(Value::String(name)) = map.get("discriminator") {
        let object = json!({ "propertyName": name });
        map.insert("discriminator".to_owned(), object);
        cx.count(kind::DISCRIMINATOR);
    }
}

/// The canonical `#/components/schemas/<name>` form of a schema's `$ref`, retargeting Swagger
/// 2.0 `#/definitions/<name>`. Other targets are errors: a schema must reference a schema.
fn schema_ref(map: &Map<String, Value>, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<String> {
    let at = join(pointer, "$ref");
    let reference = match map.get("$ref") {
        Some(Value::String(r)) => r,
        Some(other) => {
            return Err(cx.error(
                &at,
                format!("$ref must be a string, found {}", kind_of(other)),
            ));
        }
        None => return Err(cx.error(&at, "missing $ref")),
    };
    let tokens = ref_tokens(reference).map_err(|m| cx.error(&at, m))?;
    let name = match (cx.swagger(), tokens.as_slice()) {
        (true, [section, name]) if section == "definitions" => {
            cx.count(kind::REF_RETARGETED);
            name
        }
        // In a Swagger document this form can only come from the `allOf` wrapper below: the
        // document itself has no `components`, so such a reference failed resolution before.
        (_, [c, section, name]) if c == "components" && section == "schemas" => name,
        _ => {
            let expected = if cx.swagger() {
                "#/definitions/"
            } else {
                "#/components/schemas/"
            };
            return Err(cx.error(
                &at,
                format!(
                    "a schema's $ref must point to a schema ({expected}...), not {reference:?}"
                ),
            ));
        }
    };
    Ok(format!("#/components/schemas/{}", escape_token(name)))
}

fn rewrite_type(map: &mut Map<String, Value>, pointer: &str, cx: &mut Cx<'_>) -> crate::Result<()> {
    let Some(ty) = map.get("type") else {
        return Ok(());
    };
    let (others, has_null) = match ty {
        Value::String(t) if t == "null" => (Vec::new(), true),
        Value::String(_) => return Ok(()),
        Value::Array(list) => {
            let mut others: Vec<String> = Vec::new();
            let mut has_null = false;
            for (i, entry) in list.iter().enumerate() {
                match entry {
                    Value::String(t) if t == "null" => has_null = true,
                    Value::String(t) => {
                        if !others.contains(t) {
                            others.push(t.clone());
                        }
                    }
                    other => {
                        return Err(cx.error(
                            &join_index(&join(pointer, "type"), i),
                            format!("a type list holds type names, found {}", kind_of(other)),
                        ));
                    }
                }
            }
            (others, has_null)
        }
        other => {
            return Err(cx.error(
                &join(pointer, "type"),
                format!(
                    "type must be a name or a list of names, found {}",
                    kind_of(other)
                ),
            ));
        }
    };

    map.remove("type");
    if has_null {
        map.insert("nullable".to_owned(), Value::Bool(true));
    }
    match others.as_slice() {
        // Only null: 3.0 cannot say "null and nothing else", so this accepts any value.
        [] => cx.count(kind::TYPE_NULL),
        [only] => {
            map.insert("type".to_owned(), Value::String(only.clone()));
            // A single name without null came from a list: a plain name returned above.
            cx.count(if has_null {
                kind::TYPE_LIST_NULL
            } else {
                kind::TYPE_LIST_SINGLE
            });
        }
        // Limitation: `[string, integer]` could become a `oneOf` of single-type copies of the
        // schema; it is left untyped (any value) and counted as a fallback instead.
        _ => cx.count(kind::TYPE_LIST_MULTI),
    }
    Ok(())
}

/// Whether a branch of `anyOf`/`oneOf` only admits `null`.
fn is_null_branch(branch: &Value) -> bool {
    let Value::Object(m) = branch else {
        return false;
    };
    let null_type = match m.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(list)) => list.len() == 1 && list[0] == "null",
        _ => false,
    };
    let null_enum = m.get("enum") == Some(&json!([null])) || m.get("const") == Some(&Value::Null);
    (null_type || null_enum)
        && m.keys().all(|k| {
            matches!(
                k.as_str(),
                "type" | "enum" | "const" | "description" | "title"
            ) || k.starts_with("x-")
        })
}

/// `anyOf: [X, {type: "null"}]` is how 3.1 says "X or null"; 3.0 says it with `nullable`.
fn null_branches(map: &mut Map<String, Value>, key: &str, cx: &mut Cx<'_>) {
    let Some(Value::Array(branches)) = map.get(key) else {
        return;
    };
    if !branches.iter().any(is_null_branch) {
        return;
    }
    let Some(Value::Array(branches)) = map.remove(key) else {
        return;
    };
    let mut rest: Vec<Value> = branches
        .into_iter()
        .filter(|b| !is_null_branch(b))
        .collect();
    map.insert("nullable".to_owned(), Value::Bool(true));
    cx.count(kind::NULL_BRANCH);

    if rest.len() > 1 {
        map.insert(key.to_owned(), Value::Array(rest));
        return;
    }
    let Some(only) = rest.pop() else {
        // Nothing but null; as with `type: "null"` the schema becomes untyped.
        return;
    };
    // An inline branch whose keywords the parent does not use can simply be merged into the
    // parent; a `$ref` (or a clash) goes into `allOf`, which keeps the parent's `nullable`.
    let mergeable = match &only {
        Value::Object(b) => !b.contains_key("$ref") && b.keys().all(|k| !map.contains_key(k)),
        _ => false,
    };
    match only {
        Value::Object(b) if mergeable => map.extend(b),
        other => match map.get_mut("allOf") {
            Some(Value::Array(all_of)) => all_of.push(other),
            _ => {
                map.insert("allOf".to_owned(), Value::Array(vec![other]));
            }
        },
    }
}

fn rewrite_const(map: &mut Map<String, Value>, cx: &mut Cx<'_>) {
    if let Some(value) = map.remove("const") {
        // With both, only `const`'s value can pass both, so it replaces the enum.
        map.insert("enum".to_owned(), Value::Array(vec![value]));
        cx.count(kind::CONST);
    }
}

fn rewrite_examples(map: &mut Map<String, Value>, cx: &mut Cx<'_>) {
    if !map.get("examples").is_some_and(Value::is_array) {
        return;
    }
    if let Some(Value::Array(examples)) = map.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            map.entry("example").or_insert(first);
        }
        cx.count(kind::EXAMPLES);
    }
}

/// 3.1's `exclusiveMinimum: 5` is 3.0's `minimum: 5, exclusiveMinimum: true`. With an
/// inclusive bound beside it, the stricter of the two wins.
fn exclusive_bound(
    map: &mut Map<String, Value>,
    exclusive: &str,
    bound: &str,
    stricter: std::cmp::Ordering,
    cx: &mut Cx<'_>,
) {
    let Some(Value::Number(limit)) = map.get(exclusive) else {
        return;
    };
    let limit = limit.clone();
    map.remove(exclusive);
    cx.count(kind::EXCLUSIVE_BOUND);
    let inclusive_is_stricter = map
        .get(bound)
        .and_then(Value::as_f64)
        .zip(limit.as_f64())
        .and_then(|(inclusive, exclusive)| inclusive.partial_cmp(&exclusive))
        .is_some_and(|ord| ord == stricter);
    if !inclusive_is_stricter {
        map.insert(bound.to_owned(), Value::Number(limit));
        map.insert(exclusive.to_owned(), Value::Bool(true));
    }
}

/// 3.1 describes binary strings with `contentEncoding`/`contentMediaType`; 3.0 with `format`.
fn content_encoding(map: &mut Map<String, Value>, cx: &mut Cx<'_>) {
    let encoding = map.remove("contentEncoding");
    let media_type = map.remove("contentMediaType");
    if encoding.is_none() && media_type.is_none() {
        return;
    }
    cx.count(kind::CONTENT_ENCODING);
    let is_string = map.get("type").is_none_or(|t| t == "string");
    if map.contains_key("format") || !is_string {
        return;
    }
    let format = match (
        encoding.as_ref().and_then(Value::as_str),
        media_type.as_ref(),
    ) {
        (Some("base64" | "base64url"), _) => Some("byte"),
        (Some(_), _) => Some("binary"),
        (None, Some(Value::String(media))) if !is_textual(media) => Some("binary"),
        _ => None,
    };
    if let Some(format) = format {
        map.insert("format".to_owned(), json!(format));
    }
}

fn is_textual(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("/json")
        || essence.ends_with("+json")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence == "application/x-www-form-urlencoded"
}

// Limitation: `discriminator.mapping` values are not checked or canonicalized; they may be
// bare schema names as well as references, and the later stages read them as written.
fn recurse(
    map: &mut Map<String, Value>,
    pointer: &str,
    cx: &mut Cx<'_>,
    depth: usize,
) -> crate::Result<()> {
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        let at = join(pointer, "properties");
        for (name, property) in properties.iter_mut() {
            rewrite(property, &join(&at, name), cx, depth + 1)?;
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            // `additionalProperties: true/false` is valid 3.0 and means what it says.
            if key == "additionalProperties" && sub.is_boolean() {
                continue;
            }
            rewrite(sub, &join(pointer, key), cx, depth + 1)?;
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            let at = join(pointer, key);
            for (i, sub) in list.iter_mut().enumerate() {
                rewrite(sub, &join_index(&at, i), cx, depth + 1)?;
            }
        }
    }
    Ok(())
}
