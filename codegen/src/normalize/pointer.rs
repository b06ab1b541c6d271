//! JSON pointers (RFC 6901) and local `$ref` strings: building pointers while walking, and
//! resolving a `$ref` the way the error messages need it (saying where resolution stopped).

use serde_json::Value;

use crate::error::escape_token;
use crate::load::kind_of;

/// `parent` extended by one reference token.
pub(crate) fn join(parent: &str, token: &str) -> String {
    let mut out = String::with_capacity(parent.len() + token.len() + 1);
    out.push_str(parent);
    out.push('/');
    out.push_str(&escape_token(token));
    out
}

/// `parent` extended by an array index.
pub(crate) fn join_index(parent: &str, index: usize) -> String {
    format!("{parent}/{index}")
}

/// Splits a local reference (`#/a/b~1c`) into its unescaped tokens. The fragment is
/// percent-decoded first, as RFC 6901 section 6 prescribes for pointers inside URIs.
// Limitation: references to other files or URLs (and 3.1 `$id`-relative ones) are rejected;
// JumpCloud publishes single-file specs.
pub(crate) fn ref_tokens(reference: &str) -> Result<Vec<String>, String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!(
            "$ref {reference:?} points outside this document; only local references \
             (starting with `#`) are supported"
        ));
    };
    let fragment = percent_decode(fragment)
        .ok_or_else(|| format!("$ref {reference:?} has an invalid %-escape"))?;
    if fragment.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = fragment.strip_prefix('/') else {
        return Err(format!(
            "$ref {reference:?} is not a JSON pointer (after `#` it must start with `/`)"
        ));
    };
    rest.split('/')
        .map(|token| {
            unescape_token(token)
                .ok_or_else(|| format!("$ref {reference:?} has an invalid `~` escape in {token:?}"))
        })
        .collect()
}

fn unescape_token(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Follows `tokens` from `root`. On failure, says which prefix exists and why the next step
/// does not; a `$ref` met on the way is not followed (a pointer addresses the document as
/// written, not as resolved).
pub(crate) fn resolve<'a>(root: &'a Value, tokens: &[String]) -> Result<&'a Value, String> {
    let mut node = root;
    let mut at = String::new();
    for token in tokens {
        let next = match node {
            Value::Object(map) => map.get(token),
            Value::Array(items) => parse_index(token).and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => {
                node = next;
                at = join(&at, token);
            }
            None => {
                let shown = if at.is_empty() {
                    "#".to_owned()
                } else {
                    format!("#{at}")
                };
                let why = match node {
                    Value::Object(map) if map.contains_key("$ref") => {
                        " (it is a $ref object, and references are not followed inside a pointer)"
                            .to_owned()
                    }
                    Value::Object(_) | Value::Array(_) => String::new(),
                    other => format!(" (it is {})", kind_of(other)),
                };
                return Err(format!("{shown} has no {token:?}{why}"));
            }
        }
    }
    Ok(node)
}

fn parse_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_decoded() {
        assert_eq!(
            ref_tokens("#/paths/~1a~1%7Bid%7D/get/x~0y").unwrap(),
            ["paths", "/a/{id}", "get", "x~y"]
        );
        assert_eq!(ref_tokens("#").unwrap(), Vec::<String>::new());
        assert!(ref_tokens("other.yaml#/a").unwrap_err().contains("outside"));
        assert!(
            ref_tokens("#a")
                .unwrap_err()
                .contains("must start with `/`")
        );
        assert!(ref_tokens("#/a~2").unwrap_err().contains("`~` escape"));
        assert!(ref_tokens("#/a%zz").unwrap_err().contains("%-escape"));
    }

    #[test]
    fn resolve_reports_the_missing_step() {
        let doc = json!({"a": {"b": [1, {"$ref": "#/x"}]}});
        let t = |s: &str| ref_tokens(s).unwrap();
        assert_eq!(resolve(&doc, &t("#/a/b/0")).unwrap(), &json!(1));
        assert_eq!(resolve(&doc, &t("#/a/c")).unwrap_err(), "#/a has no \"c\"");
        assert_eq!(
            resolve(&doc, &t("#/a/b/01")).unwrap_err(),
            "#/a/b has no \"01\""
        );
        assert!(
            resolve(&doc, &t("#/a/b/1/y"))
                .unwrap_err()
                .contains("not followed")
        );
        assert!(
            resolve(&doc, &t("#/a/b/0/y"))
                .unwrap_err()
                .contains("a number")
        );
    }
}
