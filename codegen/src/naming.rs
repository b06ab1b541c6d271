//! Every Rust name the generator emits is decided here, so that one rule covers types, fields,
//! enum variants, modules, functions and parameters, and collisions are found in one place.
//!
//! Names come from the spec's own names. Inline schemas are named after where they sit (parent
//! plus field, operation plus role), never after a counter, so that a change elsewhere in the
//! spec never renames an existing type.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
    "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
    "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names that would shadow the prelude or the names generated code relies on, and so
/// confuse readers and break `?`/`Result`/`Option` in generated code.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box", "Client", "Default", "Error", "Option", "Result", "Self", "Some", "None", "Ok", "Err",
    "String", "Vec", "Value", "Map", "ToString", "ToOwned", "Clone", "Copy", "Send", "Sync",
    "Sized", "Iterator", "IntoIterator", "From", "Into", "Drop", "Fn", "FnMut", "FnOnce", "Eq",
    "PartialEq", "Ord", "PartialOrd", "Debug", "Display", "Unknown", "ResponseValue", "Binary",
    "Operation", "Method", "Api",
];

/// Splits a spec name into words: any run of characters that are not ASCII letters or digits
/// separates words, and `heck` splits camel case.
fn words_source(raw: &str) -> String {
    raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

/// `UpperCamelCase` type name for a spec name (`system-insights-apps`,
/// `jumpcloud.notifications.ChannelType`, `GraphType`). Never empty, never starts with a digit,
/// never a reserved name.
pub fn type_name(raw: &str) -> String {
    let mut name = words_source(raw).to_upper_camel_case();
    if name.is_empty() {
        name.push_str("Unnamed");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Model");
    }
    name
}

/// `snake_case` identifier for a field, parameter, function or module. Keywords become raw
/// identifiers (`r#type`) or get a trailing underscore where Rust allows no raw form.
/// Leading underscores are dropped (`_id` becomes `id`); [`field_names`] resolves the clash
/// that can cause.
pub fn snake_name(raw: &str) -> String {
    let mut name = words_source(raw).to_snake_case();
    if name.is_empty() {
        name.push_str("value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    escape_keyword(name)
}

fn escape_keyword(name: String) -> String {
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// An identifier string as written in source (`r#type`) to the part `quote::format_ident!`
/// and `proc_macro2::Ident::new_raw` take.
pub fn split_raw(ident: &str) -> (bool, &str) {
    match ident.strip_prefix("r#") {
        Some(rest) => (true, rest),
        None => (false, ident),
    }
}

/// Rust names for the properties of one object, in the order given. Two properties that map to
/// the same snake name (`_id` and `id`, `fooBar` and `foo_bar`) are told apart
/// deterministically: a property whose spec name starts with `_` gets the prefix
/// `underscore_`; any clash left after that is an error listing both spec names.
pub fn field_names<'a>(
    props: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, (String, String, String)> {
    let props: Vec<&str> = props.into_iter().collect();
    let mut base: Vec<String> = props.iter().map(|p| snake_name(p)).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &base {
        *counts.entry(b.as_str()).or_default() += 1;
    }
    let clashing: Vec<bool> = base.iter().map(|b| counts[b.as_str()] > 1).collect();
    for (i, raw) in props.iter().enumerate() {
        if clashing[i] && raw.starts_with('_') {
            let plain = split_raw(&base[i]).1.trim_end_matches('_').to_owned();
            base[i] = format!("underscore_{plain}");
        }
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, b) in base.iter().enumerate() {
        if let Some(prev) = seen.insert(b.as_str(), props[i]) {
            return Err((b.clone(), prev.to_owned(), props[i].to_owned()));
        }
    }
    Ok(base)
}

/// `UpperCamelCase` variant names for the values of one string enum, in the order given.
/// Values that differ only by a leading `-` (descending sort keys such as `-name`) get the
/// prefix `Desc`; an empty value is `Empty`; any clash left is an error listing both values.
pub fn variant_names<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, (String, String, String)> {
    let values: Vec<&str> = values.into_iter().collect();
    let mut names = Vec::with_capacity(values.len());
    for v in &values {
        let (prefix, rest) = match v.strip_prefix('-') {
            Some(rest) => ("Desc", rest),
            None => match v.strip_prefix('+') {
                Some(rest) => ("Asc", rest),
                None => ("", *v),
            },
        };
        let mut name = words_source(rest).to_upper_camel_case();
        if name.is_empty() {
            name = if v.is_empty() { "Empty".to_owned() } else { symbol_name(v) };
        }
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            name.insert(0, 'V');
        }
        name.insert_str(0, prefix);
        if name == "Unknown" || name == "Self" {
            // `Unknown` is the variant that keeps values the spec does not list.
            name.push_str("Value");
        }
        names.push(name);
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        if let Some(prev) = seen.insert(n.as_str(), values[i]) {
            return Err((n.clone(), prev.to_owned(), values[i].to_owned()));
        }
    }
    Ok(names)
}

/// A name for a value made only of symbols (`*`, `=`), spelled out so it stays readable.
fn symbol_name(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        let word = match c {
            '*' => "Star",
            '=' => "Eq",
            '<' => "Lt",
            '>' => "Gt",
            '!' => "Not",
            '.' => "Dot",
            '/' => "Slash",
            '@' => "At",
            '#' => "Hash",
            '$' => "Dollar",
            '%' => "Percent",
            '&' => "And",
            '|' => "Or",
            '~' => "Tilde",
            ':' => "Colon",
            ' ' => "Space",
            _ => "X",
        };
        out.push_str(word);
    }
    out
}

/// Module name for an operation tag (`Password Vault` -> `password_vault`).
pub fn module_name(tag: &str) -> String {
    let name = snake_name(tag);
    match split_raw(&name) {
        (true, rest) => format!("{rest}_"),
        (false, _) => name,
    }
}

/// Joins name parts (already in spec spelling) into one type name: the parent's Rust name plus
/// the part, each part camel-cased (`User` + `addresses` -> `UserAddresses`).
pub fn child_type_name(parent: &str, part: &str) -> String {
    let part = words_source(part).to_upper_camel_case();
    let mut name = format!("{parent}{part}");
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Model");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_spec_names() {
        assert_eq!(type_name("system-insights-apps"), "SystemInsightsApps");
        assert_eq!(type_name("jumpcloud.notifications.ChannelType"), "JumpcloudNotificationsChannelType");
        assert_eq!(type_name("GraphType"), "GraphType");
        assert_eq!(type_name("Error"), "ErrorModel");
        assert_eq!(type_name("Result"), "ResultModel");
        assert_eq!(type_name("2fa"), "T2fa");
        assert_eq!(type_name("..."), "Unnamed");
    }

    #[test]
    fn snake_names_escape_keywords() {
        assert_eq!(snake_name("type"), "r#type");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(snake_name("Self"), "self_");
        assert_eq!(snake_name("systemGroupID"), "system_group_id");
        assert_eq!(snake_name("x-org-id"), "x_org_id");
        assert_eq!(snake_name("3rdParty"), "_3rd_party");
        assert_eq!(snake_name("$filter"), "filter");
    }

    #[test]
    fn id_and_underscore_id_both_survive() {
        let names = field_names(["id", "_id", "name"]).unwrap();
        assert_eq!(names, ["id", "underscore_id", "name"]);
        // Alone, `_id` is just `id`.
        assert_eq!(field_names(["_id"]).unwrap(), ["id"]);
    }

    #[test]
    fn unresolvable_field_clash_names_both() {
        let err = field_names(["fooBar", "foo_bar"]).unwrap_err();
        assert_eq!(err, ("foo_bar".to_owned(), "fooBar".to_owned(), "foo_bar".to_owned()));
    }

    #[test]
    fn variants_of_sort_keys_and_symbols() {
        let names = variant_names(["name", "-name", "", "*", "3des", "unknown"]).unwrap();
        assert_eq!(names, ["Name", "DescName", "Empty", "Star", "V3des", "UnknownValue"]);
        let err = variant_names(["SYSTEM_GROUP", "system_group"]).unwrap_err();
        assert_eq!(err.0, "SystemGroup");
    }

    #[test]
    fn modules_never_raw() {
        assert_eq!(module_name("Password Vault"), "password_vault");
        assert_eq!(module_name("mdm"), "mdm");
        assert_eq!(module_name("Type"), "type_");
    }
}
