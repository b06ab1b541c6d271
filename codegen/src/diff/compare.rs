//! Pairs operations and types of two IRs and lists what changed, each change classified.

use std::collections::{BTreeMap, BTreeSet};

use super::matching::{Matching, deref};
use super::{Change, Detail, Report, SpecInfo, Subject, Summary};
use crate::ir::{
    Body, BodyKind, Field, Ir, MultipartPart, Operation, PageTotal, Pagination, Param,
    ParamLocation, SuccessResponse, TypeDef, TypeKind, TypeRef, Variant,
};

pub(super) fn run(old: &Ir, new: &Ir) -> Report {
    let ops = match_operations(old, new);
    let mut m = Matching::new(old, new);
    for (a, b) in &ops.pairs {
        walk_operation(&mut m, a, b);
    }
    m.propagate();

    let mut changes = Vec::new();
    for a in &ops.removed {
        changes.push(Change {
            breaking: true,
            subject: op_subject(a, None),
            detail: Detail::Removed,
        });
    }
    for b in &ops.added {
        changes.push(Change {
            breaking: false,
            subject: op_subject(b, None),
            detail: Detail::Added,
        });
    }
    for (a, b) in &ops.pairs {
        compare_operation(&m, a, b, &mut changes);
    }

    for (name, def) in &old.types {
        if m.partners_of_old(name).next().is_none() {
            changes.push(Change {
                breaking: true,
                subject: type_subject(def, None),
                detail: Detail::Removed,
            });
        }
    }
    for (name, def) in &new.types {
        if !m.new_is_paired(name) {
            changes.push(Change {
                breaking: false,
                subject: type_subject(def, None),
                detail: Detail::Added,
            });
        }
    }
    for (a, b) in m.pairs() {
        if let (Some(da), Some(db)) = (old.types.get(a), new.types.get(b)) {
            compare_type(&m, da, db, &mut changes);
        }
    }

    changes.sort_by(|x, y| x.subject.cmp(&y.subject));
    let summary = summarize(&changes);
    Report {
        old: info(old),
        new: info(new),
        summary,
        changes,
    }
}

fn info(ir: &Ir) -> SpecInfo {
    SpecInfo {
        file: None,
        title: ir.title.clone(),
        version: ir.version.clone(),
        operations: ir.operations.len(),
        types: ir.types.len(),
    }
}

fn summarize(changes: &[Change]) -> Summary {
    let mut s = Summary {
        total: changes.len(),
        ..Summary::default()
    };
    let mut ops_changed = BTreeSet::new();
    let mut types_changed = BTreeSet::new();
    for c in changes {
        if c.breaking {
            s.breaking += 1;
        }
        match (&c.subject, &c.detail) {
            (Subject::Operation { .. }, Detail::Added) => s.operations_added += 1,
            (Subject::Operation { .. }, Detail::Removed) => s.operations_removed += 1,
            (Subject::Operation { .. }, Detail::Renamed { .. }) => s.operations_renamed += 1,
            (Subject::Operation { id, .. }, _) => {
                ops_changed.insert(id.clone());
            }
            (Subject::Type { .. }, Detail::Added) => s.types_added += 1,
            (Subject::Type { .. }, Detail::Removed) => s.types_removed += 1,
            (Subject::Type { .. }, Detail::Renamed { .. }) => s.types_renamed += 1,
            (Subject::Type { name, old_name, .. }, _) => {
                types_changed.insert((name.clone(), old_name.clone()));
            }
        }
    }
    s.operations_changed = ops_changed.len();
    s.types_changed = types_changed.len();
    s
}

struct OperationMatch<'a> {
    pairs: Vec<(&'a Operation, &'a Operation)>,
    removed: Vec<&'a Operation>,
    added: Vec<&'a Operation>,
}

