//! Checks on the normalized document that later stages rely on: references resolve to whole
//! components, and every `operationId` is unique (the generator names methods after them, so
//! two equal ids would make two methods of one name).
//!
//! Operations sit at the same pointers before and after normalization, so the pointers in the
//! duplicate-operationId error are valid in the document as loaded too.

use std::collections::BTreeMap;

use serde_json::Value;

use super::pointer::join;
use super::{Cx, refs};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn check(doc: &Value, cx: &Cx<'_>) -> crate::Result<()> {
    refs::check_normalized(doc, cx)?;
    unique_operation_ids(doc, cx)
}

// Limitation: operations inside `callbacks` are not checked; the generator emits no
// callbacks, and no JumpCloud spec has any.
fn unique_operation_ids(doc: &Value, cx: &Cx<'_>) -> crate::Result<()> {
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return Ok(());
    };
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, item) in paths {
        let Value::Object(item) = item else {
            continue;
        };
        let item_pointer = join("/paths", path);
        for method in METHODS {
            let Some(id) = item
                .get(*method)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let pointer = join(&item_pointer, method);
            if let Some(first) = seen.get(id) {
                return Err(cx.error(
                    &pointer,
                    format!("duplicate operationId {id:?}: used at #{first} and at #{pointer}"),
                ));
            }
            seen.insert(id, pointer);
        }
    }
    Ok(())
}
