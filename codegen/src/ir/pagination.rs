//! Which pager an operation gets, decided from facts in the (overlaid) spec.
//!
//! JumpCloud pages its listings in several ways and documents most of them only in prose, so
//! the overlays in `specs/overlays/` declare the facts (the `x-total-count` response header,
//! skip/limit inside search bodies, the Directory Insights cursor headers) and this module reads
//! them. A rule that matched on names alone would give a pager to an operation that does not
//! page, and the wrong pager loses items silently; so every rule below requires the fact that
//! proves its stopping condition, and an operation that proves none gets no pager.

use std::collections::BTreeMap;

use super::{BodyKind, Field, Operation, ParamLocation, SuccessResponse, TypeDef, TypeKind, TypeRef};

/// How an operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// `skip` and `limit` query parameters.
    SkipLimit {
        /// Rust name of the `skip` setter.
        skip: String,
        /// Rust name of the `limit` setter.
        limit: String,
        /// How the pager's `i64` counts are passed to the setters.
        counts: CountType,
        /// Where the listing's total is.
        total: PageTotal,
    },
    /// `skip` and `limit` inside the JSON request body.
    SearchBody {
        /// Rust name of the body's `skip` field.
        skip: String,
        /// Rust name of the body's `limit` field.
        limit: String,
        /// Whether the body is a required argument (a plain field of the builder) rather
        /// than an optional setter.
        body_required: bool,
        /// Where the listing's total is.
        total: PageTotal,
    },
    /// Directory Insights: the body's `search_after` cursor, taken from the `X-Search_after`
    /// response header.
    SearchAfter {
        /// Rust name of the body's cursor field.
        cursor: String,
        /// Whether the body is a required argument.
        body_required: bool,
        /// The listed item.
        item: TypeRef,
    },
    /// A page token query parameter and the next token in the body.
    PageToken {
        /// Rust name of the token setter.
        token_param: String,
        /// Rust name of the body's items field.
        items_field: String,
        /// Rust name of the body's next-token field.
        next_field: String,
        /// The listed item.
        item: TypeRef,
    },
}

/// The type of a listing's `skip` and `limit` query parameters. JumpCloud declares them as
/// integers, 32-bit integers, or strings holding integers, depending on the team that wrote
/// the operation; the pager counts in `i64` and converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountType {
    /// `i64` setters.
    I64,
    /// `i32` setters (a count that does not fit is clamped; pages are at most 100 items).
    I32,
    /// `String` setters (`format: int64` strings).
    String,
}

/// Where a skip/limit listing says how many items it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageTotal {
    /// A bare JSON array, with the total in the `x-total-count` response header.
    Header {
        /// The listed item.
        item: TypeRef,
    },
    /// An object with the items in one field and the total in another.
    Body {
        /// Rust name of the items field.
        items_field: String,
        /// Rust name of the total field.
        total_field: String,
        /// Whether the total field is an `i32` (widened for the pager).
        total_is_i32: bool,
        /// The listed item.
        item: TypeRef,
    },
}

/// Names of the body field that holds a listing's total, in order of preference. `count` is
/// not among them: on some operations it is the size of the page, and a pager that took it for
/// the total would stop after the first page.
const TOTAL_FIELDS: &[&str] = &["totalCount", "total_count", "total"];

/// Names of the body field that holds the items, when a body has several arrays.
const ITEM_FIELDS: &[&str] = &["results", "items", "data", "records"];

/// The pager for `op`, if the spec proves one.
pub fn infer(op: &Operation, types: &BTreeMap<String, TypeDef>) -> Option<Pagination> {
    let SuccessResponse::Json(response) = &op.response else { return None };
    if let Some(p) = search_after(op, response, types) {
        return Some(p);
    }
    if let Some(p) = page_token(op, response, types) {
        return Some(p);
    }
    let total = total(op, response, types)?;
    let query = |wire: &str| {
        op.params
            .iter()
            .find(|p| p.location == ParamLocation::Query && p.wire == wire && !p.required)
            .and_then(|p| {
                let counts = match p.ty {
                    TypeRef::I64 => CountType::I64,
                    TypeRef::I32 => CountType::I32,
                    TypeRef::String => CountType::String,
                    _ => return None,
                };
                Some((p.rust.clone(), counts))
            })
    };
    if let (Some((skip, a)), Some((limit, b))) = (query("skip"), query("limit"))
        && a == b
    {
        return Some(Pagination::SkipLimit { skip, limit, counts: a, total });
    }
    let (fields, body_required) = json_body_fields(op, types)?;
    // The pager counts in `i64`; a narrower skip or limit would need a conversion that can fail.
    let field = |wire: &str| {
        fields.iter().find(|f| f.wire == wire && f.ty == TypeRef::I64 && !f.clearable).map(|f| f.rust.clone())
    };
    let (skip, limit) = (field("skip")?, field("limit")?);
    Some(Pagination::SearchBody { skip, limit, body_required, total })
}