/// Pairs operations by id; then, among the rest, by method and path template (the id was
/// renamed); then by method and path with its variables unnamed (both were renamed).
fn match_operations<'a>(old: &'a Ir, new: &'a Ir) -> OperationMatch<'a> {
    let new_ids: BTreeMap<&str, &Operation> =
        new.operations.iter().map(|o| (o.id.as_str(), o)).collect();
    let old_ids: BTreeSet<&str> = old.operations.iter().map(|o| o.id.as_str()).collect();
    let mut pairs = Vec::new();
    let mut rest_old = Vec::new();
    for a in &old.operations {
        match new_ids.get(a.id.as_str()) {
            Some(b) => pairs.push((a, *b)),
            None => rest_old.push(a),
        }
    }
    let mut rest_new: Vec<&Operation> = new
        .operations
        .iter()
        .filter(|o| !old_ids.contains(o.id.as_str()))
        .collect();
    for key in [endpoint as fn(&Operation) -> String, endpoint_shape] {
        let mut by_key: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
        for b in &rest_new {
            by_key.entry(key(b)).or_default().push(b);
        }
        let mut unmatched = Vec::new();
        for a in rest_old {
            match by_key.get_mut(&key(a)) {
                // Only an unambiguous endpoint says which operation was renamed.
                Some(candidates) if candidates.len() == 1 => {
                    if let Some(b) = candidates.pop() {
                        pairs.push((a, b));
                    }
                }
                _ => unmatched.push(a),
            }
        }
        rest_old = unmatched;
        let taken: BTreeSet<&str> = pairs.iter().map(|(_, b)| b.id.as_str()).collect();
        rest_new.retain(|b| !taken.contains(b.id.as_str()));
    }
    pairs.sort_by(|x, y| x.1.id.cmp(&y.1.id));
    OperationMatch {
        pairs,
        removed: rest_old,
        added: rest_new,
    }
}

fn endpoint(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

/// The endpoint with its path variables unnamed: `/users/{}/groups`.
fn endpoint_shape(op: &Operation) -> String {
    let mut out = String::with_capacity(op.path.len());
    let mut in_var = false;
    for c in op.path.chars() {
        match c {
            '{' => {
                in_var = true;
                out.push_str("{}");
            }
            '}' => in_var = false,
            _ if in_var => {}
            _ => out.push(c),
        }
    }
    format!("{} {out}", op.method)
}

fn walk_operation<'a>(m: &mut Matching<'a>, a: &'a Operation, b: &'a Operation) {
    for p in &a.params {
        if let Some(q) = b
            .params
            .iter()
            .find(|q| q.location == p.location && q.wire == p.wire)
        {
            m.walk(&p.ty, &q.ty);
        }
    }
    if let (
        Some(Body {
            kind: BodyKind::Json(x),
            ..
        }),
        Some(Body {
            kind: BodyKind::Json(y),
            ..
        }),
    ) = (&a.body, &b.body)
    {
        m.walk(x, y);
    }
    if let (Some(x), Some(y)) = (response_type(&a.response), response_type(&b.response)) {
        m.walk(x, y);
    }
    if let (Some(x), Some(y)) = (&a.pagination, &b.pagination) {
        m.walk(page_item(x), page_item(y));
    }
}

/// The type of the items `stream()` yields.
fn page_item(p: &Pagination) -> &TypeRef {
    match p {
        Pagination::SkipLimit { total, .. } | Pagination::SearchBody { total, .. } => match total {
            PageTotal::Header { item } | PageTotal::Body { item, .. } => item,
        },
        Pagination::SearchAfter { item, .. } | Pagination::PageToken { item, .. } => item,
    }
}

/// How an operation pages, in words; the Rust names of the fields and setters it uses are
/// included because the generated pager depends on them.
fn page_strategy(p: &Pagination) -> String {
    let total = |t: &PageTotal| match t {
        PageTotal::Header { .. } => "total in the `x-total-count` header".to_owned(),
        PageTotal::Body {
            items_field,
            total_field,
            ..
        } => {
            format!("items in `{items_field}`, total in `{total_field}`")
        }
    };
    match p {
        Pagination::SkipLimit {
            skip,
            limit,
            total: t,
            ..
        } => format!("query `{skip}`/`{limit}`, {}", total(t)),
        Pagination::SearchBody {
            skip,
            limit,
            total: t,
            ..
        } => format!("body `{skip}`/`{limit}`, {}", total(t)),
        Pagination::SearchAfter { cursor, .. } => {
            format!("body cursor `{cursor}` from the `X-Search_after` header")
        }
        Pagination::PageToken {
            token_param,
            items_field,
            next_field,
            ..
        } => {
            format!(
                "page token `{token_param}`, items in `{items_field}`, next token in `{next_field}`"
            )
        }
    }
}

