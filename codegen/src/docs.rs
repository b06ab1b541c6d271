//! Turns the spec's Markdown descriptions into rustdoc text that renders and passes
//! `rustdoc -D warnings`.
//!
//! rustdoc reads doc comments as Markdown with extras that the spec's authors never meant:
//! fenced and indented code blocks become doctests, `[word]` becomes an intra-doc link, a bare
//! URL is a lint, and `<tag>` is checked as HTML. Each rule below disarms one of those, so that
//! the text still reads as the spec wrote it.

/// Sanitizes one description. Returns lines without the leading `///`.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence: Option<String> = None;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = raw.trim_start();
        if let Some(fence) = &in_fence {
            if trimmed.starts_with(fence.as_str()) {
                out.push(fence.clone());
                in_fence = None;
            } else {
                out.push(raw.to_owned());
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // Every code block in a spec is an example in some other language (JSON, shell):
            // mark it `text` so rustdoc neither highlights nor runs it as a doctest.
            let fence: String = trimmed.chars().take_while(|c| *c == '`' || *c == '~').collect();
            out.push(format!("{fence}text"));
            in_fence = Some(fence);
            continue;
        }
        // Indentation would make an indented code block (a doctest); nested lists lose their
        // nesting instead, which still reads correctly.
        out.push(escape_inline(trimmed.trim_end()));
    }
    if let Some(fence) = in_fence {
        out.push(fence);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    out
}

/// Text from the spec used inline in a sentence the generator writes (a title, a tag): one
/// line, escaped like any description.
pub fn inline(text: &str) -> String {
    escape_inline(text.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
}

/// Text placed inside a code span the generator writes (a path, an operation id, a JSON
/// pointer): a backtick in it would end the span early.
pub fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

/// Escapes one line outside code blocks: brackets that are not part of a Markdown link,
/// angle brackets that are not an autolink, and bare URLs.
fn escape_inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // A backtick opens a code span only if another one closes it on this line; a stray
            // one would otherwise switch escaping off for the rest of the line.
            if in_code || chars[i + 1..].contains(&'`') {
                in_code = !in_code;
                out.push(c);
            } else {
                out.push_str("\\`");
            }
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                if let Some(end) = markdown_link_end(&chars, i) {
                    // A real link `[text](url)`: keep it, but escape brackets inside the text.
                    let text_end = chars[i..end].iter().position(|c| *c == ']').map(|p| p + i);
                    for (j, ch) in chars[i..end].iter().enumerate() {
                        let j = i + j;
                        if (*ch == '[' && j != i) || (*ch == ']' && Some(j) != text_end) {
                            out.push('\\');
                        }
                        out.push(*ch);
                    }
                    i = end;
                    continue;
                }
                out.push_str("\\[");
            }
            ']' => out.push_str("\\]"),
            '<' => {
                if let Some(end) = autolink_end(&chars, i) {
                    out.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
                out.push_str("&lt;");
            }
            '>' => {
                // `>` starting a line is a block quote; elsewhere escape it with `<`.
                if out.trim().is_empty() {
                    out.push('>');
                } else {
                    out.push_str("&gt;");
                }
            }
            // Links written `[text](url)` and `<url>` were consumed whole above, so any URL
            // reached here is bare, whatever precedes it (`(`, a quote, `href=`).
            'h' if starts_url(&chars, i) => {
                let end = url_end(&chars, i);
                out.push('<');
                out.extend(&chars[i..end]);
                out.push('>');
                i = end;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn starts_url(chars: &[char], i: usize) -> bool {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    rest.starts_with("http://") || rest.starts_with("https://")
}

fn url_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() && !chars[end].is_whitespace() && !matches!(chars[end], '<' | '>' | '"' | '`') {
        end += 1;
    }
    // Trailing punctuation belongs to the sentence, not the URL.
    while end > start && matches!(chars[end - 1], '.' | ',' | ';' | ':' | ')' | ']' | '!' | '?' | '\'') {
        end -= 1;
    }
    end
}

/// If `[...](...)` starts at `i`, the index just past its closing parenthesis.
fn markdown_link_end(chars: &[char], i: usize) -> Option<usize> {
    let mut depth = 0;
    let mut j = i;
    while j < chars.len() {
        match chars[j] {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    if j + 1 >= chars.len() || chars[j + 1] != '(' {
        return None;
    }
    let mut k = j + 2;
    let mut parens = 1;
    while k < chars.len() {
        match chars[k] {
            '(' => parens += 1,
            ')' => {
                parens -= 1;
                if parens == 0 {
                    return Some(k + 1);
                }
            }
            c if c.is_whitespace() => return None,
            _ => {}
        }
        k += 1;
    }
    None
}

/// If `<https://...>` starts at `i`, the index just past `>`.
fn autolink_end(chars: &[char], i: usize) -> Option<usize> {
    if !starts_url(chars, i + 1) {
        return None;
    }
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '>' => return Some(j + 1),
            c if c.is_whitespace() || c == '<' => return None,
            _ => j += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_become_text() {
        let lines = doc_lines("Example:\n```json\n{\"a\": [1]}\n```\n    indented");
        assert_eq!(lines, ["Example:", "```text", "{\"a\": [1]}", "```", "indented"]);
    }

    #[test]
    fn brackets_and_html_are_escaped_but_links_kept() {
        let l = doc_lines("Use [the docs](https://x.test/a_(b)) or filter[0] <b> x > y");
        assert_eq!(l, ["Use [the docs](https://x.test/a_(b)) or filter\\[0\\] &lt;b&gt; x &gt; y"]);
    }

    #[test]
    fn bare_urls_are_autolinked() {
        let l = doc_lines("See https://x.test/a. And <https://y.test>.");
        assert_eq!(l, ["See <https://x.test/a>. And <https://y.test>."]);
    }

    #[test]
    fn inline_code_untouched() {
        let l = doc_lines("`filter[0]=<x>` stays");
        assert_eq!(l, ["`filter[0]=<x>` stays"]);
    }

    #[test]
    fn unclosed_fence_is_closed() {
        assert_eq!(doc_lines("```\nx"), ["```text", "x", "```"]);
    }
}
