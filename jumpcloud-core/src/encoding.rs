//! Percent-encoding of path segments and query components.

use std::fmt::{Display, Write as _};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 "unreserved" characters. Being stricter than the grammar requires
/// costs nothing, and it keeps `/`, `?`, `#`, `%`, `;` and friends inside a value from ever
/// changing how the server splits the URL.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Query names and values. `:` stays literal because JumpCloud filters are full of it
/// (`field:eq:value`) and logs are easier to read that way; `,`, `|`, `+`, `&`, `=` and spaces
/// are encoded so that no value can be split or joined by the server.
const QUERY: &AsciiSet = &SEGMENT.remove(b':');

/// Percent-encodes one path segment, so that an id such as `a/b?c` cannot add segments or
/// start a query string.
///
/// ```
/// assert_eq!(jumpcloud_core::encode_path_segment("a/b c?#%"), "a%2Fb%20c%3F%23%25");
/// assert_eq!(jumpcloud_core::encode_path_segment(&42), "42");
/// ```
///
/// The segments `.` and `..` cannot be made harmless by encoding (URL parsers treat `%2E` as a
/// dot), so [`Request::send`](crate::Request::send) refuses a path that contains them.
pub fn encode_path_segment<V: Display + ?Sized>(value: &V) -> String {
    let mut out = String::new();
    push_encoded(&mut out, value, SEGMENT);
    out
}

/// Appends `name=value` to a query string under construction.
pub(crate) fn push_query_pair<V: Display + ?Sized>(query: &mut String, name: &str, value: &V) {
    if !query.is_empty() {
        query.push('&');
    }
    query.extend(utf8_percent_encode(name, QUERY));
    query.push('=');
    push_encoded(query, value, QUERY);
}

fn push_encoded<V: Display + ?Sized>(out: &mut String, value: &V, set: &'static AsciiSet) {
    // Most values (ids, numbers) are already plain ASCII; formatting straight into the
    // encoder avoids an intermediate String for them.
    let mut writer = EncodingWriter { out, set };
    // Writing into a String cannot fail; an error here can only come from a Display impl
    // that reports one, in which case the partial output is all there is to send.
    let _ = write!(writer, "{value}");
}

struct EncodingWriter<'a> {
    out: &'a mut String,
    set: &'static AsciiSet,
}

impl std::fmt::Write for EncodingWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.out.extend(utf8_percent_encode(s, self.set));
        Ok(())
    }
}

/// Why a path cannot be sent as given, if it cannot.
pub(crate) fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("must start with '/'");
    }
    if path.contains(['?', '#']) {
        return Err("must not contain '?' or '#'; pass query parameters with Request::query");
    }
    // URL parsing reads a backslash as a '/' and drops tabs and line breaks, which would turn
    // `..\x` or `.\t.` into a dot segment after the check below; encode such characters
    // with `encode_path_segment` instead.
    if path.contains(|c: char| c == '\\' || c.is_control()) {
        return Err("must not contain '\\' or control characters; percent-encode them");
    }
    let mut segments = path[1..].split('/').peekable();
    while let Some(segment) = segments.next() {
        // A trailing slash is a real (if rare) JumpCloud path shape; an empty segment in the
        // middle means a path parameter was empty and the request would hit another endpoint.
        if segment.is_empty() && segments.peek().is_some() {
            return Err("has an empty segment (an empty path parameter?)");
        }
        if is_dot_segment(segment) {
            return Err("has a '.' or '..' segment, which would change the endpoint");
        }
    }
    Ok(())
}

fn is_dot_segment(segment: &str) -> bool {
    // Runs on every segment of every call, so the common case must not allocate: only
    // segments short enough to be `%2E%2E` are looked at closely.
    if segment.len() > "%2e%2e".len() || !segment.starts_with(['.', '%']) {
        return false;
    }
    let lowered = segment.to_ascii_lowercase().replace("%2e", ".");
    lowered == "." || lowered == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_encodes_reserved_characters() {
        assert_eq!(encode_path_segment("a/b"), "a%2Fb");
        assert_eq!(encode_path_segment("x y"), "x%20y");
        assert_eq!(encode_path_segment("100%"), "100%25");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment("plain-id_1.2~"), "plain-id_1.2~");
    }

    #[test]
    fn query_pairs_repeat_and_encode() {
        let mut query = String::new();
        push_query_pair(&mut query, "filter", "a:eq:x,y");
        push_query_pair(&mut query, "filter", "b:in:p q|r+s&t=u");
        assert_eq!(query, "filter=a:eq:x%2Cy&filter=b:in:p%20q%7Cr%2Bs%26t%3Du");
    }

    #[test]
    fn paths_that_would_change_the_endpoint_are_refused() {
        assert!(check_path("/systemgroups/abc/members").is_ok());
        assert!(check_path("/integrations/").is_ok());
        assert!(check_path("systemgroups").is_err());
        assert!(check_path("/systemgroups//members").is_err());
        assert!(check_path("/systemgroups/../members").is_err());
        assert!(check_path("/systemgroups/%2e%2E/members").is_err());
        assert!(check_path("/systemgroups/./members").is_err());
        assert!(check_path("/users?limit=1").is_err());
        assert!(check_path("/users#x").is_err());
        assert!(check_path("/systemusers/..\\organizations").is_err());
        assert!(check_path("/systemusers/.\t./organizations").is_err());
        assert!(check_path("/systemusers/.\n./organizations").is_err());
        assert!(check_path("/a/\u{85}").is_err());
        assert!(check_path("/a/%5C").is_ok());
    }
}