fn compare_pagination(
    m: &Matching<'_>,
    a: Option<&Pagination>,
    b: Option<&Pagination>,
    push: &mut impl FnMut(bool, Detail),
) {
    match (a, b) {
        (None, None) => {}
        (None, Some(q)) => push(
            false,
            Detail::PaginationAdded {
                strategy: page_strategy(q),
                item: type_display(m.new, page_item(q)),
            },
        ),
        (Some(p), None) => push(
            true,
            Detail::PaginationRemoved {
                strategy: page_strategy(p),
            },
        ),
        (Some(p), Some(q)) => {
            if !m.same(page_item(p), page_item(q)) {
                push(
                    true,
                    Detail::PaginationRetyped {
                        old: type_display(m.old, page_item(p)),
                        new: type_display(m.new, page_item(q)),
                    },
                );
            }
            let (old, new) = (page_strategy(p), page_strategy(q));
            if old != new {
                push(false, Detail::PaginationChanged { old, new });
            }
        }
    }
}

fn response_type(r: &SuccessResponse) -> Option<&TypeRef> {
    match r {
        SuccessResponse::Json(t) | SuccessResponse::JsonOrEmpty(t) => Some(t),
        _ => None,
    }
}

fn op_subject(op: &Operation, old: Option<&Operation>) -> Subject {
    Subject::Operation {
        id: op.id.clone(),
        old_id: old.filter(|a| a.id != op.id).map(|a| a.id.clone()),
        method: op.method.clone(),
        path: op.path.clone(),
    }
}

fn type_subject(def: &TypeDef, old: Option<&TypeDef>) -> Subject {
    Subject::Type {
        name: def.name.clone(),
        old_name: old.filter(|a| a.name != def.name).map(|a| a.name.clone()),
        schema: def
            .component
            .clone()
            .unwrap_or_else(|| format!("#{}", def.source)),
    }
}

fn location(l: ParamLocation) -> String {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
    .to_owned()
}

fn compare_operation(m: &Matching<'_>, a: &Operation, b: &Operation, out: &mut Vec<Change>) {
    let subject = op_subject(b, Some(a));
    let mut push = |breaking: bool, detail: Detail| {
        out.push(Change {
            breaking,
            subject: subject.clone(),
            detail,
        })
    };
    if a.id != b.id {
        // The client method and the builder are named after the id.
        push(
            true,
            Detail::Renamed {
                old: a.id.clone(),
                new: b.id.clone(),
            },
        );
    }
    if a.method != b.method || a.path != b.path {
        // The Rust signature does not show the endpoint; calls compile and go to the new one.
        push(
            false,
            Detail::Moved {
                old: endpoint(a),
                new: endpoint(b),
            },
        );
    }
    if a.module != b.module {
        push(
            true,
            Detail::ModuleChanged {
                old: a.module.clone(),
                new: b.module.clone(),
            },
        );
    }
    if b.deprecated && !a.deprecated {
        push(false, Detail::Deprecated);
    }
    compare_params(m, a, b, &mut push);
    compare_body(m, a.body.as_ref(), b.body.as_ref(), &mut push);
    compare_pagination(m, a.pagination.as_ref(), b.pagination.as_ref(), &mut push);
    if !same_response(m, &a.response, &b.response) {
        push(
            true,
            Detail::ResponseRetyped {
                old: response_display(m.old, &a.response),
                new: response_display(m.new, &b.response),
            },
        );
    }
}

