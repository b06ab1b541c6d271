//! Finding, checking and inlining `$ref`s without knowing each object's type.
//!
//! A `$ref` key is a reference only where the surrounding object is a spec object. It is data
//! inside `example`/`default`/`enum`/`x-*` values, and a *name* inside maps keyed by name
//! (`properties`, `paths`, `definitions`, ...). The walker below tracks just that much context,
//! which is the same in Swagger 2.0 and OpenAPI 3.x, so one pass serves both the document as
//! loaded (where error pointers mean what the author wrote) and the normalized one.
//!
//! References that point *inside* another object (`#/definitions/A/properties/b`, a parameter
//! of some operation, an OpenAPI 3.1 `$defs` entry) are valid JSON pointers, and JumpCloud has
//! published them. Later stages only look things up by component name, so such a reference is
//! replaced by a copy of its target here, once, before anything else reads the document. The
//! copy keeps the reference's sibling keys (they override the target's), which is what the
//! author meant by writing them.
//!
//! Limitation: a reference into an object that contains that same reference (a recursive
//! `$defs` entry, say) cannot be copied finitely and is an error; pointing it at a whole
//! component is the fix.

use serde_json::Value;

use super::pointer::{join, join_index, ref_tokens, resolve};
use super::{Cx, MAX_DEPTH, kind};

/// How deeply references into other objects may nest through each other's targets.
const MAX_INLINE_NESTING: usize = 16;
/// How many copies inlining may make in one document; guards against exponential growth.
const MAX_INLINED: usize = 10_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// An object whose keys are keywords of the spec (`type`, `items`, `$ref`, ...).
    Keywords,
    /// A map from author-chosen names to spec objects; `extensions` says whether `x-` keys
    /// are extensions there (as in `paths` and `responses`) or names like any other.
    Names { extensions: bool },
}

/// The context of `value` found under `key` in an object of context `at`, or `None` where the
/// value is opaque data that must not be searched for references.
fn classify(at: At, key: &str, value: &Value, swagger: bool) -> Option<At> {
    match at {
        At::Names { extensions } => {
            if extensions && key.starts_with("x-") {
                None
            } else {
                Some(At::Keywords)
            }
        }
        At::Keywords => {
            if key.starts_with("x-") {
                return None;
            }
            match key {
                "example" | "default" | "enum" | "const" | "value" | "security" => None,
                // Schema `examples` (3.1) are a list of values and Swagger 2.0 response
                // `examples` map media types to values; only OpenAPI 3 media types and
                // parameters hold Example objects there.
                "examples" => {
                    (!swagger && value.is_object()).then_some(At::Names { extensions: false })
                }
                "paths" | "responses" | "webhooks" => Some(At::Names { extensions: true }),
                "properties"
                | "patternProperties"
                | "definitions"
                | "$defs"
                | "dependentSchemas"
                | "securityDefinitions"
                | "securitySchemes"
                | "schemas"
                | "requestBodies"
                | "headers"
                | "content"
                | "encoding"
                | "links"
                | "pathItems"
                | "variables"
                | "mapping"
                | "scopes"
                | "callbacks" => Some(At::Names { extensions: false }),
                "parameters" if value.is_object() => Some(At::Names { extensions: false }),
                _ => Some(At::Keywords),
            }
        }
    }
}

/// Whether `tokens` name a whole reusable object, the only kind of target later stages accept.
fn is_component(tokens: &[String], swagger: bool) -> bool {
    if swagger {
        tokens.len() == 2
            && matches!(
                tokens[0].as_str(),
                "definitions" | "parameters" | "responses"
            )
    } else {
        tokens.len() == 3
            && tokens[0] == "components"
            && matches!(
                tokens[1].as_str(),
                "schemas"
                    | "responses"
                    | "parameters"
                    | "examples"
                    | "requestBodies"
                    | "headers"
                    | "securitySchemes"
                    | "links"
                    | "callbacks"
            )
    }
}

