//! Which old type is which new type.
//!
//! Names alone do not say it: across the publisher's Swagger 2.0 to OpenAPI 3.0 switch, inline
//! objects became components, some with counter names (`inline_response_200_6`), so one type
//! can carry another Rust name on each side. Types are therefore paired in three steps:
//!
//! 1. same Rust name on both sides;
//! 2. same position: walking the matched operations (parameters, body, response) and the
//!    fields of already paired structs in parallel, the types found at the same place are
//!    paired, when neither has a partner yet, or when one of them has but both have the same
//!    shape (the converter may merge identical inline objects into one component, or split
//!    one into copies);
//! 3. whatever is left unpaired is added or removed.
//!
//! Equality of types is then structural: aliases are looked through (they are transparent in
//! Rust), containers compare their contents, and two named types are equal when paired.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::ir::{Ir, TypeDef, TypeKind, TypeRef};

/// The pairing of old and new types.
pub(super) struct Matching<'a> {
    pub(super) old: &'a Ir,
    pub(super) new: &'a Ir,
    pairs: BTreeSet<(&'a str, &'a str)>,
    forward: BTreeMap<&'a str, BTreeSet<&'a str>>,
    backward: BTreeMap<&'a str, BTreeSet<&'a str>>,
    queue: VecDeque<(&'a str, &'a str)>,
}

/// Longest alias chain followed; the IR never builds a cycle of aliases, but a bound keeps a
/// malformed IR from looping.
const MAX_ALIAS_DEPTH: usize = 64;

impl<'a> Matching<'a> {
    /// Starts with the types whose Rust name is the same on both sides.
    pub(super) fn new(old: &'a Ir, new: &'a Ir) -> Self {
        let mut m = Matching {
            old,
            new,
            pairs: BTreeSet::new(),
            forward: BTreeMap::new(),
            backward: BTreeMap::new(),
            queue: VecDeque::new(),
        };
        for name in old.types.keys() {
            if let Some((n, _)) = new.types.get_key_value(name) {
                m.insert(name.as_str(), n.as_str());
            }
        }
        m
    }

    fn insert(&mut self, a: &'a str, b: &'a str) {
        if self.pairs.insert((a, b)) {
            self.forward.entry(a).or_default().insert(b);
            self.backward.entry(b).or_default().insert(a);
            self.queue.push_back((a, b));
        }
    }

    /// Records that `a` (old) and `b` (new) sit at the same position, pairing the named types
    /// found there.
    pub(super) fn walk(&mut self, a: &'a TypeRef, b: &'a TypeRef) {
        if let (TypeRef::Named(x), TypeRef::Named(y)) = (a, b) {
            self.try_pair(x, y);
        }
        // Then what the aliases stand for (a no-op when neither side is an alias).
        match (deref(self.old, a), deref(self.new, b)) {
            (TypeRef::Named(x), TypeRef::Named(y)) => self.try_pair(x, y),
            (TypeRef::Vec(x), TypeRef::Vec(y)) | (TypeRef::Map(x), TypeRef::Map(y)) => {
                self.walk(x, y)
            }
            _ => {}
        }
    }

    // Limitation: when several unpaired types meet at positions visited in a different order
    // than they were declared, the first meeting wins (same names first, then operations by
    // id, then fields); an unusual reshuffle can pair a type with a lookalike and report field
    // changes where a removal and an addition would be closer to the truth.
    fn try_pair(&mut self, a: &'a str, b: &'a str) {
        if self.pairs.contains(&(a, b)) {
            return;
        }
        let (Some((a, da)), Some((b, db))) = (
            self.old.types.get_key_value(a),
            self.new.types.get_key_value(b),
        ) else {
            return;
        };
        let free_old = !self.forward.contains_key(a.as_str());
        let free_new = !self.backward.contains_key(b.as_str());
        let pair = match (free_old, free_new) {
            (true, true) => same_kind(&da.kind, &db.kind),
            (true, false) | (false, true) => shape(self.old, da) == shape(self.new, db),
            (false, false) => false,
        };
        if pair {
            self.insert(a.as_str(), b.as_str());
        }
    }