fn compare_params(
    m: &Matching<'_>,
    a: &Operation,
    b: &Operation,
    push: &mut impl FnMut(bool, Detail),
) {
    let key = |p: &Param| (p.location as u8, p.wire.clone());
    let old_keys: BTreeSet<(u8, String)> = a.params.iter().map(key).collect();
    let new_keys: BTreeSet<(u8, String)> = b.params.iter().map(key).collect();
    let mut removed: Vec<&Param> = a
        .params
        .iter()
        .filter(|p| !new_keys.contains(&key(p)))
        .collect();
    let mut added: Vec<&Param> = b
        .params
        .iter()
        .filter(|p| !old_keys.contains(&key(p)))
        .collect();

    // A path variable renamed in place is still the same argument: arguments are positional.
    let path_index = |op: &Operation, p: &Param| {
        op.params
            .iter()
            .filter(|q| q.location == ParamLocation::Path)
            .position(|q| q.wire == p.wire)
    };
    let mut renamed: Vec<(&Param, &Param)> = Vec::new();
    removed.retain(|p| {
        if p.location != ParamLocation::Path {
            return true;
        }
        let at = path_index(a, p);
        match added
            .iter()
            .position(|q| q.location == ParamLocation::Path && path_index(b, q) == at)
        {
            Some(i) if m.same(&p.ty, &added[i].ty) => {
                renamed.push((p, added.remove(i)));
                false
            }
            _ => true,
        }
    });
    for (p, q) in &renamed {
        push(
            false,
            Detail::ParamRenamed {
                old: p.wire.clone(),
                new: q.wire.clone(),
                location: location(q.location),
            },
        );
    }
    for p in removed {
        // An argument or a setter disappears.
        push(
            true,
            Detail::ParamRemoved {
                name: p.wire.clone(),
                location: location(p.location),
                required: p.required,
            },
        );
    }
    for q in added {
        // A required one is a new method argument; an optional one only a new setter.
        push(
            q.required,
            Detail::ParamAdded {
                name: q.wire.clone(),
                location: location(q.location),
                required: q.required,
                ty: type_display(m.new, &q.ty),
            },
        );
    }
    // Limitation: a query array switching between repeated keys and one comma-joined value
    // (`explode`) is not reported: the builder's signature is the same and the client
    // serializes it as the new spec says.
    for p in &a.params {
        let Some(q) = b.params.iter().find(|q| key(q) == key(p)) else {
            continue;
        };
        if !m.same(&p.ty, &q.ty) {
            push(
                true,
                Detail::ParamRetyped {
                    name: q.wire.clone(),
                    location: location(q.location),
                    old: type_display(m.old, &p.ty),
                    new: type_display(m.new, &q.ty),
                },
            );
        }
        if p.required != q.required {
            push(
                true,
                Detail::ParamRequired {
                    name: q.wire.clone(),
                    location: location(q.location),
                    required: q.required,
                },
            );
        }
    }

    // Required parameters kept on both sides must keep their relative order, or values of the
    // same type would silently go to the other parameter.
    let renamed_to: BTreeMap<&str, &str> = renamed
        .iter()
        .map(|(p, q)| (p.wire.as_str(), q.wire.as_str()))
        .collect();
    let required_new: BTreeSet<(u8, &str)> = b
        .params
        .iter()
        .filter(|q| q.required)
        .map(|q| (q.location as u8, q.wire.as_str()))
        .collect();
    let old_order: Vec<(u8, &str)> = a
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            (
                p.location as u8,
                renamed_to
                    .get(p.wire.as_str())
                    .copied()
                    .unwrap_or(p.wire.as_str()),
            )
        })
        .filter(|k| required_new.contains(k))
        .collect();
    let kept: BTreeSet<(u8, &str)> = old_order.iter().copied().collect();
    let new_order: Vec<(u8, &str)> = b
        .params
        .iter()
        .filter(|q| q.required)
        .map(|q| (q.location as u8, q.wire.as_str()))
        .filter(|k| kept.contains(k))
        .collect();
    if old_order != new_order {
        let names = |order: &[(u8, &str)]| order.iter().map(|(_, w)| (*w).to_owned()).collect();
        push(
            true,
            Detail::ArgumentsReordered {
                old: names(&old_order),
                new: names(&new_order),
            },
        );
    }
}

