//! Stage 1 of the pipeline: read a spec file (YAML or JSON) into a `serde_json::Value` and tell
//! which of the accepted formats it is.
//!
//! Later stages work on JSON values only, so this is the one place that knows about YAML. The
//! YAML is read into `serde_yaml_ng::Value` first and converted by hand rather than deserialized
//! straight into `serde_json::Value`: the direct route silently keeps the last of two equal keys
//! and leaves `<<` merge keys unexpanded, and costs about the same (see the codegen README for
//! the measurements).

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result, escape_token};

/// The spec formats the generator accepts. JumpCloud has published all three over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Swagger 2.0 (`swagger: "2.0"`).
    Swagger2,
    /// OpenAPI 3.0.x (`openapi: 3.0.*`).
    OpenApi30,
    /// OpenAPI 3.1.x (`openapi: 3.1.*`).
    OpenApi31,
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::Swagger2 => "Swagger 2.0",
            SourceFormat::OpenApi30 => "OpenAPI 3.0",
            SourceFormat::OpenApi31 => "OpenAPI 3.1",
        })
    }
}

/// Where a document came from and what it declares itself to be, without the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// The file it was read from (or the name given to [`load_str`]).
    pub file: PathBuf,
    /// The detected format.
    pub format: SourceFormat,
    /// The version string exactly as the document gives it, e.g. `"3.0.1"` or `"2.0"`.
    pub version: String,
}

impl fmt::Display for SourceInfo {
    /// E.g. `"Swagger 2.0"` or `"OpenAPI 3.0.1"`: the family with the document's own version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            SourceFormat::Swagger2 => write!(f, "Swagger {}", self.version),
            SourceFormat::OpenApi30 | SourceFormat::OpenApi31 => {
                write!(f, "OpenAPI {}", self.version)
            }
        }
    }
}

/// A spec as read from disk: a JSON value plus what it declares itself to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The file it was read from (or the name given to [`load_str`]).
    pub file: PathBuf,
    /// The detected format.
    pub format: SourceFormat,
    /// The version string exactly as the document gives it, e.g. `"3.0.1"` or `"2.0"`.
    pub version: String,
    /// The whole document.
    pub doc: Value,
}

impl Loaded {
    /// The same facts without the document, for summaries.
    pub fn info(&self) -> SourceInfo {
        SourceInfo {
            file: self.file.clone(),
            format: self.format,
            version: self.version.clone(),
        }
    }
}

/// Reads and detects a spec file.
pub fn load_file(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        file: path.to_owned(),
        source,
    })?;
    load_str(path, &text)
}

/// Parses and detects a spec held in memory; `file` is only used to name it in errors.
pub fn load_str(file: &Path, text: &str) -> Result<Loaded> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Limitation: serde_json keeps the last of two equal keys in a JSON object silently,
    // where the YAML path rejects them.
    let doc = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| Error::Syntax {
            file: file.to_owned(),
            message: format!("JSON: {e}"),
        })?
    } else {
        parse_yaml(file, text)?
    };
    let (format, version) = detect(file, &doc)?;
    Ok(Loaded {
        file: file.to_owned(),
        format,
        version,
        doc,
    })
}

/// Most flow collections (`[`, `{`) a YAML text may open before closing one. The YAML
/// parser's time grows with the square of that run (`[[[[...`) before it stops at its own depth
/// limit, so 10 MB of brackets would take days; a spec opens a few dozen at most.
const MAX_FLOW_RUN: usize = 256;

fn parse_yaml(file: &Path, text: &str) -> Result<Value> {
    let syntax = |message: String| Error::Syntax {
        file: file.to_owned(),
        message,
    };
    // Counted over the raw text (brackets inside strings included): a run this long is never
    // a spec, and the count is linear, so refusing it costs nothing.
    let mut run = 0usize;
    for (line, text_line) in text.lines().enumerate() {
        for c in text_line.chars() {
            match c {
                '[' | '{' => {
                    run += 1;
                    if run > MAX_FLOW_RUN {
                        return Err(syntax(format!(
                            "YAML: more than {MAX_FLOW_RUN} nested flow collections (`[`/`{{`) by line {}",
                            line + 1
                        )));
                    }
                }
                ']' | '}' => run = run.saturating_sub(1),
                _ => {}
            }
        }
    }
    let mut yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| syntax(format!("YAML: {e}")))?;
    yaml.apply_merge()
        .map_err(|e| syntax(format!("YAML merge key (<<): {e}")))?;
    let mut pointer = String::new();
    yaml_to_json(file, yaml, &mut pointer)
}

