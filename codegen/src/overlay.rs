//! The project's fixes to known spec errors, as OpenAPI Overlay 1.0 documents.
//!
//! An overlay is applied to the *normalized* document (OpenAPI 3.0 as JSON), so one overlay
//! keeps working whatever format JumpCloud publishes in. Each action selects nodes with a
//! JSONPath (RFC 9535) `target` and either merges `update` into them or removes them. The
//! project requires every action to say why in `description`, and an action whose target
//! matches nothing fails generation: a fix that silently stops applying would hide the fault it
//! was written for.
//!
//! Merge rule for `update` (Overlay 1.0): object into object merges key by key, recursing into
//! objects on both sides; any other value replaces the target's; when the target itself is an
//! array, the update is appended to it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Error, Result};

/// One overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file it was read from.
    pub file: PathBuf,
    /// `info.title`.
    pub title: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// One action of an overlay.
#[derive(Debug, Clone)]
pub struct Action {
    /// JSONPath selecting the nodes to change.
    pub target: String,
    /// Why: the fault it fixes and where that fault was seen.
    pub description: String,
    /// Value merged into every target.
    pub update: Option<Value>,
    /// Whether the targets are removed.
    pub remove: bool,
    path: JsonPath,
}

/// What one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The overlay file.
    pub file: PathBuf,
    /// Index of the action in the file.
    pub index: usize,
    /// The action's description.
    pub description: String,
    /// JSON pointers of the nodes it changed.
    pub touched: Vec<String>,
}

/// Reads an overlay (YAML or JSON) and checks its shape.
pub fn load(path: &Path) -> Result<Overlay> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::Io { file: path.to_path_buf(), source })?;
    // Overlays are the project's own small files: plain YAML (or JSON, a subset of it) with
    // string keys, so they need none of the spec loader's conversions.
    let doc: Value = serde_yaml_ng::from_str(&text)
        .map_err(|e| Error::Syntax { file: path.to_path_buf(), message: format!("YAML: {e}") })?;
    parse(path, &doc)
}

/// Checks an overlay document already read into a value.
pub fn parse(file: &Path, doc: &Value) -> Result<Overlay> {
    let err = |pointer: &str, message: String| Error::spec(file, pointer, message);
    let version = doc.get("overlay").and_then(Value::as_str).ok_or_else(|| {
        err("/overlay", "not an overlay: `overlay: 1.0.0` is missing".to_owned())
    })?;
    if !version.starts_with("1.0") {
        return Err(err("/overlay", format!("unsupported overlay version {version:?} (expected 1.0.x)")));
    }
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or_default().to_owned();
    let actions = doc
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| err("/actions", "`actions` must be a list".to_owned()))?;
    let mut out = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let at = format!("/actions/{i}");
        let target = a
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| err(&format!("{at}/target"), "an action needs a `target` JSONPath".to_owned()))?;
        let description = a
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| {
                err(&format!("{at}/description"), "every action must say in `description` which fault it fixes".to_owned())
            })?;
        let path = JsonPath::parse(target)
            .map_err(|e| err(&format!("{at}/target"), format!("invalid JSONPath {target:?}: {e}")))?;
        let remove = a.get("remove").and_then(Value::as_bool).unwrap_or(false);
        let update = a.get("update").cloned();
        if remove == update.is_some() {
            return Err(err(&at, "an action needs exactly one of `update` or `remove: true`".to_owned()));
        }
        out.push(Action { target: target.to_owned(), description: description.to_owned(), update, remove, path });
    }
    Ok(Overlay { file: file.to_path_buf(), title, actions: out })
}

/// Applies every action in order. Nothing is applied unless every action matches: on error the
/// document is left as it was.
pub fn apply(doc: &mut Value, overlay: &Overlay) -> Result<Vec<Applied>> {
    let mut work = doc.clone();
    let mut applied = Vec::with_capacity(overlay.actions.len());
    for (index, action) in overlay.actions.iter().enumerate() {
        // A target can select one node twice (`$.list[0,0]`); each node is changed once.
        let mut pointers: Vec<String> =
            action.path.query_located(&work).locations().map(|l| l.to_json_pointer()).collect();
        let mut seen = std::collections::BTreeSet::new();
        pointers.retain(|p| seen.insert(p.clone()));
        if pointers.is_empty() {
            return Err(Error::spec(
                &overlay.file,
                format!("/actions/{index}"),
                format!(
                    "target {:?} matches nothing, so this fix no longer applies: {}",
                    action.target, action.description
                ),
            ));
        }
        if action.remove && pointers.iter().any(String::is_empty) {
            return Err(Error::spec(
                &overlay.file,
                format!("/actions/{index}"),
                format!("target {:?} selects the whole document, which cannot be removed", action.target),
            ));
        }
        if action.remove {
            // Deepest and last first, so that removing one node never shifts the index of another.
            let mut sorted = pointers.clone();
            sorted.sort_by_key(|p| std::cmp::Reverse(pointer_key(p)));
            for p in &sorted {
                remove_at(&mut work, p);
            }
        } else if let Some(update) = &action.update {
            for p in &pointers {
                if let Some(node) = work.pointer_mut(p) {
                    merge(node, update);
                }
            }
        }
        applied.push(Applied {
            file: overlay.file.clone(),
            index,
            description: action.description.clone(),
            touched: pointers,
        });
    }
    *doc = work;
    Ok(applied)
}

/// Orders pointers so that array indices compare as numbers.
fn pointer_key(p: &str) -> Vec<(u64, String)> {
    p.split('/').map(|t| (t.parse::<u64>().unwrap_or(u64::MAX), t.to_owned())).collect()
}

fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), u) => match u {
            Value::Array(items) => t.extend(items.iter().cloned()),
            other => t.push(other.clone()),
        },
        (t, u) => *t = u.clone(),
    }
}

fn remove_at(doc: &mut Value, pointer: &str) {
    let Some(split) = pointer.rfind('/') else {
        return;
    };
    let (parent, last) = (&pointer[..split], &pointer[split + 1..]);
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Overlay {
        parse(Path::new("o.yaml"), &json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}))
            .unwrap()
    }

    #[test]
    fn update_merges_and_remove_removes() {
        let mut doc = json!({"a": {"b": {"x": 1}, "list": [1, 2, 3]}});
        let o = overlay(json!([
            {"target": "$.a.b", "description": "d1", "update": {"y": 2}},
            {"target": "$.a.list[0,2]", "description": "d2", "remove": true},
        ]));
        let applied = apply(&mut doc, &o).unwrap();
        assert_eq!(doc, json!({"a": {"b": {"x": 1, "y": 2}, "list": [2]}}));
        assert_eq!(applied[1].touched, ["/a/list/0", "/a/list/2"]);
    }

    #[test]
    fn unmatched_target_fails_with_description_and_leaves_doc() {
        let mut doc = json!({"a": 1});
        let o = overlay(json!([
            {"target": "$.a", "description": "first", "update": 2},
            {"target": "$.missing", "description": "fixes X", "remove": true},
        ]));
        let e = apply(&mut doc, &o).unwrap_err().to_string();
        assert!(e.contains("o.yaml") && e.contains("#/actions/1") && e.contains("fixes X"), "{e}");
        assert_eq!(doc, json!({"a": 1}));
    }

    #[test]
    fn action_without_description_is_rejected() {
        let e = parse(Path::new("o.yaml"), &json!({"overlay": "1.0.0", "actions": [{"target": "$.a", "remove": true}]}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("#/actions/0/description"), "{e}");
    }
}