fn compare_body(
    m: &Matching<'_>,
    a: Option<&Body>,
    b: Option<&Body>,
    push: &mut impl FnMut(bool, Detail),
) {
    match (a, b) {
        (None, None) => {}
        (None, Some(b)) => push(
            b.required,
            Detail::BodyAdded {
                required: b.required,
                ty: body_display(m.new, &b.kind),
            },
        ),
        (Some(_), None) => push(true, Detail::BodyRemoved),
        (Some(a), Some(b)) => {
            match (&a.kind, &b.kind) {
                (BodyKind::Json(x), BodyKind::Json(y)) if m.same(x, y) => {}
                // The content type is sent by the builder; the Rust signature is the same.
                (BodyKind::Bytes(_), BodyKind::Bytes(_)) => {}
                (BodyKind::Multipart(x), BodyKind::Multipart(y)) => compare_parts(x, y, push),
                (x, y) => push(
                    true,
                    Detail::BodyRetyped {
                        old: body_display(m.old, x),
                        new: body_display(m.new, y),
                    },
                ),
            }
            // A multipart body is built from setters whether or not it is required.
            let multipart = matches!(b.kind, BodyKind::Multipart(_));
            if a.required != b.required && !multipart {
                push(
                    true,
                    Detail::BodyRequired {
                        required: b.required,
                    },
                );
            }
        }
    }
}

fn compare_parts(a: &[MultipartPart], b: &[MultipartPart], push: &mut impl FnMut(bool, Detail)) {
    for p in a {
        match b.iter().find(|q| q.wire == p.wire) {
            None => push(
                true,
                Detail::PartRemoved {
                    name: p.wire.clone(),
                },
            ),
            Some(q) if q.file != p.file => push(
                true,
                Detail::PartRetyped {
                    name: q.wire.clone(),
                    file: q.file,
                },
            ),
            Some(_) => {}
        }
    }
    for q in b {
        if !a.iter().any(|p| p.wire == q.wire) {
            push(
                false,
                Detail::PartAdded {
                    name: q.wire.clone(),
                },
            );
        }
    }
}

fn same_response(m: &Matching<'_>, a: &SuccessResponse, b: &SuccessResponse) -> bool {
    match (a, b) {
        (SuccessResponse::Json(x), SuccessResponse::Json(y))
        | (SuccessResponse::JsonOrEmpty(x), SuccessResponse::JsonOrEmpty(y)) => m.same(x, y),
        (SuccessResponse::Empty, SuccessResponse::Empty)
        | (SuccessResponse::Text, SuccessResponse::Text)
        | (SuccessResponse::Binary, SuccessResponse::Binary) => true,
        _ => false,
    }
}

fn compare_type(m: &Matching<'_>, a: &TypeDef, b: &TypeDef, out: &mut Vec<Change>) {
    let subject = type_subject(b, Some(a));
    let mut push = |breaking: bool, detail: Detail| {
        out.push(Change {
            breaking,
            subject: subject.clone(),
            detail,
        })
    };
    if a.name != b.name {
        // Code that names the type stops compiling.
        push(
            true,
            Detail::Renamed {
                old: a.name.clone(),
                new: b.name.clone(),
            },
        );
    }
    match (&a.kind, &b.kind) {
        (TypeKind::Struct(x), TypeKind::Struct(y)) => compare_fields(m, x, y, &mut push),
        (TypeKind::Enum(x), TypeKind::Enum(y)) => compare_variants(x, y, &mut push),
        (TypeKind::Alias(x), TypeKind::Alias(y)) => {
            if !m.same(x, y) {
                push(
                    true,
                    Detail::AliasRetyped {
                        old: type_display(m.old, x),
                        new: type_display(m.new, y),
                    },
                );
            }
        }
        (x, y) => push(
            true,
            Detail::KindChanged {
                old: kind_display(m.old, x),
                new: kind_display(m.new, y),
            },
        ),
    }
}