fn is_int(t: &TypeRef) -> bool {
    matches!(t, TypeRef::I64 | TypeRef::I32)
}

fn struct_fields<'t>(t: &TypeRef, types: &'t BTreeMap<String, TypeDef>) -> Option<&'t [Field]> {
    let mut t = t;
    // Follow aliases a bounded number of times: they cannot cycle without a struct between.
    for _ in 0..8 {
        let TypeRef::Named(n) = t else { return None };
        match &types.get(n)?.kind {
            TypeKind::Struct(fields) => return Some(fields),
            TypeKind::Alias(inner) => t = inner,
            TypeKind::Enum(_) => return None,
        }
    }
    None
}

fn vec_item(t: &TypeRef, types: &BTreeMap<String, TypeDef>) -> Option<TypeRef> {
    let mut t = t;
    for _ in 0..8 {
        match t {
            TypeRef::Vec(inner) => return Some((**inner).clone()),
            TypeRef::Named(n) => match &types.get(n)?.kind {
                TypeKind::Alias(inner) => t = inner,
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

fn json_body_fields<'t>(op: &Operation, types: &'t BTreeMap<String, TypeDef>) -> Option<(&'t [Field], bool)> {
    let body = op.body.as_ref()?;
    let BodyKind::Json(t) = &body.kind else { return None };
    Some((struct_fields(t, types)?, body.required))
}

/// Where the total of a skip/limit listing is, if the response says.
fn total(op: &Operation, response: &TypeRef, types: &BTreeMap<String, TypeDef>) -> Option<PageTotal> {
    if let Some(item) = vec_item(response, types) {
        return op
            .response_headers
            .iter()
            .any(|h| h == "x-total-count")
            .then_some(PageTotal::Header { item });
    }
    let fields = struct_fields(response, types)?;
    let total = TOTAL_FIELDS
        .iter()
        .find_map(|w| fields.iter().find(|f| f.wire == *w && is_int(&f.ty) && !f.boxed && !f.clearable))?;
    let (items_field, item) = items(fields, types)?;
    Some(PageTotal::Body {
        items_field,
        total_field: total.rust.clone(),
        total_is_i32: total.ty == TypeRef::I32,
        item,
    })
}

/// The one array field of a listing body, or the conventionally named one among several.
fn items(fields: &[Field], types: &BTreeMap<String, TypeDef>) -> Option<(String, TypeRef)> {
    let arrays: Vec<(&Field, TypeRef)> =
        fields.iter().filter(|f| !f.boxed && !f.clearable).filter_map(|f| vec_item(&f.ty, types).map(|i| (f, i))).collect();
    let chosen = match arrays.as_slice() {
        [one] => Some(one),
        many => ITEM_FIELDS.iter().find_map(|w| many.iter().find(|(f, _)| f.wire == *w)),
    }?;
    Some((chosen.0.rust.clone(), chosen.1.clone()))
}

fn search_after(op: &Operation, response: &TypeRef, types: &BTreeMap<String, TypeDef>) -> Option<Pagination> {
    if !op.response_headers.iter().any(|h| h == "x-search_after") {
        return None;
    }
    let item = vec_item(response, types)?;
    let (fields, body_required) = json_body_fields(op, types)?;
    let cursor = fields.iter().find(|f| {
        f.wire == "search_after" && !f.clearable && matches!(&f.ty, TypeRef::Vec(inner) if **inner == TypeRef::Json)
    })?;
    Some(Pagination::SearchAfter { cursor: cursor.rust.clone(), body_required, item })
}

/// Page tokens: Google's `pageToken` -> `nextPageToken`, Microsoft Graph's `skipToken` ->
/// `skipToken`.
fn page_token(op: &Operation, response: &TypeRef, types: &BTreeMap<String, TypeDef>) -> Option<Pagination> {
    const PAIRS: &[(&str, &str)] = &[("pageToken", "nextPageToken"), ("skipToken", "skipToken")];
    let fields = struct_fields(response, types)?;
    PAIRS.iter().find_map(|(param, next)| {
        let token_param = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Query && p.wire == *param && !p.required && p.ty == TypeRef::String)?;
        let next = fields.iter().find(|f| f.wire == *next && f.ty == TypeRef::String && !f.clearable)?;
        let (items_field, item) = items(fields, types)?;
        Some(Pagination::PageToken {
            token_param: token_param.rust.clone(),
            items_field,
            next_field: next.rust.clone(),
            item,
        })
    })
}