/// Converts a YAML value to JSON. `pointer` is the JSON pointer of `yaml`, kept up to date so
/// that an unconvertible node can be named.
fn yaml_to_json(file: &Path, yaml: serde_yaml_ng::Value, pointer: &mut String) -> Result<Value> {
    use serde_yaml_ng::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => number_to_json(file, &n, pointer)?,
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                out.push(yaml_to_json(file, item, pointer)?);
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        Y::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = key_to_string(file, key, pointer)?;
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(&key));
                let value = yaml_to_json(file, value, pointer)?;
                pointer.truncate(len);
                // Two YAML keys can become one JSON key (`200` and `"200"`); YAML itself already
                // rejects two equal keys of the same type.
                if out.contains_key(&key) {
                    return Err(Error::spec(
                        file,
                        pointer.clone(),
                        format!("the mapping has the key {key:?} twice (once quoted, once not)"),
                    ));
                }
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            return Err(Error::spec(
                file,
                pointer.clone(),
                format!(
                    "YAML tag {} is not supported in a spec (a JSON value has no tags)",
                    tagged.tag
                ),
            ));
        }
    })
}

/// A YAML mapping key as JSON object key. JSON keys are strings; YAML ones may be numbers or
/// booleans, and status codes are often written unquoted (`200:`), so scalars are spelled out.
fn key_to_string(file: &Path, key: serde_yaml_ng::Value, pointer: &str) -> Result<String> {
    use serde_yaml_ng::Value as Y;
    match key {
        Y::String(s) => Ok(s),
        Y::Number(n) => Ok(n.to_string()),
        Y::Bool(b) => Ok(b.to_string()),
        Y::Null => Ok("null".to_owned()),
        Y::Sequence(_) | Y::Mapping(_) | Y::Tagged(_) => Err(Error::spec(
            file,
            pointer,
            "a mapping key is a sequence, mapping or tagged value; JSON keys must be strings",
        )),
    }
}

fn number_to_json(file: &Path, n: &serde_yaml_ng::Number, pointer: &str) -> Result<Value> {
    if let Some(u) = n.as_u64() {
        return Ok(Value::from(u));
    }
    if let Some(i) = n.as_i64() {
        return Ok(Value::from(i));
    }
    // `as_f64` is total on YAML numbers; NaN and infinities have no JSON form.
    n.as_f64()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| {
            Error::spec(
                file,
                pointer,
                format!("the number {n} (NaN or infinite) cannot be represented in JSON"),
            )
        })
}

const ACCEPTED: &str = "this generator reads Swagger 2.0, OpenAPI 3.0.x and OpenAPI 3.1.x";

/// Finds the format from the top-level `swagger` or `openapi` field.
fn detect(file: &Path, doc: &Value) -> Result<(SourceFormat, String)> {
    let Value::Object(root) = doc else {
        return Err(Error::spec(
            file,
            "",
            format!(
                "the document is {}, not a mapping; a spec is a mapping with a `swagger` or \
                 `openapi` field",
                kind_of(doc)
            ),
        ));
    };

    if let Some(v) = root.get("swaggerVersion") {
        return Err(Error::spec(
            file,
            "/swaggerVersion",
            format!(
                "Swagger {} (1.x) is not supported; {ACCEPTED}",
                scalar_text(v)
            ),
        ));
    }

    match (root.get("swagger"), root.get("openapi")) {
        (Some(_), Some(_)) => Err(Error::spec(
            file,
            "",
            "the document has both `swagger` and `openapi` fields; it must have exactly one",
        )),
        (None, None) => Err(Error::spec(
            file,
            "",
            format!("the document has neither a `swagger` nor an `openapi` field; {ACCEPTED}"),
        )),
        (Some(v), None) => {
            let version = version_text(v);
            match version.as_deref() {
                Some("2.0") => Ok((SourceFormat::Swagger2, "2.0".to_owned())),
                _ => Err(Error::spec(
                    file,
                    "/swagger",
                    format!("unsupported Swagger version {}; {ACCEPTED}", scalar_text(v)),
                )),
            }
        }
        (None, Some(v)) => {
            let version = match v {
                Value::String(s) => Some(s.as_str()),
                _ => None,
            };
            match version.and_then(openapi_minor) {
                Some(0) => Ok((
                    SourceFormat::OpenApi30,
                    version.unwrap_or_default().to_owned(),
                )),
                Some(1) => Ok((
                    SourceFormat::OpenApi31,
                    version.unwrap_or_default().to_owned(),
                )),
                _ => Err(Error::spec(
                    file,
                    "/openapi",
                    format!(
                        "unsupported OpenAPI version {}{}; {ACCEPTED}",
                        scalar_text(v),
                        if v.is_string() {
                            ""
                        } else {
                            " (the version must be a string)"
                        }
                    ),
                )),
            }
        }
    }
}

/// The Swagger version as text. YAML reads an unquoted `swagger: 2.0` as a number, which is
/// wrong by the letter of the spec but common and unambiguous, so it is accepted.
fn version_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.as_f64() == Some(2.0) => Some("2.0".to_owned()),
        _ => None,
    }
}

/// The minor version of a `3.<minor>.<patch>` string (patch optional, digits only, and an
/// optional pre-release suffix such as `-rc1` after the patch).
fn openapi_minor(version: &str) -> Option<u32> {
    let mut parts = version.splitn(3, '.');
    if parts.next()? != "3" {
        return None;
    }
    let minor = parts.next()?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(patch) = parts.next() {
        let digits = patch.split_once('-').map_or(patch, |(d, _)| d);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    minor.parse().ok()
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        other => kind_of(other).to_owned(),
    }
}

/// How a JSON value is described in messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