fn compare_fields(m: &Matching<'_>, a: &[Field], b: &[Field], push: &mut impl FnMut(bool, Detail)) {
    for f in a {
        let Some(g) = b.iter().find(|g| g.wire == f.wire) else {
            push(
                true,
                Detail::FieldRemoved {
                    field: f.wire.clone(),
                    ty: type_display(m.old, &f.ty),
                },
            );
            continue;
        };
        // A field boxed to break a cycle is `Option<Box<T>>`, another Rust type.
        if !m.same(&f.ty, &g.ty) || f.boxed != g.boxed {
            push(
                true,
                Detail::FieldRetyped {
                    field: g.wire.clone(),
                    old: boxed_display(m.old, &f.ty, f.boxed),
                    new: boxed_display(m.new, &g.ty, g.boxed),
                },
            );
        }
        if f.rust != g.rust {
            push(
                true,
                Detail::FieldRenamed {
                    field: g.wire.clone(),
                    old: f.rust.clone(),
                    new: g.rust.clone(),
                },
            );
        }
        // Limitation: `readOnly`, `deprecated` and descriptions of fields are documentation
        // and are not reported.
        if f.required != g.required {
            // Every field is an `Option` whatever the spec says, so only the docs change.
            push(
                false,
                Detail::FieldRequired {
                    field: g.wire.clone(),
                    required: g.required,
                },
            );
        }
    }
    for g in b {
        if !a.iter().any(|f| f.wire == g.wire) {
            // Structs are `#[non_exhaustive]` and every field is an `Option`.
            push(
                false,
                Detail::FieldAdded {
                    field: g.wire.clone(),
                    ty: type_display(m.new, &g.ty),
                    required: g.required,
                },
            );
        }
    }
}

fn compare_variants(a: &[Variant], b: &[Variant], push: &mut impl FnMut(bool, Detail)) {
    for v in a {
        match b.iter().find(|w| w.wire == v.wire) {
            None => push(
                true,
                Detail::VariantRemoved {
                    value: v.wire.clone(),
                },
            ),
            Some(w) if w.rust != v.rust => push(
                true,
                Detail::VariantRenamed {
                    value: w.wire.clone(),
                    old: v.rust.clone(),
                    new: w.rust.clone(),
                },
            ),
            Some(_) => {}
        }
    }
    for w in b {
        if !a.iter().any(|v| v.wire == w.wire) {
            // Enums are `#[non_exhaustive]` and decode unknown values into `Unknown`.
            push(
                false,
                Detail::VariantAdded {
                    value: w.wire.clone(),
                },
            );
        }
    }
}

/// A type as Rust code names it; an alias also shows what it stands for.
fn type_display(ir: &Ir, t: &TypeRef) -> String {
    let written = rust_type(t);
    let resolved = deref(ir, t);
    if std::ptr::eq(resolved, t) {
        written
    } else {
        format!("{written} (= {})", rust_type(resolved))
    }
}

fn boxed_display(ir: &Ir, t: &TypeRef, boxed: bool) -> String {
    if boxed {
        format!("Box<{}>", type_display(ir, t))
    } else {
        type_display(ir, t)
    }
}

/// Rust syntax of a type reference, as the emitter writes it (without module paths).
fn rust_type(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::U32 => "u32".to_owned(),
        TypeRef::U64 => "u64".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::JsonObject => "serde_json::Map<String, serde_json::Value>".to_owned(),
        TypeRef::Vec(inner) => format!("Vec<{}>", rust_type(inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        TypeRef::Named(n) => n.clone(),
    }
}

fn body_display(ir: &Ir, kind: &BodyKind) -> String {
    match kind {
        BodyKind::Json(t) => type_display(ir, t),
        BodyKind::Multipart(_) => "multipart form".to_owned(),
        BodyKind::Bytes(ct) => format!("bytes ({ct})"),
    }
}

fn response_display(ir: &Ir, r: &SuccessResponse) -> String {
    match r {
        SuccessResponse::Empty => "()".to_owned(),
        SuccessResponse::Json(t) => type_display(ir, t),
        SuccessResponse::JsonOrEmpty(t) => format!("Option<{}>", type_display(ir, t)),
        SuccessResponse::Text => "String".to_owned(),
        SuccessResponse::Binary => "jumpcloud_core::Binary".to_owned(),
    }
}

fn kind_display(ir: &Ir, kind: &TypeKind) -> String {
    match kind {
        TypeKind::Struct(fields) => format!("struct with {} fields", fields.len()),
        TypeKind::Enum(variants) => format!("enum with {} values", variants.len()),
        TypeKind::Alias(t) => format!("alias of {}", type_display(ir, t)),
    }
}
