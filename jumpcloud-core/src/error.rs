//! The one error type of the runtime and of the generated clients.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// Longest body excerpt quoted in error messages, in bytes.
const SNIPPET_LEN: usize = 200;

/// Everything that can go wrong with a call.
///
/// Variants say which side failed: the API answered with an error ([`Error::Api`]), the answer
/// could not be read ([`Error::Decode`], [`Error::ResponseTooLarge`]), no answer came ([`Error::Timeout`],
/// [`Error::Transport`]), or the request was never sent because it or the configuration was
/// invalid ([`Error::InvalidRequest`], [`Error::Config`]). Messages name the operation and
/// never contain credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a status other than 2xx (after any retries).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// A 2xx response whose body does not match the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// No complete response within the configured timeout.
    #[error("{operation}: no complete response within {timeout:?}")]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The timeout that expired.
        timeout: Duration,
    },

    /// The request could not be sent or the response could not be received (DNS, connection
    /// refused or reset, TLS), after any retries.
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The response body is longer than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    /// Not retried: the same request would most likely get the same answer.
    #[error(
        "{operation}: the response body is larger than the limit of {limit} bytes \
         (ClientBuilder::max_response_bytes)"
    )]
    ResponseTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },

    /// The request was not sent because a parameter cannot be encoded.
    #[error("{operation}: invalid request: {parameter}: {message}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// The parameter, header or body at fault (`body`, `path`, a header or query name).
        parameter: String,
        /// What is wrong with it.
        message: String,
    },

    /// A pager could not continue: the API returned a cursor it cannot follow.
    #[error("pagination: {message}")]
    Pagination {
        /// What went wrong.
        message: String,
    },

    /// The client configuration is invalid.
    #[error("configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
        }
    }

    /// An [`Error::InvalidRequest`]: a request that cannot be sent as given, found before
    /// anything is sent (generated code uses it for values outside the bounds the spec declares).
    pub fn invalid(
        operation: &'static str,
        parameter: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::InvalidRequest {
            operation,
            parameter: parameter.into(),
            message: message.into(),
        }
    }

    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The id of the operation that failed, when the error belongs to one call.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) => Some(e.operation),
            Error::Decode(e) => Some(e.operation),
            Error::Timeout { operation, .. }
            | Error::Transport { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::InvalidRequest { operation, .. } => Some(operation),
            Error::Pagination { .. } | Error::Config { .. } => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// A non-2xx response, as the server sent it.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) message: Option<String>,
    pub(crate) hint: Option<&'static str>,
    pub(crate) attempts: u32,
}

impl ApiError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
        org_id_may_be_missing: bool,
    ) -> ApiError {
        let message = extract_message(&body);
        let hint = (status == StatusCode::UNAUTHORIZED && org_id_may_be_missing).then_some(
            "a multi-tenant (MSP) API key needs an organization id: set ClientBuilder::org_id \
             or JUMPCLOUD_ORG_ID",
        );
        ApiError {
            operation,
            status,
            headers,
            body,
            message,
            hint,
            attempts,
        }
    }

    /// The operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The server's own message: `message` or `error` of a JSON body, if it has one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// A suggestion for a likely cause, e.g. a missing organization id on a 401.
    pub fn hint(&self) -> Option<&str> {
        self.hint
    }

    /// The raw body, whatever its content type (JSON, HTML from a proxy, plain text).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes the body as the error schema an operation declares.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id JumpCloud assigned (`X-Request-Id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
    }

    /// How many attempts were made before giving up (1 when the call was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None if !self.body.is_empty() => write!(f, ": {}", snippet(&self.body))?,
            None => {}
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        if let Some(hint) = self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body could not be decoded into the expected type.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) snippet: String,
}

impl DecodeError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        path: impl Into<String>,
        message: impl Into<String>,
        body: &[u8],
    ) -> DecodeError {
        DecodeError {
            operation,
            status,
            path: path.into(),
            message: message.into(),
            snippet: snippet(body),
        }
    }

    /// The operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Where in the body decoding failed, e.g. `results[3].email`; `.` is the whole body.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the decoder expected.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The start of the body.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot decode the HTTP {} response at `{}`: {} (body starts: {})",
            self.operation, self.status, self.path, self.message, self.snippet
        )
    }
}

impl std::error::Error for DecodeError {}

/// The first bytes of a body as text, cut on a character boundary.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LEN * 2)]);
    let trimmed = text.trim();
    if trimmed.len() <= SNIPPET_LEN {
        return trimmed.to_owned();
    }
    let mut end = SNIPPET_LEN;
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &trimmed[..end])
}

/// JumpCloud error bodies are `{"message": ...}` or `{"error": ...}`, the latter sometimes an
/// object with its own `message`.
fn extract_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    for key in ["message", "error"] {
        match object.get(key) {
            Some(serde_json::Value::String(text)) if !text.is_empty() => {
                return Some(text.clone());
            }
            Some(serde_json::Value::Object(inner)) => {
                if let Some(serde_json::Value::String(text)) = inner.get("message") {
                    return Some(text.clone());
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_from_message_or_error() {
        assert_eq!(
            extract_message(br#"{"message":"Bad Request: limit above maximum of 100"}"#).as_deref(),
            Some("Bad Request: limit above maximum of 100")
        );
        assert_eq!(
            extract_message(br#"{"error":"invalid filter"}"#).as_deref(),
            Some("invalid filter")
        );
        assert_eq!(
            extract_message(br#"{"error":{"code":5,"message":"nope"}}"#).as_deref(),
            Some("nope")
        );
        assert_eq!(extract_message(b"<html>Service Unavailable</html>"), None);
    }

    #[test]
    fn snippets_are_short_and_cut_on_char_boundaries() {
        let body = "é".repeat(500);
        let cut = snippet(body.as_bytes());
        assert!(cut.len() <= SNIPPET_LEN + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(snippet(b"  short  "), "short");
    }
}