    /// Follows every pair found so far into the fields and targets of its types, until no new
    /// pair turns up.
    pub(super) fn propagate(&mut self) {
        while let Some((a, b)) = self.queue.pop_front() {
            let (Some(da), Some(db)) = (self.old.types.get(a), self.new.types.get(b)) else {
                continue;
            };
            match (&da.kind, &db.kind) {
                (TypeKind::Struct(fa), TypeKind::Struct(fb)) => {
                    for f in fa {
                        if let Some(g) = fb.iter().find(|g| g.wire == f.wire) {
                            self.walk(&f.ty, &g.ty);
                        }
                    }
                }
                (TypeKind::Alias(x), TypeKind::Alias(y)) => self.walk(x, y),
                _ => {}
            }
        }
    }

    /// The new types paired with old type `a`.
    pub(super) fn partners_of_old(&self, a: &str) -> impl Iterator<Item = &'a str> + '_ {
        self.forward.get(a).into_iter().flatten().copied()
    }

    /// Whether new type `b` has an old partner.
    pub(super) fn new_is_paired(&self, b: &str) -> bool {
        self.backward.contains_key(b)
    }

    /// Every pair, sorted by old name, then new name.
    pub(super) fn pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.pairs.iter().copied()
    }

    /// Whether an old and a new type reference denote the same Rust type, up to the pairing.
    pub(super) fn same(&self, a: &TypeRef, b: &TypeRef) -> bool {
        match (deref(self.old, a), deref(self.new, b)) {
            (TypeRef::Named(x), TypeRef::Named(y)) => {
                self.pairs.contains(&(x.as_str(), y.as_str()))
            }
            (TypeRef::Vec(x), TypeRef::Vec(y)) | (TypeRef::Map(x), TypeRef::Map(y)) => {
                self.same(x, y)
            }
            (x, y) => x == y && !matches!(x, TypeRef::Named(_)),
        }
    }
}

/// The type an alias chain ends at (the reference itself when it is not an alias).
pub(super) fn deref<'a>(ir: &'a Ir, mut t: &'a TypeRef) -> &'a TypeRef {
    for _ in 0..MAX_ALIAS_DEPTH {
        match t {
            TypeRef::Named(n) => match ir.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(target)) => t = target,
                _ => return t,
            },
            _ => return t,
        }
    }
    t
}

fn same_kind(a: &TypeKind, b: &TypeKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// A type's shape one level deep: field names with their types, named types reduced to their
/// kind. Enough to tell a merged or copied inline object from an unrelated type.
#[derive(PartialEq, Eq)]
enum Shape {
    Struct(Vec<(String, String)>),
    Enum(Vec<String>),
    Alias(String),
}

fn shape(ir: &Ir, def: &TypeDef) -> Shape {
    match &def.kind {
        TypeKind::Struct(fields) => {
            let mut fields: Vec<(String, String)> = fields
                .iter()
                .map(|f| (f.wire.clone(), flat(ir, &f.ty)))
                .collect();
            fields.sort();
            Shape::Struct(fields)
        }
        TypeKind::Enum(variants) => {
            let mut values: Vec<String> = variants.iter().map(|v| v.wire.clone()).collect();
            values.sort();
            Shape::Enum(values)
        }
        TypeKind::Alias(t) => Shape::Alias(flat(ir, t)),
    }
}

/// A type reference with named types reduced to their kind.
fn flat(ir: &Ir, t: &TypeRef) -> String {
    match deref(ir, t) {
        TypeRef::Vec(inner) => format!("[{}]", flat(ir, inner)),
        TypeRef::Map(inner) => format!("{{{}}}", flat(ir, inner)),
        TypeRef::Named(n) => match ir.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct(_)) => "struct".to_owned(),
            Some(TypeKind::Enum(_)) => "enum".to_owned(),
            _ => "?".to_owned(),
        },
        other => format!("{other:?}"),
    }
}