/// A `$ref` found in the document: the pointer of the object holding it, and its text.
struct Site {
    pointer: String,
    reference: String,
}

fn collect(
    node: &Value,
    pointer: &mut String,
    at: At,
    swagger: bool,
    depth: usize,
    cx: &Cx<'_>,
    out: &mut Vec<Site>,
) -> crate::Result<()> {
    if depth > MAX_DEPTH {
        return Err(cx.error(
            pointer,
            format!("the document nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    match node {
        Value::Object(map) => {
            if at == At::Keywords {
                match map.get("$ref") {
                    Some(Value::String(reference)) => out.push(Site {
                        pointer: pointer.clone(),
                        reference: reference.clone(),
                    }),
                    Some(other) => {
                        return Err(cx.error(
                            &join(pointer, "$ref"),
                            format!(
                                "$ref must be a string, found {}",
                                crate::load::kind_of(other)
                            ),
                        ));
                    }
                    None => {}
                }
            }
            for (key, value) in map {
                if at == At::Keywords && key == "$ref" {
                    continue;
                }
                if let Some(child) = classify(at, key, value, swagger) {
                    let len = pointer.len();
                    *pointer = join(pointer, key);
                    collect(value, pointer, child, swagger, depth + 1, cx, out)?;
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                *pointer = join_index(pointer, i);
                collect(item, pointer, At::Keywords, swagger, depth + 1, cx, out)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks that every `$ref` in the document as loaded resolves, then replaces the ones that
/// point inside other objects by copies of their targets.
pub(super) fn check_and_inline(
    doc: &mut Value,
    swagger: bool,
    cx: &mut Cx<'_>,
) -> crate::Result<()> {
    let mut sites = Vec::new();
    collect(
        doc,
        &mut String::new(),
        At::Keywords,
        swagger,
        0,
        cx,
        &mut sites,
    )?;

    let mut deep = false;
    for site in &sites {
        let tokens = ref_tokens(&site.reference).map_err(|m| cx.error(&site.pointer, m))?;
        if tokens.is_empty() {
            return Err(cx.error(
                &site.pointer,
                format!("$ref {:?} refers to the whole document", site.reference),
            ));
        }
        resolve(doc, &tokens).map_err(|why| {
            cx.error(
                &site.pointer,
                format!("$ref {:?} does not resolve: {why}", site.reference),
            )
        })?;
        deep |= !is_component(&tokens, swagger);
    }

    if deep {
        // Targets are copied from a snapshot so that the order of replacement cannot matter.
        let snapshot = doc.clone();
        let mut inliner = Inliner {
            snapshot: &snapshot,
            swagger,
            stack: Vec::new(),
            made: 0,
        };
        inliner.walk(doc, &mut String::new(), At::Keywords, None, 0, cx)?;
    }
    Ok(())
}

struct Inliner<'a> {
    snapshot: &'a Value,
    swagger: bool,
    /// The references being expanded, outermost first, to detect a target containing itself.
    stack: Vec<String>,
    made: usize,
}

impl Inliner<'_> {
    /// `origin` is the pointer of the outermost reference being expanded: inside a copy there
    /// is no document position to report, so errors name where the expansion started.
    fn walk(
        &mut self,
        node: &mut Value,
        pointer: &mut String,
        at: At,
        origin: Option<&str>,
        depth: usize,
        cx: &mut Cx<'_>,
    ) -> crate::Result<()> {
        if depth > MAX_DEPTH {
            return Err(cx.error(
                origin.unwrap_or(pointer),
                format!(
                    "the document nests deeper than {MAX_DEPTH} levels after inlining references"
                ),
            ));
        }
        let reference = match node {
            Value::Object(map) if at == At::Keywords => match map.get("$ref") {
                Some(Value::String(r)) => Some(r.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(reference) = reference {
            // Every reference was checked against this same document before.
            let tokens =
                ref_tokens(&reference).map_err(|m| cx.error(origin.unwrap_or(pointer), m))?;
            if !is_component(&tokens, self.swagger) {
                return self.inline(node, &reference, &tokens, pointer, origin, depth, cx);
            }
        }
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if at == At::Keywords && key == "$ref" {
                        continue;
                    }
                    if let Some(child) = classify(at, key, value, self.swagger) {
                        let len = pointer.len();
                        *pointer = join(pointer, key);
                        self.walk(value, pointer, child, origin, depth + 1, cx)?;
                        pointer.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = pointer.len();
                    *pointer = join_index(pointer, i);
                    self.walk(item, pointer, At::Keywords, origin, depth + 1, cx)?;
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // the walk's state, threaded through one recursion
    fn inline(
        &mut self,
        node: &mut Value,
        reference: &str,
        tokens: &[String],
        pointer: &mut String,
        origin: Option<&str>,
        depth: usize,
        cx: &mut Cx<'_>,
    ) -> crate::Result<()> {
        let site = origin.unwrap_or(pointer).to_owned();
        if self.stack.iter().any(|r| r == reference) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain(std::iter::once(&reference.to_owned()))
                .map(|r| format!("{r:?}"))
                .collect();
            return Err(cx.error(
                &site,
                format!(
                    "$ref {reference:?} points inside another object and contains itself \
                     ({}); such a reference cannot be inlined, point it at a whole component",
                    chain.join(" -> ")
                ),
            ));
        }
        if self.stack.len() >= MAX_INLINE_NESTING || self.made >= MAX_INLINED {
            return Err(cx.error(
                &site,
                format!(
                    "$ref {reference:?}: too many references into other objects to inline \
                     (limits: {MAX_INLINE_NESTING} nested, {MAX_INLINED} in all)"
                ),
            ));
        }
        self.made += 1;

        let mut replacement = resolve(self.snapshot, tokens)
            .map_err(|why| cx.error(&site, format!("$ref {reference:?} does not resolve: {why}")))?
            .clone();
        self.stack.push(reference.to_owned());
        self.walk(
            &mut replacement,
            pointer,
            At::Keywords,
            Some(&site),
            depth + 1,
            cx,
        )?;
        self.stack.pop();

        // Siblings are expanded in place first: they may hold references of their own.
        if let Value::Object(map) = node {
            map.remove("$ref");
            let mut siblings = Value::Object(std::mem::take(map));
            self.walk(&mut siblings, pointer, At::Keywords, origin, depth, cx)?;
            if let (Value::Object(target), Value::Object(siblings)) = (&mut replacement, siblings) {
                for (key, value) in siblings {
                    target.insert(key, value);
                }
            }
        }
        *node = replacement;
        cx.count(kind::DEEP_REF_INLINED);
        Ok(())
    }
}

/// Checks the normalized document: every `$ref` resolves and names a whole component. The
/// conversion guarantees this for documents that passed [`check_and_inline`]; a failure here
/// is a bug in the conversion, reported with a pointer into the normalized document.
pub(super) fn check_normalized(doc: &Value, cx: &Cx<'_>) -> crate::Result<()> {
    let mut sites = Vec::new();
    collect(
        doc,
        &mut String::new(),
        At::Keywords,
        false,
        0,
        cx,
        &mut sites,
    )?;
    for site in sites {
        let in_normalized = |m: String| {
            cx.error(
                &site.pointer,
                format!("{m} (pointer into the normalized document)"),
            )
        };
        let tokens = ref_tokens(&site.reference).map_err(in_normalized)?;
        resolve(doc, &tokens).map_err(|why| {
            in_normalized(format!("$ref {:?} does not resolve: {why}", site.reference))
        })?;
        if !is_component(&tokens, false) {
            return Err(in_normalized(format!(
                "$ref {:?} does not name a component",
                site.reference
            )));
        }
    }
    Ok(())
}
